/**
 * Post links and push endpoints for every outlet (issue 24 §4), over real HTTP through the desk's server on
 * 127.0.0.1, rows read back from each outlet's own database: `main` and two outlets, aa and bb, each a file of its
 * own (on PostgreSQL a schema of its own: tests/helpers/raw-db.ts outletSql). Another outlet's links are `/r/<outlet>/<code>` and its publish hooks `/hooks/publish/<outlet>/<id>`, answered
 * by that outlet's counter and PushIngest; `main`'s paths are as before. Codes and ids of one outlet under another's
 * path, and outlets that are not one, answer 404.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleTransport } from '../../bots/console/transport.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { callbackToken, hookSignature, PushIngest, pushPath } from '../../src/ingest/push.js';
import { createLogger } from '../../src/logger.js';
import { postLinks } from '../../src/newsroom/clicks.js';
import { pollDeps } from '../../src/newsroom/intake.js';
import { addOutlet, CLI_OPERATOR, sourceHook, type NewsroomDeps } from '../../src/newsroom/index.js';
import { bridgeArticle, queueAudienceIn, storeArticleIn } from '../helpers/articles.js';
import { deskFixture, startDesk, type DeskFixture, type DeskHandle } from '../helpers/desk.js';
import { FIXTURES, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { FakeTelegram } from '../fake-telegram/server.js';
import { runCliInProcess } from '../helpers/cli.js';
import { freePort, spawnRun, until } from '../helpers/child-run.js';
import { freshDatabase, outletSql, type RawDatabase } from '../helpers/raw-db.js';

const PUBLIC = 'https://desk.example.org';
const BROWSER =
  'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36';
const OUTLETS = ['aa', 'bb'] as const;
const silent = createLogger({ level: 'silent', write: () => undefined });

let fixture: DeskFixture | undefined;
let desk: DeskHandle | undefined;
let site: FeedServer | undefined;
const pushes: PushIngest[] = [];
afterEach(async () => {
  for (const p of pushes.splice(0)) await p.settle();
  await desk?.close();
  await site?.close();
  await fixture?.cleanup();
  desk = fixture = site = undefined;
});

interface Outlet {
  slug: string;
  deps: NewsroomDeps;
}

/** `main` (the fixture's) and aa and bb, added as `nashra outlets add` adds them, each opened as the desk opens it. */
async function threeOutlets(env: Record<string, string> = {}): Promise<{ f: DeskFixture; outlets: Outlet[] }> {
  const f = await deskFixture({ NASHRA_TRACK_CLICKS: '1', NASHRA_PUBLIC_URL: PUBLIC, ...env });
  fixture = f;
  const outlets: Outlet[] = [{ slug: 'main', deps: f.deps.outlets.main }];
  for (const slug of OUTLETS) {
    await addOutlet(f.deps.outlets.main, CLI_OPERATOR, {
      slug,
      name: slug.toUpperCase(),
      envPrefix: `${slug.toUpperCase()}_`,
    });
    // As `nashra run` and the CLI give it: the newsroom knows its outlet's name.
    const deps = (await f.deps.outlets.of(slug))!;
    deps.outlet = slug;
    outlets.push({ slug, deps });
  }
  return { f, outlets };
}

/** One GET with exactly these headers (node:http sends no user agent of its own). */
function open(path: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    request(`${desk!.url}${path}`, { headers: { 'user-agent': BROWSER } }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode!, location: res.headers.location }));
    })
      .on('error', reject)
      .end();
  });
}

async function articleUrls(db: RawDatabase, slug: string): Promise<string[]> {
  return (await outletSql(db, slug, 'SELECT url FROM articles ORDER BY id')).map((r) => r.url as string);
}

/** An outlet's clicks per code (each outlet here has one code at most: no order to agree on). */
async function clicksIn(db: RawDatabase, slug: string): Promise<Array<{ code: string; clicks: number }>> {
  return (await outletSql(
    db,
    slug,
    'SELECT l.code, c.clicks FROM click_counts c JOIN click_links l ON l.id = c.link_id',
  )) as never;
}

