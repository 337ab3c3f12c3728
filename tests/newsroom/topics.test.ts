/**
 * Issue 12, section 1 (what tests/store/store.test.ts does not cover yet): alef, hamza and alef maqsura variants, combined
 * prefixes, a phrase across paragraphs; filters per (subscription, source) through routing, with the rows read back;
 * and a property-style check that no combination of filters and templates sends an article twice or loses one.
 */
import { describe, expect, it } from 'vitest';
import { plainMarkup } from '../../src/format/post.js';
import { renderArticle } from '../../src/format/render.js';
import type { Article } from '../../src/model/article.js';
import type { MessageTemplate } from '../../src/model/template.js';
import { countAudienceIn, queueAudienceIn, routeArticleIn, storeArticleIn } from '../helpers/articles.js';
import { matchesTopics } from '../../src/newsroom/topics.js';
import { freshDatabase, jobsOf } from '../helpers/raw-db.js';

let n = 0;
const article = (over: Partial<Article> = {}): Article => ({
  url: `https://example.org/news/${++n}`,
  title: `خبر ${n}`,
  source: 'موقع',
  language: 'ar',
  categories: [],
  paragraphs: [`نص الخبر رقم ${n} عن الأحداث.`],
  ...over,
});
const story = (text: string, over: Partial<Article> = {}) => ({
  title: 'عنوان',
  paragraphs: [text],
  categories: [],
  ...over,
});

