import type { AudienceQuery } from '../model/broadcast.js';
import type { DeliveryState } from '../model/delivery.js';

/** A subscription that filters (by its topics or by a filter for a source): matched on its topics in the newsroom. */
export interface FilterTarget {
  id: number;
  platform: string;
  topics: string[];
}

/**
 * Who receives an article: the reads that pick an audience and the writes that queue its posts. SQL selects the
 * subscriptions it can alone (`AudienceQuery`); the newsroom matches the filtering ones and names them (`listed`).
 * A post is queued at most once per article and chat: both writes skip a chat that has (or had) one.
 */
export interface AudienceRepository {
  /** Active subscriptions that filter, active since before `activeBefore` (only what matching needs). */
  filterTargets(sourceId: number | undefined, activeBefore?: number): Promise<FilterTarget[]>;
  /** Each subscription's own filter for this source, by subscription id. */
  sourceFilters(sourceId: number): Promise<Map<number, string[]>>;
  /** The SQL part of an audience: how many it holds, how many already have the article, how many it failed for. */
  count(articleId: number, query: AudienceQuery): Promise<{ total: number; already: number; failed: number }>;
  /** Subscriptions that have (or had) a post of the article, with its state. */
  postStates(articleId: number): Promise<Map<number, DeliveryState>>;
  /** Queues a post for the SQL part of an audience; how many were new. */
  queueSelected(articleId: number, query: AudienceQuery & QueueOptions, now: number): Promise<number>;
  /** Queues a post for each listed subscription; how many were new. */
  queueListed(articleId: number, subscriptionIds: number[], opts: QueueOptions, now: number): Promise<number>;
}

/** `notBefore`: a scheduled broadcast's time (its posts wait in the outbox until then). */
export interface QueueOptions {
  broadcastId?: number;
  priority?: number;
  notBefore?: number;
}
