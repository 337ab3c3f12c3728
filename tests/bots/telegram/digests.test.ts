/**
 * Digests and quiet hours through Telegram's front door: commands sent to the real bot over HTTP (the fake Bot API),
 * the real worker on a test clock, what the fake received and the rows read back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PLATFORMS, newsroomDeps } from '../../../src/app/platforms.js';
import {
  composeUrgent,
  confirmBroadcast,
  confirmCorrection,
  confirmRetraction,
  correctionReport,
  previewCorrection,
} from '../../../src/newsroom/index.js';
import { routeArticleIn } from '../../helpers/articles.js';
import {
  addArticle,
  EDITOR,
  message,
  privateChat,
  startHarness,
  waitFor,
  type Harness,
} from '../../fake-telegram/harness.js';
import { digestPeriodsOf, jobsOf, subscriptionJobsOf } from '../../helpers/raw-db.js';

let h: Harness | undefined;
const newsroom = (h: Harness) => newsroomDeps(BUILT_IN_PLATFORMS, h.config, h.data, h.logger, () => h.worker.notify());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * Test time on days after today (articles are queued at the real time, which must come before the periods the test
 * closes): `at(0, '05:00')` is tomorrow 05:00 UTC. Asia/Damascus is UTC+3 all year since 2022: 08:00 there is 05:00 UTC.
 */
const TOMORROW = Math.ceil(Date.now() / 86_400_000) * 86_400_000;
const at = (day: number, utc: string) => TOMORROW + day * 86_400_000 + Date.parse(`1970-01-01T${utc}Z`);
const plain = (s: string) => s.replace(/[\u2066-\u2069\u200E\u200F]/g, '').replace(/<[^>]+>/g, '');

async function command(h: Harness, chat: number, text: string, lang = 'ar'): Promise<string> {
  const before = h.fake.sentTo(chat).length;
  h.fake.pushUpdate(message(privateChat(chat), chat, text, {}, lang));
  await waitFor(() => h!.fake.sentTo(chat).length > before, 8000, `the reply to ${text}`);
  return h.fake.sentTo(chat).at(-1)!.params.text as string;
}

const digestsTo = (h: Harness, chat: number) =>
  h.fake.sentTo(chat).filter((c) => String(c.params.text).includes('ملخص الأخبار'));

