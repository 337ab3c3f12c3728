/**
 * `nashra db copy --to postgres://…` (issue 24 §5): every row of a SQLite database into a new PostgreSQL one, so a
 * newsroom moves to PostgreSQL with its history, its outbox (what was sent stays sent: nothing goes out twice) and
 * its full-story key (links already posted keep working).
 *
 * - The source is migrated to the newest version first, then read in one read transaction: a `nashra run` writing
 *   meanwhile (WAL) does not tear the copy, it is a copy of one moment.
 * - The target is migrated by openPostgres and must hold no row but those its migration put in (the search
 *   index's version, a new full-story key, the outlet `main` in the registry): each is replaced by the source's.
 *   Anything else there is refused, nothing written.
 * - One transaction on the target: the tables in foreign-key order (the schema's own order), ids kept, each table in
 *   batches of `BATCH_ROWS` as one array per column (one statement text, prepared once per table); the identity
 *   sequences are then moved past the highest id. As pg_restore does, the foreign keys and the indexes no constraint
 *   needs are set aside while the rows go in and made again after, each in one pass over its table (checked then: a
 *   row naming a missing one fails the copy). 100,000 jobs took 10.2 s with them in place, 3.4 s without (the same
 *   run, loaded machine); and a job may name a later one (a post carried by a digest message made after it).
 * - Search terms (SQLite's FTS5, which holds no copy of the text) are not copied: the search index's version becomes
 *   0, so the first openPostgres reindexes.
 * - Checked before the commit: every table's count, and the outbox (`jobs`) row by row, every column. A difference
 *   rolls the whole copy back.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { UserError } from '../../errors.js';
import { catalogue, type Catalogue, type SaidByMeaning } from '../../i18n/index.js';
import type { CopyMismatch, CopyProblem } from '../../i18n/values.js';
import { openStore } from '../index.js';
import { isPostgresUrl, numberTypes, openPostgres } from './database.js';
import { redact } from './ports.js';
import { postgresSchema } from './schema.js';

/** Rows per statement: 27 columns × 2,000 jobs is one statement of ~1 MB, and memory stays a few MB per table. */
const BATCH_ROWS = 2_000;

/**
 * `nashra db copy` refused or failed, by meaning: the CLI says `problem` in its language; the message is the English
 * one, for the logs. No value of `problem` holds a secret: the URL and PostgreSQL's words are masked before they go in.
 */
export class CopyRefusedError extends UserError implements SaidByMeaning {
  override name = 'CopyRefusedError';
  constructor(
    readonly problem: CopyProblem,
    options?: { cause?: unknown },
  ) {
    super(catalogue('en').cli.db.refused(problem), options);
  }
  said(words: Catalogue): string {
    return words.cli.db.refused(this.problem);
  }
}

/** What the migration puts in by itself, replaced by the source's rows. */
const SEEDED = new Set(['search_index', 'full_story_key', 'outlets']);

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

export interface CopyResult {
  /** The target's URL, its password masked. */
  target: string;
  tables: TableCount[];
  /** Jobs compared row by row. */
  jobsCompared: number;
  /** What differs, when something does (the copy was then rolled back); undefined when the copy matches. */
  mismatch?: CopyMismatch;
}

interface Column {
  name: string;
  type: string;
  identity: boolean;
}

/**
 * Copies the SQLite database at `sourcePath` into the empty PostgreSQL database at `url` (see the top of this file),
 * into `schema` (an outlet's, src/app/outlets.ts outletSchema; default `public`, the first outlet's), made when missing.
 */
