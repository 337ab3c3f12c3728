/**
 * One post layout, three targets (Telegram HTML, WhatsApp, plain text).
 *
 *   🔴 عاجل                                   ← optional header mark
 *   **headline**
 *
 *   summary sentence 1                         ← one paragraph per sentence: long Arabic sentences
 *                                                read better apart on a phone screen
 *   summary sentence 2
 *
 *   المصدر: SY24 · 25 تشرين الثاني 2026، 15:05      ← always treated as an Arabic line
 *   https://…                                  ← alone on its line
 *   ‏#hashtag1 #hashtag2                         ← starts with RLM; plain words «a · b» where there are no hashtags
 *   footer                                     ← optional
 *
 * Right-to-left guarantees, for every target: all text is cleaned (no bidi control from the input
 * survives, so no override or embedding character ever appears); in every line where Arabic dominates
 * (and in the source line), each run of Latin letters and ASCII digits is wrapped in FSI … PDI, and the
 * line starts with RLM when its first letter is not Arabic; the URL stands alone on its line; the hashtag
 * line starts with RLM and wraps non-Arabic hashtags in FSI … PDI. Lines where Arabic does not dominate
 * are left to the client's own first-strong detection.
 *
 * Length: the produced string never exceeds the limit in UTF-16 code units (Telegram 4096, caption 1024,
 * WhatsApp 4096, plain unlimited; `maxLength` tightens it). Over the limit, summary sentences are dropped
 * from the end, then the last one is cut after a whole word with «…»; only if the headline alone is still
 * too long are hashtags, footer, header mark and source line dropped and the headline cut. Headline and
 * link are kept. Cutting happens on plain text before escaping, so never inside a tag or an entity.
 * A link longer than the limit on its own is a RangeError.
 */
import { catalogue } from '../i18n/index.js';
import type { Post } from '../model/article.js';
import { DEFAULT_TIME_ZONE, formatArabicDate } from '../text/arabic-date.js';
import { detectLanguage } from '../text/language.js';
import { cleanText, decodeLeftoverEntities } from '../text/safety.js';
import { codeUnitsOf, lazyCharTable } from '../text/char-table.js';

export interface Template {
  /** Header line above the headline, printed as the operator wrote it: «عاجل», or «🔴 عاجل» for a red dot. */
  headerMark?: string;
  footer?: string;
  showDate: boolean;
  showSource: boolean;
  showLink: boolean;
  showHashtags: boolean;
}

export const DEFAULT_TEMPLATE: Template = { showDate: true, showSource: true, showLink: true, showHashtags: true };

export interface FormatOptions {
  template?: Template;
  /** Telegram photo caption: 1024 instead of 4096 characters. */
  caption?: boolean;
  /** A tighter limit than the platform's. */
  maxLength?: number;
}

/**
 * How a target escapes text and marks it up. Each platform brings its own (bots/<platform>/markup.ts) in its
 * descriptor; the formatter never names a platform.
 */
export interface Markup {
  /** Names the markup in caches and in `nashra preview --platform`. */
  readonly name: string;
  /** Article text made inert for the target. */
  text(plain: string): string;
  /** Wraps text already passed through `text`. */
  bold(escaped: string): string;
  /** The link line. */
  link(url: string): string;
  /** Maximum length in UTF-16 code units. */
  limit(caption: boolean): number;
  /**
   * How the topics line is written: `#hashtags` (the default; Telegram links them to a search), or plain words
   * separated by « · » for a platform that has no hashtags, where «#» and «_» would be noise.
   */
  readonly topics?: 'hashtags' | 'words';
}

/** Plain text: the console, the CLI, and the fallback when a platform rejects its own markup. */
export const plainMarkup: Markup = {
  name: 'plain',
  text: (plain) => plain,
  bold: (text) => text,
  link: (url) => url,
  limit: () => Number.POSITIVE_INFINITY,
};

export function formatPost(post: Post, markup: Markup, options: FormatOptions = {}): string {
  const limit = Math.min(options.maxLength ?? Number.POSITIVE_INFINITY, markup.limit(options.caption ?? false));
  const draft = sharedDraftOf(post, options.template ?? DEFAULT_TEMPLATE);
  const rendered = render(draft, markup);
  return rendered.length <= limit ? rendered : fitToLimit(draft, markup, limit, rendered);
}

// ---------------------------------------------------------------------------------------------
// Draft: the cleaned plain-text pieces of a post, before bidi marks and markup