describe('post links of every outlet', () => {
  it("each outlet's post links to its own path and redirects, counted in its own database; codes under another outlet's path, and outlets that are not one, answer 404", async () => {
    const { f, outlets } = await threeOutlets();
    // Each outlet's article (one id in every database: 1) delivered to a console chat by its own worker, as run.ts builds it.
    const links = new Map<string, { code: string; url: string }>();
    for (const [i, o] of outlets.entries()) {
      const article =
        o.slug === 'main'
          ? f.article
          : await (async () => {
              const r = await storeArticleIn(
                o.deps.data,
                bridgeArticle(i, { url: `https://${o.slug}.example/news/${i}` }),
              );
              if (r.status !== 'new') throw new Error('article not new');
              return r.article;
            })();
      await o.deps.data.repos.subscriptions.subscribe(
        { platform: 'console', chatId: `reader-${o.slug}`, kind: 'private' },
        Date.now() - 60_000,
      );
      await queueAudienceIn(o.deps.data, article, { kind: 'platform', platform: 'console' });
      const printed: string[] = [];
      const data = o.deps.data;
      const worker = new DeliveryWorker(data, [createConsoleTransport((t) => printed.push(t), f.config)], silent, {
        links: postLinks({ config: f.config, data }, o.slug),
      });
      expect((await worker.drain(10_000)).sent).toBe(1);
      const path = o.slug === 'main' ? '/r/' : `/r/${o.slug}/`;
      const code = new RegExp(`${PUBLIC}${path}([A-Za-z0-9_-]{16})(?![A-Za-z0-9_-])`).exec(printed.join('\n'))?.[1];
      expect(code, `${o.slug}'s post links to ${path}<code>: ${printed.join('\n')}`).toBeDefined();
      links.set(o.slug, { code: code!, url: article.url! });
    }
    desk = await startDesk(f.deps, { port: 0, host: '127.0.0.1' });
    const [main, a, b] = [links.get('main')!, links.get('aa')!, links.get('bb')!];

    expect(await open(`/r/${main.code}`)).toEqual({ status: 302, location: main.url });
    expect(await open(`/r/aa/${a.code}`)).toEqual({ status: 302, location: a.url });
    expect(await open(`/r/bb/${b.code}`)).toEqual({ status: 302, location: b.url });
    expect(await open(`/r/bb/${b.code}`)).toEqual({ status: 302, location: b.url });
    // Another outlet's code under a's path, a's under main's, a forged outlet, a slug that cannot be one: 404, counted nowhere.
    for (const path of [
      `/r/aa/${b.code}`,
      `/r/${a.code}`,
      `/r/main/${b.code}`,
      `/r/zz/${a.code}`,
      `/r/AA/${a.code}`,
      `/r/..%2Faa/${a.code}`,
      `/r/aa/${a.code}x`,
    ]) {
      expect((await open(path)).status, path).toBe(404);
    }
    await desk.close();
    desk = undefined;
    // Written at the server's close (each outlet's counter flushed), each in its own outlet's database.
    expect(await clicksIn(f.db, 'main')).toEqual([{ code: main.code, clicks: 1 }]);
    expect(await clicksIn(f.db, 'aa')).toEqual([{ code: a.code, clicks: 1 }]);
    expect(await clicksIn(f.db, 'bb')).toEqual([{ code: b.code, clicks: 2 }]);
  });

  it('an outlet that stopped counting clicks answers its links 404 (as main does), while another that counts is served', async () => {
    const { outlets } = await threeOutlets();
    // aa's configuration as its own variables make it (AA_NASHRA_TRACK_CLICKS=0; the test's outlets share main's).
    const aa = outlets.find((o) => o.slug === 'aa')!.deps;
    aa.config = { ...aa.config, clicks: { ...aa.config.clicks, track: false } };
    // A code each, stored while both counted (as the worker stores it).
    const code = (slug: string) => `${slug}${slug}AAAAAAAAAAAA`;
    for (const o of outlets.filter((x) => x.slug !== 'main')) {
      const r = await storeArticleIn(o.deps.data, bridgeArticle(1, { url: `https://${o.slug}.example/news/1` }));
      if (r.status !== 'new') throw new Error('article not new');
      const sub = await o.deps.data.repos.subscriptions.subscribe(
        { platform: 'console', chatId: `reader-${o.slug}`, kind: 'private' },
        Date.now(),
      );
      await o.deps.data.uow.run((tx) => tx.clicks.remember(code(o.slug), r.article.id, sub.id, Date.now()));
    }
    desk = await startDesk(fixture!.deps, { port: 0, host: '127.0.0.1' });
    expect((await open(`/r/aa/${code('aa')}`)).status).toBe(404);
    expect(await open(`/r/bb/${code('bb')}`)).toEqual({ status: 302, location: 'https://bb.example/news/1' });
  });
});

