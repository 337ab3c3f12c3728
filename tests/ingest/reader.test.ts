import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/text/language.js';
import { canonicalUrl, NotAnArticleError, readHtml, readPlainText } from '../../src/ingest/reader.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

const SY24 = fixture('sy24-badia-article.txt');
const SY24_TITLE = 'تحركات علنية لـ “داعش” في البادية السورية رغم الغارات الروسية';
const SHARE_WORDS = /Facebook|Twitter|WhatsApp|Telegram|Messenger|Pinterest|طباعة|مشاركة/i;

describe('readPlainText on the SY24 fixture', () => {
  const article = readPlainText(SY24, { url: 'file:///data/sy24-badia-article.txt' });

  it('takes the first real line as the title, curly quotes kept', () => {
    expect(article.title).toBe(SY24_TITLE);
  });

  it('takes the source from the «خاص – SY24» dateline, which is not a paragraph', () => {
    expect(article.source).toBe('SY24');
    expect(article.paragraphs.some((p) => p.includes('خاص') && p.length < 20)).toBe(false);
  });

  it('keeps the ten body paragraphs, without share labels or empty/no-break-space ones', () => {
    expect(article.paragraphs).toHaveLength(10);
    expect(article.paragraphs[0]).toMatch(/^قللت العديد من المصادر المحلية/);
    expect(article.paragraphs[9]).toMatch(/^يشار إلى أن تنظيم “داعش” يواصل/);
    for (const paragraph of article.paragraphs) {
      expect(paragraph).not.toMatch(SHARE_WORDS);
      expect(paragraph.trim()).not.toBe('');
      expect(paragraph).not.toMatch(/\u00A0/);
      expect(paragraph).toBe(paragraph.trim());
    }
  });

  it('keeps the file URL, finds no categories and detects Arabic', () => {
    expect(article.url).toBe('file:///data/sy24-badia-article.txt');
    expect(article.categories).toEqual([]);
    expect(article.language).toBe('ar');
  });
});

describe('readPlainText junk removal', () => {
  const paragraphs = SY24.split('\n\n');
  const withBlock = (block: string): string => [...paragraphs.slice(0, 8), block, ...paragraphs.slice(8)].join('\n\n');
  const expected = readPlainText(SY24).paragraphs;

  it.each(['اقرأ أيضاً', 'اقرأ أيضا:', 'إقرأ أيضاً:'])('removes a «%s» block with its link titles', (marker) => {
    const text = withBlock(`${marker}\n\nروسيا تعلن مقتل قيادي في “داعش” بالبادية\nالنظام يستقدم تعزيزات إلى ريف حمص`);
    expect(readPlainText(text).paragraphs).toEqual(expected);
  });

  it('removes a one-line «اقرأ أيضاً: title» and keeps the next real paragraph', () => {
    const text = withBlock('اقرأ أيضاً: غارات روسية على مواقع “داعش” في ريف حمص');
    expect(readPlainText(text).paragraphs).toEqual(expected);
  });

  it('removes share labels anywhere as whole lines, also several on one line', () => {
    const text = withBlock('طباعة\n\nFacebook | Twitter | WhatsApp\n\nمشاركة:');
    expect(readPlainText(text).paragraphs).toEqual(expected);
  });

  it.each([
    ['SY24 – خاص', 'SY24'],
    ['المصدر: SY24', 'SY24'],
    ['دمشق – SY24', 'SY24'],
    ['حلب - الوئام', 'الوئام'],
  ])('reads the dateline «%s» as source %s', (dateline, source) => {
    const article = readPlainText(SY24.replace('خاص – SY24', dateline));
    expect(article.source).toBe(source);
    expect(article.paragraphs).toEqual(expected);
  });

  it('falls back to the URL host, then to «نشرة», when no byline is found', () => {
    const text = SY24.replace('خاص – SY24', '');
    expect(readPlainText(text, { url: 'https://www.sy24.net/news/1' }).source).toBe('www.sy24.net');
    expect(readPlainText(text).source).toBe('نشرة');
    expect(readPlainText(text, { source: 'موقع SY24' }).source).toBe('موقع SY24');
  });

  it('gives text without a URL no link, and a stable content URN as its GUID (the same text de-duplicates)', () => {
    expect(readPlainText(SY24).url).toBeUndefined();
    expect(readPlainText(SY24).guid).toMatch(/^urn:sha256:[0-9a-f]{64}$/);
    expect(readPlainText(SY24).guid).toBe(readPlainText(SY24).guid);
  });

  it('reads an article in another language and says so', () => {
    const article = readPlainText(
      'Twitter\n\nFloods hit the coast\n\nReuters – London\n\nHeavy rain flooded the coast on Monday.',
    );
    expect(article.language).toBe('en');
    expect(article.paragraphs).toEqual(['Heavy rain flooded the coast on Monday.']);
  });
});

