import { QueueSignal } from '../../delivery/platform.js';
import type { CommandContext } from '../context.js';
import { createPlatforms, newsroomDeps, onlyLocalPlatforms } from '../platforms.js';
import { runMain } from '../run.js';
import { deskPlatforms } from '../desk.js';
import { MAIN_OUTLET } from '../../model/outlet.js';
import { outletNewsrooms, type NewsroomDeps, type OutletNewsrooms } from '../../newsroom/index.js';

async function deskOutlets(ctx: CommandContext, newsroom: NewsroomDeps): Promise<OutletNewsrooms> {
  const slug = (await ctx.outlet()).slug;
  return outletNewsrooms(slug === MAIN_OUTLET ? newsroom : await ctx.mainNewsroom(), async (s) => (s === slug ? newsroom : ctx.newsroom(s)));
}

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
    // The desk serves every outlet its editors are members of; the run's own outlet through the run's newsroom (its
    // onQueued wakes this run's worker).
    desk: { outlets: await deskOutlets(ctx, newsroom), platforms: deskPlatforms(ctx.registry, ctx.config, demo) },
  });
}