describe('publish hooks of every outlet', () => {
  it("a hook for b's source signed with b's secret ingests into b only; a's secret on b's path, b's on a's or main's path, a forged outlet are refused; a replay is refused", async () => {
    const { f, outlets } = await threeOutlets({ NASHRA_ALLOW_PRIVATE_FETCH: '1' });
    site = await startFeedServer();
    for (let n = 1; n <= 3; n++)
      site.route(`/news/${n}`, {
        body: readFileSync(join(FIXTURES, `pages/wp-article-${n}.html`), 'utf8'),
        contentType: 'text/html; charset=utf-8',
      });
    // The same site followed by every outlet as its source #1 (main's fixture has no source, so its #1 is this one too).
    const ingests = new Map<string, PushIngest>();
    const secrets = new Map<string, string>();
    for (const o of outlets) {
      const source = await o.deps.data.repos.sources.add(
        { url: `${site.base}/feed.xml`, kind: 'rss', name: `site of ${o.slug}` },
        Date.now(),
      );
      expect(source.id).toBe(1);
      const push = new PushIngest({
        ...pollDeps({ config: o.deps.config, data: o.deps.data, logger: silent }),
        onQueued: () => {},
        outlet: o.slug,
      });
      pushes.push(push);
      ingests.set(o.slug, push);
      const hook = await sourceHook(o.deps, CLI_OPERATOR, 1);
      // The address printed names the outlet (main's as before).
      expect(hook.url).toBe(o.slug === 'main' ? `${PUBLIC}/hooks/publish/1` : `${PUBLIC}/hooks/publish/${o.slug}/1`);
      secrets.set(o.slug, hook.secret!);
    }
    desk = await startDesk({ ...f.deps, push: (slug) => ingests.get(slug) }, { port: 0, host: '127.0.0.1' });
    const send = (path: string, secret: string, n: number, timestamp = String(Math.floor(Date.now() / 1000))) => {
      const body = JSON.stringify({ url: `${site!.base}/news/${n}` });
      return fetch(`${desk!.url}${path}`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-nashra-timestamp': timestamp,
          'x-nashra-signature': hookSignature(secret, timestamp, body),
        },
      });
    };
    const urls = async () =>
      Object.fromEntries(
        await Promise.all(outlets.map(async (o) => [o.slug, await articleUrls(f.db, o.slug)] as const)),
      );

    // Refused, each before any fetch: a's secret on b's path, b's secret on a's path and on main's, an outlet that is not one.
    expect((await send(pushPath('hooks/publish', 'bb', 1), secrets.get('aa')!, 2)).status).toBe(401);
    expect((await send(pushPath('hooks/publish', 'aa', 1), secrets.get('bb')!, 2)).status).toBe(401);
    expect((await send(pushPath('hooks/publish', 'main', 1), secrets.get('bb')!, 2)).status).toBe(401);
    expect((await send('/hooks/publish/zz/1', secrets.get('bb')!, 2)).status).toBe(404);
    expect((await send('/hooks/publish/bb/2', secrets.get('bb')!, 2)).status).toBe(404);
    expect(site.hits('/news/2')).toHaveLength(0);

    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await send('/hooks/publish/bb/1', secrets.get('bb')!, 2, timestamp);
    expect([res.status, await res.text()]).toEqual([202, 'accepted']);
    for (const p of pushes) await p.settle();
    expect(site.hits('/news/2')).toHaveLength(1);
    // The page names itself /wp/article-2 (its canonical address), which the article keeps.
    const after = await urls();
    expect(after).toEqual({ main: [f.article.url], aa: [], bb: [`${site.base}/wp/article-2`] });
    // The same request again: a replay, refused as on main's path; nothing fetched again.
    expect((await send('/hooks/publish/bb/1', secrets.get('bb')!, 2, timestamp)).status).toBe(409);
    // main's path still reaches main's source with main's secret.
    expect((await send('/hooks/publish/1', secrets.get('main')!, 3)).status).toBe(202);
    for (const p of pushes) await p.settle();
    expect(await urls()).toEqual({
      main: [f.article.url, `${site.base}/wp/article-3`],
      aa: [],
      bb: [`${site.base}/wp/article-2`],
    });
    expect(site.hits('/news/2')).toHaveLength(1);
  });
});

