/**
 * The outbox's actions from several front doors at once (issue 23 §3, the outbox slice of the ports): a resend of an
 * article's failures, a broadcast's resend and an editor's verdict on a job in doubt are each one unit of work with
 * their audit entry, so however their awaits interleave, every action that changed something has its one entry, what
 * the entries say was queued again is exactly the jobs that were, and two verdicts on one job cannot both win. Two
 * digest closings asked at once queue each period's digest once. Against a real database (either adapter:
 * tests/helpers/raw-db.ts); nothing of ours is mocked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAppConfig, newsroomDeps, BUILT_IN_PLATFORMS } from '../../src/app/platforms.js';
import { telegramMarkup } from '../../bots/telegram/markup.js';
import { createLogger } from '../../src/logger.js';
import type { JobRecord } from '../../src/model/delivery.js';
import {
  CLI_OPERATOR,
  confirmBroadcast,
  digestCloser,
  previewBroadcast,
  resendBroadcastFailed,
  resendFailed,
  resolveInDoubt,
  setDelivery,
  subscribe,
  viewStats,
  type Actor,
  type NewsroomDeps,
} from '../../src/newsroom/index.js';
import type { Repositories } from '../../src/ports/index.js';
import { createDatabase, type OwnedDatabase } from '../helpers/raw-db.js';
import { storeNumberedArticle } from '../helpers/articles.js';
import { seededRandom } from '../helpers/child-run.js';

const TELEGRAM_EDITOR: Actor = { platform: 'telegram', id: '5550001' };
const DESK: Actor = { platform: 'desk', id: 'editor@example.org' };
const DOORS = [TELEGRAM_EDITOR, DESK, CLI_OPERATOR];
const CHATS = ['-1001', '-1002', '-1003', '-1004', '-1005'];

let db: OwnedDatabase;
let repos: Repositories;
let deps: NewsroomDeps;
let articles = 0;
let signals = 0;

beforeEach(async () => {
  db = await createDatabase();
  repos = db.ports.repos;
  const config = loadAppConfig({
    TELEGRAM_BOT_TOKEN: '123456789:AAHfakeTokenForNashraTests_abcdefXYZ',
    TELEGRAM_EDITOR_IDS: TELEGRAM_EDITOR.id,
  });
  deps = newsroomDeps(BUILT_IN_PLATFORMS, config, db.ports, createLogger({ level: 'silent' }), () => {
    signals++;
  });
  articles = 0;
  signals = 0;
  for (const chatId of CHATS) await subscribe(deps, CLI_OPERATOR, { platform: 'telegram', chatId });
});
afterEach(() => db.close());

/** The audit entries of `actions` (a LIKE pattern), oldest first (no port reads the log back). */
const auditOf = async (actions: string) =>
  (await db.sql('SELECT platform, action, detail FROM audit_log WHERE action LIKE ? ORDER BY id', actions)).map(
    (e) => ({
      platform: e.platform as string,
      action: e.action as string,
      detail: JSON.parse(e.detail as string) as Record<string, unknown>,
    }),
  );
const outboxAudit = () => auditOf('delivery.%');
const job = async (id: number) => (await repos.outbox.job(id))!;
/** An article's posts, oldest first. */
const jobsOf = async (articleId: number) =>
  Promise.all(
    (await db.sql(`SELECT id FROM jobs WHERE article_id = ? AND kind = 'post' ORDER BY id`, articleId)).map((r) =>
      job(r.id as number),
    ),
  );

/** An article broadcast to every chat: one post per chat, queued. */
async function broadcast(): Promise<{ articleId: number; broadcastId: number; jobs: JobRecord[] }> {
  const n = ++articles;
  const article = await storeNumberedArticle(db.ports, n);
  const p = await previewBroadcast(deps, CLI_OPERATOR, String(article.id), { audience: { kind: 'all' } });
  await confirmBroadcast(deps, CLI_OPERATOR, p.broadcast.id, p.broadcast.token);
  return { articleId: article.id, broadcastId: p.broadcast.id, jobs: await jobsOf(article.id) };
}

/** The worker's outcomes, written as it writes them: failed (for a while, or for good), or on the wire at a crash. */
async function fail(job: JobRecord, retryable: boolean): Promise<void> {
  await repos.jobs.markFailed(
    job.id,
    retryable ? 'gave up after 6 attempts: 502' : 'refused: chat not found',
    { retryable },
    Date.now(),
  );
}
async function leaveInDoubt(jobs: JobRecord[]): Promise<void> {
  for (const j of jobs) await repos.jobs.markSending(j.id, Date.now());
  await repos.jobs.recoverInterrupted('hold', Date.now());
}

