/**
 * Clicks on posts' links over HTTP (issue 25 §1): posts delivered by the real worker through the console platform
 * link to `/r/<code>`; the desk's server on 127.0.0.1 redirects and counts per post and hour, read back from the
 * database (this pass's: tests/helpers/raw-db.ts) after the batch is written (the counter's flush, awaited: no timer
 * raced).
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleTransport } from '../../bots/console/transport.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { ClickCounter, postLinks } from '../../src/newsroom/clicks.js';
import { CLI_OPERATOR, confirmRetraction } from '../../src/newsroom/index.js';
import { hourOf } from '../../src/model/reach.js';
import { createLogger } from '../../src/logger.js';
import { loadAppConfig } from '../../src/app/platforms.js';
import { deskFixture, startDesk, type DeskFixture, type DeskHandle } from '../helpers/desk.js';
import { queueAudienceIn } from '../helpers/articles.js';
import { columnsOf, writeWatch } from '../helpers/raw-db.js';

const PUBLIC = 'https://desk.example.org';
const BROWSER =
  'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36';
const PREVIEW_BOTS = [
  'TelegramBot (like TwitterBot)',
  'WhatsApp/2.23.20.0 A',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'Twitterbot/1.0',
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
];

let fixture: DeskFixture | undefined;
let desk: DeskHandle | undefined;
afterEach(async () => {
  await desk?.close();
  await fixture?.cleanup();
  desk = undefined;
  fixture = undefined;
});

/** Two console chats, the fixture's article delivered to both by the worker; the codes their posts link to. */
async function delivered(env: Record<string, string> = {}) {
  const f = await deskFixture({ NASHRA_TRACK_CLICKS: '1', NASHRA_PUBLIC_URL: PUBLIC, ...env });
  fixture = f;
  const subs = [];
  for (const chatId of ['reader-1', 'reader-2'])
    subs.push(
      await f.data.repos.subscriptions.subscribe({ platform: 'console', chatId, kind: 'private' }, Date.now() - 60_000),
    );
  await queueAudienceIn(f.data, f.article, { kind: 'platform', platform: 'console' });
  const printed: string[] = [];
  const logger = createLogger({ level: 'silent', write: () => undefined });
  const data = f.data;
  const worker = new DeliveryWorker(data, [createConsoleTransport((t) => printed.push(t), f.config)], logger, {
    links: postLinks({ config: f.config, data }),
  });
  expect((await worker.drain(10_000)).sent).toBe(2);
  const codes = printed.map((p) => new RegExp(`${PUBLIC}/r/([A-Za-z0-9_-]+)`).exec(p)?.[1]);
  const counter = new ClickCounter(f.deps.outlets.main, { flushMs: 3_600_000 });
  desk = await startDesk({ ...f.deps, clicks: counter }, { port: 0, host: '127.0.0.1' });
  return { f, subs, printed, codes: codes as string[], counter, base: desk.url };
}

/** One GET with exactly these headers (node:http sends no user agent of its own), the answer as fetch's would read. */
function open(
  base: string,
  path: string,
  ua: string | null = BROWSER,
): Promise<{ status: number; headers: Map<string, string>; text(): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: ua === null ? {} : { 'user-agent': ua } }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (d: string) => {
          body += d;
        })
        .on('end', () => {
          const headers = new Map(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
          resolve({
            status: res.statusCode!,
            headers: { get: (k: string) => headers.get(k) ?? null } as never,
            text: async () => body,
          });
        });
    });
    req.on('error', reject).end();
  });
}

async function countsOf(
  f: DeskFixture,
): Promise<Array<{ hour: number; code: string; subscription_id: number; clicks: number }>> {
  const rows = (await f.db.sql(
    'SELECT c.hour, l.code, c.subscription_id, c.clicks FROM click_counts c JOIN click_links l ON l.id = c.link_id',
  )) as Array<{ hour: number; code: string; subscription_id: number; clicks: number }>;
  // By code in code points, as the expectations sort them (PostgreSQL's ORDER BY follows the database's collation).
  return rows.sort((a, b) => (a.code < b.code ? -1 : 1));
}

