/**
 * Sources polled through pg-boss on PostgreSQL (src/ingest/engine-poller.ts): several pollers on one database (as
 * several `nashra run`), each with its own pool and pg-boss instance, over feeds served on 127.0.0.1 that count the
 * requests open at once per feed. A poller killed mid-poll is a real process (the built dist/, SIGKILL).
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { EnginePoller, POLL_QUEUE } from '../../../src/ingest/engine-poller.js';
import { createLogger } from '../../../src/logger.js';
import { articleIntake } from '../../../src/newsroom/intake.js';
import { copyToPostgres } from '../../../src/store/postgres/copy.js';
import { openPostgres } from '../../../src/store/postgres/database.js';
import { spawnRun } from '../../helpers/child-run.js';
import { ROOT } from '../../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { freshPostgresDatabase, postgresUrl } from '../../helpers/postgres.js';
import { freshStore } from '../../helpers/store.js';

const EXPIRY_SECONDS = 3;

/** A feed of two full-text items whose links are unique to the source. */
const feed = (n: number) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>مصدر ${n}</title><link>{{BASE}}/</link>
${[1, 2]
  .map(
    (
      i,
    ) => `<item><title>خبر ${i} من المصدر ${n}</title><link>{{BASE}}/s${n}/a${i}</link><guid>{{BASE}}/s${n}/a${i}</guid>
<pubDate>Fri, 10 Jan 2025 12:0${i}:00 GMT</pubDate>
<content:encoded><![CDATA[<p>أعلنت الهيئة العامة في المدينة رقم ${n} اليوم عن افتتاح مشروع جديد للمياه في الحي ${i} بعد أشهر من العمل المتواصل.</p>
<p>وقال المسؤولون إن المشروع سيخدم آلاف السكان في المنطقة، وإن المرحلة الثانية تبدأ في الربيع المقبل.</p>]]></content:encoded></item>`,
  )
  .join('\n')}
