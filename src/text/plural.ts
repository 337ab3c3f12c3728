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

export const SUBSCRIBER: ArabicNoun = {
  zero: 'لا أحد',
  one: 'مشترك واحد',
  two: 'مشتركَين',
  few: '{n} مشتركين',
  many: '{n} مشتركًا',
  other: '{n} مشترك',
};
export const ITEM: ArabicNoun = {
  zero: 'لا مواد',
  one: 'مادة واحدة',
  two: 'مادتان',
  few: '{n} مواد',
  many: '{n} مادة',
  other: '{n} مادة',
};
export const MESSAGE: ArabicNoun = {
  zero: 'لا رسائل',
  one: 'رسالة واحدة',
  two: 'رسالتان',
  few: '{n} رسائل',
  many: '{n} رسالة',
  other: '{n} رسالة',
};
export const SUBSCRIPTION: ArabicNoun = {
  zero: 'لا اشتراكات',
  one: 'اشتراك واحد',
  two: 'اشتراكان',
  few: '{n} اشتراكات',
  many: '{n} اشتراكًا',
  other: '{n} اشتراك',
};
/** The same after a preposition («إلى»، «عند»): the dual is genitive, «إلى اشتراكَين» (never «إلى اشتراكان»). */
export const SUBSCRIPTION_AFTER_PREPOSITION: ArabicNoun = { ...SUBSCRIPTION, two: 'اشتراكَين' };
/** A sent post (masculine): «حُذف: 22 منشورًا». */
export const POST: ArabicNoun = {
  zero: 'لا منشورات',
  one: 'منشور واحد',
  two: 'منشوران',
  few: '{n} منشورات',
  many: '{n} منشورًا',
  other: '{n} منشور',
};
/** A delivery not sent yet (رسالة is feminine): «وأُلغيت رسالتان منتظرتان». */
export const WAITING_MESSAGE: ArabicNoun = {
  zero: 'لا رسائل منتظرة',
  one: 'رسالة منتظرة واحدة',
  two: 'رسالتان منتظرتان',
  few: '{n} رسائل منتظرة',
  many: '{n} رسالة منتظرة',
  other: '{n} رسالة منتظرة',
};
/** The same, with the clause that agrees with it (a dual takes «تُرسلا»; a non-human plural, the feminine singular). */
export const UNSENT_MESSAGE: ArabicNoun = {
  zero: 'لا رسائل منتظرة',
  one: 'رسالة منتظرة واحدة لم تُرسل بعد',
  two: 'رسالتان منتظرتان لم تُرسلا بعد',
  few: '{n} رسائل منتظرة لم تُرسل بعد',
  many: '{n} رسالة منتظرة لم تُرسل بعد',
  other: '{n} رسالة منتظرة لم تُرسل بعد',
};
/** A full story read in the chat (قراءة is feminine): «قُرئ كاملًا: 3 قراءات». */
export const FULL_READ: ArabicNoun = {
  zero: 'لا قراءات',
  one: 'قراءة واحدة',
  two: 'قراءتان',
  few: '{n} قراءات',
  many: '{n} قراءة',
  other: '{n} قراءة',
};
/** Attempts, after «بعد» (genitive: «محاولتين»). */
export const ATTEMPTS: ArabicNoun = {
  zero: 'لا محاولات',
  one: 'محاولة واحدة',
  two: 'محاولتين',
  few: '{n} محاولات',
  many: '{n} محاولة',
  other: '{n} محاولة',
};
/** An outbox job (مهمة is feminine): «وتطابقت 3 مهام». */
export const JOB: ArabicNoun = {
  zero: 'لا مهام',
  one: 'مهمة واحدة',
  two: 'مهمتان',
  few: '{n} مهام',
  many: '{n} مهمة',
  other: '{n} مهمة',
};
/** A followed source (masculine): «كُتب 11 مصدرًا». */
export const SOURCE: ArabicNoun = {
  zero: 'لا مصادر',
  one: 'مصدر واحد',
  two: 'مصدران',
  few: '{n} مصادر',
  many: '{n} مصدرًا',
  other: '{n} مصدر',
};
/** A sample article of the demo (خبر نموذجي, masculine): «أُدرج للطرفية 4 أخبار نموذجية». */
export const SAMPLE_ARTICLE: ArabicNoun = {
  zero: 'لا أخبار نموذجية',
  one: 'خبر نموذجي واحد',
  two: 'خبران نموذجيان',
  few: '{n} أخبار نموذجية',
  many: '{n} خبرًا نموذجيًا',
  other: '{n} خبر نموذجي',
};
/** An outlet, a newsroom (مؤسسة is feminine): «في هذا التثبيت مؤسستان». */
export const OUTLET: ArabicNoun = {
  zero: 'لا مؤسسات',
  one: 'مؤسسة واحدة',
  two: 'مؤسستان',
  few: '{n} مؤسسات',
  many: '{n} مؤسسة',
  other: '{n} مؤسسة',
};
/** A character of text, after a preposition or as an object («أطول من 300 حرف»، «لا يتجاوز حرفين»). */
export const CHARACTER: ArabicNoun = {
  zero: 'لا أحرف',
  one: 'حرف واحد',
  two: 'حرفين',
  few: '{n} أحرف',
  many: '{n} حرفًا',
  other: '{n} حرف',
};
/** A sentence of a summary (جملة is feminine), after a preposition: «أكثر من 10 جمل». */
export const SENTENCE: ArabicNoun = {
  zero: 'لا جمل',
  one: 'جملة واحدة',
  two: 'جملتين',
  few: '{n} جمل',
  many: '{n} جملة',
  other: '{n} جملة',
};
/** A hashtag (وسم, masculine), after a preposition: «أكثر من 10 أوسمة». */
export const HASHTAG: ArabicNoun = {
  zero: 'لا أوسمة',
  one: 'وسم واحد',
  two: 'وسمين',
  few: '{n} أوسمة',
  many: '{n} وسمًا',
  other: '{n} وسم',
};
