/**
 * The full story on WhatsApp (issue 26 §2): a reader replies «المزيد» to a post and gets the article's full text as
 * consecutive, paced messages. The real adapter, delivery worker and store, the fake client (whatsapp-web.js's
 * surface: quoted messages, "reply privately"), a fake clock.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WhatsAppSettings } from '../../../bots/whatsapp/config.js';
import { WhatsAppAdapter } from '../../../bots/whatsapp/index.js';
import { whatsappMarkup } from '../../../bots/whatsapp/markup.js';
import { DEFAULT_DELIVERY } from '../../../src/model/subscription.js';
import { asksForFullStory, FULL_STORY_REPLIES, storyMessages } from '../../../bots/whatsapp/full-story.js';
import { buildFullStory } from '../../../src/story/full-story.js';
import { REPLIES } from '../../../bots/whatsapp/commands.js';
import { loadAppConfig } from '../../../src/app/platforms.js';
import { DeliveryWorker } from '../../../src/delivery/worker.js';
import { createLogger } from '../../../src/logger.js';
import type { Article } from '../../../src/model/article.js';
import {
  changeSubscription,
  CLI_OPERATOR,
  confirmCorrection,
  confirmRetraction,
  digestCloser,
  fullReads,
  previewCorrection,
  type NewsroomDeps,
} from '../../../src/newsroom/index.js';
import { bridgeArticle, routeArticleIn, storeArticleIn } from '../../helpers/articles.js';
import type { DataPorts } from '../../../src/ports/index.js';
import type { StoredArticle } from '../../../src/model/article.js';
import { BOT_ID, FakeClock, FakeWhatsAppWorld, until, type SentRecord } from '../../helpers/fake-whatsapp-client.js';
import { adapterContextOn } from '../../helpers/context.js';
import { auditLog, createDatabase, jobsOf, type RawDatabase } from '../../helpers/raw-db.js';
import { tempDir } from '../../helpers/tmp.js';

const ADMIN = '963911111111';
const MEMBER = '963933333333';
const OUTSIDER = '963944444444';
const GROUP = '120363000000000001@g.us';
const OTHER_GROUP = '120363000000000002@g.us';
const MIN_DELAY_MS = 4000;

let cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** Text without the bidi isolates the formatter puts around digits and Latin runs. */
const plain = (s: string) => s.replace(/[\u2066-\u2069\u200E\u200F]/g, '');

/** Twelve paragraphs of about 480 characters: about 5,800 characters, two WhatsApp messages. */
function longArticle(n: number, over: Partial<Article> = {}): Article {
  const paragraphs = Array.from(
    { length: 12 },
    (_, i) =>
      `الفقرة ${i + 1} من الخبر ${n}: ` +
      'أعلنت السلطات المحلية في مدينة حمص افتتاح الجسر الجديد بعد أشهر من العمل المتواصل، وقال مسؤولون إن المشروع سيخدم آلاف السكان. '
        .repeat(4)
        .trim(),
  );
  return bridgeArticle(n, { paragraphs, ...over });
}

/**
 * A clock whose sleeps end only as time moves, one sleeper at a time in order of their end, time jumping to it: two
 * sleeps overlap as they would in real time (FakeClock ends every sleep at once, so a pause nobody waited for would
 * still look like one).
 */