describe('outbox actions interleaving', () => {
  it('a resend from Telegram, one from the desk and verdicts from the shell and the desk, asked at once: each whole, one winner per job, audited once', async () => {
    const { articleId, broadcastId, jobs } = await broadcast();
    const [a, b, c, d, e] = jobs;
    await fail(a!, true);
    await fail(b!, true);
    await fail(c!, false);
    await leaveInDoubt([d!, e!]);
    signals = 0;
    // Neither awaited before the other: each yields at its awaits, as requests from several front doors would.
    const results = await Promise.allSettled([
      resendFailed(deps, TELEGRAM_EDITOR, articleId),
      resendBroadcastFailed(deps, DESK, broadcastId, { everyFailure: true }),
      resolveInDoubt(deps, CLI_OPERATOR, d!.id, 'send-again'),
      resolveInDoubt(deps, DESK, d!.id, 'mark-sent'),
      resolveInDoubt(deps, DESK, e!.id, 'mark-sent'),
      viewStats(deps, TELEGRAM_EDITOR),
    ]);
    const value = <T>(r: PromiseSettledResult<T>) => (r as PromiseFulfilledResult<T>).value;
    const outcome = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? 'ok' : String(r.reason));
    // Whatever their order: the three failures queued again once between the two resends, one verdict on d wins and
    // the other finds it queued or sent (changing nothing), each action that changed something audited once.
    const resends = [value(results[0]!) as { requeued: number }, value(results[1]!) as { requeued: number }];
    expect(resends[0]!.requeued + resends[1]!.requeued).toBe(3);
    expect([outcome(results[2]!), outcome(results[3]!)].filter((o) => o === 'ok')).toHaveLength(1);
    const dWon = outcome(results[2]!) === 'ok' ? 'queued' : 'sent';
    expect(outcome(results[4]!)).toBe('ok');
    // The statistics read between units, never inside one: nothing is in doubt once the verdicts are in (or read first).
    expect((await Promise.all(jobs.map((j) => job(j.id)))).map((j) => j.state)).toEqual([
      'queued',
      'queued',
      'queued',
      dWon,
      'sent',
    ]);
    const entries = (await outboxAudit()).map((e) => [e.action, e.platform, e.detail]);
    expect(entries).toHaveLength(4); // both resends (one may have found nothing left), the two winning verdicts
    expect((await auditOf('stats.view')).map((e) => e.platform)).toEqual(['telegram']);
    // The worker woken once per action that queued something.
    expect(signals).toBe(resends.filter((r) => r.requeued > 0).length + (dWon === 'queued' ? 1 : 0));
    if (db.name !== 'sqlite') return;
    // On SQLite units run in the order asked: Telegram's resend takes the two temporary failures, the desk's (every
    // failure) the one refused for good; the shell's verdict on d wins and the desk's finds it queued, changing
    // nothing. (PostgreSQL's order is the order its write lock is granted in.)
    expect(results.map(outcome)).toEqual([
      'ok',
      'ok',
      'ok',
      `RefusedError: post ${d!.id} is queued, not in doubt`,
      'ok',
      'ok',
    ]);
    expect(value(results[0]!)).toEqual({ requeued: 2, leftFailed: 1 });
    expect(value(results[1]!)).toEqual({ requeued: 1, leftFailed: 0, articleId });
    expect(value(results[5]!)).toMatchObject({ inDoubt: [] });
    expect((await job(a!.id)).lastError).toBe(`sent again by telegram:${TELEGRAM_EDITOR.id}`);
    expect((await job(c!.id)).lastError).toBe(`sent again by desk:${DESK.id}`);
    expect(entries).toEqual([
      ['delivery.resend_failed', 'telegram', { article: articleId, requeued: 2, everyFailure: false }],
      ['delivery.send_again', 'cli', { job: d!.id, kind: 'post' }],
      ['delivery.mark_sent', 'desk', { job: e!.id, kind: 'post' }],
      // The broadcast's resend read its broadcast first: its unit was asked after the verdicts'.
      ['delivery.resend_failed', 'desk', { article: articleId, requeued: 1, everyFailure: true }],
    ]);
  });

  for (const seed of [1, 2, 3]) {
    it(`any mix of resends and verdicts from three front doors agrees with its audit log (seed ${seed})`, async () => {
      const random = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const sent: Array<{ articleId: number; broadcastId: number; jobs: JobRecord[] }> = [];
      let conflicts = 0;
      for (let round = 0; round < 12; round++) {
        const b = await broadcast();
        sent.push(b);
        // Each post of the new broadcast fails for a while, for good, is left in doubt, or stays queued.
        const doubt: JobRecord[] = [];
        for (const j of b.jobs) {
          const r = random();
          if (r < 0.3) await fail(j, true);
          else if (r < 0.5) await fail(j, false);
          else if (r < 0.8) doubt.push(j);
        }
        await leaveInDoubt(doubt);
        const all = sent.flatMap((s) => s.jobs.map((j) => j.id));
        const before = new Map(await Promise.all(all.map(async (id) => [id, await job(id)] as const)));
        const auditBefore = (await outboxAudit()).length;
        const batch: Array<Promise<unknown>> = [];
        for (let i = 2 + Math.floor(random() * 5); i > 0; i--) {
          const actor = pick(DOORS);
          const target = pick(sent);
          const action = pick(['resend', 'resend-broadcast', 'mark-sent', 'send-again'] as const);
          const jobId = pick(target.jobs).id;
          batch.push(
            action === 'resend'
              ? resendFailed(deps, actor, target.articleId, { everyFailure: random() < 0.5 })
              : action === 'resend-broadcast'
                ? resendBroadcastFailed(deps, actor, target.broadcastId, { everyFailure: random() < 0.5 })
                : resolveInDoubt(deps, actor, jobId, action),
          );
        }
        const settled = await Promise.allSettled(batch);
        for (const r of settled) {
          if (r.status === 'rejected') {
            // Only a verdict on a job that is not (or no longer) in doubt is refused, and it wrote nothing.
            expect(String(r.reason)).toMatch(/is \w+, not in doubt/);
            conflicts++;
          }
        }
        const entries = (await outboxAudit()).slice(auditBefore);
        expect(entries).toHaveLength(settled.filter((r) => r.status === 'fulfilled').length);
        // What the entries say was queued again is exactly what changed, job by job.
        const after = new Map(await Promise.all(all.map(async (id) => [id, await job(id)] as const)));
        const requeued = [...before].filter(([id, j]) => j.state === 'failed' && after.get(id)!.state === 'queued');
        expect(
          entries
            .filter((e) => e.action === 'delivery.resend_failed')
            .reduce((n, e) => n + (e.detail.requeued as number), 0),
        ).toBe(requeued.length);
        const verdicts = entries.filter((e) => e.action !== 'delivery.resend_failed');
        expect(new Set(verdicts.map((e) => e.detail.job)).size).toBe(verdicts.length);
        for (const e of verdicts) {
          expect(before.get(e.detail.job as number)!.state).toBe('in_doubt');
          expect(after.get(e.detail.job as number)!.state).toBe(e.action === 'delivery.mark_sent' ? 'sent' : 'queued');
        }
        // Nothing else moved: a job in doubt without a verdict is still in doubt, nothing failed stays failed wrongly.
        for (const [id, j] of before) {
          if (j.state === 'in_doubt' && !verdicts.some((e) => e.detail.job === id))
            expect(after.get(id)!.state).toBe('in_doubt');
          if (j.state !== 'failed' && j.state !== 'in_doubt') expect(after.get(id)!.state).toBe(j.state);
        }
      }
      expect(conflicts).toBeGreaterThan(0);
    });
  }

  it("two digest closings asked at once (two platforms' loops) queue each period's digest once", async () => {
    for (const chatId of CHATS.slice(0, 3))
      await setDelivery(deps, CLI_OPERATOR, { platform: 'telegram', chatId }, { digest: { mode: 'hourly' } });
    for (let i = 0; i < 4; i++) await broadcast();
    const closer = digestCloser(db.ports, (p) => (p === 'telegram' ? telegramMarkup : undefined), deps.config);
    const at = Date.now() + 3600_000;
    const [first, second] = await Promise.all([closer.close(at), closer.close(at)]);
    // Three digests of four articles: one message each; the other closing found every period closed (the second on
    // SQLite; either on PostgreSQL, whose order is its write lock's).
    expect(db.name === 'sqlite' ? [first, second] : [first, second].sort()).toEqual(
      db.name === 'sqlite' ? [3, 0] : [0, 3],
    );
    expect(await repos.outbox.countsByState(['digest'])).toEqual([{ platform: 'telegram', state: 'queued', count: 3 }]);
    const held = await Promise.all(
      CHATS.slice(0, 3).map(async (chatId) =>
        (
          await db.sql(
            'SELECT d.items FROM digests d JOIN subscriptions s ON s.id = d.subscription_id WHERE s.chat_id = ? ORDER BY d.period_end',
            chatId,
          )
        ).map((x) => x.items),
      ),
    );
    expect(held).toEqual([[4], [4], [4]]);
  });
});
