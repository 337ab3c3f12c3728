/**
 * The ports: what the newsroom, ingest and the delivery worker need of the database, per aggregate, every method asynchronous, and the
 * unit of work that makes one action's writes one transaction. The store (src/store/sqlite-ports.ts) is the first
 * adapter; a database served over the network (PostgreSQL, issue 24) is meant to be the second, which is why:
 *
 * - every method returns a Promise (a networked database answers later; SQLite's answer is simply ready at once);
 * - a unit of work hands its repositories in (`run(async (tx) => …)`): every statement of the unit goes through `tx`,
 *   which on PostgreSQL is one client checked out of the pool for the unit, so nothing may reach outside it;
 * - no method takes or returns a closure to run inside the database, nor a row, a statement or a connection.
 *
 * This folder holds types only and imports nothing but the model: the newsroom, ingest, the worker and the store's
 * adapter all import it, and it imports none of them (a port in src/newsroom would make src/ingest import the
 * newsroom and the store's adapter import it too: two import cycles). One file per slice beside this one (audience,
 * articles, broadcasts, clicks and reach, corrections, editors, full-story, jobs, outbox, reactions, reads); the
 * sources, push, subscriptions, article look-ups and audit are here.
 */
import type { AuditAction } from '../model/audit.js';
import type { DeliverySettings, SubscribeInput, Subscription } from '../model/subscription.js';
import type { FetchOutcome, NewSource, Source, WebSubState, WebSubSubscription } from '../model/source.js';
import type { MessageTemplate } from '../model/template.js';
import type { StoredArticle } from '../model/article.js';
import type { ArticleRepository, ReviewRepository } from './articles.js';
import type { AudienceRepository } from './audience.js';
import type { BroadcastRepository } from './broadcasts.js';
import type { ClickRepository, ReachRepository } from './clicks.js';
import type { CorrectionRepository, RevisionRepository } from './corrections.js';
import type { DeskAccountRepository, EditorRepository, SessionRepository } from './editors.js';
import type { DigestRepository, OutboxRepository, SystemStatusRepository } from './outbox.js';
import type { JobRepository } from './jobs.js';
import type { FullStoryRepository } from './full-story.js';
import type { ReadRepository } from './reads.js';
import type { ReactionRepository } from './reactions.js';
import type { OutletRepository } from './outlets.js';

export * from './articles.js';
export * from './audience.js';
export * from './broadcasts.js';
export * from './clicks.js';
export * from './corrections.js';
export * from './editors.js';
export * from './full-story.js';
export * from './jobs.js';
export * from './outlets.js';
export * from './outbox.js';
export * from './reads.js';
export * from './reactions.js';

/** The sources a newsroom follows, and what each poll records on them. */
export interface SourceRepository {
  add(source: NewSource, now: number): Promise<Source>;
  get(id: number): Promise<Source | undefined>;
  list(): Promise<Source[]>;
  /** Active sources whose next fetch time has come (all active ones when `now` is Infinity). */
  due(now: number): Promise<Source[]>;
  /** False when there was no such source. Its articles stay (and keep de-duplicating). */
  remove(id: number): Promise<boolean>;
  /** Pause or resume; a resumed source marks what was published meanwhile as seen (primed again, no backfill). */
  setActive(id: number, active: boolean): Promise<void>;
  /** Due now: the running poller takes it on its next tick. False when it is paused or gone. */
  pollSoon(id: number): Promise<boolean>;
  /** The first successful poll marked the backlog seen. */
  markPrimed(id: number, now: number): Promise<void>;
  /** A poll's outcome: status, validators (ETag, Last-Modified), failures counted, the next fetch time. */
  recordFetch(id: number, outcome: FetchOutcome, now: number): Promise<void>;
  /** How many active subscriptions the source's articles were queued for (the first poll's report). */
  subscriptionsReached(id: number): Promise<number>;
}

