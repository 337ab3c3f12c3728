/**
 * The CLI as a child process: `nashra subs add … --digest --quiet` (rows read back), and a digest interrupted by
 * SIGKILL at the moment it goes out (the fake Bot API received it, the process never heard back): after the restart
 * it is in doubt and not sent again, nor are the articles it carried.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY } from '../../src/model/subscription.js';
import { storeArticleIn } from '../helpers/articles.js';
import { FakeTelegram } from '../fake-telegram/server.js';
import { CHILD_TOKEN, childEnv, spawnRun, until, type ChildRun } from '../helpers/child-run.js';
import { runCliInProcess } from '../helpers/cli.js';
import { freshDatabase, type RawDatabase } from '../helpers/raw-db.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** A subscription's jobs of one kind, oldest first. */
const jobsOf = async (db: RawDatabase, where: { article?: number; subscription?: number }, kind: string) =>
  (
    await db.sql(
      `SELECT id, state FROM jobs WHERE kind = ? AND ${where.article !== undefined ? 'article_id' : 'subscription_id'} = ? ORDER BY id`,
      kind,
      where.article ?? where.subscription,
    )
  ).map((r) => r.state as string);

describe('nashra subs add: digest and quiet hours', () => {
  it('sets them, keeps what is not given, says what changed, lists them, refuses a bad value in one line', async () => {
    const db = await freshDatabase();
    const cli = (...args: string[]) => runCliInProcess(args, { env: db.env });
    const r = await cli(
      'subs',
      'add',
      'telegram',
      '-1001234567890',
      '--digest',
      'daily@08:00',
      '--quiet',
      '00:00-07:00',
      '--quiet-mode',
      'wait',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\tsubscribed\n/);
    expect(r.stdout).toContain(
      'delivery: daily digest at 08:00; quiet 00:00-07:00: held until it ends (Asia/Damascus)',
    );
    const again = await cli(
      'subs',
      'add',
      'telegram',
      '-1001234567890',
      '--urgent',
      'now',
      '--quiet-urgent',
      'yes',
      '--time-zone',
      'Europe/Berlin',
    );
    expect(again.stdout).toMatch(/\tupdated \(changed: urgent, time zone, quiet urgent\)\n/);
    expect((await cli('subs', 'add', 'telegram', '-1001234567890', '--digest', 'daily@08:00')).stdout).toMatch(
      /\talready subscribed, nothing changed\n/,
    );
    const sub = (await db.ports.repos.subscriptions.findByChat('telegram', '-1001234567890'))!;
    expect(await db.ports.repos.subscriptions.delivery(sub.id)).toEqual({
      mode: 'daily',
      digestAt: 480,
      urgentNow: true,
      timeZone: 'Europe/Berlin',
      quiet: { start: 0, end: 420 },
      quietMode: 'wait',
      quietUrgent: true,
    });
    expect((await cli('subs', 'list')).stdout).toContain(
      'daily digest at 08:00, urgent alerts at once; quiet 00:00-07:00: held until it ends (urgent alerts ignore it) (Europe/Berlin)',
    );
    // `subs set` takes the same options (one parser, src/app/commands/subscription-options.ts).
    const set = await cli('subs', 'set', '1', '--digest', 'hourly', '--quiet', 'off');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/updated \(changed: digest, quiet hours\)/);
    expect(set.stdout).toContain('delivery: hourly digest, urgent alerts at once; no quiet hours');
    for (const [option, value, why] of [
      ['--digest', 'daily@25:00', /"25:00" is not a time of day/],
      ['--digest', 'weekly', /"weekly" is not hourly, daily@HH:MM or off/],
      ['--quiet', '07:00-07:00', /must start and end at different times/],
      ['--quiet-mode', 'loud', /"loud" is not silent or wait/],
      ['--time-zone', 'Mars/Olympus', /unknown time zone "Mars\/Olympus"/],
    ] as const) {
      const bad = await cli('subs', 'add', 'telegram', '-1001234567890', option, value);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(why);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--digest off: what a digest subscription held is queued to go out as usual, each article once', async () => {
    const db = await freshDatabase();
    const cli = (...args: string[]) => runCliInProcess(args, { env: db.env });
    expect((await cli('subs', 'add', 'console', 'desk', '--digest', 'hourly')).code).toBe(0);
    const r = await storeArticleIn(db.ports, {
      url: 'https://example.com/a/1',
      title: 'خبر عن دمشق',
      source: 'SY24',
      language: 'ar',
      categories: [],
      paragraphs: ['افتتحت بلدية دمشق سوقاً جديدة اليوم.'],
    });
    if (r.status !== 'new') throw new Error('duplicate');
    const sub = (await db.ports.repos.subscriptions.findByChat('console', 'desk'))!;
    await db.ports.repos.audience.queueListed(r.article.id, [sub.id], {}, Date.now());
    expect(await jobsOf(db, { article: r.article.id }, 'post')).toEqual(['held']);
    expect((await cli('subs', 'add', 'console', 'desk', '--digest', 'off')).stdout).toContain(
      'delivery: immediate; no quiet hours',
    );
    expect(await jobsOf(db, { article: r.article.id }, 'post')).toEqual(['queued']);
  });
});

