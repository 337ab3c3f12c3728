import { parseSendTime } from '../../../src/text/schedule.js';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Article, StoredArticle } from '../../../src/model/article.js';
import { DEFAULT_DELIVERY } from '../../../src/model/subscription.js';
import { loadAppConfig } from '../../../src/app/platforms.js';
import type { WhatsAppSettings } from '../../../bots/whatsapp/config.js';
import { DeliveryWorker } from '../../../src/delivery/worker.js';
import { createLogger } from '../../../src/logger.js';
import { composeUrgent, confirmBroadcast, digestCloser, type NewsroomDeps } from '../../../src/newsroom/index.js';
import { storeArticleIn, routeArticleIn } from '../../helpers/articles.js';
import { whatsappMarkup } from '../../../bots/whatsapp/markup.js';
import type { DataPorts } from '../../../src/ports/index.js';
import { WhatsAppAdapter, type WhatsAppAdapterOptions } from '../../../bots/whatsapp/index.js';
import { REPLIES } from '../../../bots/whatsapp/commands.js';
import { dayKey } from '../../../bots/whatsapp/pacing.js';
import { BOT_ID, FakeClock, FakeWhatsAppWorld, until } from '../../helpers/fake-whatsapp-client.js';
import { adapterContextOn } from '../../helpers/context.js';
import { auditLog, createDatabase, jobsOf, type RawDatabase } from '../../helpers/raw-db.js';
import { tempDir } from '../../helpers/tmp.js';

const EDITOR = '963911111111';
const ADMIN = '963922222222';
const MEMBER = '963933333333';
const GROUP = '120363000000000001@g.us';

let cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function article(n: number, over: Partial<Article> = {}): Article {
  const topics = ['المعرض', 'الطريق', 'المدرسة', 'الجسر', 'المستشفى', 'السوق', 'المطار', 'الملعب'];
  const topic = `${topics[n % topics.length]} ${n}`;
  return {
    url: `https://example.org/news/${n}`,
    title: `افتتاح ${topic} في مدينة حمص`,
    source: 'SY24',
    paragraphs: [
      `أعلنت السلطات المحلية افتتاح ${topic} بعد أشهر من العمل المتواصل في المدينة.`,
      `وقال مسؤولون إن ${topic} سيخدم آلاف السكان في الأحياء المجاورة خلال الأعوام المقبلة.`,
    ],
    categories: ['محليات'],
    language: 'ar',
    ...over,
  };
}

interface Harness {
  data: DataPorts;
  db: RawDatabase;
  world: FakeWhatsAppWorld;
  clock: FakeClock;
  adapter: WhatsAppAdapter;
  worker: DeliveryWorker;
  alerts: string[];
  logs: string[];
  newsroom: NewsroomDeps;
  config: { timeZone: string };
  add(n: number, over?: Partial<Article>): Promise<StoredArticle>;
}

async function harness(env: Record<string, string> = {}, options: WhatsAppAdapterOptions = {}): Promise<Harness> {
  const { dir, cleanup } = tempDir('nashra-wa-');
  const db = await createDatabase();
  const store = db.ports;
  const config = loadAppConfig({
    ...db.env,
    WHATSAPP_ENABLED: '1',
    WHATSAPP_EDITOR_NUMBERS: `+${EDITOR}`,
    WHATSAPP_SESSION_DIR: join(dir, 'session'),
    ...env,
  });
  const clock = new FakeClock();
  const world = new FakeWhatsAppWorld(clock.now);
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const alerts: string[] = [];
  let seq = 0;
  const random = () => [0.1, 0.9, 0.5, 0.3, 0.7][seq++ % 5]!;
  let worker: DeliveryWorker | undefined;
  const ctx = adapterContextOn(config, db, logger, {
    onQueued: () => worker?.notify(),
    notifyOtherEditors: async (text) => {
      alerts.push(text);
    },
  });
  const adapter = new WhatsAppAdapter(config.platforms.whatsapp as WhatsAppSettings, ctx, {
    createClient: world.createClient,
    clock,
    random,
    loadMedia: null,
    ...options,
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
    await db.close();
    cleanup();
  });
  let createdAt = clock.now();
  const add = async (n: number, over?: Partial<Article>) => {
    createdAt += 1000;
    const r = await storeArticleIn(store, article(n, over), { now: createdAt });
    if (r.status !== 'new') throw new Error(`article ${n} was a duplicate`);
    return r.article;
  };
  return { data: store, db, world, clock, adapter, worker: worker!, alerts, logs, add, newsroom: ctx.newsroom, config };
}

