/**
 * The desk's correction and retraction (Fastify's inject, rows read back): «احفظ وصحّح المنشورات المرسلة» previews
 * before and after with the posts it will edit, «تأكيد التصحيح» queues one edit per sent post; «سحب الخبر» previews
 * the posts per platform, «تأكيد السحب» cancels what waits and queues the deletions; the report follows on the page.
 */
import { describe, expect, it } from 'vitest';
import { createConsoleTransport } from '../../bots/console/transport.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { createLogger } from '../../src/logger.js';
import { CORRECTIONS } from '../../src/model/delivery.js';
import { csrfOf, deskPerTest, EDITOR, get, jar, post, signIn, type DeskFixture } from '../helpers/desk.js';
import { queuePosts, sendQueued } from '../helpers/raw-db.js';

const setup = deskPerTest();

/** The article sent to two Telegram chats and queued for a third. */
async function sentTo(fx: DeskFixture): Promise<void> {
  const hourAgo = Date.now() - 3600_000;
  const subs = [];
  for (const chatId of ['1001', '1002', '1003'])
    subs.push(await fx.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId, kind: 'private' }, hourAgo));
  await queuePosts(
    fx.data,
    fx.article.id,
    subs.map((s) => s.id),
  );
  await sendQueued(fx.data, 'telegram', 2, (id) => String(7000 + id));
}

/** Edits and deletes per state, as the outbox counts them. */
const corrections = (fx: DeskFixture) => fx.data.repos.outbox.totalsByState(CORRECTIONS);

describe('desk: correct and retract a sent story', () => {
  it('preview, confirm, then the jobs; a retraction previews per platform and leaves the article retracted', async () => {
    const { f, app } = await setup();
    const j = jar();
    await signIn(app, j);
    await sentTo(f);
    const page = await get(app, j, `/articles/${f.article.id}`);
    expect(page.body).toContain('id="correct-sent"');
    const title = 'عنوان مصحّح بعد التحقق من الأرقام';
    const draft = await post(app, j, `/articles/${f.article.id}/correct`, {
      _csrf: csrfOf(page.body),
      title,
      summary: f.article.summary.join('\n'),
      hashtags: f.article.hashtags.join(' '),
    });
    expect(draft.statusCode).toBe(303);
    const preview = await get(app, j, String(draft.headers.location));
    expect(preview.body).toContain(title);
    expect(preview.body).toMatch(/id="posts-telegram">2</);
    expect(await corrections(f)).toEqual({}); // nothing before the confirmation
    const token = /name="token" value="([^"]+)"/.exec(preview.body)![1]!;
    const draftPath = String(draft.headers.location);
    expect((await post(app, j, `${draftPath}/confirm`, { _csrf: csrfOf(preview.body), token })).statusCode).toBe(303);
    expect((await post(app, j, `${draftPath}/confirm`, { _csrf: csrfOf(preview.body), token })).statusCode).toBe(303);
    expect(await corrections(f)).toEqual({ queued: 2 });
    expect(await f.data.repos.articles.get(f.article.id)).toMatchObject({ title, revision: 2 });

    const retractPage = await get(app, j, `/articles/${f.article.id}/retract`);
    expect(retractPage.body).toMatch(/id="posts-telegram">2</);
    expect(retractPage.body).toMatch(/id="queued">1</);
    // Without the session's CSRF token nothing happens.
    expect((await post(app, j, `/articles/${f.article.id}/retract`, { _csrf: 'forged' })).statusCode).toBe(403);
    expect((await f.data.repos.articles.get(f.article.id))!.retracted).toBeUndefined();
    expect(
      (await post(app, j, `/articles/${f.article.id}/retract`, { _csrf: csrfOf(retractPage.body) })).statusCode,
    ).toBe(303);
    expect((await f.data.repos.articles.get(f.article.id))!.retracted).toMatchObject({ by: `desk:${EDITOR}` });
    // The queued edits give way to the deletions; the delivery still queued is cancelled.
    expect(await corrections(f)).toEqual({ skipped: 2, queued: 2 });
    expect(await f.data.repos.corrections.postStates(f.article.id)).toEqual(
      expect.arrayContaining([{ platform: 'telegram', state: 'skipped', count: 1 }]),
    );
    const after = await get(app, j, `/articles/${f.article.id}`);
    expect(after.body).toContain('سُحب هذا الخبر');
    expect(after.body).toContain('ما جرى للمنشورات');
    expect(after.body).not.toContain('id="retract"');
    expect((await f.data.repos.reads.audit({ limit: 10 })).map((e) => e.action)).toEqual(
      expect.arrayContaining(['correction.preview', 'correction.confirm', 'article.retract']),
    );
  });

  it('the report is Arabic: platforms by their labels, counts that agree with «منشور», Arabic reasons (issue 21, item 26)', async () => {
    const { f, app } = await setup();
    const j = jar();
    await signIn(app, j);
    const hourAgo = Date.now() - 3600_000;
    const subs = [
      await f.data.repos.subscriptions.subscribe({ platform: 'console', chatId: 'demo', kind: 'private' }, hourAgo),
      await f.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: '1001', kind: 'private' }, hourAgo),
      await f.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: '1002', kind: 'private' }, hourAgo),
    ];
    await queuePosts(
      f.data,
      f.article.id,
      subs.map((s) => s.id),
    );
    for (const platform of ['console', 'telegram']) await sendQueued(f.data, platform, 5, (id) => String(7000 + id));
    const retractPage = await get(app, j, `/articles/${f.article.id}/retract`);
    expect(
      (await post(app, j, `/articles/${f.article.id}/retract`, { _csrf: csrfOf(retractPage.body) })).statusCode,
    ).toBe(303);
    // The console's worker fails its deletion (it cannot delete what it printed); Telegram's two wait for Telegram.
    const worker = new DeliveryWorker(
      f.data,
      [createConsoleTransport(() => {}, f.config)],
      createLogger({ level: 'silent' }),
      { pollMs: 5 },
    );
    worker.start();
    try {
      await expect.poll(async () => (await corrections(f)).failed ?? 0, { timeout: 5000 }).toBe(1);
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
