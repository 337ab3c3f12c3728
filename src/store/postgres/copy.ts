/**
 * `nashra db copy --to postgres://…` (issue 24 §5): every row of a SQLite database into a new PostgreSQL one, so a
 * newsroom moves to PostgreSQL with its history, its outbox (what was sent stays sent: nothing goes out twice) and
 * its full-story key (links already posted keep working).
 *
 * - The source is migrated to the newest version first, then read in one read transaction: a `nashra run` writing
 *   meanwhile (WAL) does not tear the copy, it is a copy of one moment.
 * - The target is migrated by openPostgres and must hold no row but the two its migration put in (the search
 *   index's version, a new full-story key): both are replaced by the source's. Anything else there is refused,
 *   nothing written.
 * - One transaction on the target: the tables in foreign-key order (the schema's own order), ids kept, each table in
 *   batches of `BATCH_ROWS` as one array per column (one statement text, prepared once per table); the identity
 *   sequences are then moved past the highest id. A job may name a job after it (a post carried by a digest message
 *   made later): such a forward reference is written once the table is complete.
 * - Search terms (SQLite's FTS5, which holds no copy of the text) are not copied: the search index's version becomes
 *   0, so the first openPostgres reindexes.
 * - Checked before the commit: every table's count, and the outbox (`jobs`) row by row, every column. A difference
 *   rolls the whole copy back.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { UserError } from '../../errors.js';
import { openStore } from '../index.js';
import { isPostgresUrl, openPostgres } from './database.js';
import { redact } from './ports.js';
import { postgresSchema } from './schema.js';

/** Rows per statement: 27 columns × 2,000 jobs is one statement of ~1 MB, and memory stays a few MB per table. */
const BATCH_ROWS = 2_000;
/** What the migration puts in by itself, replaced by the source's rows. */
const SEEDED = new Set(['search_index', 'full_story_key']);

export interface TableCount { table: string; source: number; target: number }

export interface CopyResult {
  tables: TableCount[];
  /** Jobs compared row by row. */
  jobsCompared: number;
  /** What differs, when something does (the copy was then rolled back); undefined when the copy matches. */
  mismatch?: string;
}

interface Column { name: string; type: string; identity: boolean }

