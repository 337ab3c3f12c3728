/**
 * Corrections and retractions on Telegram, through the public seams: a feed served on 127.0.0.1, the real poller,
 * the real bot and delivery worker against the fake Bot API (which answers edits and deletes with the Bot API's own
 * errors), rows read back from the store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pollSource } from '../../../src/ingest/poller.js';
import {
  CLI_OPERATOR,
  confirmCorrection,
  confirmRetraction,
  correctionReport,
  previewCorrection,
  previewRetraction,
  type NewsroomDeps,
} from '../../../src/newsroom/index.js';
import { storeArticleIn, routeArticleIn } from '../../helpers/articles.js';
import type { Source } from '../../../src/model/source.js';
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
import { adapterContextOn } from '../../helpers/context.js';
import { appliedRevisionsOf, auditLog, jobsOf } from '../../helpers/raw-db.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { pollDeps } from '../../../src/newsroom/intake.js';

const CHATS = ['5001', '5002', '-1001234500001'];

let h: Harness | undefined;
let feeds: FeedServer | undefined;
afterEach(async () => {
  await h?.close();
  await feeds?.close();
  h = undefined;
  feeds = undefined;
});

interface Item {
  title: string;
  link: string;
  guid: string;
  paragraphs: string[];
  date: string;
}

const rss = (items: Item[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>${items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>${i.link.replace(/&/g, '&amp;')}</link><guid isPermaLink="false">${i.guid}</guid>` +
        `<pubDate>${i.date}</pubDate><content:encoded><![CDATA[${i.paragraphs.map((p) => `<p>${p}</p>`).join('')}]]></content:encoded></item>`,
    )
    .join('')}</channel></rss>`;

const story = (base: string, over: Partial<Item> = {}): Item => ({
  title: 'مقتل 10 مدنيين في قصف على ريف إدلب الجنوبي',
  link: `${base}/news/ادلب-قصف`,
  guid: 'tag:example.org,2026:post-42',
  date: new Date(Date.now() - 3600_000).toUTCString(),
  paragraphs: [
    'قتل عشرة مدنيين وأصيب آخرون بجروح اليوم في قصف استهدف بلدة في ريف إدلب الجنوبي، بحسب ما أفاد الدفاع المدني.',
    'وقالت فرق الإنقاذ إن القصف طال منازل سكنية وسوقاً شعبية في البلدة، وإن عمليات البحث عن ناجين ما زالت مستمرة.',
    'وتشهد المنطقة تصعيداً عسكرياً منذ أسابيع، وسط مخاوف من موجة نزوح جديدة نحو المخيمات الحدودية.',
  ],
  ...over,
});

async function setUp(): Promise<{
  deps: NewsroomDeps;
  source: Source;
  serve: (item: Item) => void;
  poll: () => ReturnType<typeof pollSource>;
}> {
  h = await startHarness({ env: { NASHRA_ALLOW_PRIVATE_FETCH: '1' } });
  feeds = await startFeedServer();
  const harness = h;
  const hourAgo = Date.now() - 3600_000;
  for (const chatId of CHATS)
    await harness.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId, kind: chatId.startsWith('-') ? 'channel' : 'private' },
      hourAgo,
    );
  const source = await harness.data.repos.sources.add(
    { url: `${feeds.base}/feed`, feedUrl: `${feeds.base}/feed`, kind: 'rss', name: 'المصدر' },
    Date.now(),
  );
  await harness.data.repos.sources.markPrimed(source.id, hourAgo); // every item is new: none is taken for a backlog
  const deps = adapterContextOn(harness.config, harness.db, harness.logger, {
    onQueued: () => harness.worker.notify(),
  }).newsroom;
  const serve = (item: Item) => feeds!.route('/feed', { body: rss([item]), contentType: 'application/rss+xml' });
  const poll = async () => {
    const result = await pollSource(
      pollDeps({ config: harness.config, data: harness.data, logger: harness.logger }),
      (await harness.data.repos.sources.get(source.id))!,
    );
    harness.worker.notify();
    return result;
  };
  return { deps, source, serve, poll };
}

/** Each chat's one post of the article: its message id, from the deliveries table. */
async function posts(articleId: number): Promise<Array<{ chatId: string; messageId: string }>> {
  return Promise.all(
    (await jobsOf(h!.db, articleId)).map(async (d) => ({
      chatId: (await h!.data.repos.subscriptions.get(d.subscriptionId))!.chatId,
      messageId: d.messageId!,
    })),
  );
}

