/**
 * Issue 21, items 9, 12 and 13: what a feed is and whether it is followed already, through the newsroom action every
 * front door calls (`addSource`, `importOpml`, `exportOpml`), against feeds served on 127.0.0.1 and a real store.
 */
import { join } from 'node:path';
import { parseOpml } from 'feedsmith';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../src/app/platforms.js';
import { pollSource } from '../src/ingest/poller.js';
import { createLogger } from '../src/logger.js';
import { addSource, CLI_OPERATOR, type NewsroomDeps } from '../src/newsroom/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { startFeedServer, type FeedServer } from './helpers/feed-server.js';
import { tempDir } from './helpers/tmp.js';

let server: FeedServer;
let store: Store;
let deps: NewsroomDeps;
let logged: string[];
let cleanup: () => void;

const rss = (title: string, items: string[], extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>${title}</title><link>{{BASE}}/</link>${extra}
${items.map((t, i) => `<item><title>${t}</title><link>{{BASE}}/news/${encodeURIComponent(title)}/${i + 1}</link>
<pubDate>Fri, 10 Jan 2025 1${i}:00:00 GMT</pubDate><description>تفاصيل ${t} في فقرة تصف ما جرى اليوم في المدينة وما قاله السكان عنه.</description></item>`).join('\n')}
</channel></rss>`;

beforeAll(async () => {
  // UTF-8 declared twice (Content-Type and XML declaration), with one byte that is not UTF-8 in an item's text.
  const feed = rss('نشرة الرقة', ['خبر 1 عن الرقة', 'خبر 2 عن الرقة', 'خبر 3 عن الرقة']);
  const at = feed.indexOf('في المدينة');
  const withBadByte = (text: string) => Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xa0]), Buffer.from(text.slice(at))]);
  server = await startFeedServer({
    '/one-bad-byte.rss': { body: withBadByte(feed), contentType: 'application/rss+xml; charset=UTF-8' },
    // Over 256 KB: decoded on the feed thread (OFF_THREAD_BYTES) rather than in fetchText.
    '/one-bad-byte-large.rss': { body: withBadByte(`${feed}<!-- ${'x'.repeat(300 * 1024)} -->`), contentType: 'application/rss+xml; charset=UTF-8' },
  });
});
afterAll(() => server.close());

beforeEach(() => {
  const t = tempDir('nashra-sources-identity-');
  cleanup = t.cleanup;
  store = openStore(join(t.dir, 'n.db'));
  logged = [];
  const config = loadAppConfig({ NASHRA_ALLOW_PRIVATE_FETCH: '1', NASHRA_FETCH_TIMEOUT_MS: '3000' });
  deps = newsroomDeps(BUILT_IN_PLATFORMS, config, store, createLogger({ level: 'warn', write: (l) => logged.push(l) }));
});
afterEach(() => { store.close(); cleanup(); });

describe('a declared charset wins (item 9)', () => {
  it('reads a UTF-8 feed with one invalid byte as UTF-8: the source name and the titles stay Arabic', async () => {
    // Before: the whole body was read as windows-1256: the source was stored as «ظ†ط´ط±ط© ط§ظ„ط±ظ‚ط©».
    const { source } = await addSource(deps, CLI_OPERATOR, { url: `${server.base}/one-bad-byte.rss`, backfill: 3 });
    expect(store.sources.get(source.id)!.name).toBe('نشرة الرقة');
    const titles = [1, 2, 3].map((n) => store.articles.getByUrl(`${server.base}/news/${encodeURIComponent('نشرة الرقة')}/${n}`)?.title);
    expect(titles).toEqual(['خبر 1 عن الرقة', 'خبر 2 عن الرقة', 'خبر 3 عن الرقة']);
    expect(logged.filter((l) => l.includes('bytes invalid in the declared charset dropped'))).toEqual([
      expect.stringMatching(/charset="utf-8" sequences=1$/),
    ]);
  });

  it('does the same for a large feed decoded on the feed thread', async () => {
    const { source } = await addSource(deps, CLI_OPERATOR, { url: `${server.base}/one-bad-byte-large.rss` });
    // The detection reads the whole body; the polls after it read it on the thread.
    expect(store.sources.get(source.id)!.name).toBe('نشرة الرقة');
    await pollSource(deps, store.sources.get(source.id)!);
    expect(logged.filter((l) => l.includes('bytes invalid in the declared charset dropped'))).toHaveLength(2);
    expect(store.articles.getByUrl(`${server.base}/news/${encodeURIComponent('نشرة الرقة')}/2`)?.title).toBe('خبر 2 عن الرقة');
  });
});
