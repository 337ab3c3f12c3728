/**
 * Issue 12, sections 1 and 4 through Telegram: /topics shows and sets the filter in words; /settings in the private
 * chat sets a channel's template and link preview with buttons; the channel's deliveries follow them. Everything goes
 * through the fake Bot API over HTTP and is read back from the rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { routeArticleIn } from '../../helpers/articles.js';
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
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import { auditLog } from '../../helpers/raw-db.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const plain = (s: string) => s.replace(/[\u2068\u2069\u200f]/g, '');
const edits = (h: Harness) => h.fake.sent('editMessageText');
const button = (markup: InlineKeyboardMarkup | undefined, prefix: string) =>
  (markup?.inline_keyboard ?? [])
    .flat()
    .find((b): b is InlineKeyboardButton.CallbackButton => 'callback_data' in b && b.callback_data.startsWith(prefix));
const CHANNEL = '-1005550001';

async function press(h: Harness, from: number, data: string): Promise<void> {
  const before = h.fake.calls.filter((c) => c.method === 'answerCallbackQuery').length;
  h.fake.pushUpdate(callback(from, data, from));
  await waitFor(
    () => h.fake.calls.filter((c) => c.method === 'answerCallbackQuery').length > before,
    5000,
    `answer to ${data}`,
  );
}

describe('telegram /topics and /settings', () => {
  it('/topics says the filter in words, and /topics <filter> replaces it (exclusions included)', async () => {
    h = await startHarness({ bot: { topics: ['اقتصاد'] } });
    h.fake.pushUpdate(message(privateChat(601), 601, '/subscribe'));
    await waitFor(() => repliesTo(h!, 601).length === 1, 5000, 'subscribed');
    h.fake.pushUpdate(message(privateChat(601), 601, '/topics'));
    await waitFor(() => repliesTo(h!, 601).length === 2, 5000, '/topics');
    expect(repliesTo(h, 601)[1]!.params.text).toMatch(/^تصلك الآن كل الأخبار، بلا مرشّح\.\nلتغييره: \/topics/);
    h.fake.pushUpdate(message(privateChat(601), 601, '/topics الرقة "دير الزور" -رياضة'));
    await waitFor(() => repliesTo(h!, 601).length === 3, 5000, '/topics set');
    expect(repliesTo(h, 601)[2]!.params.text).toBe('المرشّح الآن: الرقة، دير الزور؛ عدا: رياضة');
    expect((await h.data.repos.subscriptions.findByChat('telegram', '601'))!.topics).toEqual([
      'الرقة',
      'دير الزور',
      '-رياضة',
    ]);
    h.fake.pushUpdate(message(privateChat(601), 601, '/topics', {}, 'en'));
    await waitFor(() => repliesTo(h!, 601).length === 4, 5000, '/topics in English');
    expect(repliesTo(h, 601)[3]!.params.text).toMatch(/^Current filter: الرقة, دير الزور; except: رياضة\n/);
    h.fake.pushUpdate(message(privateChat(601), 601, '/topics الكل'));
    await waitFor(() => repliesTo(h!, 601).length === 5, 5000, '/topics all');
    expect((await h.data.repos.subscriptions.findByChat('telegram', '601'))!.topics).toEqual([]);
  });

  it("/settings: an editor picks a channel, presses buttons and types a header; the channel's posts follow", async () => {
    h = await startHarness();
    const channel = await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: CHANNEL, kind: 'channel', title: 'قناة الرقة' },
      Date.now() - 60_000,
    );
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, '/settings'));
    await waitFor(() => repliesTo(h!, EDITOR).length === 1, 5000, 'list of chats');
    const pick = button(repliesTo(h, EDITOR)[0]!.params.reply_markup, `ts:${channel.id}:o`);
    expect(pick?.text).toBe('قناة الرقة');
    await press(h, EDITOR, pick!.callback_data);
    await waitFor(() => edits(h!).length === 1, 5000, 'panel');
    expect(edits(h)[0]!.params.text).toContain('⚙️ إعدادات قناة الرقة');
    expect(button(edits(h)[0]!.params.reply_markup, `ts:${channel.id}:h`)?.text).toBe('✅ الوسوم');

    await press(h, EDITOR, `ts:${channel.id}:h`); // hashtags off
    await press(h, EDITOR, `ts:${channel.id}:l`); // automatic → none
    await press(h, EDITOR, `ts:${channel.id}:l`); // → small
    await press(h, EDITOR, `ts:${channel.id}:l`); // → large, above the text
    await press(h, EDITOR, `ts:${channel.id}:p`); // lead image as a photo: off
    expect(await h.data.repos.subscriptions.template(channel.id)).toEqual({
      showHashtags: false,
      leadPhoto: false,
      linkPreview: 'large',
    });
    await waitFor(
      () =>
        button(edits(h!).at(-1)!.params.reply_markup, `ts:${channel.id}:l`)?.text ===
        '🔗 معاينة الرابط: كبيرة فوق النص',
      5000,
      'panel edited',
    );
    expect(button(edits(h).at(-1)!.params.reply_markup, `ts:${channel.id}:h`)?.text).toBe('❌ الوسوم');

    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/settings ${channel.id} header 🔴 الرقة الآن`));
    await waitFor(
      async () => (await h!.data.repos.subscriptions.template(channel.id)).headerMark === '🔴 الرقة الآن',
      5000,
      'header typed',
    );
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/settings ${channel.id} footer تابعونا`));
    await waitFor(
      async () => (await h!.data.repos.subscriptions.template(channel.id)).footer === 'تابعونا',
      5000,
      'footer typed',
    );
    const general = await h.data.repos.sources.add(
      { url: 'https://general.example/feed', kind: 'rss', name: 'موقع عام' },
      Date.now(),
    );
    h.fake.pushUpdate(
      message(privateChat(EDITOR), EDITOR, `/settings ${channel.id} source ${general.id} سوريا -"كرة القدم"`),
    );
    await waitFor(
      async () => (await h!.data.repos.subscriptions.sourceFilters(channel.id)).length === 1,
      5000,
      'source filter typed',
    );
    expect(await h.data.repos.subscriptions.sourceFilters(channel.id)).toEqual([
      { sourceId: general.id, topics: ['سوريا', '-كرة القدم'] },
    ]);
    await waitFor(
      () => repliesTo(h!, EDITOR).some((c) => c.params.text.includes(`#${general.id} موقع عام: سوريا؛ عدا: كرة القدم`)),
      5000,
      'panel with the source filter',
    );
    const audited = (await auditLog(h.db)).filter((e) => e.action === 'subscription.update');
    expect(audited.length).toBe(8);
    expect(audited.every((e) => e.platform === 'telegram' && e.actor === String(EDITOR))).toBe(true);

    // The channel's post: the header and footer it chose, no hashtag line, text (not a photo) with a large preview.
    const article = await addArticle(h.data, { imageUrl: 'https://example.com/lead.jpg', categories: ['سوريا'] });
    expect(article.hashtags.length).toBeGreaterThan(0);
    await routeArticleIn(h.data, article);
    await waitFor(() => h!.fake.sentTo(CHANNEL).length === 1, 8000, 'channel post');
    const post = h.fake.sentTo(CHANNEL)[0]!;
    expect(post.method).toBe('sendMessage');
    expect(post.params.link_preview_options).toEqual({
      url: article.url,
      prefer_large_media: true,
      show_above_text: true,
    });
    const lines = plain(post.params.text).split('\n');
    expect(lines[0]).toBe('<b>🔴 الرقة الآن</b>');
    expect(lines.at(-1)).toBe('تابعونا');
    expect(post.params.text).not.toContain('#');
    expect(h.fake.sent('sendPhoto')).toEqual([]);
  });

  it('a lead image goes as a photo with the caption when the template keeps it; «none» disables the preview of a text post', async () => {
    h = await startHarness();
    const withPhoto = await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1005550002', kind: 'channel' },
      Date.now() - 60_000,
    );
    const noPreview = await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1005550003', kind: 'channel' },
      Date.now() - 60_000,
    );
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/settings ${noPreview.id}`));
    await waitFor(() => repliesTo(h!, EDITOR).length === 1, 5000, 'panel');
    await press(h, EDITOR, `ts:${noPreview.id}:l`); // automatic → none
    expect(await h.data.repos.subscriptions.template(noPreview.id)).toEqual({ linkPreview: 'none' });
    const article = await addArticle(h.data, { imageUrl: 'https://example.com/lead.jpg' });
    const text = await addArticle(h.data);
    await routeArticleIn(h.data, article);
    await routeArticleIn(h.data, text);
    await waitFor(
      () => h!.fake.sentTo('-1005550002').length === 2 && h!.fake.sentTo('-1005550003').length === 2,
      8000,
      'posts',
    );
    expect(
      h.fake
        .sentTo('-1005550002')
        .map((c) => c.method)
        .sort(),
    ).toEqual(['sendMessage', 'sendPhoto']);
    expect(
      h.fake.sentTo('-1005550002').find((c) => c.method === 'sendMessage')!.params.link_preview_options,
    ).toBeUndefined();
    const textPost = h.fake.sentTo('-1005550003').find((c) => plain(c.params.text ?? '').includes(text.title))!;
    expect(textPost.params.link_preview_options).toEqual({ is_disabled: true });
    expect(withPhoto.id).toBeGreaterThan(0);
  });

  it("the environment gives every chat its defaults; a chat's own choice wins over them", async () => {
    h = await startHarness({
      env: { NASHRA_SHOW_HASHTAGS: '0', NASHRA_LINK_PREVIEW: 'small', NASHRA_HEADER_MARK: 'نشرة' },
    });
    const past = Date.now() - 60_000;
    await h.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: '-1005550004', kind: 'channel' }, past);
    const own = await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1005550005', kind: 'channel' },
      past,
    );
    await h.data.repos.subscriptions.setTemplate(own.id, { showHashtags: true, headerMark: '' }, Date.now());
    const article = await addArticle(h.data, { categories: ['سوريا'] });
    await routeArticleIn(h.data, article);
    await waitFor(
      () => h!.fake.sentTo('-1005550004').length === 1 && h!.fake.sentTo('-1005550005').length === 1,
      8000,
      'posts',
    );
    const [def, mine] = [h.fake.sentTo('-1005550004')[0]!.params, h.fake.sentTo('-1005550005')[0]!.params];
    expect(def.link_preview_options).toEqual({ url: article.url, prefer_small_media: true });
    expect(plain(def.text).split('\n')[0]).toBe('<b>نشرة</b>');
    expect(def.text).not.toContain('#');
    expect(plain(mine.text).split('\n')[0]).toBe(`<b>${article.title}</b>`);
    expect(mine.text).toContain('#');
    expect(() => loadConfig({ NASHRA_LINK_PREVIEW: 'huge' })).toThrow(
      /NASHRA_LINK_PREVIEW: "huge" is not one of none, small, large/,
    );
    expect(() => loadConfig({ NASHRA_SHOW_DATE: 'maybe' })).toThrow(/NASHRA_SHOW_DATE/);
  });

  it('someone who is neither an editor nor an admin of the channel changes nothing, and the refusal is audited', async () => {
    h = await startHarness();
    const channel = await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: CHANNEL, kind: 'channel', title: 'ق' },
      Date.now(),
    );
    await press(h, 4242, `ts:${channel.id}:h`);
    expect(h.fake.calls.filter((c) => c.method === 'answerCallbackQuery').at(-1)!.params.show_alert).toBe(true);
    h.fake.pushUpdate(message(privateChat(4242), 4242, `/settings ${channel.id} header سبام`));
    await waitFor(() => repliesTo(h!, 4242).length === 1, 5000, 'refusal');
    expect(repliesTo(h, 4242)[0]!.params.text).toMatch(/مشرفوها والمحرّرون فقط/);
    expect(await h.data.repos.subscriptions.template(channel.id)).toEqual({});
    expect((await auditLog(h.db)).some((e) => e.action === 'refused' && e.actor === '4242')).toBe(true);
    // An administrator of the channel may, in the private chat.
    h.fake.setMember(CHANNEL, 4343, { status: 'administrator' });
    await press(h, 4343, `ts:${channel.id}:d`);
    expect(await h.data.repos.subscriptions.template(channel.id)).toEqual({ showDate: false });
  });
});
