/**
 * Opening a PostgreSQL database (`DATABASE_URL=postgres://…`): the pool, the migrations, the ports.
 *
 * Numbers: PostgreSQL sends BIGINT (every id and time here) and NUMERIC (a SUM of them) as text, since they can
 * exceed JavaScript's exact integers; Nashra's never do (ms times are 41 bits), so both are read as numbers, on
 * this pool only (pg's type parsers are otherwise global).
 */
import pg from 'pg';
import { DatabaseOpenError } from '../index.js';
import { reindexSearch } from './articles.js';
import { PostgresPorts, redact, takeWriteLock } from './ports.js';
import { postgresSchema, upgradeStatements } from './schema.js';

const INT8 = 20;
const NUMERIC = 1700;

/** Serialises migrations of several processes starting at once (a number of its own, not the write lock's). */
const MIGRATION_LOCK = 0x6e61736873;

/** BIGINT and NUMERIC read as numbers (the top of this file says why), for a pool's or a client's `types`. */
export const numberTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 || oid === NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** LOCK_WAIT (src/store/postgres/ports.ts): a unit idle this long inside its transaction is ended by the server. */
const IDLE_IN_UNIT_MS = 5_000;

/**
 * Connects, brings the schema to the newest version (and the search index to the stemmer's), and returns the ports
 * over it. `schema`: an outlet's own (src/app/outlets.ts), created when missing; every connection of the pool sees
 * that schema alone (its search_path), so no statement can reach another outlet's tables.
 */
export async function openPostgres(
  url: string,
  options: { max?: number; schema?: string } = {},
): Promise<PostgresPorts> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new DatabaseOpenError({ kind: 'schema-name', schema }, redact(url, url));
  const connection = {
    connectionString: url,
    ...(schema === 'public' ? {} : { options: `-c search_path=${schema}` }),
    types: numberTypes,
  };
  const pool = new pg.Pool({
    ...connection,
    max: options.max ?? 10,
    // A process frozen inside a unit of work (SIGSTOP, a stalled VM, a partition) would hold the write lock, and so
    // every other process's writes, for as long as its connection lives: the server ends a transaction left idle
    // longer than the others wait for the lock (LOCK_WAIT, 5 s). The frozen process's unit then fails, nothing written.
    idle_in_transaction_session_timeout: IDLE_IN_UNIT_MS,
  });
  // An idle client's error (the server restarted) would otherwise crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    if (schema !== 'public') await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await migratePostgres(pool);
    await reindexSearch(pool, (client) => takeWriteLock(client, schema));
  } catch (err) {
    await pool.end().catch(() => undefined);
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatabaseOpenError(
      { kind: 'cannot-open', target: redact(url, url), why: redact(reason, url) },
      redact(url, url),
      {
        cause: err,
      },
    );
  }
  // The leases' renewals, on a connection of their own (opened at the first renewal: only `nashra run` renews), so
  // that they never wait behind the pool's units queued for the write lock (src/store/postgres/runtime.ts says why).
  const renewals = new pg.Pool({ ...connection, max: 1 });
  renewals.on('error', () => undefined);
  return new PostgresPorts(pool, url, schema, renewals);
}

/**
 * An empty database gets the newest schema whole (src/store/postgres/schema.ts); one at an older version gets each
 * newer migration file, translated, one transaction per version. Either way in the `nashra_schema` table's version.
 */
export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS nashra_schema (version BIGINT NOT NULL)');
    const current = (await client.query<{ version: number }>('SELECT version FROM nashra_schema')).rows[0]?.version;
    if (current === undefined) {
      const schema = postgresSchema();
      await inTransaction(client, async () => {
        for (const statement of schema.statements) await client.query(statement);
        for (const { table, row } of schema.rows) {
          const columns = Object.keys(row);
          await client.query(
            `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
            columns.map((c) => row[c]),
          );
        }
        await syncIdentities(client);
        await client.query('INSERT INTO nashra_schema (version) VALUES ($1)', [schema.version]);
      });
      return 1;
    }
    const pending = upgradeStatements(current);
    for (const migration of pending) {
      await inTransaction(client, async () => {
        for (const statement of migration.statements) await client.query(statement);
        await syncIdentities(client);
        await client.query('UPDATE nashra_schema SET version = $1', [migration.version]);
      });
    }
    return pending.length;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

/**
 * A migration's rows given with their ids (db/020's outlet `main` is id 1) leave an identity's sequence where it was:
 * the next row would take the same id. Each identity of the schema is moved past its table's highest id.
 */
async function syncIdentities(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{
    table: string;
    column: string;
  }>(`SELECT c.relname AS table, a.attname AS column FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attidentity <> '' AND n.nspname = current_schema()`);
  for (const { table, column } of rows) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence('"${table}"', '${column}'), COALESCE(MAX("${column}"), 0) + 1, false) FROM "${table}"`,
    );
  }
}

async function inTransaction(client: pg.PoolClient, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
