/**
 * The tests' databases, on either adapter, in one place (issue 27): which adapter this pass runs on, fresh ports on
 * it, and a way round the ports for tests that must write rows no port of theirs writes (an article, a post, an
 * editor) or read rows no port reads back (the audit log, a session's last use). The SQL is in the words both
 * databases share: `?` placeholders, RETURNING.
 *
 * Two passes (README, Development; tests/helpers/pass.ts): `npm test` runs every file on SQLite; `npm run test:postgres`
 * (NASHRA_TEST_DATABASE=postgres) runs the files that touch the database again on PostgreSQL, and the PostgreSQL-only ones,
 * where `freshDatabase()`, `freshPorts()` and the fixtures built on them (tests/fake-telegram/harness.ts,
 * tests/helpers/desk.ts, the CLI's `databaseEnv`) give a new PostgreSQL database instead of a SQLite file.
 *
 * PostgreSQL's databases here have an English collation (ICU en-US), as a server set up for a newsroom might, under
 * which lower() folds every script and ORDER BY mixes case and skips punctuation: unlike SQLite, unless the
 * statements say otherwise.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { onTestFinished } from 'vitest';
import { outletFile, outletSchema } from '../../src/app/outlets.js';
import { WriteBehindCounters } from '../../src/app/run-database.js';
import type { DayCounters } from '../../src/delivery/platform.js';
import type { JobKind, JobRecord, PendingJob } from '../../src/model/delivery.js';
import type { DataPorts } from '../../src/ports/index.js';
import type { AuditEntry } from '../../src/model/audit.js';
import { openStore, type Store } from '../../src/store/index.js';
import { jobFromRow } from '../../src/store/jobs.js';
import { revisionFromRow } from '../../src/store/revisions.js';
import type { ArticleRevision } from '../../src/model/correction.js';
import { numberTypes, openPostgres } from '../../src/store/postgres/database.js';
import type { PostgresPorts } from '../../src/store/postgres/ports.js';
import type { PostgresRuntime } from '../../src/store/postgres/runtime.js';
import { newPostgresDatabase } from './postgres.js';
import { tempDir } from './tmp.js';

export type RawRow = Record<string, unknown>;
import { type AdapterName, ofThisPass, onPostgres } from './pass.js';

export { type AdapterName, onPostgres, testDatabase } from './pass.js';

export interface RawDatabase {
  name: AdapterName;
  /** The ports over the database as it is open now. */
  ports: DataPorts;
  /** The run's own tables (lease, counters, platform states, the demo's rows): SQLite's Store tables behind an async face, or PostgresRuntime. */
  runtime: PostgresRuntime;
  /** The platforms' day counters as `nashra run` gives them to an adapter (src/app/run-database.ts). */
  counters: DayCounters;
  /** SQLite's Store itself, for what only it has; throws in the PostgreSQL pass. */
  sqliteStore(): Store;
  /** The environment that points a `nashra` command (child process or in-process) at this database. */
  env: Record<string, string>;
  /** The SQLite file, or the PostgreSQL URL. */
  where: string;
  /** One statement, `?` placeholders: its rows (a write's RETURNING rows, else []), numbers as numbers. */
  sql(text: string, ...values: unknown[]): Promise<RawRow[]>;
  /** One row into `table`; its id. */
  insert(table: string, row: RawRow): Promise<number>;
  /** Closes the ports as a stopping process would (what was not written stays unwritten) and opens new ones. */
  reopen(): Promise<DataPorts>;
  /** Ports of their own over the same database, as another process would have (closed when the test ends). */
  another(): Promise<DataPorts>;
}

export interface RawAdapter {
  name: AdapterName;
  /** A new, empty, migrated database; closed (and removed) when the test that asked for it has finished. Call it inside a test. */
  open(): Promise<RawDatabase>;
}

/** The Store's run tables, each method's answer as a promise: the same face as PostgresRuntime. */
function asyncRuntime(store: () => Store): PostgresRuntime {
  const wrap = (table: (s: Store) => object, names: string[]) =>
    Object.fromEntries(
      names.map((n) => [
        n,
        async (...args: unknown[]) => {
          const t = table(store()) as Record<string, (...a: unknown[]) => unknown>;
          return t[n]!.apply(t, args);
        },
      ]),
    );
  return {
    leases: wrap((s) => s.leases, ['acquire', 'renew', 'takeOver', 'release', 'isHeld', 'holder', 'prune']),
    counters: wrap((s) => s.counters, ['increment', 'get']),
    platformStatus: wrap((s) => s.platformStatus, ['record', 'all']),
    demoRows: wrap((s) => s.demoRows, ['ended', 'activeSubscriptions', 'pending', 'deleteSamples']),
    endDemo: async (...args: Parameters<Store['endDemo']>) => store().endDemo(...args),
  } as unknown as PostgresRuntime;
}

