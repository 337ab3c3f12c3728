/**
 * The newsroom actions every front door calls, against a real database (either adapter: tests/helpers/raw-db.ts): permissions, one transaction, one audit
 * entry, and one definition of a broadcast's audience.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAppConfig, newsroomDeps, BUILT_IN_PLATFORMS } from '../../src/app/platforms.js';
import { PermissionError, UserError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import {
  articleReach,
  broadcastById,
  broadcastStatus,
  cancelBroadcast,
  changeSubscription,
  CLI_OPERATOR,
  composeUrgent,
  confirmBroadcast,
  correctionReport,
  decideReview,
  editArticle,
  findSubscription,
  fullReads,
  pollSourceNow,
  previewBroadcast,
  removeSource,
  rescheduleBroadcast,
  resendBroadcastFailed,
  resendFailed,
  resolveInDoubt,
  setSourceActive,
  setDelivery,
  stopBroadcast,
  subscribe,
  unscheduleBroadcast,
  unsubscribe,
  viewStats,
  type NewsroomDeps,
} from '../../src/newsroom/index.js';
import { storeArticleIn } from '../helpers/articles.js';
import type { Repositories } from '../../src/ports/index.js';
import { createDatabase, type OwnedDatabase } from '../helpers/raw-db.js';

const EDITOR = { platform: 'telegram', id: '5550001' };
const STRANGER = { platform: 'telegram', id: '999' };

let db: OwnedDatabase;
let repos: Repositories;
let deps: NewsroomDeps;
let queuedSignals = 0;

beforeEach(async () => {
  db = await createDatabase();
  repos = db.ports.repos;
  const config = loadAppConfig({
    TELEGRAM_BOT_TOKEN: '123456789:AAHfakeTokenForNashraTests_abcdefXYZ',
    TELEGRAM_EDITOR_IDS: EDITOR.id,
  });
  queuedSignals = 0;
  deps = newsroomDeps(BUILT_IN_PLATFORMS, config, db.ports, createLogger({ level: 'silent' }), () => {
    queuedSignals++;
  });
});
afterEach(() => db.close());

async function article(n: number, text: string, categories: string[] = []) {
  const r = await storeArticleIn(db.ports, {
    url: `https://news.example/${n}`,
    title: `خبر رقم ${n} عن ${text}`,
    source: 'مثال',
    categories,
    language: 'ar',
    paragraphs: [`تفاصيل الخبر رقم ${n} عن ${text} في فقرة أولى طويلة بما يكفي.`, `فقرة ثانية عن الموضوع ${n}.`],
  });
  if (r.status !== 'new') throw new Error('duplicate');
  return r.article;
}

/** The audit log's actions, oldest first (no port reads the log back). */
const actions = async () => (await db.sql('SELECT action FROM audit_log ORDER BY id')).map((e) => e.action as string);
/** An article's posts, oldest first (ids, chats, states, errors). */
const posts = async (articleId: number) =>
  (
    await db.sql(
      `SELECT id, subscription_id, state, last_error, attempts FROM jobs WHERE article_id = ? AND kind = 'post' ORDER BY id`,
      articleId,
    )
  ).map((r) => ({
    id: r.id as number,
    subscriptionId: r.subscription_id as number,
    state: r.state as string,
    lastError: r.last_error as string | null,
    attempts: r.attempts as number,
  }));

