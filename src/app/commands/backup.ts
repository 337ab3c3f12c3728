import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { MAIN_OUTLET } from '../../model/outlet.js';
import { backupNewsroom, CLI_OPERATOR } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';
import { outletFile, outletSchema } from '../outlets.js';

/** `nashra backup <file>`: a consistent copy of the chosen outlet's database, safe while `nashra run` is using it. */
export async function backupCommand(
  [target]: string[],
  options: { force?: boolean },
  ctx: CommandContext,
): Promise<void> {
  if (existsSync(target!) && !options.force) throw new UserError(ctx.words.cli.fileExists(target!));
  const { slug } = await ctx.outlet();
  await backupNewsroom(await ctx.newsroom(), CLI_OPERATOR, target!);
  const what =
    ctx.config.databaseUrl === undefined
      ? outletFile(ctx.config.databasePath, slug)
      : slug === MAIN_OUTLET
        ? ctx.words.cli.backupPostgres
        : ctx.words.cli.backupSchema(outletSchema(slug));
  ctx.out(ctx.words.cli.backedUp(what, target!));
}
