import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { backupNewsroom, CLI_OPERATOR } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra backup <file>`: a consistent copy, safe while `nashra run` is using the database. */
export async function backupCommand([target]: string[], options: { force?: boolean }, ctx: CommandContext): Promise<void> {
  if (existsSync(target!) && !options.force) throw new UserError(`${target} exists; choose another file or add --force`);
  await backupNewsroom((await ctx.newsroom()), CLI_OPERATOR, target!);
  const what = ctx.config.databaseUrl === undefined ? ctx.config.databasePath : 'the PostgreSQL database (pg_dump, custom format: restore with pg_restore)';
  ctx.out(`backed up ${what} to ${target}`);
}
