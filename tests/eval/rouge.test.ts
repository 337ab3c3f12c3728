import { describe, expect, it } from 'vitest';
import { lcsLength, normalizeForRouge, rouge, rougeMulti, rougeTokens } from '../../eval/rouge.js';

describe('ROUGE tokenisation (corpus protocol)', () => {
  it('normalises alef variants, ى, ة and removes tashkeel and tatweel — nothing more', () => {
    expect(normalizeForRouge('الأعظمُ إلى المدرسة الكتـــاب ABC ٢')).toBe('الاعظم الي المدرسه الكتاب ABC ٢');
  });

  it('splits on white space and Unicode punctuation, Arabic marks included', () => {
    expect(rougeTokens('قال، «نعم» هل انتهى؟ نعم؛ (انتهى).')).toEqual(['قال', 'نعم', 'هل', 'انتهي', 'نعم', 'انتهي']);
  });
});

describe('rouge', () => {
  it('scores identical text 1 after normalisation', () => {
    expect(rouge('له الفضل الأعظم.', 'له الفضل الاعظم')).toEqual({ rouge1: 1, rouge2: 1, rougeL: 1 });
  });

  it('matches a hand-computed case', () => {
    // system: a b c d (4 tokens); reference: a b x c (4 tokens)
    // R1: overlap 3 → P = R = 3/4 → F = 0.75
    // R2: system bigrams ab bc cd, reference ab bx xc → overlap 1 → P = R = 1/3
    // RL: LCS(a b c d, a b x c) = a b c = 3 → F = 0.75
    const s = rouge('سمك بحر نهر جبل', 'سمك بحر وادي نهر');
    expect(s.rouge1).toBeCloseTo(0.75, 10);
    expect(s.rouge2).toBeCloseTo(1 / 3, 10);
    expect(s.rougeL).toBeCloseTo(0.75, 10);
  });

  it('uses F1 when lengths differ', () => {
    // system 2 tokens, reference 4, overlap 2 → P = 1, R = 0.5 → F = 2/3
    expect(rouge('سمك بحر', 'سمك بحر نهر جبل').rouge1).toBeCloseTo(2 / 3, 10);
  });

  it('clips repeated n-grams to the reference count', () => {
    // system «سمك سمك سمك», reference «سمك بحر»: overlap 1, P = 1/3, R = 1/2 → F = 0.4
    expect(rouge('سمك سمك سمك', 'سمك بحر').rouge1).toBeCloseTo(0.4, 10);
  });

  it('scores nothing for disjoint or empty text', () => {
    expect(rouge('سمك', 'بحر')).toEqual({ rouge1: 0, rouge2: 0, rougeL: 0 });
    expect(rouge('', 'بحر')).toEqual({ rouge1: 0, rouge2: 0, rougeL: 0 });
  });

  it('averages over references', () => {
    const s = rougeMulti('سمك بحر', ['سمك بحر', 'نهر جبل']);
    expect(s.rouge1).toBeCloseTo(0.5, 10);
    expect(s.rouge2).toBeCloseTo(0.5, 10);
  });

  it('computes the longest common subsequence', () => {
    expect(lcsLength(['a', 'b', 'c', 'd', 'e'], ['a', 'c', 'e', 'x'])).toBe(3);
    expect(lcsLength([], ['a'])).toBe(0);
  });
});