/** A database of its own, closed (and removed) by `close()`. */
export interface OwnedDatabase extends RawDatabase {
  /** Closes every connection and removes the database; again, nothing. */
  close(): Promise<void>;
}

/** This process's migrated SQLite file, copied for each new database (migratedSqlite). */
let sqliteTemplate: string | undefined;

/**
 * A new migrated SQLite file at `path`: a copy of one migrated once per test process, as the PostgreSQL pass copies
 * its migrated template. Migrating took 80 ms of CPU per database, a copy and its opening 20 ms (the property files
 * alone open 66). Each copy gets a full-story key of its own (db/017), as each installation makes one.
 */
export function migratedSqlite(path: string): void {
  if (sqliteTemplate === undefined) {
    const { dir, cleanup } = tempDir('nashra-template-');
    process.once('exit', cleanup);
    openStore(join(dir, 'migrated.db')).close();
    sqliteTemplate = join(dir, 'migrated.db');
  }
  copyFileSync(sqliteTemplate, path);
  const file = new Database(path);
  file.prepare('UPDATE full_story_key SET secret = randomblob(32) WHERE id = 1').run();
  file.close();
}

async function createSqlite(): Promise<OwnedDatabase> {
  const { dir, cleanup } = tempDir('nashra-db-');
  const path = join(dir, 'n.db');
  migratedSqlite(path);
  let store: Store = openStore(path);
  // A connection of its own beside the store's (WAL: it sees what the store committed), open across reopen().
  const raw = new Database(path);
  const others: Store[] = [];
  const db: OwnedDatabase = {
    name: 'sqlite',
    ports: store.ports(),
    runtime: asyncRuntime(() => store),
    env: { DATABASE_PATH: path },
    where: path,
    get counters() {
      return store.counters;
    },
    sqliteStore: () => store,
    sql: async (text, ...values) => {
      const s = raw.prepare(text);
      if (s.reader) return s.all(...values) as RawRow[];
      s.run(...values);
      return [];
    },
    insert: async (table, row) => {
      const columns = Object.keys(row);
      return Number(
        raw
          .prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`)
          .run(row).lastInsertRowid,
      );
    },
    reopen: async () => {
      store.close();
      store = openStore(path);
      db.ports = store.ports();
      return db.ports;
    },
    another: async () => {
      const other = openStore(path);
      others.push(other);
      return other.ports();
    },
    close: async () => {
      if (!raw.open) return;
      for (const o of others) o.close();
      raw.close();
      store.close();
      cleanup();
    },
  };
  return db;
}

async function createPostgres(): Promise<OwnedDatabase> {
  const { url, drop } = await newPostgresDatabase({ migrated: true });
  let ports = await openPostgres(url);
  const pool = new pg.Pool({ connectionString: url, max: 2, types: numberTypes });
  // Its idle clients' end at the database's drop (WITH FORCE) is no error.
  pool.on('error', () => undefined);
  const others: PostgresPorts[] = [];
  let counters = new WriteBehindCounters(ports.runtime.counters);
  const sql = async (text: string, ...values: unknown[]) => {
    let n = 0;
    return (
      await pool.query(
        text.replace(/\?/g, () => `$${++n}`),
        values,
      )
    ).rows as RawRow[];
  };
  const db: OwnedDatabase = {
    name: 'postgres',
    ports,
    env: { DATABASE_URL: url },
    where: url,
    get runtime() {
      return ports.runtime;
    },
    get counters() {
      return counters;
    },
    sqliteStore: () => {
      throw new Error(
        'a SQLite store was asked for in the PostgreSQL pass: read through the ports or db.sql, or skip the test there (onPostgres())',
      );
    },
    sql,
    insert: async (table, row) => {
      const columns = Object.keys(row);
      const [r] = await sql(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING id`,
        ...columns.map((c) => row[c]),
      );
      return Number(r!.id);
    },
    reopen: async () => {
      await ports.close();
      ports = await openPostgres(url);
      counters = new WriteBehindCounters(ports.runtime.counters);
      db.ports = ports;
      return ports;
    },
    another: async () => {
      const other = await openPostgres(url);
      others.push(other);
      return other;
    },
    close: async () => {
      if (pool.ended) return;
      for (const o of others) await o.close();
      await ports.close();
      await pool.end();
      await drop();
    },
  };
  return db;
}

