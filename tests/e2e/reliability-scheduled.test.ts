/**
 * A scheduled broadcast across crashes (issue 25 §4–5): scheduled from the built CLI for the next whole minute, with
 * `nashra run` (a real child process) SIGKILLed just before its time and again while it goes out, then restarted.
 * The fake Bot API, in this process, is the witness: nothing before the time, each chat at most once, every post
 * sent or declared in doubt (at most the requests on the wire at the kill), none lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { transportConcurrency } from '../../bots/telegram/transport.js';
import { storeArticleIn } from '../helpers/articles.js';
import { runCliInProcess } from '../helpers/cli.js';
import {
  CHILD_TOKEN,
  childEnv,
  preparedArticleOf,
  preparedUrl,
  spawnRun,
  until,
  type ChildRun,
} from '../helpers/child-run.js';
import { freshDatabase, jobsOf, jobStates } from '../helpers/raw-db.js';
import { FakeTelegram } from '../fake-telegram/server.js';

const CHATS = 300;
/** Slow enough that the kill lands while the broadcast goes out: 300 messages at 100/s take 3 s. */
const RATE = 100;

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

describe('a scheduled broadcast and kills around its time', () => {
  it('killed just before its time and while it goes out, restarted: nothing early, each chat at most once, none lost', async () => {
    const fake = new FakeTelegram(CHILD_TOKEN, {
      globalPerSecond: 1000,
      perChatPerSecond: 50,
      perGroupPerMinute: 1000,
    });
    const apiRoot = await fake.start();
    cleanups.push(() => fake.stop());
    const db = await freshDatabase();
    await db.ports.uow.run(async (tx) => {
      for (let i = 0; i < CHATS; i++)
        await tx.subscriptions.subscribe(
          { platform: 'telegram', chatId: String(300_000 + i), kind: 'private' },
          Date.now(),
        );
    });
    const stored = await storeArticleIn(db.ports, {
      url: preparedUrl(0),
      title: 'تقرير من دمشق: افتتاح سوق جديدة',
      source: 'SY24',
      language: 'ar',
      categories: [],
      paragraphs: [
        'افتتحت بلدية دمشق اليوم سوقاً شعبية جديدة تضم مئات المحال التجارية.',
        'وقال رئيس البلدية إن السوق توفر مئة فرصة عمل للشباب.',
      ],
    });
    if (stored.status !== 'new') throw new Error('not stored');

    const env = childEnv(apiRoot, db, { NASHRA_TIME_ZONE: 'UTC', TELEGRAM_RATE_PER_SECOND: String(RATE) });
    const ours = () => fake.sent().filter((c) => preparedArticleOf(c.params) === 0);
    let child: ChildRun | undefined;
    cleanups.push(() => void child?.kill('SIGKILL'));

    // Up and idle first: the time is chosen once the run is up, so it needs no room for a run's start (a node start
    // was 8 s on a loaded 2-core machine, over 15 s on PostgreSQL: a pool and the schema's check), only for the two
    // commands below, in this process (10 s: milliseconds once loaded). The wait for the next whole minute was
    // 30-90 s from here, and is 10-70 s now.
    let before = fake.calls.length;
    child = spawnRun(env);
    // Meanwhile the CLI's modules are loaded into this process, so the commands below take milliseconds.
    expect((await runCliInProcess(['scheduled'], { env })).stdout).toMatch(/nothing is scheduled/);
    await until(
      () => fake.calls.length > before || child!.child.exitCode !== null,
      45_000,
      'the first run to reach the Bot API',
    );
    expect(child.child.exitCode, child.output()).toBeNull();
    // The next whole minute at least 10 s away (the CLI takes whole minutes), as an editor types it: HH:MM.
    const at = Math.ceil((Date.now() + 10_000) / 60_000) * 60_000;
    const clock = new Date(at).toISOString().slice(11, 16);
    const scheduled = await runCliInProcess(['broadcast', String(stored.article.id), '--all', '--at', clock, '--yes'], {
      env,
    });
    expect(scheduled.code, scheduled.stderr).toBe(0);
    expect(scheduled.stdout).toMatch(
      new RegExp(`scheduled broadcast b1: ${CHATS} deliveries of article 1 at \\d{4}-\\d\\d-\\d\\d ${clock} \\(UTC\\)`),
    );
    expect((await runCliInProcess(['scheduled'], { env })).stdout).toMatch(
      new RegExp(`b1\\t\\S+ ${clock}\\tbroadcast\\t${CHATS}\\t1\\t`),
    );

    // Killed 1.5 s before the time: nothing has gone, nothing is in doubt.
    await sleepUntil(at - 1500);
    await child.kill('SIGKILL');
    expect(ours()).toHaveLength(0);
    expect(await jobStates(db.ports)).toEqual({ queued: CHATS });

    // Restarted: at its time it goes; killed once a third or so has gone.
    before = fake.calls.length;
    child = spawnRun(env);
    await until(() => ours().length >= CHATS / 3 || child!.child.exitCode !== null, 30_000, 'the broadcast to go out');
    expect(child.child.exitCode, child.output()).toBeNull();
    await child.kill('SIGKILL');
    const leftSending = (await jobStates(db.ports)).sending ?? 0;
    expect(leftSending).toBeLessThanOrEqual(transportConcurrency(RATE));
    // Moving or cancelling it now is refused: it began at its time.
    const late = await runCliInProcess(['scheduled', 'cancel', 'b1'], { env });
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/broadcast b1 began at .* it is going out or went, so it can no longer be cancelled/);

    // Restarted once more, until the queue is empty.
    child = spawnRun(env, ['--once']);
    const exit = await child.exited;
    expect(exit.code, child.output()).toBe(0);

    const received = new Map<string, number>();
    for (const c of ours()) received.set(String(c.params.chat_id), (received.get(String(c.params.chat_id)) ?? 0) + 1);
    expect(Math.min(...ours().map((c) => c.at))).toBeGreaterThanOrEqual(at);
    {
      const posts = await jobsOf(db, stored.article.id);
      expect(posts).toHaveLength(CHATS);
      const tally = { sentOnce: 0, inDoubt: 0, duplicates: 0, lost: 0 };
      for (const p of posts) {
        const got = received.get((await db.ports.repos.subscriptions.get(p.subscriptionId))!.chatId) ?? 0;
        if (got > 1) tally.duplicates++;
        if (p.state === 'sent' && got === 1) tally.sentOnce++;
        else if (p.state === 'in_doubt') tally.inDoubt++;
        else tally.lost++;
      }
      console.log(
        `[scheduled kill] ${JSON.stringify(tally)}, left sending at the kill ${leftSending} (in-flight limit ${transportConcurrency(RATE)})`,
      );
      expect(tally).toEqual({ sentOnce: CHATS - leftSending, inDoubt: leftSending, duplicates: 0, lost: 0 });
      expect((await db.ports.repos.broadcasts.get(1))?.sendAt?.getTime()).toBe(at);
    }
    expect((await runCliInProcess(['scheduled'], { env })).stdout).toMatch(/nothing is scheduled/);
  }, 240_000);
});
