import type { StoredArticle } from '../model/article.js';
import type { AuditEntry } from '../model/audit.js';
import type { Audience, Broadcast } from '../model/broadcast.js';
import type { ArticleRevision } from '../model/correction.js';
import type { Source } from '../model/source.js';
import type { Subscription } from '../model/subscription.js';
import type { TodayFilter } from '../model/today.js';
import type { BroadcastSummary } from '../ports/index.js';
import { countAudience, type AudienceCount } from './audience.js';
import { postCounts, type PostCounts } from './corrections.js';
import type { NewsroomDeps } from './deps.js';

/**
 * What the front doors show (the desk's pages, the CLI's lists), read through the newsroom rather than from the
 * tables, so that a front door depends on these questions and not on how the store answers them. Reading writes
 * nothing and is not audited (the actions that change something are); each read is its own call on the ports'
 * repositories, outside any unit of work. The reads about the outbox (deliveries, corrections, digests) are in
 * outbox-queries.ts.
 */
type Reader = Pick<NewsroomDeps, 'data'>;

export type { TodayFilter };

export const articleById = (deps: Reader, id: number): Promise<StoredArticle | undefined> =>
  deps.data.repos.articles.get(id);

/** The newest articles (not the backlog marked seen, not what waits for review), a fresh urgent alert first (/latest on every platform). */
export const latestArticles = (deps: Reader, limit: number, now = Date.now()): Promise<StoredArticle[]> =>
  deps.data.repos.reads.latest(limit, now);

/** The desk's Today list: filtered, searched on stems, paged by (recency, id). */
export const todayArticles = (deps: Reader, filter: TodayFilter): Promise<StoredArticle[]> =>
  deps.data.repos.reads.today(filter);

/** The hashtags and categories of recent articles, to filter Today by. */
export const recentTopics = (deps: Reader): Promise<string[]> => deps.data.repos.reads.recentTopics();

export const revisionById = (deps: Reader, id: number): Promise<ArticleRevision | undefined> =>
  deps.data.repos.revisions.get(id);

/** Every followed source, paused ones included. */
export const followedSources = (deps: Reader): Promise<Source[]> => deps.data.repos.sources.list();

export const sourceById = (deps: Reader, id: number): Promise<Source | undefined> => deps.data.repos.sources.get(id);

export const subscriptionById = (deps: Reader, id: number): Promise<Subscription | undefined> =>
  deps.data.repos.subscriptions.get(id);

export const subscriptionByChat = (deps: Reader, platform: string, chatId: string): Promise<Subscription | undefined> =>
  deps.data.repos.subscriptions.findByChat(platform, chatId);

/** Every subscription, inactive ones with their reason. */
export const allSubscriptions = (deps: Reader): Promise<Subscription[]> => deps.data.repos.subscriptions.list();

/** The desk's Subscriptions page: filtered by platform, kind and state, bounded. */
export const findSubscriptions = (
  deps: Reader,
  filter: { platform?: string; kind?: string; active?: boolean; limit: number },
): Promise<Subscription[]> => deps.data.repos.reads.findSubscriptions(filter);

/** The platforms that have (or had) subscriptions. */
export const subscribedPlatforms = (deps: Reader): Promise<string[]> => deps.data.repos.reads.subscribedPlatforms();

export const broadcastById = (deps: Reader, id: number): Promise<Broadcast | undefined> =>
  deps.data.repos.broadcasts.get(id);

export const broadcastsOfArticle = (deps: Reader, articleId: number): Promise<BroadcastSummary[]> =>
  deps.data.repos.reads.broadcastsOfArticle(articleId);

/** How many an audience would reach now (what a broadcast's preview shows). */
export const audienceCount = (deps: Reader, article: StoredArticle, audience: Audience): Promise<AudienceCount> =>
  countAudience(deps.data.repos, article, audience);

/** Per platform, the posts of an article that a correction or retraction would touch. */
export const articlePosts = (deps: Pick<NewsroomDeps, 'data'>, articleId: number): Promise<PostCounts[]> =>
  postCounts(deps.data.repos, articleId);

/** The audit log, newest first, by actor and action, keyset-paged by id. */
export const auditEntries = (
  deps: Reader,
  filter: { actor?: string; action?: string; beforeId?: number; limit: number },
): Promise<AuditEntry[]> => deps.data.repos.reads.audit(filter);

/** The actors and actions the audit log holds, for its filters. */
export const auditChoices = (deps: Reader): Promise<{ actors: string[]; actions: string[] }> =>
  deps.data.repos.reads.auditChoices();

export const articlesPerDay = (
  deps: Reader,
  since: number,
): Promise<Array<{ source: string; day: number; count: number }>> => deps.data.repos.reads.articlesPerDay(since);

/** False once the process is shutting down (a live page stops asking). */
export const newsroomOpen = (deps: Reader): boolean => deps.data.isOpen();
