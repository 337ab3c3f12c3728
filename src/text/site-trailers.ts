/**
 * Site furniture that scrapers, feeds and CMS templates leave in an article's text: «رابط الخبر بصحيفة الوئام: …»,
 * WordPress's "The post … appeared first on …" (and its Arabic translation), «مقالات أخرى للكاتب…», tag lists
 * («سمات …»), bare links, e-mails and time stamps. One filter for every way text arrives (page, feed excerpt,
 * content:encoded, plain text), so none of it reaches a summary.
 */

/** A trailer that starts somewhere in a paragraph and runs to its end. */
const TRAILER_FROM = [
  /\s*رابط الخبر(?:\s+ب?صحيفة)?[^:：]{0,40}[:：].*$/u,
  /\s*\bThe post\b.{0,400}?\bappeared first on\b.*$/isu,
  /\s*ظهرت المقالة.{0,400}?(?:أولا|أولاً|اولا) على.*$/u,
  /\s*(?:ال)?مقالات أخرى للكاتب.*$/u,
  // «… الملف. سمات الوورد تحويل ملفات»: a site's tag list after the last sentence.
  /(?<=[.!?؟…])\s*سمات\s[^.!?؟…]*$/u,
  // A «read more» link at the end of a teaser: «...المزيد».
  /\s*\.{2,}\s*المزيد\s*$/u,
];

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

/**
 * Words one of the trailers contains: a paragraph with none of them is left alone without trying each pattern
 * (plain substring tests: an alternation regex over every paragraph was a visible share of summarising).
 */
const TRAILER_MARKS = ['رابط الخبر', 'appeared first', 'ظهرت المقالة', 'مقالات أخرى', 'سمات', 'المزيد'];
/** Furniture lines are short; a paragraph longer than this is not one. */
const MAX_FURNITURE_CHARS = 80;

/** The paragraph without site furniture; '' when nothing else is left. */
export function stripSiteTrailers(paragraph: string): string {
  let text = paragraph.replace(LEADING, '');
  if (TRAILER_MARKS.some((mark) => text.includes(mark))) for (const pattern of TRAILER_FROM) text = text.replace(pattern, '');
  text = text.trim();
  return text.length <= MAX_FURNITURE_CHARS && WHOLE_LINE.some((pattern) => pattern.test(text)) ? '' : text;
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