describe('readHtml on a WordPress-style page', async () => {
  const pageUrl = 'https://naghamnews.example/2026/11/25/beethoven/?utm_source=telegram&fbclid=abc#comments';
  const article = await readHtml(fixture('pages/beethoven-wordpress.html'), pageUrl);
  const wikipediaParagraphs = [
    /^لودفيج فان بيتهوفن مؤلف موسيقي ألماني ولد عام 1770/,
    /^تشمل مؤلفاته للأوركسترا/,
    /^بدأ بيتهوفن يفقد سمعه/,
    /^شهدت مدينة بون الألمانية/,
    /^في 1789 م تحقق حلمه أخيراً/,
    /^بدأت إصابة بيتهوفن بصمم بسيط عام 1802/,
  ];

  it('takes the og:title without the « – site name» suffix, and og:site_name as source', () => {
    expect(article.title).toBe('لودفيج فان بيتهوفن: عبقري الموسيقى الذي ألّف وهو أصم');
    expect(article.source).toBe('مجلة النغم');
  });

  it('reads date, categories (section, tags, JSON-LD keywords), absolute image and canonical URL', () => {
    expect(article.publishedAt?.toISOString()).toBe('2026-11-25T12:05:00.000Z');
    expect(article.categories).toEqual(['موسيقى', 'بيتهوفن', 'موسيقى كلاسيكية', 'فيينا', 'السيمفونية التاسعة']);
    expect(article.imageUrl).toBe('https://naghamnews.example/wp-content/uploads/2026/11/beethoven-1024x683.jpg');
    expect(article.url).toBe('https://naghamnews.example/2026/11/25/beethoven');
    expect(article.language).toBe('ar');
  });

  it('keeps exactly the article paragraphs: no menu, share buttons, «اقرأ أيضاً», related posts, comments or footer', () => {
    expect(article.paragraphs).toHaveLength(wikipediaParagraphs.length);
    for (const [index, paragraph] of article.paragraphs.entries())
      expect(paragraph).toMatch(wikipediaParagraphs[index]!);
    const everything = article.paragraphs.join('\n');
    for (const junk of [
      SHARE_WORDS,
      /فيسبوك|واتساب/,
      /الرئيسية/,
      /اقرأ أيضاً|موتسارت/,
      /مقالات ذات صلة|فيروز/,
      /تعليق/,
      /جميع الحقوق/,
      /المصدر/,
    ]) {
      expect(everything).not.toMatch(junk);
    }
  });

  it('uses the JSON-LD date and <time datetime> when there is no article:published_time', async () => {
    const withoutMeta = fixture('pages/beethoven-wordpress.html').replace(
      /<meta property="article:published_time"[^>]*>/,
      '',
    );
    expect((await readHtml(withoutMeta, pageUrl)).publishedAt?.toISOString()).toBe('2026-11-25T12:05:00.000Z');
    const withoutJsonLd = withoutMeta.replace(/"datePublished":"[^"]*",/, '');
    expect((await readHtml(withoutJsonLd, pageUrl)).publishedAt?.toISOString()).toBe('2026-11-25T12:05:00.000Z');
  });
});

describe('NotAnArticleError', () => {
  const url = 'https://example.com/';

  it.each([
    ['', /empty/],
    [' \n\u00A0\n ', /empty/],
    ['Facebook\nTwitter\nWhatsApp\nTelegram\n', /empty/],
    ['عنوان بلا نص', /^only a headline: no article text under it$/],
    ['عنوان\n\nخاص – SY24\n\nاقرأ أيضاً\nرابط', /^only a headline: no article text under it$/],
  ])('plain text %j', (text, message) => {
    expect(() => readPlainText(text)).toThrow(NotAnArticleError);
    expect(() => readPlainText(text)).toThrow(message);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['<html><head><title>الرئيسية</title></head><body></body></html>', /no article text/],
    [
      '<html><head><title>الرئيسية</title></head><body><nav><ul><li><a href="/a">أخبار</a></li><li><a href="/b">رياضة</a></li></ul></nav></body></html>',
      /no article text/,
    ],
    ['<html><body><p>فقرة بلا عنوان في صفحة ليس لها عنوان.</p></body></html>', /no title found/],
  ])('HTML %j', async (html, message) => {
    await expect(readHtml(html, url)).rejects.toThrow(NotAnArticleError);
    await expect(readHtml(html, url)).rejects.toThrow(message);
  });

  it('is an Error with its own name', () => {
    const error = new NotAnArticleError('no title found');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('NotAnArticleError');
  });
});

describe('canonicalUrl', () => {
  it.each([
    ['https://SY24.net/news/1/?utm_source=fb&utm_medium=social&fbclid=x', 'https://sy24.net/news/1'],
    ['https://sy24.net/news/1?gclid=1&mc_cid=2&mc_eid=3&ref=home&amp=1', 'https://sy24.net/news/1'],
    ['https://sy24.net/news/1#comments', 'https://sy24.net/news/1'],
    ['https://sy24.net/?utm_campaign=x', 'https://sy24.net/'],
    ['https://sy24.net:443/a', 'https://sy24.net/a'],
    ['http://sy24.net:80/a', 'http://sy24.net/a'],
    ['http://sy24.net:8080/a/', 'http://sy24.net:8080/a'],
    [
      'https://sy24.net/search?q=داعش&page=2&utm_term=x&a=1',
      'https://sy24.net/search?a=1&page=2&q=%D8%AF%D8%A7%D8%B9%D8%B4',
    ],
    ['https://sy24.net/News/Article', 'https://sy24.net/News/Article'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalUrl(input)).toBe(expected);
  });

  it('gives the same result for the same article reached through different links', () => {
    expect(canonicalUrl('https://SY24.net/a/?b=2&a=1#x')).toBe(canonicalUrl('https://sy24.net/a?a=1&b=2&utm_source=t'));
  });

  it('throws for a string that is not an absolute URL', () => {
    expect(() => canonicalUrl('not a url')).toThrow(TypeError);
  });
});

describe('detectLanguage', () => {
  it.each([
    ['تحركات علنية لـ “داعش” في البادية السورية', 'ar'],
    ['وحسب ما وصل لمنصة SY24، رصدت مصادر', 'ar'],
    ['Floods hit the coast', 'en'],
    ['Наводнение на побережье', 'und'],
    ['2026 - 14:05', 'und'],
    ['', 'und'],
  ])('%j → %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });
});