interface Draft {
  header?: string;
  title: string;
  sentences: string[];
  sourceLine?: string;
  url?: string;
  hashtags: string[];
  footer?: string;
  /** The right-to-left treatment of its lines, shared by every rendering of this draft and of those cut from it. */
  lines: BidiLines;
}

/**
 * The same post is formatted once per platform in a row (one article delivered on two platforms, the bench):
 * cleaning and the right-to-left treatment do not depend on the platform, and were four fifths of each call's cost. The last
 * draft is kept with every input it was made from, and reused only when all of them are equal, so a post changed in
 * between (or another post with equal fields) gets exactly the draft draftOf would make.
 */
let lastDraft: { inputs: DraftInputs; draft: Draft } | undefined;

function sharedDraftOf(post: Post, template: Template): Draft {
  if (lastDraft && madeFrom(lastDraft.inputs, post, template)) return lastDraft.draft;
  const draft = draftOf(post, template);
  lastDraft = { inputs: draftInputs(post, template), draft };
  return draft;
}

/**
 * Everything draftOf reads, copied (a caller may change its post or template in place afterwards). The template's
 * fields are copied one by one: a spread copy takes the shape of each caller's template object (render.ts builds them
 * in several key orders), so madeFrom would read its fields over as many shapes; this record has one.
 */
interface DraftInputs {
  headerMark: string | undefined;
  footer: string | undefined;
  showDate: boolean;
  showSource: boolean;
  showLink: boolean;
  showHashtags: boolean;
  title: string;
  summary: string[];
  source: string;
  url: string | undefined;
  publishedAt: number | undefined;
  timeZone: string | undefined;
  hashtags: string[];
}

function draftInputs(post: Post, template: Template): DraftInputs {
  return {
    headerMark: template.headerMark,
    footer: template.footer,
    showDate: template.showDate,
    showSource: template.showSource,
    showLink: template.showLink,
    showHashtags: template.showHashtags,
    title: post.title,
    summary: post.summary.slice(),
    source: post.source,
    url: post.url,
    publishedAt: post.publishedAt?.getTime(),
    timeZone: post.timeZone,
    hashtags: post.hashtags.slice(),
  };
}

function madeFrom(inputs: DraftInputs, post: Post, template: Template): boolean {
  return (
    inputs.headerMark === template.headerMark &&
    inputs.footer === template.footer &&
    inputs.showDate === template.showDate &&
    inputs.showSource === template.showSource &&
    inputs.showLink === template.showLink &&
    inputs.showHashtags === template.showHashtags &&
    inputs.title === post.title &&
    inputs.source === post.source &&
    inputs.url === post.url &&
    inputs.publishedAt === post.publishedAt?.getTime() &&
    inputs.timeZone === post.timeZone &&
    sameStrings(inputs.summary, post.summary) &&
    sameStrings(inputs.hashtags, post.hashtags)
  );
}

