/**
 * The newsroom actions every front door calls, against a real SQLite store: permissions, one transaction, one audit
 * entry, and one definition of a broadcast's audience.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAppConfig, newsroomDeps, BUILT_IN_PLATFORMS } from '../src/app/platforms.js';
import { PermissionError, UserError } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { broadcastStatus, CLI_OPERATOR, composeUrgent, confirmBroadcast, previewBroadcast, resendFailed, resolveInDoubt, setSourceActive, setDelivery, stopBroadcast, subscribe, unsubscribe, viewStats, type NewsroomDeps } from '../src/newsroom/index.js';
import { storeArticleIn } from './helpers/articles.js';
import { openStore, type Store } from '../src/store/index.js';
import { tempDir } from './helpers/tmp.js';

const EDITOR = { platform: 'telegram', id: '5550001' };
const STRANGER = { platform: 'telegram', id: '999' };

let store: Store;
let deps: NewsroomDeps;
let path: string;
let cleanup: () => void;
let queuedSignals = 0;

beforeEach(() => {
  const t = tempDir('nashra-newsroom-');
  cleanup = t.cleanup;
  path = join(t.dir, 'n.db');
  store = openStore(path);
  const config = loadAppConfig({ TELEGRAM_BOT_TOKEN: '123456789:AAHfakeTokenForNashraTests_abcdefXYZ', TELEGRAM_EDITOR_IDS: EDITOR.id });
  queuedSignals = 0;
  deps = newsroomDeps(BUILT_IN_PLATFORMS, config, store, createLogger({ level: 'silent' }), () => { queuedSignals++; });
});
afterEach(() => { store.close(); cleanup(); });

async function article(n: number, text: string, categories: string[] = []) {
  const r = await storeArticleIn(store, {
    url: `https://news.example/${n}`, title: `خبر رقم ${n} عن ${text}`, source: 'مثال', categories, language: 'ar',
    paragraphs: [`تفاصيل الخبر رقم ${n} عن ${text} في فقرة أولى طويلة بما يكفي.`, `فقرة ثانية عن الموضوع ${n}.`],
  });
  if (r.status !== 'new') throw new Error('duplicate');
  return r.article;
}

const actions = () => store.audit.recent(50).map((e) => e.action).reverse();

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
    expect((await previewBroadcast(deps, EDITOR, String(a.id), { audience: { kind: 'all' } })).audience).toEqual({ willReceive: 1, alreadyHave: 3, failedBefore: 0 });
    expect((await previewBroadcast(deps, EDITOR, String(a.id), { audience: { kind: 'platform', platform: 'whatsapp' } })).audience).toEqual({ willReceive: 0, alreadyHave: 1, failedBefore: 0 });
    const chosen = await previewBroadcast(deps, EDITOR, String(a.id), { audience: { kind: 'chats', subscriptionIds: [2] } });
    expect(chosen.audience).toEqual({ willReceive: 1, alreadyHave: 0, failedBefore: 0 });
    expect(await confirmBroadcast(deps, EDITOR, chosen.broadcast.id, chosen.broadcast.token)).toMatchObject({ queued: 1 });
    expect(store.jobs.listForArticle(a.id).map((d) => d.subscriptionId).sort()).toEqual([1, 2, 3, 4]);
  });

  it('confirm queues in the same transaction as the state change: a failure leaves the preview, with nothing queued', async () => {
    const a = await article(2, 'دمشق');
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'console' });
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    // Another connection makes every insert into the outbox fail, as a full disk or a crash would.
    const other = new Database(path);
    other.exec(`CREATE TRIGGER refuse_deliveries BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    await expect(confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token)).rejects.toThrow(/disk full/);
    expect(store.broadcasts.get(p.broadcast.id)!.state).toBe('preview');
    expect(store.jobs.listForArticle(a.id)).toEqual([]);
    other.exec('DROP TRIGGER refuse_deliveries');
    other.close();
    // Pressed again once the disk has room: it goes through, once.
    expect(await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token)).toMatchObject({ kind: 'done', queued: 1 });
    expect(await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token)).toMatchObject({ kind: 'already-decided' });
  });

  it('refuse a stranger, a forged token and a replay, changing nothing, and audit the refusal', async () => {
    const a = await article(3, 'حلب');
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'console' });
    await expect(previewBroadcast(deps, STRANGER, String(a.id))).rejects.toBeInstanceOf(PermissionError);
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    await expect(confirmBroadcast(deps, STRANGER, p.broadcast.id, p.broadcast.token)).rejects.toThrow(PermissionError);
    expect(await confirmBroadcast(deps, EDITOR, p.broadcast.id, 'deadbeef')).toMatchObject({ kind: 'already-decided' });
    expect(store.jobs.listForArticle(a.id)).toEqual([]);
    expect(actions()).toEqual(['subscription.add', 'refused', 'broadcast.preview', 'refused']);
    expect(store.audit.recent(1)[0]).toMatchObject({ platform: 'telegram', actor: '999', detail: { action: 'broadcast' } });
  });

  it('stop skips what is queued and the status says it is over', async () => {
    const a = await article(4, 'إدلب');
    for (let i = 0; i < 5; i++) await subscribe(deps, EDITOR, { platform: 'console', chatId: `c${i}` });
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    expect(await broadcastStatus(deps, p.broadcast.id)).toMatchObject({ state: 'queued', remaining: 5, finished: false });
    expect(await stopBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token)).toMatchObject({ kind: 'done', skipped: 5 });
    expect(await broadcastStatus(deps, p.broadcast.id)).toMatchObject({ state: 'stopped', skipped: 5, remaining: 0, finished: true });
    expect(await stopBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token)).toMatchObject({ kind: 'already-decided' });
  });

  it('an urgent alert is an urgent article: no URL, everyone, sent first', async () => {
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'console', topics: ['الرياضة'] });
    const p = await composeUrgent(deps, EDITOR, 'انفجار في دمشق');
    expect(p.article).toMatchObject({ urgent: true, url: undefined, title: 'انفجار في دمشق' });
    expect(p.broadcast.audience).toEqual({ kind: 'all' });
    expect(p.audience.willReceive).toBe(1);
    await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    expect(store.jobs.next('console', 5)[0]).toMatchObject({ articleId: p.article.id, priority: 10 });
    await expect(composeUrgent(deps, EDITOR, '   ')).rejects.toThrow(UserError);
  });
});

describe('failed deliveries', () => {
  it('the preview counts them apart; resend queues those that failed for a temporary reason, or every one when chosen', async () => {
    const a = await article(7, 'طرطوس');
    for (const chat of ['t1', 't2', 't3', 'gone']) await subscribe(deps, EDITOR, { platform: 'console', chatId: chat });
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    const [d1, d2, d3, d4] = store.jobs.listForArticle(a.id);
    store.jobs.markFailed(d1!.id, 'gave up after 6 attempts: 502', { retryable: true });
    store.jobs.markFailed(d2!.id, 'refused: message is too long');
    store.jobs.markFailed(d4!.id, 'gave up after 6 attempts: 502', { retryable: true });
    store.deactivateSubscription(d4!.subscriptionId, 'unsubscribed');
    expect((await previewBroadcast(deps, EDITOR, String(a.id))).audience).toEqual({ willReceive: 0, alreadyHave: 1, failedBefore: 2 });
    queuedSignals = 0;
    expect(await resendFailed(deps, EDITOR, a.id)).toEqual({ requeued: 1, leftFailed: 2 });
    expect(queuedSignals).toBe(1);
    expect(store.jobs.get(d1!.id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(store.jobs.get(d2!.id)!.state).toBe('failed');
    expect(await resendFailed(deps, EDITOR, a.id, { everyFailure: true })).toEqual({ requeued: 1, leftFailed: 1 });
    expect(store.jobs.get(d2!.id)!.state).toBe('queued');
    expect(store.jobs.get(d4!.id)!.state).toBe('failed'); // no longer subscribed: never
    expect(store.jobs.get(d3!.id)!.state).toBe('queued');
    await expect(resendFailed(deps, STRANGER, a.id)).rejects.toThrow(PermissionError);
  });
});

describe('subscriptions', () => {
  it('unsubscribe deactivates and cancels what is queued, in one step, from any front door', async () => {
    const a = await article(5, 'حمص');
    const sub = (await subscribe(deps, STRANGER, { platform: 'telegram', chatId: '999' }, { managesChat: true })).subscription;
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    const r = await unsubscribe(deps, STRANGER, { platform: 'telegram', chatId: '999' }, { managesChat: true });
    expect(r).toMatchObject({ kind: 'unsubscribed', cancelled: 1 });
    expect(store.subscriptions.get(sub.id)!.active).toBe(false);
    expect(store.jobs.listForArticle(a.id)[0]).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/subscription deactivated/) });
    expect(await unsubscribe(deps, STRANGER, { platform: 'telegram', chatId: '999' }, { managesChat: true })).toEqual({ kind: 'not-subscribed' });
  });

  it('only an editor or whoever manages the chat may change it; a repeat says so; unmentioned settings are kept', async () => {
    await expect(subscribe(deps, STRANGER, { platform: 'telegram', chatId: '-100777' })).rejects.toThrow(PermissionError);
    const first = await subscribe(deps, EDITOR, { platform: 'telegram', chatId: '-100777', topics: ['سياسة', 'اقتصاد'] });
    expect(first.kind).toBe('subscribed');
    expect(first.subscription.kind).toBe('channel');
    const again = await subscribe(deps, EDITOR, { platform: 'telegram', chatId: '-100777' });
    expect(again).toMatchObject({ kind: 'already', subscription: { topics: ['سياسة', 'اقتصاد'] } });
    expect(await subscribe(deps, EDITOR, { platform: 'telegram', chatId: '-100777', topics: ['سياسة'] })).toMatchObject({ kind: 'updated', changes: ['topics'], subscription: { topics: ['سياسة'] } });
    await expect(setDelivery(deps, STRANGER, { platform: 'telegram', chatId: '-100777' }, { digest: { mode: 'hourly' } })).rejects.toThrow(PermissionError);
    expect(await setDelivery(deps, EDITOR, { platform: 'telegram', chatId: '-100777' }, { digest: { mode: 'hourly' } })).toMatchObject({ kind: 'updated', changes: ['digest'], subscription: { topics: ['سياسة'] } });
    await expect(subscribe(deps, EDITOR, { platform: 'telegram', chatId: 'abc' })).rejects.toThrow(/not a Telegram chat id/);
    await expect(subscribe(deps, EDITOR, { platform: 'fax', chatId: '1' })).rejects.toThrow(/unknown platform "fax"/);
    expect(actions()).toEqual(['refused', 'subscription.add', 'subscription.update', 'refused', 'subscription.update']);
  });

  it('an editor added to the store is an editor everywhere; the operator at the shell always is', async () => {
    const other = { platform: 'whatsapp', id: '963944000111' };
    await expect(viewStats(deps, other)).rejects.toThrow(PermissionError);
    store.editors.add('whatsapp', other.id);
    expect((await viewStats(deps, other)).articles).toBe(0);
    expect((await viewStats(deps, CLI_OPERATOR)).articles).toBe(0);
  });
});

describe('sources and in-doubt deliveries', () => {
  it('pause and resume a source, audited', async () => {
    const source = store.sources.add({ url: 'https://feeds.example/a', kind: 'rss', name: 'A' });
    expect((await setSourceActive(deps, EDITOR, source.id, false)).active).toBe(false);
    await expect(setSourceActive(deps, EDITOR, source.id, false)).rejects.toThrow(/already paused/);
    expect((await setSourceActive(deps, EDITOR, source.id, true)).active).toBe(true);
    await expect(setSourceActive(deps, STRANGER, source.id, false)).rejects.toThrow(PermissionError);
    expect(actions()).toEqual(['source.pause', 'source.resume', 'refused']);
  });

  it('an editor marks an in-doubt delivery as sent, or sends it again', async () => {
    const a = await article(6, 'درعا');
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'x' });
    await subscribe(deps, EDITOR, { platform: 'console', chatId: 'y' });
    const p = await previewBroadcast(deps, EDITOR, String(a.id));
    await confirmBroadcast(deps, EDITOR, p.broadcast.id, p.broadcast.token);
    const [d1, d2] = store.jobs.listForArticle(a.id);
    store.jobs.markSending(d1!.id);
    store.jobs.markSending(d2!.id);
    store.jobs.recoverInterrupted('hold');
    expect((await resolveInDoubt(deps, EDITOR, d1!.id, 'mark-sent')).state).toBe('sent');
    expect((await resolveInDoubt(deps, EDITOR, d2!.id, 'send-again')).state).toBe('queued');
    await expect(resolveInDoubt(deps, EDITOR, d2!.id, 'send-again')).rejects.toThrow(/is queued, not in doubt/);
    expect(actions().slice(-2)).toEqual(['delivery.mark_sent', 'delivery.send_again']);
  });
});