/** Push ingest's bookkeeping: each source's publish-hook secret, its WebSub subscription, and the replay window. */
export interface PushRepository {
  hookSecret(sourceId: number): Promise<string | undefined>;
  /** False when there is no such source. `undefined` turns the hook off. */
  setHookSecret(sourceId: number, secret: string | undefined): Promise<boolean>;
  /** True the first time a key is seen for a source within `windowMs`; older keys are forgotten. */
  firstSeen(sourceId: number, key: string, windowMs: number, now: number): Promise<boolean>;
  websub(sourceId: number): Promise<WebSubSubscription | undefined>;
  /** A hub found in the feed: a subscription to make (kept as it is when the hub and topic are the same). */
  discovered(sourceId: number, hub: string, topic: string, secret: string, now: number): Promise<void>;
  setWebSubState(
    sourceId: number,
    state: WebSubState,
    opts: { requestedAt?: number; error?: string },
    now: number,
  ): Promise<void>;
  /** The hub verified the request outstanding: active until `expiresAt`. False (nothing changed) when none is. */
  webSubActive(sourceId: number, leaseSeconds: number, expiresAt: number, now: number): Promise<boolean>;
  /** The hub verified an unsubscription Nashra asked for: the subscription goes. */
  webSubGone(sourceId: number): Promise<boolean>;
  /** The hub denied the request outstanding. False (nothing changed) when none is. */
  webSubDenied(sourceId: number, error: string, now: number): Promise<boolean>;
  /** The request to the hub failed: noted, asked again after the retry delay. */
  webSubFailed(sourceId: number, error: string, now: number): Promise<void>;
  /** Subscriptions of removed or paused sources marked for unsubscribing; then those with something to do. */
  webSubDue(
    now: number,
    opts: { retryAfterMs: number; deniedRetryAfterMs: number; maxLeaseMs: number },
  ): Promise<WebSubSubscription[]>;
  /** A hub pushes this source's items (a lease that has not ended): polling slows down. */
  webSubIsActive(sourceId: number, now: number): Promise<boolean>;
}

/** What every slice asks of the stored articles (the articles aggregate's writes come with its slice). */
export interface ArticleLookup {
  get(id: number): Promise<StoredArticle | undefined>;
  /** By its canonical URL (src/text/url.ts). */
  getByUrl(url: string): Promise<StoredArticle | undefined>;
  /** The article stored under this URL or GUID, if any: the same item seen again (only URL and GUID compared). */
  known(url: string | undefined, guid: string | undefined): Promise<StoredArticle | undefined>;
  /** The fingerprint of the item as the source served it last, to notice a change at the next poll. */
  setFeedHash(id: number, feedHash: string): Promise<void>;
}

/**
 * The chats that receive news, with what each chose: its delivery settings, its own template and its filters per
 * source. Two methods reach the outbox's jobs (narrowly, until the outbox has its own port): a deactivation cancels
 * what is queued for the chat, and a return to immediate delivery releases what a digest held.
 */
export interface SubscriptionRepository {
  get(id: number): Promise<Subscription | undefined>;
  findByChat(platform: string, chatId: string): Promise<Subscription | undefined>;
  list(): Promise<Subscription[]>;
  active(): Promise<Subscription[]>;
  /** Subscribes, or reactivates the chat's row (its history kept: nothing is sent twice); settings left undefined are kept. */
  subscribe(input: SubscribeInput, now: number): Promise<Subscription>;
  setTopics(id: number, topics: string[]): Promise<void>;
  /** Deactivated with the reason, and its queued jobs failed with it; `deactivated` false when it was not active. */
  deactivate(id: number, reason: string, now: number): Promise<{ deactivated: boolean; cancelled: number }>;
  /** The chat moved to a new id (a group became a supergroup); false when the new id has a subscription already. */
  migrateChat(platform: string, fromChatId: string, toChatId: string): Promise<boolean>;
  /** Its delivery settings; undefined when it never chose (the defaults and the configured zone apply). */
  delivery(id: number): Promise<DeliverySettings | undefined>;
  setDelivery(id: number, settings: DeliverySettings, now: number): Promise<void>;
  /** Back to immediate: what it held for a digest not yet closed is queued as usual. How many. */
  releaseHeld(id: number): Promise<number>;
  /** The chat's own template choices ({} when none). */
  template(id: number): Promise<MessageTemplate>;
  /** Replaces them; an empty template removes the chat's own. */
  setTemplate(id: number, template: MessageTemplate, now: number): Promise<void>;
  sourceFilters(id: number): Promise<Array<{ sourceId: number; topics: string[] }>>;
  /** [] removes the filter for that source. */
  setSourceFilter(id: number, sourceId: number, topics: string[], now: number): Promise<void>;
}

