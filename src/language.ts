/**
 * Language guess by script ratio: good enough to tell Arabic articles from Latin-script ones, which
 * is all the formatter and the summariser need. Not a language identifier (French counts as "en").
 */

// Counting by deleting everything else is several times faster than collecting matches (this runs per line).
const NOT_LETTER = /\P{L}+/gu;
const NOT_ARABIC_LETTER = /[^\u0620-\u064A\u066E-\u066F\u0671-\u06D3\u06D5\u06EE-\u06EF\u06FA-\u06FC\u06FF\u0750-\u077F\u08A0-\u08C9\uFB50-\uFDFB\uFE70-\uFEFC]+/g;
const NOT_LATIN_LETTER = /[^A-Za-z\u00AA\u00BA\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF]+/g;

/** Share of the letters a script must reach to name the language. */
const DOMINANCE = 0.5;

/** "ar" when Arabic letters dominate, "en" when Latin letters do, "und" otherwise (including no letters). */
export function detectLanguage(text: string): string {
  const letters = count(text, NOT_LETTER);
  if (letters === 0) return 'und';
  if (count(text, NOT_ARABIC_LETTER) / letters > DOMINANCE) return 'ar';
  if (count(text, NOT_LATIN_LETTER) / letters > DOMINANCE) return 'en';
  return 'und';
}

/** How many code units are left once every run of `others` is removed. */
function count(text: string, others: RegExp): number {
  return text.replace(others, '').length;
}
