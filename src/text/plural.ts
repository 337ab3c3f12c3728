/**
 * Arabic counted nouns agree with the number: 1 مشترك واحد, 2 مشتركَين, 3–10 مشتركين, 11–99 مشتركًا, 100 مشترك.
 * Intl.PluralRules('ar') gives the category (zero, one, two, few, many, other); each noun gives its six forms,
 * with {n} where the number goes (the singular and dual carry no number, as Arabic writes them).
 */
export type ArabicNoun = Record<Intl.LDMLPluralRule, string>;

const rules = new Intl.PluralRules('ar');

export function countArabic(n: number, noun: ArabicNoun): string {
  return noun[rules.select(n)].replace('{n}', String(n));
}

export const SUBSCRIBER: ArabicNoun = { zero: 'لا أحد', one: 'مشترك واحد', two: 'مشتركَين', few: '{n} مشتركين', many: '{n} مشتركًا', other: '{n} مشترك' };
export const ITEM: ArabicNoun = { zero: 'لا مواد', one: 'مادة واحدة', two: 'مادتان', few: '{n} مواد', many: '{n} مادة', other: '{n} مادة' };
export const MESSAGE: ArabicNoun = { zero: 'لا رسائل', one: 'رسالة واحدة', two: 'رسالتان', few: '{n} رسائل', many: '{n} رسالة', other: '{n} رسالة' };
export const SUBSCRIPTION: ArabicNoun = { zero: 'لا اشتراكات', one: 'اشتراك واحد', two: 'اشتراكان', few: '{n} اشتراكات', many: '{n} اشتراكًا', other: '{n} اشتراك' };
