/**
 * A broadcast is finished for the editor when nothing more can go now: what waits for a chat's quiet hours (in
 * `wait` mode) or its digest goes by itself, and every front door shows it as waiting, with its time, apart from
 * what is being sent or retried. Telegram's progress message (through the fake Bot API), `nashra stats` and
 * `nashra resend` (the built CLI), the desk's broadcast and Queue pages (over HTTP).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../src/app/platforms.js';
import { formatClock } from '../../src/text/schedule.js';
import { createLogger } from '../../src/logger.js';
import { CLI_OPERATOR, setDelivery } from '../../src/newsroom/index.js';
import { queueAudienceIn, storeArticleIn } from '../helpers/articles.js';
import type { DataPorts } from '../../src/ports/index.js';
import {
  addArticle,
  callback,
  EDITOR,
  message,
  privateChat,
  startHarness,
  waitFor,
  type Harness,
} from '../fake-telegram/harness.js';
import { runCliInProcess } from '../helpers/cli.js';
import { deskPerTest, get, jar, signIn } from '../helpers/desk.js';
import { freshDatabase, jobsOf } from '../helpers/raw-db.js';

const MINUTE = 60_000;
/** Minutes since midnight UTC, now. */
const utcMinutes = (at = Date.now()) => Math.floor((at % 86_400_000) / MINUTE);
/** A quiet window in UTC that holds messages now: from an hour ago to two hours from now. */
const quietNow = () => ({ start: (utcMinutes() + 1440 - 60) % 1440, end: (utcMinutes() + 120) % 1440 });
/** The next instant the UTC clock shows `minutes`. */
const nextUtc = (minutes: number, now = Date.now()) => {
  const today = now - (now % 86_400_000) + minutes * MINUTE;
  return today > now ? today : today + 86_400_000;
};
/** HH:MM in Damascus (UTC+3 all year since 2022), the default NASHRA_TIME_ZONE. */
const damascusClock = (at: number) => formatClock(utcMinutes(at + 3 * 60 * MINUTE));

