/**
 * Routing one new article to 10,000 subscriptions that filter (issue 12): the newsroom's routeArticle, end to end
 * (the SQL part queued in one statement, every filtered subscription matched on normalised Arabic, the deliveries
 * written), for real news articles of the SaudiNewsNet sample. The subscriptions mix what channels ask for:
 *   40 % no filter · 25 % words or phrases to include · 15 % include and exclude · 10 % exclude only ·
 *   10 % a filter for one source (of 20), with or without their own filter.
 */
import { join } from 'node:path';
import { countAudienceIn, queueAudienceIn, routeArticleIn, storeArticleIn } from '../tests/helpers/articles.js';
import { openStore } from '../src/store/index.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { median, msSince, newsArticles } from './common.js';

const SUBSCRIPTIONS = 10_000;
const SOURCES = 20;
const ROUNDS = 20;

/** Places, bodies and subjects as subscribers type them (with the article, hamza and phrases as they come). */
const WORDS = [
  'الرياض',
  'جدة',
  'مكة المكرمة',
  'وزارة الصحة',
  'الاقتصاد',
  'النفط',
  'أمطار',
  'الهلال',
  'كرة القدم',
  'التعليم',
  'سوريا',
  'دمشق',
  'الرقة',
  'دير الزور',
  'إدلب',
  'اليمن',
  'الحوثيين',
  'مجلس الوزراء',
  'الأمير',
  'المرور',
  'الطقس',
  'الرياضة',
  'الأسهم',
  'السياحة',
  'الحج',
  'العمرة',
  'الشورى',
  'المدينة المنورة',
  'الدمام',
  'أبها',
];

export async function benchRouting(): Promise<{
  subscriptions: number;
  filtered: number;
  medianMs: number;
  worstMs: number;
  countMedianMs: number;
  meanReceivers: number;
  unfilteredMedianMs: number;
}> {
  const tmp = tempDir();
  const store = openStore(join(tmp.dir, 'routing.db'));
  try {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
    const some = (n: number, prefix = '') =>
      Array.from({ length: 1 + Math.floor(random() * n) }, () => prefix + pick());
    const sources = Array.from({ length: SOURCES }, (_, i) =>
      store.sources.add({ url: `https://s${i}.example/feed`, kind: 'rss', name: `s${i}` }),
    );
    const past = Date.now() - 3600_000;
    let filtered = 0;
    store.transaction(() => {
      for (let i = 0; i < SUBSCRIPTIONS; i++) {
        const r = random();
        const topics =
          r < 0.4
            ? []
            : r < 0.65
              ? some(3)
              : r < 0.8
                ? [...some(3), ...some(2, '-')]
                : r < 0.9
                  ? some(2, '-')
                  : random() < 0.5
                    ? some(2)
                    : [];
        const sub = store.subscriptions.subscribe(
          { platform: i % 3 ? 'telegram' : 'whatsapp', chatId: String(-1_000_000 - i), kind: 'channel', topics },
          past,
        );
        if (r >= 0.9)
          store.sourceFilters.set(sub.id, sources[Math.floor(random() * SOURCES)]!.id, [
            ...some(2),
            ...(random() < 0.5 ? some(1, '-') : []),
          ]);
        if (topics.length || r >= 0.9) filtered++;
      }
    });

    const news = newsArticles();
    const times: number[] = [];
    const counts: number[] = [];
    let receivers = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const a = news[i]!;
      const stored = await storeArticleIn(
        store,
        {
          url: a.url,
          title: a.title,
          source: 'bench',
          language: 'ar',
          categories: [],
          paragraphs: a.content.split(/\n+/).filter(Boolean),
        },
        { sourceId: sources[i % SOURCES]!.id },
      );
      if (stored.status !== 'new') continue;
      const c = process.hrtime.bigint();
      await countAudienceIn(store, stored.article, { kind: 'matching' });
      counts.push(msSince(c));
      const start = process.hrtime.bigint();
      receivers += await routeArticleIn(store, stored.article);
      times.push(msSince(start));
    }
    // The same 10,000 chats with every filter ignored (an editor's "everyone"): the cost of writing the deliveries
    // alone, measured under the same machine load, which is what "as today without filters" compares with.
    const unfiltered: number[] = [];
    for (let i = ROUNDS; i < ROUNDS + 5; i++) {
      const a = news[i]!;
      const stored = await storeArticleIn(store, {
        url: a.url,
        title: a.title,
        source: 'bench',
        language: 'ar',
        categories: [],
        paragraphs: a.content.split(/\n+/).filter(Boolean),
      });
      if (stored.status !== 'new') continue;
      const start = process.hrtime.bigint();
      await queueAudienceIn(store, stored.article, { kind: 'all' });
      unfiltered.push(msSince(start));
    }
    return {
      unfilteredMedianMs: median(unfiltered),
      subscriptions: SUBSCRIPTIONS,
      filtered,
      medianMs: median(times),
      worstMs: Math.max(...times),
      countMedianMs: median(counts),
      meanReceivers: receivers / times.length,
    };
  } finally {
    store.close();
    tmp.cleanup();
  }
}
