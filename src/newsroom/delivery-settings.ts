import { catalogue } from '../i18n/index.js';
import type { DeliveryWordsProblem } from '../i18n/values.js';
import { formatClock, isTimeZone, parseClock } from '../text/schedule.js';
import { DEFAULT_DELIVERY, type DeliverySettings, type Subscription } from '../model/subscription.js';
import type { Repositories } from '../ports/index.js';
import { RefusedError } from '../refusal.js';
import { recordAudit, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';
import { mayManage, subscriptionOf, type ChatAuthority, type ChatRef } from './subscriptions.js';

/** What a front door asks to change; anything left out stays as it is. */
export interface DeliveryPatch {
  digest?: { mode: 'immediate' } | { mode: 'hourly' } | { mode: 'daily'; at: number };
  urgentNow?: boolean;
  timeZone?: string;
  /** null: no quiet hours. */
  quiet?: { start: number; end: number } | null;
  quietMode?: 'silent' | 'wait';
  quietUrgent?: boolean;
}

export type DeliveryResult =
  | { kind: 'updated'; subscription: Subscription; settings: DeliverySettings; changes: string[]; released: number }
  | { kind: 'already'; subscription: Subscription; settings: DeliverySettings }
  | { kind: 'not-subscribed' };

/** A subscription's delivery settings, with the configured zone for one that never chose. */
export function deliveryOf(
  deps: Pick<NewsroomDeps, 'data' | 'config'>,
  subscriptionId: number,
): Promise<DeliverySettings> {
  return settingsOf(deps.data.repos, deps.config.timeZone, subscriptionId);
}

async function settingsOf(
  repos: Pick<Repositories, 'subscriptions'>,
  timeZone: string,
  subscriptionId: number,
): Promise<DeliverySettings> {
  return (await repos.subscriptions.delivery(subscriptionId)) ?? { ...DEFAULT_DELIVERY, timeZone };
}

/**
 * How and when an active subscription receives: immediately or in a digest (hourly, daily at a local time, urgent
 * alerts at once or not), and its quiet hours. Back to immediate, what it held for a digest not yet closed is sent
 * as usual (never dropped, never twice: the same delivery rows).
 */
export async function setDelivery(
  deps: NewsroomDeps,
  actor: Actor,
  target: ChatRef | { subscriptionId: number },
  patch: DeliveryPatch,
  authority: ChatAuthority = {},
): Promise<DeliveryResult> {
  await mayManage(deps, actor, 'delivery', authority);
  if (patch.timeZone !== undefined && !isTimeZone(patch.timeZone))
    throw new RefusedError({ kind: 'time-zone', zone: patch.timeZone });
  if (patch.quiet && patch.quiet.start === patch.quiet.end) throw new RefusedError({ kind: 'quiet-same-times' });
  const result = await deps.data.uow.run(async (tx): Promise<DeliveryResult> => {
    const now = Date.now();
    const sub = await subscriptionOf(tx, target);
    if (!sub?.active) return { kind: 'not-subscribed' };
    const before = await settingsOf(tx, deps.config.timeZone, sub.id);
    const after: DeliverySettings = {
      ...before,
      ...(patch.digest
        ? { mode: patch.digest.mode, digestAt: patch.digest.mode === 'daily' ? patch.digest.at : undefined }
        : {}),
      ...(patch.urgentNow !== undefined ? { urgentNow: patch.urgentNow } : {}),
      ...(patch.timeZone !== undefined ? { timeZone: patch.timeZone } : {}),
      ...(patch.quiet !== undefined ? { quiet: patch.quiet ?? undefined } : {}),
      ...(patch.quietMode !== undefined ? { quietMode: patch.quietMode } : {}),
      ...(patch.quietUrgent !== undefined ? { quietUrgent: patch.quietUrgent } : {}),
    };
    const changes = changedSettings(before, after);
    if (changes.length === 0) return { kind: 'already', subscription: sub, settings: after };
    await tx.subscriptions.setDelivery(sub.id, after, now);
    const released =
      before.mode !== 'immediate' && after.mode === 'immediate' ? await tx.subscriptions.releaseHeld(sub.id) : 0;
    await recordAudit(
      tx,
      actor,
      'subscription.update',
      {
        subscription: sub.id,
        platform: sub.platform,
        chat: sub.chatId,
        changes,
        delivery: describeDelivery(after, ENGLISH),
        released,
      },
      now,
    );
    return { kind: 'updated', subscription: sub, settings: after, changes, released };
  });
  if (result.kind === 'updated' && result.released > 0) deps.onQueued();
  return result;
}

function changedSettings(a: DeliverySettings, b: DeliverySettings): string[] {
  const changes: string[] = [];
  if (a.mode !== b.mode || a.digestAt !== b.digestAt) changes.push('digest');
  if (a.urgentNow !== b.urgentNow) changes.push('urgent');
  if (a.timeZone !== b.timeZone) changes.push('time zone');
  if (a.quiet?.start !== b.quiet?.start || a.quiet?.end !== b.quiet?.end) changes.push('quiet hours');
  if (a.quietMode !== b.quietMode) changes.push('quiet mode');
  if (a.quietUrgent !== b.quietUrgent) changes.push('quiet urgent');
  return changes;
}

// -- the words people type, in Arabic or English, for every front door ------------------------------------------

/** What was wrong with the words typed, for each front door to say in its own language (the catalogue's type). */
export type { DeliveryWordsProblem };

/** Words that cannot be read, refused by meaning: `problem` is what a chat's reply says (the catalogue's delivery.problem). */
export class DeliveryWordsError extends RefusedError {
  constructor(readonly problem: DeliveryWordsProblem) {
    super({ kind: 'delivery-words', problem });
  }
}

/** «٠٨:٣٠» and «08:30» alike. */
const westernDigits = (s: string) =>
  s.replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x660)).replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x6f0));
