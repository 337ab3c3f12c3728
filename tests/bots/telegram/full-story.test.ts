/**
 * «النص الكامل» on Telegram through the public seams: the real grammY bot and delivery worker against the fake Bot
 * API on 127.0.0.1 (TELEGRAM_API_ROOT), updates pushed as Telegram sends them, what reached the fake read back, and
 * the read count read back from SQLite.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  confirmCorrection,
  confirmRetraction,
  fullStoryCode,
  previewCorrection,
  type NewsroomDeps,
} from '../../../src/newsroom/index.js';
import type { StoredArticle } from '../../../src/model/article.js';
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
import { adapterContextOn } from '../../helpers/context.js';
import { jobsOf } from '../../helpers/raw-db.js';
import type { Call } from '../../fake-telegram/server.js';

/** A block of a rich message as the bot sent it: the fields these tests read. */
type RichBlockSent = { type?: string; text?: unknown };

const CHANNEL = '-1001234500001';
const PRIVATE_SUBSCRIBER = 5001;
const UNKNOWN_AR = 'لم نجد هذا الخبر. افتح الزرّ من منشور في القناة أو المجموعة من جديد.';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LONG = [
  'أعلنت الحكومة في دمشق اليوم عن خطة جديدة لدعم الاقتصاد المحلي في المحافظات.',
  'وقال مسؤول في وزارة الاقتصاد إن الخطة تشمل مشاريع في عدة محافظات، وتمتد ثلاث سنوات.',
  '«لن نتراجع عن دعم المنتج المحلي»',
  'وأضاف أن التمويل سيأتي من الموازنة العامة ومن قروض ميسّرة، وأن التنفيذ يبدأ مطلع العام المقبل.',
];

async function setUp(): Promise<{ deps: NewsroomDeps }> {
  h = await startHarness();
  const harness = h;
  const hourAgo = Date.now() - 3600_000;
  await harness.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: CHANNEL, kind: 'channel' }, hourAgo);
  const own = await harness.data.repos.subscriptions.subscribe(
    { platform: 'telegram', chatId: String(PRIVATE_SUBSCRIBER), kind: 'private' },
    hourAgo,
  );
  // A private chat offers the button once it chose to (off by default there).
  await harness.data.repos.subscriptions.setTemplate(own.id, { fullStory: true }, hourAgo);
  const deps = adapterContextOn(harness.config, harness.db, harness.logger, {
    onQueued: () => harness.worker.notify(),
  }).newsroom;
  return { deps };
}

/** Stores and routes an article, and waits until the channel's post went out; its «النص الكامل» code. */
async function post(
  extra: Parameters<typeof addArticle>[1] = {},
): Promise<{ article: StoredArticle; code: string; channelPost: Call }> {
  const article = await addArticle(h!.data, { paragraphs: LONG, ...extra });
  await routeArticleIn(h!.data, article);
  h!.worker.notify();
  await waitFor(
    () => h!.fake.sentTo(CHANNEL).length > 0 && h!.fake.sentTo(PRIVATE_SUBSCRIBER).length > 0,
    8000,
    'the posts',
  );
  const channelPost = h!.fake.sentTo(CHANNEL).at(-1)!;
  const url: string = channelPost.params.reply_markup?.inline_keyboard?.[0]?.[0]?.url ?? '';
  const code = /^https:\/\/t\.me\/nashra_test_bot\?start=full_([A-Za-z0-9_-]+)$/.exec(url)?.[1];
  if (!code) throw new Error(`no deep link on the channel's post: ${JSON.stringify(channelPost.params.reply_markup)}`);
  return { article, code, channelPost };
}

const richTo = (chatId: number) =>
  h!.fake.calls.filter((c) => c.method === 'sendRichMessage' && String(c.params.chat_id) === String(chatId));
const textsTo = (chatId: number) =>
  h!.fake.calls.filter(
    (c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId) && c.status === 'ok',
  );
const press = (reader: number, code: string) =>
  h!.fake.pushUpdate(message(privateChat(reader), reader, `/start full_${code}`));

