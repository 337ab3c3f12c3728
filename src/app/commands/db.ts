import { UserError } from '../../errors.js';
import { MAIN_OUTLET } from '../../model/outlet.js';
import type { CommandContext } from '../context.js';
import { outletFile, outletSchema } from '../outlets.js';

/**
 * `nashra db copy --to postgres://…`: the SQLite database (--db, DATABASE_PATH) copied into a new PostgreSQL one, and
 * every other outlet's file into its schema (main's first: it holds the registry), each checked and committed alone.
 */
export async function dbCopy(_args: string[], options: { to: string }, ctx: CommandContext): Promise<void> {
  const slugs = await ctx.copySources();
  const copied: string[] = [];
  for (const slug of slugs) {
    const result = await ctx.copyDatabase(options.to, slug);
    const width = Math.max(...result.tables.map((t) => t.table.length));
    const where =
      slug === MAIN_OUTLET ? result.target : `${result.target}, schema ${outletSchema(slug)} (outlet ${slug})`;
    ctx.out(
      `${result.mismatch === undefined ? 'copied' : 'NOT copied'} ${outletFile(ctx.config.databasePath, slug)} to ${where}`,
    );
    ctx.out(`${'table'.padEnd(width)}  ${'sqlite'.padStart(10)}  ${'postgres'.padStart(10)}`);
    for (const t of result.tables)
      ctx.out(
        `${t.table.padEnd(width)}  ${String(t.source).padStart(10)}  ${String(t.target).padStart(10)}${t.source === t.target ? '' : '  ≠'}`,
      );
    if (result.mismatch !== undefined) {
      const before = copied.length === 0 ? '' : ` (the outlets ${copied.join(', ')} were copied before it)`;
      const of = slug === MAIN_OUTLET ? '' : ` of outlet ${slug}`;
      throw new UserError(
        `check failed: ${result.mismatch}; the copy${of} was rolled back, nothing of it was written${before}`,
      );
    }
    ctx.out(
      `check: OK, every table's rows counted the same in both, and ${result.jobsCompared} jobs identical column by column`,
    );
    copied.push(slug);
  }
  ctx.out('search: the articles are reindexed when Nashra first opens the PostgreSQL database');
}
