import type { JobRecord } from '../model/delivery.js';
import type { ArticleDelivery, DeliveryCounts, InDoubtDelivery, QueueDepth } from '../model/outbox.js';
import type { NewsroomDeps } from './deps.js';
import { chatWaits, type ChatWaits } from './waiting.js';

/**
 * The front doors' reads about the outbox (one table of jobs: posts, digest messages, edits and deletes): the Queue page, the in-doubt lists,
 * an article's deliveries, the sending statistics. Each is a thin question over the outbox's port so that the front
 * doors do not depend on how the outbox is kept.
 */
type Reader = Pick<NewsroomDeps, 'data'>;

export type { ArticleDelivery, DeliveryCounts, InDoubtDelivery, QueueDepth };

/** Per article, its deliveries counted by platform and state. */
export const deliveryCountsOf = (deps: Reader, articleIds: number[]): Promise<Map<number, DeliveryCounts>> =>
  deps.data.repos.outbox.countsOf(articleIds);

export const articleDeliveryCounts = (deps: Reader, articleId: number): Promise<DeliveryCounts> =>
  deps.data.repos.outbox.articleCounts(articleId);

export const articleDeliveries = (deps: Reader, articleId: number, limit: number): Promise<ArticleDelivery[]> =>
  deps.data.repos.outbox.articleDeliveries(articleId, limit);

/**
 * The story a reader's reply names: the post sent in that chat under that message id (`key`, or `key` and «_…», see
 * OutboxRepository.postsByMessage). `several` when the message carried more than one story (a digest), `none` when
 * it is no post of Nashra's in that chat.
 */
export async function postOfMessage(
  deps: Reader,
  platform: string,
  chatId: string,
  key: string,
): Promise<{ kind: 'post'; articleId: number; subscriptionId: number } | { kind: 'several' } | { kind: 'none' }> {
  const posts = await deps.data.repos.outbox.postsByMessage(platform, chatId, key);
  if (posts.length === 0) return { kind: 'none' };
  return posts.length > 1 ? { kind: 'several' } : { kind: 'post', ...posts[0]! };
}

/** One job of the outbox (a post, a digest message, an edit or a delete). */
export const jobById = (deps: Reader, id: number): Promise<JobRecord | undefined> => deps.data.repos.outbox.job(id);

/** Per platform: how many wait, since when, and how many retries are scheduled. */
export const queueDepth = (deps: Reader, now: number): Promise<QueueDepth[]> => deps.data.repos.outbox.queueDepth(now);

/** What waits for its chats' quiet hours or digest, per platform, with until when. */
export const waitingForChats = (deps: Reader, now: number): Promise<Map<string, ChatWaits>> =>
  chatWaits(deps.data.repos, now);

/** Deliveries a crash left in doubt, with their articles and chats (the desk's Queue page). */
export const inDoubtDeliveries = (deps: Reader, limit: number): Promise<InDoubtDelivery[]> =>
  deps.data.repos.outbox.inDoubtWithChats(limit);

/** Every job a crash left in doubt, of every kind, newest first (`nashra in-doubt list`). */
export const inDoubtOutbox = (deps: Reader, limit: number): Promise<JobRecord[]> =>
  deps.data.repos.outbox.inDoubt(limit);

export const sentPerHour = (
  deps: Reader,
  since: number,
): Promise<Array<{ platform: string; hour: number; count: number }>> => deps.data.repos.outbox.sentPerHour(since);

export const failuresByReason = (
  deps: Reader,
  since: number,
): Promise<Array<{ platform: string; reason: string; count: number }>> =>
  deps.data.repos.outbox.failuresByReason(since);
