/**
 * Language guess by script ratio: good enough to tell Arabic articles from Latin-script ones, which
 * is all the formatter and the summariser need. Not a language identifier (French counts as "en").
 */

import { codeUnitsOf, lazyCharTable } from './char-table.js';

const LETTER = /^\p{L}$/u;
const ARABIC_LETTER =
  /[\u0620-\u064A\u066E-\u066F\u0671-\u06D3\u06D5\u06EE-\u06EF\u06FA-\u06FC\u06FF\u0750-\u077F\u08A0-\u08C9\uFB50-\uFDFB\uFE70-\uFEFC]/;
const LATIN_LETTER = /[A-Za-z\u00AA\u00BA\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF]/;

/** Share of the letters a script must reach to name the language. */
const DOMINANCE = 0.5;

const IS_LETTER = 1;
const IS_ARABIC = 2;
const IS_LATIN = 4;
/** Either half of a surrogate pair, which is tested whole. */
const SURROGATE_HALF = 8;

/**
 * The classes above for every BMP code unit, built on first use: this runs for every line of every post,
 * and one table look-up per character is several times faster than three regex passes over the line.
 */

const characterClasses = lazyCharTable(
  (ch) =>
    (LETTER.test(ch) ? IS_LETTER : 0) |
    (ARABIC_LETTER.test(ch) ? IS_ARABIC : 0) |
    (LATIN_LETTER.test(ch) ? IS_LATIN : 0),
  SURROGATE_HALF,
);

/** "ar" when Arabic letters dominate, "en" when Latin letters do, "und" otherwise (including no letters). */
export function detectLanguage(text: string): string {
  const table = characterClasses();
  // The code units are read from a copy: `text.charCodeAt` was a megamorphic look-up on every character, as the
  // texts come in many string shapes (see needsCleaning in safety.ts).
  const length = text.length;
  const units = codeUnitsOf(text);
  // Counted in UTF-16 code units, so a letter outside the BMP counts twice (as it always has).
  let letters = 0;
  let arabic = 0;
  let latin = 0;
  for (let i = 0; i < length; i++) {
    const kind = table[units[i]!]!;
    if (kind & SURROGATE_HALF) {
      // A pair is tested whole; a half alone is no letter.
      if (units[i]! < 0xdc00 && i + 1 < length && units[i + 1]! >= 0xdc00 && units[i + 1]! <= 0xdfff) {
        if (LETTER.test(text.slice(i, i + 2))) letters += 2;
        i++;
      }
      continue;
    }
    if (kind & IS_LETTER) letters++;
    if (kind & IS_ARABIC) arabic++;
    if (kind & IS_LATIN) latin++;
  }
  if (letters === 0) return 'und';
  if (arabic / letters > DOMINANCE) return 'ar';
  if (latin / letters > DOMINANCE) return 'en';
  return 'und';
}
