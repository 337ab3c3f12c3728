import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { flag, parseArgs } from '../args.js';
import type { CommandContext } from '../context.js';

/** `nashra backup <file>`: a consistent copy, safe while `nashra run` is using the database. */
export async function backupCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseArgs(argv, { flags: ['force'] });
  const target = args.positionals[0];
  if (!target || args.positionals.length > 1) throw new UserError('usage: nashra backup <file> [--force]');
  if (existsSync(target) && !flag(args, 'force')) throw new UserError(`${target} exists; choose another file or add --force`);
  await ctx.store().backup(target);
  ctx.out(`backed up ${ctx.config.databasePath} to ${target}`);
}
