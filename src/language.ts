/**
 * Language guess by script ratio: good enough to tell Arabic articles from Latin-script ones, which
 * is all the formatter and the summariser need. Not a language identifier (French counts as "en").
 */

const LETTER = /\p{L}/gu;
const ARABIC_LETTER = /(?=\p{L})\p{Script=Arabic}/gu;
const LATIN_LETTER = /(?=\p{L})\p{Script=Latin}/gu;

/** Share of the letters a script must reach to name the language. */
const DOMINANCE = 0.5;

/** "ar" when Arabic letters dominate, "en" when Latin letters do, "und" otherwise (including no letters). */
export function detectLanguage(text: string): string {
  const letters = count(text, LETTER);
  if (letters === 0) return 'und';
  if (count(text, ARABIC_LETTER) / letters > DOMINANCE) return 'ar';
  if (count(text, LATIN_LETTER) / letters > DOMINANCE) return 'en';
  return 'und';
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}
