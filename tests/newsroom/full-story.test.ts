/**
 * The full story's core (src/story/full-story.ts) through its exported API: articles stored in SQLite and read back
 * (the corrected and retracted versions as the newsroom's actions leave them), built into a story and split. The
 * splitter is checked as a property over seeded random articles: every part within the limits, every part opening
 * with its own headline and then the start of a paragraph (or of a sentence, for a paragraph longer than a part),
 * and the parts' text, put back together, the story's text exactly once.
 */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../src/app/platforms.js';
import { createLogger } from '../../src/logger.js';
import type { Article, StoredArticle } from '../../src/model/article.js';
import {
  CLI_OPERATOR,
  confirmCorrection,
  confirmRetraction,
  fullReads,
  fullStoryCode,
  articleOfCode,
  previewCorrection,
  readFullStory,
} from '../../src/newsroom/index.js';
import {
  blockChars,
  buildFullStory,
  cutText,
  hasMoreThanSummary,
  offersFullStory,
  splitStory,
  type FullStory,
  type StoryBlock,
} from '../../src/story/full-story.js';
import { freshDatabase } from '../helpers/raw-db.js';
import { seededRandom } from '../helpers/child-run.js';
import { storeArticleIn } from '../helpers/articles.js';

const stored = (over: Partial<StoredArticle> = {}): StoredArticle => ({
  id: 7,
  title: 'عنوان الخبر',
  source: 'SY24',
  paragraphs: ['فقرة أولى.', 'فقرة ثانية.'],
  categories: [],
  language: 'ar',
  summary: ['فقرة أولى.'],
  hashtags: [],
  seenOnly: false,
  urgent: false,
  createdAt: new Date(0),
  revision: 1,
  url: 'https://example.com/a',
  ...over,
});

const textOf = (b: StoryBlock) => ('text' in b ? b.text : 'url' in b ? b.url : '');

// ----- the property -----

const WORDS = [
  'دمشق',
  'الحكومة',
  'قال',
  'مسؤول',
  'الاقتصاد',
  'اليوم',
  'SY24',
  '2026',
  'مشروع',
  'المحافظات',
  'الأمم المتحدة',
  'إدلب',
];

function randomArticle(random: () => number): StoredArticle {
  const int = (n: number) => Math.floor(random() * n);
  const sentence = () => {
    const words = Array.from({ length: 3 + int(30) }, () => WORDS[int(WORDS.length)]!);
    return `${words.join(' ')}${['.', '؟', '!', '…'][int(4)]}`;
  };
  const paragraph = () => {
    const shape = random();
    if (shape < 0.1) return `«${sentence()}»`;
    // Now and then a paragraph far longer than a small part: it must be cut at sentence ends.
    const n = shape < 0.2 ? 20 + int(60) : 1 + int(5);
    const text = Array.from({ length: n }, sentence).join(' ');
    // And now and then a "sentence" with no end at all (a list of names), to be cut at a space.
    return shape > 0.95 ? `${text} ${Array.from({ length: 200 }, () => WORDS[int(WORDS.length)]).join(' ')}` : text;
  };
  return stored({
    id: 1 + int(1000),
    title: sentence(),
    paragraphs: Array.from({ length: 1 + int(120) }, paragraph),
    imageUrl: random() < 0.5 ? 'https://example.com/p.jpg' : undefined,
    publishedAt: new Date(1_790_000_000_000 + int(1e9)),
  });
}

