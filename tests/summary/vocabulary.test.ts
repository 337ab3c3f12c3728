/**
 * The summariser numbers its tokens in one table-driven scan (src/summary/vocabulary.ts) instead of tokenize()'s
 * strings: two tokens must get the same number exactly when tokenize() gives the same string, on any text.
 */
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/text/arabic.js';
import { beginArticle, termOfToken, tokenNumbers } from '../../src/summary/vocabulary.js';
import { seededRandom } from '../helpers/child-run.js';

/** Pieces that exercise every path: folding, tashkeel, capitals, Σ (whose lower case depends on what follows), İ
 * (two code units in lower case), emoji and a lone surrogate, separators of every kind. */
const PIECES = [
  'الحكومة',
  'أعلنت',
  'إلى',
  'مستشفى',
  'والحكومة',
  'بالحكومة',
  'الحكومه',
  'مُحَمَّد',
  'ـــ',
  'ً',
  '٢٠١٥',
  '۳',
  'SY24',
  'Damascus',
  'DAMASCUS',
  'ΟΔΟΣ',
  'Σ',
  'İstanbul',
  'Émile',
  '😀',
  '\uD83D',
  '\uDE00',
  ' ',
  '  ',
  '\n',
  '\u00A0',
  '،',
  '؛',
  '.',
  '«',
  '»',
  '-',
  '—',
  '(',
  ')',
  '"',
  "'",
  'و',
  'في',
  'من',
  'a',
  '1',
];

/** A text from a few of the pieces, so that texts with none of the rarer paths occur as well as mixed ones. */
function randomText(random: () => number): string {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const palette = Array.from({ length: 2 + Math.floor(random() * 4) }, () => pick(PIECES));
  let text = '';
  for (let n = 1 + Math.floor(random() * 30); n > 0; n--) text += pick(palette);
  return text;
}

describe('token numbers', () => {
  it('number the same tokens as tokenize(), one number per distinct token, on 2,000 random texts', () => {
    const random = seededRandom(13);
    beginArticle();
    const numberOf = new Map<string, number>();
    for (let round = 0; round < 2_000; round++) {
      const text = randomText(random);
      const tokens = tokenize(text);
      const numbers = tokenNumbers(text);
      expect({ text, count: numbers.length }).toEqual({ text, count: tokens.length });
      tokens.forEach((token, k) => {
        const known = numberOf.get(token);
        if (known === undefined) numberOf.set(token, numbers[k]!);
        else expect({ token, number: numbers[k] }).toEqual({ token, number: known });
      });
    }
    // Distinct tokens, distinct numbers.
    expect(new Set(numberOf.values()).size).toBe(numberOf.size);
  });

  it('give stopwords and one-letter tokens no term, and one term to a word with or without its prefixes', () => {
    const [government, withAnd, withBi, to, letter] = tokenNumbers('الحكومة والحكومة بالحكومة إلى ب');
    expect(termOfToken(government!)).toBeGreaterThanOrEqual(0);
    expect(termOfToken(withAnd!)).toBe(termOfToken(government!));
    expect(termOfToken(withBi!)).toBe(termOfToken(government!));
    expect(termOfToken(to!)).toBe(-1);
    expect(termOfToken(letter!)).toBe(-1);
  });

  it('start again when full, before an article, and number the same words alike after that', () => {
    const words = Array.from({ length: 100_001 }, (_, k) => `كلمة${k}`).join(' ');
    const many = tokenNumbers(words);
    expect(new Set(many).size).toBe(100_001);
    beginArticle();
    const [first, again, other] = tokenNumbers('الحكومة الحكومة الوزارة');
    // Numbers start from 0 again: the table was emptied, not grown without bound.
    expect(Math.max(first!, other!)).toBeLessThan(2);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(termOfToken(first!)).toBeGreaterThanOrEqual(0);
  });

  it('read a 1 MB token without overflowing the stack', () => {
    const [token] = tokenNumbers('ب'.repeat(1_000_000));
    expect(termOfToken(token!)).toBeGreaterThanOrEqual(0);
  });
});
