import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Post } from '../../src/model/article.js';
import { formatArabicDate } from '../../src/text/arabic-date.js';
import { DEFAULT_TEMPLATE, formatPost, plainMarkup, type Markup } from '../../src/format/post.js';
import { readPlainText } from '../../src/ingest/reader.js';
import { TELEGRAM_ALLOWED_TAGS, telegramMarkup } from '../../bots/telegram/markup.js';
import { whatsappMarkup } from '../../bots/whatsapp/markup.js';

const RLM = '\u200F';
const FSI = '\u2068';
const PDI = '\u2069';
const PLATFORMS: Markup[] = [telegramMarkup, whatsappMarkup, plainMarkup];

const sy24 = readPlainText(readFileSync(new URL('../fixtures/sy24-badia-article.txt', import.meta.url), 'utf8'), {
  url: 'https://www.sy24.net/news/badia-daesh',
});
const SY24_POST: Post = {
  title: sy24.title,
  summary: sy24.paragraphs.slice(0, 3),
  source: sy24.source,
  url: sy24.url,
  publishedAt: new Date('2026-11-25T12:05:00Z'),
  hashtags: ['داعش', 'البادية السورية', 'SY24'],
};

/**
 * Checks what Telegram's HTML parser needs: only allowed tags, balanced and properly nested; attribute values
 * quoted and escaped; every & starts an entity and no < or > is left in the text. Returns the visible text.
 */
