import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchOptions } from '../../src/ingest/http.js';
import { detectSource, NotASourceError, wordpressPostsUrl } from '../../src/ingest/detect.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';

const fetch: FetchOptions = { timeoutMs: 2000, maxBytes: 5 * 1024 * 1024, userAgent: 'NashraTest', allowPrivate: true };
let site: FeedServer;
let noApi: FeedServer;

beforeAll(async () => {
  site = await startFeedServer({
    '/': { file: 'pages/wp-site.html' },
    '/wp-json/wp/v2/posts': { file: 'feeds/wp-posts.json' },
    '/feed.json': { file: 'feeds/feed.json', contentType: 'application/feed+json' },
    '/content.rss': { file: 'feeds/content-encoded.rss' },
    '/wp/article-2/': { file: 'pages/wp-article-2.html' },
    '/image.png': { body: 'PNG', contentType: 'image/png' },
  });
  // A WordPress site whose REST API is switched off: its RSS feed is used instead.
  noApi = await startFeedServer({
    '/': { file: 'pages/wp-site.html' },
    '/wp-json/wp/v2/posts': { status: 401, body: '{"code":"rest_disabled"}' },
    '/feed/': { file: 'feeds/wp-excerpt.rss' },
  });
});
afterAll(async () => {
  await site.close();
  await noApi.close();
});

describe('detectSource', () => {
  it('prefers the WordPress REST API of a WordPress home page', async () => {
    const d = await detectSource(`${site.base}/`, fetch);
    expect(d).toMatchObject({
      kind: 'wordpress',
      feedUrl: `${site.base}/wp-json/wp/v2/posts?_embed=1`,
      name: 'مرصد التجربة',
    });
    expect(d.description).toBe(`WordPress site: polling ${site.base}/wp-json/wp/v2/posts?_embed=1`);
  });

  it('falls back to the site feed (not the comments feed) when the REST API does not answer', async () => {
    const d = await detectSource(`${noApi.base}/`, fetch);
    expect(d).toMatchObject({ kind: 'wordpress', feedUrl: `${noApi.base}/feed/` });
    expect(d.description).toContain('WordPress site (its feed');
  });

  it('recognises feeds and article pages', async () => {
    expect((await detectSource(`${site.base}/feed.json`, fetch)).kind).toBe('json');
    expect((await detectSource(`${site.base}/content.rss`, fetch)).description).toBe(
      `RSS feed: polling ${site.base}/content.rss`,
    );
    // An article page of a WordPress site is still the site (it links to the REST API).
    expect((await detectSource(`${site.base}/wp/article-2/`, fetch)).kind).toBe('wordpress');
  });

  it('refuses what is none of these', async () => {
    await expect(detectSource(`${site.base}/image.png`, fetch)).rejects.toBeInstanceOf(NotASourceError);
  });

  it('builds the posts endpoint from both REST root forms', () => {
    expect(wordpressPostsUrl('https://sy-24.com/wp-json/', 'https://sy-24.com/')).toBe(
      'https://sy-24.com/wp-json/wp/v2/posts?_embed=1',
    );
    expect(wordpressPostsUrl('https://x.org/?rest_route=/', 'https://x.org/')).toBe(
      'https://x.org/?rest_route=%2Fwp%2Fv2%2Fposts&_embed=1',
    );
  });
});
