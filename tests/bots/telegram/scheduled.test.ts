/**
 * Scheduled sends on Telegram (issue 25 §4): «جدولة» under a broadcast's and an urgent alert's preview, preset times
 * and a time sent as a reply to the prompt, `/scheduled` with its list, move and cancel, through the real grammY bot
 * against the fake Bot API; and what a hostile or mistaken hand sends: a non-editor's press, forged button data
 * (another token, a time in the past, digits that are no date), garbage words, replays.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { localDateTime } from '../../../src/text/schedule.js';
import {
  addArticle,
  callback,
  EDITOR,
  message,
  privateChat,
  repliesTo,
  startHarness,
  waitFor,
  type Harness,
} from '../../fake-telegram/harness.js';
import { auditLog, jobsOf } from '../../helpers/raw-db.js';
import { seedBestHour } from '../../helpers/clicks.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ZONE = 'Asia/Damascus';
const plain = (s: string) => s.replace(/[\u2068\u2069\u200f]/g, '');
const buttons = (c: { params: Record<string, unknown> }): Array<{ text: string; callback_data: string }> => {
  const markup = typeof c.params.reply_markup === 'string' ? JSON.parse(c.params.reply_markup) : c.params.reply_markup;
  return (markup?.inline_keyboard ?? []).flat();
};
/** Waits for the editor's next reply after `n` replies, and returns its text. */
async function nextReply(h: Harness, n: number, what: string): Promise<string> {
  await waitFor(() => repliesTo(h, EDITOR).length > n, 5000, what);
  return plain(repliesTo(h, EDITOR)[n]!.params.text);
}
const jobs = async (h: Harness, articleId: number) => (await jobsOf(h.db, articleId)).map((j) => j.state);

