import { describe, expect, it } from 'vitest';
import { normalizeArabic } from '../../src/text/arabic.js';
import { indexTerms, queryStems, stem, stemVariants } from '../../src/text/stem.js';

const variants = (w: string) => stemVariants(normalizeArabic(w));
const shares = (a: string, b: string) => variants(a).some((v) => variants(b).includes(v));

describe('light stemmer', () => {
  it('gives inflected forms of a word one stem', () => {
    for (const form of ['الحوثيين', 'للحوثيين', 'الحوثي', 'حوثيين', 'والحوثيون'])
      expect(shares('الحوثيون', form), form).toBe(true);
    expect(stem(normalizeArabic('الاقتصاديات'))).toBe('اقتصاد');
    expect(shares('الحكومة', 'حكومات')).toBe(true);
    expect(shares('سورية', 'السوري')).toBe(true);
  });

  it('keeps both readings of a letter that may be a proclitic or part of the word', () => {
    expect(shares('بيروت', 'ببيروت')).toBe(true);
    expect(shares('وزير', 'الوزير')).toBe(true);
    expect(shares('فلسطين', 'الفلسطينيين')).toBe(true);
    expect(shares('لبنان', 'اللبناني')).toBe(true);
  });

  it('leaves short words, other scripts and numbers alone', () => {
    expect(variants('بلد')).toEqual(['بلد']);
    expect(variants('مهم')).toEqual(['مهم']);
    expect(stemVariants('damascus')).toEqual(['damascus']);
    expect(stemVariants('2024')).toEqual(['2024']);
    expect(shares('الحوثيون', 'الحكومة')).toBe(false);
  });

  it('indexes and queries without stopwords', () => {
    expect(queryStems('في الحوثيون')).toEqual([['حوث']]);
    expect(indexTerms('قال الحوثيين إن الحوثيين')).toBe('حوث حوث');
  });
});
