/**
 * The Arabic words people type to the bot, read and never said (what the bot says is in the catalogue, src/i18n).
 * Matched after normalizeArabic (tashkeel, tatweel and alef forms folded) and without trailing punctuation.
 */

/** «آخر الأخبار» (normalised) works as /latest. */
export const LATEST_WORDS = 'اخر الاخبار';
/** «/subscribe ملخص»: an hourly digest. */
export const DIGEST_WORD = 'ملخص';
/** The answer that confirms a preview. */
export const YES = 'نعم';
/** «/fulltext تشغيل|إيقاف» (and «نعم», «لا»). */
export const ON_WORDS = ['on', 'تشغيل', 'نعم'];
export const OFF_WORDS = ['off', 'ايقاف', 'لا'];
/** What a reader writes for a story's full text: «المزيد», «كامل», «النص الكامل» (and «مزيد», «الكامل»). */
export const FULL_STORY_ASKS = ['المزيد', 'مزيد', 'كامل', 'الكامل', 'النص الكامل'];
