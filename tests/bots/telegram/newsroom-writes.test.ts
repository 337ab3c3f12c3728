/**
 * Issue 23 §3: what the Telegram bot used to write to the store itself (a group's move to a supergroup, a
 * broadcast's progress message, the review copies sent to editors) goes through newsroom actions, which check what
 * they are given. The real bot and worker against the fake Bot API; forged and replayed updates included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PLATFORMS, newsroomDeps } from '../../../src/app/platforms.js';
import { PermissionError } from '../../../src/errors.js';
import { holdForReview, placeProgress, recordReviewCopy, type NewsroomDeps } from '../../../src/newsroom/index.js';
import {
  addArticle,
  callback,
  EDITOR,
  message,
  privateChat,
  startHarness,
  waitFor,
  type Harness,
} from '../../fake-telegram/harness.js';
import { auditLog } from '../../helpers/raw-db.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const newsroomOf = (h: Harness): NewsroomDeps => newsroomDeps(BUILT_IN_PLATFORMS, h.config, h.data, h.logger);
const group = (id: number) => ({ id, type: 'group' as const, title: 'g' });
const subs = (h: Harness) => h.data.repos.subscriptions;
const refusals = (h: Harness) => h.lines.filter((l) => l.includes('telegram chat migration not followed'));

describe('telegram: a group that moved to a new chat id', () => {
  it("takes its subscription along, settings and all, audited as Nashra's doing", async () => {
    h = await startHarness();
    const sub = await subs(h).subscribe(
      { platform: 'telegram', chatId: '-702', kind: 'group', topics: ['الرقة'] },
      Date.now(),
    );
    h.fake.pushUpdate(message(group(-702), 9, '', { migrate_to_chat_id: -1000702 }));
    await waitFor(async () => (await subs(h!).findByChat('telegram', '-1000702')) !== undefined, 5000, 'migrated');
    expect(await subs(h).findByChat('telegram', '-1000702')).toMatchObject({
      id: sub.id,
      topics: ['الرقة'],
      active: true,
    });
    expect(await subs(h).findByChat('telegram', '-702')).toBeUndefined();
    const entry = (await auditLog(h.db)).find((e) => e.action === 'subscription.migrate');
    expect(entry).toMatchObject({ platform: 'system', detail: { subscription: sub.id, from: '-702', to: '-1000702' } });
  });

  it("follows no forged move: to a private chat, to a malformed id, onto another subscriber's chat, or of a private chat", async () => {
    h = await startHarness();
    const g = await subs(h).subscribe({ platform: 'telegram', chatId: '-703', kind: 'group' }, Date.now());
    const other = await subs(h).subscribe({ platform: 'telegram', chatId: '-1000800', kind: 'channel' }, Date.now());
    const person = await subs(h).subscribe({ platform: 'telegram', chatId: '4242', kind: 'private' }, Date.now());

    // A group «moving» to a person's chat: that would send the group's news to someone else's private chat.
    h.fake.pushUpdate(message(group(-703), 9, '', { migrate_to_chat_id: 777 }));
    await waitFor(() => refusals(h!).length === 1, 5000, 'the private target refused');
    expect(refusals(h)[0]).toContain('private chat');
    // A malformed id (a number Telegram never gives, as a string) is not taken over either.
    h.fake.pushUpdate(message(group(-703), 9, '', { migrate_to_chat_id: '-1000703; DROP' }));
    await waitFor(() => refusals(h!).length === 2, 5000, 'the malformed target refused');
    expect(refusals(h)[1]).toContain('not a Telegram chat id');
    // Onto a chat that has its own subscription: neither changes.
    h.fake.pushUpdate(message(group(-703), 9, '', { migrate_to_chat_id: -1000800 }));
    await waitFor(() => refusals(h!).length === 3, 5000, 'the taken target refused');
    expect(refusals(h)[2]).toContain('has a subscription already');
    // A private chat does not migrate: an update saying so is forged.
    h.fake.pushUpdate(message(privateChat(4242), 4242, '', { migrate_to_chat_id: -1000999 }));
    await waitFor(() => refusals(h!).length === 4, 5000, 'the private source refused');
    expect(refusals(h)[3]).toContain('not a group');

    expect(await subs(h).get(g.id)).toMatchObject({ chatId: '-703', active: true });
    expect(await subs(h).get(other.id)).toMatchObject({ chatId: '-1000800', active: true });
    expect(await subs(h).get(person.id)).toMatchObject({ chatId: '4242', active: true });
    expect(await subs(h).findByChat('telegram', '-1000999')).toBeUndefined();
    expect((await auditLog(h.db)).filter((e) => e.action === 'subscription.migrate')).toEqual([]);
  });
});

describe("telegram: a broadcast's progress message", () => {
  it('is recorded once, by the confirming editor, and no replayed or forged press moves it', async () => {
    h = await startHarness();
    const article = await addArticle(h.data);
    await subs(h).subscribe({ platform: 'telegram', chatId: '10001', kind: 'private' }, Date.now());
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/broadcast ${article.id}`));
    await waitFor(() => h!.fake.sentTo(EDITOR).some((c) => c.params.reply_markup), 5000, 'preview');
    const send = h.fake.sentTo(EDITOR).find((c) => c.params.reply_markup)!.params.reply_markup.inline_keyboard[0][0]
      .callback_data as string;
    const [, , id, token] = send.split(':');
    const newsroom = newsroomOf(h);

    // Before «إرسال» nobody can place a progress message, not even an editor with the right token.
    expect(
      await placeProgress(newsroom, { platform: 'telegram', id: String(EDITOR) }, Number(id), token!, {
        chatId: String(EDITOR),
        messageId: '1',
      }),
    ).toEqual({ kind: 'not-found' });

    h.fake.pushUpdate(callback(EDITOR, send));
    await waitFor(
      async () => (await h!.data.repos.broadcasts.get(Number(id)))?.progressMessage !== undefined,
      5000,
      'progress recorded',
    );
    const placed = (await h.data.repos.broadcasts.get(Number(id)))!;
    // New messages only: the progress message's own edits carry «إيقاف» too while the broadcast is under way.
    const progressMessages = () =>
      h!.fake
        .sent('sendMessage')
        .filter(
          (c) =>
            String(c.params.chat_id) === String(EDITOR) &&
            JSON.stringify(c.params.reply_markup ?? '').includes('bc:stop:'),
        );
    expect(progressMessages()).toHaveLength(1);
    expect(placed.progressChat).toBe(String(EDITOR));
    // The id recorded is the progress message's: it is the one edited as the broadcast goes.
    await waitFor(
      () =>
        h!.fake.calls.some(
          (c) =>
            c.method === 'editMessageText' &&
            String(c.params.chat_id) === String(EDITOR) &&
            String(c.params.message_id) === placed.progressMessage &&
            /انتهى النشر/.test(String(c.params.text)),
        ),
      5000,
      'the progress message edited',
    );

    // The same press replayed: already decided, no second progress message, the first one kept.
    h.fake.pushUpdate(callback(EDITOR, send));
    await waitFor(
      () => h!.fake.calls.filter((c) => c.method === 'answerCallbackQuery').length >= 2,
      5000,
      'the replay answered',
    );
    expect(progressMessages()).toHaveLength(1);
    expect(await h.data.repos.broadcasts.get(Number(id))).toMatchObject({
      progressChat: placed.progressChat,
      progressMessage: placed.progressMessage,
    });

    // Straight at the newsroom: someone who is not an editor is refused (and audited); a wrong token changes nothing.
    await expect(
      placeProgress(newsroom, { platform: 'telegram', id: '999' }, Number(id), token!, {
        chatId: '999',
        messageId: '5',
      }),
    ).rejects.toThrow(PermissionError);
    expect((await auditLog(h.db)).some((e) => e.action === 'refused' && e.actor === '999')).toBe(true);
    expect(
      await placeProgress(newsroom, { platform: 'telegram', id: String(EDITOR) }, Number(id), 'deadbeef', {
        chatId: '999',
        messageId: '5',
      }),
    ).toEqual({ kind: 'not-found' });
    expect(
      await placeProgress(newsroom, { platform: 'telegram', id: String(EDITOR) }, 9999, token!, {
        chatId: '999',
        messageId: '5',
      }),
    ).toEqual({ kind: 'not-found' });
    expect(await h.data.repos.broadcasts.get(Number(id))).toMatchObject({
      progressChat: placed.progressChat,
      progressMessage: placed.progressMessage,
    });
  });
});

describe('telegram: review copies', () => {
  it("records a copy only for an item held for review and only in an editor's chat", async () => {
    h = await startHarness();
    const newsroom = newsroomOf(h);
    const held = await addArticle(h.data);
    const loose = await addArticle(h.data);
    await h.data.uow.run((tx) => holdForReview(tx, held));
    const copy = {
      articleId: held.id,
      platform: 'telegram',
      chatId: String(EDITOR),
      messageId: '77',
      captioned: false,
    };
    expect(await recordReviewCopy(newsroom, { ...copy, chatId: '4242' })).toBe('not-an-editor');
    expect(await recordReviewCopy(newsroom, { ...copy, articleId: loose.id })).toBe('not-held');
    expect(await h.data.repos.reviews.copies(held.id, 'telegram')).toEqual([]);
    expect(await h.data.repos.reviews.copies(loose.id, 'telegram')).toEqual([]);
    expect(await recordReviewCopy(newsroom, copy)).toBe('recorded');
    expect(await h.data.repos.reviews.copies(held.id, 'telegram')).toEqual([copy]);
  });

  it('asks the editor through the bot, and a replayed «نشر» queues the item once', async () => {
    h = await startHarness();
    await subs(h).subscribe({ platform: 'telegram', chatId: '10001', kind: 'private' }, Date.now() - 60_000);
    const article = await addArticle(h.data);
    await h.data.uow.run((tx) => holdForReview(tx, article));
    await h.adapter.askEditorsToReview(article, (await h.data.repos.reviews.get(article.id))!);
    const [copy] = await h.data.repos.reviews.copies(article.id, 'telegram');
    expect(copy).toMatchObject({ chatId: String(EDITOR) });
    const press = callback(
      EDITOR,
      `rv:pub:${article.id}:${(await h.data.repos.reviews.get(article.id))!.token}`,
      EDITOR,
      Number(copy!.messageId),
    );
    h.fake.pushUpdate(press);
    h.fake.pushUpdate({ ...press, callback_query: { ...press.callback_query, id: `${press.callback_query.id}1` } });
    await waitFor(() => h!.fake.sentTo(10001).length === 1, 8000, 'the delivery');
    await waitFor(
      () => h!.fake.calls.filter((c) => c.method === 'answerCallbackQuery').length === 2,
      5000,
      'both presses answered',
    );
    // The fake has its message as soon as it arrives; the worker records `sent` once the answer is back.
    await waitFor(
      async () => (await h!.data.repos.outbox.countsByState(['post'])).every((c) => c.state !== 'sending'),
      5000,
      'the delivery recorded',
    );
    expect(await h.data.repos.outbox.countsByState(['post'])).toEqual([
      expect.objectContaining({ state: 'sent', count: 1 }),
    ]);
    expect((await auditLog(h.db)).filter((e) => e.action === 'review.publish')).toHaveLength(1);
  });
});
