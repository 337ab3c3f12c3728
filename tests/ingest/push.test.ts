/**
 * Push ingest end to end on 127.0.0.1: a newsroom's site (the loopback feed server), a WebSub hub written here, the
 * desk's server with the push endpoints, the real delivery worker and Telegram transport, and the fake Bot API.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Api } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelegramSettings } from '../../bots/telegram/config.js';
import { createTelegramTransport, installLimits } from '../../bots/telegram/transport.js';
import { deskPlatforms } from '../../src/app/desk.js';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../src/app/platforms.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { startDesk, type DeskHandle } from '../../src/desk/server.js';
import { pollSource } from '../../src/ingest/poller.js';
import {
  callbackToken,
  hookSignature,
  MAX_LEASE_SECONDS,
  MIN_LEASE_SECONDS,
  PushIngest,
} from '../../src/ingest/push.js';
import { createLogger } from '../../src/logger.js';
import { addSource, CLI_OPERATOR, removeSource, sourceHook } from '../../src/newsroom/index.js';
import type { DataPorts } from '../../src/ports/index.js';
import type { Source } from '../../src/model/source.js';
import { FakeTelegram } from '../fake-telegram/server.js';
import { runCliInProcess } from '../helpers/cli.js';
import { FIXTURES, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { createDatabase, type OwnedDatabase } from '../helpers/raw-db.js';
import { pollDeps } from '../../src/newsroom/intake.js';
import { storeOutlets } from '../helpers/desk.js';

const TOKEN = '123456789:AAHpushTokenForNashraTests_abcdefXYZ';
const CHAT = '4242';
const page = (n: number) => readFileSync(join(FIXTURES, `pages/wp-article-${n}.html`), 'utf8');

function rss(base: string, hub: string | undefined, items: number[], path = '/feed.xml'): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>موقع</title>` +
    `<link>${base}/</link>${hub ? `<atom:link rel="hub" href="${hub}"/>` : ''}<atom:link rel="self" href="${base}${path}" type="application/rss+xml"/>` +
    items
      .map(
        (n) =>
          `<item><title>خبر ${n}</title><link>${base}/news/${n}</link><guid>${base}/news/${n}</guid>` +
          `<pubDate>${new Date(Date.UTC(2026, 10, 27, 10, n)).toUTCString()}</pubDate><description>خبر ${n}</description></item>`,
      )
      .join('') +
    '</channel></rss>'
  );
}

/**
 * A WebSub hub: takes (un)subscriptions, verifies the subscriber's intent, and publishes signed content to it.
 * `lease`: the hub.lease_seconds it grants; `manual`: verifications wait for `verify(i)` (the test decides when, and
 * can send them again, or a denial).
 */