function checkParts(
  story: FullStory,
  parts: StoryBlock[][],
  limits: { maxChars: number; maxBlocks: number },
  cost: (b: StoryBlock) => number,
): void {
  expect(parts.length).toBeGreaterThan(0);
  const body = story.blocks.slice(1);
  const rebuilt: StoryBlock[] = [];
  parts.forEach((part, i) => {
    // Within the limits, headline included.
    expect(part.reduce((n, b) => n + blockChars(b), 0)).toBeLessThanOrEqual(limits.maxChars);
    expect(part.reduce((n, b) => n + cost(b), 0)).toBeLessThanOrEqual(limits.maxBlocks);
    // Stands alone: its own headline first, numbered when there are several.
    expect(part[0]).toEqual({
      kind: 'heading',
      text: parts.length > 1 ? `${story.title} · ${i + 1}/${parts.length}` : story.title,
    });
    expect(part.slice(1).some((b) => b.kind === 'heading')).toBe(false);
    // The byline and photo stay in the first part, the link closes the last.
    if (i > 0) expect(part.some((b) => b.kind === 'byline' || b.kind === 'photo')).toBe(false);
    if (i < parts.length - 1) expect(part.some((b) => b.kind === 'link')).toBe(false);
    rebuilt.push(...part.slice(1));
  });
  // Nothing lost, nothing twice: consecutive pieces of one paragraph joined with a space give it back.
  const joined: StoryBlock[] = [];
  let fromOne = 0;
  for (const original of body) {
    if (original.kind !== 'paragraph' && original.kind !== 'quote') {
      expect(rebuilt[fromOne]).toEqual(original);
      joined.push(rebuilt[fromOne++]!);
      continue;
    }
    const pieces: string[] = [];
    while (
      fromOne < rebuilt.length &&
      rebuilt[fromOne]!.kind === original.kind &&
      pieces.join(' ').length < original.text.length
    ) {
      pieces.push(textOf(rebuilt[fromOne++]!));
    }
    expect(pieces.join(' ')).toBe(original.text);
    // A part starts at a paragraph: a paragraph was cut only when it could not fit in a part whole.
    if (pieces.length > 1)
      expect(original.text.length).toBeGreaterThan(limits.maxChars - story.title.length - ' · 999/999'.length);
    joined.push(original);
  }
  expect(fromOne).toBe(rebuilt.length);
  expect(joined).toEqual(body);
}

describe('splitting a story into parts', () => {
  it('keeps every part within the limits, opening with its headline at a paragraph, and loses or repeats nothing (200 seeded random articles)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      const article = randomArticle(random);
      const story = buildFullStory(article, { timeZone: 'Asia/Damascus' }) as FullStory;
      // Small limits make many parts (and long paragraphs cut); Telegram's own make one or two.
      const limits = [
        { maxChars: 600 + Math.floor(random() * 3000), maxBlocks: 3 + Math.floor(random() * 40) },
        { maxChars: 32_768, maxBlocks: 500 },
      ][seed % 2]!;
      const cost = (b: StoryBlock) => (b.kind === 'quote' ? 2 : 1);
      try {
        checkParts(story, splitStory(story, { ...limits, blockCost: cost }), limits, cost);
      } catch (err) {
        throw new Error(`seed ${seed} (${JSON.stringify(limits)}): ${(err as Error).message}`);
      }
    }
  }, 90_000); // CPU only (200 articles split and checked): over 30 s on 2 shared cores under the PostgreSQL pass's load

  it('cuts an over-long paragraph at sentence ends, a sentence without an end at a space, and never inside a surrogate pair', () => {
    expect(cutText('جملة أولى. جملة ثانية؟ جملة ثالثة!', 25)).toEqual(['جملة أولى. جملة ثانية؟', 'جملة ثالثة!']);
    expect(cutText('كلمة '.repeat(10).trim(), 12)).toEqual([
      'كلمة كلمة',
      'كلمة كلمة',
      'كلمة كلمة',
      'كلمة كلمة',
      'كلمة كلمة',
    ]);
    const emoji = '😀'.repeat(5);
    for (const piece of cutText(emoji, 3)) expect(piece).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    expect(cutText(emoji, 3).join('')).toBe(emoji);
  });

  it('refuses limits that cannot hold the headline rather than making parts over them', () => {
    const story = buildFullStory(stored({ title: 'ع'.repeat(100) }), {}) as FullStory;
    expect(() => splitStory(story, { maxChars: 50, maxBlocks: 10 })).toThrow(RangeError);
  });
});

