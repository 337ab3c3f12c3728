import { describe, expect, it } from 'vitest';
import { catalogue } from '../../src/i18n/index.js';
import {
  countArabic,
  ITEM,
  POST,
  SUBSCRIBER,
  SUBSCRIPTION,
  SUBSCRIPTION_AFTER_PREPOSITION,
  UNSENT_MESSAGE,
  WAITING_MESSAGE,
} from '../../src/text/plural.js';

describe('Arabic counted nouns', () => {
  it('agree with the number in every plural category', () => {
    expect([0, 1, 2, 3, 10, 11, 17, 99, 100, 101, 103, 111].map((n) => countArabic(n, SUBSCRIBER))).toEqual([
      'لا أحد',
      'مشترك واحد',
      'مشتركَين',
      '3 مشتركين',
      '10 مشتركين',
      '11 مشتركًا',
      '17 مشتركًا',
      '99 مشتركًا',
      '100 مشترك',
      '101 مشترك',
      '103 مشتركين',
      '111 مشتركًا',
    ]);
    expect([1, 2, 5, 5000].map((n) => countArabic(n, ITEM))).toEqual(['مادة واحدة', 'مادتان', '5 مواد', '5000 مادة']);
  });

  it('put the dual in the genitive after a preposition: «إلى اشتراكَين», never «إلى اشتراكان»', () => {
    expect(countArabic(2, SUBSCRIPTION)).toBe('اشتراكان');
    expect([1, 2, 3, 11, 100].map((n) => countArabic(n, SUBSCRIPTION_AFTER_PREPOSITION))).toEqual([
      'اشتراك واحد',
      'اشتراكَين',
      '3 اشتراكات',
      '11 اشتراكًا',
      '100 اشتراك',
    ]);
    const preview = catalogue('ar').replies.commands.preview('الخبر', 2, 2, 2);
    expect(preview).toContain('للإرسال إلى اشتراكَين (ووصل من قبل إلى اشتراكَين) (وفشل من قبل عند اشتراكَين)');
    expect(preview).not.toContain('اشتراكان');
  });

  it("«منشور» (masculine) and «رسالة» (feminine) in each category Intl.PluralRules('ar') gives: 1, 2, 3-10, 11-99, 100", () => {
    const counts = [1, 2, 3, 10, 11, 99, 100];
    expect(counts.map((n) => new Intl.PluralRules('ar').select(n))).toEqual([
      'one',
      'two',
      'few',
      'few',
      'many',
      'many',
      'other',
    ]);
    expect(counts.map((n) => countArabic(n, POST))).toEqual([
      'منشور واحد',
      'منشوران',
      '3 منشورات',
      '10 منشورات',
      '11 منشورًا',
      '99 منشورًا',
      '100 منشور',
    ]);
    expect(counts.map((n) => countArabic(n, WAITING_MESSAGE))).toEqual([
      'رسالة منتظرة واحدة',
      'رسالتان منتظرتان',
      '3 رسائل منتظرة',
      '10 رسائل منتظرة',
      '11 رسالة منتظرة',
      '99 رسالة منتظرة',
      '100 رسالة منتظرة',
    ]);
    expect(counts.map((n) => countArabic(n, UNSENT_MESSAGE))).toEqual([
      'رسالة منتظرة واحدة لم تُرسل بعد',
      'رسالتان منتظرتان لم تُرسلا بعد',
      '3 رسائل منتظرة لم تُرسل بعد',
      '10 رسائل منتظرة لم تُرسل بعد',
      '11 رسالة منتظرة لم تُرسل بعد',
      '99 رسالة منتظرة لم تُرسل بعد',
      '100 رسالة منتظرة لم تُرسل بعد',
    ]);
  });
});