function deps(store: DataPorts) {
  return newsroomDeps(BUILT_IN_PLATFORMS, loadAppConfig({}), store, createLogger({ level: 'error', write: () => {} }));
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a broadcast whose recipients wait for their chats', () => {
  it('Telegram: the progress message says finished, with what waits for quiet hours or a digest and until when, and offers «إعادة إرسال الفاشلة»', async () => {
    h = await startHarness();
    const article = await addArticle(h.data);
    for (const chat of ['10001', '10002', '10003', '10004'])
      await h.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: chat, kind: 'private' }, Date.now());
    const newsroom = deps(h.data);
    await setDelivery(
      newsroom,
      CLI_OPERATOR,
      { platform: 'telegram', chatId: '10002' },
      { quiet: quietNow(), quietMode: 'wait', timeZone: 'UTC' },
    );
    const digestAt = (utcMinutes() + 180) % 1440;
    await setDelivery(
      newsroom,
      CLI_OPERATOR,
      { platform: 'telegram', chatId: '10003' },
      { digest: { mode: 'daily', at: digestAt }, timeZone: 'UTC' },
    );
    h.fake.failFor(10004, { kind: 'blocked' });

    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/broadcast ${article.id}`));
    await waitFor(() => h!.fake.sentTo(EDITOR).some((c) => c.params.reply_markup), 5000, 'the preview');
    const send = h.fake.sentTo(EDITOR).find((c) => c.params.reply_markup)!.params.reply_markup.inline_keyboard[0][0];
    h.fake.pushUpdate(callback(EDITOR, send.callback_data));

    const finished = () =>
      h!.fake
        .sent('editMessageText')
        .filter((c) => String(c.params.chat_id) === String(EDITOR) && /انتهى النشر/.test(c.params.text));
    await waitFor(() => finished().length > 0, 10_000, 'the progress message to say finished');
    const last = finished().at(-1)!;
    // The digest (in three hours) is the later of the two waits; shown on the newsroom's clock.
    expect(last.params.text).toBe(
      `انتهى النشر — أُرسل: 1، فشل: 1، بانتظار موعد المحادثة (ساعات الهدوء أو الملخص): 2 حتى ${damascusClock(nextUtc(digestAt))}`,
    );
    expect(last.params.reply_markup.inline_keyboard[0][0].text).toBe('إعادة إرسال الفاشلة');
    expect((await h.data.repos.broadcasts.get(1))?.state).toBe('done');
    expect(h.fake.sentTo(10002).length + h.fake.sentTo(10003).length).toBe(0);
    expect(await h.data.repos.broadcasts.progress(1)).toMatchObject({ sent: 1, failed: 1, queued: 1, held: 1 });
  });

  it('nashra stats: what waits for its chat is counted apart, with when the last goes; nashra resend takes a broadcast id', async () => {
    const db = await freshDatabase();
    const store = db.ports.repos;
    const newsroom = deps(db.ports);
    for (const chatId of ['quiet', 'plain', 'flaky'])
      await store.subscriptions.subscribe({ platform: 'console', chatId, kind: 'private' }, Date.now());
    const quiet = quietNow();
    await setDelivery(
      newsroom,
      CLI_OPERATOR,
      { platform: 'console', chatId: 'quiet' },
      { quiet, quietMode: 'wait', timeZone: 'UTC' },
    );
    const stored = await storeArticleIn(db.ports, {
      url: 'https://example.com/a',
      title: 'خبر للبث',
      source: 'SY24',
      language: 'ar',
      categories: [],
      paragraphs: ['أعلنت السلطات اليوم عن خطة جديدة لدعم الأحياء في المدينة.', 'وقال مسؤول إن الخطة تشمل مشاريع عدة.'],
    });
    if (stored.status !== 'new') throw new Error('not stored');
    const articleId = stored.article.id;
    // Broadcasts 1 and 2 were previews cancelled; 3 went out. Article ids and broadcast ids differ.
    const create = () =>
      store.broadcasts.create(
        { articleId, platform: 'cli', editorId: 'x', urgent: false, audience: { kind: 'all' }, paid: false },
        Date.now(),
      );
    for (let i = 0; i < 2; i++)
      await store.broadcasts.transition((await create()).id, 'preview', 'cancelled', Date.now());
    const b = await create();
    expect(b.id).toBe(3);
    await store.broadcasts.transition(b.id, 'preview', 'queued', Date.now());
    expect(await queueAudienceIn(db.ports, stored.article, { kind: 'all' }, { broadcastId: b.id })).toBe(3);
    const flakyChat = (await store.subscriptions.findByChat('console', 'flaky'))!;
    const flaky = (await jobsOf(db, articleId)).find((d) => d.subscriptionId === flakyChat.id)!;
    await store.jobs.markFailed(flaky.id, 'gave up after 6 attempts: 502', { retryable: true }, Date.now());

    const env = db.env;
    const stats = await runCliInProcess(['stats'], { env });
    expect(stats.code, stats.stderr).toBe(0);
    const lines = stats.stdout.split('\n');
    expect(lines).toContain('  console: 1 waiting: nashra run is not running');
    expect(lines).toContain(
      `  console: 1 waiting for their chats (quiet hours that hold messages, or a digest); the last goes at ${new Date(nextUtc(quiet.end)).toISOString()}`,
    );

    const wrong = await runCliInProcess(['resend', '3'], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toBe(
      `nashra: no stored article 3; 3 is the id of a broadcast, of article ${articleId}`,
    );
    const resent = await runCliInProcess(['resend', 'b3'], { env });
    expect(resent.code, resent.stderr).toBe(0);
    expect(resent.stdout.trim()).toBe(
      `queued 1 failed delivery of broadcast 3 (article ${articleId}) again; nashra run sends them`,
    );
    expect((await store.outbox.job(flaky.id))?.state).toBe('queued');
    expect((await runCliInProcess(['resend', 'x3'], { env })).stderr).toContain(
      'must be an article id (12) or a broadcast id (b12)',
    );
  });
});

describe('the desk', () => {
  const desk = deskPerTest();
  it('the broadcast page says done with what waits for its chat and until when; the Queue page shows it apart from retries', async () => {
    const { f, app } = await desk();
    const newsroom = deps(f.data);
    await f.data.repos.subscriptions.subscribe({ platform: 'console', chatId: 'quiet', kind: 'private' }, Date.now());
    const quiet = quietNow();
    await setDelivery(
      newsroom,
      CLI_OPERATOR,
      { platform: 'console', chatId: 'quiet' },
      { quiet, quietMode: 'wait', timeZone: 'UTC' },
    );
    const b = await f.data.repos.broadcasts.create(
      {
        articleId: f.article.id,
        platform: 'cli',
        editorId: 'x',
        urgent: false,
        audience: { kind: 'all' },
        paid: false,
      },
      Date.now(),
    );
    await f.data.repos.broadcasts.transition(b.id, 'preview', 'queued', Date.now());
    expect(await queueAudienceIn(f.data, f.article, { kind: 'all' }, { broadcastId: b.id })).toBe(1);
    // What the worker does inside the window: not before its end.
    const [d] = await jobsOf(f.db, f.article.id);
    await f.data.repos.jobs.postpone(d!.id, nextUtc(quiet.end));
    const until = damascusClock(nextUtc(quiet.end));

    const j = jar();
    await signIn(app, j);
    const page = (await get(app, j, `/broadcasts/${b.id}`)).body;
    expect(page).toMatch(/id="bc-state" data-state="done"/);
    expect(page).toContain('<dd id="bc-waiting">0</dd>');
    expect(page).toMatch(
      new RegExp(
        `ينتظر موعده في المحادثة \\(ساعات الهدوء أو الملخص\\)</dt><dd><span id="bc-for-chats">1</span> · حتى [^<]*${until}`,
      ),
    );

    const queue = (await get(app, j, '/queue')).body;
    const row = /<table id="queue-depth">[\s\S]*?<tbody><tr>([\s\S]*?)<\/tr>/.exec(queue)![1]!;
    const cells = [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]);
    // Waiting for the platform 0, retries 0, waiting for its chat 1 until the end of the quiet hours.
    expect(cells[1]).toBe('0');
    expect(cells[3]).toBe('0');
    expect(cells[4]).toMatch(new RegExp(`^1 · حتى .*${until}$`));
  });
});
