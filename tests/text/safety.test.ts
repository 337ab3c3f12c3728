import { describe, expect, it } from 'vitest';
import { cleanText } from '../../src/text/safety.js';

describe('cleanText', () => {
  it('removes bidi embeddings, overrides, isolates and implicit marks', () => {
    const spoofed = '\u202Eخبر\u202C \u202Aعاجل\u202C \u2066SY24\u2069 \u2067x\u2069 \u2068y\u2069 \u200Ez\u200F\u061C';
    expect(cleanText(spoofed)).toBe('خبر عاجل SY24 x y z');
  });

  it('removes zero-width characters, including ZWNJ/ZWJ inside words', () => {
    expect(cleanText('\uFEFFدا\u200Bعش\u200C\u200D \u2060SY24\u2063')).toBe('داعش SY24');
    expect(cleanText('می\u200Cخواهم')).toBe('میخواهم');
  });

  it('removes C0/C1 controls but keeps newline and tab, normalising CRLF', () => {
    expect(cleanText('a\u0000b\u0007c\u001Bd\u007Fe\u0085f\u009Fg')).toBe('abcdefg');
    expect(cleanText('سطر\r\nسطر\tثان\rثالث')).toBe('سطر\nسطر\tثان\nثالث');
  });

  it('turns no-break spaces into spaces, collapses space runs and trims', () => {
    expect(cleanText('\u00A0 نص\u00A0\u00A0مع\u202Fمسافات\u2007. \u00A0')).toBe('نص مع مسافات .');
    expect(cleanText('\u00A0')).toBe('');
  });

  it('keeps Arabic tashkeel and the curly quotes of the source', () => {
    expect(cleanText('مُحَمَّدٌ رَسُولُ اللَّهِ')).toBe('مُحَمَّدٌ رَسُولُ اللَّهِ');
    const title = 'تحركات علنية لـ “داعش” في البادية السورية رغم الغارات الروسية';
    expect(cleanText(title)).toBe(title);
  });

  it('reduces zalgo: at most 2 non-Arabic combining marks per base character', () => {
    const zalgo = 'Z\u0335\u0321\u0322\u031B\u0317\u0318a\u0300\u0301\u0302\u0303\u0304';
    expect(cleanText(zalgo)).toBe('Z\u0335\u0321a\u0300\u0301');
    // Vietnamese written with combining marks needs two on one letter and keeps them.
    expect(cleanText('Vie\u0323\u0302t')).toBe('Vie\u0323\u0302t');
  });

  it('caps stacks of repeated Arabic diacritics at 4 per letter, leaving normal tashkeel alone', () => {
    const stacked = 'ب' + '\u0651\u064E'.repeat(20);
    expect(cleanText(stacked)).toBe('ب\u0651\u064E\u0651\u064E');
    expect(cleanText('شَدَّة')).toBe('شَدَّة');
  });

  it('replaces lone surrogates (invalid UTF-8 for the Telegram API) and keeps real emoji', () => {
    expect(cleanText('a\uD800b 🔴')).toBe('a\uFFFDb 🔴');
  });
});
