/**
 * Exactly once, or declared in doubt: `nashra run` (the built CLI, a real child process) is SIGKILLed at random
 * moments in the middle of a broadcast and restarted each time; the fake Bot API (in this process, so its record
 * survives every restart) is the witness of what was really sent. The PRNG is seeded: a failure reproduces.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { transportConcurrency } from '../../bots/telegram/transport.js';
import { POSTS } from '../../src/model/delivery.js';
import { FakeTelegram } from '../fake-telegram/server.js';
import {
  CHILD_TOKEN,
  childEnv,
  preparedArticleOf,
  prepareBroadcast,
  seededRandom,
  spawnRun,
  until,
  type ChildRun,
} from '../helpers/child-run.js';
import { freshDatabase, type RawDatabase } from '../helpers/raw-db.js';

const RATE = 1000;

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface Verdict {
  deliveries: number;
  duplicates: number;
  lost: number;
  inDoubt: number;
  inDoubtReceived: number;
  states: Record<string, number>;
}

/** Compares the database's final state of every (subscriber, article) pair with what the fake answered ok. */
async function verdict(db: RawDatabase, fake: FakeTelegram): Promise<Verdict> {
  const received = new Map<string, number>();
  for (const c of fake.sent()) {
    const n = preparedArticleOf(c.params);
    if (n !== undefined) received.set(`${c.params.chat_id}:${n}`, (received.get(`${c.params.chat_id}:${n}`) ?? 0) + 1);
  }
  const v: Verdict = { deliveries: 0, duplicates: 0, lost: 0, inDoubt: 0, inDoubtReceived: 0, states: {} };
  // Every post of every prepared article, with its chat.
  const posts = await db.sql(`SELECT a.url, j.state, s.chat_id FROM jobs j JOIN articles a ON a.id = j.article_id
    JOIN subscriptions s ON s.id = j.subscription_id WHERE j.kind = 'post' ORDER BY j.id`);
  for (const d of posts) {
    const n = Number(/\/(\d+)$/.exec(d.url as string)![1]);
    const state = d.state as string;
    v.deliveries++;
    v.states[state] = (v.states[state] ?? 0) + 1;
    const got = received.get(`${d.chat_id}:${n}`) ?? 0;
    if (got > 1) v.duplicates += got - 1;
    if (state === 'in_doubt') {
      v.inDoubt++;
      v.inDoubtReceived += got;
    } else if (state !== 'sent' || got === 0) {
      v.lost++;
    }
  }
  return v;
}

/** Posts `sending` now, as the outbox counts them. */
const sending = async (db: RawDatabase) =>
  (await db.ports.repos.outbox.countsByState(POSTS))
    .filter((c) => c.state === 'sending')
    .reduce((n, c) => n + c.count, 0);

/** Starts, kills (SIGKILL) and restarts `nashra run` `kills` times, then drains with `run --once`. */
async function crashAndRecover(opts: {
  policy: 'hold' | 'resend';
  seed: number;
  kills: number;
  subscribers: number;
  articles: number;
}) {
  const limits = { globalPerSecond: RATE, perChatPerSecond: 50, perGroupPerMinute: 1000 };
  const fake = new FakeTelegram(CHILD_TOKEN, limits);
  const apiRoot = await fake.start();
  cleanups.push(() => fake.stop());
  const db = await freshDatabase();
  await prepareBroadcast(db.ports, opts.subscribers, opts.articles);
  const env = childEnv(apiRoot, db, { NASHRA_IN_DOUBT_POLICY: opts.policy });
  const random = seededRandom(opts.seed);
  const inDoubtPerKill: number[] = [];
  let child: ChildRun | undefined;
  cleanups.push(() => void child?.kill('SIGKILL'));

  for (let k = 0; k < opts.kills; k++) {
    const before = fake.calls.length;
    child = spawnRun(env);
    // A life is counted from the child's first request to the Bot API: node's start-up time varies a lot here (about
    // 1 s of CPU; over 10 s at load 13 with three test files at once).
    await until(
      () => fake.calls.length > before || child!.child.exitCode !== null,
      30_000,
      `run ${k} to reach the Bot API`,
    );
    expect(child.child.exitCode, child.output()).toBeNull();
    // The last kill's requests still on the wire may reach the fake after that child died, which looked like this
    // child's first request: wait until this child has taken over the rows the last kill left `sending`, or they
    // would be counted twice (once per kill).
    if (inDoubtPerKill.at(-1)) {
      await until(
        () => /interrupted by the last stop/.test(child!.output()) || child!.child.exitCode !== null,
        20_000,
        `run ${k} to recover the last kill's deliveries`,
      );
    }
    await new Promise((r) => setTimeout(r, 150 + Math.floor(random() * 450)));
    await child.kill('SIGKILL');
    // Rows left `sending` by this kill: the next start turns them in_doubt (hold) or queues them again (resend).
    inDoubtPerKill.push(await sending(db));
  }
  child = spawnRun(env, ['--once']);
  const exit = await child.exited;
  expect(exit.code, child.output()).toBe(0);
  const v = await verdict(db, fake);
  const limit = transportConcurrency(limits.globalPerSecond);
  console.log(
    `[crash/${opts.policy}] seed ${opts.seed}: kills survived ${opts.kills}, deliveries checked ${v.deliveries}, ` +
      `duplicates ${v.duplicates}, lost ${v.lost}, in doubt ${v.inDoubt} (of which the fake had received ${v.inDoubtReceived}), ` +
      `left sending per kill [${inDoubtPerKill.join(',')}] (in-flight limit ${limit}), final states ${JSON.stringify(v.states)}`,
  );
  expect(v.deliveries).toBe(opts.subscribers * opts.articles);
  for (const n of inDoubtPerKill) expect(n).toBeLessThanOrEqual(limit);
  return { v, inDoubtPerKill };
}

describe('reliability: SIGKILL in the middle of a broadcast', () => {
  it('hold (default), 20 kills over 10,000 deliveries: each exactly once, in-doubt ones at most once, none lost', async () => {
    const { v, inDoubtPerKill } = await crashAndRecover({
      policy: 'hold',
      seed: 20240611,
      kills: 20,
      subscribers: 500,
      articles: 20,
    });
    expect(v.duplicates).toBe(0);
    expect(v.lost).toBe(0);
    expect(v.inDoubt).toBe(inDoubtPerKill.reduce((a, b) => a + b, 0));
    expect(v.states.sent! + v.inDoubt).toBe(v.deliveries);
  }, 300_000); // about 75 s on a quiet 2-core machine; a loaded CI machine may take three times that

  it('resend: every subscriber gets everything at least once; duplicates no more than the deliveries interrupted', async () => {
    const { v, inDoubtPerKill } = await crashAndRecover({
      policy: 'resend',
      seed: 77,
      kills: 8,
      subscribers: 200,
      articles: 10,
    });
    expect(v.inDoubt).toBe(0);
    expect(v.lost).toBe(0);
    expect(v.states.sent).toBe(v.deliveries);
    expect(v.duplicates).toBeLessThanOrEqual(inDoubtPerKill.reduce((a, b) => a + b, 0));
  }, 150_000);
});