class SteppedClock {
  t = Date.now();
  private readonly sleepers: Array<{ at: number; resolve: () => void }> = [];
  private readonly timer = setInterval(() => this.step(), 1);
  readonly now = (): number => this.t;
  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.sleepers.push({ at: this.t + ms, resolve });
    });
  private step(): void {
    this.sleepers.sort((x, y) => x.at - y.at);
    const next = this.sleepers.shift();
    if (!next) return;
    this.t = Math.max(this.t, next.at);
    next.resolve();
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

interface Harness {
  data: DataPorts;
  db: RawDatabase;
  world: FakeWhatsAppWorld;
  clock: FakeClock | SteppedClock;
  newsroom: NewsroomDeps;
  logs: string[];
  send(article: Article): Promise<StoredArticle>;
  /** The post's message id in the group. */
  postId(article: StoredArticle): Promise<string>;
  subscriptionId: number;
}

async function harness(
  env: Record<string, string> = {},
  fullStoryInGroup?: boolean,
  clock: FakeClock | SteppedClock = new FakeClock(),
): Promise<Harness> {
  const { dir, cleanup } = tempDir('nashra-wa-full-');
  const db = await createDatabase();
  const store = db.ports;
  const config = loadAppConfig({
    ...db.env,
    WHATSAPP_ENABLED: '1',
    WHATSAPP_EDITOR_NUMBERS: `+${ADMIN}`,
    WHATSAPP_SESSION_DIR: join(dir, 'session'),
    ...env,
  });
  const world = new FakeWhatsAppWorld(clock.now);
  world.addGroup(GROUP, 'أخبار الحي', [{ number: ADMIN, admin: true }, { number: MEMBER }]);
  world.addGroup(OTHER_GROUP, 'مجموعة أخرى', [{ number: OUTSIDER }]);
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  let worker: DeliveryWorker | undefined;
  const ctx = adapterContextOn(config, db, logger, { onQueued: () => worker?.notify() });
  const adapter = new WhatsAppAdapter(config.platforms.whatsapp as WhatsAppSettings, ctx, {
    createClient: world.createClient,
    clock,
    random: () => 0.5,
    loadMedia: async (url) => ({ media: url }),
  });
  worker = new DeliveryWorker(store, [adapter.transport], logger, {
    pollMs: 2,
    backoffMs: 5,
    now: clock.now,
    digestCheckMs: 0,
    digests: digestCloser(store, (p) => (p === 'whatsapp' ? whatsappMarkup : undefined), config),
  });
  cleanups.push(async () => {
    await worker!.stop(100);
    await adapter.stop();
    if (clock instanceof SteppedClock) clock.stop();
    await db.close();
    cleanup();
  });
  const sub = await store.repos.subscriptions.subscribe(
    { platform: 'whatsapp', chatId: GROUP, kind: 'group' },
    clock.now() - 3600_000,
  );
  if (fullStoryInGroup !== undefined)
    await changeSubscription(ctx.newsroom, CLI_OPERATOR, sub.id, { template: { fullStoryInGroup } });
  await adapter.start();
  await until(() => adapter.isConnected(), 2000, 'the adapter to be ready');
  worker.start();
  const send = async (a: Article) => {
    const r = await storeArticleIn(store, a, { now: clock.now() });
    if (r.status !== 'new') throw new Error('duplicate');
    await routeArticleIn(store, r.article);
    worker!.notify();
    await until(
      async () => (await jobsOf(db, r.article.id)).every((d) => d.state === 'sent'),
      5000,
      'the post to be sent',
    );
    return r.article;
  };
  const postId = async (a: StoredArticle) => (await jobsOf(db, a.id))[0]!.messageId!;
  return { data: store, db, world, clock, newsroom: ctx.newsroom, logs, send, postId, subscriptionId: sub.id };
}

/** What the account sent after index `from`, once `count` messages went (and a moment to show nothing more goes). */
async function sentAfter(h: Harness, from: number, count: number): Promise<SentRecord[]> {
  await until(() => h.world.sent.length >= from + count, 5000, `${count} messages`);
  await settle(h);
  return h.world.sent.slice(from);
}

/** Lets every pending handler finish: the logs stop growing for 30 ms of real time. */
async function settle(h: Harness): Promise<void> {
  let seen = -1;
  while (seen !== h.logs.length + h.world.sent.length) {
    seen = h.logs.length + h.world.sent.length;
    await new Promise((r) => setTimeout(r, 30));
  }
}

/**
 * The article's full-story reads once they reach `reads`: a story ends with its read's commit, after its last
 * message (on PostgreSQL, a writer among the worker's 2 ms polls, it came 170 ms after the last message here, past
 * settle's quiet 30 ms), and until then the chat's next request is "busy".
 */
async function readsCounted(h: Harness, articleId: number, reads: number): Promise<number> {
  await until(async () => (await fullReads(h.newsroom, articleId)) >= reads, 5000, `${reads} reads counted`);
  return fullReads(h.newsroom, articleId);
}

const texts = (records: SentRecord[]) =>
  records.filter((r) => typeof r.content === 'string').map((r) => plain(r.content as string));

describe('«المزيد» in a WhatsApp group', () => {
  it('where the group allows it, a reply to a post gets the whole story as paced messages: photo, then parts that each stand alone, the first quoting the request', async () => {
    const h = await harness({}, true, new SteppedClock());
    const a = await h.send(longArticle(1, { imageUrl: 'https://example.org/lead.jpg', author: 'مراسل نشرة' }));
    const before = h.world.sent.length;
    const ask = h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: await h.postId(a) });
    const story = await sentAfter(h, before, 3);
    expect(story.every((r) => r.chatId === GROUP)).toBe(true);
    expect(story[0]!.content).toEqual({ media: 'https://example.org/lead.jpg' });
    expect(story[0]!.options?.quotedMessageId).toBe(ask.id._serialized);
    const parts = texts(story);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(new RegExp(`^\\*${a.title} · 1/2\\*`));
    expect(parts[1]).toMatch(new RegExp(`^\\*${a.title} · 2/2\\*`));
    expect(parts[0]).toContain('المصدر: SY24 · مراسل نشرة');
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    // Every paragraph, whole and in order; the link closes the last part.
    const all = parts.join('\n\n');
    let at = -1;
    for (const paragraph of a.paragraphs) {
      const next = all.indexOf(paragraph);
      expect(next).toBeGreaterThan(at);
      at = next;
    }
    expect(parts[1]).toMatch(/الخبر في موقعه الأصلي: https:\/\/example\.org\/news\/1$/);
    // At the account's pace: each message at least the minimum pause after the one before.
    for (let i = 1; i < story.length; i++) expect(story[i]!.at - story[i - 1]!.at).toBeGreaterThanOrEqual(MIN_DELAY_MS);
    expect(ask.replies).toHaveLength(0);
    expect(await readsCounted(h, a.id, 1)).toBe(1);
  });

  it("posts queued while a story goes share the account's pace with it: every message at least the minimum pause after the one before", async () => {
    const h = await harness({}, true, new SteppedClock());
    const a = await h.send(longArticle(17));
    const before = h.world.sent.length;
    h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: await h.postId(a) });
    const queued: StoredArticle[] = [];
    for (const n of [18, 19, 20]) {
      const r = await storeArticleIn(h.data, longArticle(n), { now: h.clock.now() });
      if (r.status !== 'new') throw new Error('duplicate');
      await routeArticleIn(h.data, r.article);
      queued.push(r.article);
    }
    const all = await sentAfter(h, before, 5);
    await until(
      async () => (await Promise.all(queued.map((q) => jobsOf(h.db, q.id)))).every((j) => j[0]!.state === 'sent'),
      5000,
      'the posts',
    );
    expect(texts(all).filter((t) => t.includes(a.title))).toHaveLength(2);
    for (let i = 1; i < all.length; i++)
      expect(all[i]!.at - all[i - 1]!.at, `message ${i}`).toBeGreaterThanOrEqual(MIN_DELAY_MS);
  });

  it('a request made while a post is on its way ("typing…") waits for that post and the pause after it', async () => {
    const h = await harness({}, true, new SteppedClock());
    const a = await h.send(longArticle(21));
    const aPost = await h.postId(a);
    const before = h.world.sent.length;
    // The next post's "typing…" is the moment the reader asks.
    const group = h.world.chats.get(GROUP)!;
    const typing = group.sendStateTyping!;
    let asked = false;
    group.sendStateTyping = async () => {
      if (!asked) {
        asked = true;
        h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: aPost });
      }
      return typing();
    };
    const r = await storeArticleIn(h.data, longArticle(22), { now: h.clock.now() });
    if (r.status !== 'new') throw new Error('duplicate');
    await routeArticleIn(h.data, r.article);
    const all = await sentAfter(h, before, 3);
    expect(texts(all)[0]).toContain(r.article.title);
    expect(
      texts(all)
        .slice(1)
        .every((t) => t.includes(a.title)),
    ).toBe(true);
    for (let i = 1; i < all.length; i++)
      expect(all[i]!.at - all[i - 1]!.at, `message ${i}`).toBeGreaterThanOrEqual(MIN_DELAY_MS);
  });

  it('tolerates diacritics, tatweel, punctuation and white space, and «كامل»; other words are not a request', async () => {
    for (const body of [
      'المزيد',
      ' المـــزيد ',
      'الْمَزِيدُ',
      'المزيد؟',
      'المزيد!!',
      '\u200fالمزيد\u200f',
      'كامل',
      'كامِل',
      'النص الكامل',
      'مزيد',
    ]) {
      expect(asksForFullStory(body), body).toBe(true);
    }
    for (const body of ['المزيد من الأخبار اليوم', 'مزيدا', 'كاملة', '/latest', '', 'المزيد'.repeat(10)])
      expect(asksForFullStory(body), body).toBe(false);
    const h = await harness({}, true);
    const a = await h.send(longArticle(2));
    const before = h.world.sent.length;
    h.world.latest.receive(GROUP, 'المـــزيدُ', `${MEMBER}@c.us`, { quoting: await h.postId(a) });
    expect(texts(await sentAfter(h, before, 2))).toHaveLength(2);
  });

  it('where the group did not choose it (the default), nothing is sent and nothing is said; once its admins turn it on, it is', async () => {
    const h = await harness();
    const a = await h.send(longArticle(3));
    const before = h.world.sent.length;
    const ask = h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: await h.postId(a) });
    await settle(h);
    expect(h.world.sent.length).toBe(before);
    expect(ask.replies).toHaveLength(0);
    expect(await fullReads(h.newsroom, a.id)).toBe(0);

    await changeSubscription(h.newsroom, CLI_OPERATOR, h.subscriptionId, { template: { fullStoryInGroup: true } });
    h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: await h.postId(a) });
    expect(texts(await sentAfter(h, before, 2))).toHaveLength(2);
    expect(await readsCounted(h, a.id, 1)).toBe(1);
  });

  it("the group's admins turn it on and off with /fulltext; a member cannot", async () => {
    const h = await harness();
    const a = await h.send(longArticle(15));
    expect(await h.world.latest.receive(GROUP, '/fulltext on', `${MEMBER}@c.us`).replied()).toBe(REPLIES.adminsOnly);
    expect((await h.data.repos.subscriptions.template(h.subscriptionId)).fullStoryInGroup).toBeUndefined();
    expect(await h.world.latest.receive(GROUP, '/fulltext تشغيل', `${ADMIN}@c.us`).replied()).toBe(REPLIES.fullTextOn);
    expect((await h.data.repos.subscriptions.template(h.subscriptionId)).fullStoryInGroup).toBe(true);
    const before = h.world.sent.length;
    h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: await h.postId(a) });
    expect(texts(await sentAfter(h, before, 2))).toHaveLength(2);
    expect(await h.world.latest.receive(GROUP, '!fulltext إيقاف', `${ADMIN}@c.us`).replied()).toBe(REPLIES.fullTextOff);
    expect((await h.data.repos.subscriptions.template(h.subscriptionId)).fullStoryInGroup).toBe(false);
    expect(await h.world.latest.receive(GROUP, '/fulltext', `${ADMIN}@c.us`).replied()).toBe(REPLIES.fullTextUsage);
    expect((await auditLog(h.db, 10)).filter((e) => e.action === 'subscription.update')).toHaveLength(2);
  });

  it("«المزيد» not in reply, or replying to a member's message, is ignored in a group", async () => {
    const h = await harness({}, true);
    await h.send(longArticle(4));
    const before = h.world.sent.length;
    const loose = h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`);
    const chat = h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, {
      quoting: `false_${GROUP}_3EB0FFFF0000_${ADMIN}@c.us`,
    });
    // A forged quote: an id of this account's shape that is no post (or a post of another group).
    const forged = h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, {
      quoting: `true_${GROUP}_3EB0DEADBEEF_${BOT_ID}`,
    });
    await settle(h);
    expect(h.world.sent.length).toBe(before);
    for (const m of [loose, chat, forged]) expect(m.replies).toHaveLength(0);
  });

  it('one story at a time per chat: a second request while it goes is refused once, politely, and later ones are ignored until it ends', async () => {
    const h = await harness({}, true);
    const a = await h.send(longArticle(5));
    const b = await h.send(longArticle(6));
    const [aPost, bPost] = [await h.postId(a), await h.postId(b)];
    const before = h.world.sent.length;
    const first = h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: aPost });
    const second = h.world.latest.receive(GROUP, 'المزيد', `${ADMIN}@c.us`, { quoting: bPost });
    const third = h.world.latest.receive(GROUP, 'كامل', `${MEMBER}@c.us`, { quoting: bPost });
    const story = await sentAfter(h, before, 2);
    expect(texts(story)).toHaveLength(2);
    expect(texts(story).every((t) => t.includes(a.title) && !t.includes(b.title))).toBe(true);
    expect(first.replies).toHaveLength(0);
    expect(second.replies.map((r) => r.text)).toEqual([FULL_STORY_REPLIES.busy]);
    expect(third.replies).toHaveLength(0);
    // Once it ended, the next request is served.
    expect(await readsCounted(h, a.id, 1)).toBe(1);
    h.world.latest.receive(GROUP, 'المزيد', `${ADMIN}@c.us`, { quoting: bPost });
    const next = texts(await sentAfter(h, before + 2, 2));
    expect(next.every((t) => t.includes(b.title))).toBe(true);
  });
});

describe('«المزيد» in a private chat ("reply privately" to the group\'s post)', () => {
  it('a member gets the story in the private chat, even where the group keeps it out of the group; an outsider gets nothing', async () => {
    const h = await harness();
    const a = await h.send(longArticle(7));
    const before = h.world.sent.length;
    const ask = h.world.latest.receive(`${MEMBER}@c.us`, 'المزيد', undefined, { quoting: await h.postId(a) });
    const story = await sentAfter(h, before, 2);
    expect(story.every((r) => r.chatId === `${MEMBER}@c.us`)).toBe(true);
    expect(story[0]!.options?.quotedMessageId).toBe(ask.id._serialized);
    expect(texts(story)[0]).toContain(a.title);
    expect(await readsCounted(h, a.id, 1)).toBe(1);

    // WhatsApp may write the post's sender as a LID in the quote: the post is found by its id all the same.
    const lid = (await h.postId(a)).replace(`_${BOT_ID}`, '_98765432101234@lid');
    h.world.latest.receive(`${MEMBER}@c.us`, 'المزيد', undefined, { quoting: lid });
    expect(texts(await sentAfter(h, before + 2, 2))).toHaveLength(2);
    expect(await readsCounted(h, a.id, 2)).toBe(2);

    const count = h.world.sent.length;
    const outsider = h.world.latest.receive(`${OUTSIDER}@c.us`, 'المزيد', undefined, { quoting: await h.postId(a) });
    expect(await outsider.replied()).toBe(FULL_STORY_REPLIES.notAStory);
    await settle(h);
    expect(h.world.sent.length).toBe(count);
    expect(await fullReads(h.newsroom, a.id)).toBe(2);
  });

  it('not a reply, or a reply to a message that is not a post, is answered with how to ask', async () => {
    const h = await harness();
    await h.send(longArticle(8));
    const before = h.world.sent.length;
    const loose = h.world.latest.receive(`${MEMBER}@c.us`, 'المزيد');
    expect(await loose.replied()).toBe(FULL_STORY_REPLIES.notAReply);
    const other = h.world.latest.receive(`${MEMBER}@c.us`, 'كامل', undefined, {
      quoting: `false_${GROUP}_3EB0FFFF0000_${ADMIN}@c.us`,
    });
    expect(await other.replied()).toBe(FULL_STORY_REPLIES.notAStory);
    await settle(h);
    expect(h.world.sent.length).toBe(before);
  });
});

describe('the story as it stands', () => {
  it('a retracted story answers «سُحب هذا الخبر» and sends nothing else, in the group and in private', async () => {
    const h = await harness({}, true);
    const a = await h.send(longArticle(9));
    const post = await h.postId(a);
    await confirmRetraction(h.newsroom, CLI_OPERATOR, a.id);
    await until(() => h.world.posts.get(post)!.revoked, 5000, 'the post deleted');
    const before = h.world.sent.length;
    const inGroup = h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: post });
    const inPrivate = h.world.latest.receive(`${MEMBER}@c.us`, 'المزيد', undefined, { quoting: post });
    expect(await inGroup.replied()).toBe(FULL_STORY_REPLIES.retracted);
    expect(await inPrivate.replied()).toBe(FULL_STORY_REPLIES.retracted);
    await settle(h);
    expect(h.world.sent.length).toBe(before);
    expect(inGroup.replies).toHaveLength(1);
    expect(await fullReads(h.newsroom, a.id)).toBe(0);
  });

  it('a corrected story reads as corrected', async () => {
    const h = await harness({}, true);
    const a = await h.send(longArticle(10));
    const title = 'افتتاح الجسر العاشر في مدينة حمص بعد تأخير';
    const p = await previewCorrection(h.newsroom, CLI_OPERATOR, String(a.id), { title });
    await confirmCorrection(h.newsroom, CLI_OPERATOR, p.draft.id, p.draft.token);
    await until(
      async () => (await jobsOf(h.db, a.id, ['edit'])).every((j) => j.state === 'sent'),
      5000,
      'the correction',
    );
    const before = h.world.sent.length;
    h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: await h.postId(a) });
    const parts = texts(await sentAfter(h, before, 2));
    expect(parts.every((t) => t.startsWith(`*${title} · `))).toBe(true);
    expect(parts.some((t) => t.includes(a.title))).toBe(false);
  });

  it("the article's own markup formats nothing: *, _, ~, ``` and a leading > arrive as look-alikes; only Nashra's bold and quotes are markup", async () => {
    const h = await harness({}, true);
    const hostile = longArticle(11, {
      title: 'عاجل *مزيف* _مائل_ ~مشطوب~',
      paragraphs: [
        'نص *عريض مزيف* و _مائل مزيف_ و ~مشطوب~ و ```كود``` في وسط الفقرة الأولى من الخبر المنشور اليوم.',
        '> فقرة تتظاهر بأنها اقتباس من رسالة أخرى في المحادثة.',
        '<b>وسم</b> <a href="javascript:alert(1)">رابط</a> &lt;script&gt; *',
        '«هذا اقتباس حقيقي من المتحدث باسم البلدية»',
      ],
    });
    const a = await h.send(hostile);
    const before = h.world.sent.length;
    h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: await h.postId(a) });
    const [text] = texts(await sentAfter(h, before, 1));
    const lines = text!.split('\n');
    // The headline is the one bold run: its own stars are look-alikes.
    expect(lines[0]).toBe('*عاجل ∗مزيف∗ ＿مائل＿ ∼مشطوب∼*');
    expect(text!.slice(lines[0]!.length)).not.toMatch(/[*_~`]/);
    expect(text).toContain('نص ∗عريض مزيف∗ و ＿مائل مزيف＿ و ∼مشطوب∼ و ˋˋˋكودˋˋˋ');
    expect(text).toContain('\n›');
    expect(lines.filter((l) => l.startsWith('>'))).toEqual(['> هذا اقتباس حقيقي من المتحدث باسم البلدية']);
    expect(text).toContain('<b>وسم</b>');
  });

  it('a very long article goes as at most 8 messages, each within 4,096 characters, numbered as sent, ending with where to read on', async () => {
    const h = await harness({}, true);
    const huge = await h.send(
      longArticle(16, {
        paragraphs: Array.from(
          { length: 90 },
          (_, i) => `فقرة طويلة رقم ${i + 1}: ${'كلام كثير عن الخبر وتفاصيله الدقيقة، '.repeat(25)}`,
        ),
      }),
    );
    const built = buildFullStory(huge, {});
    if ('retracted' in built) throw new Error('retracted');
    const messages = storyMessages(built).map((m) => ('text' in m ? plain(m.text) : ''));
    expect(messages).toHaveLength(8);
    messages.forEach((m, i) => {
      expect(m.length).toBeLessThanOrEqual(4096);
      expect(m.startsWith(`*${huge.title} · ${i + 1}/8*`)).toBe(true);
    });
    expect(messages[7]).toMatch(
      new RegExp(`${FULL_STORY_REPLIES.cut}\\n\\nالخبر في موقعه الأصلي: https://example\\.org/news/16$`),
    );
    // Sent in order, the paragraphs that went are the article's first ones, none cut off in the middle of the list.
    const sent = messages.join('\n');
    const went = huge.paragraphs.filter((p) => sent.includes(p.trim().slice(0, 40)));
    expect(went.length).toBeGreaterThan(25); // about 30,000 of the 85,000 characters
    expect(huge.paragraphs.slice(0, went.length)).toEqual(went);
    const before = h.world.sent.length;
    h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: await h.postId(huge) });
    expect(texts(await sentAfter(h, before, 8))).toEqual(messages);
  });

  it('a digest message carries several stories: the reader is asked to reply to the story itself', async () => {
    const h = await harness({}, true);
    await h.data.repos.subscriptions.setDelivery(h.subscriptionId, { ...DEFAULT_DELIVERY, mode: 'hourly' }, Date.now());
    const held: StoredArticle[] = [];
    for (const n of [12, 13]) {
      const r = await storeArticleIn(h.data, longArticle(n), { now: h.clock.now() });
      if (r.status !== 'new') throw new Error('duplicate');
      await routeArticleIn(h.data, r.article);
      held.push(r.article);
    }
    h.clock.t += 3600_000;
    await until(
      async () => (await Promise.all(held.map((a) => jobsOf(h.db, a.id)))).every((j) => j[0]!.state === 'sent'),
      5000,
      'the digest',
    );
    const digest = await h.postId(held[0]!);
    expect(await h.postId(held[1]!)).toBe(digest);
    const before = h.world.sent.length;
    const ask = h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: digest });
    expect(await ask.replied()).toBe(FULL_STORY_REPLIES.several);
    await settle(h);
    expect(h.world.sent.length).toBe(before);
  });

  it('a story longer than the daily cap allows is refused politely and nothing is sent', async () => {
    const h = await harness({ WHATSAPP_DAILY_CAP: '2' }, true);
    const a = await h.send(longArticle(14));
    const before = h.world.sent.length;
    const ask = h.world.latest.receive(GROUP, 'المزيد', `${MEMBER}@c.us`, { quoting: await h.postId(a) });
    expect(await ask.replied()).toBe(FULL_STORY_REPLIES.capReached);
    await settle(h);
    expect(h.world.sent.length).toBe(before);
  });
});