/** Opened for the test that asks (inside a test), closed when it has finished. */
const scoped = (name: AdapterName, create: () => Promise<OwnedDatabase>): RawAdapter => ({
  name,
  open: async () => {
    const db = await create();
    onTestFinished(() => db.close());
    return db;
  },
});

const sqlite = scoped('sqlite', createSqlite);
const postgres = scoped('postgres', createPostgres);

/** This pass's adapter (tests/helpers/pass.ts): for `describe.each` in a test written for both adapters. */
export function rawAdapters(): RawAdapter[] {
  return ofThisPass([sqlite, postgres]);
}

/** This pass's database (see the top of this file), closed when the test that asked for it has finished. Call it inside a test. */
export function freshDatabase(): Promise<RawDatabase> {
  return (onPostgres() ? postgres : sqlite).open();
}

/** This pass's database, for a fixture that closes it itself (`close()`), e.g. one shared by a file's tests. */
export function createDatabase(): Promise<OwnedDatabase> {
  return onPostgres() ? createPostgres() : createSqlite();
}

/**
 * The environment of a `nashra` command on a new database of this pass's adapter, with no connection of this
 * process's held to it (a test counting this process's open sockets and timers); removed when the test has finished.
 */
export async function freshDatabaseEnv(): Promise<Record<string, string>> {
  if (onPostgres()) {
    const { url, drop } = await newPostgresDatabase({ migrated: true });
    onTestFinished(drop);
    return { DATABASE_URL: url };
  }
  const { dir, cleanup } = tempDir('nashra-db-');
  onTestFinished(cleanup);
  return { DATABASE_PATH: join(dir, 'n.db') };
}

/** This pass's ports over a new, empty database. Call it inside a test. */
export async function freshPorts(): Promise<DataPorts> {
  return (await freshDatabase()).ports;
}

/** A subscription row; its id. */
export async function addChat(
  db: RawDatabase,
  chatId: string,
  o: { platform?: string; topics?: string[]; active?: boolean; activeSince?: number; title?: string } = {},
): Promise<number> {
  const [row] = await db.sql(
    `INSERT INTO subscriptions (platform, chat_id, kind, title, topics, active, active_since, created_at)
    VALUES (?, ?, 'group', ?, ?, ?, ?, 0) RETURNING id`,
    o.platform ?? 'telegram',
    chatId,
    o.title ?? null,
    JSON.stringify(o.topics ?? []),
    o.active === false ? 0 : 1,
    o.activeSince ?? 0,
  );
  return row!.id as number;
}

/** A stored article row (with its search terms left out: these tests do not search); its id. */
export async function addArticle(
  db: RawDatabase,
  n: number,
  o: { title?: string; sourceId?: number; createdAt?: number } = {},
): Promise<number> {
  const [row] = await db.sql(
    `INSERT INTO articles (source_id, url, title, source_name, paragraphs, summary, hashtags, content_hash, story_key, search_text, created_at)
    VALUES (?, ?, ?, 'مصدر', '["فقرة"]', '["جملة"]', '[]', ?, ?, 'نص', ?) RETURNING id`,
    o.sourceId ?? null,
    `https://example.org/${n}`,
    o.title ?? `خبر ${n}`,
    `h${n}`,
    `k${n}`,
    o.createdAt ?? n,
  );
  return row!.id as number;
}