describe('digests on Telegram', () => {
  it('/digest 08:00: articles wait for the morning digest, which goes out once per period; urgent at once only when asked', async () => {
    let now = at(0, '03:00:00'); // 06:00 in Damascus
    h = await startHarness({ digests: true, clock: () => now });
    expect(await command(h, 301, '/subscribe')).toContain('تمّ الاشتراك');
    expect(await command(h, 301, '/digest 08:00')).toBe(
      'الإعدادات الآن: ملخص يومي الساعة 08:00؛ بلا ساعات هدوء (Asia/Damascus).',
    );
    const sub = (await h.data.repos.subscriptions.findByChat('telegram', '301'))!;
    // The closer has run at 06:00 (the worker loops): yesterday's period is closed, empty.
    await waitFor(async () => (await digestPeriodsOf(h!.db, sub.id)).length === 1, 5000, 'the first period closed');
    expect(await digestPeriodsOf(h.db, sub.id)).toEqual([{ periodEnd: new Date(at(-1, '05:00:00')), items: 0 }]);

    const morning = await Promise.all([1, 2, 3].map(() => addArticle(h!.data)));
    for (const a of morning) await routeArticleIn(h.data, a);
    const editor = { platform: 'telegram', id: String(EDITOR) };
    const urgent = await composeUrgent(newsroom(h), editor, 'انفجار قرب دوار الجمارك في دمشق');
    await confirmBroadcast(newsroom(h), editor, urgent.broadcast.id, urgent.broadcast.token);
    expect(
      await Promise.all(
        [...morning.map((a) => a.id), urgent.article.id].map(async (id) => (await jobsOf(h!.db, id))[0]!.state),
      ),
    ).toEqual(['held', 'held', 'held', 'held']);
    expect(digestsTo(h, 301)).toHaveLength(0);

    now = at(0, '05:00:30'); // 08:00:30 in Damascus
    await waitFor(() => digestsTo(h!, 301).length === 1, 8000, 'the morning digest');
    const digest = digestsTo(h, 301)[0]!;
    const text = plain(digest.params.text);
    expect(text.startsWith('📰 ملخص الأخبار (4)')).toBe(true);
    for (const a of morning) {
      expect(text).toContain(a.title);
      expect(text).toContain(a.url);
    }
    expect(text).toContain('انفجار قرب دوار الجمارك في دمشق');
    expect(digest.params.link_preview_options).toEqual({ is_disabled: true });
    await waitFor(
      async () => (await jobsOf(h!.db, morning[0]!.id))[0]!.state === 'sent',
      5000,
      'the deliveries marked sent',
    );
    const messageId = (await jobsOf(h.db, morning[0]!.id))[0]!.messageId;
    expect(messageId).toBeDefined();
    for (const id of [...morning.map((a) => a.id), urgent.article.id]) {
      expect((await jobsOf(h.db, id))[0]).toMatchObject({ state: 'sent', messageId });
    }

    // Urgent alerts at once from now on; what comes next waits for tomorrow's digest, which carries only it.
    expect(await command(h, 301, '/digest 08:00 عاجل')).toContain('والعاجل فورًا');
    const later = await addArticle(h.data);
    await routeArticleIn(h.data, later);
    const urgent2 = await composeUrgent(newsroom(h), editor, 'زلزال بقوة خمس درجات يضرب ريف اللاذقية');
    await confirmBroadcast(newsroom(h), editor, urgent2.broadcast.id, urgent2.broadcast.token);
    await waitFor(
      () => h!.fake.sentTo(301).some((c) => String(c.params.text).includes('زلزال بقوة')),
      8000,
      'the urgent alert at once',
    );
    expect(digestsTo(h, 301)).toHaveLength(1);
    expect((await jobsOf(h.db, later.id))[0]!.state).toBe('held');

    now = at(1, '05:01:00');
    await waitFor(() => digestsTo(h!, 301).length === 2, 8000, "tomorrow's digest");
    const second = plain(digestsTo(h, 301)[1]!.params.text);
    expect(second.startsWith('📰 ملخص الأخبار (1)')).toBe(true);
    expect(second).toContain(later.title);
    expect(second).not.toContain(morning[0]!.title);
    expect((await digestPeriodsOf(h.db, sub.id)).map((p) => p.items)).toEqual([0, 4, 1]);

    // A correction of an article that went out in a digest: a reply to the digest that starts «تصحيح:»; the digest,
    // which carries three other articles, is not edited.
    const fix = await previewCorrection(newsroom(h), editor, String(morning[0]!.id), {
      title: 'عنوان مصحح للخبر الأول في الملخص',
    });
    await confirmCorrection(newsroom(h), editor, fix.draft.id, fix.draft.token);
    const isCorrection = (c: { params: Record<string, unknown> }) => plain(String(c.params.text)).startsWith('تصحيح:');
    await waitFor(() => h!.fake.sentTo(301).some(isCorrection), 8000, 'the correction as a reply to the digest');
    const reply = h.fake.sentTo(301).filter(isCorrection);
    expect(reply).toHaveLength(1);
    expect(reply[0]!.params.reply_parameters).toMatchObject({ message_id: Number(messageId) });
    expect(plain(String(reply[0]!.params.text))).toContain('عنوان مصحح للخبر الأول في الملخص');
    expect(h.fake.sent('editMessageText')).toHaveLength(0);
    await waitFor(
      async () => (await correctionReport(newsroom(h!), morning[0]!.id)).some((t) => t.done.replied === 1),
      5000,
      'the report',
    );
  });

  it('a digest longer than a message is split between items at 4,096 characters, parts in order', async () => {
    let now = at(0, '09:10:00');
    h = await startHarness({ digests: true, clock: () => now });
    await command(h, 302, '/subscribe');
    await command(h, 302, '/digest كل ساعة');
    const long =
      'وأكد المتحدث باسم المحافظة أن فرق الصيانة تعمل على مدار الساعة لإعادة التيار الكهربائي إلى الأحياء الشرقية والغربية من المدينة';
    const articles = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        addArticle(h!.data, {
          title: `عنوان طويل نسبيًا لخبر رقم ${i + 1} عن الكهرباء والمياه في ريف حلب الشمالي`,
          paragraphs: [`${long} ${i + 1}.`, `${long} مرة أخرى ${i + 1}.`],
        }),
      ),
    );
    for (const a of articles) await routeArticleIn(h.data, a);
    now = at(0, '10:00:05');
    await waitFor(
      () => {
        const d = digestsTo(h!, 302);
        return d.length > 1 && d.length === Number(/· \d+\/(\d+)/.exec(plain(d[0]!.params.text))?.[1]);
      },
      15_000,
      'every part of the digest',
    );
    const parts = digestsTo(h, 302).map((c) => c.params.text as string);
    parts.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(4096);
      expect(plain(p)).toContain(`· ${i + 1}/${parts.length}`);
    });
    // Every article exactly once, its headline and link in the same part.
    for (const a of articles) {
      const holding = parts.filter((p) => p.includes(a.url!));
      expect(holding).toHaveLength(1);
      expect(plain(holding[0]!)).toContain(a.title);
    }
    // The fake has answered; the worker writes `sent` rows a turn of the event loop later (in one transaction).
    const sub = (await h.data.repos.subscriptions.findByChat('telegram', '302'))!;
    const states = async () => (await subscriptionJobsOf(h!.db, sub.id)).map((p) => p.state);
    await waitFor(async () => !(await states()).includes('sending'), 5000, 'the parts recorded as sent');
    expect(await states()).toEqual(parts.map(() => 'sent'));
  }, 90_000); // 40 articles stored and routed one unit each: a round trip per statement on PostgreSQL
});

