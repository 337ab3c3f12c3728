import type { JobRecord } from '../model/delivery.js';
import type { ArticleDelivery, DeliveryCounts, InDoubtDelivery, QueueDepth } from '../store/index.js';
import type { NewsroomDeps } from './deps.js';
import { chatWaits, type ChatWaits } from './waiting.js';

/**
 * The front doors' reads about the outbox (one table of jobs: posts, digest messages, edits and deletes): the Queue page, the in-doubt lists,
 * an article's deliveries, the sending statistics. Each is a thin question over today's store so that the front
 * doors do not depend on how the outbox is kept.
 */
type Reader = Pick<NewsroomDeps, 'store'>;

export type { ArticleDelivery, DeliveryCounts, InDoubtDelivery, QueueDepth };

/** Per article, its deliveries counted by platform and state. */
export const deliveryCountsOf = (deps: Reader, articleIds: number[]): Map<number, DeliveryCounts> => deps.store.desk.deliveryCounts(articleIds);

export const articleDeliveryCounts = (deps: Reader, articleId: number): DeliveryCounts => deps.store.desk.articleCounts(articleId);

export const articleDeliveries = (deps: Reader, articleId: number, limit: number): ArticleDelivery[] => deps.store.desk.articleDeliveries(articleId, limit);

/** One job of the outbox (a post, a digest message, an edit or a delete). */
export const jobById = (deps: Reader, id: number): JobRecord | undefined => deps.store.jobs.get(id);

/** Per platform: how many wait, since when, and how many retries are scheduled. */
export const queueDepth = (deps: Reader, now: number): QueueDepth[] => deps.store.desk.queue(now);

/** What waits for its chats' quiet hours or digest, per platform, with until when. */
export const waitingForChats = (deps: Reader, now: number): Map<string, ChatWaits> => chatWaits(deps.store, now);

/** Deliveries a crash left in doubt, with their articles and chats (the desk's Queue page). */
export const inDoubtDeliveries = (deps: Reader, limit: number): InDoubtDelivery[] => deps.store.desk.inDoubt(limit);

/** Every job a crash left in doubt, of every kind, newest first (`nashra in-doubt list`). */
export const inDoubtOutbox = (deps: Reader, limit: number): JobRecord[] => deps.store.jobs.inDoubt(limit);

export const sentPerHour = (deps: Reader, since: number): Array<{ platform: string; hour: number; count: number }> => deps.store.desk.sentPerHour(since);

export const failuresByReason = (deps: Reader, since: number): Array<{ platform: string; reason: string; count: number }> => deps.store.desk.failuresByReason(since);