const simple = (s: string) => westernDigits(s).trim().toLowerCase().replace(/[أإآ]/g, 'ا').replace(/\s+/g, ' ');

function clock(text: string, setting: 'digest' | 'quiet'): number {
  const minutes = parseClock(westernDigits(text));
  if (minutes === undefined) throw new DeliveryWordsError({ kind: 'time', text, setting });
  return minutes;
}

const OFF = new Set(['off', 'none', 'immediate', 'now', 'فوري', 'فورا', 'فورًا', 'ايقاف', 'الغاء', 'لا']);
const HOURLY = new Set(['hourly', 'ساعة', 'كل ساعة', 'ساعي', 'كل_ساعة']);

/**
 * A digest setting as typed: `hourly` / «كل ساعة», `daily@08:00` / `daily 08:00` / «يومي 08:00» / a bare `08:00`,
 * `off` / «فوري» for immediate.
 */
export function parseDigest(text: string): NonNullable<DeliveryPatch['digest']> {
  const t = simple(text);
  if (OFF.has(t)) return { mode: 'immediate' };
  if (HOURLY.has(t)) return { mode: 'hourly' };
  const m = /^(?:(?:daily|يومي|يوميا|يوميًا|كل يوم)\s*[@ ]?\s*)?(?:الساعة\s*)?(\d{1,2}:\d{2})$/.exec(t);
  if (m) return { mode: 'daily', at: clock(m[1]!, 'digest') };
  throw new DeliveryWordsError({ kind: 'digest', text });
}

/** Quiet hours as typed: `00:00-07:00` (also «–», «إلى»), or `off` / «إيقاف» for none. */
export function parseQuiet(text: string): { start: number; end: number } | null {
  const t = simple(text);
  if (OFF.has(t)) return null;
  const m = /^(\d{1,2}:\d{2})\s*(?:-|–|—|الى|to)\s*(\d{1,2}:\d{2})$/.exec(t);
  if (!m) throw new DeliveryWordsError({ kind: 'window', text });
  const window = { start: clock(m[1]!, 'quiet'), end: clock(m[2]!, 'quiet') };
  if (window.start === window.end) throw new DeliveryWordsError({ kind: 'same-times' });
  return window;
}

