/**
 * Corrections exactly once, or declared in doubt: a wave of 1,000 edits (a correction of a story already sent to
 * 1,000 chats) is driven by `nashra run` (the built CLI, a real child process), SIGKILLed 10 times at random moments
 * and restarted each time; the fake Bot API in this process is the witness of every edit request that reached it.
 * The PRNG is seeded: a failure reproduces.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { transportConcurrency } from '../../bots/telegram/transport.js';
import { CORRECTIONS } from '../../src/model/delivery.js';
import { FakeTelegram } from '../fake-telegram/server.js';
import { runCliInProcess } from '../helpers/cli.js';
import {
  CHILD_TOKEN,
  childEnv,
  prepareBroadcast,
  seededRandom,
  spawnRun,
  until,
  type ChildRun,
} from '../helpers/child-run.js';
import { freshDatabase, jobsOf, jobStates } from '../helpers/raw-db.js';

const CHATS = 1000;
const KILLS = 10;
/** Edits per second while the kills happen: 1,000 edits take about 5 s, so each life is cut in the middle of the wave. */
const EDIT_RATE = 200;

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe('reliability: SIGKILL during a wave of 1,000 edits', () => {
  it('10 kills: each post edited once or declared in doubt; none edited twice, none lost', async () => {
    const fake = new FakeTelegram(CHILD_TOKEN, {
      globalPerSecond: 1000,
      perChatPerSecond: 50,
      perGroupPerMinute: 1000,
    });
    const apiRoot = await fake.start();
    cleanups.push(() => fake.stop());
    const db = await freshDatabase();
    await prepareBroadcast(db.ports, CHATS, 1);
    const sendEnv = childEnv(apiRoot, db);
    const correctionStates = () => jobStates(db.ports, CORRECTIONS);
    // The story sent and corrected by the CLI in this process: the kills below are the point, not these two (a node
    // start each, 1-10 s by the load).
    expect((await runCliInProcess(['run', '--once'], { env: sendEnv })).code).toBe(0);
    expect(fake.sent('sendMessage')).toHaveLength(CHATS);
    const corrected = await runCliInProcess(
      ['correct', '1', '--title', 'تصحيح: افتتاح سوق جديدة في دمشق بعد تأجيل', '--yes'],
      { env: sendEnv },
    );
    expect(corrected.code, corrected.stderr).toBe(0);

    const env = { ...sendEnv, TELEGRAM_RATE_PER_SECOND: String(EDIT_RATE) };
    const random = seededRandom(20261127);
    const editRequests = () => fake.calls.filter((c) => c.method === 'editMessageText').length;
    const leftSending: number[] = [];
    let child: ChildRun | undefined;
    cleanups.push(() => void child?.kill('SIGKILL'));
    for (let k = 0; k < KILLS; k++) {
      if (((await correctionStates()).queued ?? 0) === 0) break; // the wave is over before the kills are
      const before = editRequests();
      child = spawnRun(env);
      await until(() => editRequests() > before || child!.child.exitCode !== null, 20_000, `run ${k} to start editing`);
      expect(child.child.exitCode, child.output()).toBeNull();
      await new Promise((r) => setTimeout(r, 100 + Math.floor(random() * 400)));
      await child.kill('SIGKILL');
      leftSending.push((await correctionStates()).sending ?? 0);
    }
    child = spawnRun(env, ['--once']);
    const exit = await child.exited;
    expect(exit.code, child.output()).toBe(0);

    // Every edit request that reached the fake for a post, answered or not ("message is not modified" too).
    const requests = new Map<string, number>();
    for (const c of fake.calls) {
      if (c.method !== 'editMessageText' || c.status === 429) continue;
      const key = `${c.params.chat_id}:${c.params.message_id}`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
    }
    {
      const jobs = new Map((await jobsOf(db, 1, CORRECTIONS)).map((j) => [j.waitsFor, j]));
      let duplicates = 0;
      let lost = 0;
      let inDoubt = 0;
      let inDoubtEdited = 0;
      for (const d of await jobsOf(db, 1)) {
        const chat = (await db.ports.repos.subscriptions.get(d.subscriptionId))!.chatId;
        const got = requests.get(`${chat}:${d.messageId}`) ?? 0;
        const edited = fake.message(chat, d.messageId!)!.text?.includes('تصحيح: افتتاح سوق جديدة') ?? false;
        if (got > 1) duplicates += got - 1;
        const job = jobs.get(d.id);
        if (job?.state === 'in_doubt') {
          inDoubt++;
          if (edited) inDoubtEdited++;
        } else if (job?.state !== 'sent' || !edited) {
          lost++;
        }
      }
      const states = await correctionStates();
      console.log(
        `[corrections crash] kills ${leftSending.length}, posts checked ${jobs.size}, duplicate edit requests ${duplicates}, ` +
          `lost ${lost}, in doubt ${inDoubt} (of which the fake had edited ${inDoubtEdited}), left sending per kill [${leftSending.join(',')}], ` +
          `final ${JSON.stringify(states)}`,
      );
      expect(jobs.size).toBe(CHATS);
      expect(leftSending.length).toBeGreaterThanOrEqual(5);
      expect(duplicates).toBe(0);
      expect(lost).toBe(0);
      expect(inDoubt).toBe(leftSending.reduce((a, b) => a + b, 0));
      const limit = transportConcurrency(EDIT_RATE);
      for (const n of leftSending) expect(n).toBeLessThanOrEqual(limit);
    }
  }, 400_000);
});
