/**
 * Sanitising of untrusted text (titles, paragraphs, source names) before it enters Nashra.
 *
 * Scraped and fed text carries invisible characters that either spoof the display (bidi overrides
 * turn «SY24» into «42YS»), break copy-paste and search (zero-width characters), or flood the
 * message (zalgo stacks of combining marks). Everything removed here is invisible or decorative,
 * so the visible wording of the source is kept.
 */

import { decodeHTMLStrict } from 'entities';
import { codeUnitsOf, isSurrogatePairAt, lazyCharTable } from './char-table.js';

/**
 * Bidi embeddings, overrides and isolates, plus the implicit marks LRM, RLM and ALM.
 * The formatters add their own marks after cleaning, so any mark found in input is foreign.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/**
 * ZWSP, ZWNJ, ZWJ, word joiner, invisible math operators and BOM. ZWNJ/ZWJ can be legitimate inside
 * Persian words, but in news headlines they are mostly paste debris; the word stays readable without them.
 */
const ZERO_WIDTH = /[\u200B-\u200D\u2060-\u2064\uFEFF]/g;

/** C0 and C1 controls except tab (\t) and newline (\n); carriage returns are normalised to \n first. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what this strips
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** A surrogate half without its partner: not valid UTF-8, so the Telegram API would reject the message. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;

/** No-break and other fixed-width spaces that scrapers leave where a plain space was meant. */
const SPECIAL_SPACES = /[\u00A0\u2007\u202F]/g;

/** A base character (anything that is not a mark) followed by its run of combining marks. */
const MARK_CLUSTER = /(\P{M})(\p{M}+)/gu;
const ARABIC_MARK = /\p{Script_Extensions=Arabic}/u;

/** More than this many non-Arabic marks on one base character is zalgo, not orthography (e.g. Vietnamese uses 2). */
const MAX_OTHER_MARKS = 2;
/**
 * Arabic tashkeel stays; vocalised (even Quranic) text needs at most shadda + vowel + a small
 * annotation sign, so a generous cap only stops stacks of repeated diacritics.
 */
const MAX_ARABIC_MARKS = 4;

/**
 * Any character the five replacements below act on (every surrogate, paired or not, to stay simple): most
 * text has none, and one scan for them is cheaper than five.
 */
