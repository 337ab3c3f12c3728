/**
 * Site furniture that scrapers, feeds and CMS templates leave in an article's text: «رابط الخبر بصحيفة الوئام: …»,
 * WordPress's "The post … appeared first on …" (and its Arabic translation), «مقالات أخرى للكاتب…», tag lists
 * («سمات …»), bare links, e-mails and time stamps. One filter for every way text arrives (page, feed excerpt,
 * content:encoded, plain text), so none of it reaches a summary.
 */

/**
 * A trailer that starts somewhere in a paragraph and runs to its end, tried only on a paragraph that holds what it
 * cannot match without (`needs`, a native substring search or less). Trying every pattern on every paragraph was a
 * visible share of summarising; so was searching every paragraph for every trailer's words (see TRAILER_MARKS).
 */
interface Trailer {
  pattern: RegExp;
  /** False when the pattern cannot match the text; undefined for the English trailer (see mayHoldEnglishTrailer). */
  needs?: (text: string) => boolean;
}

const TRAILERS: Trailer[] = [
  {
    pattern: /\s*رابط الخبر(?:\s+ب?صحيفة)?[^:：]{0,40}[:：].*$/u,
    needs: (text) => includesByRareLetter(text, 'رابط الخبر', 'ط'),
  },
  { pattern: /\s*\bThe post\b.{0,400}?\bappeared first on\b.*$/isu },
  { pattern: /\s*ظهرت المقالة.{0,400}?(?:أولا|أولاً|اولا) على.*$/u, needs: (text) => text.includes('ظهرت المقالة') },
  {
    pattern: /\s*(?:ال)?مقالات أخرى للكاتب.*$/u,
    needs: (text) => includesByRareLetter(text, 'مقالات أخرى للكاتب', 'خ'),
  },
  // «… الملف. سمات الوورد تحويل ملفات»: a site's tag list after the last sentence.
  { pattern: /(?<=[.!?؟…])\s*سمات\s[^.!?؟…]*$/u, needs: (text) => text.includes('سمات') },
  // A «read more» link at the end of a teaser: «...المزيد». Only the end need be read.
  { pattern: /\s*\.{2,}\s*المزيد\s*$/u, needs: (text) => text.trimEnd().endsWith('المزيد') },
];

/**
 * text.includes(mark), searched from one of its letters that Arabic text seldom holds: the native search stops at every
 * occurrence of what it looks for first, and «ر» or «م» occur every few words.
 */
function includesByRareLetter(text: string, mark: string, rareLetter: string): boolean {
  const before = mark.indexOf(rareLetter);
  const rest = mark.slice(before);
  for (let at = text.indexOf(rest, before); at !== -1; at = text.indexOf(rest, at + 1)) {
    if (text.startsWith(mark, at - before)) return true;
  }
  return false;
}

/** Lines that are nothing but furniture. */
const WHOLE_LINE = [
  /^(?:https?:\/\/|www\.)\S+$/iu,
  /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/u,
  /^\S+(?:\s\S+)?@\s?\S+\s?\S*\.(?:com|net|org|sa)$/iu, // «hana.al saif@hot mail.com»
  /^\d{1,2}:\d{2}(?:\s*[\p{L}]{1,2}){0,2}$/u, // «10:37 ت م»
  /^\*?\s*خدمة\s*[«"“]?[^»"”]{1,40}[»"”]?$/u, // «* خدمة «نيويورك تايمز»»
  /^(?:next\s+previous|previous\s+next)$/iu,
];

/** Leading navigation labels glued to the first line of a scraped page. */
const LEADING = /^\s*(?:Next\s+Previous|Previous\s+Next)\s+/iu;

/** Words of the trailers: the English trailer is only tried on a paragraph that holds one of them, as written. */
const TRAILER_MARKS = ['رابط الخبر', 'appeared first', 'ظهرت المقالة', 'مقالات أخرى', 'سمات', 'المزيد'];

/**
 * «The post … appeared first on …» is matched in any case, so none of its words as written rules it out; but it needs
 * a «p» (no other character is p in any case), which Arabic text seldom holds, before TRAILER_MARKS are searched.
 */
function mayHoldEnglishTrailer(text: string): boolean {
  return (text.includes('p') || text.includes('P')) && TRAILER_MARKS.some((mark) => text.includes(mark));
}

/** Furniture lines are short; a paragraph longer than this is not one. */
const MAX_FURNITURE_CHARS = 80;

/**
 * The paragraph without site furniture; '' when nothing else is left. Each trailer's test reads the text it would be
 * tried on; the English trailer's reads the paragraph before any trailer came off (see mayHoldEnglishTrailer).
 */
export function stripSiteTrailers(paragraph: string): string {
  const unled = withoutLeadingNavigation(paragraph);
  const englishTrailer = mayHoldEnglishTrailer(unled);
  let text = unled;
  for (const { pattern, needs } of TRAILERS) {
    if (needs ? needs(text) : englishTrailer) text = text.replace(pattern, '');
  }
  text = text.trim();
  return text.length <= MAX_FURNITURE_CHARS && WHOLE_LINE.some((pattern) => pattern.test(text)) ? '' : text;
}

/** LEADING can only match text that starts with white space or a Latin letter: not the usual Arabic letter. */
function withoutLeadingNavigation(paragraph: string): string {
  const first = paragraph.charCodeAt(0);
  return first >= 0x0621 && first <= 0x064a ? paragraph : paragraph.replace(LEADING, '');
}

/** Paragraphs with site furniture removed; emptied paragraphs are dropped. */
export function withoutSiteTrailers(paragraphs: string[]): string[] {
  const kept: string[] = [];
  for (const p of paragraphs) {
    const text = stripSiteTrailers(p);
    if (text !== '') kept.push(text);
  }
  return kept;
}