describe('filters on real Arabic text', () => {
  it('folds alef with hamza or madda, alef maqsura and teh marbuta, whichever side carries them', () => {
    expect(matchesTopics(['إدلب'], story('قصف على ريف ادلب الجنوبي'))).toBe(true);
    expect(matchesTopics(['ادلب'], story('قصف على ريف إدلب الجنوبي'))).toBe(true);
    expect(matchesTopics(['الآثار'], story('سرقة الاثار من تدمر'))).toBe(true);
    expect(matchesTopics(['أريحا'], story('وصلت القافلة إلى اريحا'))).toBe(true);
    expect(matchesTopics(['مستشفى'], story('أُغلق مستشفي المدينة'))).toBe(true); // alef maqsura written as yeh
    expect(matchesTopics(['حماة'], story('اشتباكات في ريف حماه'))).toBe(true); // teh marbuta written as heh
    expect(matchesTopics(['درعا'], story('دَرْعَا: عودة الأهالي'))).toBe(true); // tashkeel
    expect(matchesTopics(['درعا'], story('مدينة درعــــا اليوم'))).toBe(true); // tatweel
  });

  it('takes combined prefixes (وبال، فبال، ولل) but never a longer word', () => {
    expect(matchesTopics(['الرقة'], story('واحتفل الأهالي وبالرقة خاصة'))).toBe(true);
    expect(matchesTopics(['الرقة'], story('فللرقة تاريخ طويل'))).toBe(true);
    expect(matchesTopics(['مخيم'], story('وفي فبالمخيم ازدحام'))).toBe(true);
    expect(matchesTopics(['الرقة'], story('قال الرقيب إن الرقابة مشددة'))).toBe(false);
    expect(matchesTopics(['حمص'], story('أسعار الحمص ارتفعت'))).toBe(true); // same letters: whole words, not meanings
    expect(matchesTopics(['حمص'], story('جرى ذلك في حمصي'))).toBe(false);
  });

  it('finds a phrase across a line break and across paragraphs, and an exclusion wins over any inclusion', () => {
    const text = { title: 'مباراة في دير', paragraphs: ['الزور اليوم بين فريقين', 'في كرة\nالقدم'], categories: [] };
    expect(matchesTopics(['دير الزور'], text)).toBe(true);
    expect(matchesTopics(['دير الزور', '-كرة القدم'], text)).toBe(false);
    expect(matchesTopics(['-"كرة القدم"'.replace(/"/g, ''), 'فريقين'], text)).toBe(false);
  });
});

describe('filters per (subscription, source)', () => {
  it('narrow only the articles of that source, on top of the subscription\'s own filter; an editor\'s "all" ignores them', async () => {
    const db = await freshDatabase();
    const store = db.ports;
    const { sources, subscriptions } = store.repos;
    const general = await sources.add({ url: 'https://general.example/feed', kind: 'rss', name: 'عام' }, Date.now());
    const local = await sources.add({ url: 'https://local.example/feed', kind: 'rss', name: 'محلي' }, Date.now());
    const past = Date.now() - 60_000;
    const syriaOnly = await subscriptions.subscribe({ platform: 'telegram', chatId: '-1001', kind: 'channel' }, past);
    const raqqa = await subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1002', kind: 'channel', topics: ['الرقة'] },
      past,
    );
    const everything = await subscriptions.subscribe({ platform: 'whatsapp', chatId: '1@g.us', kind: 'group' }, past);
    await subscriptions.setSourceFilter(syriaOnly.id, general.id, ['سوريا', '-رياضة'], Date.now());
    await subscriptions.setSourceFilter(raqqa.id, general.id, ['الفرات'], Date.now());

    const route = async (over: Partial<Article>, sourceId: number) => {
      const r = await storeArticleIn(store, article(over), { sourceId });
      if (r.status !== 'new') throw new Error('duplicate');
      const count = (await countAudienceIn(store, r.article, { kind: 'matching' })).willReceive;
      await routeArticleIn(store, r.article);
      const to = (await jobsOf(db, r.article.id)).map((d) => d.subscriptionId).sort();
      expect(to.length).toBe(count); // the preview's count and the queue agree
      return to;
    };
    expect(await route({ title: 'اجتماع في سوريا' }, general.id)).toEqual([syriaOnly.id, everything.id]);
    expect(await route({ title: 'سوريا: نتائج الرياضة' }, general.id)).toEqual([everything.id]);
    expect(await route({ title: 'أزمة في مصر' }, general.id)).toEqual([everything.id]);
    expect(await route({ title: 'الرقة تشكو نقص المياه' }, general.id)).toEqual([everything.id]); // the source's filter wants الفرات too
    expect(await route({ title: 'الرقة: منسوب الفرات ينخفض' }, general.id)).toEqual([raqqa.id, everything.id]);
    expect(await route({ title: 'أزمة في مصر' }, local.id)).toEqual([syriaOnly.id, everything.id]); // no filter for this source
    expect(await route({ title: 'الرقة اليوم' }, local.id)).toEqual([syriaOnly.id, raqqa.id, everything.id]);

    const r = await storeArticleIn(store, article({ title: 'خبر رياضي عام' }), { sourceId: general.id });
    if (r.status !== 'new') throw new Error('duplicate');
    expect(await queueAudienceIn(store, r.article, { kind: 'all' })).toBe(3);
  });

  it('go with their subscription and with their source', async () => {
    const { sources, subscriptions } = (await freshDatabase()).ports.repos;
    const src = await sources.add({ url: 'https://general.example/feed', kind: 'rss', name: 'عام' }, Date.now());
    const sub = await subscriptions.subscribe({ platform: 'telegram', chatId: '-1001', kind: 'channel' }, Date.now());
    await subscriptions.setSourceFilter(sub.id, src.id, ['سوريا'], Date.now());
    expect(await subscriptions.sourceFilters(sub.id)).toEqual([{ sourceId: src.id, topics: ['سوريا'] }]);
    await sources.remove(src.id);
    expect(await subscriptions.sourceFilters(sub.id)).toEqual([]);
  });
});

describe('no combination of filters and templates sends an article twice or loses one', () => {
  it('routes 60 random subscriptions × 40 articles exactly as the filters say, once, and renders every pairing', async () => {
    const db = await freshDatabase();
    const store = db.ports;
    const { repos } = store;
    let seed = 12;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const words = ['سوريا', 'الرقة', 'دير الزور', 'رياضة', 'اقتصاد', 'إدلب', 'حماة', 'كرة القدم'];
    const filter = () =>
      Array.from({ length: Math.floor(random() * 3) }, () => (random() < 0.3 ? '-' : '') + pick(words));
    const sources = [];
    for (const i of [1, 2, 3])
      sources.push(
        await repos.sources.add({ url: `https://s${i}.example/feed`, kind: 'rss', name: `s${i}` }, Date.now()),
      );
    const past = Date.now() - 60_000;
    const subs = [];
    for (let i = 0; i < 60; i++) {
      const s = await repos.subscriptions.subscribe(
        { platform: i % 2 ? 'telegram' : 'whatsapp', chatId: String(-1000 - i), kind: 'channel', topics: filter() },
        past,
      );
      if (random() < 0.4) await repos.subscriptions.setSourceFilter(s.id, pick(sources).id, filter(), Date.now());
      const template: MessageTemplate = {};
      if (random() < 0.5) template.showHashtags = random() < 0.5;
      if (random() < 0.5) template.headerMark = pick(['', '🔴', 'عاجل']);
      if (random() < 0.5) template.linkPreview = pick(['none', 'small', 'large'] as const);
      await repos.subscriptions.setTemplate(s.id, template, Date.now());
      subs.push(s);
    }
    const filters = new Map<number, Map<number, string[]>>();
    for (const src of sources) filters.set(src.id, await repos.audience.sourceFilters(src.id));
    for (let a = 0; a < 40; a++) {
      const title = `${pick(words)} و${pick(words)} ${a}`;
      const sourceId = pick(sources).id;
      const r = await storeArticleIn(
        store,
        article({
          title,
          paragraphs: [`تفاصيل ${pick(words)} في الخبر ${a}.`],
          categories: random() < 0.3 ? [pick(words)] : [],
        }),
        { sourceId },
      );
      if (r.status !== 'new') continue;
      await routeArticleIn(store, r.article);
      await routeArticleIn(store, r.article); // routed twice (a retry after a crash): still once each
      const expected = subs
        .filter(
          (s) =>
            matchesTopics(s.topics, r.article) &&
            (filters.get(sourceId)!.get(s.id) === undefined ||
              matchesTopics(filters.get(sourceId)!.get(s.id)!, r.article)),
        )
        .map((s) => s.id);
      const got = (await jobsOf(db, r.article.id)).map((d) => d.subscriptionId);
      expect(got.sort((x, y) => x - y)).toEqual(expected);
    }
    // Every queued delivery renders with its chat's template: the choices show, nothing throws.
    for (const platform of ['telegram', 'whatsapp']) {
      for (const d of await repos.jobs.next(platform, 10_000, 'oldest', Date.now(), { texts: false })) {
        if (d.kind !== 'post') continue;
        const text = renderArticle(
          (await repos.articles.get(d.articleId))!,
          plainMarkup,
          { timeZone: 'Asia/Damascus', template: {} },
          { template: d.template },
        );
        if (d.template.showHashtags === false) expect(text).not.toMatch(/#/);
        if (d.template.headerMark) expect(text.split('\n')[0]).toContain(d.template.headerMark);
      }
    }
  }, 120_000); // about 300 units and reads: a round trip per statement on PostgreSQL (30 s was too short under load)
});
