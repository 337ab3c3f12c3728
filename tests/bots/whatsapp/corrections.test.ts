/**
 * Corrections and retractions on WhatsApp through the fake client (whatsapp-web.js's surface and its windows: an
 * edit for 15 minutes, a delete for everyone for 60 hours), the real adapter and delivery worker on a fake clock.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WhatsAppSettings } from '../../../bots/whatsapp/config.js';
import { WhatsAppAdapter } from '../../../bots/whatsapp/index.js';
import { loadAppConfig } from '../../../src/app/platforms.js';
import { createConsoleTransport } from '../../../bots/console/transport.js';
import { DeliveryWorker } from '../../../src/delivery/worker.js';
import { createLogger } from '../../../src/logger.js';
import type { StoredArticle } from '../../../src/model/article.js';
import {
  CLI_OPERATOR,
  confirmCorrection,
  confirmRetraction,
  correctionReport,
  previewCorrection,
  type NewsroomDeps,
} from '../../../src/newsroom/index.js';
import { bridgeArticle, routeArticleIn, storeArticleIn } from '../../helpers/articles.js';
import type { DataPorts } from '../../../src/ports/index.js';
import { FakeClock, FakeWhatsAppWorld, until } from '../../helpers/fake-whatsapp-client.js';
import { adapterContextOn } from '../../helpers/context.js';
import { createDatabase, jobsOf, type RawDatabase } from '../../helpers/raw-db.js';
import { tempDir } from '../../helpers/tmp.js';

const EDITOR = '963911111111';
const GROUP = '120363000000000001@g.us';
const MINUTE = 60_000;

let cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const plain = (s: string) => s.replace(/[\u2066-\u2069\u200E\u200F]/g, '');

interface Harness {
  data: DataPorts;
  db: RawDatabase;
  world: FakeWhatsAppWorld;
  clock: FakeClock;
  newsroom: NewsroomDeps;
  worker: DeliveryWorker;
  send(n: number): Promise<StoredArticle>;
  config: ReturnType<typeof loadAppConfig>;
}

/** The bot's replies to the editor's message, once it has answered `count` times. */
async function ask(h: Harness, body: string, from = `${EDITOR}@c.us`): Promise<string> {
  const msg = h.world.latest.receive(from, body);
  return plain(await msg.replied());
}

async function harness(): Promise<Harness> {
  const { dir, cleanup } = tempDir('nashra-wa-corr-');
  const db = await createDatabase();
  const store = db.ports;
  const config = loadAppConfig({
    ...db.env,
    WHATSAPP_ENABLED: '1',
    WHATSAPP_EDITOR_NUMBERS: `+${EDITOR}`,
    WHATSAPP_SESSION_DIR: join(dir, 'session'),
  });
  const clock = new FakeClock();
  const world = new FakeWhatsAppWorld(clock.now);
  world.addGroup(GROUP, 'أخبار الحي', [{ number: EDITOR, admin: true }]);
  const logger = createLogger({ level: 'silent' });
  let worker: DeliveryWorker | undefined;
  const ctx = adapterContextOn(config, db, logger, { onQueued: () => worker?.notify() });
  const adapter = new WhatsAppAdapter(config.platforms.whatsapp as WhatsAppSettings, ctx, {
    createClient: world.createClient,
    clock,
    random: () => 0.5,
    loadMedia: null,
  });
  worker = new DeliveryWorker(store, [adapter.transport], logger, { pollMs: 2, backoffMs: 5 });
  cleanups.push(async () => {
    await worker!.stop(100);
    await adapter.stop();
    await db.close();
    cleanup();
  });
  await store.repos.subscriptions.subscribe(
    { platform: 'whatsapp', chatId: GROUP, kind: 'group' },
    clock.now() - 3600_000,
  );
  await adapter.start();
  await until(() => adapter.isConnected(), 2000, 'the adapter to be ready');
  worker.start();
  const send = async (n: number) => {
    const r = await storeArticleIn(store, bridgeArticle(n), { now: clock.now() });
    if (r.status !== 'new') throw new Error('duplicate');
    await routeArticleIn(store, r.article);
    worker!.notify();
    await until(
      async () => (await jobsOf(db, r.article.id)).every((d) => d.state === 'sent'),
      5000,
      `article ${n} to be sent`,
    );
    return r.article;
  };
  return { data: store, db, world, clock, newsroom: ctx.newsroom, worker, send, config };
}

