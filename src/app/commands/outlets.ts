import { addOutlet, CLI_OPERATOR, defaultEnvPrefix, listOutlets, removeOutlet } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';
import { outletFile, outletSchema } from '../outlets.js';

/** Where an outlet's rows are, as the operator finds them (a file, or a schema of DATABASE_URL's database). */
function whereOf(ctx: CommandContext, slug: string): string {
  return ctx.config.databaseUrl === undefined
    ? outletFile(ctx.config.databasePath, slug)
    : ctx.words.cli.outlets.schema(outletSchema(slug));
}

/** `nashra outlets list`: every outlet, where its rows are, and the prefix of its platforms' variables. */
export async function outletsList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const words = ctx.words.cli.outlets;
  ctx.out(words.heading.join('\t'));
  for (const o of await listOutlets(await ctx.mainNewsroom(), CLI_OPERATOR)) {
    ctx.out(
      `${o.slug}\t${o.name}\t${o.envPrefix === undefined ? words.noPrefix : `${o.envPrefix}*`}\t${whereOf(ctx, o.slug)}`,
    );
  }
}

/** `nashra outlets add <slug> [--name <text>] [--env-prefix <PREFIX_>]`. */
export async function outletsAdd(
  [slug]: string[],
  options: { name?: string; envPrefix?: string },
  ctx: CommandContext,
): Promise<void> {
  const outlet = await addOutlet(await ctx.mainNewsroom(), CLI_OPERATOR, {
    slug: slug!,
    name: options.name ?? slug!,
    envPrefix: options.envPrefix ?? defaultEnvPrefix(slug!),
  });
  // Opened once now: its database is made (and migrated) here, not by the first command that names it.
  await ctx.newsroom(outlet.slug);
  ctx.out(ctx.words.cli.outlets.added(outlet.slug, whereOf(ctx, outlet.slug)));
  ctx.out(ctx.words.cli.outlets.variables(outlet.envPrefix ?? ''));
}

/** `nashra outlets remove <slug>`: out of the registry; its database stays. */
export async function outletsRemove([slug]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const outlet = await removeOutlet(await ctx.mainNewsroom(), CLI_OPERATOR, slug!);
  ctx.out(ctx.words.cli.outlets.removed(outlet.slug, whereOf(ctx, outlet.slug)));
}