/** Copies the SQLite database at `sourcePath` into the empty PostgreSQL database at `url` (see the top of this file). */
export async function copyToPostgres(sourcePath: string, url: string): Promise<CopyResult> {
  checkUrl(url);
  if (!existsSync(sourcePath)) throw new UserError(`the database ${sourcePath} does not exist (give it with --db or DATABASE_PATH)`);
  openStore(sourcePath).close();
  await (await openPostgres(url, { max: 1 })).close();
  const target = new pg.Client({ connectionString: url, types: { getTypeParser: numbersAsNumbers } });
  const source = new Database(sourcePath, { readonly: true, fileMustExist: true });
  try {
    await target.connect();
    source.exec('BEGIN');
    await target.query('BEGIN');
    const result = await copyTables(source, target);
    await target.query(result.mismatch === undefined ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (err) {
    await target.query('ROLLBACK').catch(() => undefined);
    if (err instanceof UserError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserError(`the copy to ${redact(url, url)} failed, nothing was written: ${redact(reason, url)}`, { cause: err });
  } finally {
    if (source.inTransaction) source.exec('ROLLBACK');
    source.close();
    await target.end().catch(() => undefined);
  }
}

/** A postgres:// URL, said without repeating it (it may hold a password). */
function checkUrl(url: string): void {
  if (!isPostgresUrl(url)) throw new UserError('--to must be a PostgreSQL URL: postgres://user:password@host:5432/database');
  try {
    const parsed = new URL(url);
    if (parsed.hostname === '' && !parsed.searchParams.has('host')) throw new Error('no host');
  } catch {
    throw new UserError('--to is not a valid PostgreSQL URL (postgres://user:password@host:5432/database; a password with @, : or / must be percent-encoded)');
  }
}

/** The same parsers as openPostgres: BIGINT and NUMERIC as numbers (Nashra's are all below 2^53). */
const numbersAsNumbers = ((oid: number, format?: string) =>
  oid === 20 || oid === 1700 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser;

async function copyTables(source: Database.Database, target: pg.Client): Promise<CopyResult> {
  const tables = postgresSchema().statements.flatMap((s) => /^CREATE TABLE\s+"?(\w+)"?/i.exec(s)?.[1] ?? [])
    .filter((t) => t !== 'article_terms');
  const used = await nonEmpty(target, tables.filter((t) => !SEEDED.has(t)));
  if (used.length > 0) {
    throw new UserError(`the PostgreSQL database is not empty (${used.join(', ')} ${used.length === 1 ? 'has rows' : 'have rows'}): `
      + 'nashra db copy fills a new database only; nothing was written');
  }
  for (const table of SEEDED) await target.query(`DELETE FROM ${table}`);
  for (const table of tables) await copyTable(source, target, table);
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
  const mismatch = wrong.length > 0 ? `rows counted differently in ${wrong.map((c) => c.table).join(', ')}` : jobs.mismatch;
  return { tables: counts, jobsCompared: jobs.compared, mismatch };
}

/** The tables that have a row. */
async function nonEmpty(target: pg.Client, tables: string[]): Promise<string[]> {
  const { rows } = await target.query<{ name: string }>(tables.map((t) => `SELECT '${t}' AS name WHERE EXISTS (SELECT 1 FROM "${t}")`).join(' UNION ALL '));
  return rows.map((r) => r.name);
}

async function copyTable(source: Database.Database, target: pg.Client, table: string): Promise<void> {
  const columns = (await target.query<Column>(`SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attidentity <> '' AS identity FROM pg_attribute
    WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`, [table])).rows;
  // Columns naming another row of the same table by its id (jobs.carried_by, jobs.waits_for).
  const selfRefs = new Set((await target.query<{ name: string }>(`SELECT a.attname AS name FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.conrelid = $1::regclass AND c.confrelid = c.conrelid`, [table])).rows.map((r) => r.name));
  const hasId = columns.some((c) => c.name === 'id');
  const names = columns.map((c) => c.name);
  const read = source.prepare(`SELECT ${names.map((n) => `"${n}"`).join(', ')} FROM "${table}"${hasId ? ' ORDER BY id' : ''}`).raw();
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
      let value = row[i];
      if (typeof value === 'string' && value.includes('\u0000')) {
        throw new UserError(`${table}${hasId ? ` row ${String(row[idAt])}` : ''}, column ${names[i]}, holds a NUL character, which PostgreSQL's text `
          + 'cannot store; nothing was written');
      }
      // A reference to a later row waits until that row is in (below).
      if (selfRefs.has(names[i]!) && typeof value === 'number' && value > (row[idAt] as number)) value = null;
      batch[i]!.push(value);
    }
    if (++rows === BATCH_ROWS) await flush();
  }
  await flush();
  await sending;
  for (const column of selfRefs) {
    const forward = source.prepare(`SELECT id, "${column}" FROM "${table}" WHERE "${column}" > id ORDER BY id`).raw();
    const ids: number[] = [];
    const refs: number[] = [];
    const update = async (): Promise<void> => {
      if (ids.length === 0) return;
      await target.query({
        name: `copy_${table}_${column}`, values: [ids, refs],
        text: `UPDATE "${table}" t SET "${column}" = v.ref FROM unnest($1::bigint[], $2::bigint[]) AS v (id, ref) WHERE t.id = v.id`,
      });
      ids.length = 0;
      refs.length = 0;
    };
    for (const [id, ref] of forward.iterate() as IterableIterator<[number, number]>) {
      ids.push(id);
      refs.push(ref);
      if (ids.length === BATCH_ROWS) await update();
    }
    await update();
  }
  // Ids were given, so an identity's sequence has not moved: the next row would take id 1.
  for (const { name } of columns.filter((c) => c.identity)) {
    await target.query(`SELECT setval(pg_get_serial_sequence('"${table}"', '${name}'), COALESCE(MAX("${name}"), 0) + 1, false) FROM "${table}"`);
  }
}

/**
 * The outbox in both databases, row by row and column by column, in id order: PostgreSQL's rows a page at a time,
 * the next page asked for as soon as the one before arrives, so it travels while this one is compared.
 */
async function compareJobs(source: Database.Database, target: pg.Client): Promise<{ compared: number; mismatch?: string }> {
  type Job = Record<string, unknown>;
  const pageAfter = (id: number): Promise<Job[]> => {
    const rows = target.query<Job>({ name: 'copy_compare_jobs', text: 'SELECT * FROM jobs WHERE id > $1 ORDER BY id LIMIT $2', values: [id, BATCH_ROWS] })
      .then((r) => r.rows);
    rows.catch(() => undefined);
    return rows;
  };
  let next = pageAfter(0);
  let page: Job[] = [];
  let at = 0;
  let compared = 0;
  for (const row of source.prepare('SELECT * FROM jobs ORDER BY id').iterate() as IterableIterator<Job>) {
    if (at === page.length) {
      page = await next;
      at = 0;
      next = page.length === BATCH_ROWS ? pageAfter(page.at(-1)!.id as number) : Promise.resolve([]);
      if (page.length === 0) return { compared, mismatch: `jobs: row ${String(row.id)} is missing from PostgreSQL` };
    }
    const difference = differingColumn(row, page[at++]!);
    if (difference !== undefined) return { compared, mismatch: `jobs: row ${String(row.id)} differs in column ${difference}` };
    compared++;
  }
  const extra = at < page.length ? page[at] : (await next)[0];
  return extra === undefined ? { compared } : { compared, mismatch: `jobs: row ${String(extra.id)} is in PostgreSQL only` };
}

function differingColumn(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  const columns = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const column of columns) {
    if (!(column in a) || !(column in b)) return column;
    if (!sameValue(a[column], b[column])) return column;
  }
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}
