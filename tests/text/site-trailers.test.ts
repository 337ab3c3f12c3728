import { describe, expect, it } from 'vitest';
import { stripSiteTrailers } from '../../src/text/site-trailers.js';
import { htmlToParagraphs } from '../../src/ingest/html-text.js';
import { readPlainText } from '../../src/ingest/reader.js';
import { summarize } from '../../src/summary/summarize.js';

describe('site trailers', () => {
  it('removes «رابط الخبر بصحيفة …» wherever it starts in a paragraph', () => {
    expect(stripSiteTrailers('رابط الخبر بصحيفة الوئام: بالصور ..نائب أمير المنطقة يتفقد المسجد')).toBe('');
    expect(stripSiteTrailers('تراجع المؤشر 0.2 في المئة إلى 1334 نقطة. رابط الخبر بصحيفة الوئام: تراجع الأسهم')).toBe(
      'تراجع المؤشر 0.2 في المئة إلى 1334 نقطة.',
    );
  });

  it('removes WordPress’s "The post … appeared first on …", in English and Arabic', () => {
    expect(
      stripSiteTrailers('وصلت الطائرة الثالثة إلى عدن. The post وصول الطائرة appeared first on صحيفة اليوم.'),
    ).toBe('وصلت الطائرة الثالثة إلى عدن.');
    expect(stripSiteTrailers('ظهرت المقالة وصول الطائرة أولاً على صحيفة اليوم.')).toBe('');
  });

  it('removes lines of links, e-mails, time stamps, tag lists and author lists, and leaves sentences alone', () => {
    for (const line of [
      'http://www.sabq.org/sabq/user/articles.do?id=767',
      'alrashed@asharqalawsat.com',
      '10:37 ت م',
      'مقالات أخرى للكاتبالاستحمام في الرياض',
    ]) {
      expect(stripSiteTrailers(line), line).toBe('');
    }
    expect(stripSiteTrailers('فقط اضغط موافق ويتم تحويل الملف. سمات الوورد تحويل ملفات')).toBe(
      'فقط اضغط موافق ويتم تحويل الملف.',
    );
    const sentence = 'وسعى إلى تحديد أبرز سمات هذه الدراسات النقدية وأهم القضايا.';
    expect(stripSiteTrailers(sentence)).toBe(sentence);
  });

  it('are gone from feed content, plain text and summaries alike', async () => {
    expect(
      await htmlToParagraphs(
        '<p>وصلت الطائرة الثالثة إلى عدن.</p><p>The post <a href="x">وصول الطائرة</a> appeared first on <a href="y">اليوم</a>.</p>',
      ),
    ).toEqual(['وصلت الطائرة الثالثة إلى عدن.']);
    const article = readPlainText(
      'عنوان الخبر\nوصلت الطائرة الثالثة إلى عدن محملة بالمساعدات.\nرابط الخبر بصحيفة الوئام: وصول الطائرة',
    );
    expect(article.paragraphs).toEqual(['وصلت الطائرة الثالثة إلى عدن محملة بالمساعدات.']);
    const summary = summarize({
      text: 'وصلت الطائرة الثالثة إلى عدن محملة بالمساعدات الطبية.\nرابط الخبر بصحيفة الوئام: بالصور .. وصول الطائرة الثالثة إلى عدن',
    });
    expect(summary.join(' ')).not.toContain('رابط الخبر');
  });
});
