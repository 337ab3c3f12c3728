import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { createDatabase, type OwnedDatabase } from '../helpers/raw-db.js';

let server: FeedServer;
/** One database for the file: its tests follow one another (source #2 is the second test's). */
let db: OwnedDatabase;

/** The built CLI, asynchronously so this process's feed server keeps answering. */
const nashra = (args: string[], env: Record<string, string> = { NASHRA_ALLOW_PRIVATE_FETCH: '1' }) =>
  runCliInProcess(args, { env: { ...db.env, NASHRA_FETCH_TIMEOUT_MS: '3000', ...env } });

beforeAll(async () => {
  db = await createDatabase();
  server = await startFeedServer({
    '/': { file: 'pages/wp-site.html' },
    '/wp-json/wp/v2/posts': { file: 'feeds/wp-posts.json' },
    '/feed/': { file: 'feeds/wp-excerpt.rss' },
    '/atom.xml': { file: 'feeds/atom.xml' },
    '/wp/article-1/': { file: 'pages/wp-article-1.html' },
    '/nothing.html': {
      body: '<!DOCTYPE html><html><head><title>x</title></head><body><p>قريباً</p></body></html>',
      contentType: 'text/html',
    },
    '/broken.rss': { body: 'down', status: 503 },
    '/declared-5gib.rss': {
      handler: (_req, res) =>
        void res
          .writeHead(200, {
            'content-type': 'application/rss+xml',
            'content-encoding': 'x-nashra-unknown',
            'content-length': String(5 * 1024 ** 3),
          })
          .flushHeaders(),
    },
    '/declared-1gb.rss': {
      handler: (_req, res) =>
        void res
          .writeHead(200, {
            'content-type': 'application/rss+xml',
            'content-encoding': 'gzip',
            'content-length': String(1e9),
          })
          .flushHeaders(),
    },
  });
});
afterAll(async () => {
  await server.close();
  await db.close();
});

