/**
 * Clicks across a crash (issue 25 §1): the real `nashra run` child process sends posts to the fake Bot API with their
 * links through `/r/<code>`, serves the redirects on its desk port, and is killed (SIGKILL) between two batches of
 * counts. Every redirect asked before the kill was answered; the counts lost are at most the last batch's (2 s).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fake-telegram/server.js';
import {
  CHILD_TOKEN,
  childEnv,
  freePort,
  prepareBroadcast,
  spawnRun,
  until,
  type ChildRun,
} from '../helpers/child-run.js';
import { freshDatabase, type RawDatabase } from '../helpers/raw-db.js';

const BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const FLUSH_MS = 2000;

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const storedClicks = async (db: RawDatabase): Promise<number> =>
  Number((await db.sql('SELECT COALESCE(SUM(clicks), 0) AS n FROM click_counts'))[0]!.n);

describe('reliability: clicks when the process is killed', () => {
  it('answers every redirect, and loses at most the counts of the batch not written yet', async () => {
    const fake = new FakeTelegram(CHILD_TOKEN, {
      globalPerSecond: 1000,
      perChatPerSecond: 50,
      perGroupPerMinute: 1000,
    });
    const apiRoot = await fake.start();
    cleanups.push(() => fake.stop());
    const db = await freshDatabase();
    await prepareBroadcast(db.ports, 4, 1);
    const port = await freePort();
    const child: ChildRun = spawnRun(
      childEnv(apiRoot, db, {
        NASHRA_TRACK_CLICKS: '1',
        NASHRA_PUBLIC_URL: 'https://desk.example.org',
        NASHRA_WEB_PORT: String(port),
      }),
    );
    cleanups.push(async () => {
      await child.kill('SIGKILL');
    });
    await until(() => fake.sent().length >= 4 || child.child.exitCode !== null, 60_000, 'the four posts'); // a node start and, on PostgreSQL, a pool and the schema's check
    await until(
      () => child.output().includes(`Desk: http://127.0.0.1:${port}`) || child.child.exitCode !== null,
      30_000,
      'the desk',
    ); // a node start: over 10 s at load 13
    expect(child.child.exitCode, child.output()).toBeNull();
    // Each post links through its own code (and so does a link preview's address, when one is asked for).
    const codes = fake
      .sent()
      .map((c) => /https:\/\/desk\.example\.org\/r\/([A-Za-z0-9_-]{16})/.exec(String(c.params.text))?.[1]);
    expect(codes.every(Boolean), JSON.stringify(fake.sent().map((c) => c.params.text))).toBe(true);
    expect(new Set(codes).size).toBe(4);
    for (const c of fake.sent()) expect(String(c.params.text)).not.toContain('https://example.com/reliability/0');

    // Clicks, four at a time, until a batch was written and two flush periods more (the kill falls between two batches).
    const answered: number[] = [];
    const errors: string[] = [];
    let stop = false;
    let firstWrite = Infinity;
    const clicker = async (i: number) => {
      for (let n = i; !stop; n += 4) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/r/${codes[n % 4]}`, {
            redirect: 'manual',
            headers: { 'user-agent': BROWSER },
          });
          await res.arrayBuffer();
          if (res.status === 302 && res.headers.get('location') === 'https://example.com/reliability/0')
            answered.push(Date.now());
          else errors.push(String(res.status));
        } catch (err) {
          errors.push(String(err));
        }
      }
    };
    const clickers = [0, 1, 2, 3].map(clicker);
    const deadline = Date.now() + 15_000;
    while (Date.now() - firstWrite <= 2 * FLUSH_MS + 700) {
      if (firstWrite === Infinity && (await storedClicks(db)) > 0) firstWrite = Date.now();
      if (Date.now() > deadline) throw new Error('timed out after 15000 ms waiting for a batch of counts written');
      await new Promise((r) => setTimeout(r, 20));
    }
    stop = true;
    await Promise.all(clickers);
    const killedAt = Date.now();
    await child.kill('SIGKILL');
    expect(errors).toEqual([]);
    const stored = await storedClicks(db);
    const lost = answered.length - stored;
    // What a batch can hold: the clicks of the last flush period (and a quarter more for a timer that fired late).
    const lastBatch = answered.filter((t) => t > killedAt - FLUSH_MS * 1.25).length;
    expect(stored).toBeGreaterThan(0);
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(lost, `answered ${answered.length}, stored ${stored}, last batch ${lastBatch}`).toBeLessThanOrEqual(
      lastBatch,
    );
  }, 150_000);
});