describe('WebSub of every outlet', () => {
  it("b's subscription gives the hub b's callback; the hub's verification and its signed notification reach b only; the same under main's path or a's is refused", async () => {
    const { f, outlets } = await threeOutlets({ NASHRA_ALLOW_PRIVATE_FETCH: '1' });
    // A hub that records what it is asked (the test plays its verification and its notification).
    const asked: Array<Record<string, string>> = [];
    const hub = createServer((req, res) => {
      let raw = '';
      req
        .on('data', (c) => {
          raw += c;
        })
        .on('end', () => {
          asked.push(Object.fromEntries(new URLSearchParams(raw)));
          res.writeHead(202).end();
        });
    });
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
    try {
      const hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/hub`;
      const ingests = new Map<string, PushIngest>();
      for (const o of outlets) {
        await o.deps.data.repos.sources.add(
          { url: `https://${o.slug}.example/feed.xml`, kind: 'rss', name: `site of ${o.slug}` },
          Date.now(),
        );
        const push = new PushIngest({
          ...pollDeps({ config: o.deps.config, data: o.deps.data, logger: silent }),
          onQueued: () => {},
          outlet: o.slug,
        });
        pushes.push(push);
        ingests.set(o.slug, push);
      }
      desk = await startDesk({ ...f.deps, push: (slug) => ingests.get(slug) }, { port: 0, host: '127.0.0.1' });
      f.config.push.publicUrl = desk.url;
      const bb = outlets.find((o) => o.slug === 'bb')!;
      const topic = 'https://bb.example/feed.xml';
      const secret = 'b-hub-secret-b-hub-secret';
      await bb.deps.data.repos.push.discovered(1, hubUrl, topic, secret, Date.now());
      await ingests.get('bb')!.maintain();
      expect(asked).toHaveLength(1);
      const callback = `${desk.url}/websub/bb/1/${callbackToken(secret)}`;
      expect(asked[0]).toMatchObject({ 'hub.callback': callback, 'hub.mode': 'subscribe', 'hub.topic': topic });

      const verify = (url: string) =>
        fetch(
          `${url}?${new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.challenge': 'c-42', 'hub.lease_seconds': '86400' })}`,
        );
      // The same verification under main's path and a's (their source #1 is another's) and a forged outlet: refused.
      for (const wrong of [
        `${desk.url}/websub/1/${callbackToken(secret)}`,
        `${desk.url}/websub/aa/1/${callbackToken(secret)}`,
        `${desk.url}/websub/zz/1/${callbackToken(secret)}`,
      ]) {
        expect((await verify(wrong)).status, wrong).toBe(404);
      }
      const ok = await verify(callback);
      expect([ok.status, await ok.text()]).toEqual([200, 'c-42']);
      expect((await bb.deps.data.repos.push.websub(1))?.state).toBe('active');
      for (const o of outlets.filter((x) => x.slug !== 'bb'))
        expect(await o.deps.data.repos.push.websub(1)).toBeUndefined();

      // A notification (empty: poll now), signed with b's secret, on b's tokenless path and on main's.
      const notify = (url: string, body = '') =>
        fetch(url, {
          method: 'POST',
          body,
          headers: { 'x-hub-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
        });
      expect((await notify(`${desk.url}/websub/1`)).status).toBe(404);
      const pushed = await notify(`${desk.url}/websub/bb/1`);
      expect([pushed.status, await pushed.text()]).toEqual([202, 'polling']);
      // Replayed: refused as on main's path.
      expect((await notify(`${desk.url}/websub/bb/1`)).status).toBe(409);
    } finally {
      await new Promise<void>((r) => hub.close(() => r()));
    }
  });
});