// Each command opens the database (on PostgreSQL: a pool, the schema's check) and fetches over loopback: 60 s, not
// vitest's 30, for a loaded 2-core machine.
describe('nashra sources', { timeout: 60_000 }, () => {
  it('add detects a WordPress site, prefers its REST API and marks the backlog seen', async () => {
    const r = await nashra(['sources', 'add', `${server.base}/`, '--interval', '15m']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`WordPress site: polling ${server.base}/wp-json/wp/v2/posts?_embed=1`);
    expect(r.stdout).toMatch(
      /source #1 added: مرصد التجربة, every 15m; 3 existing items marked as seen, none queued as backfill$/m,
    );
    // The backlog is not sent, but it is there for readers: complete articles with summaries, newest first.
    const latest = await nashra(['latest', '3']);
    expect(latest.code).toBe(0);
    expect(latest.stdout.match(/^#\d+$/gm)).toHaveLength(3);
    expect(latest.stdout).not.toContain('no articles yet');
  });

  it('add detects an Atom feed and sends the newest --backfill items', async () => {
    const r = await nashra([
      'sources',
      'add',
      `${server.base}/atom.xml`,
      '--backfill',
      '1',
      '--category',
      'علوم',
      '--name',
      'أطلس',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Atom feed: polling ${server.base}/atom.xml`);
    expect(r.stdout).toMatch(
      /source #2 added: أطلس, every 10m, category علوم; 2 existing items marked as seen, 1 kept as backfill \(no subscription to send it to yet\)$/m,
    );
  });

  it('add refuses, with a clear message, a duplicate, a page that is no source, an HTTP error and a bad interval', async () => {
    const again = await nashra(['sources', 'add', `${server.base}/atom.xml`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is already followed as #2');
    const nothing = await nashra(['sources', 'add', `${server.base}/nothing.html`]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('not a feed (RSS, Atom, JSON Feed), a WordPress site or an article page');
    const missing = await nashra(['sources', 'add', `${server.base}/missing.xml`]);
    expect(missing.stderr).toContain('HTTP 404');
    const interval = await nashra(['sources', 'add', `${server.base}/feed/`, '--interval', 'soon']);
    expect(interval.stderr).toContain('--interval must be between 1m and 24h');
    const scheme = await nashra(['sources', 'add', 'file:///etc/passwd']);
    expect(scheme.stderr).toContain('only http and https');
  });

  it('add refuses a declared length over the limit with one line (issue 21, item 10)', async () => {
    // Before: 5 GiB with an unknown encoding exited 70 with a RangeError's stack; 1 GB gzip waited for the timeout.
    for (const [path, declared] of [
      ['/declared-5gib.rss', 5 * 1024 ** 3],
      ['/declared-1gb.rss', 1e9],
    ] as const) {
      const r = await nashra(['sources', 'add', `${server.base}${path}`], {
        NASHRA_ALLOW_PRIVATE_FETCH: '1',
        NASHRA_FETCH_TIMEOUT_MS: '60000',
      });
      expect(r.code, path).toBe(1);
      expect(r.stderr.trim().split('\n'), path).toEqual([
        expect.stringContaining(
          `cannot add ${server.base}${path}: the server announces ${declared} bytes, more than the 5242880-byte limit (NASHRA_FETCH_MAX_BYTES)`,
        ),
      ]);
    }
  }, 10_000);

  it('add refuses a private-network address without NASHRA_ALLOW_PRIVATE_FETCH', async () => {
    const r = await nashra(['sources', 'add', `${server.base}/nothing.html`], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused to fetch from 127\.0\.0\.1, a private or local network address/);
  });

  it('list shows last fetch, status, errors and articles, and flags a source failing for a day', async () => {
    const broken = await nashra(['sources', 'add', `${server.base}/broken.rss`]);
    expect(broken.stderr).toContain('HTTP 503');
    // A source that was added while working and has been failing since yesterday:
    await db.sql(
      `UPDATE sources SET last_status = 'HTTP 503', last_error = 'the server answered HTTP 503', error_count = 7,
      failing_since = ? WHERE id = 2`,
      Date.now() - 26 * 3600_000,
    );
    const r = await nashra(['sources', 'list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('id\tkind\tname\tevery\tlast fetch\tstatus\terrors\tarticles\tpolled URL'); // the column holds the URL (issue 16, item 15)
    expect(lines[1]).toMatch(/^1\twordpress\tمرصد التجربة\t15m\t\d{4}-\d\d-\d\dT[\d:]+Z\tHTTP 200\t0\t3\t/);
    expect(lines[2]).toMatch(
      /^2\tatom\tأطلس \[علوم\]\t10m\t.*\tFAILING FOR 26 h: HTTP 503 \(the server answered HTTP 503\)\t7\t3\t/,
    );
  });

  it('remove deletes a source and says so; an unknown id is an error', async () => {
    const r = await nashra(['sources', 'remove', '2']);
    expect(r.stdout).toContain('source #2 removed (أطلس)');
    const list = await nashra(['sources', 'list']);
    expect(list.stdout).not.toContain('أطلس');
    const unknown = await nashra(['sources', 'remove', '99']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no source #99');
  });

  it('preview and ingest read an article page over HTTP', async () => {
    const preview = await nashra(['preview', `${server.base}/wp/article-1/`, '--json']);
    expect(preview.code).toBe(0);
    expect(JSON.parse(preview.stdout)).toMatchObject({
      title: 'لودفيج فان بيتهوفن',
      source: 'مرصد التجربة',
      url: `${server.base}/wp/article-1`,
    });
    const ingest = await nashra(['ingest', `${server.base}/wp/article-1/?utm_source=x`]);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/\tnew\tلودفيج فان بيتهوفن/);
    const blocked = await nashra(['preview', `${server.base}/wp/article-1/`], {});
    expect(blocked.stderr).toContain('private or local network address');
  });
});
