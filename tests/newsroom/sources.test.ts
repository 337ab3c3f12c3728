/**
 * Issue 21, items 9, 12 and 13: what a feed is and whether it is followed already, through the newsroom action every
 * front door calls (`addSource`, `importOpml`, `exportOpml`), against feeds served on 127.0.0.1 and a real store.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOpml } from 'feedsmith';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../src/app/platforms.js';
import { pollSource } from '../../src/ingest/poller.js';
import { createLogger } from '../../src/logger.js';
import { addSource, AlreadyFollowedError, CLI_OPERATOR, type NewsroomDeps } from '../../src/newsroom/index.js';
import { exportOpml, importOpml } from '../../src/newsroom/opml.js';
import { FIXTURES, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { createDatabase, type OwnedDatabase } from '../helpers/raw-db.js';
import { pollDeps } from '../../src/newsroom/intake.js';

let server: FeedServer;
let db: OwnedDatabase;
let deps: NewsroomDeps;
let logged: string[];

const rss = (title: string, items: string[], extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>${title}</title><link>{{BASE}}/</link>${extra}
${items
  .map(
    (t, i) => `<item><title>${t}</title><link>{{BASE}}/news/${encodeURIComponent(title)}/${i + 1}</link>
<pubDate>Fri, 10 Jan 2025 1${i}:00:00 GMT</pubDate><description>تفاصيل ${t} في فقرة تصف ما جرى اليوم في المدينة وما قاله السكان عنه.</description></item>`,
  )
  .join('\n')}
</channel></rss>`;

const wpFeed = readFileSync(join(FIXTURES, 'feeds/wp-excerpt.rss'), 'utf8')
  .replace('xmlns:dc=', 'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc=')
  .replace(
    '<language>ar</language>',
    '<language>ar</language><atom:link href="{{BASE}}/feed/" rel="self" type="application/rss+xml"/><generator>https://wordpress.org/?v=6.7</generator>',
  );

const already = async (url: string): Promise<AlreadyFollowedError> => {
  const err = await addSource(deps, CLI_OPERATOR, { url }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, url).toBeInstanceOf(AlreadyFollowedError);
  return err as AlreadyFollowedError;
};
const opmlOf = (urls: string[]) =>
  `<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>${urls.map((u) => `<outline type="rss" text="x" xmlUrl="${u}"/>`).join('')}</body></opml>`;

beforeAll(async () => {
  // UTF-8 declared twice (Content-Type and XML declaration), with one byte that is not UTF-8 in an item's text.
  const feed = rss('نشرة الرقة', ['خبر 1 عن الرقة', 'خبر 2 عن الرقة', 'خبر 3 عن الرقة']);
  const at = feed.indexOf('في المدينة');
  const withBadByte = (text: string) =>
    Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xa0]), Buffer.from(text.slice(at))]);
  server = await startFeedServer({
    '/one-bad-byte.rss': { body: withBadByte(feed), contentType: 'application/rss+xml; charset=UTF-8' },
    // Over 256 KB: decoded on the feed thread (OFF_THREAD_BYTES) rather than in fetchText.
    // A WordPress site: its page names the REST API and the RSS feed, which names itself as WordPress feeds do.
    '/': { file: 'pages/wp-site.html' },
    '/wp-json/wp/v2/posts': { file: 'feeds/wp-posts.json' },
    '/feed/': { body: wpFeed, contentType: 'application/rss+xml; charset=UTF-8' },
    '/category/art/feed/': {
      body: rss(
        'مرصد التجربة » فن',
        ['لوحة', 'معرض'],
        '<atom:link href="{{BASE}}/category/art/feed/" rel="self" type="application/rss+xml"/>',
      ),
    },
    '/old-feed': { status: 301, headers: { location: '/feed/' } },
    '/one-bad-byte-large.rss': {
      body: withBadByte(`${feed}<!-- ${'x'.repeat(300 * 1024)} -->`),
      contentType: 'application/rss+xml; charset=UTF-8',
    },
  });
});
afterAll(() => server.close());

beforeEach(async () => {
  db = await createDatabase();
  logged = [];
  const config = loadAppConfig({ NASHRA_ALLOW_PRIVATE_FETCH: '1', NASHRA_FETCH_TIMEOUT_MS: '3000' });
  deps = newsroomDeps(
    BUILT_IN_PLATFORMS,
    config,
    db.ports,
    createLogger({ level: 'warn', write: (l) => logged.push(l) }),
  );
});
afterEach(() => db.close());

describe('a declared charset wins (item 9)', () => {
  it('reads a UTF-8 feed with one invalid byte as UTF-8: the source name and the titles stay Arabic', async () => {
    // Before: the whole body was read as windows-1256: the source was stored as «ظ†ط´ط±ط© ط§ظ„ط±ظ‚ط©».
    const { source } = await addSource(deps, CLI_OPERATOR, { url: `${server.base}/one-bad-byte.rss`, backfill: 3 });
    expect((await db.ports.repos.sources.get(source.id))!.name).toBe('نشرة الرقة');
    const titles = await Promise.all(
      [1, 2, 3].map(
        async (n) =>
          (await db.ports.repos.articles.getByUrl(`${server.base}/news/${encodeURIComponent('نشرة الرقة')}/${n}`))
            ?.title,
      ),
    );
    expect(titles).toEqual(['خبر 1 عن الرقة', 'خبر 2 عن الرقة', 'خبر 3 عن الرقة']);
    expect(logged.filter((l) => l.includes('bytes invalid in the declared charset dropped'))).toEqual([
      expect.stringMatching(/charset="utf-8" sequences=1$/),
    ]);
  });

  it('does the same for a large feed decoded on the feed thread', async () => {
    const { source } = await addSource(deps, CLI_OPERATOR, { url: `${server.base}/one-bad-byte-large.rss` });
    // The detection reads the whole body; the polls after it read it on the thread.
    expect((await db.ports.repos.sources.get(source.id))!.name).toBe('نشرة الرقة');
    await pollSource(pollDeps(deps), (await db.ports.repos.sources.get(source.id))!);
    expect(logged.filter((l) => l.includes('bytes invalid in the declared charset dropped'))).toHaveLength(2);
    expect(
      (await db.ports.repos.articles.getByUrl(`${server.base}/news/${encodeURIComponent('نشرة الرقة')}/2`))?.title,
    ).toBe('خبر 2 عن الرقة');
  });
});

describe('one feed is followed once, whatever address names it (item 12)', () => {
  it('a WordPress site followed through its REST API is its RSS feed too: an OPML line and sources add say so', async () => {
    // Before: the OPML import added the feed as a second source of the same site.
    const site = await addSource(deps, CLI_OPERATOR, { url: `${server.base}/` });
    const report = await importOpml(
      deps,
      CLI_OPERATOR,
      opmlOf([`${server.base}/feed/`, `${server.base}/old-feed`, `${server.base}/category/art/feed/`]),
    );
    expect(report.outcomes.map((o) => [o.kind, o.kind === 'refused' ? o.reason : o.source.id])).toEqual([
      ['already', site.source.id],
      ['already', site.source.id],
      ['added', site.source.id + 1], // a category feed is another feed
    ]);
    const err = await already(`${server.base}/feed/`);
    expect(err.message).toBe(
      `${server.base}/feed/ is already followed as #${site.source.id} (مرصد التجربة, polling ${server.base}/wp-json/wp/v2/posts?_embed=1)`,
    );
    expect(await db.ports.repos.sources.list()).toHaveLength(2);
    expect(site.source).toMatchObject({
      kind: 'wordpress',
      feedUrl: `${server.base}/wp-json/wp/v2/posts?_embed=1`,
      altFeedUrl: `${server.base}/feed/`,
    });
  });

  it('and the other way round: a site whose RSS feed is followed is followed', async () => {
    const feed = await addSource(deps, CLI_OPERATOR, { url: `${server.base}/feed/` });
    expect((await already(`${server.base}/`)).source.id).toBe(feed.source.id);
    expect((await already(`${server.base}/old-feed`)).source.id).toBe(feed.source.id); // the final URL after a redirect
    expect(await db.ports.repos.sources.list()).toHaveLength(1);
  });

  it('localhost and 127.0.0.1 are one feed when the feed names itself, in either order', async () => {
    // Before: http://localhost:<port>/feed/ was accepted beside http://127.0.0.1:<port>/feed/.
    const local = `http://localhost:${new URL(server.base).port}/feed/`;
    const first = await addSource(deps, CLI_OPERATOR, { url: `${server.base}/feed/` });
    expect((await already(local)).message).toMatch(
      new RegExp(`^${local} is already followed as #${first.source.id} \\(`),
    );
    await db.ports.repos.sources.remove(first.source.id);
    const second = await addSource(deps, CLI_OPERATOR, { url: local });
    expect(second.source.altFeedUrl).toBe(`${server.base}/feed/`);
    expect((await already(`${server.base}/feed`)).source.id).toBe(second.source.id);
  });

  it('an OPML file naming one feed twice under two names adds it once, its lines fetched at the same time', async () => {
    const local = `http://localhost:${new URL(server.base).port}/feed/`;
    const report = await importOpml(
      deps,
      CLI_OPERATOR,
      opmlOf([`${server.base}/feed/`, local, `${server.base}/old-feed`, `${server.base}/`]),
    );
    expect(report.outcomes.map((o) => o.kind).sort()).toEqual(['added', 'already', 'already', 'already']);
    expect(await db.ports.repos.sources.list()).toHaveLength(1);
  });
});

describe('OPML export a reader can use (item 13)', () => {
  it('gives each source the feed a reader follows as xmlUrl and the site as htmlUrl, and imports back as already followed', async () => {
    // Before: the WordPress source was exported with xmlUrl = its page, and every htmlUrl was the feed URL again.
    const wp = await addSource(deps, CLI_OPERATOR, { url: `${server.base}/`, category: 'فن' });
    const art = await addSource(deps, CLI_OPERATOR, { url: `${server.base}/category/art/feed/` });
    const doc = parseOpml(await exportOpml(deps, CLI_OPERATOR));
    const outlines = (doc.body?.outlines ?? []).flatMap((o) => [o, ...(o.outlines ?? [])]).filter((o) => o.xmlUrl);
    expect(outlines.map((o) => ({ title: o.title, type: o.type, xmlUrl: o.xmlUrl, htmlUrl: o.htmlUrl }))).toEqual([
      { title: wp.source.name, type: 'rss', xmlUrl: `${server.base}/feed/`, htmlUrl: `${server.base}/` },
      { title: art.source.name, type: 'rss', xmlUrl: `${server.base}/category/art/feed/`, htmlUrl: `${server.base}/` },
    ]);
    // What a reader follows is a feed: the exported xmlUrl serves RSS.
    const res = await fetch(outlines[0]!.xmlUrl!);
    expect(await res.text()).toContain('<rss');
    const back = await importOpml(deps, CLI_OPERATOR, await exportOpml(deps, CLI_OPERATOR));
    expect(back).toMatchObject({ added: 0, already: 2, refused: 0 });
  });
});