async function started(h: Harness): Promise<void> {
  await h.adapter.start();
  await until(() => h.adapter.isConnected(), 2000, 'the adapter to be ready');
}

/** Text without the bidi isolates the formatter puts around digits and Latin runs. */
const plain = (s: string) => s.replace(/[\u2066-\u2069\u200E\u200F]/g, '');

/** A subscription's delivery settings, the defaults while it never chose (as the worker reads them). */
const deliveryOf = async (h: Harness, subscriptionId: number) =>
  (await h.data.repos.subscriptions.delivery(subscriptionId)) ?? DEFAULT_DELIVERY;

/** The audit log's actions, newest first. */
const actions = async (h: Harness) => (await auditLog(h.db)).map((e) => e.action);

/**
 * WhatsApp's count of messages sent on that day as stored (the run's counter table), once it has reached `atLeast`:
 * PostgreSQL's counters are written behind the send (src/app/run-database.ts WriteBehindCounters).
 */
async function sentOn(h: Harness, day: string, atLeast: number): Promise<number> {
  const stored = () => h.db.runtime.counters.get('whatsapp', day);
  await until(async () => (await stored()) >= atLeast, 5000, `${atLeast} sends counted on ${day}`);
  return stored();
}

/** The article's one post. */
const postOf = async (h: Harness, articleId: number) => (await jobsOf(h.db, articleId))[0]!;

