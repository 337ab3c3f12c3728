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

interface WallClock { year: number; month: number; day: number; minutes: number }

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

export interface QuietHours { start: number; end: number; timeZone: string }

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
