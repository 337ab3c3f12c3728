import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { backupNewsroom, CLI_OPERATOR } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra backup <file>`: a consistent copy, safe while `nashra run` is using the database. */
export async function backupCommand([target]: string[], options: { force?: boolean }, ctx: CommandContext): Promise<void> {
  if (existsSync(target!) && !options.force) throw new UserError(`${target} exists; choose another file or add --force`);
  await backupNewsroom((await ctx.newsroom()), CLI_OPERATOR, target!);
  ctx.out(`backed up ${ctx.config.databasePath} to ${target}`);
}
