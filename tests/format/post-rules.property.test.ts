/**
 * Property: the formatter's fast paths (a table scan instead of regex passes, a test before replacing, the draft kept
 * for the next platform) answer as the rules say, on seeded random text full of what they look for: surrogate halves
 * alone and in pairs, bidi controls, zero-width and control characters, carriage returns, special spaces, space runs,
 * Arabic and other combining marks in stacks, markup characters. Each reference below is the rule written out
 * character by character, not the code under test; a failing seed reproduces.
 */
import { describe, expect, it } from 'vitest';
import type { Post } from '../../src/model/article.js';
import { DEFAULT_TEMPLATE, formatPost, plainMarkup, type Template } from '../../src/format/post.js';
import { isSurrogatePairAt } from '../../src/text/char-table.js';
import { detectLanguage } from '../../src/text/language.js';
import { cleanText, decodeLeftoverEntities } from '../../src/text/safety.js';
import { escapeHtml, telegramMarkup } from '../../bots/telegram/markup.js';
import { neutralizeWhatsAppMarkup, whatsappMarkup } from '../../bots/whatsapp/markup.js';
import { seededRandom } from '../helpers/child-run.js';

const PIECES = [
  'داعش',
  'في',
  'البادية',
  'SY24',
  'COVID-19',
  'U.S.',
  '14:05',
  '2.5%',
  'Việt',
  'é',
  'a',
  'Z',
  '1',
  '٣',
  '中文',
  '🔴',
  '😀',
  ' ',
  ' ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u00A0',
  '\u2007',
  '\u202F',
  '\u3000',
  '\u2028',
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
  '\u061C',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\u2063',
  '\u2064',
  '\uFEFF',
  '\u0000',
  '\u0007',
  '\u0008',
  '\u000B',
  '\u001B',
  '\u007F',
  '\u0085',
  '\u009F',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uD83D',
  '\u0301',
  '\u0300',
  '\u0335',
  '\u064E',
  '\u0651',
  '\u0670',
  '\u{1D167}',
  '\u{E0100}',
  '\u0301\u0302\u0303',
  '\u064E\u0651\u064E\u0651\u064E',
  '&',
  '&amp;',
  '<',
  '>',
  '"',
  '*',
  '_',
  '~',
  '`',
  '#',
  '@',
  ',',
  '.',
  '،',
  '«',
  '»',
];

function randomText(random: () => number, pieces = 24): string {
  let text = '';
  const count = Math.floor(random() * pieces);
  for (let i = 0; i < count; i++) text += PIECES[Math.floor(random() * PIECES.length)];
  return text;
}

const SEEDS = Array.from({ length: 4000 }, (_, i) => i + 1);

// ------------------------------------------------------------------------------------------------
// The rules, one character at a time

const inRange = (cp: number, ranges: Array<[number, number]>): boolean =>
  ranges.some(([from, to]) => cp >= from && cp <= to);
/** Bidi controls, zero-width characters, C0/C1 controls but tab and newline. */
const REMOVED: Array<[number, number]> = [
  [0x202a, 0x202e],
  [0x2066, 0x2069],
  [0x200e, 0x200f],
  [0x061c, 0x061c],
  [0x200b, 0x200d],
  [0x2060, 0x2064],
  [0xfeff, 0xfeff],
  [0x0000, 0x0008],
  [0x000b, 0x001f],
  [0x007f, 0x009f],
];
const SPECIAL_SPACE = [0x00a0, 0x2007, 0x202f];
const isMark = (ch: string): boolean => /^\p{M}$/u.test(ch);
const isArabicMark = (ch: string): boolean => /^\p{Script_Extensions=Arabic}$/u.test(ch);

