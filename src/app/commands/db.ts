import { UserError } from '../../errors.js';
import type { CommandContext } from '../context.js';

/** `nashra db copy --to postgres://…`: the SQLite database (--db, DATABASE_PATH) copied into a new PostgreSQL one. */
export async function dbCopy(_args: string[], options: { to: string }, ctx: CommandContext): Promise<void> {
  const result = await ctx.copyDatabase(options.to);
  const width = Math.max(...result.tables.map((t) => t.table.length));
  ctx.out(`${result.mismatch === undefined ? 'copied' : 'NOT copied'} ${ctx.config.databasePath} to ${result.target}`);
  ctx.out(`${'table'.padEnd(width)}  ${'sqlite'.padStart(10)}  ${'postgres'.padStart(10)}`);
  for (const t of result.tables) ctx.out(`${t.table.padEnd(width)}  ${String(t.source).padStart(10)}  ${String(t.target).padStart(10)}${t.source === t.target ? '' : '  ≠'}`);
  if (result.mismatch !== undefined) throw new UserError(`check failed: ${result.mismatch}; the copy was rolled back, nothing was written`);
  ctx.out(`check: OK, every table's rows counted the same in both, and ${result.jobsCompared} jobs identical column by column`);
  ctx.out('search: the articles are reindexed when Nashra first opens the PostgreSQL database');
}