describe('broadcasts', () => {
  it('count the audience one way, and queue exactly the count the preview showed', async () => {
    const a = await article(1, 'الرقة');
    await subscribe(deps, EDITOR, { platform: 'telegram', chatId: '-1001', topics: ['الرقة'] });
    await subscribe(deps, EDITOR, { platform: 'telegram', chatId: '-1002', topics: ['الرياضة'] }); // does not match
    await subscribe(deps, EDITOR, { platform: 'whatsapp', chatId: '120363000000000001@g.us' });
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'console' });
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    expect(p.audience).toEqual({ willReceive: 3, alreadyHave: 0, failedBefore: 0 });
    const r = await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    expect(r).toMatchObject({ kind: 'done', queued: 3 });
    expect(queuedSignals).toBe(1);

    // Asked again: the same three already have it, the non-matching one still does not match.
    const again = await previewBroadcast(deps, EDITOR, a.url!);
    expect(again.audience).toEqual({ willReceive: 0, alreadyHave: 3, failedBefore: 0 });
    // Everyone (urgent alerts, or an editor's choice) includes the filtered chat; one platform only its chats.
    expect((await previewBroadcast(deps, EDITOR, String(a.id), { audience: { kind: 'all' } })).audience).toEqual({
      willReceive: 1,
      alreadyHave: 3,
      failedBefore: 0,
    });
    expect(
      (await previewBroadcast(deps, EDITOR, String(a.id), { audience: { kind: 'platform', platform: 'whatsapp' } }))
        .audience,
    ).toEqual({ willReceive: 0, alreadyHave: 1, failedBefore: 0 });
    const chosen = await previewBroadcast(deps, EDITOR, String(a.id), {
      audience: { kind: 'chats', subscriptionIds: [2] },
    });
    expect(chosen.audience).toEqual({ willReceive: 1, alreadyHave: 0, failedBefore: 0 });
    expect(await confirmBroadcast(deps, EDITOR, chosen.broadcast.id, chosen.broadcast.token)).toMatchObject({
      queued: 1,
    });
    expect((await posts(a.id)).map((d) => d.subscriptionId).sort()).toEqual([1, 2, 3, 4]);
  });

  it('confirm queues in the same transaction as the state change: a failure leaves the preview, with nothing queued', async () => {
    const a = await article(2, 'دمشق');
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'console' });
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    // Another connection makes every insert into the outbox fail, as a full disk or a crash would.
    if (db.name === 'sqlite')
      await db.sql(
        `CREATE TRIGGER refuse_deliveries BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'disk full'); END;`,
      );
    else {
      await db.sql(
        `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`,
      );
      await db.sql('CREATE TRIGGER refuse_deliveries BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION refuse()');
    }
    await expect(confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token)).rejects.toThrow(/disk full/);
    expect((await repos.broadcasts.get(p.broadcast.id))!.state).toBe('preview');
    expect(await posts(a.id)).toEqual([]);
    await db.sql(db.name === 'sqlite' ? 'DROP TRIGGER refuse_deliveries' : 'DROP TRIGGER refuse_deliveries ON jobs');
    // Pressed again once the disk has room: it goes through, once.
    expect(await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token)).toMatchObject({
      kind: 'done',
      queued: 1,
    });
    expect(await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token)).toMatchObject({
      kind: 'already-decided',
    });
  });

  it('refuse a stranger, a forged token and a replay, changing nothing, and audit the refusal', async () => {
    const a = await article(3, 'حلب');
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'console' });
    await expect(previewBroadcast(deps, STRANGER, String(a.id))).rejects.toBeInstanceOf(PermissionError);
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    await expect(confirmBroadcast(deps, STRANGER, p.broadcast.id, p.broadcast.token)).rejects.toThrow(PermissionError);
    expect(await confirmBroadcast(deps, EDITOR, p.broadcast.id, 'deadbeef')).toMatchObject({ kind: 'already-decided' });
    expect(await posts(a.id)).toEqual([]);
    expect(await actions()).toEqual(['subscription.add', 'refused', 'broadcast.preview', 'refused']);
    const [last] = await db.sql('SELECT platform, actor, detail FROM audit_log ORDER BY id DESC LIMIT 1');
    expect({ ...last, detail: JSON.parse(last!.detail as string) }).toMatchObject({
      platform: 'telegram',
      actor: '999',
      detail: { action: 'broadcast' },
    });
  });

  it('stop skips what is queued and the status says it is over', async () => {
    const a = await article(4, 'إدلب');
    for (let i = 0; i < 5; i++) await subscribe(deps, EDITOR, { platform: 'console', chatId: `c${i}` });
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    expect(await broadcastStatus(deps, p.broadcast.id)).toMatchObject({
      state: 'queued',
      remaining: 5,
      finished: false,
    });
    expect(await stopBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token)).toMatchObject({
      kind: 'done',
      skipped: 5,
    });
    expect(await broadcastStatus(deps, p.broadcast.id)).toMatchObject({
      state: 'stopped',
      skipped: 5,
      remaining: 0,
      finished: true,
    });
    expect(await stopBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token)).toMatchObject({
      kind: 'already-decided',
    });
  });

  it('an urgent alert is an urgent article: no URL, everyone, sent first', async () => {
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'console', topics: ['الرياضة'] });
    const p = await composeUrgent(deps, EDITOR, 'انفجار في دمشق');
    expect(p.article).toMatchObject({ urgent: true, url: undefined, title: 'انفجار في دمشق' });
    expect(p.broadcast.audience).toEqual({ kind: 'all' });
    expect(p.audience.willReceive).toBe(1);
    await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    expect((await repos.jobs.next('console', 5, 'oldest', Date.now(), { texts: true }))[0]).toMatchObject({
      articleId: p.article.id,
      priority: 10,
    });
    await expect(composeUrgent(deps, EDITOR, '   ')).rejects.toThrow(UserError);
  });
});

