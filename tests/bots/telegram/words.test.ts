/**
 * Issue 21, item 25: what the bot says, through the fake Bot API over HTTP. The /settings help names the chat's own
 * id and keeps its placeholders; a topic button rewrites the filter above the buttons; /digest and /quiet say what
 * was wrong with the words before the examples.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleTransport } from '../../../bots/console/transport.js';
import { messages } from '../../../bots/telegram/i18n.js';
import { DeliveryWorker } from '../../../src/delivery/worker.js';
import { routeArticleIn } from '../../helpers/articles.js';
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
import { jobsOf } from '../../helpers/raw-db.js';

let h: Harness | undefined;
let consoleWorker: DeliveryWorker | undefined;
afterEach(async () => {
  await consoleWorker?.stop(1000);
  await h?.close();
  h = undefined;
  consoleWorker = undefined;
});

async function command(h: Harness, chat: number, text: string, lang = 'ar'): Promise<string> {
  const before = h.fake.sentTo(chat).length;
  h.fake.pushUpdate(message(privateChat(chat), chat, text, {}, lang));
  await waitFor(() => h.fake.sentTo(chat).length > before, 8000, `the reply to ${text}`);
  return h.fake.sentTo(chat).at(-1)!.params.text as string;
}

const edits = (h: Harness, chat: number) =>
  h.fake.sent('editMessageText').filter((c) => String(c.params.chat_id) === String(chat));

describe('Telegram words', () => {
  it("/settings: the help names the chat's id where the placeholders are, and keeps «رقم_المصدر» as it is", async () => {
    h = await startHarness();
    const channel = await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1005550002', kind: 'channel', title: 'قناة' },
      Date.now() - 60_000,
    );
    const id = channel.id;
    const panel = await command(h, EDITOR, `/settings ${id}`);
    expect(panel).toContain(
      `العلامة والتذييل: /settings ${id} header نص، أو /settings ${id} footer نص («-» لحذفه، «default» للافتراضي). ` +
        `مرشّح لمصدر واحد: /settings ${id} source رقم_المصدر سوريا -رياضة (بلا كلمات: يُحذف).`,
    );
    const english = await command(h, EDITOR, `/settings ${id}`, 'en');
    expect(english).toContain(
      `A filter for one source: /settings ${id} source source-id Syria -sport (no words: removed).`,
    );
    // A source filter typed without its source id answers with the same help.
    expect(await command(h, EDITOR, `/settings ${id} source`)).toContain(`/settings ${id} source رقم_المصدر سوريا`);
  });

  it('/stats names the platforms by their labels and says why deliveries wait, in Arabic and in English', async () => {
    h = await startHarness();
    await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1005550003', kind: 'channel', title: 'قناة' },
      Date.now() - 60_000,
    );
    // One delivery waiting for a platform that is off here (WhatsApp), so that nothing sends it while the test reads.
    await h.data.repos.subscriptions.subscribe(
      { platform: 'whatsapp', chatId: '120363000000000001@g.us', kind: 'group', title: 'مجموعة' },
      Date.now() - 60_000,
    );
    await routeArticleIn(h.data, await addArticle(h.data));
    const arabic = await command(h, EDITOR, '/stats');
    expect(arabic).toContain('الاشتراكات: تيليغرام 1 نشط');
    // Why it waits, in Arabic too (it read «⏳ whatsapp: 1 تنتظر — whatsapp is off: …»).
    expect(arabic).toContain('⏳ واتساب: رسالة منتظرة واحدة — المنصة مطفأة في الإعدادات');
    expect(arabic).not.toMatch(/\b(telegram|whatsapp)\b|is off/);
    const english = await command(h, EDITOR, '/stats', 'en');
    expect(english).toContain('Subscriptions: Telegram 1 active');
    expect(english).toContain('⏳ WhatsApp: 1 waiting — whatsapp is off');
  });

  it('a topic button rewrites the filter above the buttons, on and off', async () => {
    h = await startHarness({ env: { NASHRA_TOPICS: 'حلب،الرقة' } });
    await command(h, 701, '/subscribe');
    const panel = await command(h, 701, '/topics');
    expect(panel).toBe(
      'تصلك الآن كل الأخبار، بلا مرشّح.\nلتغييره: /topics الرقة "دير الزور" -رياضة (بـ«-» تُستبعد كلمة أو عبارة)، أو /topics الكل لكل الأخبار.\n\n' +
        'اختر المواضيع (بلا اختيار = كل الأخبار):',
    );
    h.fake.pushUpdate(callback(701, 'tp:حلب'));
    await waitFor(() => edits(h!, 701).length === 1, 5000, 'the panel rewritten');
    const on = edits(h, 701)[0]!.params;
    expect(String(on.text).split('\n')[0]).toBe('المرشّح الآن: حلب');
    expect(on.reply_markup.inline_keyboard.flat().map((b: { text: string }) => b.text)).toContain('✅ حلب');
    h.fake.pushUpdate(callback(701, 'tp:حلب'));
    await waitFor(() => edits(h!, 701).length === 2, 5000, 'the panel rewritten again');
    expect(String(edits(h, 701)[1]!.params.text).split('\n')[0]).toBe('تصلك الآن كل الأخبار، بلا مرشّح.');
  });

  it('/digest 25:00 and /quiet 7-9 say what was wrong, then the examples', async () => {
    h = await startHarness({ bot: { commandLimit: { limit: 100, windowMs: 10_000 } } });
    await command(h, 702, '/subscribe');
    const digest = await command(h, 702, '/digest 25:00');
    expect(digest).toMatch(/^«25:00» ليست ساعة من اليوم: الساعات من 00:00 إلى 23:59\.\n\nأمثلة:\n\/digest 08:00 — /);
    const quiet = await command(h, 702, '/quiet 7-9');
    expect(quiet).toMatch(
      /^لم أفهم «7-9»: تُكتب ساعات الهدوء من ساعة إلى ساعة، مثل 00:00-07:00، أو «إيقاف»\.\n\nأمثلة:\n/,
    );
    expect(await command(h, 702, '/quiet 07:00-07:00')).toMatch(
      /^تبدأ ساعات الهدوء وتنتهي في وقتين مختلفين\.\n\nأمثلة:/,
    );
    expect(await command(h, 702, '/digest عاجل')).toMatch(
      /^اكتب بعد الأمر موعد الملخص: ساعة مثل 08:00، أو «كل ساعة»، أو «فوري»\.\n\nأمثلة:/,
    );
    expect(await command(h, 702, '/digest 25:00', 'en')).toMatch(
      /^“25:00” is not a time of day: hours go from 00:00 to 23:59\.\n\nExamples:\n/,
    );
    // Nothing was changed by the words it did not understand.
    expect(await command(h, 702, '/digest')).toMatch(/^الإعدادات الآن: الأخبار فور صدورها؛ بلا ساعات هدوء\./);
  });
});

describe('Telegram: a retraction in Arabic (issue 21, item 26)', () => {
  it("agrees with the count in each category Intl.PluralRules('ar') gives: 1, 2, 3-10, 11-99, 100", () => {
    const m = messages('ar');
    const counts = [1, 2, 3, 11, 100];
    expect(counts.map((n) => m.retractPreview('خبر', '', n))).toEqual(
      [
        'رسالة منتظرة واحدة لم تُرسل بعد',
        'رسالتان منتظرتان لم تُرسلا بعد',
        '3 رسائل منتظرة لم تُرسل بعد',
        '11 رسالة منتظرة لم تُرسل بعد',
        '100 رسالة منتظرة لم تُرسل بعد',
      ].map((waiting) => `سحب الخبر «خبر»: لم يُرسل منه شيء، وتُلغى ${waiting}. لن يُرسل بعد ذلك أبداً.`),
    );
    expect(counts.map((n) => m.retracted(n, n))).toEqual([
      'سُحب الخبر: يُحذف منشور واحد، وأُلغيت رسالة منتظرة واحدة.',
      'سُحب الخبر: يُحذف منشوران، وأُلغيت رسالتان منتظرتان.',
      'سُحب الخبر: يُحذف 3 منشورات، وأُلغيت 3 رسائل منتظرة.',
      'سُحب الخبر: يُحذف 11 منشورًا، وأُلغيت 11 رسالة منتظرة.',
      'سُحب الخبر: يُحذف 100 منشور، وأُلغيت 100 رسالة منتظرة.',
    ]);
    expect(counts.map((n) => m.correctQueued(n))).toEqual(
      ['منشور واحد', 'منشوران', '3 منشورات', '11 منشورًا', '100 منشور'].map((p) => `تمّ التصحيح؛ يُعدَّل ${p}.`),
    );
    expect(m.correctQueued(0)).toBe('تمّ التصحيح؛ لم يُرسل منه شيء بعد، فيصل مصحّحًا.');
  });

  const button = (h: Harness, label: string): string | undefined =>
    h.fake
      .sentTo(EDITOR)
      .map((c) => c.params.reply_markup?.inline_keyboard?.[0])
      .filter(Boolean)
      .flat()
      .reverse()
      .find((b: { text: string }) => b.text === label)?.callback_data;

  it('names the platforms by their Arabic labels, agrees with «منشور» and «رسالة», and gives the reasons in Arabic', async () => {
    h = await startHarness();
    const harness = h;
    const hourAgo = Date.now() - 3600_000;
    for (const chatId of ['5101', '5102', '5103'])
      await harness.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId, kind: 'private' }, hourAgo);
    await harness.data.repos.subscriptions.subscribe({ platform: 'console', chatId: 'demo', kind: 'private' }, hourAgo);
    // The console prints and can neither edit nor delete what it printed: the worker fails its retraction job.
    consoleWorker = new DeliveryWorker(
      harness.data,
      [createConsoleTransport(() => {}, harness.config)],
      harness.logger,
      { pollMs: 50, backoffMs: 200 },
    );
    consoleWorker.start();
    const article = await addArticle(harness.data);
    await routeArticleIn(harness.data, article);
    harness.worker.notify();
    consoleWorker.notify();
    await waitFor(
      async () => (await jobsOf(harness.db, article.id)).filter((d) => d.state === 'sent').length === 4,
      10_000,
      'four posts',
    );
    // One more chat whose message has not gone yet: the retraction cancels it.
    await harness.worker.stop(1000);
    const late = await harness.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '5104', kind: 'private' },
      Date.now(),
    );
    await harness.data.repos.audience.queueListed(article.id, [late.id], {}, Date.now());

    harness.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/retract ${article.id}`));
    await waitFor(() => button(harness, 'تأكيد') !== undefined, 5000, 'the retraction preview');
    const preview = harness.fake
      .sentTo(EDITOR)
      .map((c) => String(c.params.text))
      .find((t) => t.startsWith('سحب الخبر'));
    expect(preview).toBe(
      `سحب الخبر «${article.title}»: يُحذف منشور واحد على الطرفية و3 منشورات على تيليغرام، ` +
        'وتُلغى رسالة منتظرة واحدة لم تُرسل بعد. لن يُرسل بعد ذلك أبداً.',
    );

    // One chat refuses both the deletion and the notice: its reason is Telegram's, said in Arabic.
    harness.fake.refuseCorrections('5103', { delete: true, edit: true });
    harness.worker.start();
    harness.fake.pushUpdate(callback(EDITOR, button(harness, 'تأكيد')!));
    await waitFor(
      () => harness.fake.sentTo(EDITOR).some((c) => String(c.params.text).startsWith('سُحب الخبر')),
      5000,
      'the confirmation',
    );
    expect(
      harness.fake
        .sentTo(EDITOR)
        .map((c) => String(c.params.text))
        .find((t) => t.startsWith('سُحب الخبر')),
    ).toBe('سُحب الخبر: يُحذف 4 منشورات، وأُلغيت رسالة منتظرة واحدة.');
    const report = () =>
      harness.fake
        .sent('editMessageText')
        .filter((c) => String(c.params.chat_id) === String(EDITOR))
        .map((c) => String(c.params.text))
        .at(-1);
    await waitFor(
      () => /تيليغرام: حُذف: منشوران، تعذّر لمسه: منشور واحد\n/.test(report() ?? '') && /الطرفية/.test(report() ?? ''),
      15_000,
      'the report',
    );
    expect(report()).toBe(
      'نتيجة التصحيح أو السحب:\nالطرفية: تعذّر لمسه: منشور واحد\nالأسباب: لا تتيح الطرفية تعديل منشوراتها ولا حذفها (1)\n' +
        'تيليغرام: حُذف: منشوران، تعذّر لمسه: منشور واحد\nالأسباب: رفض تيليغرام حذف المنشور (أقدم من 48 ساعة، أو لا صلاحية للبوت) وتحويله إلى إشعار السحب (1)',
    );
  }, 60_000);
});