export async function copyToPostgres(
  sourcePath: string,
  url: string,
  options: { schema?: string } = {},
): Promise<CopyResult> {
  checkUrl(url);
  if (!existsSync(sourcePath)) throw new CopyRefusedError({ kind: 'no-source', path: sourcePath });
  openStore(sourcePath).close();
  const schema = options.schema ?? 'public';
  await (await openPostgres(url, { max: 1, schema })).close();
  // The schema's name was checked by openPostgres; its tables are then the only ones this client's statements name.
  const target = new pg.Client({
    connectionString: url,
    types: numberTypes,
    ...(schema === 'public' ? {} : { options: `-c search_path=${schema}` }),
  });
  const source = new Database(sourcePath, { readonly: true, fileMustExist: true });
  try {
    await target.connect();
    source.exec('BEGIN');
    await target.query('BEGIN');
    const result = { target: redact(url, url), ...(await copyTables(source, target)) };
    await target.query(result.mismatch === undefined ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (err) {
    await target.query('ROLLBACK').catch(() => undefined);
    if (err instanceof UserError) throw err;
    // PostgreSQL's detail names the row (a foreign key's missing target, a duplicate key).
    const detail = (err as { detail?: unknown } | null)?.detail;
    const reason =
      (err instanceof Error ? err.message : String(err)) + (typeof detail === 'string' ? ` (${detail})` : '');
    throw new CopyRefusedError({ kind: 'failed', target: redact(url, url), why: redact(reason, url) }, { cause: err });
  } finally {
    if (source.inTransaction) source.exec('ROLLBACK');
    source.close();
    await target.end().catch(() => undefined);
  }
}

/** A postgres:// URL, said without repeating it (it may hold a password). */
function checkUrl(url: string): void {
  if (!isPostgresUrl(url)) throw new CopyRefusedError({ kind: 'not-postgres-url' });
  try {
    const parsed = new URL(url);
    if (parsed.hostname === '' && !parsed.searchParams.has('host')) throw new Error('no host');
  } catch {
    throw new CopyRefusedError({ kind: 'bad-url' });
  }
}

async function copyTables(source: Database.Database, target: pg.Client): Promise<Omit<CopyResult, 'target'>> {
  const tables = postgresSchema()
    .statements.flatMap((s) => /^CREATE TABLE\s+"?(\w+)"?/i.exec(s)?.[1] ?? [])
    .filter((t) => t !== 'article_terms');
  const used = await nonEmpty(
    target,
    tables.filter((t) => !SEEDED.has(t)),
  );
  if (used.length > 0) throw new CopyRefusedError({ kind: 'not-empty', tables: used });
  for (const table of SEEDED) await target.query(`DELETE FROM ${table}`);
  const remake = await setAside(target, tables);
  for (const table of tables) await copyTable(source, target, table);
  for (const statement of remake) await target.query(statement);
  // The terms are not copied: version 0 is older than any stemmer, so the next open reindexes every article.
  await target.query('UPDATE search_index SET version = 0');
  const counts: TableCount[] = [];
  for (const table of tables) {
    const sourceCount = (source.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
    const targetCount = (await target.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "${table}"`)).rows[0]!.n;
    counts.push({ table, source: sourceCount, target: targetCount });
  }
  const wrong = counts.filter((c) => c.source !== c.target);
  const jobs = await compareJobs(source, target);
  const mismatch: CopyMismatch | undefined =
    wrong.length > 0 ? { kind: 'counts', tables: wrong.map((c) => c.table) } : jobs.mismatch;
  return { tables: counts, jobsCompared: jobs.compared, mismatch };
}

/** The tables that have a row. */
async function nonEmpty(target: pg.Client, tables: string[]): Promise<string[]> {
  const { rows } = await target.query<{ name: string }>(
    tables.map((t) => `SELECT '${t}' AS name WHERE EXISTS (SELECT 1 FROM "${t}")`).join(' UNION ALL '),
  );
  return rows.map((r) => r.name);
}

/** Drops the tables' foreign keys and the indexes no constraint stands on; the statements that make them again. */
async function setAside(target: pg.Client, tables: string[]): Promise<string[]> {
  const { rows: keys } = await target.query<{ owner: string; name: string; definition: string }>(
    `SELECT k.conrelid::regclass::text AS owner,
      k.conname AS name, pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
    WHERE k.contype = 'f' AND t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)`,
    [tables],
  );
  const { rows: indexes } = await target.query<{ name: string; definition: string }>(
    `SELECT i.indexrelid::regclass::text AS name,
      pg_get_indexdef(i.indexrelid) AS definition
    FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
    WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    [tables],
  );
  for (const k of keys) await target.query(`ALTER TABLE ${k.owner} DROP CONSTRAINT "${k.name}"`);
  for (const i of indexes) await target.query(`DROP INDEX ${i.name}`);
  return [
    ...indexes.map((i) => i.definition),
    ...keys.map((k) => `ALTER TABLE ${k.owner} ADD CONSTRAINT "${k.name}" ${k.definition}`),
  ];
}

async function copyTable(source: Database.Database, target: pg.Client, table: string): Promise<void> {
  const columns = (
    await target.query<Column>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attidentity <> '' AS identity FROM pg_attribute
    WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
      [table],
    )
  ).rows;
  const hasId = columns.some((c) => c.name === 'id');
  const names = columns.map((c) => c.name);
  const read = source
    .prepare(`SELECT ${names.map((n) => `"${n}"`).join(', ')} FROM "${table}"${hasId ? ' ORDER BY id' : ''}`)
    .raw();
  const insert = `INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')})
    SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`;
  let batch: unknown[][] = columns.map(() => []);
  let rows = 0;
  // One batch on its way while the next is read: SQLite's reading and PostgreSQL's writing overlap.
  let sending: Promise<unknown> = Promise.resolve();
  const flush = async (): Promise<void> => {
    if (rows === 0) return;
    await sending;
    sending = target.query({ name: `copy_${table}`, text: insert, values: batch });
    // Its failure is thrown where it is awaited; this only keeps a copy stopped meanwhile (a NUL found) from
    // leaving the rejection unhandled.
    sending.catch(() => undefined);
    batch = columns.map(() => []);
    rows = 0;
  };
  const idAt = names.indexOf('id');
  for (const row of read.iterate() as IterableIterator<unknown[]>) {
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (typeof value === 'string' && value.includes('\u0000')) {
        throw new CopyRefusedError({
          kind: 'nul',
          table,
          ...(hasId ? { row: String(row[idAt]) } : {}),
          column: names[i]!,
        });
      }
      batch[i]!.push(value);
    }
    if (++rows === BATCH_ROWS) await flush();
  }
  await flush();
  await sending;
  // Ids were given, so an identity's sequence has not moved: the next row would take id 1.
  for (const { name } of columns.filter((c) => c.identity)) {
    await target.query(
      `SELECT setval(pg_get_serial_sequence('"${table}"', '${name}'), COALESCE(MAX("${name}"), 0) + 1, false) FROM "${table}"`,
    );
  }
}

/**
 * The outbox in both databases, row by row and column by column (every column PostgreSQL has, the generated one too,
 * and the same names as SQLite's), in id order: PostgreSQL's rows a page at a time, the next page asked for as soon
 * as the one before arrives, so it travels while this one is compared. Rows as arrays: objects cost more than the
 * comparison.
 */
async function compareJobs(
  source: Database.Database,
  target: pg.Client,
): Promise<{ compared: number; mismatch?: CopyMismatch }> {
  const columns = (
    await target.query<{ name: string }>(`SELECT attname AS name FROM pg_attribute
    WHERE attrelid = 'jobs'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`)
  ).rows.map((c) => c.name);
  const sqliteColumns = (
    source.prepare("SELECT name FROM pragma_table_xinfo('jobs')").all() as Array<{ name: string }>
  ).map((c) => c.name);
  const unmatched = [
    ...columns.filter((c) => !sqliteColumns.includes(c)),
    ...sqliteColumns.filter((c) => !columns.includes(c)),
  ];
  if (unmatched.length > 0) return { compared: 0, mismatch: { kind: 'one-side-columns', columns: unmatched } };
  const list = columns.map((c) => `"${c}"`).join(', ');
  const idAt = columns.indexOf('id');
  const pageAfter = (id: number): Promise<unknown[][]> => {
    const rows = target
      .query<unknown[]>({
        name: 'copy_compare_jobs',
        text: `SELECT ${list} FROM jobs WHERE id > $1 ORDER BY id LIMIT $2`,
        values: [id, BATCH_ROWS],
        rowMode: 'array',
      })
      .then((r) => r.rows);
    rows.catch(() => undefined);
    return rows;
  };
  let next = pageAfter(0);
  let page: unknown[][] = [];
  let at = 0;
  let compared = 0;
  for (const row of source.prepare(`SELECT ${list} FROM jobs ORDER BY id`).raw().iterate() as IterableIterator<
    unknown[]
  >) {
    if (at === page.length) {
      page = await next;
      at = 0;
      next = page.length === BATCH_ROWS ? pageAfter(page.at(-1)![idAt] as number) : Promise.resolve([]);
      if (page.length === 0) return { compared, mismatch: { kind: 'job-missing', id: String(row[idAt]) } };
    }
    const copied = page[at++]!;
    const differs = columns.findIndex((_, i) => !sameValue(row[i], copied[i]));
    if (differs >= 0)
      return { compared, mismatch: { kind: 'job-differs', id: String(row[idAt]), column: columns[differs]! } };
    compared++;
  }
  const extra = at < page.length ? page[at] : (await next)[0];
  return extra === undefined ? { compared } : { compared, mismatch: { kind: 'job-extra', id: String(extra[idAt]) } };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}
