/**
 * Exactly once while another process holds SQLite's write lock longer than the busy timeout (5 s): `nashra run
 * --once` (the built CLI, a real child process) sends a broadcast to the fake Bot API while this process holds
 * `BEGIN IMMEDIATE` on a second connection for 7 s. The answers that arrive meanwhile cannot be recorded at once
 * ("database is locked"); they must be kept and recorded later, never taken for a failed send and queued again.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../src/app/platforms.js';
import { createLogger } from '../../src/logger.js';
import { CLI_OPERATOR, confirmRetraction } from '../../src/newsroom/index.js';
import { openStore } from '../../src/store/index.js';
import { FakeTelegram } from '../fake-telegram/server.js';
import {
  childEnv,
  CHILD_TOKEN,
  deliveryStates,
  preparedArticleOf,
  prepareBroadcast,
  spawnRun,
  until,
  type ChildRun,
} from '../helpers/child-run.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** Longer than the store's busy_timeout (5,000 ms): every write of the run meanwhile fails once at least. */
const LOCK_MS = 7000;

/** A strict fake Bot API at 200 messages/s, the rate the issue saw the duplicates at, stopped after the test. */
async function startFake(): Promise<{ fake: FakeTelegram; apiRoot: string }> {
  const fake = new FakeTelegram(CHILD_TOKEN, { globalPerSecond: 200, perChatPerSecond: 50, perGroupPerMinute: 1000 });
  const apiRoot = await fake.start();
  cleanups.push(() => fake.stop());
  return { fake, apiRoot };
}

/** Holds the database's write lock from a second connection for LOCK_MS, as a backup tool or a `sqlite3` shell would. */
async function holdWriteLock(dbPath: string): Promise<void> {
  const locker = new Database(dbPath, { timeout: 10_000 });
  cleanups.push(() => {
    if (locker.open) locker.close();
  });
  locker.exec('BEGIN IMMEDIATE');
  await new Promise((r) => setTimeout(r, LOCK_MS));
  locker.exec('COMMIT');
  locker.close();
}

/** How many of `keys` repeat one seen before. */
const repeats = (keys: string[]): number => keys.length - new Set(keys).size;

describe('reliability: the database locked by another process during a broadcast', () => {
  it('a 7 s write lock in the middle of 2,000 sends: nothing sent twice, every delivery ends sent', async () => {
    const { dir, cleanup } = tempDir('nashra-locked-');
    cleanups.push(cleanup);
    // At 200/s the broadcast lasts 10 s, and the lock falls in its middle.
    const { fake, apiRoot } = await startFake();
    const dbPath = join(dir, 'n.db');
    const subscribers = 1000;
    const articles = 2;
    await prepareBroadcast(dbPath, subscribers, articles);
    let child: ChildRun | undefined;
    cleanups.push(() => void child?.kill('SIGKILL'));
    child = spawnRun(childEnv(apiRoot, dbPath, { TELEGRAM_RATE_PER_SECOND: '200' }), ['--once']);

    await until(
      () => fake.sent().length >= 300 || child!.child.exitCode !== null,
      30_000,
      'the broadcast to be under way',
    );
    const sentAtLock = fake.sent().length;
    await holdWriteLock(dbPath);
    const sentDuringLock = fake.sent().length - sentAtLock;

    const exit = await child.exited;
    const received = fake.sent().map((c) => `${c.params.chat_id}:${preparedArticleOf(c.params)}`);
    const duplicates = repeats(received);
    const states = deliveryStates(dbPath);
    console.log(
      `[locked] sent during the ${LOCK_MS} ms lock: ${sentDuringLock}; messages at the fake ${fake.sent().length}, ` +
        `duplicates ${duplicates}, final states ${JSON.stringify(states)}, exit ${exit.code}`,
    );
    expect(exit.code, child.output()).toBe(0);
    expect(duplicates).toBe(0);
    expect(new Set(received).size).toBe(subscribers * articles);
    expect(states).toEqual({ sent: subscribers * articles });
  }, 120_000);

  it('a 7 s write lock while a retraction deletes 600 posts: each post deleted once, every job done', async () => {
    const { dir, cleanup } = tempDir('nashra-locked-');
    cleanups.push(cleanup);
    const { fake, apiRoot } = await startFake();
    const dbPath = join(dir, 'n.db');
    const subscribers = 600;
    await prepareBroadcast(dbPath, subscribers, 1);
    const env = childEnv(apiRoot, dbPath, { TELEGRAM_RATE_PER_SECOND: '200' });
    // The posts sent by the CLI in this process (a node start saved): the run under the lock below is the point.
    const sent = await runCliInProcess(['run', '--once'], { env });
    expect(sent.code, sent.stderr).toBe(0);
    expect(deliveryStates(dbPath)).toEqual({ sent: subscribers });

    const store = openStore(dbPath);
    try {
      const deps = newsroomDeps(
        BUILT_IN_PLATFORMS,
        loadAppConfig({}),
        store,
        createLogger({ level: 'error', write: () => {} }),
      );
      expect(await confirmRetraction(deps, CLI_OPERATOR, store.articles.latest(1)[0]!.id)).toMatchObject({
        kind: 'done',
        queued: subscribers,
      });
    } finally {
      store.close();
    }
    let child: ChildRun | undefined;
    cleanups.push(() => void child?.kill('SIGKILL'));
    child = spawnRun(env, ['--once']);
    const deletes = () => fake.calls.filter((c) => c.method === 'deleteMessage');
    await until(
      () => deletes().length >= 100 || child!.child.exitCode !== null,
      30_000,
      'the deletions to be under way',
    );
    await holdWriteLock(dbPath);
    const exit = await child.exited;

    const posts = deletes().map((c) => `${c.params.chat_id}:${c.params.message_id}`);
    const repeated = repeats(posts);
    const perPost = new Set(posts);
    const check = openStore(dbPath);
    const jobs = check.jobs.totalsByState();
    check.close();
    console.log(
      `[locked] deletions: ${deletes().length} requests for ${perPost.size} posts, repeated ${repeated}, jobs ${JSON.stringify(jobs)}, exit ${exit.code}`,
    );
    expect(exit.code, child.output()).toBe(0);
    expect(repeated).toBe(0);
    expect(perPost.size).toBe(subscribers);
    expect(jobs).toEqual({ sent: subscribers });
  }, 120_000);
});
