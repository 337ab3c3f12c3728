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
  if (existsSync(target!) && !options.force)
    throw new UserError(`${target} exists; choose another file or add --force`);
  const { slug } = await ctx.outlet();
  await backupNewsroom(await ctx.newsroom(), CLI_OPERATOR, target!);
  const what =
    ctx.config.databaseUrl === undefined
      ? outletFile(ctx.config.databasePath, slug)
      : slug === MAIN_OUTLET
        ? 'the PostgreSQL database (pg_dump, custom format: restore with pg_restore)'
        : `the schema ${outletSchema(slug)} of the PostgreSQL database (pg_dump, custom format: restore with pg_restore)`;
  ctx.out(`backed up ${what} to ${target}`);
}