/** A digest chat's delivery settings (hourly, or daily at 20:00), quiet hours optional. */
export async function setMode(
  db: RawDatabase,
  subscriptionId: number,
  mode: 'immediate' | 'hourly' | 'daily',
  o: { urgentNow?: boolean; quiet?: [string, string]; quietMode?: 'silent' | 'wait' } = {},
): Promise<void> {
  await db.sql(
    `INSERT INTO delivery_settings (subscription_id, mode, digest_at, urgent_now, quiet_start, quiet_end, quiet_mode, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
    subscriptionId,
    mode,
    mode === 'daily' ? '20:00' : null,
    o.urgentNow ? 1 : 0,
    o.quiet?.[0] ?? null,
    o.quiet?.[1] ?? null,
    o.quietMode ?? 'silent',
  );
}

/** Chats, articles and sent posts, as rows (numbered from 1 per call). */
export function rows(s: RawDatabase) {
  let n = 0;
  return {
    chat: (platform: string, chatId: string, title: string | null = null) =>
      s.insert('subscriptions', { platform, chat_id: chatId, kind: 'channel', title, active_since: 0, created_at: 0 }),
    article: (over: RawRow = {}) => {
      n++;
      return s.insert('articles', {
        url: `https://news.example/${n}`,
        title: `خبر رقم ${n}`,
        source_name: 'مثال',
        paragraphs: '[]',
        content_hash: `h${n}`,
        story_key: `k${n}`,
        search_text: '',
        created_at: 0,
        ...over,
      });
    },
    post: (articleId: number, subscriptionId: number, platform: string, over: RawRow = {}) =>
      s.insert('jobs', {
        kind: 'post',
        platform,
        subscription_id: subscriptionId,
        article_id: articleId,
        state: 'sent',
        queued_at: 0,
        ...over,
      }),
  };
}

/** The article's posts queued for these chats through the audience's port, as a broadcast queues them; how many were new. */
export async function queuePosts(
  ports: DataPorts,
  articleId: number,
  subscriptionIds: number[],
  now = Date.now(),
): Promise<number> {
  return ports.repos.audience.queueListed(articleId, subscriptionIds, {}, now);
}

/**
 * Up to `limit` of the platform's queued posts sent as the worker marks them (sending, then sent with the platform's
 * message id `messageId(job id)`); the jobs sent.
 */
export async function sendQueued(
  ports: DataPorts,
  platform: string,
  limit: number,
  messageId: (jobId: number) => string,
  now = Date.now(),
): Promise<PendingJob[]> {
  const jobs = await ports.repos.jobs.next(platform, limit, 'oldest', now, { texts: true });
  for (const job of jobs.slice(0, limit)) {
    await ports.repos.jobs.markSending(job.id, now);
    await ports.repos.jobs.markSent(job.id, { messageId: messageId(job.id) }, now);
  }
  return jobs.slice(0, limit);
}

/** An article's jobs of these kinds (posts unless said), oldest first, as the outbox reads them. */
export async function jobsOf(
  db: RawDatabase,
  articleId: number,
  kinds: readonly JobKind[] = ['post'],
): Promise<JobRecord[]> {
  return jobsWhere(db, 'article_id', articleId, kinds);
}

/**
 * Every post of the database with its chat's id, oldest first: one statement for a scenario's final check, where a
 * read per article and one per post for its subscription were 12,000 of a property file's statements (a round trip
 * each on PostgreSQL).
 */
export async function postsWithChats(db: RawDatabase): Promise<Array<{ post: JobRecord; chatId: string }>> {
  const rows = await db.sql(
    `SELECT j.*, s.chat_id AS subscription_chat_id FROM jobs j JOIN subscriptions s ON s.id = j.subscription_id
    WHERE j.kind = 'post' ORDER BY j.id`,
  );
  return rows.map((r) => ({
    post: jobFromRow(r as unknown as Parameters<typeof jobFromRow>[0]),
    chatId: r.subscription_chat_id as string,
  }));
}

/** Every job of these kinds, oldest first: one statement for a scenario's final check (the deletes of every article). */
export async function jobsOfKinds(db: RawDatabase, kinds: readonly JobKind[]): Promise<JobRecord[]> {
  const rows = await db.sql(
    `SELECT * FROM jobs WHERE kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY id`,
    ...kinds,
  );
  return rows.map((r) => jobFromRow(r as unknown as Parameters<typeof jobFromRow>[0]));
}

/** The jobs of one article or subscription, of these kinds, oldest first: one statement, read by the store's mapper. */
async function jobsWhere(
  db: RawDatabase,
  column: 'article_id' | 'subscription_id',
  id: number,
  kinds: readonly JobKind[],
): Promise<JobRecord[]> {
  const rows = await db.sql(
    `SELECT * FROM jobs WHERE ${column} = ? AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY id`,
    id,
    ...kinds,
  );
  return rows.map((r) => jobFromRow(r as unknown as Parameters<typeof jobFromRow>[0]));
}

/**
 * One statement on another outlet's rows (README, Outlets): SQLite's file of the outlet beside this database's, or
 * the outlet's schema (`outlet_<slug>`) of the same PostgreSQL database; `main` is this database's own.
 */
