/**
 * Both adapters with a way to write rows as rows (SQL), for tests of ports whose setup needs tables another port
 * writes (chats, articles, sent posts): the setup then needs no other port on PostgreSQL.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { onTestFinished } from 'vitest';
import type { DataPorts } from '../../src/ports/index.js';
import { openPostgres } from '../../src/store/postgres/database.js';
import { freshPostgresDatabase, postgresUrl } from './postgres.js';
import { freshStore } from './store.js';

type Row = Record<string, unknown>;
export interface Seeded { data: DataPorts; insert(table: string, row: Row): Promise<number> }

async function postgresWithRows(): Promise<Seeded> {
  const url = await freshPostgresDatabase();
  const data = await openPostgres(url);
  const client = new pg.Client(url);
  await client.connect();
  onTestFinished(async () => {
    await client.end();
    await data.close();
  });
  return {
    data,
    insert: async (table, row) => {
      const columns = Object.keys(row);
      const { rows } = await client.query<{ id: string }>(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
        columns.map((c) => row[c]));
      return Number(rows[0]!.id);
    },
  };
}

async function sqliteWithRows(): Promise<Seeded> {
  const store = freshStore();
  const db = new Database(store.path);
  onTestFinished(() => { db.close(); });
  return {
    data: store.ports(),
    insert: async (table, row) => {
      const columns = Object.keys(row);
      return Number(db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run(row).lastInsertRowid);
    },
  };
}

/** SQLite and (when its server is installed) PostgreSQL, for `describe.each`. */
export const adaptersWithRows = (): Array<{ name: string; open: () => Promise<Seeded> }> =>
  [{ name: 'sqlite', open: sqliteWithRows }, ...(postgresUrl() === '' ? [] : [{ name: 'postgres', open: postgresWithRows }])];

/** Chats, articles and sent posts, as rows. */
export function rows(s: Seeded) {
  let n = 0;
  return {
    chat: (platform: string, chatId: string, title: string | null = null) =>
      s.insert('subscriptions', { platform, chat_id: chatId, kind: 'channel', title, active_since: 0, created_at: 0 }),
    article: (over: Row = {}) => {
      n++;
      return s.insert('articles', {
        url: `https://news.example/${n}`, title: `خبر رقم ${n}`, source_name: 'مثال', paragraphs: '[]', content_hash: `h${n}`, story_key: `k${n}`,
        search_text: '', created_at: 0, ...over,
      });
    },
    post: (articleId: number, subscriptionId: number, platform: string, over: Row = {}) =>
      s.insert('jobs', { kind: 'post', platform, subscription_id: subscriptionId, article_id: articleId, state: 'sent', queued_at: 0, ...over }),
  };
}

