/**
 * The desk's correction and retraction (Fastify's inject, rows read back): «احفظ وصحّح المنشورات المرسلة» previews
 * before and after with the posts it will edit, «تأكيد التصحيح» queues one edit per sent post; «سحب الخبر» previews
 * the posts per platform, «تأكيد السحب» cancels what waits and queues the deletions; the report follows on the page.
 */
import { describe, expect, it } from 'vitest';
import { csrfOf, deskPerTest, EDITOR, get, jar, post, signIn, type DeskFixture } from './helpers/desk.js';

const setup = deskPerTest();

/** The article sent to two Telegram chats and queued for a third. */
function sentTo(fx: DeskFixture): void {
  const hourAgo = Date.now() - 3600_000;
  const subs = ['1001', '1002', '1003'].map((chatId) => fx.store.subscriptions.subscribe({ platform: 'telegram', chatId, kind: 'private' }, hourAgo));
  fx.store.deliveries.enqueue(fx.article.id, subs.map((s) => ({ id: s.id, platform: 'telegram' })));
  for (const d of fx.store.deliveries.next('telegram', 2)) {
    fx.store.deliveries.markSending(d.id);
    fx.store.deliveries.markSent(d.id, String(7000 + d.id));
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
    expect(f.store.corrections.countsByState()).toEqual({}); // nothing before the confirmation
    const token = /name="token" value="([^"]+)"/.exec(preview.body)![1]!;
    const draftPath = String(draft.headers.location);
    expect((await post(app, j, `${draftPath}/confirm`, { _csrf: csrfOf(preview.body), token })).statusCode).toBe(303);
    expect((await post(app, j, `${draftPath}/confirm`, { _csrf: csrfOf(preview.body), token })).statusCode).toBe(303);
    expect(f.store.corrections.countsByState()).toEqual({ queued: 2 });
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
    expect(f.store.corrections.countsByState()).toEqual({ skipped: 2, queued: 2 });
    expect(f.store.deliveries.articleStates(f.article.id)).toEqual(expect.arrayContaining([{ platform: 'telegram', state: 'skipped', count: 1 }]));
    const after = await get(app, j, `/articles/${f.article.id}`);
    expect(after.body).toContain('سُحب هذا الخبر');
    expect(after.body).toContain('ما جرى للمنشورات');
    expect(after.body).not.toContain('id="retract"');
    expect(f.store.audit.recent(10).map((e) => e.action)).toEqual(expect.arrayContaining(['correction.preview', 'correction.confirm', 'article.retract']));
  });
});
