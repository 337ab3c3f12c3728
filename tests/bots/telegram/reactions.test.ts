/**
 * Reactions to Nashra's posts on Telegram (issue 25, section 2), through the public seams: the real grammY bot and
 * delivery worker against the fake Bot API, which delivers `message_reaction_count` and `message_reaction` only to a
 * bot that asked for them in `allowed_updates` (as Telegram does); the counts read back from SQLite.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  articleReactions,
  confirmRetraction,
  CLI_OPERATOR,
  previewRetraction,
  reactionTotals,
  type NewsroomDeps,
} from '../../../src/newsroom/index.js';
import { routeArticleIn } from '../../helpers/articles.js';
import { freePort } from '../../helpers/child-run.js';
import { addArticle, startHarness, waitFor, type Harness } from '../../fake-telegram/harness.js';
import { adapterContextOn } from '../../helpers/context.js';
import { jobsOf } from '../../helpers/raw-db.js';
import type { StoredArticle } from '../../../src/model/article.js';
import type { FakeReaction } from '../../fake-telegram/server.js';

const CHANNEL = -1001234500001;
const GROUP = -1009876500002;
const OTHER_CHANNEL = -1005555500003;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const emoji = (e: string) => ({ type: 'emoji', emoji: e });

/** The channel and the group subscribed, one article sent to both: each chat's message id. */
async function sentToBoth(
  harness: Harness,
): Promise<{ article: StoredArticle; channelMsg: number; groupMsg: number; deps: NewsroomDeps }> {
  const hourAgo = Date.now() - 3600_000;
  await harness.data.repos.subscriptions.subscribe(
    { platform: 'telegram', chatId: String(CHANNEL), kind: 'channel' },
    hourAgo,
  );
  await harness.data.repos.subscriptions.subscribe(
    { platform: 'telegram', chatId: String(GROUP), kind: 'group' },
    hourAgo,
  );
  const article = await addArticle(harness.data);
  await routeArticleIn(harness.data, article);
  harness.worker.notify();
  await waitFor(
    async () => (await jobsOf(harness.db, article.id)).every((j) => j.state === 'sent'),
    8000,
    'both posts sent',
  );
  const deps = adapterContextOn(harness.config, harness.db, harness.logger, {
    onQueued: () => harness.worker.notify(),
  }).newsroom;
  return {
    article,
    channelMsg: await messageIdOf(harness, article.id, CHANNEL),
    groupMsg: await messageIdOf(harness, article.id, GROUP),
    deps,
  };
}

/** The message id the post to `chat` was stored with (what the Bot API answered). */
async function messageIdOf(harness: Harness, articleId: number, chat: number): Promise<number> {
  const sub = (await harness.data.repos.subscriptions.findByChat('telegram', String(chat)))!;
  const post = (await jobsOf(harness.db, articleId)).find((j) => j.subscriptionId === sub.id);
  return Number(post!.messageId);
}

/** The article's stored counts as { platform: { emoji: n } }. */
async function counts(deps: NewsroomDeps, articleId: number): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const p of await articleReactions(deps, articleId))
    out[p.platform] = Object.fromEntries(p.reactions.map((r) => [r.emoji, r.count]));
  return out;
}

const rows = async (harness: Harness): Promise<number> =>
  Number((await harness.db.sql('SELECT COUNT(*) AS n FROM post_reactions'))[0]!.n);

/** The reports the newsroom has taken so far (recorded or ignored, each logged once), and why each ignored one was. */
const reports = (harness: Harness) => harness.lines.filter((l) => /reaction report (recorded|ignored)/.test(l));
const why = (harness: Harness) => reports(harness).map((l) => /why="?([^"\s]+)/.exec(l)?.[1] ?? '?');
/** Waits until the bot has handed `n` reports in all to the newsroom. */
const handled = (harness: Harness, n: number) =>
  waitFor(() => reports(harness).length >= n, 8000, `${n} reaction reports handled`);

