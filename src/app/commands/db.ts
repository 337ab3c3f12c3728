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
  const words = ctx.words.cli.db;
  const copied: string[] = [];
  for (const slug of slugs) {
    const result = await ctx.copyDatabase(options.to, slug);
    const width = Math.max(...result.tables.map((t) => t.table.length));
    const where = slug === MAIN_OUTLET ? result.target : words.schemaOf(result.target, outletSchema(slug), slug);
    ctx.out(words.copied(result.mismatch === undefined, outletFile(ctx.config.databasePath, slug), where));
    ctx.out(`${words.table.padEnd(width)}  ${'sqlite'.padStart(10)}  ${'postgres'.padStart(10)}`);
    for (const t of result.tables)
      ctx.out(
        `${t.table.padEnd(width)}  ${String(t.source).padStart(10)}  ${String(t.target).padStart(10)}${t.source === t.target ? '' : '  ≠'}`,
      );
    if (result.mismatch !== undefined) {
      throw new UserError(words.failed(words.mismatch(result.mismatch), slug === MAIN_OUTLET ? '' : slug, copied));
    }
    ctx.out(words.checked(result.jobsCompared));
    copied.push(slug);
  }
  ctx.out(words.reindex);
}
