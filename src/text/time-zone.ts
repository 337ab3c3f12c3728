/**
 * One Intl formatter per time zone, shared by the dates printed in posts (src/text/arabic-date.ts) and by the
 * schedules of digests and quiet hours (src/text/schedule.ts): building a formatter costs far more than using one.
 * Its parts are the zone's wall clock: year, month, day, hour (00–23) and minute.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for a zone Intl does not know. */
export function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}