async function startHub(opts: { lease?: string; manual?: boolean } = {}) {
  const requests: Array<Record<string, string>> = [];
  const verified: Array<{ mode: string; echoed: boolean; status: number }> = [];
  const subscribers = new Map<string, { callback: string; secret: string }>();
  /** What the hub would send back for request i: mode and topic as asked, with overrides (`null` leaves one out). */
  const verification = (i: number, overrides: Record<string, string | null> = {}) => {
    const form = requests[i]!;
    const url = new URL(form['hub.callback']!);
    const params: Record<string, string | null> = {
      'hub.mode': form['hub.mode']!,
      'hub.topic': form['hub.topic']!,
      'hub.challenge': `c${Math.random().toString(36).slice(2)}`,
      ...(form['hub.mode'] === 'subscribe' ? { 'hub.lease_seconds': opts.lease ?? '3600' } : {}),
      ...overrides,
    };
    for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
    return { url, challenge: params['hub.challenge'] };
  };
  /** Sends request i's verification of intent (WebSub §5.3); the subscriber's answer is recorded in `verified`. */
  const verify = async (i: number, overrides: Record<string, string | null> = {}) => {
    const form = requests[i]!;
    const { url, challenge } = verification(i, overrides);
    const r = await fetch(url);
    const text = await r.text();
    const echoed = challenge !== null && text === challenge;
    verified.push({ mode: url.searchParams.get('hub.mode')!, echoed, status: r.status });
    if (echoed && form['hub.mode'] === 'subscribe')
      subscribers.set(form['hub.topic']!, { callback: form['hub.callback']!, secret: form['hub.secret']! });
    if (echoed && form['hub.mode'] === 'unsubscribe') subscribers.delete(form['hub.topic']!);
    return { status: r.status, text, url };
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      requests.push(Object.fromEntries(new URLSearchParams(raw)));
      res.writeHead(202).end();
      // Verification of intent, after the answer.
      if (!opts.manual) void verify(requests.length - 1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`;
  return {
    url,
    requests,
    verified,
    subscribers,
    verify,
    /** Content distribution: the feed to each subscriber of the topic, signed with its secret (or as told). */
    async publish(topic: string, body: string, sign: 'sha256' | 'sha1' | 'none' | 'wrong' = 'sha256') {
      const sub = subscribers.get(topic)!;
      const headers: Record<string, string> = { 'content-type': 'application/rss+xml' };
      if (sign === 'sha256' || sign === 'sha1')
        headers['x-hub-signature'] = `${sign}=${createHmac(sign, sub.secret).update(body).digest('hex')}`;
      if (sign === 'wrong')
        headers['x-hub-signature'] = `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}`;
      return fetch(sub.callback, { method: 'POST', body, headers });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Rig {
  fake: FakeTelegram;
  site: FeedServer;
  hub: Awaited<ReturnType<typeof startHub>>;
  /** This pass's database (tests/helpers/raw-db.ts) and its ports. */
  db: OwnedDatabase;
  data: DataPorts;
  push: PushIngest;
  desk: DeskHandle;
  source: Source;
  worker: DeliveryWorker;
  lines: string[];
  config: ReturnType<typeof loadAppConfig>;
  /** Push ingest's clock runs this many ms ahead (leases, the replay window, the 5-second same-item guard), or stands at `at`. */
  clock: { ahead: number; at?: number };
  close(): Promise<void>;
}
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/**
 * `hubAs`: how the feed spells the hub's address (the hub itself listens on 127.0.0.1). `linkHeader`: the feed's
 * response names the hub and the topic in HTTP Link headers (the feed itself then names `feedHub`, if anything).
 */
async function startRig(
  opts: {
    hub?: boolean;
    hubAs?: (url: string) => string;
    linkHeader?: (hub: string) => string;
    feedHub?: string;
    hubOptions?: { lease?: string; manual?: boolean };
  } = {},
): Promise<Rig> {
  const db = await createDatabase();
  const data = db.ports;
  const fake = new FakeTelegram(TOKEN, { globalPerSecond: 200, perChatPerSecond: 50, perGroupPerMinute: 200 });
  const apiRoot = await fake.start();
  const site = await startFeedServer();
  const hub = await startHub(opts.hubOptions);
  const config = loadAppConfig({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    ...db.env,
    NASHRA_ALLOW_PRIVATE_FETCH: '1',
    TELEGRAM_RATE_PER_SECOND: '200',
    TELEGRAM_RATE_PER_CHAT_PER_SECOND: '50',
  });
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
  const telegram = config.platforms.telegram as TelegramSettings;
  const api = new Api(TOKEN, { apiRoot });
  installLimits(api, telegram.rate);
  const worker = new DeliveryWorker(
    data,
    [createTelegramTransport({ api, config: { ...config, telegram }, logger })],
    logger,
    { pollMs: 50 },
  );
  const clock: Rig['clock'] = { ahead: 0 };
  const push = new PushIngest(
    { ...pollDeps({ config, data, logger }), onQueued: () => worker.notify() },
    () => clock.at ?? Date.now() + clock.ahead,
  );
  const desk = await startDesk(
    {
      outlets: storeOutlets(
        config,
        newsroomDeps(BUILT_IN_PLATFORMS, config, data, logger, () => worker.notify()),
        logger,
      ).outlets,
      platforms: deskPlatforms(BUILT_IN_PLATFORMS, config, false),
      announceSetup: () => {},
      push,
    },
    { port: 0, host: '127.0.0.1' },
  );
  config.push.publicUrl = desk.url;
  const hubUrl = opts.hub ? (opts.hubAs ?? ((u: string) => u))(hub.url) : undefined;
  site.route('/feed.xml', {
    body: rss(site.base, opts.linkHeader ? opts.feedHub : hubUrl, [1]),
    contentType: 'application/rss+xml; charset=utf-8',
    ...(opts.linkHeader ? { headers: { link: opts.linkHeader(hub.url) } } : {}),
  });
  for (let n = 1; n <= 5; n++) site.route(`/news/${n}`, { body: page(n), contentType: 'text/html; charset=utf-8' });
  await data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: CHAT, kind: 'private' }, Date.now());
  let source = await data.repos.sources.add({ url: `${site.base}/feed.xml`, kind: 'rss', name: 'الموقع' }, Date.now());
  // The first poll marks the backlog seen (and finds the hub); what comes after is news.
  await pollSource(pollDeps({ config, data, logger }), source);
  source = (await data.repos.sources.get(source.id))!;
  worker.start();
  return {
    fake,
    site,
    hub,
    db,
    data,
    push,
    desk,
    source,
    worker,
    lines,
    config,
    clock,
    async close() {
      await push.settle();
      await worker.stop(1000);
      await desk.close();
      await hub.close();
      await site.close();
      await fake.stop();
      await db.close();
    },
  };
}

const hookUrl = (r: Rig) => `${r.desk.url}/hooks/publish/${r.source.id}`;
function signedHook(r: Rig, secret: string, body: string, opts: { timestamp?: number; id?: string } = {}) {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  return fetch(hookUrl(r), {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-nashra-timestamp': timestamp,
      'x-nashra-signature': hookSignature(secret, timestamp, body),
      ...(opts.id ? { 'x-nashra-id': opts.id } : {}),
    },
  });
}
const sentToChat = (r: Rig) => r.fake.sentTo(CHAT).length;
const pageHits = (r: Rig, n: number) => r.site.hits(`/news/${n}`).length;

describe('publish hook', () => {
  it('a signed notification with an article URL: fetched at once and sent; a replay and a flood fetch nothing more', async () => {
    rig = await startRig();
    const r = rig;
    const { secret } = await sourceHook(newsroomOf(r), CLI_OPERATOR, r.source.id);
    const body = JSON.stringify({ url: `${r.site.base}/news/2` });
    const pushedAt = Date.now();
    const res = await signedHook(r, secret!, body, { id: 'post-2-publish' });
    expect(res.status).toBe(202);
    await until(() => sentToChat(r) === 1, 15_000, 'the pushed article at the fake Bot API');
    expect(pageHits(r, 2)).toBe(1);

    // The same request again (replayed id), then a flood of bearer notifications naming the same article.
    expect((await signedHook(r, secret!, body, { id: 'post-2-publish' })).status).toBe(409);
    // The flood within the same-item guard (SAME_ITEM_MS, 5 s) of the first fetch, on push ingest's clock standing
    // still: on a loaded machine (PostgreSQL, a round trip per statement) the first delivery and the flood's own
    // reads took past 5 s, and a page fetched again after that is no flood.
    r.clock.at = pushedAt + 1000;
    const flood = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(hookUrl(r), {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        }),
      ),
    );
    expect(flood.every((f) => f.status === 202)).toBe(true);
    await r.push.settle();
    r.clock.at = undefined;
    expect(pageHits(r, 2)).toBe(1);
    expect(sentToChat(r)).toBe(1);
  }, 60_000);

  it('refuses unsigned, wrongly signed, stale, oversized and off-site notifications without fetching anything', async () => {
    rig = await startRig();
    const r = rig;
    const { secret } = await sourceHook(newsroomOf(r), CLI_OPERATOR, r.source.id);
    const body = JSON.stringify({ url: `${r.site.base}/news/3` });
    const post = (headers: Record<string, string>, payload = body) =>
      fetch(hookUrl(r), { method: 'POST', body: payload, headers: { 'content-type': 'application/json', ...headers } });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer not-the-secret' })).status).toBe(401);
    const now = String(Math.floor(Date.now() / 1000));
    expect(
      (await post({ 'x-nashra-timestamp': now, 'x-nashra-signature': hookSignature('not-the-secret', now, body) }))
        .status,
    ).toBe(401);
    expect(
      (await post({ 'x-nashra-timestamp': now, 'x-nashra-signature': hookSignature(secret!, now, `${body} `) })).status,
    ).toBe(401);
    expect((await signedHook(r, secret!, body, { timestamp: Math.floor(Date.now() / 1000) - 3600 })).status).toBe(409);
    const big = JSON.stringify({ url: `${r.site.base}/news/3`, pad: 'x'.repeat(20_000) });
    expect((await signedHook(r, secret!, big)).status).toBe(413);
    expect((await signedHook(r, secret!, JSON.stringify({ url: 'http://127.0.0.2:9/elsewhere' }))).status).toBe(400);
    expect(
      (
        await fetch(`${r.desk.url}/hooks/publish/999`, {
          method: 'POST',
          body,
          headers: { authorization: `Bearer ${secret}` },
        })
      ).status,
    ).toBe(404);
    await r.push.settle();
    expect(pageHits(r, 3)).toBe(0);
    expect(
      await r.data.repos.articleWrites.findDuplicate(
        { url: `${r.site.base}/news/3`, storyKey: '', contentHash: '' },
        Date.now(),
      ),
    ).toBeUndefined();
    expect(r.lines.join('\n')).not.toContain(secret!);
    // Turned off, the right secret is refused too.
    await sourceHook(newsroomOf(r), CLI_OPERATOR, r.source.id, { off: true });
    expect((await post({ authorization: `Bearer ${secret}` })).status).toBe(404);
  }, 60_000);

  it('a captured signed request sent again under new X-Nashra-Ids is a replay: the page is fetched once', async () => {
    rig = await startRig();
    const r = rig;
    const { secret } = await sourceHook(newsroomOf(r), CLI_OPERATOR, r.source.id);
    // A page with no article text: nothing is stored, so only the replay guard stands between a replay and a fetch.
    r.site.route('/news/empty', { body: '<html><body><p></p></body></html>', contentType: 'text/html; charset=utf-8' });
    const body = JSON.stringify({ url: `${r.site.base}/news/empty` });
    const timestamp = Math.floor(Date.now() / 1000);
    expect((await signedHook(r, secret!, body, { timestamp, id: 'captured' })).status).toBe(202);
    await r.push.settle();
    expect(r.site.hits('/news/empty')).toHaveLength(1);
    // The same bytes and signature under a new id, every 6 seconds (past the 5-second same-item guard), within ±5 min.
    for (let i = 1; i <= 3; i++) {
      r.clock.ahead = i * 6000;
      const res = await signedHook(r, secret!, body, { timestamp, id: `forged-${i}` });
      expect(res.status).toBe(409);
      expect(await res.text()).toContain('replay');
    }
    // The sender retrying the same notification (its id) with a new timestamp is recognised too.
    r.clock.ahead = 30_000;
    expect((await signedHook(r, secret!, body, { timestamp: timestamp + 30, id: 'captured' })).status).toBe(409);
    await r.push.settle();
    expect(r.site.hits('/news/empty')).toHaveLength(1);
    // A new notification (a new timestamp, so a new signature) is taken.
    r.clock.ahead = 36_000;
    expect((await signedHook(r, secret!, body, { timestamp: timestamp + 36, id: 'next' })).status).toBe(202);
    await r.push.settle();
    expect(r.site.hits('/news/empty')).toHaveLength(2);
  }, 60_000);

  it("refuses a URL on another port or scheme of the source's host (another origin) without fetching it", async () => {
    rig = await startRig();
    const r = rig;
    const other = await startFeedServer({ '/news/2': { body: page(2), contentType: 'text/html; charset=utf-8' } });
    try {
      const { secret } = await sourceHook(newsroomOf(r), CLI_OPERATOR, r.source.id);
      const site = new URL(r.site.base);
      expect(new URL(other.base).hostname).toBe(site.hostname);
      for (const url of [`${other.base}/news/2`, `https://${site.host}/news/2`]) {
        const res = await signedHook(r, secret!, JSON.stringify({ url }));
        expect(res.status, url).toBe(400);
        expect(await res.text()).toContain('not on the source');
      }
      // The bearer form is checked the same way.
      const bearer = await fetch(hookUrl(r), {
        method: 'POST',
        body: JSON.stringify({ url: `${other.base}/news/2` }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      });
      expect(bearer.status).toBe(400);
      await r.push.settle();
      expect(other.hits('/news/2')).toHaveLength(0);
      expect(
        await r.data.repos.articleWrites.findDuplicate(
          { url: `${other.base}/news/2`, storyKey: '', contentHash: '' },
          Date.now(),
        ),
      ).toBeUndefined();
      // The source's own origin is still taken.
      expect((await signedHook(r, secret!, JSON.stringify({ url: `${r.site.base}/news/2` }))).status).toBe(202);
      await until(() => pageHits(r, 2) === 1, 10_000, 'the same-origin page to be fetched');
    } finally {
      await other.close();
    }
  }, 60_000);

  it("a WordPress post id: read from the site's REST API and sent", async () => {
    rig = await startRig();
    const r = rig;
    const posts = JSON.parse(
      readFileSync(join(FIXTURES, 'feeds/wp-posts.json'), 'utf8').replaceAll('{{BASE}}', r.site.base),
    ) as unknown[];
    r.site.route('/wp-json/wp/v2/posts/201', { body: JSON.stringify(posts[0]), contentType: 'application/json' });
    const { secret } = await sourceHook(newsroomOf(r), CLI_OPERATOR, r.source.id);
    const res = await fetch(hookUrl(r), {
      method: 'POST',
      body: 'post_id=201',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${secret}` },
    });
    expect(res.status).toBe(202);
    await until(() => sentToChat(r) === 1, 15_000, 'the WordPress post at the fake Bot API');
    expect(r.site.hits('/wp-json/wp/v2/posts/201')).toHaveLength(1);
  }, 60_000);
});

describe('WebSub', () => {
  it('subscribes through the hub named by the feed, takes signed notifications once, renews, and unsubscribes a removed source', async () => {
    rig = await startRig({ hub: true });
    const r = rig;
    const topic = `${r.site.base}/feed.xml`;
    await r.push.maintain();
    await until(() => r.hub.verified.length === 1, 10_000, 'the hub to verify the subscription');
    expect(r.hub.requests[0]).toMatchObject({
      'hub.mode': 'subscribe',
      'hub.topic': topic,
      'hub.callback': `${r.desk.url}/websub/${r.source.id}/${callbackToken((await r.data.repos.push.websub(r.source.id))!.secret)}`,
    });
    expect(r.hub.requests[0]!['hub.secret']).toMatch(/^[0-9a-f]{64}$/);
    expect(r.hub.verified[0]).toEqual({ mode: 'subscribe', echoed: true, status: 200 });
    expect(await r.data.repos.push.websub(r.source.id)).toMatchObject({ state: 'active', leaseSeconds: 3600 });

    // Polling goes on, slower: the next poll is NASHRA_PUSH_POLL_FACTOR (6) intervals away.
    await pollSource(
      pollDeps({ config: configOf(r), data: r.data, logger: createLogger({ level: 'silent' }) }),
      (await r.data.repos.sources.get(r.source.id))!,
    );
    expect((await r.data.repos.sources.get(r.source.id))!.nextFetchAt.getTime() - Date.now()).toBeGreaterThan(
      3 * r.source.intervalSeconds * 1000,
    );

    // Hostile notifications: unsigned and wrongly signed are refused, nothing is fetched.
    const feed = rss(r.site.base, r.hub.url, [4, 1]);
    expect((await r.hub.publish(topic, feed, 'none')).status).toBe(401);
    expect((await r.hub.publish(topic, feed, 'wrong')).status).toBe(401);
    // Signed right, at a callback with another token: refused.
    const secret = (await r.data.repos.push.websub(r.source.id))!.secret;
    const wrongToken = await fetch(`${r.desk.url}/websub/${r.source.id}/${'0'.repeat(32)}`, {
      method: 'POST',
      body: feed,
      headers: {
        'content-type': 'application/rss+xml',
        'x-hub-signature': `sha256=${createHmac('sha256', secret).update(feed).digest('hex')}`,
      },
    });
    expect(wrongToken.status).toBe(404);
    await r.push.settle();
    expect(pageHits(r, 4)).toBe(0);

    // A signed fat ping: the new item is read and sent; the same content again is a replay; a poll finds it known.
    expect((await r.hub.publish(topic, feed, 'sha1')).status).toBe(202);
    await until(() => sentToChat(r) === 1, 15_000, 'the pushed item at the fake Bot API');
    expect((await r.hub.publish(topic, feed, 'sha1')).status).toBe(409);
    r.site.route('/feed.xml', { body: feed, contentType: 'application/rss+xml; charset=utf-8' });
    const again = await pollSource(
      pollDeps({ config: configOf(r), data: r.data, logger: createLogger({ level: 'silent' }) }),
      (await r.data.repos.sources.get(r.source.id))!,
    );
    expect(again.newArticles).toBe(0);
    await r.push.settle();
    expect(sentToChat(r)).toBe(1);

    // A lease in its last tenth is renewed.
    r.clock.ahead = 3600_000 - 60_000;
    await r.push.maintain();
    r.clock.ahead = 0;
    await until(() => r.hub.verified.length === 2, 10_000, 'the renewal to be verified');
    expect(r.hub.requests[1]!['hub.mode']).toBe('subscribe');

    // Removing the source unsubscribes it.
    await removeSource(newsroomOf(r), CLI_OPERATOR, r.source.id);
    await r.push.maintain();
    await until(() => r.hub.verified.length === 3, 10_000, 'the unsubscription to be verified');
    expect(r.hub.requests[2]).toMatchObject({ 'hub.mode': 'unsubscribe', 'hub.topic': topic });
    expect(r.hub.verified[2]).toEqual({ mode: 'unsubscribe', echoed: true, status: 200 });
    await until(
      async () => (await r.data.repos.push.websub(r.source.id)) === undefined,
      5000,
      'the subscription row to go',
    );
  }, 90_000);

  it("takes the hub and the topic from the feed's HTTP Link headers before the links inside it, and ignores a header that does not parse", async () => {
    const canonical = 'https://news.example/feed/';
    rig = await startRig({
      linkHeader: (hub) => `<${hub}>; rel="hub", <${canonical}>; rel="self"`,
      feedHub: 'http://127.0.0.1:9/not-the-hub',
    });
    const r = rig;
    expect(await r.data.repos.push.websub(r.source.id)).toMatchObject({ hub: r.hub.url, topic: canonical });
    await r.push.maintain();
    await until(() => r.hub.verified.length === 1, 10_000, 'the hub to verify the subscription');
    expect(r.hub.requests[0]).toMatchObject({ 'hub.mode': 'subscribe', 'hub.topic': canonical });
    expect(r.hub.verified[0]).toEqual({ mode: 'subscribe', echoed: true, status: 200 });
    await r.close();
    rig = undefined;

    // A Link header that is not RFC 8288: the feed's own links are used.
    rig = await startRig({ linkHeader: () => 'hub=nonsense', feedHub: 'http://127.0.0.1:9/the-feeds-hub' });
    expect(await rig.data.repos.push.websub(rig.source.id)).toMatchObject({
      hub: 'http://127.0.0.1:9/the-feeds-hub',
      topic: `${rig.site.base}/feed.xml`,
    });
  }, 60_000);

  it('never asks a hub on a private address, however the feed spells it, unless private fetching is allowed', async () => {
    // [::ffff:7f00:1] is 127.0.0.1 as an IPv4-mapped IPv6 literal: a pattern over the host name does not see it.
    rig = await startRig({ hub: true, hubAs: (url) => url.replace('127.0.0.1', '[::ffff:7f00:1]') });
    const r = rig;
    expect(await r.data.repos.push.websub(r.source.id)).toMatchObject({
      hub: expect.stringContaining('[::ffff:7f00:1]'),
    });
    r.config.fetch.allowPrivate = false;
    await r.push.maintain();
    expect(r.hub.requests).toHaveLength(0);
    expect((await r.data.repos.push.websub(r.source.id))?.lastError).toMatch(
      /refused to fetch from .*private or local network address/,
    );
  });

  it('answers only the verification it is waiting for: forged, replayed, wrong-topic, wrong-mode and absurd leases change nothing; the lease is bounded and renewed', async () => {
    rig = await startRig({ hub: true, hubOptions: { manual: true, lease: '1000000000' } });
    const r = rig;
    const topic = `${r.site.base}/feed.xml`;
    const row = async () => (await r.data.repos.push.websub(r.source.id))!;
    // The address anyone can guess (the attack), and the callback Nashra gives the hub, with its token: what holds
    // there holds against a hub that replays or misbehaves, or anyone who learnt the callback.
    const guessable = `${r.desk.url}/websub/${r.source.id}`;
    const callback = `${guessable}/${callbackToken((await row()).secret)}`;
    const forge = async (params: Record<string, string>, at: string) => {
      const res = await fetch(`${at}?${new URLSearchParams({ 'hub.topic': topic, 'hub.challenge': 'x', ...params })}`);
      return { status: res.status, text: await res.text() };
    };
    const refusedWithoutChange = async (params: Record<string, string>, at = callback) => {
      const before = await row();
      const res = await forge(params, at);
      expect(res.status, JSON.stringify(params)).not.toBe(200);
      expect(res.text).not.toBe('x');
      expect(await row(), JSON.stringify(params)).toEqual(before);
    };

    // Nothing asked yet: a forged verification (the attack: a lease of 1e300) and a forged denial are refused.
    expect((await row()).state).toBe('subscribe');
    for (const at of [guessable, callback]) {
      for (const lease of ['1e300', '3600'])
        await refusedWithoutChange({ 'hub.mode': 'subscribe', 'hub.lease_seconds': lease }, at);
      await refusedWithoutChange({ 'hub.mode': 'denied', 'hub.reason': 'forged' }, at);
    }

    // Asked: the request is outstanding until the hub answers. Only at the callback given to the hub.
    await r.push.maintain();
    expect(r.hub.requests).toHaveLength(1);
    expect(r.hub.requests[0]!['hub.callback']).toBe(callback);
    expect(await row()).toMatchObject({ state: 'pending', requestedAt: expect.any(Number) });
    for (const at of [
      guessable,
      `${guessable}/${'0'.repeat(32)}`,
      `${guessable}/${callbackToken((await row()).secret).slice(0, 31)}`,
    ]) {
      await refusedWithoutChange({ 'hub.mode': 'subscribe', 'hub.lease_seconds': '3600' }, at);
      await refusedWithoutChange({ 'hub.mode': 'denied', 'hub.reason': 'forged' }, at);
    }
    await refusedWithoutChange({
      'hub.mode': 'subscribe',
      'hub.topic': `${r.site.base}/other.xml`,
      'hub.lease_seconds': '3600',
    });
    await refusedWithoutChange({ 'hub.mode': 'unsubscribe' });
    for (const lease of ['1e300', 'Infinity', 'NaN', '3600.5', '-1', '0x10', '', '99999999999999999999']) {
      await refusedWithoutChange({ 'hub.mode': 'subscribe', 'hub.lease_seconds': lease });
    }

    // The hub's own verification, granting a billion seconds: taken, the lease cut to 10 days.
    const first = await r.hub.verify(0);
    expect(first.status).toBe(200);
    expect(r.hub.verified.at(-1)).toMatchObject({ echoed: true });
    expect(await row()).toMatchObject({
      state: 'active',
      leaseSeconds: MAX_LEASE_SECONDS,
      requestedAt: undefined,
      lastError: undefined,
    });
    expect(Math.abs((await row()).expiresAt! - (Date.now() + MAX_LEASE_SECONDS * 1000))).toBeLessThan(10_000);

    // Replayed (the same verification again, or another challenge): already verified, nothing changes.
    const replay = await fetch(first.url);
    expect(replay.status).toBe(404);
    await refusedWithoutChange({ 'hub.mode': 'subscribe', 'hub.lease_seconds': '1000000000' });
    await refusedWithoutChange({ 'hub.mode': 'denied', 'hub.reason': 'forged' });

    // Renewed in the lease's last tenth (the last day of 10), not before.
    r.clock.ahead = 8 * 86400_000;
    await r.push.maintain();
    expect(r.hub.requests).toHaveLength(1);
    r.clock.ahead = 9.5 * 86400_000;
    await r.push.maintain();
    expect(r.hub.requests).toHaveLength(2);
    expect(r.hub.requests[1]).toMatchObject({ 'hub.mode': 'subscribe', 'hub.topic': topic });
    expect(await row()).toMatchObject({ state: 'active', requestedAt: expect.any(Number) });
    r.clock.ahead = 0;
    // This time the hub grants 1 second: taken as an hour, renewed in its last tenth (6 minutes).
    expect((await r.hub.verify(1, { 'hub.lease_seconds': '1' })).status).toBe(200);
    expect(await row()).toMatchObject({ state: 'active', leaseSeconds: MIN_LEASE_SECONDS, requestedAt: undefined });
    r.clock.ahead = 3000_000;
    await r.push.maintain();
    expect(r.hub.requests).toHaveLength(2);
    r.clock.ahead = 3300_000;
    await r.push.maintain();
    expect(r.hub.requests).toHaveLength(3);

    // A denial of the outstanding renewal is taken once; a replayed one changes nothing; a verification after it is refused.
    r.clock.ahead = 0;
    expect(
      (
        await r.hub.verify(2, {
          'hub.mode': 'denied',
          'hub.reason': 'the hub says no',
          'hub.challenge': null,
          'hub.lease_seconds': null,
        })
      ).status,
    ).toBe(200);
    expect(await row()).toMatchObject({
      state: 'pending',
      requestedAt: undefined,
      lastError: 'hub denied: the hub says no',
    });
    expect(await r.data.repos.push.webSubIsActive(r.source.id, Date.now())).toBe(false);
    await refusedWithoutChange({ 'hub.mode': 'denied', 'hub.reason': 'forged' });
    await refusedWithoutChange({ 'hub.mode': 'subscribe', 'hub.lease_seconds': '3600' });
    // Asked again a day later.
    r.clock.ahead = 3600_000;
    await r.push.maintain();
    expect(r.hub.requests).toHaveLength(3);
    r.clock.ahead = 86400_000 + 60_000;
    await r.push.maintain();
    expect(r.hub.requests).toHaveLength(4);
    r.clock.ahead = 0;

    // Repeated parameters (read as lists) are no way around it; a hub that names no lease is taken at the 7 days asked.
    for (const repeated of ['hub.lease_seconds=3600&hub.lease_seconds=1e300', 'hub.mode=subscribe&hub.mode=denied']) {
      const before = await row();
      const query = `hub.topic=${encodeURIComponent(topic)}&hub.challenge=x&${repeated.includes('hub.mode') ? '' : 'hub.mode=subscribe&'}${repeated}`;
      expect((await fetch(`${callback}?${query}`)).status, repeated).toBeGreaterThanOrEqual(400);
      expect(await row()).toEqual(before);
    }
    expect((await r.hub.verify(3, { 'hub.lease_seconds': null })).status).toBe(200);
    expect(await row()).toMatchObject({
      state: 'active',
      leaseSeconds: 7 * 86400,
      requestedAt: undefined,
      lastError: undefined,
    });
  }, 60_000);

  it('sources add asks the hub its feed names at once, whatever the polling interval', async () => {
    rig = await startRig();
    const r = rig;
    for (const path of ['/daily.xml', '/hourly.xml']) {
      r.site.route(path, {
        body: rss(r.site.base, r.hub.url, [1, 2], path),
        contentType: 'application/rss+xml; charset=utf-8',
      });
    }
    // `nashra sources add` as an editor types it (the CLI alone, with its own store), while the desk here serves the
    // WebSub callback (what `nashra run` does): no maintain(), no second poll, the request is made by the add itself.
    const added = await runCliInProcess(['sources', 'add', `${r.site.base}/daily.xml`, '--interval', '24h'], {
      env: { ...r.db.env, NASHRA_ALLOW_PRIVATE_FETCH: '1', NASHRA_PUBLIC_URL: r.desk.url },
    });
    expect(added.code, added.stderr).toBe(0);
    const daily = (await r.data.repos.sources.list()).find((s) => s.url === `${r.site.base}/daily.xml`)!;
    expect(daily.intervalSeconds).toBe(86400);
    expect(r.hub.requests).toHaveLength(1);
    expect(r.hub.requests[0]).toMatchObject({
      'hub.mode': 'subscribe',
      'hub.topic': `${r.site.base}/daily.xml`,
      'hub.callback': expect.stringMatching(new RegExp(`^${r.desk.url}/websub/${daily.id}/[0-9a-f]{32}$`)),
    });
    await until(() => r.hub.verified.length === 1, 10_000, 'the hub to verify the subscription');
    expect(r.hub.verified[0]).toEqual({ mode: 'subscribe', echoed: true, status: 200 });
    expect(await r.data.repos.push.websub(daily.id)).toMatchObject({ state: 'active', leaseSeconds: 3600 });

    // The desk's form and an OPML import add through the same action.
    const hourly = await addSource(newsroomOf(r), CLI_OPERATOR, {
      url: `${r.site.base}/hourly.xml`,
      intervalSeconds: 3600,
    });
    expect(r.hub.requests).toHaveLength(2);
    expect(r.hub.requests[1]).toMatchObject({
      'hub.mode': 'subscribe',
      'hub.callback': expect.stringMatching(new RegExp(`^${r.desk.url}/websub/${hourly.source.id}/[0-9a-f]{32}$`)),
    });
    await until(
      async () => (await r.data.repos.push.websub(hourly.source.id))?.state === 'active',
      10_000,
      'the second subscription to be verified',
    );
  }, 60_000);

  it('answers a verification it did not ask for with 404', async () => {
    rig = await startRig({ hub: true });
    const r = rig;
    const res = await fetch(
      `${r.desk.url}/websub/${r.source.id}?hub.mode=subscribe&hub.topic=${encodeURIComponent('http://evil.example/feed')}&hub.challenge=x`,
    );
    expect(res.status).toBe(404);
  }, 30_000);
});

function newsroomOf(r: Rig) {
  return newsroomDeps(BUILT_IN_PLATFORMS, configOf(r), r.data, createLogger({ level: 'silent' }), () =>
    r.worker.notify(),
  );
}
const configs = new WeakMap<Rig, ReturnType<typeof loadAppConfig>>();
function configOf(r: Rig) {
  let c = configs.get(r);
  if (!c) {
    c = loadAppConfig({ ...r.db.env, NASHRA_ALLOW_PRIVATE_FETCH: '1' });
    c.push.publicUrl = r.desk.url;
    configs.set(r, c);
  }
  return c;
}
