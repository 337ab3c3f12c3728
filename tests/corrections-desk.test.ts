/**
 * The desk's correction and retraction (Fastify's inject, rows read back): «احفظ وصحّح المنشورات المرسلة» previews
 * before and after with the posts it will edit, «تأكيد التصحيح» queues one edit per sent post; «سحب الخبر» previews
 * the posts per platform, «تأكيد السحب» cancels what waits and queues the deletions; the report follows on the page.
 */
import { describe, expect, it } from 'vitest';
import { createConsoleTransport } from '../bots/console/transport.js';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { createLogger } from '../src/logger.js';
import { csrfOf, deskPerTest, EDITOR, get, jar, post, signIn, type DeskFixture } from './helpers/desk.js';

const setup = deskPerTest();

/** The article sent to two Telegram chats and queued for a third. */
function sentTo(fx: DeskFixture): void {
  const hourAgo = Date.now() - 3600_000;
  const subs = ['1001', '1002', '1003'].map((chatId) => fx.store.subscriptions.subscribe({ platform: 'telegram', chatId, kind: 'private' }, hourAgo));
  fx.store.jobs.enqueue(fx.article.id, subs.map((s) => ({ id: s.id, platform: 'telegram' })));
  for (const d of fx.store.jobs.next('telegram', 2)) {
    fx.store.jobs.markSending(d.id);
    fx.store.jobs.markSent(d.id, String(7000 + d.id));
  }
}

describe('desk: correct and retract a sent story', () => {
  it('preview, confirm, then the jobs; a retraction previews per platform and leaves the article retracted', async () => {
    const { f, app } = await setup();
    const j = jar();
    await signIn(app, j);
    sentTo(f);
    const page = await get(app, j, `/articles/${f.article.id}`);
    expect(page.body).toContain('id="correct-sent"');
    const title = 'عنوان مصحّح بعد التحقق من الأرقام';
    const draft = await post(app, j, `/articles/${f.article.id}/correct`, {
      _csrf: csrfOf(page.body), title, summary: f.article.summary.join('\n'), hashtags: f.article.hashtags.join(' '),
    });
    expect(draft.statusCode).toBe(303);
    const preview = await get(app, j, String(draft.headers.location));
    expect(preview.body).toContain(title);
    expect(preview.body).toMatch(/id="posts-telegram">2</);
    expect(f.store.jobs.totalsByState()).toEqual({}); // nothing before the confirmation
    const token = /name="token" value="([^"]+)"/.exec(preview.body)![1]!;
    const draftPath = String(draft.headers.location);
    expect((await post(app, j, `${draftPath}/confirm`, { _csrf: csrfOf(preview.body), token })).statusCode).toBe(303);
    expect((await post(app, j, `${draftPath}/confirm`, { _csrf: csrfOf(preview.body), token })).statusCode).toBe(303);
    expect(f.store.jobs.totalsByState()).toEqual({ queued: 2 });
    expect(f.store.articles.get(f.article.id)).toMatchObject({ title, revision: 2 });

    const retractPage = await get(app, j, `/articles/${f.article.id}/retract`);
    expect(retractPage.body).toMatch(/id="posts-telegram">2</);
    expect(retractPage.body).toMatch(/id="queued">1</);
    // Without the session's CSRF token nothing happens.
    expect((await post(app, j, `/articles/${f.article.id}/retract`, { _csrf: 'forged' })).statusCode).toBe(403);
    expect(f.store.articles.get(f.article.id)!.retracted).toBeUndefined();
    expect((await post(app, j, `/articles/${f.article.id}/retract`, { _csrf: csrfOf(retractPage.body) })).statusCode).toBe(303);
    expect(f.store.articles.get(f.article.id)!.retracted).toMatchObject({ by: `desk:${EDITOR}` });
    // The queued edits give way to the deletions; the delivery still queued is cancelled.
    expect(f.store.jobs.totalsByState()).toEqual({ skipped: 2, queued: 2 });
    expect(f.store.jobs.articleStates(f.article.id)).toEqual(expect.arrayContaining([{ platform: 'telegram', state: 'skipped', count: 1 }]));
    const after = await get(app, j, `/articles/${f.article.id}`);
    expect(after.body).toContain('سُحب هذا الخبر');
    expect(after.body).toContain('ما جرى للمنشورات');
    expect(after.body).not.toContain('id="retract"');
    expect(f.store.audit.recent(10).map((e) => e.action)).toEqual(expect.arrayContaining(['correction.preview', 'correction.confirm', 'article.retract']));
  });

  it('the report is Arabic: platforms by their labels, counts that agree with «منشور», Arabic reasons (issue 21, item 26)', async () => {
    const { f, app } = await setup();
    const j = jar();
    await signIn(app, j);
    const hourAgo = Date.now() - 3600_000;
    const subs = [
      f.store.subscriptions.subscribe({ platform: 'console', chatId: 'demo', kind: 'private' }, hourAgo),
      ...['1001', '1002'].map((chatId) => f.store.subscriptions.subscribe({ platform: 'telegram', chatId, kind: 'private' }, hourAgo)),
    ];
    f.store.jobs.enqueue(f.article.id, subs);
    for (const platform of ['console', 'telegram']) {
      for (const d of f.store.jobs.next(platform, 5)) {
        f.store.jobs.markSending(d.id);
        f.store.jobs.markSent(d.id, String(7000 + d.id));
      }
    }
    const retractPage = await get(app, j, `/articles/${f.article.id}/retract`);
    expect((await post(app, j, `/articles/${f.article.id}/retract`, { _csrf: csrfOf(retractPage.body) })).statusCode).toBe(303);
    // The console's worker fails its deletion (it cannot delete what it printed); Telegram's two wait for Telegram.
    const worker = new DeliveryWorker(f.store.ports(), [createConsoleTransport(() => {}, f.config)], createLogger({ level: 'silent' }), { pollMs: 5 });
    worker.start();
    try {
      await expect.poll(() => f.store.jobs.totalsByState().failed ?? 0, { timeout: 5000 }).toBe(1);
    } finally {
      await worker.stop(1000);
    }
    const page = (await get(app, j, `/articles/${f.article.id}`)).body;
    expect(page).toContain('<b>الطرفية</b> (سحب): تعذّر لمسه: منشور واحد');
    expect(page).toContain('الأسباب: لا تتيح الطرفية تعديل منشوراتها ولا حذفها (1)');
    expect(page).toContain('<b>تيليغرام</b> (سحب): ينتظر: منشوران');
    expect(page).not.toContain('cannot edit or delete');
  });
});