</channel></rss>`;

const env = (url: string, extra: Record<string, string> = {}) => ({
  DATABASE_URL: url,
  NASHRA_ALLOW_PRIVATE_FETCH: '1',
  NASHRA_POLL_EXPIRY_SECONDS: String(EXPIRY_SECONDS),
  LOG_LEVEL: 'silent',
  ...extra,
});

/** One poller as a run would build it: its own pool, intake and pg-boss instance. Stopped when the test ends. */
async function startPoller(
  url: string,
  extra: Record<string, string> = {},
): Promise<{ poller: EnginePoller; lines: string[] }> {
  const config = loadConfig(env(url, extra));
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', format: 'json', write: (line) => lines.push(line) });
  const data = await openPostgres(url);
  const poller = new EnginePoller(
    { config, data, logger, intake: articleIntake({ config, data, logger }) },
    { engine: { url }, expireSeconds: config.fetch.pollExpirySeconds },
    () => undefined,
  );
  poller.start();
  onTestFinished(async () => {
    await poller.stop();
    await data.close();
  });
  return { poller, lines };
}

async function addSources(url: string, server: FeedServer, count: number, intervalSeconds: number): Promise<number[]> {
  const data = await openPostgres(url);
  try {
    const ids: number[] = [];
    for (let n = 1; n <= count; n++) {
      server.route(`/feed/${n}`, { body: feed(n), contentType: 'application/rss+xml; charset=utf-8' });
      ids.push(
        (
          await data.repos.sources.add(
            { url: `${server.base}/feed/${n}`, kind: 'rss', name: `مصدر ${n}`, intervalSeconds },
            Date.now(),
          )
        ).id,
      );
    }
    return ids;
  } finally {
    await data.close();
  }
}

async function query<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

let server: FeedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.skipIf(postgresUrl() === '')('source polls through pg-boss on PostgreSQL', () => {
  it('two pollers over 6 sources: each source fetched once per interval, never by both at once, the work shared', async () => {
    const url = await freshPostgresDatabase();
    server = await startFeedServer();
    // Each answer takes 300 ms: a poll of one source by both pollers at once would overlap at the server.
    const ids = await addSources(url, server, 6, 2);
    for (let n = 1; n <= 6; n++)
      server.route(`/feed/${n}`, { body: feed(n), contentType: 'application/rss+xml; charset=utf-8', delayMs: 300 });
    const a = await startPoller(url);
    const b = await startPoller(url);
    const started = Date.now();
    const polled = (lines: string[]) => lines.filter((l) => l.includes('source polled')).length;
    // Each source fetched 4 times, and each poller has taken a share: which one's fetch comes first is the engine's
    // (on a loaded machine one may win a few rounds in a row), so the test waits for both rather than a fixed time.
    await expect
      .poll(
        () => Math.min(...ids.map((_, i) => server!.hits(`/feed/${i + 1}`).length), polled(a.lines), polled(b.lines)),
        { timeout: 30_000, interval: 200 },
      )
      .toBeGreaterThanOrEqual(1);
    await expect
      .poll(() => Math.min(...ids.map((_, i) => server!.hits(`/feed/${i + 1}`).length)), {
        timeout: 20_000,
        interval: 200,
      })
      .toBeGreaterThanOrEqual(4);
    const elapsed = (Date.now() - started) / 1000;
    for (let n = 1; n <= 6; n++) {
      const hits = server.hits(`/feed/${n}`);
      expect(server.mostAtOnce(`/feed/${n}`)).toBe(1);
      // The interval is 2 s with ±10 % jitter, counted from the end of the poll: no two fetches closer than 1.8 s.
      const gaps = hits.slice(1).map((h, i) => h.at - hits[i]!.at);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1800);
      // And none left waiting: at most one tick (1 s) and the engine's fetch late, twice in a row at worst.
      expect(hits.length).toBeGreaterThanOrEqual(Math.floor(elapsed / 4.5));
    }
    // The two items of each source stored once.
    const stored = await query<{ n: number }>(url, 'SELECT COUNT(*)::int AS n FROM articles');
    expect(stored[0]!.n).toBe(12);
  }, 60_000);

  it('a poller killed mid-poll: its source is polled by the other within the expiry, and stored once', async () => {
    const url = await freshPostgresDatabase();
    server = await startFeedServer();
    const [id] = await addSources(url, server, 1, 3600);
    // The first request never gets an answer (the poller that made it dies); the next ones are answered at once.
    let first = true;
    server.route('/feed/1', {
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        if (first) {
          first = false;
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' })
          .end(feed(1).replaceAll('{{BASE}}', server!.base));
      },
    });
    // The killed poller is a process of its own (the built code), as a `nashra run` on another machine would be.
    const script = `
      const { loadConfig } = await import('${ROOT}/dist/src/config.js');
      const { EnginePoller } = await import('${ROOT}/dist/src/ingest/engine-poller.js');
      const { createLogger } = await import('${ROOT}/dist/src/logger.js');
      const { articleIntake } = await import('${ROOT}/dist/src/newsroom/intake.js');
      const { openPostgres } = await import('${ROOT}/dist/src/store/postgres/database.js');
      const config = loadConfig(process.env);
      const logger = createLogger({ level: 'silent' });
      const data = await openPostgres(config.databaseUrl);
      new EnginePoller({ config, data, logger, intake: articleIntake({ config, data, logger }) },
        { engine: { url: config.databaseUrl }, expireSeconds: config.fetch.pollExpirySeconds }, () => undefined).start();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', ...env(url, { NASHRA_FETCH_TIMEOUT_MS: '60000' }) },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    onTestFinished(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    await expect.poll(() => server!.hits('/feed/1').length, { timeout: 20_000, interval: 100 }).toBe(1);
    const taken = server.hits('/feed/1')[0]!.at;
    child.kill('SIGKILL');
    await exited;
    await startPoller(url, { NASHRA_FETCH_TIMEOUT_MS: '60000' });
    // Taken again after the expiry (3 s from the first take), within the engine's maintenance (1 s) and a tick (1 s).
    await expect.poll(() => server!.hits('/feed/1').length, { timeout: 15_000, interval: 100 }).toBe(2);
    const again = server.hits('/feed/1')[1]!.at - taken;
    expect(again).toBeGreaterThanOrEqual(EXPIRY_SECONDS * 1000 - 200);
    expect(again).toBeLessThanOrEqual((EXPIRY_SECONDS + 3) * 1000);
    await expect
      .poll(
        async () =>
          (await query<{ n: number }>(url, 'SELECT COUNT(*)::int AS n FROM articles WHERE source_id = $1', [id]))[0]!.n,
        { timeout: 10_000 },
      )
      .toBe(2);
    // The engine retried the expired job once; it is done now.
    await expect
      .poll(async () =>
        (
          await query<{ state: string; retry_count: number }>(
            url,
            'SELECT state, retry_count FROM pgboss.job WHERE name = $1',
            [POLL_QUEUE],
          )
        ).map((j) => `${j.state}/${j.retry_count}`),
      )
      .toEqual(['completed/1']);
    expect(server.mostAtOnce('/feed/1')).toBe(1);
  }, 40_000);

  it('hostile: a feed that hangs past the expiry is stopped by its poller and recorded as failing; no second poll beside it, nothing stored twice', async () => {
    const url = await freshPostgresDatabase();
    server = await startFeedServer();
    const [id] = await addSources(url, server, 1, 2);
    // The first answer comes after twice the expiry (and the fetch timeout is longer still); the next ones at once.
    let first = true;
    server.route('/feed/1', {
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        const answer = () => {
          if (!res.destroyed)
            res
              .writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' })
              .end(feed(1).replaceAll('{{BASE}}', server!.base));
        };
        if (first) {
          first = false;
          setTimeout(answer, EXPIRY_SECONDS * 2000);
        } else answer();
      },
    });
    const a = await startPoller(url, { NASHRA_FETCH_TIMEOUT_MS: '60000' });
    const b = await startPoller(url, { NASHRA_FETCH_TIMEOUT_MS: '60000' });
    await expect
      .poll(() => server!.hits('/feed/1').length, { timeout: 25_000, interval: 200 })
      .toBeGreaterThanOrEqual(3);
    expect(server.mostAtOnce('/feed/1')).toBe(1);
    const timeouts = [...a.lines, ...b.lines].filter((l) => l.includes('"status":"timeout"'));
    expect(timeouts).toHaveLength(1);
    const rows = await query<{ url: string; n: number }>(
      url,
      'SELECT url, COUNT(*)::int AS n FROM articles WHERE source_id = $1 GROUP BY url ORDER BY url',
      [id],
    );
    expect(rows).toEqual([
      { url: `${server.base}/s1/a1`, n: 1 },
      { url: `${server.base}/s1/a2`, n: 1 },
    ]);
  }, 40_000);
  it('a source paused while its poll waited in the queue, then resumed: polled again (its dropped job does not block the next)', async () => {
    const url = await freshPostgresDatabase();
    server = await startFeedServer();
    const [, paused] = await addSources(url, server, 2, 3600);
    // One fetch at a time, the first source's answer taking 2 s: the second's job waits in the queue meanwhile.
    server.route('/feed/1', { body: feed(1), contentType: 'application/rss+xml; charset=utf-8', delayMs: 2000 });
    const data = await openPostgres(url);
    onTestFinished(() => data.close());
    // The slow source first (due earlier), then the other becomes due once the slot is taken.
    await data.repos.sources.setActive(paused!, false);
    await startPoller(url, { NASHRA_FETCH_CONCURRENCY: '1' });
    await expect.poll(() => server!.hits('/feed/1').length, { timeout: 10_000, interval: 50 }).toBe(1);
    await data.repos.sources.setActive(paused!, true);
    await expect
      .poll(
        async () =>
          (
            await query<{ n: number }>(
              url,
              `SELECT COUNT(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'source' = $2`,
              [POLL_QUEUE, String(paused)],
            )
          )[0]!.n,
        { timeout: 5000, interval: 50 },
      )
      .toBe(1);
    await data.repos.sources.setActive(paused!, false);
    // The slot frees; the paused source's job is taken and dropped, unpolled.
    await expect
      .poll(
        async () =>
          (
            await query<{ n: number }>(
              url,
              `SELECT COUNT(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'source' = $2
      AND state IN ('created', 'retry', 'active')`,
              [POLL_QUEUE, String(paused)],
            )
          )[0]!.n,
        { timeout: 10_000, interval: 100 },
      )
      .toBe(0);
    expect(server.hits('/feed/2')).toHaveLength(0);
    await data.repos.sources.setActive(paused!, true);
    await expect.poll(() => server!.hits('/feed/2').length, { timeout: 10_000, interval: 100 }).toBe(1);
    expect(server.hits('/feed/1')).toHaveLength(1);
  }, 40_000);

  it("nashra run with DATABASE_URL polls its sources through the engine (SQLite's in-process poller is not used)", async () => {
    const url = await freshPostgresDatabase();
    server = await startFeedServer();
    const [id] = await addSources(url, server, 1, 3600);
    const run = spawnRun({ ...env(url), LOG_LEVEL: 'info' });
    onTestFinished(async () => {
      await run.kill('SIGKILL');
    });
    await expect
      .poll(
        async () =>
          await query<{ state: string; source: number }>(
            url,
            `SELECT state, (data->>'source')::int AS source FROM pgboss.job WHERE name = $1`,
            [POLL_QUEUE],
          ).catch(() => []),
        { timeout: 60_000, interval: 200 },
      )
      .toEqual([{ state: 'completed', source: id }]);
    expect(server.hits('/feed/1')).toHaveLength(1);
    expect(
      (await query<{ n: number }>(url, 'SELECT COUNT(*)::int AS n FROM articles WHERE source_id = $1', [id]))[0]!.n,
    ).toBe(2);
    // The run's first start makes pg-boss's schema: about 2 s on a quiet machine, past 20 s on a loaded one.
  }, 90_000);

  it("nashra db copy: a database where pg-boss made its schema and queued a poll still counts as empty (only Nashra's tables are looked at)", async () => {
    const url = await freshPostgresDatabase();
    const store = freshStore();
    store.sources.add({ url: 'https://a.example/feed', kind: 'rss', name: 'أ' });
    // A run pointed at the empty database first: the engine's schema and a job in it (and Nashra's tables, empty).
    const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
    await boss.start();
    await boss.createQueue(POLL_QUEUE, { name: POLL_QUEUE, policy: 'singleton' });
    await boss.send(POLL_QUEUE, { source: 1 }, { singletonKey: '1' });
    await boss.stop({ graceful: false, wait: true });
    await openPostgres(url).then((p) => p.close());
    const result = await copyToPostgres(store.path, url);
    expect(result.mismatch).toBeUndefined();
    expect(result.tables.find((t) => t.table === 'sources')).toEqual({ table: 'sources', source: 1, target: 1 });
    expect((await query<{ n: number }>(url, 'SELECT COUNT(*)::int AS n FROM pgboss.job'))[0]!.n).toBe(1);
  }, 30_000);
});