// ----- what the story says -----

describe('building the story from a stored article', () => {
  it('has the headline, source and date, photo, paragraphs, quotations as quotations and the link last', () => {
    const story = buildFullStory(
      stored({
        author: 'فلان الفلاني',
        publishedAt: new Date('2026-11-25T12:05:00Z'),
        imageUrl: 'https://example.com/p.jpg',
        paragraphs: [
          'قال المسؤول إن الخطة جاهزة.',
          '«لن نتراجع عن هذا القرار»',
          '“نص مقتبس آخر”',
          '«اقتباس» ثم كلام بعده.',
        ],
      }),
      { timeZone: 'Asia/Damascus' },
    );
    expect(story).toEqual({
      articleId: 7,
      revision: 1,
      title: 'عنوان الخبر',
      blocks: [
        { kind: 'heading', text: 'عنوان الخبر' },
        { kind: 'byline', text: 'المصدر: SY24 · فلان الفلاني · 25 تشرين الثاني 2026، 15:05' },
        { kind: 'photo', url: 'https://example.com/p.jpg' },
        { kind: 'paragraph', text: 'قال المسؤول إن الخطة جاهزة.' },
        { kind: 'quote', text: 'لن نتراجع عن هذا القرار' },
        { kind: 'quote', text: 'نص مقتبس آخر' },
        { kind: 'paragraph', text: '«اقتباس» ثم كلام بعده.' },
        { kind: 'link', url: 'https://example.com/a', text: 'الخبر في موقعه الأصلي' },
      ],
    });
  });

  it('makes hostile text inert: bidi controls and zero-width characters out, references decoded once, markup kept as characters, no javascript: link or photo', () => {
    const story = buildFullStory(
      stored({
        title: '\u202Eخبر\u200B <script>alert(1)</script>',
        source: 'SY24\u202E',
        paragraphs: [
          '&amp;lt;b&amp;gt;عريض&amp;lt;/b&amp;gt; **نجمة** [رابط](javascript:alert(1)) <img src=x onerror=alert(1)>',
          '\u2067\u200Fنص\u0000',
        ],
        url: 'javascript:alert(1)',
        imageUrl: 'file:///etc/passwd',
      }),
      {},
    ) as FullStory;
    const all = story.blocks.map(textOf).join('\n');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL must be gone from the story
    expect(all).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u0000]/);
    expect(story.blocks.some((b) => b.kind === 'link' || b.kind === 'photo')).toBe(false);
    expect(story.title).toBe('خبر <script>alert(1)</script>');
    // Decoded once (the CMS escaped twice), then left as characters: a block carries plain text, never markup.
    expect(story.blocks[2]).toEqual({
      kind: 'paragraph',
      text: '&lt;b&gt;عريض&lt;/b&gt; **نجمة** [رابط](javascript:alert(1)) <img src=x onerror=alert(1)>',
    });
  });

  it('offers the button only where the body says more than the summary, by default in channels and groups', () => {
    const short = stored({ paragraphs: ['فقرة أولى.'], summary: ['فقرة أولى.'] });
    const long = stored({ paragraphs: ['فقرة أولى.', 'ب'.repeat(200)], summary: ['فقرة أولى.'] });
    expect(hasMoreThanSummary(short)).toBe(false);
    expect(offersFullStory(short, 'channel', undefined)).toBe(false);
    expect(offersFullStory(long, 'channel', undefined)).toBe(true);
    expect(offersFullStory(long, 'group', undefined)).toBe(true);
    expect(offersFullStory(long, 'private', undefined)).toBe(false);
    expect(offersFullStory(long, 'private', true)).toBe(true);
    expect(offersFullStory(long, 'channel', false)).toBe(false);
    expect(offersFullStory({ ...long, retracted: { at: new Date(), by: 'x' } }, 'channel', true)).toBe(false);
  });
});