describe('failed deliveries', () => {
  it('the preview counts them apart; resend queues those that failed for a temporary reason, or every one when chosen', async () => {
    const a = await article(7, 'طرطوس');
    for (const chat of ['t1', 't2', 't3', 'gone']) await subscribe(deps, EDITOR, { platform: 'console', chatId: chat });
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    const [d1, d2, d3, d4] = await posts(a.id);
    await repos.jobs.markFailed(d1!.id, 'gave up after 6 attempts: 502', { retryable: true }, Date.now());
    await repos.jobs.markFailed(d2!.id, 'refused: message is too long', {}, Date.now());
    await repos.jobs.markFailed(d4!.id, 'gave up after 6 attempts: 502', { retryable: true }, Date.now());
    await repos.subscriptions.deactivate(d4!.subscriptionId, 'unsubscribed', Date.now());
    expect((await previewBroadcast(deps, EDITOR, String(a.id))).audience).toEqual({
      willReceive: 0,
      alreadyHave: 1,
      failedBefore: 2,
    });
    queuedSignals = 0;
    expect(await resendFailed(deps, EDITOR, a.id)).toEqual({ requeued: 1, leftFailed: 2 });
    expect(queuedSignals).toBe(1);
    expect(await repos.outbox.job(d1!.id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await repos.outbox.job(d2!.id))!.state).toBe('failed');
    expect(await resendFailed(deps, EDITOR, a.id, { everyFailure: true })).toEqual({ requeued: 1, leftFailed: 1 });
    expect((await repos.outbox.job(d2!.id))!.state).toBe('queued');
    expect((await repos.outbox.job(d4!.id))!.state).toBe('failed'); // no longer subscribed: never
    expect((await repos.outbox.job(d3!.id))!.state).toBe('queued');
    await expect(resendFailed(deps, STRANGER, a.id)).rejects.toThrow(PermissionError);
  });
});

