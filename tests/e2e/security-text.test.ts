/**
 * Hostile text end to end: storeArticle → DeliveryWorker → Telegram transport → what the fake Bot API received.
 * Whatever a feed puts in a title or a paragraph, the message is valid Telegram HTML within 4096 characters, carries
 * no bidi override or zero-width character, and only Nashra's own link is a link.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addArticle, startHarness, waitFor, type Harness } from '../fake-telegram/harness.js';
import { jobsOf } from '../helpers/raw-db.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ALLOWED_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-spoiler',
  'span',
]);
const SPOOFING = /[\u202A-\u202E\u2066\u2067\u200B-\u200D\u2060\uFEFF]/u;

/** Telegram's HTML rules: known tags, properly nested; `<`, `>` and `&` only as markup or entities. */
function htmlProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const rest = text.replace(
    /<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/g,
    (_m, close: string, name: string, attrs: string) => {
      if (!ALLOWED_TAGS.has(name)) problems.push(`tag <${name}>`);
      if (name === 'a' && !close && !/^\s+href="https?:\/\/[^"]+"$/.test(attrs))
        problems.push(`a without a plain http(s) href: ${attrs}`);
      if (close) {
        if (stack.pop() !== name) problems.push(`</${name}> closes the wrong tag`);
      } else stack.push(name);
      return '';
    },
  );
  if (stack.length) problems.push(`unclosed ${stack.join(',')}`);
  if (/[<>]/.test(rest)) problems.push('bare < or > outside markup');
  if (/&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);)/i.test(rest)) problems.push('bare &');
  return problems;
}

const INJECTION =
  '<a href="https://evil.example/login">اضغط هنا</a> <script>alert(1)</script> **عريض** [رابط](https://evil.example) &amp; &lt;b&gt;';
const ZALGO = 'ز̸̢̛̺̤̦̱̬̫͓̞̟̰̺̩͓̪͔̩̈́̀̑̏̂͊̋̂̑͗͋̓̀̕͝͝ل̵̡̧̛̠̹̰̯̗̱̦̮̣̼͈̱̓͗͑̍͛̊̒͆̈́̈͘͝ز̶̛̦̦̬̺͇̭̺̼̜̬͑̈́̆̊̇̒̀̓̑̽̚͠ا̷̢̛̱̗̰̗͎̞̭̱̘͊͂̏̈́̄̊̊͋͋͜ͅل̴̨̛̺͉̼̜̮̠̼̭̬̇̿̓͆̈́̄̔̓̕͝';

describe('security: hostile text end to end through the Telegram transport', () => {
  it('sends valid, bounded, unspoofable HTML for bidi tricks, injections, zalgo, 1 MB and foreign-language articles', async () => {
    h = await startHarness();
    const sub = await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '8100', kind: 'private' },
      Date.now(),
    );
    const megabyte = Array.from(
      { length: 2000 },
      (_, i) =>
        `الفقرة ${i}: ${'أعلنت الحكومة في دمشق اليوم عن خطة جديدة لدعم الاقتصاد المحلي وتشمل مشاريع في عدة محافظات. '.repeat(6)}`,
    );
    const cases: Array<{ name: string; title: string; paragraphs?: string[] }> = [
      { name: 'bidi override', title: 'خبر من \u202Eموقع 24YS\u202C الرسمي \u2066مهم\u2069 \u200Fعن\u200E دمشق' },
      { name: 'zero-width', title: 'ال\u200Bحكو\u200Cمة\u200D تعلن\u2060 خطة\uFEFF جديدة للاقتصاد' },
      {
        name: 'html/markdown injection',
        title: `عنوان ${INJECTION}`,
        paragraphs: [
          `أعلنت الحكومة ${INJECTION} اليوم عن خطة جديدة لدعم الاقتصاد.`,
          `وقال مسؤول <b>غير مغلق و</i> تشمل & مشاريع <img src=x onerror=alert(1)>.`,
        ],
      },
      { name: 'zalgo', title: `${ZALGO} يضرب ${ZALGO} المدينة` },
      { name: '1 MB article', title: 'خطة حكومية طويلة جداً لدعم الاقتصاد', paragraphs: megabyte },
      {
        name: 'another language',
        title: 'Government unveils <new> plan & "reforms" for the economy',
        paragraphs: [
          'The government announced a new plan today to support the local economy in several provinces.',
          'An official said the plan includes projects worth millions.',
        ],
      },
    ];
    expect(megabyte.join('\n').length).toBeGreaterThan(1_000_000);
    const stored = await Promise.all(
      cases.map(async (c) => ({
        ...c,
        article: await addArticle(h!.data, { title: c.title, paragraphs: c.paragraphs }),
      })),
    );
    for (const s of stored) await h.data.repos.audience.queueListed(s.article.id, [sub.id], {}, Date.now());
    h.worker.notify();
    await waitFor(() => h!.fake.sentTo('8100').length === cases.length, 15_000, 'all hostile articles delivered');
    // The fake server has a message as soon as it arrives; the worker records `sent` only once the answer is back.
    await waitFor(
      async () =>
        (await Promise.all(stored.map((s) => jobsOf(h!.db, s.article.id)))).every((jobs) => jobs[0]!.state === 'sent'),
      5000,
      'every delivery recorded as sent',
    );

    const report: string[] = [];
    for (const s of stored) {
      const [msg] = h.fake
        .sentTo('8100')
        .filter((c) => String(c.params.text).includes(s.article.url!.replace(/&/g, '&amp;')));
      expect(msg, s.name).toBeDefined();
      const text = String(msg!.params.text);
      expect(msg!.params.parse_mode, s.name).toBe('HTML');
      expect(text.length, s.name).toBeLessThanOrEqual(4096);
      expect(text, s.name).not.toMatch(SPOOFING);
      expect(htmlProblems(text), s.name).toEqual([]);
      // Only Nashra's own link is a link: the injected anchor arrives as visible text.
      const hrefs = [...text.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);
      expect(
        hrefs.every((u) => !u!.includes('evil')),
        s.name,
      ).toBe(true);
      report.push(`${s.name}: ${text.length} chars, links ${hrefs.length}`);
    }
    const injected = String(h.fake.sentTo('8100').find((c) => String(c.params.text).includes('عنوان'))!.params.text);
    expect(injected).toContain('&lt;');
    expect(injected).not.toContain('<script');
    const zalgo = String(h.fake.sentTo('8100').find((c) => String(c.params.text).includes('المدينة'))!.params.text);
    expect(/\p{M}{5,}/u.test(zalgo)).toBe(false);
    console.log(`[hostile text] all sent as valid HTML ≤ 4096, no bidi/zero-width:\n  ${report.join('\n  ')}`);
  }, 30_000);
});