export async function outletSql(db: RawDatabase, slug: string, text: string, ...values: unknown[]): Promise<RawRow[]> {
  if (slug === 'main') return db.sql(text, ...values);
  if (db.name === 'sqlite') {
    const file = new Database(outletFile(db.where, slug), { readonly: true });
    try {
      return file.prepare(text).all(...values) as RawRow[];
    } finally {
      file.close();
    }
  }
  const client = new pg.Client({ connectionString: db.where, types: numberTypes });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${outletSchema(slug)}`);
    let n = 0;
    return (
      await client.query(
        text.replace(/\?/g, () => `$${++n}`),
        values,
      )
    ).rows as RawRow[];
  } finally {
    await client.end();
  }
}

/** Jobs of these kinds (posts unless said) per state, every platform together, as the outbox counts them. */
export async function jobStates(
  ports: DataPorts,
  kinds: readonly JobKind[] = ['post'],
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of await ports.repos.outbox.countsByState(kinds)) out[c.state] = (out[c.state] ?? 0) + c.count;
  return out;
}

/** A subscription's jobs of these kinds (its digest messages by default), oldest first. */
export async function subscriptionJobsOf(
  db: RawDatabase,
  subscriptionId: number,
  kinds: readonly JobKind[] = ['digest'],
): Promise<JobRecord[]> {
  return jobsWhere(db, 'subscription_id', subscriptionId, kinds);
}

/** The digest periods closed for a subscription (also those that held nothing), oldest first. */
export async function digestPeriodsOf(
  db: RawDatabase,
  subscriptionId: number,
): Promise<Array<{ periodEnd: Date; items: number }>> {
  return (
    await db.sql('SELECT period_end, items FROM digests WHERE subscription_id = ? ORDER BY period_end', subscriptionId)
  ).map((r) => ({ periodEnd: new Date(r.period_end as number), items: r.items as number }));
}

/** Every revision applied to an article, oldest first (rows no port lists). */
export async function appliedRevisionsOf(db: RawDatabase, articleId: number): Promise<ArticleRevision[]> {
  return (
    await db.sql(
      `SELECT * FROM article_revisions WHERE article_id = ? AND state = 'applied' ORDER BY revision`,
      articleId,
    )
  ).map((r) => revisionFromRow(r as unknown as Parameters<typeof revisionFromRow>[0]));
}

/** The audit log, newest first (the desk's Audit page's read). */
export function auditLog(db: RawDatabase, limit = 50): Promise<AuditEntry[]> {
  return db.ports.repos.reads.audit({ limit });
}

/** A table's column names, sorted: SQLite's table_info, or PostgreSQL's information_schema in the current schema. */
export async function columnsOf(db: RawDatabase, table: string): Promise<string[]> {
  const rows =
    db.name === 'sqlite'
      ? await db.sql('SELECT name FROM pragma_table_info(?)', table)
      : await db.sql(
          'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?',
          table,
        );
  return rows.map((r) => String(r.name)).sort();
}

/**
 * Watches the database for writes by anyone from now on; `written()` says whether any was committed since. SQLite:
 * the file's data_version, read on a connection of its own (it moves at every other connection's commit).
 * PostgreSQL has no such counter per database (pg_stat_database's xact_commit counts reads too, and is reported up to
 * 10 s late; the WAL position is the whole cluster's, which the other test files write meanwhile): every row of every
 * table of the database's schemas with the transaction that wrote it (xmin), so an insert, a delete and an update,
 * even to the same values, all show.
 */
export async function writeWatch(db: RawDatabase): Promise<{ written(): Promise<boolean> }> {
  if (db.name === 'sqlite') {
    const watcher = new Database(db.where, { readonly: true });
    onTestFinished(() => {
      watcher.close();
    });
    const version = () => watcher.pragma('data_version', { simple: true });
    const before = version();
    return { written: async () => version() !== before };
  }
  const fingerprint = async () => {
    const tables = await db.sql(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    );
    const each = await Promise.all(
      tables.map(
        async ({ s, t }) =>
          (
            await db.sql(
              `SELECT coalesce(md5(string_agg(x, ',' ORDER BY x)), '') AS h FROM (SELECT r.xmin::text || r::text AS x FROM "${String(s)}"."${String(t)}" r) rows`,
            )
          )[0]!.h,
      ),
    );
    return tables.map((t, i) => `${String(t.s)}.${String(t.t)}:${String(each[i])}`).join('\n');
  };
  const before = await fingerprint();
  return { written: async () => (await fingerprint()) !== before };
}
