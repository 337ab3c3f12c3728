/**
 * Sanitising of untrusted text (titles, paragraphs, source names) before it enters Nashra.
 *
 * Scraped and fed text carries invisible characters that either spoof the display (bidi overrides
 * turn «SY24» into «42YS»), break copy-paste and search (zero-width characters), or flood the
 * message (zalgo stacks of combining marks). Everything removed here is invisible or decorative,
 * so the visible wording of the source is kept.
 */

import { lazyCharTable, isSurrogatePairAt } from './char-table.js';

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
const NEEDS_REMOVALS = /[\r\uD800-\uDFFF\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060-\u2064\uFEFF\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** Removes invisible and spoofing characters, tames zalgo, turns no-break spaces into spaces and trims. */
export function cleanText(text: string): string {
  const withoutControls = NEEDS_REMOVALS.test(text)
    ? text
        .replace(/\r\n?/g, '\n')
        .replace(LONE_SURROGATE, '\uFFFD')
        .replace(BIDI_CONTROLS, '')
        .replace(ZERO_WIDTH, '')
        .replace(CONTROL_CHARACTERS, '')
    : text;
  return limitCombiningMarks(withoutControls)
    .replace(SPECIAL_SPACES, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * Three marks in a row: below that no cluster can exceed either cap, and almost all text is below that.
 * Looked for with a table of the BMP's marks (built on first use) rather than /\p{M}{3}/u, which was one of
 * the formatter's larger costs; pairs outside the BMP are tested whole.
 */
const MARK = /^\p{M}$/u;
const MARK_RUN_OVER_CAP = 3;

const bmpMarks = lazyCharTable((ch) => (MARK.test(ch) ? 1 : 0));

function hasMarkRunOverCap(text: string): boolean {
  const marks = bmpMarks();
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let isMark: boolean;
    if (isSurrogatePairAt(text, i)) {
      isMark = MARK.test(text.slice(i, i + 2));
      i++;
    } else {
      isMark = marks[code] === 1;
    }
    run = isMark ? run + 1 : 0;
    if (run >= MARK_RUN_OVER_CAP) return true;
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
