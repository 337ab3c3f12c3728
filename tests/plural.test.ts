import { describe, expect, it } from 'vitest';
import { countArabic, ITEM, SUBSCRIBER } from '../src/text/plural.js';

describe('Arabic counted nouns', () => {
  it('agree with the number in every plural category', () => {
    expect([0, 1, 2, 3, 10, 11, 17, 99, 100, 101, 103, 111].map((n) => countArabic(n, SUBSCRIBER))).toEqual([
      'لا أحد', 'مشترك واحد', 'مشتركَين', '3 مشتركين', '10 مشتركين', '11 مشتركًا', '17 مشتركًا', '99 مشتركًا',
      '100 مشترك', '101 مشترك', '103 مشتركين', '111 مشتركًا',
    ]);
    expect([1, 2, 5, 5000].map((n) => countArabic(n, ITEM))).toEqual(['مادة واحدة', 'مادتان', '5 مواد', '5000 مادة']);
  });
});
