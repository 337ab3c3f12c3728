import { QueueSignal } from '../../delivery/platform.js';
import type { CommandContext } from '../context.js';
import { createPlatforms, newsroomDeps, onlyLocalPlatforms } from '../platforms.js';
import { runMain } from '../run.js';
import { deskPlatforms } from '../desk.js';

/** `nashra run [--once]`: the main job. */
export async function runCommand(_args: string[], options: { once?: boolean }, ctx: CommandContext): Promise<void> {
  const db = await ctx.runDatabase();
  const queued = new QueueSignal();
  const newsroom = newsroomDeps(ctx.registry, ctx.config, db.data, ctx.logger, queued.notify);
  const platforms = await createPlatforms(ctx.registry, { config: ctx.config, logger: ctx.logger, newsroom, out: ctx.out }, db.counters);
  const demo = onlyLocalPlatforms(ctx.registry, ctx.config);
  await runMain(ctx.config, db, ctx.logger, {
    once: options.once ?? false, out: ctx.out, platforms, queued, demo, registry: ctx.registry, newsroom,
    markupFor: (platform) => ctx.registry.find((p) => p.name === platform)?.markup,
    desk: { newsroom, platforms: deskPlatforms(ctx.registry, ctx.config, demo) },
  });
}
