import type { StoredArticle } from '../model/article.js';
import type { AuditEntry } from '../model/audit.js';
import type { Broadcast } from '../model/broadcast.js';
import type { Subscription } from '../model/subscription.js';
import type { TodayFilter } from '../model/today.js';

/** A broadcast as an article's page lists it. */
export type BroadcastSummary = Pick<Broadcast, 'id' | 'state' | 'editorId' | 'platform' | 'urgent' | 'createdAt'>;

/**
 * What the front doors show, read only: the lists and look-ups behind /latest, /search, the topic buttons and the
 * desk's pages (src/newsroom/queries.ts, search.ts, topics.ts). Every list is bounded (a limit or an index range),
 * so each answer is one short query whatever the size of the newsroom. Look-ups other ports already answer
 * (sources, subscriptions by id or chat, articles by id) are read there.
 */
export interface ReadRepository {
  /** The newest published articles, an urgent alert first while it is fresh (/latest on every platform). */
  latest(limit: number, now: number): Promise<StoredArticle[]>;
  /** Published articles holding every group of stems (src/text/stem.ts queryStems), best match first. */
  search(groups: string[][], limit: number): Promise<StoredArticle[]>;
  /** The categories the sources used since `since`, most used first. */
  recentCategories(since: number, limit: number): Promise<string[]>;
  /** The desk's Today list: filtered, searched on stems, paged by (recency, id). */
  today(filter: TodayFilter): Promise<StoredArticle[]>;
  /** The most common hashtags of the newest articles (the Today list's topic filter). */
  recentTopics(): Promise<string[]>;
  /** Articles per source per day (day = ms since the epoch / 86,400,000) since `since`. */
  articlesPerDay(since: number): Promise<Array<{ source: string; day: number; count: number }>>;
  /** The article's newest broadcasts (at most 20), newest first. */
  broadcastsOfArticle(articleId: number): Promise<BroadcastSummary[]>;
  /** Subscriptions by platform, kind and state, active ones first, then the newest. */
  findSubscriptions(filter: {
    platform?: string;
    kind?: string;
    active?: boolean;
    limit: number;
  }): Promise<Subscription[]>;
  /** The platforms that have (or had) subscriptions. */
  subscribedPlatforms(): Promise<string[]>;
  /** The audit log, newest first, by actor and action, keyset-paged by id. */
  audit(filter: { actor?: string; action?: string; beforeId?: number; limit: number }): Promise<AuditEntry[]>;
  /** The actors and actions the audit log holds (at most 200 of each). */
  auditChoices(): Promise<{ actors: string[]; actions: string[] }>;
}
