/** The digest engine on each platform's markup: split between items at the limit, headline and link together, summary where room allows. */
import { describe, expect, it } from 'vitest';
import { telegramMarkup } from '../../bots/telegram/markup.js';
import { whatsappMarkup } from '../../bots/whatsapp/markup.js';
import { loadAppConfig } from '../../src/app/platforms.js';
import { lastPeriodEnd, quietUntil } from '../../src/text/schedule.js';
import { buildDigest } from '../../src/newsroom/index.js';
import { storeArticleIn } from '../helpers/articles.js';
import type { StoredArticle } from '../../src/model/article.js';
import { freshPorts } from '../helpers/raw-db.js';

/** `count` articles stored on this pass's database. */
async function articles(count: number): Promise<{ list: StoredArticle[] }> {
  const store = await freshPorts();
  const list = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const r = await storeArticleIn(store, {
        url: `https://example.com/engine/${i}`,
        title: `افتتاح مشروع المياه رقم ${i} في ريف دير الزور الشرقي`,
        source: 'SY24',
        language: 'ar',
        categories: [],
        paragraphs: [
          `أعلنت مديرية المياه في دير الزور افتتاح المشروع رقم ${i} الذي يخدم آلاف السكان في القرى المجاورة للنهر.`,
          `وقال مدير المشروع إن العمل استمر ثمانية أشهر.`,
        ],
      });
      if (r.status !== 'new') throw new Error('duplicate');
      return r.article;
    }),
  );
  return { list };
}

const config = loadAppConfig({});
const plain = (s: string) => s.replace(/[\u2066-\u2069\u200E\u200F]/g, '').replace(/<[^>]+>|\*/g, '');

describe('digest engine', () => {
  for (const markup of [telegramMarkup, whatsappMarkup]) {
    it(`${markup.name}: 200 articles split between items at ${markup.limit(false)} characters, each once, in order`, async () => {
      const { list } = await articles(200);
      const parts = buildDigest(list, markup, config);
      expect(parts.length).toBeGreaterThan(3);
      expect(parts.flatMap((p) => p.articleIds)).toEqual(list.map((a) => a.id));
      for (const [i, p] of parts.entries()) {
        expect(p.text.length).toBeLessThanOrEqual(markup.limit(false));
        expect(plain(p.text)).toContain(`📰 ملخص الأخبار (200) · ${i + 1}/${parts.length}`);
        for (const id of p.articleIds) {
          const a = list.find((x) => x.id === id)!;
          expect(p.text).toContain(a.url);
          expect(plain(p.text)).toContain(a.title);
        }
      }
    });
  }

  it("a digest that fits carries each item's first summary sentence; none when there is nothing to send", async () => {
    const { list } = await articles(3);
    const [only] = buildDigest(list, telegramMarkup, config);
    for (const a of list) expect(plain(only!.text)).toContain(a.summary[0]!.slice(0, 40));
    expect(plain(only!.text)).not.toContain('ثمانية أشهر'); // the second sentence is the single post's
    expect(buildDigest([], telegramMarkup, config)).toEqual([]);
  });

  it('periods and quiet windows follow the local clock (Intl), across midnight and in a zone with a half-hour offset', () => {
    const t = Date.parse('2026-11-27T04:30:00Z'); // 07:30 in Damascus (UTC+3), 10:00 in Kolkata (UTC+5:30)
    expect(new Date(lastPeriodEnd({ kind: 'daily', at: 8 * 60 }, 'Asia/Damascus', t)).toISOString()).toBe(
      '2026-11-26T05:00:00.000Z',
    );
    expect(new Date(lastPeriodEnd({ kind: 'daily', at: 7 * 60 }, 'Asia/Damascus', t)).toISOString()).toBe(
      '2026-11-27T04:00:00.000Z',
    );
    expect(new Date(lastPeriodEnd({ kind: 'hourly' }, 'Asia/Kolkata', t)).toISOString()).toBe(
      '2026-11-27T04:30:00.000Z',
    );
    expect(new Date(lastPeriodEnd({ kind: 'hourly' }, 'Asia/Kolkata', t - 1)).toISOString()).toBe(
      '2026-11-27T03:30:00.000Z',
    );
    expect(quietUntil({ start: 23 * 60, end: 8 * 60, timeZone: 'Asia/Damascus' }, t)).toBe(
      Date.parse('2026-11-27T05:00:00Z'),
    );
    expect(
      quietUntil({ start: 23 * 60, end: 8 * 60, timeZone: 'Asia/Damascus' }, Date.parse('2026-11-27T20:30:00Z')),
    ).toBe(Date.parse('2026-11-28T05:00:00Z'));
    expect(quietUntil({ start: 0, end: 7 * 60, timeZone: 'Asia/Damascus' }, t)).toBeUndefined();
    // New York leaves daylight saving on 1 November 2026: 08:00 is 12:00 UTC before, 13:00 after.
    expect(
      new Date(
        lastPeriodEnd({ kind: 'daily', at: 8 * 60 }, 'America/New_York', Date.parse('2026-10-31T18:00:00Z')),
      ).toISOString(),
    ).toBe('2026-10-31T12:00:00.000Z');
    expect(
      new Date(
        lastPeriodEnd({ kind: 'daily', at: 8 * 60 }, 'America/New_York', Date.parse('2026-11-02T18:00:00Z')),
      ).toISOString(),
    ).toBe('2026-11-02T13:00:00.000Z');
  });
});
