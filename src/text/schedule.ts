/**
 * Local wall-clock time for digests and quiet hours. Every time zone rule comes from Intl (the ICU data Node ships):
 * the only arithmetic here is reading the wall clock Intl prints and finding the instant that prints a given one.
 */
import { zoneFormatter } from './time-zone.js';

/** Minutes since local midnight, from 'HH:MM' (00:00–23:59); undefined when it is not one. */
export function parseClock(text: string): number | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export const formatClock = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** True when Intl knows the zone ('Asia/Damascus', 'UTC'). */
export function isTimeZone(timeZone: string): boolean {
  try {
    zoneFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  minutes: number;
}

function wallClock(at: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of zoneFormatter(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, minutes: parts.hour! * 60 + parts.minute! };
}

/** How far the zone's wall clock is ahead of UTC at this instant. */
function offsetAt(at: number, timeZone: string): number {
  const w = wallClock(at, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, 0, w.minutes) - (at - (at % 60_000));
}

/**
 * The instant the zone's clock shows this date and time (day may overflow: day + 1 is tomorrow). Twice the offset:
 * once at the naive guess, once at the result, which settles a guess that fell across a daylight-saving change.
 */
function instantOf(date: { year: number; month: number; day: number }, minutes: number, timeZone: string): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const first = naive - offsetAt(naive, timeZone);
  return naive - offsetAt(first, timeZone);
}

export type DigestSchedule = { kind: 'hourly' } | { kind: 'daily'; at: number };

/**
 * The end of the latest digest period at or before `now`: the last full local hour, or the last time the local
 * clock showed the daily time. A digest covers what was held for it up to this instant.
 */
export function lastPeriodEnd(schedule: DigestSchedule, timeZone: string, now: number): number {
  const w = wallClock(now, timeZone);
  if (schedule.kind === 'hourly') return instantOf(w, w.minutes - (w.minutes % 60), timeZone);
  const today = instantOf(w, schedule.at, timeZone);
  return today <= now ? today : instantOf({ ...w, day: w.day - 1 }, schedule.at, timeZone);
}

export interface QuietHours {
  start: number;
  end: number;
  timeZone: string;
}

/**
 * Whether `now` is inside the local window [start, end) (which may cross midnight: 23:00–07:00), and if so when
 * it ends.
 */
export function quietUntil(quiet: QuietHours, now: number): number | undefined {
  const w = wallClock(now, quiet.timeZone);
  const { start, end } = quiet;
  const inside = start < end ? w.minutes >= start && w.minutes < end : w.minutes >= start || w.minutes < end;
  if (!inside) return undefined;
  const endsTomorrow = start > end && w.minutes >= start;
  return instantOf({ ...w, day: w.day + (endsTomorrow ? 1 : 0) }, end, quiet.timeZone);
}

/** The end of the next digest period after `now`: when what is held for it now goes out. */
export function nextPeriodEnd(schedule: DigestSchedule, timeZone: string, now: number): number {
  return lastPeriodEnd(schedule, timeZone, now + (schedule.kind === 'hourly' ? 3600_000 : 86_400_000));
}

/** 'HH:MM' on the zone's clock at this instant. */
export const localClock = (at: number, timeZone: string): string => formatClock(wallClock(at, timeZone).minutes);

/** A scheduled send goes out at most this far ahead: a month is a newsroom's planning horizon, beyond it a typo. */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 86_400_000;

/** Arabic-Indic (٠–٩) and Persian (۰–۹) digits as ASCII: an editor's keyboard types either. */
const asciiDigits = (text: string): string =>
  text.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) & 0xf));

export type SendTime = { ok: true; at: number } | { ok: false; reason: 'malformed' | 'past' | 'too-far' };

/**
 * When an editor wants a broadcast to go, from their words: `18:00` (the next time the zone's clock shows it: today,
 * or tomorrow once it has passed) or a full local date and time (`2026-12-08 18:00`, `2026-12-08T18:00`); seconds
 * are not taken. A time in the past or more than MAX_SCHEDULE_AHEAD_MS ahead is refused with its reason.
 */
export function parseSendTime(text: string, timeZone: string, now: number): SendTime {
  const words = asciiDigits(text.normalize('NFKC')).trim();
  let at: number | undefined;
  const clock = parseClock(words);
  if (clock !== undefined && /^\d{1,2}:\d{2}$/.test(words)) {
    const w = wallClock(now, timeZone);
    const today = instantOf(w, clock, timeZone);
    at = today > now ? today : instantOf({ ...w, day: w.day + 1 }, clock, timeZone);
  } else {
    const m = /^(\d{4})-(\d{2})-(\d{2})[T ]+(\d{1,2}:\d{2})$/.exec(words);
    const minutes = m ? parseClock(m[4]!) : undefined;
    if (!m || minutes === undefined) return { ok: false, reason: 'malformed' };
    const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
    // A date that does not exist (02-30) would roll over silently in Date.UTC: refused instead.
    const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
    if (
      check.getUTCFullYear() !== date.year ||
      check.getUTCMonth() !== date.month - 1 ||
      check.getUTCDate() !== date.day
    )
      return { ok: false, reason: 'malformed' };
    at = instantOf(date, minutes, timeZone);
  }
  if (at <= now) return { ok: false, reason: 'past' };
  if (at - now > MAX_SCHEDULE_AHEAD_MS) return { ok: false, reason: 'too-far' };
  return { ok: true, at };
}

/** 'YYYY-MM-DD HH:MM' on the zone's clock: how a scheduled time is shown, and typed back. */
export function localDateTime(at: number, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')} ${formatClock(w.minutes)}`;
}