/** Numbers and Latin runs are wrapped in bidi isolates (U+2066–U+2069) in the rendered post. */
const unisolated = (text: string | undefined) => (text ?? '').replace(/[\u2066-\u2069]/g, '');

const correctionStates = () => h!.data.repos.outbox.totalsByState(['edit', 'delete']);
const doneCorrections = async () => (await correctionStates()).sent ?? 0;

describe('a source changes an item that was sent', () => {
  it("edits each subscriber's post exactly once to the new text, in its chat's template; white space and a tracking parameter edit nothing", async () => {
    const { serve, poll } = await setUp();
    const base = feeds!.base;
    // One chat chose no hashtag line: its corrected post keeps that choice.
    await h!.data.repos.subscriptions.setTemplate(
      (await h!.data.repos.subscriptions.findByChat('telegram', '5002'))!.id,
      { showHashtags: false },
      Date.now(),
    );
    serve(story(base));
    expect((await poll()).queued).toBe(3);
    await waitFor(() => h!.fake.sent('sendMessage').length === 3, 10_000, 'the three posts');
    const article = (await h!.data.repos.reads.latest(1, Date.now()))[0]!;
    await waitFor(
      async () => (await jobsOf(h!.db, article.id)).every((d) => d.state === 'sent'),
      10_000,
      'the deliveries to be recorded sent',
    );

    // The figure is corrected at the source: 10 → 12.
    serve(
      story(base, {
        title: 'مقتل 12 مدنياً في قصف على ريف إدلب الجنوبي',
        paragraphs: story(base).paragraphs.map((p) => p.replace('قتل عشرة مدنيين', 'قتل اثنا عشر مدنياً')),
      }),
    );
    const changed = await poll();
    expect(changed).toMatchObject({ newArticles: 0, known: 1, revised: 1, corrections: 3 });
    await waitFor(async () => (await doneCorrections()) === 3, 15_000, 'three corrections done');
    for (const post of await posts(article.id)) {
      const shown = h!.fake.message(post.chatId, post.messageId)!;
      expect(shown.edits, `chat ${post.chatId}`).toBe(1);
      expect(unisolated(shown.text)).toContain('مقتل 12 مدنياً');
      expect(unisolated(shown.text)).not.toContain('مقتل 10 مدنيين');
      expect(shown.text!.includes('#'), `chat ${post.chatId}`).toBe(post.chatId !== '5002');
    }
    expect((await h!.data.repos.articles.get(article.id))!.revision).toBe(2);
    expect(await appliedRevisionsOf(h!.db, article.id)).toMatchObject([
      { origin: 'source', revision: 2, previousTitle: 'مقتل 10 مدنيين في قصف على ريف إدلب الجنوبي' },
    ]);

    // The same feed again, then only white space and a tracking parameter changed: nothing is queued, nothing edited.
    expect(await poll()).toMatchObject({ revised: 0, corrections: 0 });
    const corrected = story(base, {
      title: 'مقتل 12 مدنياً في قصف على ريف إدلب الجنوبي',
      paragraphs: story(base).paragraphs.map((p) => p.replace('قتل عشرة مدنيين', 'قتل اثنا عشر مدنياً')),
    });
    serve({
      ...corrected,
      title: `  ${corrected.title.replace(/ /g, '   ')} `,
      link: `${corrected.link}?utm_source=telegram&utm_medium=social`,
      paragraphs: corrected.paragraphs.map((p) => `\n  ${p.replace(/ /g, '  ')}  `),
    });
    expect(await poll()).toMatchObject({ newArticles: 0, known: 1, revised: 0, corrections: 0 });
    expect(await correctionStates()).toEqual({ sent: 3 });
    expect(h!.fake.sent('editMessageText')).toHaveLength(3);
    expect((await h!.data.repos.articles.get(article.id))!.revision).toBe(2);
  }, 60_000);

  it('outside NASHRA_CORRECTION_WINDOW the posts stay as they were', async () => {
    const { serve, poll } = await setUp();
    const base = feeds!.base;
    const old = new Date(Date.now() - 50 * 3600_000).toUTCString();
    serve(story(base, { date: old }));
    await poll();
    const article = (await h!.data.repos.reads.latest(1, Date.now()))[0]!;
    await waitFor(async () => (await jobsOf(h!.db, article.id)).every((d) => d.state === 'sent'), 10_000, 'the posts');
    serve(story(base, { date: old, title: 'مقتل 12 مدنياً في قصف على ريف إدلب الجنوبي' }));
    expect(await poll()).toMatchObject({ known: 1, revised: 0, corrections: 0 });
    expect((await h!.data.repos.articles.get(article.id))!.revision).toBe(1);
  }, 60_000);
});

