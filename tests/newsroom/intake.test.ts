/**
 * Issue 16, item 3: items of a source added with review wait for an editor. Telegram end to end against the fake Bot
 * API (the real bot, worker and poller; button presses and edited messages), and the CLI as a child process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SourcePoller } from '../../src/ingest/poller.js';
import { reviewAnnouncer, searchArticles } from '../../src/newsroom/index.js';
import {
  callback,
  EDITOR,
  message,
  privateChat,
  startHarness,
  waitFor,
  type Harness,
} from '../fake-telegram/harness.js';
import { FakeTelegram } from '../fake-telegram/server.js';
import { childEnv, CHILD_TOKEN } from '../helpers/child-run.js';
import { runCliInProcess } from '../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { ITEMS, reviewFeed } from '../helpers/review-feed.js';
import { freshDatabase } from '../helpers/raw-db.js';
import { pollDeps } from '../../src/newsroom/intake.js';

const EDITOR2 = 5550002;
const CHANNEL = '-1001234';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function feedServer(items = ITEMS.slice(0, 1)): Promise<FeedServer> {
  const feeds = await startFeedServer({ '/rss': { body: reviewFeed('{{BASE}}', items) } });
  cleanups.push(() => feeds.close());
  return feeds;
}

const lastText = (h: Harness, chat: number) => String(h.fake.sentTo(chat).at(-1)?.params.text ?? '');
const keyboardOf = (call: { params: Record<string, unknown> }) => JSON.stringify(call.params.reply_markup ?? '');
const answers = (h: Harness) =>
  h.fake.calls.filter((c) => c.method === 'answerCallbackQuery').map((c) => String(c.params.text ?? ''));
const edits = (h: Harness, chat: number, messageId: string) =>
  h.fake.calls.filter(
    (c) =>
      c.method === 'editMessageText' &&
      String(c.params.chat_id) === String(chat) &&
      String(c.params.message_id) === messageId,
  );

describe('review: Telegram', () => {
  it('holds new items, asks every editor once with «نشر» / «تجاهل», and the first press decides for all', async () => {
    const feeds = await feedServer();
    const h = await startHarness({
      env: { NASHRA_ALLOW_PRIVATE_FETCH: '1', TELEGRAM_EDITOR_IDS: `${EDITOR},${EDITOR2}` },
    });
    cleanups.push(() => h.close());
    await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: CHANNEL, kind: 'channel' },
      Date.now() - 60_000,
    );

    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/sources add ${feeds.base}/rss مراجعة 15m`));
    await waitFor(() => lastText(h, EDITOR).includes('موافقة محرّر'), 8000, 'the add reply');
    const [source] = await h.data.repos.sources.list();
    expect(source).toMatchObject({ review: true, intervalSeconds: 900 });

    // Two new items appear; the poller stores and summarises them, holds them, and the run asks the editors.
    feeds.route('/rss', { body: reviewFeed('{{BASE}}', ITEMS.slice(0, 3)) });
    const announce = reviewAnnouncer(h.data.repos, () => h.data.isOpen(), h.logger, [h.adapter]);
    const summary = await new SourcePoller(
      pollDeps({ config: h.config, data: h.data, logger: h.logger }),
      () => h.worker.notify(),
      () => void announce(),
    ).pollAll();
    expect(summary).toMatchObject({ newArticles: 2, queued: 0, held: 2 });
    await announce();
    const held = (await h.data.repos.reviews.pending(10)).map((r) => r.articleId);
    expect(held).toHaveLength(2);
    const [second, third] = await Promise.all(held.map(async (id) => (await h.data.repos.articles.get(id))!));
    expect(second!.summary.length).toBeGreaterThan(0);
    for (const editor of [EDITOR, EDITOR2]) {
      const asks = h.fake.sentTo(editor).filter((c) => keyboardOf(c).includes('rv:pub:'));
      expect(asks.map((c) => c.params.text)).toEqual(
        expect.arrayContaining([expect.stringContaining(second!.title), expect.stringContaining(third!.title)]),
      );
      expect(asks).toHaveLength(2);
      expect(keyboardOf(asks[0]!)).toContain('rv:dis:');
    }
    await announce(); // asked once: a later pass sends nothing again
    expect(h.fake.sentTo(EDITOR).filter((c) => keyboardOf(c).includes('rv:pub:'))).toHaveLength(2);
    // Nothing is queued, and readers do not see it, before «نشر» (they see the backlog, which was never pushed).
    expect(await h.data.repos.outbox.countsByState(['post'])).toEqual([]);
    const backlog = (await h.data.repos.reads.latest(10, Date.now())).map((a) => a.id);
    expect(backlog).toHaveLength(1);
    expect(backlog).not.toContain(second!.id);
    expect(await searchArticles({ data: h.data }, 'القمح', 5)).toEqual([]);

    const copiesOf = async (id: number) =>
      Object.fromEntries((await h.data.repos.reviews.copies(id, 'telegram')).map((m) => [m.chatId, m.messageId]));
    const asked = { [second!.id]: await copiesOf(second!.id), [third!.id]: await copiesOf(third!.id) };
    const copies = (id: number) => asked[id]!;
    const token = (await h.data.repos.reviews.get(second!.id))!.token;

    // A reader who got hold of the button's data cannot press it.
    h.fake.pushUpdate(callback(4242, `rv:pub:${second!.id}:${token}`, 4242, 1));
    await waitFor(() => answers(h).some((t) => t.includes('للمحرّرين')), 5000, 'the refusal');
    expect((await h.data.repos.reviews.get(second!.id))!.state).toBe('pending');

    // The second editor publishes: queued for the channel, sent, and the first editor's copy says who decided.
    h.fake.pushUpdate(
      callback(EDITOR2, `rv:pub:${second!.id}:${token}`, EDITOR2, Number(copies(second!.id)[String(EDITOR2)])),
    );
    await waitFor(() => h.fake.sentTo(CHANNEL).length === 1, 8000, 'the delivery to the channel');
    expect(String(h.fake.sentTo(CHANNEL)[0]!.params.text)).toContain(second!.title);
    await waitFor(
      () => edits(h, EDITOR, copies(second!.id)[String(EDITOR)]!).length === 1,
      5000,
      'the other copy updated',
    );
    const edited = edits(h, EDITOR, copies(second!.id)[String(EDITOR)]!)[0]!;
    expect(String(edited.params.text)).toContain(`نشره u${EDITOR2}`);
    expect(edited.params.reply_markup).toBeUndefined();
    expect(await h.data.repos.reviews.get(second!.id)).toMatchObject({
      state: 'published',
      decidedBy: { platform: 'telegram', id: String(EDITOR2) },
      queued: 1,
    });

    // The first editor presses too, late: nothing more is queued, and the answer says who decided.
    h.fake.pushUpdate(
      callback(EDITOR, `rv:pub:${second!.id}:${token}`, EDITOR, Number(copies(second!.id)[String(EDITOR)])),
    );
    await waitFor(() => answers(h).some((t) => t.includes('سبق أن قرّر فيه')), 5000, 'the already-decided answer');
    expect(await h.data.repos.outbox.countsByState(['post'])).toEqual([
      expect.objectContaining({ state: 'sent', count: 1 }),
    ]);

    // The first editor dismisses the other item: never queued, and the second editor's copy says so.
    const token3 = (await h.data.repos.reviews.get(third!.id))!.token;
    h.fake.pushUpdate(
      callback(EDITOR, `rv:dis:${third!.id}:${token3}`, EDITOR, Number(copies(third!.id)[String(EDITOR)])),
    );
    await waitFor(
      () => edits(h, EDITOR2, copies(third!.id)[String(EDITOR2)]!).length === 1,
      5000,
      'the dismissal shown',
    );
    expect(String(edits(h, EDITOR2, copies(third!.id)[String(EDITOR2)]!)[0]!.params.text)).toContain(
      `تجاهله u${EDITOR}`,
    );
    expect(await h.data.repos.reviews.get(third!.id)).toMatchObject({
      state: 'dismissed',
      decidedBy: { id: String(EDITOR) },
    });
    expect(h.fake.sentTo(CHANNEL)).toHaveLength(1);

    // Readers now find the published item only; the audit says who did what, once each.
    expect((await h.data.repos.reads.latest(10, Date.now())).map((a) => a.id).sort()).toEqual(
      [...backlog, second!.id].sort(),
    );
    expect((await searchArticles({ data: h.data }, 'القمح', 5)).map((x) => x.article.id)).toEqual([second!.id]);
    const actions = await h.db.sql(`SELECT action, actor FROM audit_log WHERE action LIKE 'review.%'`);
    expect(actions.map((a) => [a.action, a.actor]).sort()).toEqual([
      ['review.dismiss', String(EDITOR)],
      ['review.publish', String(EDITOR2)],
    ]);
  });

  it('a source added without review sends its new items as before', async () => {
    const feeds = await feedServer();
    const h = await startHarness({ env: { NASHRA_ALLOW_PRIVATE_FETCH: '1' } });
    cleanups.push(() => h.close());
    await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: CHANNEL, kind: 'channel' },
      Date.now() - 60_000,
    );
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/sources add ${feeds.base}/rss`));
    await waitFor(
      async () => (await h.data.repos.sources.list()).length === 1 && h.fake.sentTo(EDITOR).length > 0,
      8000,
      'the add reply',
    );
    feeds.route('/rss', { body: reviewFeed('{{BASE}}', ITEMS.slice(0, 2)) });
    const summary = await new SourcePoller(pollDeps({ config: h.config, data: h.data, logger: h.logger }), () =>
      h.worker.notify(),
    ).pollAll();
    expect(summary).toMatchObject({ newArticles: 1, queued: 1, held: 0 });
    await waitFor(() => h.fake.sentTo(CHANNEL).length === 1, 8000, 'the delivery');
    expect(h.fake.sentTo(EDITOR).filter((c) => keyboardOf(c).includes('rv:'))).toHaveLength(0);
  });
});

describe('review: CLI', () => {
  it('sources add --review holds items; review list, publish and dismiss decide once', async () => {
    const feeds = await feedServer(ITEMS);
    const db = await freshDatabase();
    const env = { ...db.env, NASHRA_ALLOW_PRIVATE_FETCH: '1' };
    const cli = (...args: string[]) => runCliInProcess(args, { env });
    expect((await cli('subs', 'add', 'console', 'console')).code).toBe(0);

    const added = await runCliInProcess(['sources', 'add', `${feeds.base}/rss`, '--review', '--backfill', '2'], {
      env,
    });
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/2 existing items marked as seen, 2 held for review/);
    expect((await cli('sources', 'list')).stdout).toContain('(review)');

    // `nashra run` asks the editors about what a CLI process held (once), and queues nothing.
    const fake = new FakeTelegram(CHILD_TOKEN);
    const apiRoot = await fake.start();
    cleanups.push(() => fake.stop());
    const run = await runCliInProcess(['run', '--once'], {
      env: childEnv(apiRoot, db, { ...env, TELEGRAM_EDITOR_IDS: String(EDITOR) }),
    });
    expect(run.code).toBe(0);
    const asked = fake.sentTo(EDITOR).filter((c) => keyboardOf(c).includes('rv:pub:'));
    expect(asked.map((c) => String(c.params.text).split('\n')[0])).toEqual([
      `<b>${ITEMS[2]!.title}</b>`,
      `<b>${ITEMS[3]!.title}</b>`,
    ]);

    const list = await cli('review', 'list');
    expect(list.code).toBe(0);
    const rows = list.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'));
    expect(rows.map((r) => r[3])).toEqual([ITEMS[2]!.title, ITEMS[3]!.title]);
    const [first, second] = rows.map((r) => r[0]!);

    expect((await cli('review', 'publish', first!)).stdout).toMatch(
      new RegExp(`article ${first} published: queued for 1 subscription`),
    );
    const again = await cli('review', 'publish', first!);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already published by cli:cli at .*; nothing changed/);
    expect((await cli('review', 'dismiss', second!)).stdout).toContain(`article ${second} dismissed`);
    expect((await cli('review', 'dismiss', second!)).stdout).toMatch(/already dismissed .*nashra broadcast/);
    expect((await cli('review', 'list')).stdout.trim()).toBe('nothing is waiting for review');
    const missing = await cli('review', 'publish', '999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^nashra: article 999 is not held for review/);

    // One delivery, for the published item; none for the dismissed one.
    expect((await db.ports.repos.outbox.countsByState(['post'])).reduce((n, c) => n + c.count, 0)).toBe(1);
    expect(await db.ports.repos.reviews.get(Number(first))).toMatchObject({
      state: 'published',
      decidedBy: { platform: 'cli', id: 'cli' },
      queued: 1,
    });
    expect(await db.ports.repos.reviews.get(Number(second))).toMatchObject({ state: 'dismissed' });
    // Twelve CLI processes, each about 2 s to start on a loaded 2-core machine (the suite runs files side by side).
  }, 120_000);
});