const postOf = async (h: Harness, articleId: number) =>
  h.world.posts.get((await jobsOf(h.db, articleId))[0]!.messageId!)!;

async function correct(h: Harness, a: StoredArticle, title: string): Promise<void> {
  const p = await previewCorrection(h.newsroom, CLI_OPERATOR, String(a.id), { title });
  expect(await confirmCorrection(h.newsroom, CLI_OPERATOR, p.draft.id, p.draft.token)).toMatchObject({
    kind: 'done',
    queued: 1,
  });
  await until(async () => ((await correctionReport(h.newsroom, a.id))[0]?.queued ?? 1) === 0, 5000, 'the correction');
}

describe('WhatsApp corrections', () => {
  it('within 15 minutes the post itself is edited; after them, a reply starting «تصحيح:» carries the corrected text', async () => {
    const h = await harness();
    const fresh = await h.send(1);
    await correct(h, fresh, 'افتتاح الجسر الأول في مدينة حمص بعد تأخير');
    expect((await postOf(h, fresh.id)).edits).toHaveLength(1);
    expect(plain((await postOf(h, fresh.id)).body)).toContain('افتتاح الجسر الأول في مدينة حمص بعد تأخير');
    expect((await correctionReport(h.newsroom, fresh.id))[0]).toMatchObject({
      platform: 'whatsapp',
      kind: 'edit',
      done: { edited: 1 },
    });

    const older = await h.send(2);
    h.clock.t += 20 * MINUTE;
    const sentBefore = h.world.sent.length;
    await correct(h, older, 'افتتاح الجسر الثاني في مدينة حمص بعد تأخير');
    expect((await postOf(h, older.id)).edits).toHaveLength(0);
    const reply = h.world.sent.slice(sentBefore);
    expect(reply).toHaveLength(1);
    expect(reply[0]).toMatchObject({ chatId: GROUP, quoted: (await postOf(h, older.id)).id });
    expect(plain(String(reply[0]!.content))).toMatch(/^تصحيح:\n\*افتتاح الجسر الثاني في مدينة حمص بعد تأخير\*/);
    expect((await correctionReport(h.newsroom, older.id))[0]).toMatchObject({ done: { replied: 1 } });
  });

  it('a retraction deletes the post for everyone within 60 hours; after them, a notice replies to it', async () => {
    const h = await harness();
    const recent = await h.send(3);
    expect(await confirmRetraction(h.newsroom, CLI_OPERATOR, recent.id)).toMatchObject({ kind: 'done', queued: 1 });
    await until(
      async () => ((await correctionReport(h.newsroom, recent.id))[0]?.queued ?? 1) === 0,
      5000,
      'the deletion',
    );
    expect(await postOf(h, recent.id)).toMatchObject({ revoked: true, deletedForMe: false });
    expect((await correctionReport(h.newsroom, recent.id))[0]).toMatchObject({ kind: 'delete', done: { deleted: 1 } });

    const old = await h.send(4);
    h.clock.t += 61 * 3600_000;
    const sentBefore = h.world.sent.length;
    await confirmRetraction(h.newsroom, CLI_OPERATOR, old.id);
    await until(async () => ((await correctionReport(h.newsroom, old.id))[0]?.queued ?? 1) === 0, 5000, 'the notice');
    // Not "deleted for me" (what delete(true) quietly does past the window): the post stays, answered by the notice.
    expect(await postOf(h, old.id)).toMatchObject({ revoked: false, deletedForMe: false });
    expect(h.world.sent.slice(sentBefore)).toMatchObject([{ chatId: GROUP, quoted: (await postOf(h, old.id)).id }]);
    expect(String(h.world.sent.at(-1)!.content)).toMatch(/^سُحب هذا الخبر: /);
    expect((await correctionReport(h.newsroom, old.id))[0]).toMatchObject({ done: { notice: 1 } });
  });
});

