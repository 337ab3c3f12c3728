import { describe, expect, it } from 'vitest';
import { formatTime } from '../../src/desk/format.js';

describe("the desk's times", () => {
  it('write the hour after midnight as 00 in both languages, never 24', () => {
    const afterMidnight = new Date(Date.UTC(2026, 11, 7, 21, 21)); // 00:21 on 8 December in Damascus (UTC+3)
    expect(formatTime(afterMidnight, 'ar', 'Asia/Damascus')).toBe('8 كانون الأول، 00:21');
    expect(formatTime(afterMidnight, 'en', 'Asia/Damascus')).toBe('8 Dec, 00:21');
    expect(formatTime(afterMidnight, 'ar', 'Asia/Damascus', false)).toBe('00:21');
    expect(formatTime(new Date(Date.UTC(2026, 11, 7, 20, 59)), 'ar', 'Asia/Damascus', false)).toBe('23:59');
  });
});
