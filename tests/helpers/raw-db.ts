/**
 * Both adapters with a way to write and read their rows directly: the outbox's tests need subscriptions, articles
 * and broadcasts before there are jobs, and read rows back where a port says nothing (the SQL is in the words both
 * databases share: `?` placeholders, RETURNING). A database can be closed and opened again (a crash and a restart).
 */
import { join } from 'node:path';
import pg from 'pg';
import { onTestFinished } from 'vitest';
import type { DataPorts } from '../../src/ports/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { numberTypes, openPostgres } from '../../src/store/postgres/database.js';
import { freshPostgresDatabase, postgresUrl } from './postgres.js';
import { tempDir } from './tmp.js';

export type RawRow = Record<string, unknown>;

export interface RawDatabase {
  /** The ports over the database as it is open now. */
  ports: DataPorts;
  /** One statement: its rows (a write's RETURNING rows, else []). */
  exec(sql: string, values?: unknown[]): Promise<RawRow[]>;
  /** Closes the ports as a stopping process would (what was not written stays unwritten) and opens new ones. */
  reopen(): Promise<DataPorts>;
  /** Ports of their own over the same database, as another process would have (closed when the test ends). */
  another(): Promise<DataPorts>;
}

export interface RawAdapter {
  name: 'sqlite' | 'postgres';
  open(): Promise<RawDatabase>;
}


function sqlite(): RawAdapter {
  return {
    name: 'sqlite',
    open: async () => {
      const { dir, cleanup } = tempDir('nashra-raw-');
      const path = join(dir, 'n.db');
      let store: Store = openStore(path);
      onTestFinished(() => { store.close(); cleanup(); });
      const db: RawDatabase = {
        ports: store.ports(),
        exec: async (text, values = []) => {
          const st = (store as unknown as { db: import('better-sqlite3').Database }).db.prepare(text);
          if (st.reader) return st.all(...values) as RawRow[];
          st.run(...values);
          return [];
        },
        reopen: async () => {
          store.close();
          store = openStore(path);
          return db.ports = store.ports();
        },
        another: async () => {
          const other = openStore(path);
          onTestFinished(() => other.close());
          return other.ports();
        },
      };
      return db;
    },
  };
}

function postgres(): RawAdapter {
  return {
    name: 'postgres',
    open: async () => {
      const url = await freshPostgresDatabase();
      let ports = await openPostgres(url);
      const pool = new pg.Pool({
        connectionString: url, max: 2,
        types: numberTypes,
      });
      // The database is dropped (WITH FORCE) when the test ends, maybe before this pool is: its idle clients' end is no error.
      pool.on('error', () => undefined);
      onTestFinished(async () => { await ports.close(); await pool.end(); });
      const db: RawDatabase = {
        ports,
        exec: async (text, values = []) => {
          let n = 0;
          return (await pool.query(text.replace(/\?/g, () => `$${++n}`), values as unknown[])).rows as RawRow[];
        },
        reopen: async () => {
          await ports.close();
          ports = await openPostgres(url);
          return db.ports = ports;
        },
        another: async () => {
          const other = await openPostgres(url);
          onTestFinished(() => other.close());
          return other;
        },
      };
      return db;
    },
  };
}

/** SQLite, and PostgreSQL where its server is installed (tests/helpers/postgres.ts adapters()). */
export function rawAdapters(): RawAdapter[] {
  return postgresUrl() === '' ? [sqlite()] : [sqlite(), postgres()];
}

/** A subscription row; its id. */
export async function addChat(db: RawDatabase, chatId: string, o: { platform?: string; topics?: string[]; active?: boolean; activeSince?: number; title?: string } = {}): Promise<number> {
  const [row] = await db.exec(`INSERT INTO subscriptions (platform, chat_id, kind, title, topics, active, active_since, created_at)
    VALUES (?, ?, 'group', ?, ?, ?, ?, 0) RETURNING id`, [o.platform ?? 'telegram', chatId, o.title ?? null, JSON.stringify(o.topics ?? []), o.active === false ? 0 : 1, o.activeSince ?? 0]);
  return row!.id as number;
}

/** A stored article row (with its search terms left out: these tests do not search); its id. */
export async function addArticle(db: RawDatabase, n: number, o: { title?: string; sourceId?: number; createdAt?: number } = {}): Promise<number> {
  const [row] = await db.exec(`INSERT INTO articles (source_id, url, title, source_name, paragraphs, summary, hashtags, content_hash, story_key, search_text, created_at)
    VALUES (?, ?, ?, 'مصدر', '["فقرة"]', '["جملة"]', '[]', ?, ?, 'نص', ?) RETURNING id`,
  [o.sourceId ?? null, `https://example.org/${n}`, o.title ?? `خبر ${n}`, `h${n}`, `k${n}`, o.createdAt ?? n]);
  return row!.id as number;
}

/** A digest chat's delivery settings (hourly, or daily at 20:00), quiet hours optional. */
export async function setMode(db: RawDatabase, subscriptionId: number, mode: 'immediate' | 'hourly' | 'daily', o: { urgentNow?: boolean; quiet?: [string, string]; quietMode?: 'silent' | 'wait' } = {}): Promise<void> {
  await db.exec(`INSERT INTO delivery_settings (subscription_id, mode, digest_at, urgent_now, quiet_start, quiet_end, quiet_mode, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 0)`, [subscriptionId, mode, mode === 'daily' ? '20:00' : null, o.urgentNow ? 1 : 0, o.quiet?.[0] ?? null, o.quiet?.[1] ?? null, o.quietMode ?? 'silent']);
}
