import type { Article, DuplicateMatch, StoredArticle } from '../model/article.js';
import { contentHash, describeArticle, storyKey, type PreparedArticle } from '../ingest/prepare.js';
import type { ArticleLookup, Repositories } from '../ports/index.js';
import { canonicalUrl } from '../text/url.js';
import type { SummaryOptions } from '../summary/summarize.js';
import { RefusedError } from '../refusal.js';
import { queueAudience } from './audience.js';

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

/**
 * Stores a new article, or records it as a duplicate of the one it repeats. Call it inside the action's unit of work
 * (`tx`): the duplicate check and the insert are then one transaction, so two sources bringing the same story at
 * once store it once.
 */
export async function storeArticle(
  tx: Pick<Repositories, 'articles' | 'articleWrites'>,
  article: Article,
  opts: StoreOptions = {},
): Promise<StoreResult> {
  const now = opts.now ?? Date.now();
  const prepared = opts.prepared;
  const keys = {
    url: article.url,
    guid: article.guid,
    storyKey: prepared?.storyKey ?? storyKey(article),
    contentHash: prepared?.contentHash ?? contentHash(article),
  };
  const match = await tx.articleWrites.findDuplicate(keys, now);
  if (match) {
    await tx.articleWrites.recordDuplicate(
      match,
      { sourceId: opts.sourceId, url: article.url, guid: article.guid },
      now,
    );
    return { status: 'duplicate', match, existing: (await tx.articles.get(match.articleId))! };
  }
  const { summary, hashtags: tags, searchText, searchTerms } = prepared ?? describeArticle(article, opts.summary);
  const stored = await tx.articleWrites.insert(
    {
      article,
      summary,
      hashtags: tags,
      contentHash: keys.contentHash,
      storyKey: keys.storyKey,
      searchText,
      searchTerms,
      sourceId: opts.sourceId,
      timeZone: opts.timeZone,
      seenOnly: opts.seenOnly,
      feedHash: opts.feedHash,
    },
    now,
  );
  return { status: 'new', article: stored };
}

/**
 * Queues a new article once for every active subscription whose topics match and that was active when the
 * article arrived (a subscription switched on later does not receive the backlog it missed). Inside the unit of
 * work that stored it (`tx`).
 */
export async function routeArticle(
  tx: Pick<Repositories, 'audience' | 'subscriptions'>,
  article: StoredArticle,
): Promise<number> {
  if (article.seenOnly || article.retracted) return 0;
  return queueAudience(tx, article, { kind: 'matching' }, { activeBefore: article.createdAt.getTime() });
}

/** An article by its id or (any form of) its URL, for editors' commands; a UserError names what was not found. */
export async function findArticle(
  articles: Pick<ArticleLookup, 'get' | 'getByUrl'>,
  ref: string,
): Promise<StoredArticle> {
  const article = /^\d+$/.test(ref)
    ? await articles.get(Number(ref))
    : /^https?:\/\//i.test(ref)
      ? await articles.getByUrl(canonicalUrl(ref))
      : undefined;
  if (!article) throw new RefusedError({ kind: 'no-article-ref', ref });
  return article;
}
