import type { Article, StoredArticle } from '../model/article.js';
import { UserError } from '../errors.js';
import { contentHash, describeArticle, storyKey } from '../ingest/prepare.js';
import type { Store } from '../store/index.js';
import { canonicalUrl } from '../text/url.js';
import type { StoreOptions, StoreResult } from './pipeline.js';

/**
 * The synchronous store's versions of storeArticle and findArticle (src/newsroom/pipeline.ts), for the slices not on
 * the ports yet (broadcasts, corrections); this file goes once they are converted.
 */

export function storeArticleSync(store: Store, article: Article, opts: StoreOptions = {}): StoreResult {
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

export function findArticleSync(store: Store, ref: string): StoredArticle {
  const article = /^\d+$/.test(ref) ? store.articles.get(Number(ref)) : /^https?:\/\//i.test(ref) ? store.articles.getByUrl(canonicalUrl(ref)) : undefined;
  if (!article) throw new UserError(`no stored article ${ref} (give an id from nashra latest, or the URL of an ingested article)`);
  return article;
}