describe('telegram: scheduled sends', () => {
  it('«جدولة» under the preview: presets and a reply schedule it; forged, past, garbage and replayed presses change nothing', async () => {
    h = await startHarness({
      env: { NASHRA_TIME_ZONE: ZONE },
      bot: { commandLimit: { limit: 100, windowMs: 60_000 } },
    });
    const article = await addArticle(h.data);
    for (let i = 0; i < 3; i++)
      await h.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(10_000 + i), kind: 'private' },
        Date.now(),
      );
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/broadcast ${article.id}`));
    await waitFor(() => repliesTo(h!, EDITOR).some((c) => buttons(c).length > 0), 5000, 'preview');
    const preview = repliesTo(h, EDITOR).find((c) => buttons(c).length > 0)!;
    const scheduleButton = buttons(preview).find((b) => b.text === '🕒 جدولة')!;
    expect(scheduleButton.callback_data).toMatch(/^bc:when:1:[0-9a-f]+$/);
    const token = scheduleButton.callback_data.split(':')[3]!;

    // A non-editor pressing (or forging) «جدولة»: refused in an alert, no prompt.
    h.fake.pushUpdate(callback(999, scheduleButton.callback_data, 999));
    await waitFor(
      () => h!.fake.calls.some((c) => c.method === 'answerCallbackQuery' && c.params.show_alert),
      5000,
      'refusal',
    );
    expect(repliesTo(h, 999)).toHaveLength(0);

    // The editor: a prompt, in reply to the preview, with preset times.
    let n = repliesTo(h, EDITOR).length;
    h.fake.pushUpdate(callback(EDITOR, scheduleButton.callback_data, EDITOR, Number(preview.params.message_id ?? 1)));
    expect(await nextReply(h, n, 'prompt')).toContain('متى يُنشر؟');
    const prompt = repliesTo(h, EDITOR)[n]!;
    const presets = buttons(prompt);
    expect(presets.length).toBeGreaterThanOrEqual(3);
    for (const b of presets) expect(b.callback_data).toMatch(new RegExp(`^bc:at:1:${token}:\\d{12}$`));
    expect(presets.map((b) => b.text).join(' ')).toMatch(/(اليوم|غدًا) \d\d:\d\d/);

    // Forged presses: another token, a time in the past, digits that are no date, a non-editor with a good time.
    const forged = [
      [EDITOR, `bc:at:1:deadbeefdeadbeef:${presets[0]!.callback_data.slice(-12)}`, /تمّ التعامل مع هذا النشر من قبل/],
      [EDITOR, `bc:at:1:${token}:202001011000`, /وقت مضى/],
      [EDITOR, `bc:at:1:${token}:209913991299`, /ليس وقتًا/],
      [999, presets[0]!.callback_data, /للمحرّرين فقط/],
    ] as const;
    for (const [from, data, said] of forged) {
      const before = repliesTo(h, from).length;
      h.fake.pushUpdate(callback(from, data, from));
      await waitFor(() => repliesTo(h!, from).length > before, 5000, `answer to ${data}`);
      expect(plain(repliesTo(h, from)[before]!.params.text)).toMatch(said);
    }
    expect((await h.data.repos.broadcasts.get(1))!.state).toBe('preview');
    expect(await jobs(h, article.id)).toEqual([]);

    // A reply to the prompt with garbage words, then with a full date two days ahead in Arabic-Indic digits.
    const replyTo = {
      reply_to_message: {
        message_id: 9999,
        date: Math.floor(Date.now() / 1000),
        chat: { id: EDITOR, type: 'private', first_name: 'x' },
        from: { id: h.fake.botId, is_bot: true, first_name: 'Nashra' },
        text: prompt.params.text,
        reply_markup: { inline_keyboard: [presets] },
      },
    };
    n = repliesTo(h, EDITOR).length;
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, 'بعد قليل إن شاء الله', replyTo));
    expect(await nextReply(h, n, 'garbage refused')).toMatch(/«بعد قليل إن شاء الله» ليس وقتًا\. اكتب الساعة مثل 18:00/);
    const at = localDateTime(Date.now() + 2 * 86_400_000, ZONE);
    h.fake.pushUpdate(
      message(
        privateChat(EDITOR),
        EDITOR,
        at.replace(/\d/g, (d) => String.fromCharCode(0x660 + Number(d))),
        replyTo,
      ),
    );
    expect(await nextReply(h, n + 1, 'scheduled')).toBe(
      `🕒 جُدول النشر #1: ${at} بتوقيت ${ZONE}، إلى 3 مشتركين. /scheduled لعرض المجدول وتغييره وإلغائه.`,
    );
    const b = (await h.data.repos.broadcasts.get(1))!;
    expect(b.state).toBe('queued');
    expect(localDateTime(b.sendAt!.getTime(), ZONE)).toBe(at);
    expect((await jobsOf(h.db, article.id)).map((j) => [j.state, j.broadcastId])).toEqual([
      ['queued', 1],
      ['queued', 1],
      ['queued', 1],
    ]);

    // Replays: a preset pressed now, «إرسال» on the old preview: decided already, nothing more queued or sent.
    n = repliesTo(h, EDITOR).length;
    h.fake.pushUpdate(callback(EDITOR, presets[0]!.callback_data));
    expect(await nextReply(h, n, 'replayed preset')).toMatch(/تمّ التعامل مع هذا النشر من قبل/);
    h.fake.pushUpdate(callback(EDITOR, `bc:send:1:${token}`));
    await waitFor(
      () => h!.fake.calls.filter((c) => c.method === 'answerCallbackQuery').length >= 8,
      5000,
      'send replay answered',
    );
    expect(await jobs(h, article.id)).toEqual(['queued', 'queued', 'queued']);
    expect(
      h.fake.sent('sendMessage').filter((c) => Number(c.params.chat_id) >= 10_000 && Number(c.params.chat_id) < 10_100),
    ).toHaveLength(0);
    expect((await auditLog(h.db)).filter((e) => e.action === 'broadcast.schedule')).toHaveLength(1);
  });

  it("the «جدولة» prompt offers the audience's best hour first, starred, where four weeks of clicks show one", async () => {
    h = await startHarness({
      env: { NASHRA_TIME_ZONE: 'UTC' },
      bot: { commandLimit: { limit: 100, windowMs: 60_000 } },
    });
    const article = await addArticle(h.data);
    const chats = [];
    for (let i = 0; i < 6; i++)
      chats.push(
        await h.data.repos.subscriptions.subscribe(
          { platform: 'telegram', chatId: String(20_000 + i), kind: 'private' },
          Date.now() - 60 * 86_400_000,
        ),
      );
    await seedBestHour(
      h.data,
      chats.map((c) => c.id),
      19,
    );
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/broadcast ${article.id}`));
    await waitFor(
      () => repliesTo(h!, EDITOR).some((c) => buttons(c).some((b) => b.callback_data.startsWith('bc:when:'))),
      5000,
      'preview',
    );
    const preview = repliesTo(h, EDITOR).find((c) => buttons(c).some((b) => b.callback_data.startsWith('bc:when:')))!;
    const when = buttons(preview).find((b) => b.callback_data.startsWith('bc:when:'))!;
    const n = repliesTo(h, EDITOR).length;
    h.fake.pushUpdate(callback(EDITOR, when.callback_data, EDITOR, Number(preview.params.message_id ?? 1)));
    expect(plain(await nextReply(h, n, 'prompt'))).toMatch(/⭐ 19:00 أكثر ساعة نُقر فيها/);
    const presets = buttons(repliesTo(h, EDITOR)[n]!);
    expect(presets[0]!.text).toMatch(/^⭐ (اليوم|غدًا) 19:00$/);
    expect(presets.filter((b) => b.text.startsWith('⭐'))).toHaveLength(1);
    expect(presets[0]!.callback_data).toMatch(/^bc:at:\d+:[0-9a-f]+:\d{8}1900$/);
  }, 90_000); // 60 posts seeded (stored, queued, sent, clicked): a round trip per statement on PostgreSQL

  it('/scheduled lists, moves and cancels, for editors only; a forged cancel button and other ids do nothing', async () => {
    h = await startHarness({
      env: { NASHRA_TIME_ZONE: ZONE },
      bot: { commandLimit: { limit: 100, windowMs: 60_000 } },
    });
    for (let i = 0; i < 2; i++)
      await h.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(10_000 + i), kind: 'private' },
        Date.now(),
      );
    // An urgent alert, scheduled from its preview's preset.
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, '/urgent انقطاع الكهرباء في دمشق'));
    await waitFor(
      () => repliesTo(h!, EDITOR).some((c) => buttons(c).some((b) => b.callback_data.startsWith('bc:when:'))),
      5000,
      'urgent preview',
    );
    const when = repliesTo(h, EDITOR)
      .flatMap(buttons)
      .find((b) => b.callback_data.startsWith('bc:when:'))!;
    let n = repliesTo(h, EDITOR).length;
    h.fake.pushUpdate(callback(EDITOR, when.callback_data));
    await nextReply(h, n, 'prompt');
    const preset = buttons(repliesTo(h, EDITOR)[n]!).at(-1)!;
    h.fake.pushUpdate(callback(EDITOR, preset.callback_data));
    expect(await nextReply(h, n + 1, 'scheduled')).toMatch(/^🕒 جُدول النشر #1: .* إلى مشتركَين\./);
    const token = (await h.data.repos.broadcasts.get(1))!.token;

    // Until its time, readers do not see the alert: /latest has nothing yet.
    h.fake.pushUpdate(message(privateChat(777), 777, '/latest'));
    await waitFor(() => repliesTo(h!, 777).length === 1, 5000, '/latest');
    expect(repliesTo(h, 777)[0]!.params.text).toBe('لا توجد أخبار بعد.');

    // Someone else asks: refused.
    h.fake.pushUpdate(message(privateChat(999), 999, '/scheduled'));
    await waitFor(() => repliesTo(h!, 999).length === 1, 5000, 'refusal');
    expect(repliesTo(h, 999)[0]!.params.text).not.toContain('انقطاع');

    n = repliesTo(h, EDITOR).length;
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, '/scheduled'));
    const list = await nextReply(h, n, 'list');
    expect(list).toMatch(
      /^المجدول \(1\):\n\n#1 \d{4}-\d\d-\d\d \d\d:\d\d 🔴 — انقطاع الكهرباء في دمشق \(إلى مشتركَين\)/,
    );
    expect(buttons(repliesTo(h, EDITOR)[n]!)).toEqual([{ text: 'إلغاء #1', callback_data: `sc:x:1:${token}` }]);

    // Moved; garbage, the past, other ids refused in words.
    const at = localDateTime(Date.now() + 3 * 86_400_000, ZONE);
    const tries = [
      [`/scheduled move 1 ${at}`, `🕒 نُقل موعد النشر #1 إلى ${at} بتوقيت ${ZONE}.`],
      ['/scheduled move 1 25:99', /«25:99» ليس وقتًا/],
      [`/scheduled move 1 ${localDateTime(Date.now() - 86_400_000, ZONE)}`, /وقت مضى/],
      [`/scheduled move 1 ${localDateTime(Date.now() + 40 * 86_400_000, ZONE)}`, /أبعد من 30 يومًا/],
      ['/scheduled cancel 77', 'لا نشر مجدول بالرقم #77. /scheduled يعرض المجدول.'],
      ['/scheduled cancel 1; DROP TABLE jobs', /^المجدول|^\/scheduled move/],
    ] as const;
    for (const [text, said] of tries) {
      n = repliesTo(h, EDITOR).length;
      h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, text));
      const reply = await nextReply(h, n, text);
      if (typeof said === 'string') expect(reply).toBe(said);
      else expect(reply).toMatch(said);
    }
    expect(localDateTime((await h.data.repos.broadcasts.get(1))!.sendAt!.getTime(), ZONE)).toBe(at);

    // A forged cancel button (another token), then the real one, then the real one again.
    h.fake.pushUpdate(callback(EDITOR, 'sc:x:1:deadbeefdeadbeef'));
    await waitFor(
      () =>
        h!.fake.calls.some(
          (c) => c.method === 'answerCallbackQuery' && /لا نشر مجدول بالرقم #1/.test(c.params.text ?? ''),
        ),
      5000,
      'forged cancel',
    );
    expect((await h.data.repos.broadcasts.get(1))!.state).toBe('queued');
    h.fake.pushUpdate(callback(999, `sc:x:1:${token}`, 999));
    await waitFor(
      () => h!.fake.calls.filter((c) => c.method === 'answerCallbackQuery' && c.params.show_alert).length >= 2,
      5000,
      'non-editor cancel',
    );
    expect((await h.data.repos.broadcasts.get(1))!.state).toBe('queued');
    n = repliesTo(h, EDITOR).length;
    h.fake.pushUpdate(callback(EDITOR, `sc:x:1:${token}`));
    expect(await nextReply(h, n, 'cancelled')).toBe('أُلغي النشر المجدول #1، ولن يُرسل منه شيء.');
    expect(await h.data.repos.broadcasts.progress(1)).toMatchObject({ skipped: 2, queued: 0 });
    h.fake.pushUpdate(callback(EDITOR, `sc:x:1:${token}`));
    await waitFor(
      () => h!.fake.calls.some((c) => c.method === 'answerCallbackQuery' && /أُلغي من قبل/.test(c.params.text ?? '')),
      5000,
      'replayed cancel',
    );
    n = repliesTo(h, EDITOR).length;
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, '/scheduled'));
    expect(await nextReply(h, n, 'empty list')).toBe('لا شيء مجدول.');
    expect((await auditLog(h.db)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['broadcast.schedule', 'broadcast.reschedule', 'broadcast.unschedule']),
    );
  });
});
