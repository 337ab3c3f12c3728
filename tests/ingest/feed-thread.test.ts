/**
 * A large feed is parsed, drafted and summarised on the feed thread (src/ingest/feed-thread.ts) when the poller runs
 * as JavaScript, and in place when it runs from the TypeScript sources (as in every other test here). These tests
 * poll the same feeds both ways and compare what the database holds (either adapter): the built poller (dist/, `npm run
 * build` first) uses the thread, the sources do not.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newsArticles } from '../../bench/common.js';
import { loadAppConfig } from '../../src/app/platforms.js';
import { OFF_THREAD_ARTICLES, OFF_THREAD_BYTES } from '../../src/ingest/feed-thread.js';
import * as sourcePoller from '../../src/ingest/poller.js';
import { createLogger } from '../../src/logger.js';
import { projectRoot } from '../../src/paths.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { pollDeps } from '../../src/newsroom/intake.js';
import { freshDatabase, type RawDatabase } from '../helpers/raw-db.js';

type Poller = typeof sourcePoller;

const DIST = join(projectRoot(), 'dist/src');
let built: { poller: Poller };
let server: FeedServer;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
/** The 200 news articles as one RSS feed (about 1 MB), with two items the poller skips. */
function newsFeed(base: string): string {
  const items = newsArticles().map(
    (a, i) =>
      `<item><title>${escapeXml(a.title)}</title><link>${base}/news/${a.id}</link>` +
      `<pubDate>${new Date(Date.UTC(2025, 0, 1) - i * 60_000).toUTCString()}</pubDate><category>أخبار</category>` +
      `<description><![CDATA[${a.content
        .split('\n')
        .filter(Boolean)
        .map((p) => `<p>${p}</p>`)
        .join('')}]]></description></item>`,
  );
  items.splice(3, 0, `<item><title>بلا رابط</title><description>نص الخبر</description></item>`);
  items.splice(
    7,
    0,
    `<item><title>\u0000\u0001\u0002\u0003\u0004\u0005</title><link>${base}/junk</link><description>x</description></item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>news</title>${items.join('\n')}</channel></rss>`;
}

beforeAll(async () => {
  if (!existsSync(join(DIST, 'ingest/poller.js')))
    throw new Error('dist/ is missing: run `npm run build` before this test');
  built = { poller: (await import(join(DIST, 'ingest/poller.js'))) as Poller };
  server = await startFeedServer({});
  const feed = newsFeed(server.base);
  expect(Buffer.byteLength(feed)).toBeGreaterThanOrEqual(OFF_THREAD_BYTES);
  server.route('/news.rss', { body: feed, contentType: 'application/rss+xml; charset=utf-8' });
  // Malformed, and large enough to be parsed on the thread.
  server.route('/broken.rss', {
    body: feed.replace('</channel></rss>', '<item><title>مكسور</channel>'),
    contentType: 'application/rss+xml; charset=utf-8',
  });
});
afterAll(async () => {
  await server?.close();
});

/** One poll of `path` by a new source (backfill 20) into a new database, by the given poller; the database. */
async function pollInto(poller: Poller, path: string) {
  const db = await freshDatabase();
  const source = await db.ports.repos.sources.add(
    { url: server.base + path, kind: 'rss', name: 'الأخبار', backfill: 20, category: 'محلي' },
    Date.now(),
  );
  const config = loadAppConfig({ NASHRA_ALLOW_PRIVATE_FETCH: '1' });
  const result = await poller.pollSource(
    pollDeps({ config, data: db.ports, logger: createLogger({ level: 'silent' }) }),
    source,
  );
  const row = (await db.ports.repos.sources.get(source.id))!;
  return { db, result, status: row.lastStatus, error: row.lastError };
}

/** Everything the poll stored about the articles, read back (ids and times aside), and the search index. */
async function articleRows(db: RawDatabase): Promise<{ articles: unknown[]; terms: unknown[] }> {
  const articles =
    await db.sql(`SELECT url, guid, title, source_name, author, published_at, paragraphs, categories, image_url, language, summary,
    hashtags, content_hash, story_key, search_text, seen_only, feed_hash FROM articles ORDER BY id`);
  if (db.name === 'postgres') {
    // A tsvector per article: its lexemes with their positions.
    const terms =
      await db.sql(`SELECT a.url, u.lexeme, u.positions::text AS positions FROM article_terms t JOIN articles a ON a.id = t.rowid,
      unnest(t.terms) u ORDER BY a.id, u.lexeme COLLATE "C"`);
    return { articles, terms };
  }
  // SQLite's index is contentless: its terms are read through fts5vocab, by article (in insertion order) and position.
  await db.sql(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms_vocab USING fts5vocab(main, article_terms, 'instance')`);
  const terms = await db.sql(
    `SELECT a.url, v.term, v.offset FROM temp.terms_vocab v JOIN articles a ON a.id = v.doc ORDER BY a.id, v.offset`,
  );
  return { articles, terms };
}

describe('a large feed read on the feed thread', () => {
  it('stores the same rows (summaries, hashtags, keys, search terms) as reading it in place', async () => {
    const inPlace = await pollInto(sourcePoller, '/news.rss');
    const threaded = await pollInto(built.poller, '/news.rss');
    // The newest 200 of the 202 items are read: two of them skipped.
    expect(inPlace.result).toMatchObject({ outcome: 'new', newArticles: 198, seen: 180, skipped: 2, known: 0 });
    expect(inPlace.result.newArticles).toBeGreaterThanOrEqual(OFF_THREAD_ARTICLES);
    expect(threaded.result).toEqual(inPlace.result);
    const rows = await articleRows(inPlace.db);
    expect(rows.articles).toHaveLength(198);
    expect(rows.terms.length).toBeGreaterThan(200 * 20);
    expect(await articleRows(threaded.db)).toEqual(rows);
    // Two polls of 198 articles each: 60 s was past on a 2-core machine running several suites (and on PostgreSQL a
    // round trip per statement).
  }, 180_000);

  it('reports a malformed feed with the same error as in place', async () => {
    const inPlace = await pollInto(sourcePoller, '/broken.rss');
    const threaded = await pollInto(built.poller, '/broken.rss');
    expect(inPlace).toMatchObject({
      result: { outcome: 'error' },
      status: 'not a feed',
      error: expect.stringMatching(/malformed feed/),
    });
    expect({ ...threaded, db: undefined }).toEqual({ ...inPlace, db: undefined });
  }, 60_000);
});
