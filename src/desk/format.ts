import { t, type Lang } from './i18n.js';

/** Dates and numbers for the desk, in the newsroom's time zone. Western digits in both languages (as the counters). */
const formats = new Map<string, Intl.DateTimeFormat>();

export function formatTime(date: Date | undefined, lang: Lang, timeZone: string, withDate = true): string {
  if (!date) return '—';
  const key = `${lang}:${timeZone}:${withDate}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'ar' ? 'ar-SY-u-nu-latn' : 'en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      // h23, not `hour12: false`: with it Arabic (ar-SY) writes the minutes after midnight as «24:21».
      hourCycle: 'h23',
      ...(withDate ? { day: 'numeric', month: 'short' } : {}),
    });
    formats.set(key, f);
  }
  return f.format(date);
}

export function formatAge(ms: number | undefined, lang: Lang): string {
  if (ms === undefined) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  const age = t(lang).age;
  if (s < 90) return age.seconds(s);
  const m = Math.round(s / 60);
  if (m < 90) return age.minutes(m);
  const h = Math.round(m / 60);
  return age.hours(h);
}