describe('whatsapp commands', () => {
  it('a group member asking /latest, !latest or «آخر الأخبار» gets the newest summaries as a reply', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'أخبار الحي', [{ number: MEMBER }]);
    await started(h);
    const older = await h.add(1);
    const newest = await h.add(2);
    for (const body of ['/latest', '!latest', 'آخر الأخبار']) {
      const msg = h.world.latest.receive(GROUP, body, `${MEMBER}@c.us`);
      const reply = plain(await msg.replied());
      expect(reply).toContain(`*${newest.title}*`);
      expect(reply.indexOf(older.title)).toBeGreaterThan(reply.indexOf(newest.title));
    }
    const chatter = h.world.latest.receive(GROUP, 'صباح الخير', `${MEMBER}@c.us`);
    await new Promise((r) => setTimeout(r, 20));
    expect(chatter.replies).toHaveLength(0);
  });

  it('a non-admin cannot subscribe a group and is refused politely', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'أخبار الحي', [{ number: MEMBER }, { number: ADMIN, admin: true }]);
    await started(h);
    const msg = h.world.latest.receive(GROUP, '/subscribe', `${MEMBER}@c.us`);
    expect(await msg.replied()).toBe(REPLIES.adminsOnly);
    expect(await h.data.repos.subscriptions.findByChat('whatsapp', GROUP)).toBeUndefined();
  });

  it('a group admin subscribes (and unsubscribes) the group; an editor may too; «ملخص» sets an hourly digest', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'أخبار الحي', [{ number: MEMBER }, { number: ADMIN, admin: true }, { number: EDITOR }]);
    await started(h);
    expect(await h.world.latest.receive(GROUP, '!subscribe', `${ADMIN}@c.us`).replied()).toBe(REPLIES.subscribed);
    const sub = (await h.data.repos.subscriptions.findByChat('whatsapp', GROUP))!;
    expect(sub).toMatchObject({ active: true, kind: 'group', title: 'أخبار الحي', createdBy: ADMIN });
    expect((await deliveryOf(h, sub.id)).mode).toBe('immediate');
    expect(await h.world.latest.receive(GROUP, '/unsubscribe', `${MEMBER}@c.us`).replied()).toBe(REPLIES.adminsOnly);
    expect(await h.world.latest.receive(GROUP, '/unsubscribe', `${ADMIN}@c.us`).replied()).toBe(REPLIES.unsubscribed);
    expect((await h.data.repos.subscriptions.get(sub.id))!.active).toBe(false);
    expect(await h.world.latest.receive(GROUP, '/subscribe ملخص', `${EDITOR}@c.us`).replied()).toBe(
      REPLIES.subscribedDigest,
    );
    expect(await h.data.repos.subscriptions.get(sub.id)).toMatchObject({ active: true });
    expect((await deliveryOf(h, sub.id)).mode).toBe('hourly');
    expect(await actions(h)).toEqual([
      'subscription.update',
      'subscription.add',
      'subscription.remove',
      'refused',
      'subscription.add',
    ]);
  });

  it('a group admin sets a filter with /subscribe: words, «-» exclusions', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'g', [{ number: ADMIN, admin: true }]);
    await started(h);
    const reply = await h.world.latest.receive(GROUP, '/subscribe الرقة -رياضة', `${ADMIN}@c.us`).replied();
    expect(reply).toBe(`${REPLIES.subscribed}\nالمواضيع: الرقة؛ عدا: رياضة`);
    expect((await h.data.repos.subscriptions.findByChat('whatsapp', GROUP))!.topics).toEqual(['الرقة', '-رياضة']);
    // «ملخص» alone changes the delivery, not the filter.
    await h.world.latest.receive(GROUP, '/subscribe ملخص', `${ADMIN}@c.us`).replied();
    const sub = (await h.data.repos.subscriptions.findByChat('whatsapp', GROUP))!;
    expect(sub.topics).toEqual(['الرقة', '-رياضة']);
    expect((await deliveryOf(h, sub.id)).mode).toBe('hourly');
  });

  it("an editor's /broadcast shows a preview and «نعم» queues it; another reply cancels; a non-editor is refused", async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'g1', [{ number: MEMBER }]);
    await h.data.repos.subscriptions.subscribe({ platform: 'whatsapp', chatId: GROUP, kind: 'group' }, Date.now());
    await started(h);
    const a = await h.add(7);
    const editorChat = `${EDITOR}@c.us`;

    const refused = h.world.latest.receive(`${MEMBER}@c.us`, `/broadcast ${a.id}`);
    expect(await refused.replied()).toBe(REPLIES.editorsOnly);

    const preview = plain(await h.world.latest.receive(editorChat, `/broadcast ${a.url}`).replied());
    expect(preview).toContain(a.title);
    expect(preview).toContain('نعم');
    expect(await h.world.latest.receive(editorChat, 'لا').replied()).toBe(REPLIES.cancelled);
    expect(await jobsOf(h.db, a.id)).toHaveLength(0);

    await h.world.latest.receive(editorChat, `/broadcast ${a.id}`).replied();
    const confirmed = await h.world.latest.receive(editorChat, 'نعم').replied();
    expect(confirmed).toContain('رسالة واحدة');
    const deliveries = await jobsOf(h.db, a.id);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ state: 'queued', broadcastId: 2 });
    expect((await h.data.repos.broadcasts.get(1))!.state).toBe('cancelled');
    expect((await h.data.repos.broadcasts.get(2))!.state).toBe('queued');
    expect((await actions(h)).reverse()).toEqual([
      'refused',
      'broadcast.preview',
      'broadcast.cancel',
      'broadcast.preview',
      'broadcast.confirm',
    ]);
  });

  it('«جدولة 18:00» after a preview schedules it through the outbox; a time refused keeps the preview open; a replay changes nothing', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'g1', [{ number: MEMBER }]);
    await h.data.repos.subscriptions.subscribe({ platform: 'whatsapp', chatId: GROUP, kind: 'group' }, Date.now());
    await started(h);
    const a = await h.add(5);
    const editorChat = `${EDITOR}@c.us`;
    expect(plain(await h.world.latest.receive(editorChat, `/broadcast ${a.id}`).replied())).toContain('جدولة 18:00');
    for (const bad of ['جدولة 25:99', 'جدولة أمس', `جدولة ${'9'.repeat(40)}`]) {
      expect(await h.world.latest.receive(editorChat, bad).replied()).toMatch(/ليس وقتًا/);
    }
    expect((await h.data.repos.broadcasts.get(1))!.state).toBe('preview');
    expect(await jobsOf(h.db, a.id)).toHaveLength(0);
    const expected = parseSendTime('18:00', h.config.timeZone, h.clock.now());
    expect(expected.ok).toBe(true);
    const done = plain(await h.world.latest.receive(editorChat, 'جدولة ١٨:٠٠').replied());
    expect(done).toMatch(/^🕒 جُدول البث #1: \d{4}-\d\d-\d\d 18:00 بتوقيت /);
    expect(await h.data.repos.broadcasts.get(1)).toMatchObject({
      state: 'queued',
      sendAt: new Date(expected.ok ? expected.at : 0),
    });
    expect((await jobsOf(h.db, a.id)).map((j) => j.state)).toEqual(['queued']);
    // The preview is decided: the same words again are not a second schedule.
    await h.world.latest.receive(editorChat, 'جدولة 19:00');
    expect((await h.data.repos.broadcasts.get(1))!.sendAt).toEqual(new Date(expected.ok ? expected.at : 0));
    expect(await actions(h)).toContain('broadcast.schedule');
  });

  it('a «نعم» after the confirmation window cancels instead', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'g1', [{ number: MEMBER }]);
    await h.data.repos.subscriptions.subscribe({ platform: 'whatsapp', chatId: GROUP, kind: 'group' }, Date.now());
    await started(h);
    const a = await h.add(3);
    await h.world.latest.receive(`${EDITOR}@c.us`, `/broadcast ${a.id}`).replied();
    h.clock.t += 6 * 60_000;
    expect(await h.world.latest.receive(`${EDITOR}@c.us`, 'نعم').replied()).toBe(REPLIES.expired);
    expect(await jobsOf(h.db, a.id)).toHaveLength(0);
    expect((await auditLog(h.db, 1))[0]).toMatchObject({ action: 'broadcast.cancel', detail: { why: 'expired' } });
  });

  it('a broadcast that would reach nobody says so and asks for no «نعم»', async () => {
    const h = await harness();
    await started(h);
    const a = await h.add(4);
    expect(await h.world.latest.receive(`${EDITOR}@c.us`, `/broadcast ${a.id}`).replied()).toBe(
      REPLIES.broadcastNobody,
    );
    expect((await h.data.repos.broadcasts.get(1))!.state).toBe('cancelled');
  });

  it('group_leave removing the bot deactivates the subscription with the reason', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'g', [{ number: ADMIN, admin: true }]);
    const sub = await h.data.repos.subscriptions.subscribe(
      { platform: 'whatsapp', chatId: GROUP, kind: 'group' },
      Date.now(),
    );
    await started(h);
    h.world.latest.groupLeave(GROUP, `${MEMBER}@c.us`, `${ADMIN}@c.us`); // someone else: nothing changes
    h.world.latest.groupLeave(GROUP, BOT_ID, `${ADMIN}@c.us`);
    await until(async () => !(await h.data.repos.subscriptions.get(sub.id))!.active);
    expect((await h.data.repos.subscriptions.get(sub.id))!.deactivatedReason).toBe(
      `the bot was removed from the group by ${ADMIN}@c.us`,
    );
  });
});