describe('a post links through its own code', () => {
  it('needs the public address to count clicks: the configuration says so', () => {
    expect(() => loadAppConfig({ NASHRA_TRACK_CLICKS: '1' })).toThrow(/NASHRA_TRACK_CLICKS.*NASHRA_PUBLIC_URL/);
    expect(loadAppConfig({ NASHRA_TRACK_CLICKS: '1', NASHRA_PUBLIC_URL: `${PUBLIC}/` }).clicks).toEqual({
      track: true,
      publicUrl: PUBLIC,
    });
    expect(loadAppConfig({}).clicks.track).toBe(false);
  });

  it('gives each chat a code of 96 random bits, stored once per article and chat, and the post links to it', async () => {
    const { f, subs, printed, codes } = await delivered();
    expect(codes).toHaveLength(2);
    for (const code of codes) expect(code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(codes[0]).not.toBe(codes[1]);
    // The article's own address is not in the post: the reader goes through the counter.
    for (const p of printed) expect(p).not.toContain('https://www.sy24.org/badia');
    const data = f.data;
    expect(await Promise.all(subs.map((s) => data.repos.clicks.codeFor(f.article.id, s.id)))).toEqual(codes);
    // A second code for the same pair is refused: the first stays.
    expect(await data.repos.clicks.remember('AAAAAAAAAAAAAAAA', f.article.id, subs[0]!.id, Date.now())).toBe(codes[0]);
  });

  it('links to the article itself when clicks are not counted', async () => {
    const f = await deskFixture({ NASHRA_PUBLIC_URL: PUBLIC });
    fixture = f;
    await f.data.repos.subscriptions.subscribe(
      { platform: 'console', chatId: 'reader-1', kind: 'private' },
      Date.now() - 60_000,
    );
    await queueAudienceIn(f.data, f.article, { kind: 'platform', platform: 'console' });
    const printed: string[] = [];
    const data = f.data;
    const worker = new DeliveryWorker(
      data,
      [createConsoleTransport((t) => printed.push(t), f.config)],
      createLogger({ level: 'silent' }),
      { links: postLinks({ config: f.config, data }) },
    );
    await worker.drain(10_000);
    expect(printed.join('')).toContain('https://www.sy24.org/badia');
    expect(printed.join('')).not.toContain('/r/');
  });
});

describe('the redirect', () => {
  it('answers a reader with 302 to the article, no-store, no referrer, no cookie, and counts per post and hour', async () => {
    const { f, subs, codes, counter, base } = await delivered();
    const res = await open(base, `/r/${codes[0]}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://www.sy24.org/badia');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('set-cookie')).toBeNull();
    for (let i = 0; i < 4; i++) expect((await open(base, `/r/${codes[0]}`)).status).toBe(302);
    for (let i = 0; i < 2; i++) expect((await open(base, `/r/${codes[1]}`)).status).toBe(302);
    // Nothing is written per request: the counts wait in memory for the batch.
    expect(await countsOf(f)).toEqual([]);
    expect(await counter.flush()).toBe(2);
    const hour = hourOf(Date.now());
    expect(
      (await countsOf(f)).map(({ code, subscription_id, clicks, hour: h }) => ({
        code,
        subscription_id,
        clicks,
        near: Math.abs(h - hour) <= 1,
      })),
    ).toEqual(
      [
        { code: codes[0], subscription_id: subs[0]!.id, clicks: 5, near: true },
        { code: codes[1], subscription_id: subs[1]!.id, clicks: 2, near: true },
      ].sort((a, b) => (a.code < b.code ? -1 : 1)),
    );
    // The same batch per day.
    const day = Math.floor((await countsOf(f))[0]!.hour / 24);
    expect(await f.db.sql('SELECT day, article_id, clicks FROM click_story_days')).toEqual([
      { day, article_id: f.article.id, clicks: 7 },
    ]);
    expect(await f.db.sql('SELECT day, subscription_id, clicks FROM click_chat_days ORDER BY clicks')).toEqual([
      { day, subscription_id: subs[1]!.id, clicks: 2 },
      { day, subscription_id: subs[0]!.id, clicks: 5 },
    ]);
    // A second batch adds to the same post's hour.
    await open(base, `/r/${codes[1]}`);
    await counter.flush();
    expect((await countsOf(f)).find((c) => c.code === codes[1])!.clicks).toBe(3);
  });

  it('redirects link-preview fetchers and crawlers without counting them (and a request with no user agent)', async () => {
    const { f, codes, counter, base } = await delivered();
    for (const ua of [...PREVIEW_BOTS, '', 'curl/8.5.0', 'python-requests/2.31', null]) {
      const res = await open(base, `/r/${codes[0]}`, ua);
      expect(res.status, String(ua)).toBe(302);
      expect(res.headers.get('location')).toBe('https://www.sy24.org/badia');
    }
    expect(await counter.flush()).toBe(0);
    expect(await countsOf(f)).toEqual([]);
  });

  it('answers unknown, forged, garbled and oversized codes 404, with no cookie and no write to the database', async () => {
    const { f, codes, counter, base } = await delivered();
    const watch = await writeWatch(f.db);
    const flipped = codes[0]!.slice(0, -1) + (codes[0]!.endsWith('A') ? 'B' : 'A');
    const hostile = [
      'AAAAAAAAAAAAAAAA',
      flipped,
      codes[0]!.slice(0, 15),
      `${codes[0]}A`,
      'x'.repeat(90),
      '%00%00%00%00%00%00%00%00',
      '..%2F..%2Fetc%2Fpasswd',
      `${codes[0]!.slice(0, 14)}%D8%A7`,
      "' OR 1=1 --aaaaa",
      '%F0%9F%98%80'.repeat(4),
    ];
    // Longer than the router's longest parameter (100): refused by Fastify before any handler, 414.
    const huge = await open(base, `/r/${'x'.repeat(5000)}`);
    expect(huge.status).toBe(414);
    expect(huge.headers.get('set-cookie')).toBeNull();
    for (const code of hostile) {
      const res = await open(base, `/r/${code}`);
      expect(res.status, code).toBe(404);
      expect(res.headers.get('set-cookie'), code).toBeNull();
      expect(res.headers.get('location'), code).toBeNull();
    }
    expect(await counter.flush()).toBe(0);
    expect(await watch.written()).toBe(false);
  });

  it('answers 410 with a short Arabic page for a retracted story, and counts nothing', async () => {
    const { f, codes } = await delivered();
    await desk!.close();
    await confirmRetraction(f.deps.outlets.main, CLI_OPERATOR, f.article.id);
    const counter = new ClickCounter(f.deps.outlets.main, { flushMs: 3_600_000 });
    desk = await startDesk({ ...f.deps, clicks: counter }, { port: 0, host: '127.0.0.1' });
    const res = await open(desk.url, `/r/${codes[0]}`);
    expect(res.status).toBe(410);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('سُحب هذا الخبر');
    expect(await counter.flush()).toBe(0);
  });

  it('keeps nothing about the reader: the tables hold codes, posts, hours and counts only', async () => {
    const { f } = await delivered();
    expect(await columnsOf(f.db, 'click_links')).toEqual(['article_id', 'code', 'created_at', 'id', 'subscription_id']);
    expect(await columnsOf(f.db, 'click_counts')).toEqual([
      'article_id',
      'clicks',
      'hour',
      'link_id',
      'subscription_id',
    ]);
    expect(await columnsOf(f.db, 'click_story_days')).toEqual(['article_id', 'clicks', 'day']);
    expect(await columnsOf(f.db, 'click_chat_days')).toEqual(['clicks', 'day', 'subscription_id']);
    expect(await columnsOf(f.db, 'click_hours')).toEqual(['clicks', 'hour']);
  });

  it('writes the counts kept in memory when the server closes', async () => {
    const { f, codes, base } = await delivered();
    for (let i = 0; i < 3; i++) await open(base, `/r/${codes[0]}`);
    await desk!.close();
    desk = undefined;
    expect((await countsOf(f)).map((c) => c.clicks)).toEqual([3]);
  });
});
