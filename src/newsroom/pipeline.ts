import type { Article } from '../model/article.js';
import { UserError } from '../errors.js';
import { contentHash, describeArticle, storyKey, type PreparedArticle } from '../ingest/prepare.js';
import type { Store, StoredArticle, DuplicateMatch } from '../store/index.js';
import { canonicalUrl } from '../text/url.js';
import type { SummaryOptions } from '../summary/summarize.js';
import { queueAudienceSync } from './audience.js';

/** The core path every article takes: summarise, de-duplicate, store, route to subscribers. */

export interface StoreOptions {
  sourceId?: number;
  timeZone?: string;
  /** Stored as already seen: never routed (a source's backlog when it is first added). */
  seenOnly?: boolean;
  /** The item as its source published it (the poller's fingerprint): a later poll notices a change against it. */
  feedHash?: string;
  summary?: SummaryOptions;
  /** prepareArticle(article, summary) made ahead (the poller makes a new feed's on its feed thread). */
  prepared?: PreparedArticle;
  now?: number;
}

export type StoreResult =
  | { status: 'new'; article: StoredArticle }
  | { status: 'duplicate'; match: DuplicateMatch; existing: StoredArticle };

export function storeArticle(store: Store, article: Article, opts: StoreOptions = {}): StoreResult {
  const now = opts.now ?? Date.now();
  const prepared = opts.prepared;
  const keys = { url: article.url, guid: article.guid, storyKey: prepared?.storyKey ?? storyKey(article), contentHash: prepared?.contentHash ?? contentHash(article) };
  return store.transaction((): StoreResult => {
    const match = store.articles.findDuplicate(keys, now);
    if (match) {
      store.articles.recordDuplicate(match, { sourceId: opts.sourceId, url: article.url, guid: article.guid }, now);
      return { status: 'duplicate', match, existing: store.articles.get(match.articleId)! };
    }
    const { summary, hashtags: tags, searchText, searchTerms } = prepared ?? describeArticle(article, opts.summary);
    const id = store.articles.insert({
      article, summary, hashtags: tags, contentHash: keys.contentHash, storyKey: keys.storyKey, searchText, searchTerms,
      sourceId: opts.sourceId, timeZone: opts.timeZone, seenOnly: opts.seenOnly, feedHash: opts.feedHash,
    }, now);
    return { status: 'new', article: store.articles.get(id)! };
  });
}

/**
 * Queues a new article once for every active subscription whose topics match and that was active when the
 * article arrived (a subscription switched on later does not receive the backlog it missed).
 */
export function routeArticle(store: Store, article: StoredArticle): number {
  if (article.seenOnly || article.retracted) return 0;
  return queueAudienceSync(store, article, { kind: 'matching' }, { activeBefore: article.createdAt.getTime() });
}

/** An article by its id or (any form of) its URL, for editors' commands; a UserError names what was not found. */
export function findArticle(store: Store, ref: string): StoredArticle {
  const article = /^\d+$/.test(ref) ? store.articles.get(Number(ref)) : /^https?:\/\//i.test(ref) ? store.articles.getByUrl(canonicalUrl(ref)) : undefined;
  if (!article) throw new UserError(`no stored article ${ref} (give an id from nashra latest, or the URL of an ingested article)`);
  return article;
}