/** Every string a rich message carries, in order (RichText flattened). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object')
    return Object.entries(value)
      .filter(([k]) => k !== 'type')
      .flatMap(([, v]) => strings(v));
  return [];
}

describe('the «النص الكامل» button', () => {
  it("is a deep link under a channel's post, a callback in a private subscription, and absent when the body only repeats the summary", async () => {
    const { deps } = await setUp();
    const { article, code } = await post();
    expect(code).toBe(await fullStoryCode(deps, article.id));
    const own = h!.fake.sentTo(PRIVATE_SUBSCRIBER).at(-1)!;
    expect(own.params.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'النص الكامل', callback_data: `fs:${code}` }]],
    });

    const short = await addArticle(h!.data, {
      paragraphs: ['أعلنت الحكومة في دمشق اليوم عن خطة جديدة لدعم الاقتصاد.'],
    });
    await routeArticleIn(h!.data, short);
    h!.worker.notify();
    await waitFor(
      async () => (await jobsOf(h!.db, short.id)).every((d) => d.state === 'sent'),
      8000,
      "the short article's posts",
    );
    const shortPost = h!.fake.sentTo(CHANNEL).at(-1)!;
    expect(shortPost.params.text).toContain('أعلنت الحكومة');
    expect(shortPost.params.reply_markup).toBeUndefined();
  });

  it('opens the private chat where /start full_<code> brings the whole article as one rich message, right to left, and counts one read', async () => {
    await setUp();
    const { article, code } = await post({ imageUrl: 'https://example.com/lead.jpg' });
    const reader = 4242;
    press(reader, code);
    await waitFor(() => richTo(reader).some((c) => c.status === 'ok'), 8000, 'the rich message');
    const sent = richTo(reader);
    expect(sent).toHaveLength(1);
    const rich = sent[0]!.params.rich_message;
    expect(rich.is_rtl).toBe(true);
    expect(rich.skip_entity_detection).toBe(true);
    expect(rich.blocks[0]).toEqual({ type: 'heading', text: article.title, size: 1 });
    expect(rich.blocks[1]).toEqual({
      type: 'paragraph',
      text: { type: 'italic', text: expect.stringMatching(/^المصدر: SY24/) },
    });
    expect(rich.blocks[2]).toEqual({ type: 'photo', photo: { type: 'photo', media: 'https://example.com/lead.jpg' } });
    expect(rich.blocks.slice(3, -1)).toEqual([
      { type: 'paragraph', text: LONG[0] },
      { type: 'paragraph', text: LONG[1] },
      { type: 'blockquote', blocks: [{ type: 'paragraph', text: 'لن نتراجع عن دعم المنتج المحلي' }] },
      { type: 'paragraph', text: LONG[3] },
    ]);
    expect(rich.blocks.at(-1)).toEqual({
      type: 'paragraph',
      text: { type: 'url', text: 'الخبر في موقعه الأصلي', url: article.url },
    });
    // Counted once the story went out, and once for all its parts.
    await waitFor(
      async () => (await h!.data.repos.fullStory.reads(article.id)) === 1,
      5000,
      'the read counted (written within a second)',
    );
    expect(textsTo(reader)).toHaveLength(0);
  });

  it('leaves out a lead photo the server cannot fetch and sends the story without it', async () => {
    await setUp();
    const { code } = await post({ imageUrl: 'https://example.com/missing.jpg' });
    const reader = 4250;
    h!.fake.failFor(reader, { kind: 'photo_invalid' });
    press(reader, code);
    await waitFor(() => textsTo(reader).length > 0 || richTo(reader).length >= 2, 8000, 'the second try');
    const tries = richTo(reader);
    expect(tries.map((c) => c.status)).toEqual([400, 'ok']);
    expect(tries[0]!.params.rich_message.blocks.some((b: RichBlockSent) => b.type === 'photo')).toBe(true);
    expect(tries[1]!.params.rich_message.blocks.some((b: RichBlockSent) => b.type === 'photo')).toBe(false);
  });

  it('answers in place in a private subscription: the callback is answered and the story follows in that chat', async () => {
    await setUp();
    const { code } = await post();
    h!.fake.pushUpdate(callback(PRIVATE_SUBSCRIBER, `fs:${code}`, PRIVATE_SUBSCRIBER));
    await waitFor(
      () => richTo(PRIVATE_SUBSCRIBER).some((c) => c.status === 'ok'),
      8000,
      'the rich message in the private chat',
    );
    expect(h!.fake.calls.some((c) => c.method === 'answerCallbackQuery')).toBe(true);
  });

  it("splits an article over one rich message's 500 blocks into parts the fake accepts, each with its headline", async () => {
    await setUp();
    const paragraphs = Array.from(
      { length: 700 },
      (_, i) => `الفقرة رقم ${i + 1} من تقرير طويل عن الاقتصاد في المحافظات السورية.`,
    );
    const { article, code } = await post({ paragraphs });
    const reader = 4343;
    press(reader, code);
    await waitFor(() => richTo(reader).filter((c) => c.status === 'ok').length === 2, 10_000, 'two parts');
    const parts = richTo(reader);
    expect(parts.map((c) => c.status)).toEqual(['ok', 'ok']);
    expect(parts.map((c) => c.params.rich_message.blocks[0].text)).toEqual([
      `${article.title} · 1/2`,
      `${article.title} · 2/2`,
    ]);
    const texts = parts.flatMap((c) =>
      c.params.rich_message.blocks
        .filter((b: RichBlockSent) => b.type === 'paragraph' && typeof b.text === 'string')
        .map((b: RichBlockSent) => b.text),
    );
    expect(texts).toEqual(paragraphs);
    // Counted once the story went out, and once for all its parts.
    await waitFor(
      async () => (await h!.data.repos.fullStory.reads(article.id)) === 1,
      5000,
      'the read counted (written within a second)',
    );
  });

  it("carries hostile text inert: no bidi control, markup and references as characters, only the original's link", async () => {
    await setUp();
    const hostile = [
      '<script>alert(1)</script> &amp;lt;b&amp;gt;عريض&amp;lt;/b&amp;gt; **نجمة** _مائل_ [رابط](https://evil.example) @admin /retract 1',
      '\u202Eنص معكوس\u202C وكلام\u200B بعده\u2066 في دمشق اليوم، وتفاصيل أخرى كثيرة عن الخبر وما جرى فيه بعد ذلك.',
      ...LONG,
    ];
    const { article, code } = await post({ title: '<b>عنوان</b>\u202E خبير', paragraphs: hostile });
    const reader = 4444;
    press(reader, code);
    await waitFor(() => richTo(reader).some((c) => c.status === 'ok'), 8000, 'the rich message');
    const rich = richTo(reader)[0]!.params.rich_message;
    const all = strings(rich.blocks);
    expect(all.join('\n')).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B]/);
    expect(rich.blocks[0].text).toBe('<b>عنوان</b> خبير');
    expect(
      rich.blocks.find((b: RichBlockSent) => typeof b.text === 'string' && b.text.startsWith('<script>')).text,
    ).toBe(
      '<script>alert(1)</script> &lt;b&gt;عريض&lt;/b&gt; **نجمة** _مائل_ [رابط](https://evil.example) @admin /retract 1',
    );
    // Plain strings only, the one link is the original's, and nothing is detected as a mention or a command.
    const links = JSON.stringify(rich.blocks).match(/"type":"url"/g) ?? [];
    expect(links).toHaveLength(1);
    expect(rich.skip_entity_detection).toBe(true);
    expect(rich.blocks.at(-1).text.url).toBe(article.url);

    // The plain-text fallback carries the same text without parse_mode: nothing in it is markup either.
    h!.fake.richUnsupported = true;
    const other = 4445;
    press(other, code);
    await waitFor(() => textsTo(other).length > 0, 8000, 'the plain text');
    const plain = textsTo(other);
    for (const m of plain) {
      expect(m.params.parse_mode).toBeUndefined();
      expect(m.params.entities).toBeUndefined();
      expect(m.params.text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B]/);
    }
    expect(plain.map((m) => m.params.text).join('\n')).toContain('<script>alert(1)</script> &lt;b&gt;');
  });
});

describe("the chat's choice", () => {
  it('a private subscriber turns the button on with /settings (off by default there), and the next post carries it', async () => {
    await setUp();
    const reader = 5002;
    const sub = await h!.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: String(reader), kind: 'private' },
      Date.now() - 3600_000,
    );
    h!.fake.pushUpdate(message(privateChat(reader), reader, `/settings ${sub.id}`));
    await waitFor(() => textsTo(reader).length > 0, 8000, 'the settings panel');
    const panel = JSON.stringify(textsTo(reader)[0]!.params.reply_markup);
    expect(panel).toContain(`"❌ زرّ النص الكامل (الافتراضي)","callback_data":"ts:${sub.id}:f"`);
    h!.fake.pushUpdate(callback(reader, `ts:${sub.id}:f`, reader));
    await waitFor(
      async () => (await h!.data.repos.subscriptions.template(sub.id)).fullStory === true,
      8000,
      'the choice stored',
    );
    const { article } = await post();
    await waitFor(
      async () => (await jobsOf(h!.db, article.id)).every((d) => d.state === 'sent'),
      8000,
      'every post sent',
    );
    const last = h!.fake
      .sentTo(reader)
      .filter(
        (c) =>
          c.method === 'sendMessage' &&
          c.params.reply_markup?.inline_keyboard?.[0]?.[0]?.callback_data?.startsWith('fs:'),
      );
    expect(last).toHaveLength(1);
  });
});

describe('what the reader gets', () => {
  it('a retracted story: «سُحب هذا الخبر» and nothing else', async () => {
    const { deps } = await setUp();
    const { article, code } = await post();
    await confirmRetraction(deps, { platform: 'telegram', id: String(EDITOR) }, article.id);
    const reader = 4646;
    press(reader, code);
    // The handler sends the notice last: once it is there, whatever the press brought is there too.
    await waitFor(() => textsTo(reader).length > 0, 8000, 'the answer');
    expect(textsTo(reader).map((c) => c.params.text)).toEqual(['سُحب هذا الخبر']);
    expect(richTo(reader)).toHaveLength(0);
    expect(await h!.data.repos.fullStory.reads(article.id)).toBe(0);
  });

  it("a corrected story: the corrected text, and the channel's corrected post keeps its button", async () => {
    const { deps } = await setUp();
    const { article, code, channelPost } = await post();
    const editor = { platform: 'telegram', id: String(EDITOR) };
    const preview = await previewCorrection(deps, editor, String(article.id), {
      title: 'الحكومة تعلن خطة معدّلة لدعم الاقتصاد',
      summary: ['أعلنت الحكومة في دمشق أمس عن خطة جديدة لدعم الاقتصاد المحلي في المحافظات.'],
    });
    expect(preview.before.summary[0]).toBe(LONG[0]);
    await confirmCorrection(deps, editor, preview.draft.id, preview.draft.token);
    h!.worker.notify();
    const channel = (await h!.data.repos.subscriptions.findByChat('telegram', CHANNEL))!;
    const messageId = Number((await jobsOf(h!.db, article.id)).find((d) => d.subscriptionId === channel.id)!.messageId);
    expect(messageId).toBeGreaterThan(0);
    await waitFor(() => (h!.fake.message(CHANNEL, messageId)?.edits ?? 0) > 0, 8000, 'the channel post edited');
    expect(h!.fake.message(CHANNEL, messageId)!.replyMarkup).toBe(JSON.stringify(channelPost.params.reply_markup));

    const reader = 4747;
    press(reader, code);
    await waitFor(() => richTo(reader).some((c) => c.status === 'ok'), 8000, 'the rich message');
    const blocks = richTo(reader)[0]!.params.rich_message.blocks;
    expect(blocks[0].text).toBe('الحكومة تعلن خطة معدّلة لدعم الاقتصاد');
    const text = strings(blocks).join('\n');
    expect(text).toContain('أعلنت الحكومة في دمشق أمس');
    expect(text).not.toContain('أعلنت الحكومة في دمشق اليوم');
  });

  it('a server without rich messages: plain text split at paragraph ends, remembered (the second press tries no sendRichMessage)', async () => {
    await setUp();
    const paragraphs = Array.from(
      { length: 60 },
      (_, i) => `الفقرة ${i + 1}: ${'تفاصيل عن الاقتصاد في المحافظات السورية وما تعلنه الحكومة. '.repeat(3).trim()}`,
    );
    const { article, code } = await post({ paragraphs });
    h!.fake.richUnsupported = true;
    const first = 4848;
    press(first, code);
    await waitFor(
      () => textsTo(first).some((c) => String(c.params.text).endsWith(article.url!)),
      10_000,
      'the last plain part',
    );
    await waitFor(
      async () => (await h!.data.repos.fullStory.reads(article.id)) === 1,
      5000,
      'the read counted (written within a second)',
    );
    expect(richTo(first).map((c) => c.status)).toEqual([404]);
    const texts = textsTo(first).map((c) => c.params.text as string);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(4096);
    // Split at paragraph ends: every paragraph whole in one message, in order, each once.
    const found = texts.flatMap((t) => t.split('\n\n').map((p) => p.replace(/^\u200F/, '')));
    expect(found.filter((p) => p.startsWith('الفقرة '))).toEqual(paragraphs);
    expect(texts[0]!.startsWith(`\u200F${article.title} · 1/${texts.length}`)).toBe(true);
    expect(texts.at(-1)!.endsWith(`الخبر في موقعه الأصلي: ${article.url}`)).toBe(true);

    const second = 4849;
    press(second, code);
    await waitFor(() => textsTo(second).length === texts.length, 10_000, "the second reader's parts");
    expect(h!.fake.calls.filter((c) => c.method === 'sendRichMessage')).toHaveLength(1);
    await waitFor(async () => (await h!.data.repos.fullStory.reads(article.id)) === 2, 5000, 'the second read counted');
  });

  it('forged, unknown, oversized and unpublished codes: one polite line, no story, nothing leaked', async () => {
    const { deps } = await setUp();
    const { article, code } = await post();
    const held = await addArticle(h!.data, {
      title: 'خبر سري ينتظر المراجعة',
      paragraphs: LONG.map((p) => `${p} (مسودة)`),
    });
    await h!.data.repos.reviews.open(held.id, Date.now());
    const heldCode = await fullStoryCode(deps, held.id);
    const [, sig] = code.split('-') as [string, string];
    const forged = [
      'abc',
      `${(article.id + 1).toString(36)}-${sig}`,
      `${article.id.toString(36)}-${'A'.repeat(16)}`,
      'A'.repeat(500),
      `${code}'"<>`,
      heldCode,
      `${(999_999).toString(36)}-${sig}`,
    ];
    let reader = 5100;
    for (const bad of forged) {
      const chat = reader++;
      press(chat, bad);
      await waitFor(() => textsTo(chat).length > 0, 8000, `the answer to ${bad.slice(0, 20)}`);
      const answers = textsTo(chat).map((c) => c.params.text as string);
      expect(answers).toEqual([UNKNOWN_AR]);
    }
    // A forged callback in a group is answered in the alert only.
    h!.fake.pushUpdate(callback(6001, 'fs:' + 'x'.repeat(70), 6001));
    await waitFor(
      () => h!.fake.calls.some((c) => c.method === 'answerCallbackQuery' && c.params.show_alert),
      8000,
      'the alert',
    );
    expect(h!.fake.calls.filter((c) => c.method === 'sendRichMessage')).toHaveLength(0);
    expect(
      JSON.stringify(h!.fake.calls.filter((c) => c.method === 'sendMessage').map((c) => c.params.text)),
    ).not.toContain('ينتظر المراجعة');
    expect(await h!.data.repos.fullStory.reads(held.id)).toBe(0);
    expect(await h!.data.repos.fullStory.reads(article.id)).toBe(0);
  });
});

describe("the fake Bot API's sendRichMessage", () => {
  it("takes what grammY's types allow and refuses with 400 what they do not, or what is over the limits; an older server answers 404", async () => {
    h = await startHarness();
    let chat = 7000;
    const call = async (rich: unknown) => {
      chat++; // one chat per request: the fake's per-chat rate limit stays out of it
      const res = await fetch(`${h!.fake.apiRoot}/bot${h!.fake.token}/sendRichMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: chat, rich_message: rich }),
      });
      return { status: res.status, body: (await res.json()) as { ok: boolean; description?: string } };
    };
    const paragraph = (text: string) => ({ type: 'paragraph', text });
    expect((await call({ blocks: [paragraph('نص')], is_rtl: true })).status).toBe(200);
    const refused = [
      { blocks: [paragraph('نص')], is_rtl: 'yes' },
      { blocks: [{ type: 'script', text: 'x' }] },
      { blocks: [] },
      { blocks: [paragraph('a')], html: '<p>a</p>' },
      { blocks: [{ type: 'heading', text: 'x', size: 9 }] },
      { blocks: [{ type: 'blockquote', text: 'x' }] },
      { blocks: [paragraph({ type: 'url', text: 'x' } as never)] },
      { blocks: [paragraph({ type: 'url', text: 'x', url: 'javascript:alert(1)' } as never)] },
      { blocks: [{ type: 'photo', photo: { type: 'photo', media: 'file:///etc/passwd' } }] },
      { blocks: [paragraph('ب'.repeat(32_769))] },
      { blocks: Array.from({ length: 251 }, () => ({ type: 'blockquote', blocks: [paragraph('x')] })) },
    ];
    for (const rich of refused) {
      const answer = await call(rich);
      expect({ rich: JSON.stringify(rich).slice(0, 80), status: answer.status }).toEqual({
        rich: JSON.stringify(rich).slice(0, 80),
        status: 400,
      });
      expect(answer.body.ok).toBe(false);
    }
    expect((await call({ blocks: [paragraph('ب'.repeat(32_768))] })).status).toBe(200);
    expect(
      (await call({ blocks: Array.from({ length: 250 }, () => ({ type: 'blockquote', blocks: [paragraph('x')] })) }))
        .status,
    ).toBe(200);
    h.fake.richUnsupported = true;
    expect(await call({ blocks: [paragraph('نص')] })).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found' },
    });
  });
});