/** silent / «صامت» (sent without a notification), wait / «انتظار» (held until the window ends). */
export function parseQuietMode(text: string): 'silent' | 'wait' {
  const t = simple(text);
  if (['silent', 'صامت', 'بصمت', 'صامتة'].includes(t)) return 'silent';
  if (['wait', 'انتظار', 'تاجيل', 'مؤجل', 'بعد'].includes(t)) return 'wait';
  throw new DeliveryWordsError({ kind: 'mode', text });
}

const URGENT_WORDS = new Set(['عاجل', 'العاجل', 'urgent']);
const QUIET_MODE_WORDS = new Set(['صامت', 'بصمت', 'silent', 'انتظار', 'تاجيل', 'wait']);

/**
 * A chat command's words: «/digest [فوري | كل ساعة | [يومي] 08:00] [عاجل]» and
 * «/quiet <00:00-07:00 | إيقاف> [صامت | انتظار] [عاجل]»; «عاجل» lets urgent alerts through (at once in a digest, or
 * through the quiet hours). A UserError when the words say nothing understandable.
 */
export function deliveryPatchFromWords(command: 'digest' | 'quiet', words: readonly string[]): DeliveryPatch {
  const urgent = words.some((w) => URGENT_WORDS.has(simple(w)));
  const rest = words.filter((w) => !URGENT_WORDS.has(simple(w)));
  if (command === 'digest') {
    if (rest.length === 0) throw new DeliveryWordsError({ kind: 'no-digest' });
    return { digest: parseDigest(rest.join(' ')), ...(urgent ? { urgentNow: true } : {}) };
  }
  const mode = rest.find((w) => QUIET_MODE_WORDS.has(simple(w)));
  const window = rest.filter((w) => w !== mode).join(' ');
  if (!window) throw new DeliveryWordsError({ kind: 'no-window' });
  return { quiet: parseQuiet(window), ...(mode ? { quietMode: parseQuietMode(mode) } : {}), quietUrgent: urgent };
}

/** How each front door says a delivery setting; describeDelivery puts them together. */
export interface DeliveryWords {
  immediate: string;
  hourly: string;
  daily: (at: string) => string;
  /** Follows the digest words, with its own leading comma. */
  urgentNow: string;
  noQuiet: string;
  quiet: (from: string, to: string) => string;
  silent: string;
  wait: string;
  quietUrgent: string;
  separator: string;
  /** What was wrong with the words typed, in one sentence (the examples follow it). */
  problem: (p: DeliveryWordsProblem) => string;
}

/** The words are the catalogue's (src/i18n, «delivery»). */
export const ENGLISH: DeliveryWords = catalogue('en').delivery;
export const ARABIC: DeliveryWords = catalogue('ar').delivery;

/** "daily digest at 08:00 (Asia/Damascus), urgent alerts at once; quiet 00:00-07:00, held until it ends". */
export function describeDelivery(s: DeliverySettings, w: DeliveryWords): string {
  const zone = s.mode === 'daily' || s.quiet ? ` (${s.timeZone})` : '';
  const digest =
    s.mode === 'immediate'
      ? w.immediate
      : `${s.mode === 'hourly' ? w.hourly : w.daily(formatClock(s.digestAt ?? 0))}${s.urgentNow ? w.urgentNow : ''}`;
  const quiet = s.quiet
    ? `${w.quiet(formatClock(s.quiet.start), formatClock(s.quiet.end))}: ${s.quietMode === 'wait' ? w.wait : w.silent}${s.quietUrgent ? ` (${w.quietUrgent})` : ''}`
    : w.noQuiet;
  return `${digest}${w.separator}${quiet}${zone}`;
}