describe('subscriptions', () => {
  it('unsubscribe deactivates and cancels what is queued, in one step, from any front door', async () => {
    const a = await article(5, 'حمص');
    const sub = (await subscribe(deps, STRANGER, { platform: 'telegram', chatId: '999' }, { managesChat: true }))
      .subscription;
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    const r = await unsubscribe(deps, STRANGER, { platform: 'telegram', chatId: '999' }, { managesChat: true });
    expect(r).toMatchObject({ kind: 'unsubscribed', cancelled: 1 });
    expect((await repos.subscriptions.get(sub.id))!.active).toBe(false);
    expect((await posts(a.id))[0]).toMatchObject({
      state: 'failed',
      lastError: expect.stringMatching(/subscription deactivated/),
    });
    expect(await unsubscribe(deps, STRANGER, { platform: 'telegram', chatId: '999' }, { managesChat: true })).toEqual({
      kind: 'not-subscribed',
    });
  });

  it('only an editor or whoever manages the chat may change it; a repeat says so; unmentioned settings are kept', async () => {
    await expect(subscribe(deps, STRANGER, { platform: 'telegram', chatId: '-100777' })).rejects.toThrow(
      PermissionError,
    );
    const first = await subscribe(deps, EDITOR, {
      platform: 'telegram',
      chatId: '-100777',
      topics: ['سياسة', 'اقتصاد'],
    });
    expect(first.kind).toBe('subscribed');
    expect(first.subscription.kind).toBe('channel');
    const again = await subscribe(deps, EDITOR, { platform: 'telegram', chatId: '-100777' });
    expect(again).toMatchObject({ kind: 'already', subscription: { topics: ['سياسة', 'اقتصاد'] } });
    expect(await subscribe(deps, EDITOR, { platform: 'telegram', chatId: '-100777', topics: ['سياسة'] })).toMatchObject(
      { kind: 'updated', changes: ['topics'], subscription: { topics: ['سياسة'] } },
    );
    await expect(
      setDelivery(deps, STRANGER, { platform: 'telegram', chatId: '-100777' }, { digest: { mode: 'hourly' } }),
    ).rejects.toThrow(PermissionError);
    expect(
      await setDelivery(deps, EDITOR, { platform: 'telegram', chatId: '-100777' }, { digest: { mode: 'hourly' } }),
    ).toMatchObject({ kind: 'updated', changes: ['digest'], subscription: { topics: ['سياسة'] } });
    await expect(subscribe(deps, EDITOR, { platform: 'telegram', chatId: 'abc' })).rejects.toThrow(
      /not a Telegram chat id/,
    );
    await expect(subscribe(deps, EDITOR, { platform: 'fax', chatId: '1' })).rejects.toThrow(/unknown platform "fax"/);
    expect(await actions()).toEqual([
      'refused',
      'subscription.add',
      'subscription.update',
      'refused',
      'subscription.update',
    ]);
  });

  it('an editor added to the store is an editor everywhere; the operator at the shell always is', async () => {
    const other = { platform: 'whatsapp', id: '963944000111' };
    await expect(viewStats(deps, other)).rejects.toThrow(PermissionError);
    await db.sql('INSERT INTO editors (platform, user_id, created_at) VALUES (?, ?, 1)', 'whatsapp', other.id);
    expect((await viewStats(deps, other)).articles).toBe(0);
    expect((await viewStats(deps, CLI_OPERATOR)).articles).toBe(0);
  });
});

describe('sources and in-doubt deliveries', () => {
  it('pause and resume a source, audited', async () => {
    const source = await repos.sources.add({ url: 'https://feeds.example/a', kind: 'rss', name: 'A' }, Date.now());
    expect((await setSourceActive(deps, EDITOR, source.id, false)).active).toBe(false);
    await expect(setSourceActive(deps, EDITOR, source.id, false)).rejects.toThrow(/already paused/);
    expect((await setSourceActive(deps, EDITOR, source.id, true)).active).toBe(true);
    await expect(setSourceActive(deps, STRANGER, source.id, false)).rejects.toThrow(PermissionError);
    expect(await actions()).toEqual(['source.pause', 'source.resume', 'refused']);
  });

  it('an editor marks an in-doubt delivery as sent, or sends it again', async () => {
    const a = await article(6, 'درعا');
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'x' });
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'y' });
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    const [d1, d2] = await posts(a.id);
    await repos.jobs.markSending(d1!.id, Date.now());
    await repos.jobs.markSending(d2!.id, Date.now());
    await repos.jobs.recoverInterrupted('hold', Date.now());
    expect((await resolveInDoubt(deps, EDITOR, d1!.id, 'mark-sent')).state).toBe('sent');
    expect((await resolveInDoubt(deps, EDITOR, d2!.id, 'send-again')).state).toBe('queued');
    await expect(resolveInDoubt(deps, EDITOR, d2!.id, 'send-again')).rejects.toThrow(/is queued, not in doubt/);
    expect((await actions()).slice(-2)).toEqual(['delivery.mark_sent', 'delivery.send_again']);
  });
});

