import type { StoredArticle } from '../model/article.js';
import type { AuditEntry } from '../model/audit.js';
import type { Audience, Broadcast } from '../model/broadcast.js';
import type { ArticleRevision } from '../model/correction.js';
import type { Source } from '../model/source.js';
import type { Subscription } from '../model/subscription.js';
import type { TodayFilter } from '../store/index.js';
import { countAudienceSync, type AudienceCount } from './audience.js';
import { postCounts, type PostCounts } from './corrections.js';
import type { NewsroomDeps } from './deps.js';

/**
 * What the front doors show (the desk's pages, the CLI's lists), read through the newsroom rather than from the
 * tables, so that a front door depends on these questions and not on how the store answers them. Reading writes
 * nothing and is not audited (the actions that change something are); the reads about the outbox (deliveries,
 * corrections, digests) are in outbox-queries.ts.
 */
type Reader = Pick<NewsroomDeps, 'store'>;

export type { TodayFilter };

export const articleById = (deps: Reader, id: number): StoredArticle | undefined => deps.store.articles.get(id);

/** The newest articles (not the backlog marked seen, not what waits for review), a fresh urgent alert first (/latest on every platform). */
export const latestArticles = (deps: Reader, limit: number): StoredArticle[] => deps.store.articles.latest(limit);

/** The desk's Today list: filtered, searched on stems, paged by (recency, id). */
export const todayArticles = (deps: Reader, filter: TodayFilter): StoredArticle[] => deps.store.desk.today(filter);

/** The hashtags and categories of recent articles, to filter Today by. */
export const recentTopics = (deps: Reader): string[] => deps.store.desk.recentTopics();

export const revisionById = (deps: Reader, id: number): ArticleRevision | undefined => deps.store.revisions.get(id);

/** Every followed source, paused ones included. */
export const followedSources = (deps: Reader): Source[] => deps.store.sources.list();

export const sourceById = (deps: Reader, id: number): Source | undefined => deps.store.sources.get(id);

export const subscriptionById = (deps: Reader, id: number): Subscription | undefined => deps.store.subscriptions.get(id);

export const subscriptionByChat = (deps: Reader, platform: string, chatId: string): Subscription | undefined =>
  deps.store.subscriptions.findByChat(platform, chatId);

/** Every subscription, inactive ones with their reason. */
export const allSubscriptions = (deps: Reader): Subscription[] => deps.store.subscriptions.list();

/** The desk's Subscriptions page: filtered by platform, kind and state, bounded. */
export const findSubscriptions = (deps: Reader, filter: { platform?: string; kind?: string; active?: boolean; limit: number }): Subscription[] =>
  deps.store.desk.subscriptions(filter);

/** The platforms that have (or had) subscriptions. */
export const subscribedPlatforms = (deps: Reader): string[] => deps.store.subscriptions.counts().map((c) => c.platform);

export const broadcastById = (deps: Reader, id: number): Broadcast | undefined => deps.store.broadcasts.get(id);

export const broadcastsOfArticle = (deps: Reader, articleId: number): ReturnType<NewsroomDeps['store']['desk']['broadcastsForArticle']> =>
  deps.store.desk.broadcastsForArticle(articleId);

/** How many an audience would reach now (what a broadcast's preview shows). */
export const audienceCount = (deps: Reader, article: StoredArticle, audience: Audience): AudienceCount => countAudienceSync(deps.store, article, audience);

/** Per platform, the posts of an article that a correction or retraction would touch. */
export const articlePosts = (deps: Pick<NewsroomDeps, 'data'>, articleId: number): Promise<PostCounts[]> => postCounts(deps.data.repos, articleId);

/** The audit log, newest first, by actor and action, keyset-paged by id. */
export const auditEntries = (deps: Reader, filter: { actor?: string; action?: string; beforeId?: number; limit: number }): AuditEntry[] =>
  deps.store.desk.audit(filter);

/** The actors and actions the audit log holds, for its filters. */
export const auditChoices = (deps: Reader): { actors: string[]; actions: string[] } => deps.store.desk.auditChoices();

export const articlesPerDay = (deps: Reader, since: number): Array<{ source: string; day: number; count: number }> => deps.store.desk.articlesPerDay(since);

/** False once the process is shutting down (a live page stops asking). */
export const newsroomOpen = (deps: Reader): boolean => deps.store.isOpen;