const NEEDS_REMOVALS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are among what the replacements remove
  /[\r\uD800-\uDFFF\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060-\u2064\uFEFF\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** Removes invisible and spoofing characters, tames zalgo, turns no-break spaces into spaces and trims. */
export function cleanText(text: string): string {
  return needsCleaning(text) ? cleanThoroughly(text) : text.trim();
}

function cleanThoroughly(text: string): string {
  const withoutControls = NEEDS_REMOVALS.test(text)
    ? text
        .replace(/\r\n?/g, '\n')
        .replace(LONE_SURROGATE, '\uFFFD')
        .replace(BIDI_CONTROLS, '')
        .replace(ZERO_WIDTH, '')
        .replace(CONTROL_CHARACTERS, '')
    : text;
  return limitCombiningMarks(withoutControls).replace(SPECIAL_SPACES, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * Three marks in a row: below that no cluster can exceed either cap, and almost all text is below that.
 * Looked for with a table of the BMP's marks (built on first use) rather than /\p{M}{3}/u, which was one of
 * the formatter's larger costs; pairs outside the BMP are tested whole.
 */
const MARK = /^\p{M}$/u;
const MARK_RUN_OVER_CAP = 3;

function hasMarkRunOverCap(text: string): boolean {
  const classes = cleaningClasses();
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let isMark: boolean;
    if (isSurrogatePairAt(text, i)) {
      isMark = MARK.test(text.slice(i, i + 2));
      i++;
    } else {
      isMark = classes[code] === MARK_CHARACTER;
    }
    run = isMark ? run + 1 : 0;
    if (run >= MARK_RUN_OVER_CAP) return true;
  }
  return false;
}

/** SPECIAL_SPACES without the g flag, whose test() would carry lastIndex from one character to the next. */
const SPECIAL_SPACE = new RegExp(SPECIAL_SPACES.source);

/** What the scan below sees in each code unit. */
const ORDINARY = 0;
const MARK_CHARACTER = 1;
const SPACE = 2;
const SURROGATE_HALF = 3;
/** Removed or replaced by cleanThoroughly whatever surrounds it: a control, bidi or zero-width character, \r, a special space. */
const CHANGED = 4;

const cleaningClasses = lazyCharTable((ch) => {
  if (ch === ' ') return SPACE;
  if (NEEDS_REMOVALS.test(ch) || SPECIAL_SPACE.test(ch)) return CHANGED;
  return MARK.test(ch) ? MARK_CHARACTER : ORDINARY;
}, SURROGATE_HALF);

/**
 * Whether cleanThoroughly would change more than the ends (which trim() handles): a character it removes or replaces,
 * a lone surrogate, two spaces in a row, or a run of marks that might be over a cap. Nearly all article text has none;
 * this one table scan does the work of a removals regex, a mark scan and two space regexes on every line. It reads
 * the code units from a copy (codeUnitsOf): the texts come in many string shapes (flat, sliced, concatenated; one or
 * two bytes a character), over which `text.charCodeAt` and `text.length` are megamorphic property look-ups on every
 * character, 12% of the formatter's instructions.
 */
function needsCleaning(text: string): boolean {
  const classes = cleaningClasses();
  const length = text.length;
  const units = codeUnitsOf(text);
  let marks = 0;
  let afterSpace = false;
  for (let i = 0; i < length; i++) {
    const kind = classes[units[i]!];
    if (kind === ORDINARY) {
      marks = 0;
      afterSpace = false;
    } else if (kind === MARK_CHARACTER) {
      if (++marks >= MARK_RUN_OVER_CAP) return true;
      afterSpace = false;
    } else if (kind === SPACE) {
      if (afterSpace) return true;
      afterSpace = true;
      marks = 0;
    } else if (
      kind === SURROGATE_HALF &&
      units[i]! < 0xdc00 &&
      i + 1 < length &&
      units[i + 1]! >= 0xdc00 &&
      units[i + 1]! <= 0xdfff
    ) {
      marks = MARK.test(text.slice(i, i + 2)) ? marks + 1 : 0; // a pair: one character outside the BMP
      if (marks >= MARK_RUN_OVER_CAP) return true;
      afterSpace = false;
      i++;
    } else {
      return true; // a lone surrogate, or a character that is always changed
    }
  }
  return false;
}

function limitCombiningMarks(text: string): string {
  if (!hasMarkRunOverCap(text)) return text;
  return text.replace(MARK_CLUSTER, (_cluster, base: string, marks: string) => base + keepAllowedMarks(marks));
}

function keepAllowedMarks(marks: string): string {
  let arabic = 0;
  let other = 0;
  let kept = '';
  for (const mark of marks) {
    if (ARABIC_MARK.test(mark)) {
      if (++arabic <= MAX_ARABIC_MARKS) kept += mark;
    } else if (++other <= MAX_OTHER_MARKS) {
      kept += mark;
    }
  }
  return kept;
}

/** A character reference left in text that was already decoded: `&quot;`, `&amp;`, `&#1583;`, `&#x62F;`. */
const LEFTOVER_ENTITY = /&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/i;

/**
 * Decodes the character references still in text once more. Some CMSs escape twice (`&amp;quot;داعش&amp;quot;`),
 * so after the feed's own decoding the reader would see `&quot;داعش&quot;`. Strict HTML decoding: only references
 * ending in «;» are touched, so «R&D» or «&copy» in ordinary text stay as they are. Decoded control or bidi
 * characters are removed again by cleanText.
 */
export function decodeLeftoverEntities(text: string): string {
  // Nearly all text has no «&»: looking for it alone is cheaper than the regex, which took 1.1 million instructions
  // per round of formatting the 200 news articles.
  if (!text.includes('&') || !LEFTOVER_ENTITY.test(text)) return text;
  return cleanText(decodeHTMLStrict(text));
}

/** Signatures of the files most often given by mistake, as they read once decoded as UTF-8 (� for invalid bytes). */
const FILE_SIGNATURES: Array<[RegExp, string]> = [
  [/^%PDF-/, 'a PDF file'],
  [/^\uFFFDPNG\r?\n/, 'a PNG image'],
  [/^GIF8[79]a/, 'a GIF image'],
  // FF D8 FF (three �), then E0|E1 and a two-byte length (one to four characters), then the APP0/APP1 name. Any
  // other start (a bare quantization table) is left to the binary-data share below: three invalid bytes alone are
  // how one random file in eight begins, and those are not images.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a file's magic bytes include NUL and other controls
  [/^\uFFFD{3}[\s\S]{1,4}?(?:JFIF|Exif)\u0000/, 'a JPEG image'],
  [/^RIFF[\s\S]{4}WEBP/, 'a WebP image'],
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ZIP's magic bytes
  [/^PK\u0003\u0004/, 'a ZIP archive (or a Word, Excel or EPUB file)'],
  // biome-ignore lint/suspicious/noControlCharactersInRegex: gzip's magic bytes
  [/^\u001F\uFFFD\u0008/, 'a gzip archive'],
];

/** Characters no text has many of: C0/C1 controls other than tab, newline, carriage return and form feed; U+FFFD. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: counting control characters is the point
const NOT_TEXT_CHARACTER = /[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F\uFFFD]/g;
/** Share of such characters above which the input is data, not text (a stray broken character here and there is ~0.1 %). */
const MAX_NOT_TEXT_SHARE = 0.1;
/** Characters looked at: enough to judge, and a 5 MB download is not scanned whole. */
const SAMPLE_CHARS = 64 * 1024;

/**
 * Why this is not text, or undefined when it is: a known file signature (PDF, images, archives), or too many
 * control or undecodable characters (random bytes, any other binary file, or text in an encoding other than UTF-8).
 */
export function notTextReason(text: string): string | undefined {
  const head = text.replace(/^\uFEFF/, '');
  for (const [signature, what] of FILE_SIGNATURES) if (signature.test(head)) return what;
  const sample = head.slice(0, SAMPLE_CHARS);
  if (sample.length === 0) return undefined;
  const bad = sample.match(NOT_TEXT_CHARACTER)?.length ?? 0;
  const share = bad / sample.length;
  if (share <= MAX_NOT_TEXT_SHARE) return undefined;
  return `binary data: ${Math.round(share * 100)}% of it is control or undecodable characters (or text not in UTF-8)`;
}