describe('whatsapp delivery', () => {
  it('a disconnection in the middle of a broadcast: the rest is sent after reconnecting, each exactly once', async () => {
    const h = await harness();
    const groups = [1, 2, 3, 4, 5].map((i) => `12036300000000000${i}@g.us`);
    for (const g of groups) {
      h.world.addGroup(g, g, [{ number: MEMBER }]);
      await h.data.repos.subscriptions.subscribe({ platform: 'whatsapp', chatId: g, kind: 'group' }, Date.now());
    }
    await started(h);
    const a = await h.add(11);
    await h.world.latest.receive(`${EDITOR}@c.us`, `/broadcast ${a.id}`).replied();
    await h.world.latest.receive(`${EDITOR}@c.us`, 'نعم').replied();
    // The third send dies with the connection: the page closes while the request is in flight.
    h.world.beforeSend = (client, _chat, attempt) => {
      if (attempt !== 3) return;
      client.emit('disconnected', 'CONFLICT');
      throw new Error('Protocol error: Session closed');
    };
    const result = await h.worker.drain(5000);
    expect(h.world.clients.length).toBe(2); // reconnected once
    expect(h.world.sent.map((s) => s.chatId).sort()).toEqual([...groups].sort());
    expect(new Set(h.world.sent.map((s) => s.client))).toEqual(new Set([1, 2]));
    const rows = await jobsOf(h.db, a.id);
    expect(rows.map((r) => r.state)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    expect(new Set(rows.map((r) => r.messageId)).size).toBe(5);
    expect(result).toMatchObject({ sent: 5, failed: 0, retried: 1 });
  });

  it('a logout stops sending, keeps the queue, alerts the editors and does not reconnect', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'g', [{ number: MEMBER }]);
    await h.data.repos.subscriptions.subscribe({ platform: 'whatsapp', chatId: GROUP, kind: 'group' }, Date.now());
    await started(h);
    h.world.latest.emit('disconnected', 'LOGOUT');
    expect(h.adapter.transport.isReady()).toBe(false);
    const a = await h.add(4);
    await routeArticleIn(h.data, a);
    await h.worker.drain(100);
    expect(h.world.sent).toHaveLength(0);
    expect((await postOf(h, a.id)).state).toBe('queued');
    expect(h.alerts.join('\n')).toContain('nashra whatsapp login');
    expect(h.logs.some((l) => l.includes('WHATSAPP LOGGED OUT'))).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.world.clients).toHaveLength(1);
  });

  it('pacing on a fake clock: newest first, typing before each, random pauses in range, daily cap until the next day', async () => {
    const h = await harness({ WHATSAPP_DAILY_CAP: '3' });
    h.world.addGroup(GROUP, 'g', [{ number: MEMBER }]);
    await h.data.repos.subscriptions.subscribe(
      { platform: 'whatsapp', chatId: GROUP, kind: 'group' },
      h.clock.now() - 60_000,
    );
    await started(h);
    const articles = await Promise.all([1, 2, 3, 4, 5].map((n) => h.add(n)));
    for (const a of articles) await routeArticleIn(h.data, a);
    const firstDay = dayKey(h.clock.now(), 'Asia/Damascus');

    // The cap leaves two queued, so the drain ends when nothing has moved for 500 ms, not at a fixed 300 ms (on
    // PostgreSQL under a full pass the third send came after it).
    await h.worker.drain(10_000, 500);
    expect(h.world.sent).toHaveLength(3); // the cap holds; the rest waits
    expect(h.adapter.transport.isReady()).toBe(false);
    expect(await sentOn(h, firstDay, 3)).toBe(3);
    const queued = [];
    for (const a of articles) if ((await postOf(h, a.id)).state === 'queued') queued.push(a);
    expect(queued.map((a) => a.id)).toEqual([articles[0]!.id, articles[1]!.id]);

    h.clock.t += 24 * 3600_000; // next day
    await h.worker.drain(2000);
    expect(h.world.sent).toHaveLength(5);
    const order = h.world.sent.map((s) => plain(s.content as string).match(/افتتاح \S+ (\d)/)![1]);
    expect(order).toEqual(['5', '4', '3', '2', '1']); // newest first within each day
    expect(h.world.typing).toHaveLength(5);
    for (const s of h.world.sent) expect(h.world.typing.some((t) => t.chatId === s.chatId && t.at < s.at)).toBe(true);
    const typingSleeps = h.clock.sleeps.filter((ms) => ms < 4000);
    const pauses = h.clock.sleeps.filter((ms) => ms >= 4000 && ms < 60_000);
    expect(typingSleeps).toHaveLength(5);
    for (const ms of typingSleeps) {
      expect(ms).toBeGreaterThanOrEqual(1000);
      expect(ms).toBeLessThanOrEqual(2000);
    }
    expect(pauses).toHaveLength(5);
    for (const ms of pauses) {
      expect(ms).toBeGreaterThanOrEqual(4000);
      expect(ms).toBeLessThanOrEqual(10000);
    }
    // Consecutive messages on the same day are at least one pause + typing apart on the clock.
    const gaps = h.world.sent.slice(1, 3).map((s, i) => s.at - h.world.sent[i]!.at);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(5000);
    for (const s of h.world.sent) expect(s.options).toMatchObject({ linkPreview: true });
  });

  it('digest: a «ملخص» group gets one message per hour from the digest engine, every delivery marked sent with its id', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'g', [{ number: MEMBER }]);
    const sub = await h.data.repos.subscriptions.subscribe(
      { platform: 'whatsapp', chatId: GROUP, kind: 'group' },
      h.clock.now() - 60_000,
    );
    await h.data.repos.subscriptions.setDelivery(sub.id, { ...DEFAULT_DELIVERY, mode: 'hourly' }, Date.now());
    await started(h);
    const articles = await Promise.all([1, 2, 3, 4].map((n) => h.add(n)));
    for (const a of articles) await routeArticleIn(h.data, a);
    await h.worker.drain(300);
    expect(h.world.sent).toHaveLength(0); // held until the hour ends
    expect((await Promise.all(articles.map((a) => postOf(h, a.id)))).map((j) => j.state)).toEqual([
      'held',
      'held',
      'held',
      'held',
    ]);
    h.clock.t += 3600_000;
    await h.worker.drain(10_000);
    expect(h.world.sent).toHaveLength(1);
    expect(h.world.sent[0]!.options).toMatchObject({ linkPreview: false });
    const text = plain(h.world.sent[0]!.content as string);
    expect(text).toContain('*📰 ملخص الأخبار* (4)');
    for (const a of articles) expect(text).toContain(a.title);
    expect(text.indexOf(articles[3]!.title)).toBeLessThan(text.indexOf(articles[0]!.title));
    const rows = await Promise.all(articles.map((a) => postOf(h, a.id)));
    expect(
      rows.every((r) => r.state === 'sent' && r.messageId === h.world.sent[0]!.id && r.subscriptionId === sub.id),
    ).toBe(true);
    expect(await sentOn(h, dayKey(h.clock.now(), 'Asia/Damascus'), 1)).toBe(1);
    // The same hour again: nothing more.
    await h.worker.drain(300);
    expect(h.world.sent).toHaveLength(1);
  });

  it('/digest and /quiet: a group admin chooses a daily digest with urgent at once, and quiet hours that wait', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'g', [{ number: ADMIN, admin: true }, { number: MEMBER }]);
    await started(h);
    expect(await h.world.latest.receive(GROUP, '/digest ٠٨:٠٠ عاجل', `${ADMIN}@c.us`).replied()).toBe(
      REPLIES.deliveryNow('ملخص يومي الساعة 08:00، والعاجل فورًا؛ بلا ساعات هدوء (Asia/Damascus)'),
    );
    expect(await h.world.latest.receive(GROUP, '/quiet 00:00-07:00 انتظار', `${ADMIN}@c.us`).replied()).toBe(
      REPLIES.deliveryNow(
        'ملخص يومي الساعة 08:00، والعاجل فورًا؛ ساعات الهدوء 00:00–07:00: تُؤجَّل إلى نهايتها (Asia/Damascus)',
      ),
    );
    expect(await h.world.latest.receive(GROUP, '/quiet 25:00-07:00', `${ADMIN}@c.us`).replied()).toBe(
      `«25:00» ليست ساعة من اليوم: الساعات من 00:00 إلى 23:59.\n\n${REPLIES.deliveryUsage.split('\n\n')[1]}`,
    );
    expect(await h.world.latest.receive(GROUP, '/quiet إيقاف', `${MEMBER}@c.us`).replied()).toBe(REPLIES.adminsOnly);
    const sub = (await h.data.repos.subscriptions.findByChat('whatsapp', GROUP))!;
    expect(await deliveryOf(h, sub.id)).toEqual({
      mode: 'daily',
      digestAt: 8 * 60,
      urgentNow: true,
      timeZone: 'Asia/Damascus',
      quiet: { start: 0, end: 7 * 60 },
      quietMode: 'wait',
      quietUrgent: false,
    });
    expect(await h.world.latest.receive(GROUP, '/digest فوري', `${ADMIN}@c.us`).replied()).toContain(
      'الأخبار فور صدورها',
    );
  });

  it('digest: an urgent alert in it keeps its «عاجل» mark and shows neither a fake link nor «المصدر: عاجل»', async () => {
    const h = await harness();
    h.world.addGroup(GROUP, 'g', [{ number: MEMBER }]);
    const sub = await h.data.repos.subscriptions.subscribe(
      { platform: 'whatsapp', chatId: GROUP, kind: 'group' },
      h.clock.now() - 60_000,
    );
    await h.data.repos.subscriptions.setDelivery(sub.id, { ...DEFAULT_DELIVERY, mode: 'hourly' }, Date.now());
    await started(h);
    const normal = await h.add(1);
    await routeArticleIn(h.data, normal);
    const editor = { platform: 'whatsapp', id: EDITOR };
    const urgent = await composeUrgent(h.newsroom, editor, 'انفجار قرب دوار الجمارك في دمشق');
    await confirmBroadcast(h.newsroom, editor, urgent.broadcast.id, urgent.broadcast.token);
    h.clock.t += 3600_000;
    await h.worker.drain(10_000);
    expect(h.world.sent).toHaveLength(1);
    const text = plain(h.world.sent[0]!.content as string);
    expect(text).toContain('*🔴 عاجل*\n*انفجار قرب دوار الجمارك في دمشق*');
    expect(text).not.toMatch(/urgent:|المصدر: عاجل/);
    expect(text).toContain(normal.url!);
  });

  it("each group's template: its footer and lines, and the link preview on or off (issue 12, section 4)", async () => {
    const h = await harness({ NASHRA_FOOTER: 'نشرة' });
    const quiet = '120363000000000002@g.us';
    h.world.addGroup(GROUP, 'g', [{ number: MEMBER }]);
    h.world.addGroup(quiet, 'q', [{ number: MEMBER }]);
    await h.data.repos.subscriptions.subscribe(
      { platform: 'whatsapp', chatId: GROUP, kind: 'group' },
      h.clock.now() - 60_000,
    );
    const own = await h.data.repos.subscriptions.subscribe(
      { platform: 'whatsapp', chatId: quiet, kind: 'group' },
      h.clock.now() - 60_000,
    );
    await h.data.repos.subscriptions.setTemplate(
      own.id,
      { linkPreview: 'none', footer: 'مجموعة الحي', showSource: false, showHashtags: false },
      Date.now(),
    );
    await started(h);
    await routeArticleIn(h.data, await h.add(1));
    await h.worker.drain(10_000);
    const [def, mine] = [h.world.sentTo(GROUP)[0]!, h.world.sentTo(quiet)[0]!];
    expect(def.options).toMatchObject({ linkPreview: true });
    expect(mine.options).toMatchObject({ linkPreview: false });
    expect(
      plain(def.content as string)
        .split('\n')
        .at(-1),
    ).toBe('نشرة');
    expect(
      plain(mine.content as string)
        .split('\n')
        .at(-1),
    ).toBe('مجموعة الحي');
    expect(plain(def.content as string)).toContain('المصدر:');
    expect(plain(mine.content as string)).not.toContain('المصدر:');
  });

  it('a group the account is not in fails permanently and deactivates the subscription', async () => {
    const h = await harness();
    const gone = '120363000000000099@g.us';
    h.world.addGroup(gone, 'left', [{ number: MEMBER }], { withBot: false });
    const sub = await h.data.repos.subscriptions.subscribe(
      { platform: 'whatsapp', chatId: gone, kind: 'group' },
      h.clock.now() - 60_000,
    );
    await started(h);
    await routeArticleIn(h.data, await h.add(1));
    await h.worker.drain(10_000);
    expect(h.world.sent).toHaveLength(0);
    expect((await h.data.repos.subscriptions.get(sub.id))!.active).toBe(false);
    expect((await h.data.repos.subscriptions.get(sub.id))!.deactivatedReason).toContain('no longer a member');
  });
});