describe("an editor's correction and retraction", () => {
  it('a photo post is corrected with editMessageCaption; a retraction deletes every post, cancels the rest and leaves /latest', async () => {
    const { deps } = await setUp();
    const photo = await addArticle(h!.data, { imageUrl: 'https://example.com/lead.jpg' });
    expect(await routeArticleIn(h!.data, photo)).toBe(3);
    h!.worker.notify();
    await waitFor(
      async () => (await jobsOf(h!.db, photo.id)).every((d) => d.state === 'sent'),
      10_000,
      'the photo posts',
    );

    const preview = await previewCorrection(deps, { platform: 'telegram', id: String(EDITOR) }, String(photo.id), {
      title: 'عنوان مصحح للخبر المصور',
    });
    expect(preview.changed).toBe(true);
    expect(preview.posts).toEqual([{ platform: 'telegram', sent: 3, queued: 0, inDoubt: 0 }]);
    const confirmed = await confirmCorrection(
      deps,
      { platform: 'telegram', id: String(EDITOR) },
      preview.draft.id,
      preview.draft.token,
    );
    expect(confirmed).toMatchObject({ kind: 'done', queued: 3 });
    // A second press (or another editor's) queues nothing.
    expect(
      await confirmCorrection(
        deps,
        { platform: 'telegram', id: String(EDITOR) },
        preview.draft.id,
        preview.draft.token,
      ),
    ).toEqual({ kind: 'already-decided' });
    await waitFor(async () => (await doneCorrections()) === 3, 15_000, 'the caption edits');
    expect(h!.fake.sent('editMessageCaption')).toHaveLength(3);
    for (const post of await posts(photo.id))
      expect(h!.fake.message(post.chatId, post.messageId)!.caption).toContain('عنوان مصحح للخبر المصور');

    // A second article: one chat's post already sent, a new subscriber's delivery still queued behind a paused platform.
    const text = await addArticle(h!.data);
    await routeArticleIn(h!.data, text);
    h!.worker.notify();
    await waitFor(
      async () => (await jobsOf(h!.db, text.id)).every((d) => d.state === 'sent'),
      10_000,
      'the text posts',
    );
    const late = await h!.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '5009', kind: 'private' },
      Date.now() - 3600_000,
    );
    // The worker stops before the late post is queued: that post must still be queued when the retraction comes (a
    // worker stopped after it could send it first, as on PostgreSQL under load).
    await h!.worker.stop(1000);
    await h!.data.repos.audience.queueListed(text.id, [late.id], {}, Date.now());
    expect((await previewRetraction(deps, CLI_OPERATOR, String(text.id))).posts).toEqual([
      { platform: 'telegram', sent: 3, queued: 1, inDoubt: 0 },
    ]);
    expect(await confirmRetraction(deps, CLI_OPERATOR, text.id)).toMatchObject({
      kind: 'done',
      cancelled: 1,
      queued: 3,
    });
    expect(await confirmRetraction(deps, CLI_OPERATOR, text.id)).toMatchObject({ kind: 'already-decided' });
    h!.worker.start();
    h!.worker.notify();
    await waitFor(
      async () => (await correctionReport(deps, text.id))[0]?.done.deleted === 3,
      15_000,
      'three deletions',
    );
    for (const post of (await posts(text.id)).filter((p) => p.messageId))
      expect(h!.fake.message(post.chatId, post.messageId)!.deleted).toBe(true);
    expect(h!.fake.sentTo('5009')).toHaveLength(0);
    expect((await jobsOf(h!.db, text.id)).find((d) => d.subscriptionId === late.id)).toMatchObject({
      state: 'skipped',
      lastError: 'the article was retracted',
    });

    // Gone from /latest (the bot's), from a broadcast and from routing; still stored and audited.
    const answers = () => h!.fake.sentTo(5001).filter((c) => c.method === 'sendMessage');
    const before = answers().length;
    h!.fake.pushUpdate(message(privateChat(5001), 5001, '/latest 10'));
    await waitFor(() => answers().length > before, 10_000, 'the /latest answer');
    const latestAnswer = answers()
      .slice(before)
      .map((c) => String(c.params.text))
      .join('\n');
    expect(latestAnswer).toContain('عنوان مصحح للخبر المصور');
    expect(latestAnswer).not.toContain(text.title);
    expect((await h!.data.repos.reads.latest(50, Date.now())).map((a) => a.id)).not.toContain(text.id);
    expect(await routeArticleIn(h!.data, (await h!.data.repos.articles.get(text.id))!)).toBe(0);
    const again = await storeArticleIn(h!.data, {
      ...text,
      url: 'https://another.example/copy',
      guid: undefined,
      source: 'مصدر آخر',
    });
    expect(again).toMatchObject({ status: 'duplicate', existing: { id: text.id } });
    expect((await auditLog(h!.db, 20)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['article.retract', 'correction.confirm', 'correction.preview', 'retraction.preview']),
    );
  }, 90_000);

  it('a delivery not sent yet carries the correction: sent with the new text, never edited', async () => {
    const { deps } = await setUp();
    const article = await addArticle(h!.data);
    await routeArticleIn(h!.data, article);
    h!.worker.notify();
    await waitFor(async () => (await jobsOf(h!.db, article.id)).every((d) => d.state === 'sent'), 10_000, 'the posts');
    await h!.worker.stop(1000);
    const late = await h!.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '5010', kind: 'private' },
      Date.now() - 3600_000,
    );
    await h!.data.repos.audience.queueListed(article.id, [late.id], {}, Date.now());
    const p = await previewCorrection(deps, CLI_OPERATOR, String(article.id), {
      title: 'عنوان مصحّح يصل إلى المشترك الجديد كما هو',
    });
    expect(p.posts).toEqual([{ platform: 'telegram', sent: 3, queued: 1, inDoubt: 0 }]);
    expect(await confirmCorrection(deps, CLI_OPERATOR, p.draft.id, p.draft.token)).toMatchObject({
      kind: 'done',
      queued: 3,
    });
    h!.worker.start();
    h!.worker.notify();
    await waitFor(
      async () => (await doneCorrections()) === 3 && h!.fake.sentTo('5010').length === 1,
      15_000,
      'the edits and the late post',
    );
    expect(unisolated(h!.fake.sentTo('5010')[0]!.params.text)).toContain('عنوان مصحّح يصل إلى المشترك الجديد كما هو');
    expect(h!.fake.sent('editMessageText').filter((c) => String(c.params.chat_id) === '5010')).toHaveLength(0);
  }, 60_000);

  it('a post Telegram refuses to delete becomes the notice; one that cannot even be edited is reported with the reason', async () => {
    const { deps } = await setUp();
    const article = await addArticle(h!.data);
    await routeArticleIn(h!.data, article);
    h!.worker.notify();
    await waitFor(async () => (await jobsOf(h!.db, article.id)).every((d) => d.state === 'sent'), 10_000, 'the posts');
    h!.fake.ageMessages(49 * 3600_000); // past the Bot API's 48 hours for deleting
    h!.fake.refuseCorrections(CHATS[2]!, { delete: true, edit: true });
    await confirmRetraction(deps, CLI_OPERATOR, article.id);
    await waitFor(
      async () => ((await correctionReport(deps, article.id))[0]?.queued ?? 1) === 0,
      15_000,
      'the retraction to finish',
    );
    const [report] = await correctionReport(deps, article.id);
    expect(report).toMatchObject({ platform: 'telegram', kind: 'delete', done: { notice: 2 }, failed: 1 });
    expect(report!.reasons[0]!.reason).toMatch(/message can't be deleted.*message can't be edited/);
    for (const post of (await posts(article.id)).filter((p) => p.chatId !== CHATS[2])) {
      expect(h!.fake.message(post.chatId, post.messageId)).toMatchObject({ deleted: false, text: 'سُحب هذا الخبر' });
    }
  }, 60_000);
});