describe("nashra run: another outlet's publish hook and post links", () => {
  it("sy24's hook (its URL as `sources hook` prints it) reaches sy24's run, whose post links to /r/sy24/<code>, which redirects and counts in sy24's database", async () => {
    const TOKEN = '333333333:AAsy24LinksTokenForOutletTests_abcdXYZ';
    const CHAT = '-1003333333333';
    const db = await freshDatabase();
    const fake = new FakeTelegram(TOKEN, { globalPerSecond: 1000, perChatPerSecond: 50, perGroupPerMinute: 1000 });
    const apiRoot = await fake.start();
    site = await startFeedServer();
    const base = site.base;
    const rssOf = (items: number[]) =>
      `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>موقع</title><link>${base}/</link>` +
      items
        .map(
          (n) =>
            `<item><title>خبر ${n}</title><link>${base}/news/${n}</link><guid>${base}/news/${n}</guid><description>خبر ${n}</description></item>`,
        )
        .join('') +
      '</channel></rss>';
    site.route('/feed.xml', { body: rssOf([1]), contentType: 'application/rss+xml; charset=utf-8' });
    for (let n = 1; n <= 2; n++)
      site.route(`/news/${n}`, {
        body: readFileSync(join(FIXTURES, `pages/wp-article-${n}.html`), 'utf8'),
        contentType: 'text/html; charset=utf-8',
      });
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const env = {
      ...db.env,
      NASHRA_WEB_PORT: String(port),
      NASHRA_PUBLIC_URL: publicUrl,
      NASHRA_TRACK_CLICKS: '1',
      NASHRA_ALLOW_PRIVATE_FETCH: '1',
      TELEGRAM_API_ROOT: apiRoot,
      SY24_TELEGRAM_BOT_TOKEN: TOKEN,
      SY24_TELEGRAM_RATE_PER_SECOND: '1000',
      SY24_TELEGRAM_RATE_PER_CHAT_PER_SECOND: '50',
      LOG_LEVEL: 'warn',
    };
    const ok = async (args: string[]) => {
      const r = await runCliInProcess(args, { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    await ok(['outlets', 'add', 'sy24', '--name', 'SY24']);
    await ok(['--outlet', 'sy24', 'subs', 'add', 'telegram', CHAT]);
    await ok(['--outlet', 'sy24', 'sources', 'add', `${base}/feed.xml`]);
    const printed = await ok(['--outlet', 'sy24', 'sources', 'hook', '1']);
    const hookUrl = /url:\s+(\S+)/.exec(printed)?.[1];
    const secret = /secret:\s+(\S+)/.exec(printed)?.[1];
    expect(hookUrl).toBe(`${publicUrl}/hooks/publish/sy24/1`);
    const run = spawnRun(env);
    try {
      await until(() => fake.calls.some((c) => c.method === 'getUpdates'), 20_000, "sy24's bot polling");
      await until(() => run.output().includes('Desk:'), 20_000, 'the desk');
      const timestamp = String(Math.floor(Date.now() / 1000));
      const body = JSON.stringify({ url: `${base}/news/2` });
      const res = await fetch(hookUrl!, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-nashra-timestamp': timestamp,
          'x-nashra-signature': hookSignature(secret!, timestamp, body),
        },
      });
      expect([res.status, await res.text()]).toEqual([202, 'accepted']);
      const post = () =>
        fake
          .sentTo(CHAT)
          .map((c) => JSON.stringify(c.params))
          .find((t) => t.includes('/r/sy24/'));
      await until(() => post() !== undefined, 20_000, "sy24's post at the fake Bot API");
      const code = new RegExp(`${publicUrl}/r/sy24/([A-Za-z0-9_-]{16})`).exec(post()!)?.[1];
      expect(code).toBeDefined();
      const click = await fetch(`${publicUrl}/r/sy24/${code}`, {
        redirect: 'manual',
        headers: { 'user-agent': BROWSER },
      });
      expect([click.status, click.headers.get('location')]).toEqual([302, `${base}/wp/article-2`]);
      expect(
        (await fetch(`${publicUrl}/r/${code}`, { redirect: 'manual', headers: { 'user-agent': BROWSER } })).status,
      ).toBe(404);
    } finally {
      await run.kill('SIGTERM');
      await fake.stop();
    }
    // Counted at the run's stop (the desk's close flushes each outlet's counter), in sy24's database.
    expect((await clicksIn(db, 'sy24')).map((r) => r.clicks)).toEqual([1]);
    expect(await clicksIn(db, 'main')).toEqual([]);
  }, 90_000);
});
