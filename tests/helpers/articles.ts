import type { Article, StoredArticle } from '../../src/model/article.js';
import { routeArticle, storeArticle, type StoreOptions, type StoreResult } from '../../src/newsroom/pipeline.js';
import { countAudience, queueAudience, type AudienceCount } from '../../src/newsroom/audience.js';
import type { Audience } from '../../src/model/broadcast.js';
import type { DataPorts } from '../../src/ports/index.js';
import type { Store } from '../../src/store/index.js';

/** The store's ports, or ports already (either adapter's). */
const portsOf = (db: Store | DataPorts): DataPorts => ('ports' in db ? db.ports() : db);

/**
 * The newsroom's storeArticle and routeArticle, each in a unit of work of its own on the store's ports: how tests
 * and benches put articles in place (an action stores and routes in its one unit; these are two).
 */
export function storeArticleIn(store: Store | DataPorts, article: Article, opts?: StoreOptions): Promise<StoreResult> {
  return portsOf(store).uow.run((tx) => storeArticle(tx, article, opts));
}

export function routeArticleIn(store: Store | DataPorts, article: StoredArticle): Promise<number> {
  return portsOf(store).uow.run((tx) => routeArticle(tx, article));
}

/** queueAudience in a unit of work of its own (an action queues in its one unit). */
export function queueAudienceIn(
  store: Store | DataPorts,
  article: StoredArticle,
  audience: Audience,
  opts?: Parameters<typeof queueAudience>[3],
): Promise<number> {
  return portsOf(store).uow.run((tx) => queueAudience(tx, article, audience, opts));
}

export function countAudienceIn(
  store: Store | DataPorts,
  article: StoredArticle,
  audience: Audience,
): Promise<AudienceCount> {
  return countAudience(portsOf(store).repos, article, audience);
}

/** Article number `n`, new (two short paragraphs with its number), stored in a unit of its own. */
export async function storeNumberedArticle(store: Store | DataPorts, n: number): Promise<StoredArticle> {
  const r = await storeArticleIn(store, {
    url: `https://news.example/${n}`,
    title: `خبر رقم ${n}`,
    source: 'مثال',
    categories: [],
    language: 'ar',
    paragraphs: [`تفاصيل الخبر رقم ${n} في فقرة أولى طويلة بما يكفي للملخص.`, `فقرة ثانية عن الخبر ${n}.`],
  });
  if (r.status !== 'new') throw new Error(`article ${n} was stored already`);
  return r.article;
}

/**
 * Article `n` as a feed gives it: a bridge opened in Homs, its number in the title and both paragraphs (so no two
 * are near-duplicates), no date, no category; `over` replaces any field.
 */
export function bridgeArticle(n: number, over: Partial<Article> = {}): Article {
  return {
    url: `https://example.org/news/${n}`,
    title: `افتتاح الجسر رقم ${n} في مدينة حمص`,
    source: 'SY24',
    categories: [],
    language: 'ar',
    paragraphs: [
      `أعلنت السلطات المحلية افتتاح الجسر رقم ${n} بعد أشهر من العمل المتواصل في المدينة.`,
      `وقال مسؤولون إن الجسر رقم ${n} سيخدم آلاف السكان في الأحياء المجاورة خلال الأعوام المقبلة.`,
    ],
    ...over,
  };
}
