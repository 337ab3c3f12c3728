/** The interner numbers words by their code units; the hash only chooses where to look. */
import { describe, expect, it } from 'vitest';
import { UnitInterner } from '../../src/text/interner.js';

const units = (text: string) => Uint16Array.from(text, (ch) => ch.charCodeAt(0));

describe('UnitInterner', () => {
  it('gives one number per word, even when every word has the same hash, and reads a word inside a longer text', () => {
    const interner = new UnitInterner(100);
    const sameHash = 42;
    const words = ['الحكومة', 'الوزارة', 'الحكومه', 'ال', 'الحكومة'];
    const numbers = words.map((w) => interner.numberOf(units(w), 0, w.length, sameHash));
    expect(numbers).toEqual([0, 1, 2, 3, 0]);
    expect(interner.size).toBe(4);
    // «الوزارة» as the middle of a text, found by offset and length.
    const text = units('قالت الوزارة اليوم');
    expect(interner.numberOf(text, 5, 7, sameHash)).toBe(1);
  });

  it('is full at its capacity, and numbers from 0 again once cleared', () => {
    const interner = new UnitInterner(3);
    for (const w of ['a', 'b', 'c']) interner.numberOf(units(w), 0, 1, w.charCodeAt(0));
    expect(interner.full).toBe(true);
    interner.clear();
    expect(interner.full).toBe(false);
    expect(interner.numberOf(units('c'), 0, 1, 99)).toBe(0);
  });

  it('keeps numbering past its capacity until cleared (an article of more new words than the table holds)', () => {
    // A slot holds the word's entry's offset in the pool in as many bits as the pool needs and a hash tag in the
    // rest: as the pool grows the offsets widen, every word found again by its number.
    const interner = new UnitInterner(3);
    const words = Array.from({ length: 1_000 }, (_, k) => `كلمة${k}`);
    for (const [k, w] of words.entries()) expect(interner.numberOf(units(w), 0, w.length, k % 7)).toBe(k);
    for (const [k, w] of words.entries()) expect(interner.numberOf(units(w), 0, w.length, k % 7)).toBe(k);
    expect(interner.full).toBe(true);
  });

  it('keeps long words and many of them (the pool and the slots grow, the offsets widen), hashes shared or not', () => {
    const interner = new UnitInterner(50_000);
    const long = 'ب'.repeat(100_000);
    expect(interner.numberOf(units(long), 0, long.length, 7)).toBe(0);
    // 5,000 words on 125 hashes (40 words a hash, long probe runs): the slots grow from 4,096 to 16,384 with every
    // word moved, colliding ones too, and the offsets widen past the long word's 100,000 units. The runs make it
    // quadratic: 40,000 words on 1,000 hashes took 27 s at load 8 for the same growths.
    const hashOf = (k: number) => k % 125;
    for (let k = 1; k <= 5_000; k++) expect(interner.numberOf(units(`w${k}`), 0, `w${k}`.length, hashOf(k))).toBe(k);
    expect(interner.numberOf(units(long), 0, long.length, 7)).toBe(0);
    for (let k = 1; k <= 5_000; k++) expect(interner.numberOf(units(`w${k}`), 0, `w${k}`.length, hashOf(k))).toBe(k);
    expect(interner.size).toBe(5_001);
  });
});