describe('Telegram front door: /correct and /retract', () => {
  /** The data of the button labelled `label` in the last message to the editor that has it. */
  const button = (label: string): string | undefined =>
    h!.fake
      .sentTo(EDITOR)
      .map((c) => c.params.reply_markup?.inline_keyboard?.[0])
      .filter(Boolean)
      .flat()
      .reverse()
      .find((b: { text: string }) => b.text === label)?.callback_data;

  it('an editor corrects and retracts with two taps each; the report says what happened per platform; others are refused', async () => {
    await setUp();
    const article = await addArticle(h!.data);
    await routeArticleIn(h!.data, article);
    h!.worker.notify();
    await waitFor(async () => (await jobsOf(h!.db, article.id)).every((d) => d.state === 'sent'), 10_000, 'the posts');

    h!.fake.pushUpdate(message(privateChat(4242), 4242, `/retract ${article.id}`));
    await waitFor(() => h!.fake.sentTo(4242).length > 0, 5000, 'the refusal');
    expect(h!.fake.sentTo(4242)[0]!.params.text).toBe('هذا الأمر للمحرّرين فقط.');

    h!.fake.pushUpdate(
      message(
        privateChat(EDITOR),
        EDITOR,
        `/correct ${article.id}\nعنوان مصحّح بعد مراجعة الأرقام\nالجملة الأولى المصحّحة من الملخص.`,
      ),
    );
    await waitFor(() => button('تأكيد') !== undefined, 5000, 'the correction preview');
    expect(
      h!.fake
        .sentTo(EDITOR)
        .map((c) => String(c.params.text))
        .join('\n'),
    ).toContain('ستُعدَّل المنشورات المرسلة: 3 منشورات على تيليغرام');
    h!.fake.pushUpdate(callback(EDITOR, button('تأكيد')!));
    await waitFor(async () => (await doneCorrections()) === 3, 15_000, 'three edits');
    for (const post of await posts(article.id))
      expect(unisolated(h!.fake.message(post.chatId, post.messageId)!.text)).toContain('عنوان مصحّح بعد مراجعة الأرقام');

    h!.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/retract ${article.id}`));
    await waitFor(
      () => h!.fake.sentTo(EDITOR).some((c) => /^سحب الخبر/.test(String(c.params.text))),
      5000,
      'the retraction preview',
    );
    expect(
      h!.fake
        .sentTo(EDITOR)
        .map((c) => String(c.params.text))
        .join('\n'),
    ).toContain('يُحذف 3 منشورات على تيليغرام');
    const retract = button('تأكيد')!;
    expect(retract).toBe(`rt:ok:${article.id}`);
    h!.fake.pushUpdate(callback(EDITOR, retract));
    h!.fake.pushUpdate(callback(EDITOR, retract)); // a second press retracts nothing more
    await waitFor(
      () =>
        h!.fake
          .sent('editMessageText')
          .some((c) => String(c.params.chat_id) === String(EDITOR) && /حُذف: 3 منشورات/.test(String(c.params.text))),
      15_000,
      'the report',
    );
    expect(h!.fake.sent('deleteMessage')).toHaveLength(3);
    expect((await auditLog(h!.db, 20)).filter((e) => e.action === 'article.retract')).toHaveLength(1);
  }, 60_000);
});