describe('ids that are no row', () => {
  it('a fraction, NaN, ±Infinity, beyond 2^53 or BIGINT, 0 or negative is answered by every action as an id with no row is (PostgreSQL refused the statement)', async () => {
    // Rows 1 and 2 of each kind, so that an id rounded or truncated to one of them would find it.
    for (const n of [1, 2]) {
      await repos.sources.add({ url: `https://feeds.example/${n}`, kind: 'rss', name: `S${n}` }, Date.now());
      const a = await article(n, 'حمص');
      await subscribe(deps, EDITOR, { platform: 'console', chatId: `chat-${n}` });
      const p = await previewBroadcast(deps, EDITOR, String(a.id));
      await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    }
    const calls: Record<string, (id: number) => Promise<unknown>> = {
      removeSource: (id) => removeSource(deps, EDITOR, id),
      setSourceActive: (id) => setSourceActive(deps, EDITOR, id, false),
      pollSourceNow: (id) => pollSourceNow(deps, EDITOR, id),
      confirmBroadcast: (id) => confirmBroadcast(deps, EDITOR, id, 'ab'),
      cancelBroadcast: (id) => cancelBroadcast(deps, EDITOR, id, 'ab'),
      stopBroadcast: (id) => stopBroadcast(deps, EDITOR, id, 'ab'),
      rescheduleBroadcast: (id) => rescheduleBroadcast(deps, EDITOR, id, '18:00'),
      unscheduleBroadcast: (id) => unscheduleBroadcast(deps, EDITOR, id),
      broadcastById: (id) => broadcastById(deps, id),
      resendFailed: (id) => resendFailed(deps, EDITOR, id),
      resendBroadcastFailed: (id) => resendBroadcastFailed(deps, EDITOR, id),
      resolveInDoubt: (id) => resolveInDoubt(deps, EDITOR, id, 'mark-sent'),
      editArticle: (id) => editArticle(deps, EDITOR, id, { title: 'عنوان', summary: ['جملة.'], hashtags: [] }),
      decideReview: (id) => decideReview(deps, EDITOR, id, 'publish'),
      correctionReport: (id) => correctionReport(deps, id),
      fullReads: (id) => fullReads(deps, id),
      articleReach: async (id) => {
        const { posts, clicks, fullReads: reads } = await articleReach(deps, id);
        return { posts, clicks, reads };
      },
      findSubscription: (id) => findSubscription(deps, id),
      changeSubscription: (id) => changeSubscription(deps, EDITOR, id, { topics: ['حمص'] }),
      sourceFilter: (id) => changeSubscription(deps, EDITOR, 1, { sourceFilter: { sourceId: id, topics: ['حمص'] } }),
    };
    /** What the action answered: a value (none echoes the id), or the error's class and message with the id as <id>. */
    const outcome = async (call: (id: number) => Promise<unknown>, id: number) => {
      try {
        return `ok ${JSON.stringify(await call(id)) ?? 'undefined'}`;
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`.replaceAll(String(id), '<id>');
      }
    };
    const missing = 424_242;
    const hostile = [
      1.5,
      2.5,
      -0.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      2 ** 53 + 2,
      1e20,
      0,
      -1,
    ];
    for (const [name, call] of Object.entries(calls)) {
      const expected = await outcome(call, missing);
      expect(expected, name).not.toMatch(/syntax|range|database/i);
      for (const id of hostile) expect(await outcome(call, id), `${name}(${id})`).toBe(expected);
    }
    // Nothing was changed by any of them: rows 1 and 2 are as they were.
    expect((await repos.sources.list()).map((s) => [s.id, s.active])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect((await findSubscription(deps, 1))?.topics).toEqual([]);
    expect((await repos.subscriptions.sourceFilters(1)).length).toBe(0);
  });
});
