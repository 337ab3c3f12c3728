import type { CorrectionTally } from '../model/correction.js';
import { countArabic, POST, type ArabicNoun } from '../text/plural.js';
import type { PostCounts } from './corrections.js';
import type { ChatRules } from './deps.js';

/**
 * The Arabic words every front door uses for corrections and retractions: platforms by their Arabic labels (from
 * each platform's descriptor, so this file names none), counts that agree with «منشور», and the reasons a post could
 * not be touched in Arabic.
 */

/** A platform as editors call it: its descriptor's label, or its name when it has none. */
export function platformLabel(platforms: readonly ChatRules[], name: string, lang: 'ar' | 'en' = 'ar'): string {
  return platforms.find((p) => p.name === name)?.label?.[lang] ?? name;
}

/** A platform's own refusal in Arabic, from its descriptor, when it knows it. */
export type Refusal = (platform: string, reason: string) => string | undefined;

export function platformRefusal(platforms: readonly ChatRules[]): Refusal {
  return (name, reason) => platforms.find((p) => p.name === name)?.arabicReason?.(reason);
}

/** «22 منشورًا على تيليغرام ومنشور واحد على الطرفية»: the posts sent, per platform; '' when none was sent. */
export function arabicPosts(posts: readonly PostCounts[], label: (platform: string) => string): string {
  return posts.filter((p) => p.sent > 0).map((p) => `${countArabic(p.sent, POST)} على ${label(p.platform)}`).join(' و');
}

/** The delivery states a post that was never sent can be in, as «لم يُرسل المنشور (…)» says them. */
const UNSENT_STATES: Record<string, string> = {
  queued: 'ما زال ينتظر', failed: 'فشل إرساله', skipped: 'أُلغي', cancelled: 'أُلغي', sending: 'ما زال يُرسل',
};

/**
 * Why a post could not be touched, in Arabic. The reasons the delivery worker writes (src/delivery/worker.ts,
 * startCorrections and beginCorrection; the store's recoverInterrupted) are said in Arabic; a platform's
 * own refusal in its descriptor's Arabic when it knows it, otherwise quoted in its API's words after «ردّ <platform>:».
 */
export function arabicReason(reason: string, platform: string, label: (platform: string) => string, refusal?: Refusal): string {
  const on = label(platform);
  if (/^\S+ cannot edit or delete its posts$/.test(reason)) return `لا تتيح ${on} تعديل منشوراتها ولا حذفها`;
  if (/^(the )?article no longer exists$/.test(reason)) return 'لم يعد الخبر موجودًا';
  if (reason === 'the article was retracted') return 'سُحب الخبر';
  if (/^the post is in doubt/.test(reason)) return 'المنشور غير مؤكَّد (توقّف البرنامج أثناء إرساله): رقم رسالته مجهول';
  if (/^interrupted while sending/.test(reason)) return 'انقطع أثناء الإرسال (توقّف البرنامج قبل أن تجيب المنصة)';
  const unsent = /^the post was not sent \((\w+)\)$/.exec(reason);
  if (unsent) return `لم يُرسل المنشور${UNSENT_STATES[unsent[1]!] ? ` (${UNSENT_STATES[unsent[1]!]})` : ''}`;
  const gaveUp = /^gave up after (\d+) attempts: (.*)$/s.exec(reason);
  if (gaveUp) return `توقّف بعد ${countArabic(Number(gaveUp[1]), ATTEMPTS)}؛ ${refusal?.(platform, gaveUp[2]!) ?? `ردّ ${on}: ${gaveUp[2]}`}`;
  return refusal?.(platform, reason) ?? `ردّ ${on}: ${reason}`;
}

/** After «بعد» (genitive: «محاولتين»). */
const ATTEMPTS: ArabicNoun = { zero: 'لا محاولات', one: 'محاولة واحدة', two: 'محاولتين', few: '{n} محاولات', many: '{n} محاولة', other: '{n} محاولة' };

/** What became of the posts, by outcome: «حُذف: 3 منشورات». */
const OUTCOMES: Record<string, string> = {
  edited: 'عُدّل', unchanged: 'كان مصحّحًا', replied: 'رُدّ عليه بالتصحيح', deleted: 'حُذف', notice: 'استُبدل بإشعار السحب',
  failed: 'تعذّر لمسه', waiting: 'ينتظر', inDoubt: 'غير مؤكّد',
};

/** One part of a report: the outcome, then the count that agrees with «منشور» («تعذّر لمسه: منشوران»). */
export function arabicTallyPart(outcome: string, n: number): string {
  return `${OUTCOMES[outcome] ?? outcome}: ${countArabic(n, POST)}`;
}

/** The parts of one platform's report, in Arabic: done by outcome, then could not be touched, in doubt, waiting. */
export function arabicTallyParts(t: CorrectionTally): string[] {
  return [
    ...Object.entries(t.done).map(([outcome, n]) => arabicTallyPart(outcome, n)),
    ...(t.failed ? [arabicTallyPart('failed', t.failed)] : []), ...(t.inDoubt ? [arabicTallyPart('inDoubt', t.inDoubt)] : []),
    ...(t.queued ? [arabicTallyPart('waiting', t.queued)] : []),
  ];
}

/** The reasons of one platform's report, in Arabic: «لا تتيح الطرفية تعديل منشوراتها ولا حذفها (1)». */
export function arabicReasons(t: CorrectionTally, label: (platform: string) => string, refusal?: Refusal): string {
  return t.reasons.map((r) => `${arabicReason(r.reason, t.platform, label, refusal)} (${r.count})`).join('؛ ');
}