function checkTelegramHtml(html: string): string {
  const allowed = new Set<string>(TELEGRAM_ALLOWED_TAGS);
  const open: string[] = [];
  const text = html.replace(
    /<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/g,
    (_tag, closing: string, name: string, attributes: string) => {
      expect(allowed.has(name), `tag <${name}> is not allowed by Telegram`).toBe(true);
      if (closing) expect(open.pop(), `</${name}> closes nothing`).toBe(name);
      else open.push(name);
      for (const [, value] of attributes.matchAll(/="([^"]*)"/g)) checkEntities(value!);
      return '';
    },
  );
  expect(open, 'unclosed tags').toEqual([]);
  expect(text).not.toMatch(/[<>]/);
  checkEntities(text);
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

function checkEntities(text: string): void {
  for (const [ampersand] of text.matchAll(/&[^;\s]*;?/g)) {
    expect(ampersand).toMatch(/^&(?:lt|gt|amp|quot);$/);
  }
}

/** Text as read, without the isolates and marks the formatter adds for right-to-left display. */
const withoutBidiMarks = (text: string): string => text.replace(/[\u2068\u2069\u200F]/g, '');

const longWords = (count: number, word = 'كلمة'): string =>
  Array.from({ length: count }, (_, i) => `${word}${i}`).join(' ');

describe('formatPost layout', () => {
  it('renders the SY24 article for Telegram as valid HTML within 4096 characters', () => {
    const html = formatPost(SY24_POST, telegramMarkup);
    const text = checkTelegramHtml(html);
    expect(html.length).toBeLessThanOrEqual(4096);
    const lines = html.split('\n');
    expect(lines[0]).toBe(`<b>${sy24.title}</b>`);
    expect(lines[1]).toBe('');
    expect(text).toContain(
      'المصدر: \u2068SY24\u2069 · \u206825\u2069 تشرين الثاني \u20682026\u2069، \u206815:05\u2069',
    );
    expect(lines).toContain(
      '<a href="https://www.sy24.net/news/badia-daesh">https://www.sy24.net/news/badia-daesh</a>',
    );
    expect(lines.at(-1)).toBe(`${RLM}#داعش #البادية_السورية ${FSI}#SY24${PDI}`);
  });

  it('puts each summary sentence in its own paragraph, between headline and details', () => {
    const blocks = formatPost(SY24_POST, plainMarkup).split('\n\n');
    expect(blocks).toHaveLength(5);
    expect(blocks[1]).toMatch(/^قللت العديد/);
    expect(blocks[3]).toMatch(/وحسب ما وصل لمنصة \u2068SY24\u2069،/);
  });

  it('shows the header mark and footer of a template, and hides what the template hides', () => {
    const template = { ...DEFAULT_TEMPLATE, headerMark: 'عاجل', footer: 'تابعونا على قناتنا في تلغرام @nashra_news' };
    const html = formatPost(SY24_POST, telegramMarkup, { template });
    expect(html.startsWith('<b>عاجل</b>\n<b>')).toBe(true); // as written: no decoration added (issue 16, item 11)
    expect(html.endsWith(`\nتابعونا على قناتنا في تلغرام ${FSI}@nashra_news${PDI}`)).toBe(true); // the mention stays whole
    const urgent = formatPost(SY24_POST, plainMarkup, { template: { ...DEFAULT_TEMPLATE, headerMark: '⚡ خبر مهم' } });
    expect(urgent.startsWith('⚡ خبر مهم\n')).toBe(true);
    const bare = formatPost(SY24_POST, plainMarkup, {
      template: { showDate: false, showSource: false, showLink: false, showHashtags: false },
    });
    expect(bare).not.toMatch(/المصدر|2026|https:|#/);
  });

  it('uses no markup at all in plain text', () => {
    const plain = formatPost({ ...SY24_POST, title: 'عنوان <b>*مهم*</b> & _خبر_' }, plainMarkup);
    expect(withoutBidiMarks(plain.split('\n')[0]!)).toBe('عنوان <b>*مهم*</b> & _خبر_');
  });

  it('formats an article with no Arabic, left to right, without isolates in its own lines', () => {
    const post: Post = {
      title: 'Floods hit the coast',
      summary: ['Heavy rain flooded the coast on Monday.'],
      source: 'Reuters',
      url: 'https://example.com/floods',
      hashtags: ['floods'],
    };
    const html = formatPost(post, telegramMarkup);
    checkTelegramHtml(html);
    expect(html).toBe(
      `<b>Floods hit the coast</b>\n\nHeavy rain flooded the coast on Monday.\n\n` +
        `المصدر: ${FSI}Reuters${PDI}\n<a href="https://example.com/floods">https://example.com/floods</a>\n${RLM}${FSI}#floods${PDI}`,
    );
  });

  it('gives headline and link when the summary is empty', () => {
    const post = { ...SY24_POST, summary: [], hashtags: [], publishedAt: undefined };
    expect(formatPost(post, whatsappMarkup)).toBe(`*${sy24.title}*\n\nالمصدر: ${FSI}SY24${PDI}\n${sy24.url}`);
  });

  it('shows an Arabic slug readable in the link text while the href stays encoded, and links only http(s)', () => {
    const url = 'https://ar.wikipedia.org/wiki/%D8%A7%D9%84%D8%B9%D9%88%D8%AF?a=1&b="2"';
    const html = formatPost({ ...SY24_POST, url }, telegramMarkup);
    checkTelegramHtml(html);
    expect(html).toContain(
      '<a href="https://ar.wikipedia.org/wiki/%D8%A7%D9%84%D8%B9%D9%88%D8%AF?a=1&amp;b=&quot;2&quot;">https://ar.wikipedia.org/wiki/العود?a=1&amp;b="2"</a>',
    );
    const script = formatPost({ ...SY24_POST, url: 'javascript:alert(1)' }, telegramMarkup);
    expect(script).not.toContain('<a ');
  });
});

describe('escaping article text', () => {
  const hostile: Post = {
    ...SY24_POST,
    // A leftover reference is decoded once more (issue 16, item 16): `&amp;amp;` is shown as the text «&amp;».
    title: 'هجوم <script>alert(1)</script> &amp;amp; *عاجل* _مهم_ ~قديم~ `code` > اقتباس',
    summary: ['جملة فيها * نجمة و _ شرطة و ~ مدة و ` علامة.', '> سطر يبدأ بعلامة اقتباس'],
    source: 'A&B <News>',
  };

  it('escapes & < > in Telegram so nothing becomes a tag or an entity', () => {
    const html = formatPost(hostile, telegramMarkup);
    const text = checkTelegramHtml(html);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;');
    expect(text).toContain('<script>alert(1)</script> &amp; *عاجل*');
    expect(withoutBidiMarks(text)).toContain('المصدر: A&B <News>');
  });

  it('keeps * _ ~ ` and a leading > from becoming WhatsApp formatting', () => {
    const message = formatPost({ ...hostile, url: 'https://example.com/a' }, whatsappMarkup);
    const [headline, ...rest] = message.split('\n');
    expect(headline!.startsWith('*') && headline!.endsWith('*')).toBe(true);
    expect(headline!.slice(1, -1)).not.toMatch(/[*_~`]/);
    expect(rest.join('\n')).not.toMatch(/[*_~`]/);
    expect(message).not.toMatch(/^>/m);
    expect(headline).toContain('∗عاجل∗ ＿مهم＿ ∼قديم∼ ˋcodeˋ');
    // WhatsApp has no hashtags: the topics are plain words, without «#» or a look-alike «＿» (issue 16, item 21).
    expect(message.split('\n').at(-1)).toBe('\u200Fداعش · البادية السورية · \u2068SY24\u2069');
    expect(message).not.toMatch(/#|＿السورية/);
  });

  it('removes bidi overrides and zero-width characters from the title', () => {
    const post = { ...SY24_POST, title: '\u202Eخبر\u202C \u200Bعاجل\u200D\uFEFF \u2066SY24\u2069' };
    for (const platform of PLATFORMS) {
      const headline = formatPost(post, platform).split('\n')[0]!;
      expect(headline).not.toMatch(/[\u202A-\u202E\u2066\u2067\u200B-\u200D\uFEFF]/);
      expect(headline.replace(/[*]|<\/?b>/g, '')).toBe(`خبر عاجل ${FSI}SY24${PDI}`);
    }
  });

  it('reduces zalgo text', () => {
    const post = { ...SY24_POST, title: 'H\u0335\u0321\u0322\u031B\u0317e\u0300\u0301\u0302\u0303llo' };
    expect(formatPost(post, plainMarkup).split('\n')[0]).toBe('H\u0335\u0321e\u0300\u0301llo');
  });
});

describe('length limits', () => {
  const tenThousand = longWords(1400); // ~10,000 characters of words
  const withMarkup = longWords(1200, 'a&b<c>'); // every word grows when escaped for Telegram

  it.each([
    ['telegram', false, 4096],
    ['telegram', true, 1024],
    ['whatsapp', false, 4096],
  ] as const)(
    'cuts a 10,000-character paragraph for %s (caption: %s) to ≤ %i on a word boundary',
    (platform, caption, limit) => {
      for (const paragraph of [tenThousand, withMarkup]) {
        expect(paragraph.length).toBeGreaterThan(9000);
        const output = formatPost(
          { ...SY24_POST, summary: [paragraph] },
          platform === 'telegram' ? telegramMarkup : whatsappMarkup,
          { caption },
        );
        expect(output.length).toBeLessThanOrEqual(limit);
        expect(output.length).toBeGreaterThan(limit - 100); // the budget is used, not wasted
        if (platform === 'telegram') checkTelegramHtml(output);
        const summary = output.split('\n\n')[1]!;
        expect(summary.endsWith('…')).toBe(true);
        const visible = withoutBidiMarks(platform === 'telegram' ? checkTelegramHtml(summary) : summary);
        const kept = visible.slice(0, -1);
        expect(paragraph.startsWith(kept)).toBe(true);
        expect(paragraph[kept.length]).toBe(' '); // a whole word was kept, the next one dropped
        expect(output).toContain(sy24.url);
        expect(output.split('\n')[0]).toContain(sy24.title);
      }
    },
  );

  it('drops whole summary sentences from the end before cutting one', () => {
    const sentences = [longWords(150, 'أولى'), longWords(150, 'ثانية'), longWords(150, 'ثالثة')];
    const output = formatPost({ ...SY24_POST, summary: sentences }, telegramMarkup, { caption: true });
    expect(output.length).toBeLessThanOrEqual(1024);
    const html = formatPost({ ...SY24_POST, summary: sentences }, telegramMarkup);
    expect(html.length).toBeLessThanOrEqual(4096);
    const text = withoutBidiMarks(checkTelegramHtml(html));
    expect(text.split('\n\n').slice(1, 3)).toEqual([sentences[0], sentences[1]]);
    expect(text).not.toContain(sentences[2]!.slice(0, 100));
  });

  it('cuts a single 10,000-character "word" between characters, never inside a surrogate pair', () => {
    const output = formatPost({ ...SY24_POST, summary: ['🔴'.repeat(5000)] }, telegramMarkup, { caption: true });
    expect(output.length).toBeLessThanOrEqual(1024);
    expect(output).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('keeps headline and link even when the headline itself is too long, cutting it last', () => {
    const output = formatPost({ ...SY24_POST, title: longWords(1000) }, telegramMarkup, { caption: true });
    checkTelegramHtml(output);
    expect(output.length).toBeLessThanOrEqual(1024);
    expect(withoutBidiMarks(output)).toMatch(/^<b>كلمة0 .*\d…<\/b>\n/);
    expect(output).toContain(sy24.url);
  });

  it('honours a tighter maxLength, also for plain text', () => {
    const plain = formatPost({ ...SY24_POST, summary: [tenThousand] }, plainMarkup, { maxLength: 500 });
    expect(plain.length).toBeLessThanOrEqual(500);
  });
});

describe('right-to-left guarantees', () => {
  /**
   * What we guarantee, for every platform: (1) no bidi override or embedding character (U+202A–U+202E) ever
   * appears; (2) in every line where Arabic dominates, every Latin letter and ASCII digit is inside an FSI…PDI
   * pair, and the first letter outside the isolates is Arabic (or an RLM precedes everything); (3) the link is
   * alone on its line; (4) the hashtag line starts with RLM.
   */
  const post: Post = {
    ...SY24_POST,
    title: 'SY24: تحركات لـ “داعش” منذ 2015 في البادية',
    summary: [
      'قال مسؤول في CNN International إن 2.5% من السكان غادروا بين 2015 و2016.',
      'رقم الهاتف +963 11 2345 للتواصل.',
    ],
  };
  const url = post.url;

  for (const platform of PLATFORMS) {
    it(`holds for ${platform.name}`, () => {
      const output = formatPost(post, platform);
      expect(output).not.toMatch(/[\u202A-\u202E]/);
      const lines = output.split('\n').filter(Boolean);
      const linkLines = lines.filter((line) => line.includes(url!));
      expect(linkLines).toHaveLength(1);
      const visibleLink = platform.name === 'telegram' ? checkTelegramHtml(linkLines[0]!) : linkLines[0];
      expect(visibleLink).toBe(url);
      const hashtagLine = lines.at(-1); // hashtags, or topics as words on WhatsApp
      expect(hashtagLine!.startsWith(RLM)).toBe(true);

      for (const line of lines.filter((l) => l !== linkLines[0])) {
        const visible = platform.name === 'telegram' ? checkTelegramHtml(line) : line;
        const outsideIsolates = visible.replace(/\u2068[^\u2068\u2069]*\u2069/g, '');
        expect(outsideIsolates, `unisolated Latin/digits in: ${line}`).not.toMatch(/[A-Za-z0-9]/);
        const firstStrong = /[\u200F\p{L}]/u.exec(outsideIsolates)?.[0];
        expect(firstStrong === RLM || /\p{Script=Arabic}/u.test(firstStrong ?? ''), `LTR start: ${line}`).toBe(true);
      }
    });
  }

  it('starts an Arabic headline that opens with a Latin word with RLM', () => {
    expect(formatPost(post, plainMarkup).split('\n')[0]).toBe(
      `${RLM}${FSI}SY24${PDI}: تحركات لـ “داعش” منذ ${FSI}2015${PDI} في البادية`,
    );
  });
});

describe('formatArabicDate', () => {
  const instant = new Date('2026-11-25T12:05:00Z');

  // Syria has kept UTC+3 all year since October 2022 (tzdata 2022f), so 12:05 UTC is 15:05 in Damascus, not 14:05;
  // Beirut is still on UTC+2 in November.
  it('uses Levantine month names and the local time in Asia/Damascus (UTC+3) and Asia/Beirut (UTC+2)', () => {
    expect(formatArabicDate(instant, 'Asia/Damascus')).toBe('25 تشرين الثاني 2026، 15:05');
    expect(formatArabicDate(instant, 'Asia/Beirut')).toBe('25 تشرين الثاني 2026، 14:05');
  });

  it('defaults to Asia/Damascus', () => {
    expect(formatArabicDate(instant)).toBe(formatArabicDate(instant, 'Asia/Damascus'));
  });

  it('uses the Egyptian/Gulf month names elsewhere', () => {
    expect(formatArabicDate(instant, 'Asia/Riyadh')).toBe('25 نوفمبر 2026، 15:05');
    expect(formatArabicDate(instant, 'Africa/Cairo')).toBe('25 نوفمبر 2026، 14:05');
  });

  it('writes Western digits and a 24-hour clock, crossing midnight into the next day', () => {
    expect(formatArabicDate(new Date('2026-01-31T22:30:00Z'), 'Asia/Beirut')).toBe('1 شباط 2026، 00:30');
    expect(formatArabicDate(instant, 'UTC')).toBe('25 نوفمبر 2026، 12:05');
  });
});