// On PostgreSQL the killed run held the token's lease: `nashra run --once` takes it over before its drain (at once:
// the holder was a process of this machine, and it is gone; src/app/senders.ts settle), so what the killed run left
// `sending` is recovered as on SQLite. Before, --once ended without the sender, the digest left `sending`.
describe('a digest interrupted at the moment it goes out', () => {
  for (const policy of ['hold', 'resend'] as const) {
    it(`SIGKILL while the request is on the wire, ${policy === 'hold' ? 'hold: in doubt after the restart, never sent twice' : 'resend: the digest again, its articles never one by one'}`, async () => {
      const db = await freshDatabase();
      const { repos } = db.ports;
      const fake = new FakeTelegram(CHILD_TOKEN, {
        globalPerSecond: 1000,
        perChatPerSecond: 50,
        perGroupPerMinute: 1000,
      });
      const apiRoot = await fake.start();
      cleanups.push(() => fake.stop());
      const CHAT = '-1009990001';
      const urls: string[] = [];
      const sub = await repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: CHAT, kind: 'channel' },
        Date.now() - 3 * 3600_000,
      );
      await repos.subscriptions.setDelivery(
        sub.id,
        { ...DEFAULT_DELIVERY, mode: 'hourly', timeZone: 'UTC' },
        Date.now(),
      );
      for (let n = 0; n < 3; n++) {
        const url = `https://example.com/digest/${n}`;
        const r = await storeArticleIn(db.ports, {
          url,
          title: `تقرير رقم ${n} من حلب`,
          source: 'SY24',
          language: 'ar',
          categories: [],
          paragraphs: [`افتتحت بلدية حلب سوقاً جديدة رقم ${n} اليوم.`],
        });
        if (r.status !== 'new') throw new Error('duplicate');
        // Held before the last full hour, so the digest that closes it is due as soon as the run starts.
        await repos.audience.queueListed(r.article.id, [sub.id], {}, Date.now() - 2 * 3600_000);
        urls.push(url);
      }
      const release = fake.hold(CHAT);
      cleanups.push(release);
      const env = childEnv(apiRoot, db, { NASHRA_IN_DOUBT_POLICY: policy });
      let child: ChildRun | undefined = spawnRun(env);
      cleanups.push(() => void child?.kill('SIGKILL'));
      const digests = () => fake.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === CHAT);
      // Generous: on a loaded machine a process takes up to 20 s to start (measured at load 29).
      await until(
        () => digests().length === 1 || child!.child.exitCode !== null,
        60_000,
        'the digest to reach the Bot API',
      );
      expect(digests(), child.output()).toHaveLength(1);
      for (const url of urls) expect(digests()[0]!.params.text).toContain(url);
      await child.kill('SIGKILL');
      release();
      // PostgreSQL: the killed run's token lease (SQLite has none) is made to run 2 minutes more, so that only its
      // process being gone lets --once take it over, however long --once takes to start on a loaded machine.
      await db.sql(`UPDATE leases SET expires_at = ? WHERE name LIKE 'send:%'`, Date.now() + 120_000);

      child = spawnRun(env, ['--once']);
      const exit = await child.exited;
      expect(exit.code, child.output()).toBe(0);
      // Every message the chat got is the digest: once under hold, twice (at least once) under resend.
      expect(digests()).toHaveLength(policy === 'hold' ? 1 : 2);
      for (const d of digests()) expect(d.params.text).toContain('ملخص الأخبار');
      expect(await jobsOf(db, { subscription: sub.id }, 'digest')).toEqual([policy === 'hold' ? 'in_doubt' : 'sent']);
      expect(await db.sql('SELECT id FROM digests WHERE subscription_id = ?', sub.id)).toHaveLength(1);
      expect((await jobsOf(db, { subscription: sub.id }, 'post')).filter((state) => state === 'in_doubt')).toHaveLength(
        policy === 'hold' ? 3 : 0,
      );
    }, 180_000);
  }
});