describe("the newsroom read, over this pass's database", () => {
  const setUp = async () => {
    const store = (await freshDatabase()).ports;
    const config = loadAppConfig({ TELEGRAM_EDITOR_IDS: '1' });
    const deps = newsroomDeps(
      BUILT_IN_PLATFORMS,
      config,
      store,
      createLogger({ level: 'error', write: () => undefined }),
    );
    return { store, deps };
  };
  const article: Article = {
    url: 'https://example.com/story',
    title: 'الحكومة تعلن خطة',
    source: 'SY24',
    categories: [],
    language: 'ar',
    paragraphs: [
      'أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد.',
      'وقال مسؤول إن الخطة تشمل مشاريع في عدة محافظات.',
      'ت'.repeat(300),
    ],
  };

  it("reads the corrected text after an editor's correction, counts one read per story read, and a retracted story is only «retracted»", async () => {
    const { store, deps } = await setUp();
    const r = await storeArticleIn(store, article);
    if (r.status !== 'new') throw new Error('stored twice');
    const id = r.article.id;
    const editor = CLI_OPERATOR;
    const preview = await previewCorrection(deps, editor, String(id), {
      title: 'الحكومة تعلن خطة معدّلة',
      summary: ['أعلنت الحكومة أمس عن خطة جديدة لدعم الاقتصاد.'],
    });
    await confirmCorrection(deps, editor, preview.draft.id, preview.draft.token);
    const read = await readFullStory(deps, id);
    if (read.status !== 'story') throw new Error(read.status);
    expect(read.story.title).toBe('الحكومة تعلن خطة معدّلة');
    expect(read.story.revision).toBe(2);
    const text = read.story.blocks.map(textOf).join('\n');
    // The summary's sentence the body repeated reads as corrected; the original wording is gone.
    expect(r.article.summary[0]).toBe('أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد.');
    expect(text).toContain('أعلنت الحكومة أمس عن خطة جديدة لدعم الاقتصاد.');
    expect(text).not.toContain('أعلنت الحكومة اليوم');
    expect(await fullReads(deps, id)).toBe(1);
    await readFullStory(deps, id);
    expect(await fullReads(deps, id)).toBe(2);
    expect(await store.repos.fullStory.reads(id)).toBe(2);

    await confirmRetraction(deps, CLI_OPERATOR, id);
    expect(await readFullStory(deps, id)).toEqual({ status: 'retracted' });
    expect(await fullReads(deps, id)).toBe(2);
  });

  it('codes: its own article only; forged, cut, re-signed, oversized and unknown ids are refused', async () => {
    const { deps } = await setUp();
    const code = await fullStoryCode(deps, 42);
    expect(code).toMatch(/^[0-9a-z]+-[A-Za-z0-9_-]{16}$/);
    expect(`full_${code}`.length).toBeLessThanOrEqual(64);
    expect(await articleOfCode(deps, code)).toBe(42);
    // The signature is base64url and may hold «-» itself: the id ends at the first one.
    const id = code.slice(0, code.indexOf('-'));
    const sig = code.slice(code.indexOf('-') + 1);
    expect(await articleOfCode(deps, `${(43).toString(36)}-${sig}`)).toBeUndefined();
    // Its last character changed (to another one: 1 signature in 64 already ends in «A»).
    expect(await articleOfCode(deps, `${id}-${sig.slice(0, 15)}${sig.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await articleOfCode(deps, `${id}-${sig.slice(0, 15)}`)).toBeUndefined();
    expect(await articleOfCode(deps, `0${id}-${sig}`)).toBeUndefined();
    expect(await articleOfCode(deps, `${code}${'A'.repeat(500)}`)).toBeUndefined();
    expect(await articleOfCode(deps, '')).toBeUndefined();
    // Another installation (another key) cannot make this one's codes.
    const other = await setUp();
    expect(await articleOfCode(other.deps, code)).toBeUndefined();
    expect(await readFullStory(deps, 999)).toEqual({ status: 'unknown' });
  });
});