function sameStrings(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Article text as the reader should see it: cleaned, and any character reference a CMS escaped twice decoded. */
export const articleText = (text: string): string => decodeLeftoverEntities(cleanText(text));

function draftOf(post: Post, template: Template): Draft {
  return {
    header: template.headerMark ? cleanText(template.headerMark) || undefined : undefined,
    title: articleText(post.title),
    sentences: sentencesOf(post.summary),
    sourceLine: sourceLine(post, template),
    url: template.showLink ? post.url?.trim() || undefined : undefined,
    hashtags: template.showHashtags ? normaliseHashtags(post.hashtags) : [],
    footer: template.footer ? cleanText(template.footer) || undefined : undefined,
    lines: new BidiLines(),
  };
}

/**
 * The summary's sentences as article text, the empty ones left out. Loops here and below, not map/filter/Set: those
 * builtins are inlined for the array shapes seen so far, and a summary or hashtag list of another shape (an empty
 * one) threw the optimised formatter away again and again, which kept the compiler busy for rounds on end.
 */
function sentencesOf(summary: string[]): string[] {
  const sentences: string[] = [];
  for (let i = 0; i < summary.length; i++) {
    const sentence = articleText(summary[i]!);
    if (sentence) sentences.push(sentence);
  }
  return sentences;
}

/** «المصدر: SY24 · 25 تشرين الثاني 2026، 14:05», or the half the template asks for. */
function sourceLine(post: Post, template: Template): string | undefined {
  const source = template.showSource ? articleText(post.source) : '';
  const date =
    template.showDate && post.publishedAt ? formatArabicDate(post.publishedAt, post.timeZone ?? DEFAULT_TIME_ZONE) : '';
  const named = source && catalogue('ar').post.source(source);
  return named && date ? `${named} · ${date}` : named || date || undefined;
}

/** «#البادية_السورية»: one leading #, spaces and punctuation turned into _ (a hashtag ends at them); each tag once. */
function normaliseHashtags(hashtags: string[]): string[] {
  const tags: string[] = [];
  for (let i = 0; i < hashtags.length; i++) {
    const tag = normaliseHashtag(hashtags[i]!);
    if (tag && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/**
 * A tag already written as the rule writes it: one #, then letters, marks, digits and inner underscores. The
 * hashtagger's tags all are, and one test of that replaces three replace passes and a concatenation.
 */
const NORMAL_HASHTAG = /^#[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}_]*[\p{L}\p{M}\p{N}])?$/u;

function normaliseHashtag(hashtag: string): string | undefined {
  const text = articleText(hashtag);
  if (NORMAL_HASHTAG.test(text)) return text;
  const tag = text
    .replace(/^#+/, '')
    .replace(/[^\p{L}\p{M}\p{N}_]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  return tag ? `#${tag}` : undefined;
}

// ---------------------------------------------------------------------------------------------
// Right-to-left

const RLM = '\u200F';
const FSI = '\u2068';
const PDI = '\u2069';

/**
 * Latin letters and ASCII digits, with the punctuation that joins them (U.S., COVID-19, 14:05, 2.5%, a@b.c);
 * a leading # or @ stays inside, so Telegram still sees #SY24 and @channel as a hashtag and a mention.
 */
const LATIN_OR_DIGIT = '\\p{Script=Latin}0-9';
const JOINING = "\\p{M} .,:/'’&+\\-_@#";
/**
 * A character reference left in the text (`&amp;`, `&#1583;`) counts as one Latin character of a run, so an isolate
 * never lands inside it (`&⁨amp⁩;` was what a twice-escaped «&» looked like).
 */
const ENTITY = '&(?:#\\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});';
const LEFT_TO_RIGHT_RUN = new RegExp(
  `[#@]?(?:${ENTITY}|[${LATIN_OR_DIGIT}])(?:(?:${ENTITY}|[${LATIN_OR_DIGIT}${JOINING}])*(?:${ENTITY}|[${LATIN_OR_DIGIT}%]))?`,
  'gu',
);
const ARABIC_LETTER = /\p{Script=Arabic}/u;
const FIRST_LETTER = /\p{L}/u;

/**
 * Makes an Arabic line display right-to-left with its Latin/number fragments in order. Lines of article
 * text are treated so when Arabic dominates them; lines Nashra writes in Arabic («المصدر: Reuters») always are.
 */
function rightToLeftSafe(line: string, isArabic = detectLanguage(line) === 'ar'): string {
  if (!isArabic) return line;
  const isolated = isolateLeftToRightRuns(line);
  return ARABIC_LETTER.test(FIRST_LETTER.exec(line)?.[0] ?? '') ? isolated : RLM + isolated;
}

/**
 * A URL inside a sentence is one unit: an isolate placed inside it would cut the link a client recognises. It is
 * isolated whole (ending before trailing punctuation), and the runs around it as usual.
 */
const URL_IN_TEXT = /((?:https?:\/\/|www\.)[^\s<>"«»]*[^\s<>"«».,;:!?،؛)\]'’])/iu;
const MAY_HOLD_URL = /:\/\/|www\./i;

function isolateLeftToRightRuns(line: string): string {
  if (!MAY_HOLD_URL.test(line)) return isolateRuns(line);
  // split() with a capturing group: odd indices are the URLs.
  return line
    .split(URL_IN_TEXT)
    .map((part, i) => (i % 2 === 1 ? FSI + part + PDI : isolateRuns(part)))
    .join('');
}

/** Each LEFT_TO_RIGHT_RUN wrapped in FSI … PDI; text without «&» (nearly all) cannot hold a character reference. */
function isolateRuns(text: string): string {
  // A replacement pattern, not a function: no call into JavaScript for each run.
  return text.includes('&') ? text.replace(LEFT_TO_RIGHT_RUN, `${FSI}$&${PDI}`) : isolateRunsByScan(text);
}

/** What isolateRunsByScan sees in each code unit (flags). */
const RUN_LETTER = 1;
const RUN_JOINER = 2;
const PERCENT = 4;
const PREFIX = 8;
const SURROGATE_HALF = 16;
/** A character outside the BMP: two code units. */
const PAIR = 32;

const IS_RUN_LETTER = new RegExp(`^[${LATIN_OR_DIGIT}]$`, 'u');
const IS_RUN_JOINER = new RegExp(`^[${JOINING}]$`, 'u');
const runClassOf = (ch: string): number =>
  (IS_RUN_LETTER.test(ch) ? RUN_LETTER : 0) |
  (IS_RUN_JOINER.test(ch) ? RUN_JOINER : 0) |
  (ch === '%' ? PERCENT : 0) |
  (ch === '#' || ch === '@' ? PREFIX : 0);
const runClasses = lazyCharTable(runClassOf, SURROGATE_HALF);
/** What may start a run: a run letter, # or @, or half of a pair that may be a run letter. */
const MAY_START_RUN = RUN_LETTER | PREFIX | SURROGATE_HALF;

/** The class of the character at `i` of `text`, whose first `length` code units are `units`. */
function runClassAt(classes: Uint8Array, units: Uint16Array, length: number, text: string, i: number): number {
  const kind = classes[units[i]!]!;
  if (kind !== SURROGATE_HALF) return kind;
  const pair = units[i]! < 0xdc00 && i + 1 < length && units[i + 1]! >= 0xdc00 && units[i + 1]! <= 0xdfff;
  return pair ? PAIR | runClassOf(text.slice(i, i + 2)) : 0; // a lone half joins nothing
}

/**
 * LEFT_TO_RIGHT_RUN's replacement for text without «&», in one table scan instead of a Unicode regex (a sixth of the
 * formatter's time). Without character references a run is: an optional # or @, a Latin letter or digit, then the
 * longest stretch of run letters and joiners, ended after its last run letter, or after a «%» just behind the
 * stretch (the regex's backtracking gives exactly that). The search goes on after the run, as the regex's does.
 * The code units are read from a copy, as in needsCleaning (safety.ts): `text.charCodeAt` was a megamorphic look-up.
 */
function isolateRunsByScan(text: string): string {
  const classes = runClasses();
  const length = text.length;
  const units = codeUnitsOf(text);
  let isolated = '';
  let copied = 0;
  let i = 0;
  while (i < length) {
    // Most of an Arabic line is letters and spaces that start no run: passed over with one look-up each.
    if (!(classes[units[i]!]! & MAY_START_RUN)) {
      i++;
      continue;
    }
    const start = i;
    let kind = runClassAt(classes, units, length, text, i);
    if (kind & PREFIX && i + 1 < length && runClassAt(classes, units, length, text, i + 1) & RUN_LETTER) {
      kind = runClassAt(classes, units, length, text, ++i);
    } else if (!(kind & RUN_LETTER)) {
      i += kind & PAIR ? 2 : 1;
      continue;
    }
    i += kind & PAIR ? 2 : 1;
    let end = i;
    while (i < length) {
      kind = runClassAt(classes, units, length, text, i);
      if (!(kind & (RUN_LETTER | RUN_JOINER))) {
        if (kind & PERCENT) end = i + 1;
        break;
      }
      i += kind & PAIR ? 2 : 1;
      if (kind & RUN_LETTER) end = i;
    }
    isolated += text.slice(copied, start) + FSI + text.slice(start, end) + PDI;
    copied = i = end;
  }
  return copied === 0 ? text : isolated + text.slice(copied);
}

/**
 * The right-to-left treatment of a draft's lines (rightToLeftSafe, and the hashtag line per style), each computed
 * once: fitting renders a draft several times, and each platform renders it once.
 */
class BidiLines {
  private readonly detected = new Map<string, string>();
  private readonly arabic = new Map<string, string>();
  private readonly topics = new Map<Markup['topics'], { hashtags: string[]; line: string }>();

  /** `alwaysArabic` for the lines Nashra writes in Arabic; other lines are treated as their language says. */
  of(line: string, alwaysArabic = false): string {
    const known = alwaysArabic ? this.arabic : this.detected;
    let safe = known.get(line);
    if (safe === undefined) {
      safe = alwaysArabic ? rightToLeftSafe(line, true) : rightToLeftSafe(line);
      known.set(line, safe);
    }
    return safe;
  }

  hashtags(hashtags: string[], style: Markup['topics']): string {
    let known = this.topics.get(style);
    if (known?.hashtags !== hashtags) {
      known = { hashtags, line: hashtagLine(hashtags, style) };
      this.topics.set(style, known);
    }
    return known.line;
  }
}

function hashtagLine(hashtags: string[], style: Markup['topics'] = 'hashtags'): string {
  const asWords = style === 'words';
  let line = RLM;
  for (let i = 0; i < hashtags.length; i++) {
    const topic = asWords ? hashtags[i]!.slice(1).replaceAll('_', ' ') : hashtags[i]!;
    if (i > 0) line += asWords ? ' · ' : ' ';
    line += detectLanguage(topic) === 'ar' ? topic : FSI + topic + PDI;
  }
  return line;
}

// ---------------------------------------------------------------------------------------------
// Rendering and fitting

/**
 * Headline lines, one block per sentence, detail lines; empty pieces leave no separator. Built by concatenation, not
 * arrays filtered and joined: with no closure or array per call, the function is small enough that the compiler
 * optimises it early and once.
 */
function render(draft: Draft, markup: Markup): string {
  const lines = draft.lines;
  const header = draft.header ? markup.bold(markup.text(lines.of(draft.header))) : '';
  const title = draft.title ? markup.bold(markup.text(lines.of(draft.title))) : '';
  let post = joined(header, '\n', title);
  for (let i = 0; i < draft.sentences.length; i++)
    post = joined(post, '\n\n', markup.text(lines.of(draft.sentences[i]!)));
  let details = draft.sourceLine ? markup.text(lines.of(draft.sourceLine, true)) : '';
  if (draft.url) details = joined(details, '\n', markup.link(draft.url));
  if (draft.hashtags.length > 0)
    details = joined(details, '\n', markup.text(lines.hashtags(draft.hashtags, markup.topics)));
  if (draft.footer) details = joined(details, '\n', markup.text(lines.of(draft.footer)));
  return joined(post, '\n\n', details);
}

/** `[first, second].filter(Boolean).join(separator)`. */
function joined(first: string, separator: string, second: string): string {
  return first && second ? first + separator + second : first || second;
}

const ELLIPSIS = '…';

/** Shrinks the draft step by step until the rendering (`rendered`, of the whole draft) fits; headline and link go last. */
function fitToLimit(draft: Draft, markup: Markup, limit: number, rendered: string): string {
  // Rendering is the costly part: each candidate is rendered once, and a fitting rendering is returned as is.
  let current = draft;
  while (current.sentences.length > 1 && rendered.length > limit) {
    current = { ...current, sentences: current.sentences.slice(0, -1) };
    rendered = render(current, markup);
  }
  if (rendered.length <= limit) return rendered;

  const [lastSentence] = current.sentences;
  const cutSentence =
    lastSentence && cutToFit(lastSentence, (text) => render({ ...current, sentences: [text] }, markup), limit);
  if (cutSentence) return cutSentence;

  const reductions: Array<(draft: Draft) => Draft> = [
    (d) => ({ ...d, sentences: [] }),
    (d) => ({ ...d, hashtags: [] }),
    (d) => ({ ...d, footer: undefined }),
    (d) => ({ ...d, header: undefined }),
    (d) => ({ ...d, sourceLine: undefined }),
  ];
  for (const reduce of reductions) {
    current = reduce(current);
    rendered = render(current, markup);
    if (rendered.length <= limit) return rendered;
  }
  const cutTitle = cutToFit(current.title, (title) => render({ ...current, title }, markup), limit);
  if (cutTitle) return cutTitle;
  throw new RangeError(`post cannot fit in ${limit} characters: the link alone is too long`);
}

/**
 * The rendering with the longest prefix of `text` that fits, cut after a whole word and ended with «…».
 * Text without a usable word boundary (one giant "word") is cut between grapheme clusters instead.
 * Undefined when not even the first word fits.
 */
function cutToFit(text: string, renderWith: (text: string) => string, limit: number): string | undefined {
  const attempt = (end: number): string => renderWith(text.slice(0, end) + ELLIPSIS);
  for (const cutPoints of [wordEnds(text), graphemeEnds(text)]) {
    const best = longestFitting(cutPoints, (end) => attempt(end).length <= limit);
    if (best !== undefined) return attempt(best);
  }
  return undefined;
}

/** Binary search: rendering length grows with the prefix, so the fitting cut points form a prefix of the list. */
function longestFitting(cutPoints: number[], fits: (end: number) => boolean): number | undefined {
  let low = 0;
  let high = cutPoints.length - 1;
  let best: number | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (fits(cutPoints[middle]!)) {
      best = cutPoints[middle];
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}

/**
 * Offsets just after each word that a space follows, so «…» lands after a whole word and never after
 * a comma or inside «a&b».
 */
function wordEnds(text: string): number[] {
  return [...text.matchAll(/(?<=[\p{L}\p{N}\p{M}])\s/gu)].map((match) => match.index);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemeEnds(text: string): number[] {
  const segments = graphemes.segment(text);
  return [...segments].map((s) => s.index + s.segment.length).filter((end) => end < text.length);
}