/** The audit log: one entry per newsroom action (`object.verb`), written in the action's unit of work. */
export interface AuditRepository {
  record(
    platform: string,
    actor: string,
    action: AuditAction,
    detail: Record<string, unknown>,
    now: number,
  ): Promise<void>;
}

/** The repositories a unit of work hands in; outside a unit, the same ones, each call its own transaction. */
export interface Repositories {
  readonly sources: SourceRepository;
  readonly push: PushRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly articles: ArticleLookup;
  readonly audit: AuditRepository;
  readonly audience: AudienceRepository;
  readonly revisions: RevisionRepository;
  readonly corrections: CorrectionRepository;
  readonly broadcasts: BroadcastRepository;
  /** The articles aggregate's writes (storing, duplicates, edits); its shared reads are `articles`. */
  readonly articleWrites: ArticleRepository;
  readonly reviews: ReviewRepository;
  readonly editors: EditorRepository;
  readonly deskAccounts: DeskAccountRepository;
  readonly sessions: SessionRepository;
  /** The outlets' registry and desk memberships: meaningful in the first outlet's database (`main`) only. */
  readonly outlets: OutletRepository;
  readonly reads: ReadRepository;
  readonly outbox: OutboxRepository;
  readonly digests: DigestRepository;
  readonly status: SystemStatusRepository;
  readonly jobs: JobRepository;
  /** Reactions to sent posts, counted per post and emoji. */
  readonly reactions: ReactionRepository;
  readonly fullStory: FullStoryRepository;
  /** Posts' link codes and their clicks counted per hour. */
  readonly clicks: ClickRepository;
  /** Reach: sums over the clicks and the posts sent. */
  readonly reach: ReachRepository;
}

/**
 * All the writes of one action in one transaction, the audit entry included: committed when `work` resolves,
 * rolled back when it rejects (and the rejection passed on). Units are isolated from each other: two actions in one
 * process interleaving at an `await` never share a transaction. Inside `work`, every statement goes through `tx`,
 * and nothing else is awaited (no fetch, no timer: a transaction is held only for as long as its statements take).
 */
export interface UnitOfWork {
  run<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
}

/** What the wiring hands the newsroom and ingest: the unit of work, the repositories for reads, and fault triage. */
export interface DataPorts {
  readonly uow: UnitOfWork;
  /** Reads (and a single write that needs no unit), each its own transaction, never inside another unit's. */
  readonly repos: Repositories;
  /**
   * True for a fault no retry inside the process can fix (a full disk, a read-only or damaged database): the
   * caller stops the run instead of blaming a source, and what was not written is done after the restart.
   */
  isStorageFault(err: unknown): boolean;
  /**
   * A consistent copy of the whole database at `destination` (a file), safe while the service writes: SQLite's
   * online backup; a networked database would use its own dump. Never asked inside a unit of work.
   */
  backup(destination: string): Promise<void>;
  /**
   * True for a write refused because the database is held (SQLite: locked by another process past the busy timeout):
   * nothing of it was written, and the same write may be tried again later.
   */
  isBusy(err: unknown): boolean;
  /** False once the database was closed (the run stopped): nothing more can be read or written. */
  isOpen(): boolean;
}