function cleanByRule(text: string): string {
  // Carriage returns become newlines (CR LF one newline), a surrogate half alone becomes U+FFFD, the invisible go.
  const kept: string[] = [];
  for (let i = 0; i < text.length; ) {
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    i += ch.length;
    const cp = ch.codePointAt(0)!;
    if (cp === 0x0d) {
      if (text[i] === '\n') i++;
      kept.push('\n');
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      kept.push('\uFFFD');
    } else if (!inRange(cp, REMOVED)) {
      kept.push(ch);
    }
  }
  // A base character keeps at most 4 Arabic marks and 2 others; marks with no base before them stay.
  const capped: string[] = [];
  let arabic = 0;
  let other = 0;
  let afterBase = false;
  for (const ch of kept) {
    if (!isMark(ch)) {
      afterBase = true;
      arabic = other = 0;
      capped.push(ch);
    } else if (!afterBase) {
      capped.push(ch);
    } else if (isArabicMark(ch) ? ++arabic <= 4 : ++other <= 2) {
      capped.push(ch);
    }
  }
  // Special spaces are spaces, a run of spaces is one, and the ends are trimmed.
  let spaced = '';
  for (const ch of capped) {
    const space = ch === ' ' || SPECIAL_SPACE.includes(ch.codePointAt(0)!);
    if (!space) spaced += ch;
    else if (!spaced.endsWith(' ')) spaced += ' ';
  }
  return spaced.trim();
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const escapeByRule = (text: string): string => [...text].map((ch) => HTML[ch] ?? ch).join('');

const LOOK_ALIKE: Record<string, string> = { '*': '∗', _: '＿', '~': '∼', '`': 'ˋ' };
function neutralizeByRule(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const lineStart = i === 0 || '\n\r\u2028\u2029'.includes(text[i - 1]!);
    out += ch === '>' && lineStart ? '›' : (LOOK_ALIKE[ch] ?? ch);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------

describe('text fast paths follow the rules', () => {
  it('cleanText removes, replaces, caps and collapses exactly what its rules name', () => {
    for (const seed of SEEDS) {
      const random = seededRandom(seed);
      // Half the texts are mostly plain words and spaces, which is what the fast path sees in real articles.
      const text =
        seed % 2 ? randomText(random) : randomText(random).replace(/[^\p{L} ]/gu, (ch) => (random() < 0.9 ? ' ' : ch));
      expect(cleanText(text), `seed ${seed}: ${JSON.stringify(text)}`).toBe(cleanByRule(text));
    }
  });

  it('isSurrogatePairAt is true exactly where a code point outside the BMP starts', () => {
    for (const seed of SEEDS) {
      const text = randomText(seededRandom(seed));
      for (let i = -1; i <= text.length; i++) {
        expect(isSurrogatePairAt(text, i), `seed ${seed} at ${i}`).toBe((text.codePointAt(i) ?? 0) > 0xffff);
      }
    }
  });

  it('escapeHtml and neutralizeWhatsAppMarkup change exactly their characters, and only when there are some', () => {
    for (const seed of SEEDS) {
      const text = randomText(seededRandom(seed));
      expect(escapeHtml(text), `seed ${seed}`).toBe(escapeByRule(text));
      expect(neutralizeWhatsAppMarkup(text), `seed ${seed}`).toBe(neutralizeByRule(text));
    }
  });
});

describe('Latin runs in an Arabic line', () => {
  /** The rule, as the formatter's module comment states it, in the regex that has always defined it. */
  const ENTITY = '&(?:#\\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});';
  const RUN = new RegExp(
    `[#@]?(?:${ENTITY}|[\\p{Script=Latin}0-9])(?:(?:${ENTITY}|[\\p{Script=Latin}0-9\\p{M} .,:/'’&+\\-_@#])*(?:${ENTITY}|[\\p{Script=Latin}0-9%]))?`,
    'gu',
  );
  const ARABIC = ['داعش', 'في', 'البادية', 'السورية', 'مُحَمَّدٌ', 'ﷺ', '\u{1EE00}', '،', '«', '»', '٣'];
  const LATIN = [
    'A',
    'b',
    'é',
    'Việt',
    'ß',
    '\u{10780}',
    '\u{1DF00}',
    '0',
    '9',
    '#',
    '@',
    '%',
    '.',
    ',',
    ':',
    '/',
    "'",
    '’',
    '+',
    '-',
    '_',
    ' ',
    '\u0301',
    '\u{1D167}',
    '😀',
    '\uD800',
    'Ω',
    '(',
    '&',
    '&amp;',
    '&#1583;',
    '&x;',
  ];
  const bare: Template = { showDate: false, showSource: false, showLink: false, showHashtags: false };

  it('each run of Latin letters and digits (with its joining punctuation, # or @ before it, % after it) is isolated', () => {
    for (const seed of SEEDS) {
      const random = seededRandom(seed);
      let title = '';
      for (let i = 1 + Math.floor(random() * 16); i > 0; i--) {
        title +=
          random() < 0.5
            ? `${ARABIC[Math.floor(random() * ARABIC.length)]} `
            : LATIN[Math.floor(random() * LATIN.length)];
      }
      const line = decodeLeftoverEntities(cleanText(title));
      const firstLetter = /\p{L}/u.exec(line)?.[0] ?? '';
      const expected =
        detectLanguage(line) !== 'ar'
          ? line
          : (/\p{Script=Arabic}/u.test(firstLetter) ? '' : '\u200F') + line.replace(RUN, (run) => `\u2068${run}\u2069`);
      expect(
        formatPost({ title, summary: [], source: '', hashtags: [] }, plainMarkup, { template: bare }),
        `seed ${seed}: ${JSON.stringify(title)}`,
      ).toBe(expected);
    }
  });
});

describe('formatPost keeps no stale draft', () => {
  const randomPost = (random: () => number): Post => ({
    title: randomText(random, 12),
    summary: Array.from({ length: Math.floor(random() * 4) }, () => randomText(random, 30)),
    source: random() < 0.5 ? 'SY24' : randomText(random, 4),
    url: random() < 0.8 ? 'https://example.com/news?a=1&b=2' : undefined,
    publishedAt: random() < 0.8 ? new Date(Math.floor(random() * 2e12)) : undefined,
    timeZone: random() < 0.3 ? 'Asia/Riyadh' : undefined,
    hashtags: Array.from({ length: Math.floor(random() * 4) }, () => randomText(random, 4)),
  });
  const copy = (post: Post): Post => ({ ...post, summary: [...post.summary], hashtags: [...post.hashtags] });
  const platforms = [telegramMarkup, whatsappMarkup, plainMarkup];

  it('a post changed in place between platforms is formatted as a fresh copy of it is', () => {
    for (const seed of SEEDS.slice(0, 1500)) {
      const random = seededRandom(seed);
      const post = randomPost(random);
      const template: Template =
        random() < 0.5
          ? { ...DEFAULT_TEMPLATE }
          : { ...DEFAULT_TEMPLATE, headerMark: 'عاجل', footer: randomText(random, 4) };
      const options = { template, caption: random() < 0.3 };
      for (const markup of platforms) formatPost(post, markup, options);
      const change = Math.floor(random() * 6);
      if (change === 0) post.title = randomText(random, 12);
      else if (change === 1) post.summary.push(randomText(random, 10));
      else if (change === 2 && post.summary.length > 0) post.summary[0] = `${post.summary[0]}.`;
      else if (change === 3) post.hashtags.push('#جديد');
      else if (change === 4) post.publishedAt?.setTime(post.publishedAt.getTime() + 60_000);
      else template.showHashtags = !template.showHashtags;
      for (const markup of platforms) {
        const changed = formatPost(post, markup, options);
        formatPost(randomPost(random), markup); // something else in between: the fresh copy's draft is made anew
        expect(changed, `seed ${seed}, change ${change}`).toBe(
          formatPost(copy(post), markup, { ...options, template: { ...template } }),
        );
      }
    }
  });
});
