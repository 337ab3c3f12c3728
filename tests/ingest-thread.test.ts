/**
 * A large feed is parsed, drafted and summarised on the feed thread (src/ingest/feed-thread.ts) when the poller runs
 * as JavaScript, and in place when it runs from the TypeScript sources (as in every other test here). These tests
 * poll the same feeds both ways and compare what SQLite holds: the built poller (dist/, `npm run build` first) uses
 * the thread, the sources do not.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newsArticles } from '../bench/common.js';
import { loadAppConfig } from '../src/app/platforms.js';
import { OFF_THREAD_ARTICLES, OFF_THREAD_BYTES } from '../src/ingest/feed-thread.js';
import * as sourcePoller from '../src/ingest/poller.js';
import { createLogger } from '../src/logger.js';
import * as sourceStore from '../src/store/index.js';
import { projectRoot } from '../src/paths.js';
import { startFeedServer, type FeedServer } from './helpers/feed-server.js';
import { pollDeps } from '../src/newsroom/intake.js';

type Poller = typeof sourcePoller;
type Stores = typeof sourceStore;

const DIST = join(projectRoot(), 'dist/src');
let built: { poller: Poller; store: Stores };
let server: FeedServer;
let dir: string;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
/** The 200 news articles as one RSS feed (about 1 MB), with two items the poller skips. */
function newsFeed(base: string): string {
  const items = newsArticles().map((a, i) => `<item><title>${escapeXml(a.title)}</title><link>${base}/news/${a.id}</link>` +
    `<pubDate>${new Date(Date.UTC(2025, 0, 1) - i * 60_000).toUTCString()}</pubDate><category>أخبار</category>` +
    `<description><![CDATA[${a.content.split('\n').filter(Boolean).map((p) => `<p>${p}</p>`).join('')}]]></description></item>`);
  items.splice(3, 0, `<item><title>بلا رابط</title><description>نص الخبر</description></item>`);
  items.splice(7, 0, `<item><title>\u0000\u0001\u0002\u0003\u0004\u0005</title><link>${base}/junk</link><description>x</description></item>`);
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>news</title>${items.join('\n')}</channel></rss>`;
}

beforeAll(async () => {
  if (!existsSync(join(DIST, 'ingest/poller.js'))) throw new Error('dist/ is missing: run `npm run build` before this test');
  built = { poller: await import(join(DIST, 'ingest/poller.js')) as Poller, store: await import(join(DIST, 'store/index.js')) as Stores };
  server = await startFeedServer({});
  const feed = newsFeed(server.base);
  expect(Buffer.byteLength(feed)).toBeGreaterThanOrEqual(OFF_THREAD_BYTES);
  server.route('/news.rss', { body: feed, contentType: 'application/rss+xml; charset=utf-8' });
  // Malformed, and large enough to be parsed on the thread.
  server.route('/broken.rss', { body: feed.replace('</channel></rss>', '<item><title>مكسور</channel>'), contentType: 'application/rss+xml; charset=utf-8' });
  dir = mkdtempSync(join(tmpdir(), 'nashra-ingest-thread-'));
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One poll of `path` by a new source (backfill 20) into a new database, by the given poller; the database's path. */
async function pollInto(name: string, poller: Poller, stores: Stores, path: string) {
  const file = join(dir, `${name}.db`);
  const store = stores.openStore(file);
  try {
    const source = store.sources.add({ url: server.base + path, kind: 'rss', name: 'الأخبار', backfill: 20, category: 'محلي' });
    const config = loadAppConfig({ NASHRA_ALLOW_PRIVATE_FETCH: '1' });
    const result = await poller.pollSource(pollDeps({ config, store, data: store.ports(), logger: createLogger({ level: 'silent' }) }), source);
    const row = store.sources.get(source.id)!;
    return { file, result, status: row.lastStatus, error: row.lastError };
  } finally {
    store.close();
  }
}

/** Everything the poll stored about the articles, read back from SQLite (ids and times aside), and the search index. */
function articleRows(file: string): { articles: unknown[]; terms: unknown[] } {
  const db = new Database(file);
  try {
    const articles = db.prepare(`SELECT url, guid, title, source_name, author, published_at, paragraphs, categories, image_url, language, summary,
      hashtags, content_hash, story_key, search_text, seen_only, feed_hash FROM articles ORDER BY id`).all();
    // The index is contentless: its terms are read through fts5vocab, by article (in insertion order) and position.
    db.exec(`CREATE VIRTUAL TABLE temp.terms_vocab USING fts5vocab(main, article_terms, 'instance')`);
    const terms = db.prepare(`SELECT a.url, v.term, v.offset FROM temp.terms_vocab v JOIN articles a ON a.id = v.doc ORDER BY a.id, v.offset`).all();
    return { articles, terms };
  } finally {
    db.close();
  }
}

describe('a large feed read on the feed thread', () => {
  it('stores the same rows (summaries, hashtags, keys, search terms) as reading it in place', async () => {
    const inPlace = await pollInto('in-place', sourcePoller, sourceStore, '/news.rss');
    const threaded = await pollInto('thread', built.poller, built.store, '/news.rss');
    // The newest 200 of the 202 items are read: two of them skipped.
    expect(inPlace.result).toMatchObject({ outcome: 'new', newArticles: 198, seen: 180, skipped: 2, known: 0 });
    expect(inPlace.result.newArticles).toBeGreaterThanOrEqual(OFF_THREAD_ARTICLES);
    expect(threaded.result).toEqual(inPlace.result);
    const rows = articleRows(inPlace.file);
    expect(rows.articles).toHaveLength(198);
    expect(rows.terms.length).toBeGreaterThan(200 * 20);
    expect(articleRows(threaded.file)).toEqual(rows);
  }, 60_000);

  it('reports a malformed feed with the same error as in place', async () => {
    const inPlace = await pollInto('broken-in-place', sourcePoller, sourceStore, '/broken.rss');
    const threaded = await pollInto('broken-thread', built.poller, built.store, '/broken.rss');
    expect(inPlace).toMatchObject({ result: { outcome: 'error' }, status: 'not a feed', error: expect.stringMatching(/malformed feed/) });
    expect({ ...threaded, file: '' }).toEqual({ ...inPlace, file: '' });
  }, 60_000);
});
