import { createHash } from 'node:crypto';
import type { Article } from '../model/article.js';
import { normalizeArabic, splitSentences } from '../text/arabic.js';
import { hashtags } from '../summary/hashtags.js';
import { UserError } from '../errors.js';
import type { Store, StoredArticle, DuplicateMatch } from '../store/index.js';
import { canonicalUrl } from '../text/url.js';
import { summarize, type SummaryOptions } from '../summary/summarize.js';
import { queueAudience } from './audience.js';
import { indexTerms } from '../text/stem.js';

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

/** What storing an article computes from its text alone: keys, summary, hashtags, search text and terms. */
export interface PreparedArticle {
  storyKey: string;
  contentHash: string;
  summary: string[];
  hashtags: string[];
  searchText: string;
  searchTerms: string;
}

export type StoreResult =
  | { status: 'new'; article: StoredArticle }
  | { status: 'duplicate'; match: DuplicateMatch; existing: StoredArticle };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Same story, whatever the URL: normalised title and opening sentence. */
export function storyKey(article: Pick<Article, 'title' | 'paragraphs'>): string {
  const opening = splitSentences(article.paragraphs.slice(0, 2).join('\n'))[0] ?? '';
  return sha256(`${simplify(article.title)}\n${simplify(opening)}`);
}

export function contentHash(article: Pick<Article, 'paragraphs'>): string {
  return sha256(simplify(article.paragraphs.join('\n')));
}

/** What /search indexes: title, summary, categories and the opening of the body, normalised. */
export function searchTextOf(article: Pick<Article, 'title' | 'categories' | 'paragraphs'>, summary: string[]): string {
  return simplify([article.title, ...summary, ...article.categories, article.paragraphs.join(' ').slice(0, 4000)].join(' '));
}

const simplify = (s: string) => normalizeArabic(s).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** A pure function of the article, so it may run on another thread. */
export function prepareArticle(article: Article, options?: SummaryOptions): PreparedArticle {
  return { storyKey: storyKey(article), contentHash: contentHash(article), ...describe(article, options) };
}

/** Only a new article needs these (a duplicate is not summarised). */
function describe(article: Article, options?: SummaryOptions): Pick<PreparedArticle, 'summary' | 'hashtags' | 'searchText' | 'searchTerms'> {
  const summary = summarize({ title: article.title, paragraphs: article.paragraphs }, options);
  const searchText = searchTextOf(article, summary);
  return {
    summary, searchText, searchTerms: indexTerms(searchText),
    hashtags: hashtags({ title: article.title, paragraphs: article.paragraphs, categories: article.categories }),
  };
}

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
    const { summary, hashtags: tags, searchText, searchTerms } = prepared ?? describe(article, opts.summary);
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
  return queueAudience(store, article, { kind: 'matching' }, { activeBefore: article.createdAt.getTime() });
}

/** An article by its id or (any form of) its URL, for editors' commands; a UserError names what was not found. */
export function findArticle(store: Store, ref: string): StoredArticle {
  const article = /^\d+$/.test(ref) ? store.articles.get(Number(ref)) : /^https?:\/\//i.test(ref) ? store.articles.getByUrl(canonicalUrl(ref)) : undefined;
  if (!article) throw new UserError(`no stored article ${ref} (give an id from nashra latest, or the URL of an ingested article)`);
  return article;
}
