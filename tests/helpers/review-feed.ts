/** An RSS feed whose items carry their full text (no page fetch), for the review tests. */
export interface FeedItemSpec {
  n: number;
  title: string;
  sentence: string;
}

const paragraph = (s: FeedItemSpec, k: number) =>
  `<p>${s.sentence} وقال مسؤول محلي في الفقرة ${k} من الخبر ${s.n} إن التفاصيل الكاملة ستعلن لاحقاً بعد اجتماع اللجنة المختصة، وإن الجهات المعنية تتابع الأمر عن قرب منذ أيام.</p>`;

export function reviewFeed(base: string, items: FeedItemSpec[]): string {
  const entries = items.map(
    (s) => `<item><title>${s.title}</title><link>${base}/news/${s.n}</link><guid>${base}/news/${s.n}</guid>
<pubDate>${new Date(Date.UTC(2025, 0, 10, 12, s.n)).toUTCString()}</pubDate>
<content:encoded><![CDATA[${[1, 2, 3, 4].map((k) => paragraph(s, k)).join('')}]]></content:encoded></item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>موقع المراجعة</title><link>${base}/</link>
${entries.reverse().join('\n')}
</channel></rss>`;
}

export const ITEMS: FeedItemSpec[] = [
  {
    n: 1,
    title: 'افتتاح معرض الكتاب في حلب',
    sentence: 'افتتح اليوم معرض الكتاب السنوي في مدينة حلب بمشاركة عشرات دور النشر.',
  },
  {
    n: 2,
    title: 'ارتفاع أسعار القمح في الأسواق',
    sentence: 'ارتفعت أسعار القمح في الأسواق المحلية بنسبة كبيرة خلال الأسبوع الماضي.',
  },
  {
    n: 3,
    title: 'فوز المنتخب في مباراة ودية',
    sentence: 'فاز المنتخب الوطني في مباراة ودية أقيمت مساء أمس على ملعب العاصمة.',
  },
  { n: 4, title: 'افتتاح مستشفى جديد في حمص', sentence: 'افتتحت وزارة الصحة مستشفى جديداً في مدينة حمص يضم مئتي سرير.' },
];