describe('WhatsApp front door: /correct, /retract, /corrections', () => {
  it('an editor corrects and retracts from a private chat, confirming with «نعم»; anyone else is refused', async () => {
    const h = await harness();
    const a = await h.send(5);
    expect(await ask(h, `/retract ${a.id}`, '963944444444@c.us')).toBe('عذرًا، هذا الأمر متاح للمحررين فقط.');

    const preview = await ask(h, `/correct ${a.id}\nافتتاح الجسر الخامس في حمص بعد تأجيله يومين`);
    expect(preview).toMatch(/^معاينة التصحيح:/);
    expect(preview).toContain('ستُعدَّل المنشورات المرسلة: منشور واحد على واتساب');
    expect(await ask(h, 'نعم')).toMatch(/^✅ تمّ التصحيح/);
    await until(async () => (await postOf(h, a.id)).edits.length === 1, 5000, 'the edit');
    expect(plain((await postOf(h, a.id)).body)).toContain('افتتاح الجسر الخامس في حمص بعد تأجيله يومين');

    expect(await ask(h, `/retract ${a.id}`)).toContain('يُحذف منشور واحد على واتساب');
    expect(await ask(h, 'لا')).toBe('أُلغي، ولم يتغيّر شيء.');
    expect((await h.data.repos.articles.get(a.id))!.retracted).toBeUndefined();
    await ask(h, `/retract ${a.id}`);
    expect(await ask(h, 'نعم')).toMatch(/^✅ سُحب الخبر/);
    // The platform's answer is written with the next batch of the worker's writes: wait for it, not for the fake alone.
    await until(
      async () =>
        (await postOf(h, a.id)).revoked && (await h.data.repos.outbox.totalsByState(['edit', 'delete'])).sent === 2,
      5000,
      'the deletion',
    );
    expect(await ask(h, `/corrections ${a.id}`)).toBe('واتساب (تصحيح): عُدّل: منشور واحد\nواتساب (سحب): حُذف: منشور واحد');

    // The newsroom's refusals in Arabic, as WhatsApp speaks: no English sentence left in them.
    const retracted = await ask(h, `/correct ${a.id}\nعنوان بعد السحب`);
    expect(retracted).toBe(`تعذّر ذلك: سُحب الخبر ${a.id}؛ فلا يُصحَّح`);
    expect(retracted).not.toMatch(/[A-Za-z]/);
    const missing = await ask(h, '/correct 999999\nعنوان لخبر لا وجود له');
    expect(missing).toBe('تعذّر ذلك: لا خبر محفوظ يطابق «999999» (أعطِ رقمًا من nashra latest، أو رابط خبر جُلب من قبل)');
    expect(missing.replace('nashra latest', '')).not.toMatch(/[A-Za-z]/);
  });

  it('says the platforms by their Arabic labels, agrees with «منشور» and «رسالة», and gives the reasons in Arabic (issue 21, item 26)', async () => {
    const h = await harness();
    // A console target beside the group: the console prints, and can neither edit nor delete what it printed.
    await h.data.repos.subscriptions.subscribe(
      { platform: 'console', chatId: 'demo', kind: 'private' },
      h.clock.now() - 3600_000,
    );
    const consoleWorker = new DeliveryWorker(
      h.data,
      [createConsoleTransport(() => {}, h.config)],
      createLogger({ level: 'silent' }),
      { pollMs: 2, backoffMs: 5 },
    );
    consoleWorker.start();
    cleanups.push(() => consoleWorker.stop(100));
    const a = await h.send(6);
    // Two more chats whose messages have not gone yet: the retraction cancels them (a dual: «لم تُرسلا»).
    await h.worker.stop(100);
    for (const chatId of ['120363000000000002@g.us', '120363000000000003@g.us']) {
      const sub = await h.data.repos.subscriptions.subscribe(
        { platform: 'whatsapp', chatId, kind: 'group' },
        Date.now(),
      );
      await h.data.repos.audience.queueListed(a.id, [sub.id], {}, Date.now());
    }
    expect(await ask(h, `/retract ${a.id}`)).toBe(
      `سحب الخبر «${a.title}»: يُحذف منشور واحد على الطرفية ومنشور واحد على واتساب، ` +
        'وتُلغى رسالتان منتظرتان لم تُرسلا بعد. لن يُرسل بعد ذلك أبدًا.\nأرسل «نعم» خلال 5 دقائق للسحب. أي رد آخر يلغيه.',
    );
    expect(await ask(h, 'نعم')).toBe(
      `✅ سُحب الخبر: يُحذف منشوران، وأُلغيت رسالتان منتظرتان. للنتيجة: /corrections ${a.id}`,
    );
    h.worker.start();
    await until(
      async () => (await correctionReport(h.newsroom, a.id)).every((t) => t.queued === 0),
      5000,
      'the retraction to finish',
    );
    expect(await ask(h, `/corrections ${a.id}`)).toBe(
      'الطرفية (سحب): تعذّر لمسه: منشور واحد\nالأسباب: لا تتيح الطرفية تعديل منشوراتها ولا حذفها (1)\n' +
        'واتساب (سحب): حُذف: منشور واحد',
    );
  });
});
