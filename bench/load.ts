/**
 * Load: `subscribers` × `articles` deliveries (default 10,000 × 50 = 500,000) through the real `nashra run` child
 * process against the fake Bot API with its limits scaled up, counted from the fake's own record: none lost, none
 * duplicated; the child's peak RSS (VmRSS from /proc every 200 ms, so memory must stay flat as the queue drains)
 * and the database's size afterwards.
 *
 * The long-running `run` is used and stopped with SIGTERM once the queue is empty: `run --once` gives up after
 * 60 s of draining (DeliveryWorker.drain's deadline), far shorter than half a million messages take.
 */
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { FakeTelegram } from '../tests/fake-telegram/server.js';
import { CHILD_TOKEN, childEnv, preparedArticleOf, prepareBroadcast, spawnRun } from '../tests/helpers/child-run.js';

export interface LoadResult {
  deliveries: number;
  sent: number;
  duplicates: number;
  lost: number;
  seconds: number;
  peakRssMb: number;
  dbBytes: number;
  rssMbAtQuarters: number[];
  ratePerSecond: number;
  rateLimited429: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * `paid`: the broadcasts are marked paid and the fake is strict (30/s free, 1,000/s with allow_paid_broadcast, 1/s per
 * chat), Nashra configured the same (TELEGRAM_PAID_BROADCAST_RATE=1000): the figure at Telegram's paid ceiling.
 */
export async function benchLoad(
  opts: { subscribers?: number; articles?: number; ratePerSecond?: number; maxSeconds?: number; paid?: boolean } = {},
): Promise<LoadResult> {
  const subscribers = opts.subscribers ?? 10_000;
  const articles = opts.articles ?? 50;
  const rate = opts.paid ? 1000 : (opts.ratePerSecond ?? 5000);
  const deliveries = subscribers * articles;
  const dir = mkdtempSync(join(tmpdir(), 'nashra-load-'));
  const dbPath = join(dir, 'load.db');
  const fake = new FakeTelegram(
    CHILD_TOKEN,
    opts.paid
      ? { globalPerSecond: 30, paidPerSecond: rate, perChatPerSecond: 1, perGroupPerMinute: 20 }
      : { globalPerSecond: rate, perChatPerSecond: 50, perGroupPerMinute: 1000 },
  );
  const apiRoot = await fake.start();
  const received = new Map<number, Uint8Array>(); // article → count per subscriber index
  let counted = 0;
  /** The fake keeps every call; counting and dropping them as they come keeps this process small too. */
  const count = () => {
    for (const c of fake.calls.splice(0)) {
      if (c.status !== 'ok' || (c.method !== 'sendMessage' && c.method !== 'sendPhoto')) continue;
      const n = preparedArticleOf(c.params);
      if (n === undefined) continue;
      let row = received.get(n);
      if (!row) {
        row = new Uint8Array(subscribers);
        received.set(n, row);
      }
      row[Number(c.params.chat_id) - FIRST_CHAT]!++;
      counted++;
    }
  };
  try {
    await prepareBroadcast(dbPath, subscribers, articles, FIRST_CHAT, { paid: opts.paid });
    const env = childEnv(
      apiRoot,
      dbPath,
      opts.paid
        ? {
            TELEGRAM_RATE_PER_SECOND: '30',
            TELEGRAM_RATE_PER_CHAT_PER_SECOND: '1',
            TELEGRAM_RATE_PER_GROUP_PER_MINUTE: '20',
            TELEGRAM_PAID_BROADCAST_RATE: String(rate),
            LOG_LEVEL: 'error',
          }
        : { TELEGRAM_RATE_PER_SECOND: String(rate), TELEGRAM_RATE_PER_CHAT_PER_SECOND: '50', LOG_LEVEL: 'error' },
    );
    const db = new Database(dbPath, { readonly: true });
    const pending = db
      .prepare(`SELECT COUNT(*) FROM jobs WHERE kind = 'post' AND state IN ('queued', 'sending')`)
      .pluck();
    const started = performance.now();
    const child = spawnRun(env);
    const rss: number[] = [];
    const sampler = setInterval(() => {
      try {
        const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        if (kb) rss.push(Number(kb) / 1024);
      } catch {
        /* exited */
      }
    }, 200);
    // Generous: the rolling-window limiter reaches about 1,000/s here on a quiet machine, far less on a busy one.
    const deadline = Date.now() + (opts.maxSeconds ?? Math.max(600, deliveries / 200)) * 1000;
    while (child.child.exitCode === null && Date.now() < deadline) {
      await sleep(1000);
      count();
      if ((pending.get() as number) === 0) break;
    }
    const exit = await child.kill('SIGTERM');
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await sleep(100);
    count();
    db.close();
    if (exit.code !== 0)
      throw new Error(`nashra run exited with ${exit.code ?? exit.signal}: ${child.output().slice(-2000)}`);

    let duplicates = 0;
    let lost = 0;
    for (let n = 0; n < articles; n++) {
      const row = received.get(n);
      for (let i = 0; i < subscribers; i++) {
        const got = row?.[i] ?? 0;
        if (got === 0) lost++;
        else duplicates += got - 1;
      }
    }
    const quarter = (q: number) => round(rss[Math.min(rss.length - 1, Math.floor((rss.length - 1) * q))] ?? 0);
    const size = (p: string) => {
      try {
        return statSync(p).size;
      } catch {
        return 0;
      }
    };
    return {
      deliveries,
      sent: counted,
      duplicates,
      lost,
      seconds: round(seconds),
      peakRssMb: round(Math.max(0, ...rss)),
      dbBytes: size(dbPath) + size(`${dbPath}-wal`),
      rssMbAtQuarters: [0.25, 0.5, 0.75, 1].map(quarter),
      ratePerSecond: round(counted / seconds),
      rateLimited429: fake.rateLimited429,
    };
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const FIRST_CHAT = 200_000;
const round = (n: number) => Math.round(n * 10) / 10;

if (import.meta.url === `file://${process.argv[1]}`) {
  const [subscribers, articles] = process.argv
    .slice(2)
    .filter((a) => !a.startsWith('--'))
    .map(Number);
  console.log(
    JSON.stringify(
      await benchLoad({
        subscribers: subscribers || undefined,
        articles: articles || undefined,
        paid: process.argv.includes('--paid'),
      }),
    ),
  );
}