describe('Telegram reactions', () => {
  it('asks Telegram for reaction updates in allowed_updates (long polling): Telegram sends none otherwise', async () => {
    h = await startHarness();
    await waitFor(() => h!.fake.allowedUpdates !== undefined, 5000, 'a getUpdates with allowed_updates');
    expect(h.fake.allowedUpdates).toEqual(
      expect.arrayContaining([
        'message_reaction',
        'message_reaction_count',
        'message',
        'callback_query',
        'my_chat_member',
        'channel_post',
      ]),
    );
  });

  it("stores a channel post's counts (the latest picture, not a sum), read back from SQLite; an older picture arriving late changes nothing", async () => {
    h = await startHarness();
    const { article, channelMsg, deps } = await sentToBoth(h);
    const now = Math.floor(Date.now() / 1000);
    h.fake.pushReactionCount(
      { id: CHANNEL },
      channelMsg,
      [
        { type: emoji('👍'), total_count: 3 },
        { type: emoji('❤'), total_count: 1 },
      ],
      now,
    );
    h.fake.pushReactionCount(
      { id: CHANNEL },
      channelMsg,
      [
        { type: emoji('👍'), total_count: 5 },
        { type: { type: 'paid' }, total_count: 2 },
      ],
      now + 60,
    );
    // Grouped and delayed by Telegram: the picture of a minute before arrives last.
    h.fake.pushReactionCount(
      { id: CHANNEL },
      channelMsg,
      [
        { type: emoji('👍'), total_count: 4 },
        { type: emoji('🔥'), total_count: 9 },
      ],
      now + 30,
    );
    await handled(h, 3);
    expect(why(h)).toEqual(['recorded', 'recorded', 'stale']);
    expect(await counts(deps, article.id)).toEqual({ telegram: { '👍': 5, paid: 2 } });
    expect(await rows(h)).toBe(2);
    expect(await reactionTotals(deps, [article.id, 999_999])).toEqual(new Map([[article.id, 7]]));
    // The same picture again (a replay) leaves it as it is.
    h.fake.pushReactionCount(
      { id: CHANNEL },
      channelMsg,
      [
        { type: emoji('👍'), total_count: 5 },
        { type: { type: 'paid' }, total_count: 2 },
      ],
      now + 60,
    );
    await handled(h, 4);
    expect(await counts(deps, article.id)).toEqual({ telegram: { '👍': 5, paid: 2 } });
  });

  it("applies a group member's changes as differences, never storing who; taking back what was never counted stays at zero", async () => {
    h = await startHarness();
    const { article, groupMsg, deps } = await sentToBoth(h);
    h.fake.pushReaction({ id: GROUP }, groupMsg, 424242, [], [emoji('👍')]);
    h.fake.pushReaction({ id: GROUP }, groupMsg, 434343, [], [emoji('👍'), emoji('🔥')]);
    h.fake.pushReaction({ id: GROUP }, groupMsg, 424242, [emoji('👍')], [emoji('❤')]);
    h.fake.pushReaction({ id: GROUP }, groupMsg, 434343, [emoji('🔥')], []);
    await handled(h, 4);
    expect(await counts(deps, article.id)).toEqual({ telegram: { '👍': 1, '❤': 1 } });
    // A reaction given before Nashra listened, taken back now: nothing goes below zero.
    h.fake.pushReaction({ id: GROUP }, groupMsg, 454545, [emoji('😢')], []);
    h.fake.pushReaction({ id: GROUP }, groupMsg, 464646, [emoji('❤'), emoji('❤')], []);
    h.fake.pushReaction({ id: GROUP }, groupMsg, 474747, [emoji('❤')], []);
    await handled(h, 7);
    expect(await counts(deps, article.id)).toEqual({ telegram: { '👍': 1 } });
    // No user id is stored anywhere in the database's reaction tables.
    const dump =
      JSON.stringify(await h.db.sql('SELECT * FROM post_reactions')) +
      JSON.stringify(await h.db.sql('SELECT * FROM post_reaction_marks'));
    for (const user of ['424242', '434343', '454545', '464646']) expect(dump).not.toContain(user);
  });

  it("ignores updates for messages that are not Nashra's posts: another chat's message with the same id, an unknown message", async () => {
    h = await startHarness();
    const { article, channelMsg, groupMsg, deps } = await sentToBoth(h);
    // Forged or foreign: our post's message id, in another chat.
    h.fake.pushReactionCount({ id: OTHER_CHANNEL }, channelMsg, [{ type: emoji('👍'), total_count: 50 }]);
    h.fake.pushReaction({ id: OTHER_CHANNEL, type: 'supergroup' }, groupMsg, 1, [], [emoji('👍')]);
    // Our chats, messages Nashra never sent there: an unknown id, and each chat's post id in the other chat.
    h.fake.pushReactionCount({ id: CHANNEL }, 999_999, [{ type: emoji('👍'), total_count: 50 }]);
    h.fake.pushReactionCount({ id: GROUP }, channelMsg, [{ type: emoji('👍'), total_count: 50 }]);
    h.fake.pushReactionCount({ id: CHANNEL }, groupMsg, [{ type: emoji('👍'), total_count: 50 }]);
    await handled(h, 5);
    expect(why(h)).toEqual(Array(5).fill('not-our-post'));
    expect(await counts(deps, article.id)).toEqual({});
    expect(await rows(h)).toBe(0);
  });

  it('ignores absurd counts, oversized and unknown reaction types safely, and reports for a retracted story', async () => {
    h = await startHarness();
    const { article, channelMsg, groupMsg, deps } = await sentToBoth(h);
    const now = Math.floor(Date.now() / 1000);
    const bad: unknown[] = [-1, 10_000_001, 1.5, '7', null, Number.MAX_SAFE_INTEGER * 2];
    for (const [i, total] of bad.entries())
      h.fake.pushReactionCount({ id: CHANNEL }, channelMsg, [{ type: emoji('👍'), total_count: total }], now + i);
    // More kinds than any message can have.
    h.fake.pushReactionCount(
      { id: CHANNEL },
      channelMsg,
      Array.from({ length: 500 }, () => ({ type: emoji('👍'), total_count: 1 })),
      now + 10,
    );
    await handled(h, 7);
    expect(why(h)).toEqual(Array(7).fill('invalid'));
    expect(await rows(h)).toBe(0);
    // A kind the Bot API may add later, an oversized or non-emoji "emoji", a custom emoji id of the wrong form: left
    // out, the rest of the report counts.
    h.fake.pushReactionCount(
      { id: CHANNEL },
      channelMsg,
      [
        { type: emoji('🔥'), total_count: 2 },
        { type: { type: 'sticker', sticker_id: 'x' }, total_count: 5 },
        { type: emoji('👍'.repeat(40)), total_count: 5 },
        { type: emoji('<b>x</b>'), total_count: 5 },
        { type: { type: 'custom_emoji', custom_emoji_id: '5368324170671202286' }, total_count: 1 },
        { type: { type: 'custom_emoji', custom_emoji_id: 'a b'.repeat(50) }, total_count: 5 },
        { type: 'not an object' as unknown as FakeReaction, total_count: 5 },
      ],
      now + 20,
    );
    h.fake.pushReaction({ id: GROUP }, groupMsg, 7, [], [{ type: 'sticker' }, emoji('x'.repeat(3000)), emoji('👏')]);
    await handled(h, 9);
    expect(await counts(deps, article.id)).toEqual({ telegram: { '🔥': 2, '👏': 1, 'custom:5368324170671202286': 1 } });

    // Retracted: its posts are deleted, and what is reported after is not stored.
    await previewRetraction(deps, CLI_OPERATOR, String(article.id));
    await confirmRetraction(deps, CLI_OPERATOR, article.id);
    h.fake.pushReactionCount({ id: CHANNEL }, channelMsg, [{ type: emoji('🔥'), total_count: 40 }], now + 30);
    h.fake.pushReaction({ id: GROUP }, groupMsg, 8, [], [emoji('👏')]);
    await handled(h, 11);
    expect(why(h).slice(-2)).toEqual(['retracted', 'retracted']);
    expect(await counts(deps, article.id)).toEqual({ telegram: { '🔥': 2, '👏': 1, 'custom:5368324170671202286': 1 } });
  });

  it('survives malformed updates (no list, no chat, no date, nulls) and goes on counting', async () => {
    h = await startHarness();
    const { article, channelMsg, groupMsg, deps } = await sentToBoth(h);
    const date = Math.floor(Date.now() / 1000);
    const chat = { id: CHANNEL, type: 'channel', title: 'c' };
    h.fake.pushUpdate({ message_reaction_count: { chat, message_id: channelMsg, date, reactions: 'lots' } });
    h.fake.pushUpdate({
      message_reaction_count: { chat, message_id: channelMsg, date, reactions: [null, { total_count: 3 }] },
    });
    h.fake.pushUpdate({
      message_reaction_count: { chat, message_id: channelMsg, reactions: [{ type: emoji('👍'), total_count: 3 }] },
    });
    h.fake.pushUpdate({
      message_reaction_count: { message_id: channelMsg, date, reactions: [{ type: emoji('👍'), total_count: 3 }] },
    });
    h.fake.pushUpdate({
      message_reaction_count: {
        chat,
        message_id: { $gt: 0 },
        date,
        reactions: [{ type: emoji('👍'), total_count: 3 }],
      },
    });
    h.fake.pushUpdate({
      message_reaction: {
        chat: { id: GROUP, type: 'supergroup' },
        message_id: groupMsg,
        date,
        old_reaction: null,
        new_reaction: 'x',
      },
    });
    h.fake.pushReactionCount({ id: CHANNEL }, channelMsg, [{ type: emoji('🔥'), total_count: 4 }], date + 1);
    await waitFor(
      async () => (await counts(deps, article.id)).telegram?.['🔥'] === 4,
      8000,
      'the valid count after the broken ones',
    );
    expect(await counts(deps, article.id)).toEqual({ telegram: { '🔥': 4 } });
    expect(h.lines.filter((l) => /ERROR/.test(l))).toEqual([]);
    // Nothing was said in the channel or the group.
    expect(h.fake.sentTo(CHANNEL)).toHaveLength(1);
    expect(h.fake.sentTo(GROUP)).toHaveLength(1);
  });

  it('webhook mode: setWebhook names the reaction updates; a change Telegram delivers twice counts once; no secret, no count', async () => {
    const port = await freePort();
    h = await startHarness({
      env: { TELEGRAM_WEBHOOK_URL: 'https://news.example.org/telegram', TELEGRAM_WEBHOOK_PORT: String(port) },
    });
    const setWebhook = h.fake.calls.find((c) => c.method === 'setWebhook')!;
    const asked =
      typeof setWebhook.params.allowed_updates === 'string'
        ? JSON.parse(setWebhook.params.allowed_updates)
        : setWebhook.params.allowed_updates;
    expect(asked).toEqual(expect.arrayContaining(['message_reaction', 'message_reaction_count']));
    const { article, channelMsg, groupMsg, deps } = await sentToBoth(h);
    const url = `http://127.0.0.1:${port}/`;
    const count = {
      update_id: 777,
      message_reaction_count: {
        chat: { id: CHANNEL, type: 'channel', title: 'c' },
        message_id: channelMsg,
        date: Math.floor(Date.now() / 1000),
        reactions: [{ type: emoji('👍'), total_count: 12 }],
      },
    };
    expect(await h.fake.deliverWebhook(url, count)).toBe(200);
    const change = {
      update_id: 778,
      message_reaction: {
        chat: { id: GROUP, type: 'supergroup', title: 'g' },
        message_id: groupMsg,
        date: Math.floor(Date.now() / 1000),
        user: { id: 515151, is_bot: false, first_name: 'u' },
        old_reaction: [],
        new_reaction: [emoji('🔥')],
      },
    };
    // Telegram retries a delivery it thinks failed: the same update, twice (and a third time, concurrently).
    expect(await h.fake.deliverWebhook(url, change)).toBe(200);
    expect(await h.fake.deliverWebhook(url, change)).toBe(200);
    await Promise.all([h.fake.deliverWebhook(url, change), h.fake.deliverWebhook(url, change)]);
    await handled(h, 5);
    expect(why(h)).toEqual(['recorded', 'recorded', 'replayed', 'replayed', 'replayed']);
    expect(await counts(deps, article.id)).toEqual({ telegram: { '👍': 12, '🔥': 1 } });
    // A stranger who found the port: no secret header, refused before the bot sees it.
    const forged = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...count,
        update_id: 779,
        message_reaction_count: {
          ...count.message_reaction_count,
          reactions: [{ type: emoji('👍'), total_count: 9999 }],
        },
      }),
    });
    expect(forged.status).toBe(401);
    expect(await counts(deps, article.id)).toEqual({ telegram: { '👍': 12, '🔥': 1 } });
  });
});
