import { UserError } from '../../errors.js';
import { copyToPostgres } from '../../store/postgres/copy.js';
import { redact } from '../../store/postgres/ports.js';
import type { CommandContext } from '../context.js';

/** `nashra db copy --to postgres://…`: the SQLite database (--db, DATABASE_PATH) copied into a new PostgreSQL one. */
export async function dbCopy(_args: string[], options: { to: string }, ctx: CommandContext): Promise<void> {
  const password = passwordOf(options.to);
  if (password) ctx.logger.addSecret(password);
  const from = ctx.config.databasePath;
  const to = redact(options.to, options.to);
  const result = await copyToPostgres(from, options.to);
  const width = Math.max(...result.tables.map((t) => t.table.length));
  ctx.out(`${result.mismatch === undefined ? 'copied' : 'NOT copied'} ${from} to ${to}`);
  ctx.out(`${'table'.padEnd(width)}  ${'sqlite'.padStart(10)}  ${'postgres'.padStart(10)}`);
  for (const t of result.tables) ctx.out(`${t.table.padEnd(width)}  ${String(t.source).padStart(10)}  ${String(t.target).padStart(10)}${t.source === t.target ? '' : '  ≠'}`);
  if (result.mismatch !== undefined) throw new UserError(`check failed: ${result.mismatch}; the copy was rolled back, nothing was written`);
  ctx.out(`check: OK, every table's rows counted the same in both, and ${result.jobsCompared} jobs identical column by column`);
  ctx.out('search: the articles are reindexed when Nashra first opens the PostgreSQL database');
}

/** The URL's password (decoded), to mask it in every line; undefined when it has none or is not a URL. */
function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
