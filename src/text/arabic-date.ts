/**
 * Arabic dates in the style the source's readers know.
 *
 * Month names differ across the Arab world: the Levant and Iraq use the Syriac-derived names
 * («كانون الثاني», «تشرين الثاني»), Egypt, the Gulf and the Maghreb mostly use transliterated
 * Latin names («يناير», «نوفمبر»). The time zone stands in for the region: the Levantine names are
 * used for Damascus, Beirut, Amman, Baghdad and Jerusalem/Gaza/Hebron, the others everywhere else.
 * Digits are Western (ASCII), as SY24 and most Levantine outlets print them.
 */
import { zoneFormatter } from './time-zone.js';

const LEVANTINE_MONTHS = [
  'كانون الثاني',
  'شباط',
  'آذار',
  'نيسان',
  'أيار',
  'حزيران',
  'تموز',
  'آب',
  'أيلول',
  'تشرين الأول',
  'تشرين الثاني',
  'كانون الأول',
];

const GENERAL_MONTHS = [
  'يناير',
  'فبراير',
  'مارس',
  'أبريل',
  'مايو',
  'يونيو',
  'يوليو',
  'أغسطس',
  'سبتمبر',
  'أكتوبر',
  'نوفمبر',
  'ديسمبر',
];

const LEVANTINE_TIME_ZONES = new Set([
  'Asia/Damascus',
  'Asia/Beirut',
  'Asia/Amman',
  'Asia/Baghdad',
  'Asia/Jerusalem',
  'Asia/Gaza',
  'Asia/Hebron',
]);

export const DEFAULT_TIME_ZONE = 'Asia/Damascus';

/** «25 تشرين الثاني 2026، 14:05» in Asia/Damascus, «25 نوفمبر 2026، 15:05» in Asia/Riyadh (24-hour clock). */
export function formatArabicDate(date: Date, timeZone = DEFAULT_TIME_ZONE): string {
  const key = `${timeZone}|${date.getTime()}`;
  let formatted = recentDates.get(key);
  if (formatted === undefined) {
    const parts = wallClock(date, timeZone);
    const months = LEVANTINE_TIME_ZONES.has(timeZone) ? LEVANTINE_MONTHS : GENERAL_MONTHS;
    formatted = `${parts.day} ${months[parts.month - 1]} ${parts.year}، ${parts.hour}:${parts.minute}`;
    if (recentDates.size >= RECENT_DATES) recentDates.clear();
    recentDates.set(key, formatted);
  }
  return formatted;
}

/**
 * formatToParts dominates the cost, and one article's date is formatted once per platform and subscription:
 * remember the last few hundred results (keyed by zone and instant, so the result is the same as computing it).
 */
const RECENT_DATES = 512;
const recentDates = new Map<string, string>();

interface WallClock {
  year: string;
  month: number;
  day: string;
  hour: string;
  minute: string;
}

/** Calendar fields of the instant in the zone; Intl does the zone arithmetic (and throws RangeError for an unknown zone). */
function wallClock(date: Date, timeZone: string): WallClock {
  const parts = zoneFormatter(timeZone).formatToParts(date);
  const field = (type: Intl.DateTimeFormatPartTypes): string => parts.find((part) => part.type === type)?.value ?? '';
  return {
    year: field('year'),
    month: Number(field('month')),
    day: field('day'),
    hour: field('hour'),
    minute: field('minute'),
  };
}
