/**
 * `nashra run` on PostgreSQL serving two outlets (issue 24 §4): each outlet's sources are polled through a job queue
 * of its own. Both outlets have a source #1 (ids are each outlet's own): one queue for both would hand one outlet's
 * job for source 1 to the other's poller. Each new item goes out through its own outlet's bot to its own chat.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramHub, type FakeTelegram } from '../../fake-telegram/server.js';
import { waitFor } from '../../fake-telegram/harness.js';
import { runCliInProcess } from '../../helpers/cli.js';
import { spawnRun } from '../../helpers/child-run.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { freshPostgresDatabase, postgresUrl } from '../../helpers/postgres.js';
import { tempDir } from '../../helpers/tmp.js';

const MAIN_TOKEN = '111111111:AAmainBotTokenForOutletTests_abcdefXYZ';
const SY24_TOKEN = '222222222:AAsy24BotTokenForOutletTests_abcdefXY';
const CHATS = { main: '-1001111111111', sy24: '-1002222222222' };

/** A feed of `n` items, each naming its outlet, with its full text in content:encoded (no page to fetch). */
function feed(outlet: string, n: number): string {
  const items = Array.from(
    { length: n },
    (_, i) => `<item><title>خبر ${outlet} رقم ${i + 1} عن الاقتصاد في دمشق</title>
<link>{{BASE}}/${outlet}/${i + 1}</link><guid>{{BASE}}/${outlet}/${i + 1}</guid><pubDate>${new Date(Date.now() - (n - i) * 60_000).toUTCString()}</pubDate>
<content:encoded><![CDATA[<p>أعلنت الحكومة في دمشق اليوم عن خطة جديدة رقم ${i + 1} لدعم الاقتصاد المحلي في ${outlet}.</p>
<p>وقال مسؤول إن الخطة رقم ${i + 1} تشمل مشاريع في عدة محافظات خلال العام المقبل.</p>]]></content:encoded></item>`,
  ).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>صحيفة ${outlet}</title><link>{{BASE}}/</link>${items}</channel></rss>`;
}

const tmp = tempDir('nashra-pg-outlets-');
const hub = new FakeTelegramHub();
let bots: Record<'main' | 'sy24', FakeTelegram>;
let feeds: FeedServer;
beforeAll(async () => {
  const limits = { globalPerSecond: 1000, perChatPerSecond: 50, perGroupPerMinute: 1000 };
  bots = {
    main: hub.add(MAIN_TOKEN, { id: 777000111, username: 'main_news_bot' }, limits),
    sy24: hub.add(SY24_TOKEN, { id: 777000222, username: 'sy24_news_bot' }, limits),
  };
  await hub.start();
  feeds = await startFeedServer({
    '/main.xml': { body: feed('main', 1), contentType: 'application/rss+xml' },
    '/sy24.xml': { body: feed('sy24', 1), contentType: 'application/rss+xml' },
  });
});
afterAll(async () => {
  await hub.stop();
  await feeds.close();
  tmp.cleanup();
});

describe.skipIf(postgresUrl() === '')('nashra run on PostgreSQL with two outlets', () => {
  it("polls each outlet's source #1 through its own queue, and sends each new item through its own bot", {
    timeout: 120_000,
  }, async () => {
    const url = await freshPostgresDatabase();
    const env = {
      DATABASE_URL: url,
      DATABASE_PATH: join(tmp.dir, 'unused.db'),
      NASHRA_ALLOW_PRIVATE_FETCH: '1',
      TELEGRAM_API_ROOT: hub.apiRoot,
      TELEGRAM_BOT_TOKEN: MAIN_TOKEN,
      SY24_TELEGRAM_BOT_TOKEN: SY24_TOKEN,
      LOG_LEVEL: 'warn',
      TELEGRAM_RATE_PER_SECOND: '1000',
      SY24_TELEGRAM_RATE_PER_SECOND: '1000',
    };
    const ok = async (args: string[]) => {
      const r = await runCliInProcess(args, { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    };
    await ok(['outlets', 'add', 'sy24']);
    for (const outlet of ['main', 'sy24'] as const) {
      await ok(['--outlet', outlet, 'subs', 'add', 'telegram', CHATS[outlet]]);
      // Its first item is marked seen: only what the run's polls find is sent.
      await ok(['--outlet', outlet, 'sources', 'add', `${feeds.base}/${outlet}.xml`, '--interval', '1h']);
    }
    const run = spawnRun(env);
    try {
      await waitFor(
        () =>
          bots.main.calls.some((c) => c.method === 'getUpdates') &&
          bots.sy24.calls.some((c) => c.method === 'getUpdates'),
        30_000,
        'both bots polling',
      );
      for (const outlet of ['main', 'sy24'] as const) {
        feeds.route(`/${outlet}.xml`, { body: feed(outlet, 2), contentType: 'application/rss+xml' });
        // Source #1 of each outlet, polled now: each by the run, through the outlet's own queue.
        await ok(['--outlet', outlet, 'sources', 'poll', '1']);
      }
      const posts = (outlet: 'main' | 'sy24') =>
        bots[outlet].sent().filter((c) => c.method === 'sendMessage' || c.method === 'sendPhoto');
      await waitFor(
        () => posts('main').length >= 1 && posts('sy24').length >= 1,
        60_000,
        "each outlet's new item sent",
      );
      // A moment for anything sent twice or to the wrong chat to show (the worker sends within 50 ms of a queue).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const outlet of ['main', 'sy24'] as const) {
        const text = (c: { params: Record<string, unknown> }) =>
          String(c.params.text ?? c.params.caption).replace(/[\u2066-\u2069]/g, '');
        expect(
          posts(outlet).map((c) => [String(c.params.chat_id), text(c).includes(`خبر ${outlet} رقم 2`)]),
          outlet,
        ).toEqual([[CHATS[outlet], true]]);
      }
      // One job engine for the process, both outlets' queues in it: its pool's 2 connections (pg-boss names them), not
      // 2 per outlet (10 outlets kept 20 open for their engines before).
      const admin = new pg.Client(url);
      await admin.connect();
      try {
        const engines = await admin.query<{ n: number }>(
          `SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pgboss' AND datname = current_database()`,
        );
        expect(engines.rows[0]!.n).toBeGreaterThan(0);
        expect(engines.rows[0]!.n).toBeLessThanOrEqual(2);
      } finally {
        await admin.end();
      }
    } finally {
      await run.kill('SIGTERM');
    }
    const client = new pg.Client(url);
    await client.connect();
    try {
      const jobs = (
        await client.query<{ name: string; source: string }>(`SELECT name, data->>'source' AS source FROM pgboss.job
        WHERE name LIKE 'nashra-source-poll%' UNION ALL SELECT name, data->>'source' FROM pgboss.archive WHERE name LIKE 'nashra-source-poll%'`)
      ).rows;
      expect(new Set(jobs.map((j) => `${j.name}/${j.source}`))).toEqual(
        new Set(['nashra-source-poll/1', 'nashra-source-poll-sy24/1']),
      );
    } finally {
      await client.end();
    }
  });
});
