/**
 * Both adapters with a way round the ports, for tests that must put rows no port of theirs writes (an article, a
 * post, an editor) or read rows no port reads back (the audit log, a session's last use): `sql` runs one statement
 * with `?` placeholders on either database, `open` also gives the run's own tables (SQLite's Store tables behind an
 * async face, PostgresRuntime). PostgreSQL's database here has an English collation (ICU en-US), as a server set up
 * for a newsroom might, under which lower() folds every script and ORDER BY mixes case and skips punctuation: unlike
 * SQLite, unless the statements say otherwise.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { onTestFinished } from 'vitest';
import type { DataPorts } from '../../src/ports/index.js';
import { numberTypes, openPostgres } from '../../src/store/postgres/database.js';
import type { PostgresRuntime } from '../../src/store/postgres/runtime.js';
import type { Store } from '../../src/store/index.js';
import { freshPostgresDatabase, postgresUrl } from './postgres.js';
import { freshStore } from './store.js';

type Row = Record<string, unknown>;

export interface BothStores {
  name: 'sqlite' | 'postgres';
  ports: DataPorts;
  runtime: PostgresRuntime;
  /** One statement, `?` placeholders; its rows (RETURNING too), numbers as numbers. */
  sql(text: string, ...values: unknown[]): Promise<Row[]>;
}

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  open(): Promise<BothStores>;
}

/** The Store's run tables, each method's answer as a promise: the same face as PostgresRuntime. */
function asyncRuntime(store: Store): PostgresRuntime {
  const wrap = <T extends object>(table: T, names: ReadonlyArray<keyof T & string>) => Object.fromEntries(names.map((n) =>
    [n, async (...args: unknown[]) => (table[n] as (...a: unknown[]) => unknown).apply(table, args)]));
  return {
    leases: wrap(store.leases, ['acquire', 'renew', 'takeOver', 'release', 'isHeld']),
    counters: wrap(store.counters, ['increment', 'get']),
    platformStatus: wrap(store.platformStatus, ['record', 'all']),
    demoRows: wrap(store.demoRows, ['ended', 'activeSubscriptions', 'pending', 'deleteSamples']),
    endDemo: async (...args: Parameters<Store['endDemo']>) => store.endDemo(...args),
  } as unknown as PostgresRuntime;
}

/** A raw connection to a PostgreSQL database, BIGINT read as numbers; closed after the test. */
export async function rawPostgres(url: string): Promise<(text: string, ...values: unknown[]) => Promise<Row[]>> {
  const client = new pg.Client({ connectionString: url, types: numberTypes });
  await client.connect();
  onTestFinished(() => client.end());
  return async (text, ...values) => {
    let n = 0;
    return (await client.query(text.replace(/\?/g, () => `$${++n}`), values)).rows as Row[];
  };
}

export function bothStores(): StoreKind[] {
  const sqlite: StoreKind = {
    name: 'sqlite',
    open: async () => {
      const store = freshStore();
      // A connection of its own beside the store's (WAL: it sees what the store committed).
      const db = new Database(store.path);
      onTestFinished(() => { db.close(); });
      return {
        name: 'sqlite', ports: store.ports(), runtime: asyncRuntime(store),
        sql: async (text, ...values) => {
          const s = db.prepare(text);
          return s.reader ? s.all(...values) as Row[] : (s.run(...values), []);
        },
      };
    },
  };
  const postgres: StoreKind = {
    name: 'postgres',
    open: async () => {
      const url = await freshPostgresDatabase();
      const ports = await openPostgres(url);
      onTestFinished(() => ports.close());
      return { name: 'postgres', ports, runtime: ports.runtime, sql: await rawPostgres(url) };
    },
  };
  return postgresUrl() === '' ? [sqlite] : [sqlite, postgres];
}