describe('quiet hours on Telegram', () => {
  it('silent inside the window, normal outside; «انتظار» holds until it ends; urgent overrides only where asked', async () => {
    let now = at(0, '22:30:00'); // 01:30 in Damascus
    h = await startHarness({ clock: () => now });
    for (const chat of [401, 402, 403]) await command(h, chat, '/subscribe');
    expect(await command(h, 401, '/quiet 00:00-07:00')).toBe(
      'الإعدادات الآن: الأخبار فور صدورها؛ ساعات الهدوء 00:00–07:00: تصل بلا تنبيه (Asia/Damascus).',
    );
    expect(await command(h, 402, '/quiet 00:00-07:00 انتظار')).toContain('تُؤجَّل إلى نهايتها');
    expect(await command(h, 403, '/quiet 00:00-07:00 wait urgent', 'en')).toBe(
      'Settings now: immediate; quiet 00:00-07:00: held until it ends (urgent alerts ignore it) (Asia/Damascus).',
    );

    const night = await addArticle(h.data);
    await routeArticleIn(h.data, night);
    await waitFor(
      () => h!.fake.sentTo(401).some((c) => c.params.text?.includes(night.url!)),
      8000,
      'the silent delivery',
    );
    expect(h.fake.sentTo(401).find((c) => c.params.text?.includes(night.url!))!.params.disable_notification).toBe(true);

    const editor = { platform: 'telegram', id: String(EDITOR) };
    const urgent = await composeUrgent(newsroom(h), editor, 'عاجل: انقطاع الطريق الدولي بين حمص وحماة');
    await confirmBroadcast(newsroom(h), editor, urgent.broadcast.id, urgent.broadcast.token);
    await waitFor(
      () => h!.fake.sentTo(403).some((c) => c.params.text?.includes('انقطاع الطريق')),
      8000,
      'the urgent alert through the quiet hours',
    );
    // 402 waits for everything, 403 for the ordinary article: still queued, nothing sent to them.
    await waitFor(
      async () => (await jobsOf(h!.db, urgent.article.id)).filter((d) => d.state === 'sent').length === 2,
      5000,
      'urgent sent to 401 and 403',
    );
    const queuedFor = async (chat: number) => {
      const sub = (await h!.data.repos.subscriptions.findByChat('telegram', String(chat)))!;
      return (await jobsOf(h!.db, night.id)).find((d) => d.subscriptionId === sub.id)!.state;
    };
    expect([await queuedFor(402), await queuedFor(403)]).toEqual(['queued', 'queued']);
    expect(h.fake.sentTo(402).filter((c) => c.params.text?.includes(night.url!))).toHaveLength(0);

    now = at(1, '04:00:01'); // 07:00:01: the window is over
    await waitFor(
      async () => (await queuedFor(402)) === 'sent' && (await queuedFor(403)) === 'sent',
      8000,
      'the held deliveries after the window',
    );
    const morning = h.fake.sentTo(402).find((c) => c.params.text?.includes(night.url!))!;
    expect(morning.params.disable_notification).toBeUndefined();
    expect(h.fake.sentTo(402).filter((c) => c.params.text?.includes('انقطاع الطريق'))).toHaveLength(1);
    const after = await addArticle(h.data);
    await routeArticleIn(h.data, after);
    await waitFor(
      () => h!.fake.sentTo(401).some((c) => c.params.text?.includes(after.url!)),
      8000,
      'a daytime delivery',
    );
    expect(
      h.fake.sentTo(401).find((c) => c.params.text?.includes(after.url!))!.params.disable_notification,
    ).toBeUndefined();
  });

  it("an editor sets a channel's digest and quiet hours from a private chat; anyone else is refused", async () => {
    h = await startHarness({ clock: () => at(0, '12:00:00') });
    h.fake.setChat('@syria_news', { id: -1000802, type: 'channel', title: 'أخبار سوريا' });
    await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1000802', kind: 'channel' },
      Date.now(),
    );
    expect(await command(h, EDITOR, '/digest @syria_news 08:00')).toBe(
      'الإعدادات الآن: ملخص يومي الساعة 08:00؛ بلا ساعات هدوء (Asia/Damascus).',
    );
    expect(await command(h, EDITOR, '/quiet -1000802 00:00-07:00')).toContain(
      'ساعات الهدوء 00:00–07:00: تصل بلا تنبيه',
    );
    expect(await command(h, 601, '/quiet @syria_news إيقاف')).toBe('هذا الأمر للمحرّرين فقط.');
    expect(await command(h, EDITOR, '/digest @nowhere_chan 08:00')).toContain('لم أجد القناة @nowhere_chan');
    const sub = (await h.data.repos.subscriptions.findByChat('telegram', '-1000802'))!;
    expect(await h.data.repos.subscriptions.delivery(sub.id)).toMatchObject({
      mode: 'daily',
      digestAt: 480,
      quiet: { start: 0, end: 420 },
      quietMode: 'silent',
    });
  });

  it('bare /digest shows the settings with examples; a bad time gets what was wrong and the examples; a chat not subscribed is told to subscribe', async () => {
    h = await startHarness({ clock: () => at(0, '12:00:00') });
    await command(h, 501, '/subscribe');
    expect(await command(h, 501, '/digest')).toMatch(/^الإعدادات الآن: الأخبار فور صدورها؛ بلا ساعات هدوء\.\n\nأمثلة:/);
    expect(await command(h, 501, '/quiet 07:00-07:00')).toMatch(
      /^تبدأ ساعات الهدوء وتنتهي في وقتين مختلفين\.\n\nأمثلة:/,
    );
    expect(await command(h, 502, '/quiet 00:00-06:00')).toBe('اشترك أولاً بـ /subscribe ثم اختر موعد الأخبار.');
  });

  it('a retracted article never goes out in a digest: held for it, or already in a digest waiting for quiet hours to end', async () => {
    let now = at(0, '03:00:00'); // 06:00 in Damascus
    h = await startHarness({ digests: true, clock: () => now });
    expect(await command(h, 311, '/subscribe')).toContain('تمّ الاشتراك');
    expect(await command(h, 311, '/digest 08:00')).toContain('ملخص يومي الساعة 08:00');
    // The 08:00 digest falls inside the quiet hours, which hold it until 09:00.
    expect(await command(h, 311, '/quiet 07:30-09:00 انتظار')).toContain('تُؤجَّل إلى نهايتها');
    const [early, late, kept] = await Promise.all([1, 2, 3].map(() => addArticle(h!.data)));
    for (const a of [early, late, kept]) await routeArticleIn(h.data, a!);
    const editor = { platform: 'telegram', id: String(EDITOR) };

    // Retracted while held for the digest: cancelled at once.
    expect(await confirmRetraction(newsroom(h), editor, early!.id, now)).toMatchObject({ kind: 'done', cancelled: 1 });
    expect((await jobsOf(h.db, early!.id))[0]).toMatchObject({
      state: 'skipped',
      lastError: 'the article was retracted',
    });

    // 08:00:30: the digest closes and waits for the end of the quiet hours, carrying `late` and `kept`.
    now = at(0, '05:00:30');
    h.worker.notify();
    const sub = (await h.data.repos.subscriptions.findByChat('telegram', '311'))!;
    await waitFor(async () => (await subscriptionJobsOf(h!.db, sub.id)).length > 0, 5000, 'the digest closed');
    expect((await subscriptionJobsOf(h.db, sub.id)).map((p) => p.state)).toEqual(['queued']);
    // Retracted while that digest waits: it goes out without it.
    expect(await confirmRetraction(newsroom(h), editor, late!.id, now)).toMatchObject({ kind: 'done', cancelled: 1 });

    now = at(0, '06:00:30'); // 09:00:30 in Damascus
    h.worker.notify();
    await waitFor(() => digestsTo(h!, 311).length === 1, 8000, 'the digest after the quiet hours');
    const text = plain(digestsTo(h, 311)[0]!.params.text);
    expect(text.startsWith('📰 ملخص الأخبار (1)')).toBe(true);
    expect(text).toContain(kept!.title);
    expect(text).not.toContain(early!.title);
    expect(text).not.toContain(late!.title);
    await waitFor(
      async () => (await jobsOf(h!.db, kept!.id))[0]!.state === 'sent',
      5000,
      'the kept article marked sent',
    );
    for (const a of [early, late]) {
      expect((await jobsOf(h.db, a!.id))[0]).toMatchObject({
        state: 'skipped',
        lastError: 'the article was retracted',
      });
    }
    expect(
      h.fake.sentTo(311).filter((c) => [early, late].some((a) => plain(String(c.params.text)).includes(a!.title))),
    ).toEqual([]);
  });
});
