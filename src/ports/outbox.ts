import type { JobKind, JobRecord, PlatformState, DeliveryState } from '../model/delivery.js';
import type {
  ArticleDelivery,
  ChatWaitGroup,
  DeliveryCounts,
  DigestSubscription,
  InDoubtDelivery,
  QueueDepth,
} from '../model/outbox.js';

/**
 * The outbox as the newsroom's actions and queries see it: an editor's verdicts on jobs left in doubt, resending
 * what failed, and the counts and waits every front door shows. (The worker's own loop has its port apart.)
 */
export interface OutboxRepository {
  /** One job of any kind (a post, a digest message, an edit or a delete). */
  job(id: number): Promise<JobRecord | undefined>;
  /** The editor's verdict on a job in doubt (`sent`, or `queued` to send again); false when it is not in doubt. */
  resolveInDoubt(id: number, to: 'sent' | 'queued', note: string, now: number): Promise<boolean>;
  /** An article's failed posts queued again for chats still subscribed: the temporary failures, or every one. */
  requeueFailed(articleId: number, everyFailure: boolean, note: string): Promise<number>;
  /** How many of an article's posts are failed. */
  failedCount(articleId: number): Promise<number>;
  /** The broadcast a front door names by its id: which article it sent, and whether it was sent at all. */
  broadcastOf(broadcastId: number): Promise<{ articleId: number; state: string } | undefined>;
  /** The article's failed posts were queued again: the broadcasts that sent it run again, so their progress shows them. */
  reopenBroadcastsOf(articleId: number, now: number): Promise<void>;
  /** Jobs of every kind a crash left in doubt, newest first. */
  inDoubt(limit: number): Promise<JobRecord[]>;
  /** The same with their articles and chats (the desk's Queue page). */
  inDoubtWithChats(limit: number): Promise<InDoubtDelivery[]>;
  /** Per article, its posts counted by platform and state. */
  countsOf(articleIds: number[]): Promise<Map<number, DeliveryCounts>>;
  articleCounts(articleId: number): Promise<DeliveryCounts>;
  articleDeliveries(articleId: number, limit: number): Promise<ArticleDelivery[]>;
  /**
   * The sent posts in a chat whose message id is `key`, or `key` followed by «_» and more (at most 2: a digest's
   * message carries several posts): what a reader's reply to a post names.
   */
  postsByMessage(
    platform: string,
    chatId: string,
    key: string,
  ): Promise<Array<{ articleId: number; subscriptionId: number }>>;
  /** Per platform: how many wait, since when, and how many retries are scheduled. */
  queueDepth(now: number): Promise<QueueDepth[]>;
  /** Posts that may wait for their chat (all, or one broadcast's), grouped: the newsroom decides which do and until when. */
  chatWaitGroups(now: number, broadcastId?: number): Promise<ChatWaitGroup[]>;
  /** Jobs of these kinds per platform and state. */
  countsByState(kinds: readonly JobKind[]): Promise<Array<{ platform: string; state: DeliveryState; count: number }>>;
  /** Jobs of these kinds per state, every platform together. */
  totalsByState(kinds: readonly JobKind[]): Promise<Partial<Record<DeliveryState, number>>>;
  /** Age in ms of the oldest post not finished yet; undefined when none waits. */
  oldestPendingAge(now: number): Promise<number | undefined>;
  /** Per platform, posts of scheduled broadcasts whose time has not come, and the first such time. */
  scheduledPosts(now: number): Promise<Array<{ platform: string; count: number; next: number }>>;
  sentPerHour(since: number): Promise<Array<{ platform: string; hour: number; count: number }>>;
  failuresByReason(since: number): Promise<Array<{ platform: string; reason: string; count: number }>>;
}

/**
 * Closing digests: the posts a digest subscription held for a period become the digest's messages, once per period
 * (the digest's unique key), and a digest message not sent yet is rebuilt without an article retracted since.
 */
export interface DigestRepository {
  /** Every active digest subscription with the last period closed for it. */
  subscriptions(): Promise<DigestSubscription[]>;
  /** What a subscription holds for its next digest: queued up to the period's end, in no digest yet. */
  heldFor(subscriptionId: number, until: number): Promise<Array<{ id: number; articleId: number }>>;
  /** The period's digest, opened; undefined when it was closed already (nothing to do). */
  open(subscriptionId: number, periodEnd: number, items: number, now: number): Promise<number | undefined>;
  /** One message of the digest, carrying these held posts. */
  addMessage(
    digestId: number,
    part: number,
    parts: number,
    text: string,
    postIds: readonly number[],
    now: number,
  ): Promise<number>;
  /** A held post of a retracted article: every job of the article not gone is cancelled with the reason. */
  cancelRetracted(articleId: number, reason: string, now: number): Promise<number>;
  /** A digest message not sent yet carries a post cancelled since (its text must be rebuilt). */
  isStale(digestJobId: number): Promise<boolean>;
  /** The posts still carried by the digest's messages not sent yet. */
  carried(digestId: number): Promise<Array<{ id: number; articleId: number }>>;
  /** The digest's messages not sent yet, rewritten as these (those left over skipped with the reason). */
  rewrite(
    digestId: number,
    messages: ReadonlyArray<{ text: string; deliveries: readonly number[] }>,
    reason: string,
    now: number,
  ): Promise<void>;
}

/** What the statistics read beyond the outbox: how much is stored, and whether the runner and its platforms are up. */
export interface SystemStatusRepository {
  articleCount(): Promise<number>;
  subscriptionCounts(): Promise<Array<{ platform: string; active: number; inactive: number }>>;
  /** `nashra run` holds its lease now. */
  runnerAlive(now: number): Promise<boolean>;
  /** Each platform's connection as the running `nashra run` last saw it. */
  platformStates(): Promise<PlatformState[]>;
}
