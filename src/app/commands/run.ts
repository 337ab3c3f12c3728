import { QueueSignal } from '../../delivery/platform.js';
import { MAIN_OUTLET } from '../../model/outlet.js';
import type { CommandContext } from '../context.js';
import { createPlatforms, newsroomDeps, onlyLocalPlatforms } from '../platforms.js';
import { runMain, type OutletRun } from '../run.js';
import { deskPlatforms } from '../desk.js';
import { outletNewsrooms } from '../../newsroom/outlets.js';

/**
 * `nashra run [--once]`: the main job, for every outlet in the registry (issue 24 §4), or the one `--outlet` names.
 * Each outlet gets its configuration (its own platforms' variables), its database, newsroom and adapters.
 */
export async function runCommand(
  _args: string[],
  options: { once?: boolean; outlet?: string },
  ctx: CommandContext,
): Promise<void> {
  const slugs = options.outlet !== undefined ? [(await ctx.outlet()).slug] : (await ctx.outlets()).map((o) => o.slug);
  const configs = await Promise.all(slugs.map((slug) => ctx.outletConfig(slug)));
  // The embedded demo is main's, and only while no outlet the run serves has a platform that sends.
  const demo = slugs.includes(MAIN_OUTLET) && configs.every((config) => onlyLocalPlatforms(ctx.registry, config));
  const outlets: OutletRun[] = [];
  for (const [i, slug] of slugs.entries()) {
    const config = configs[i]!;
    const db = await ctx.runDatabase(slug);
    const queued = new QueueSignal();
    const newsroom = { ...newsroomDeps(ctx.registry, config, db.data, ctx.logger, queued.notify), outlet: slug };
    const platforms = await createPlatforms(
      ctx.registry,
      { config, logger: ctx.logger, newsroom, out: ctx.out },
      db.counters,
    );
    outlets.push({ slug, config, db, platforms, queued, newsroom, demo: demo && slug === MAIN_OUTLET });
  }
  // The desk is the process's, once: its accounts and the registry are main's (served by this run or not). It serves
  // every outlet its editors are members of: those this run serves through the run's newsroom (its queue wakes this
  // run's worker), any other through the CLI context's (another run's worker finds what it queued).
  const served = new Map(outlets.map((o) => [o.slug, o.newsroom!] as const));
  const newsrooms = outletNewsrooms(
    served.get(MAIN_OUTLET) ?? (await ctx.mainNewsroom()),
    async (slug) => served.get(slug) ?? ctx.newsroom(slug),
  );
  await runMain(ctx.config, outlets, ctx.logger, {
    once: options.once ?? false,
    out: ctx.out,
    words: ctx.words.cli.run,
    label: ctx.label,
    registry: ctx.registry,
    markupFor: (platform) => ctx.registry.find((p) => p.name === platform)?.markup,
    desk: { outlets: newsrooms, platforms: deskPlatforms(ctx.registry, ctx.config, demo) },
  });
}
