/**
 * The ports (src/ports) over SQLite: the first adapter, over the same tables and prepared statements as the rest of
 * the store. better-sqlite3 answers at once, so each method runs its statement synchronously and returns a settled
 * promise; what makes it a unit of work is the transaction around a unit and the queue in front of it.
 *
 * - A unit is BEGIN IMMEDIATE … COMMIT (ROLLBACK when its work rejects). IMMEDIATE takes SQLite's write lock at the
 *   start, so a unit never fails half-way for a lock another process holds: it waits at BEGIN, up to the busy
 *   timeout (5 s, src/store/index.ts), and when that runs out nothing was written (isLockedError tells so).
 * - One connection serves the whole process, so a transaction open on it is everyone's. Units therefore run one at
 *   a time, in the order asked: a second unit asked while one is open waits its turn, and so does a read or write
 *   made outside any unit, so no one sees (or joins) a unit's writes before it commits, and a unit that rolls back
 *   takes only its own writes with it. With nothing queued, a call outside a unit runs at once (no queue cost).
 * - A unit's work awaits only its `tx` (whose answers are ready at once), so it ends within the turn of the event
 *   loop it began in. One still open when the loop turns awaits something else (a fetch, a timer, or a unit or a
 *   call outside `tx` that waits behind it for ever): it would hold the write lock meanwhile and let other code run
 *   inside its transaction, so it is rolled back and refused (UnitOfWorkMisuse) at that turn, loudly.
 * - `tx` is only good while its unit is open: used after it (kept in a closure, awaited late), it throws.
 * - Code not moved to the ports yet writes through the store's synchronous `transaction()`. A promise of its that
 *   settles while a unit awaits its `tx` (the worker recording a platform's answer) would write inside the unit's
 *   transaction and be rolled back with it: the message would be sent again. Such a write is refused as busy
 *   (`outsider()`), like a lock another process holds, and the worker writes it again once the unit committed.
 *   Code called from the unit's own work (the intake hands the pipeline the store) runs inside it, as it should.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database, Statement } from 'better-sqlite3';
import type { AuditAction } from '../model/audit.js';
import type { FetchOutcome, NewSource, WebSubState } from '../model/source.js';
import type { DeliverySettings, SubscribeInput } from '../model/subscription.js';
import type {
  ArticleLookup, AuditRepository, DataPorts, PushRepository, Repositories, SourceRepository, SubscriptionRepository, UnitOfWork,
} from '../ports/index.js';
import { articleRepository, reviewRepository } from './ports-articles.js';
import { audienceRepository } from './ports-audience.js';
import { correctionRepository, revisionRepository } from './ports-corrections.js';
import { broadcastRepository } from './ports-broadcasts.js';
import { clickRepository, reachRepository } from './ports-clicks.js';
import { deskAccountRepository, editorRepository, sessionRepository } from './ports-editors.js';
import { readRepository } from './ports-reads.js';
import { digestRepository, outboxRepository, systemStatusRepository } from './ports-outbox.js';
import { jobRepository } from './ports-jobs.js';
import type { Gate, SqliteTables } from './port-tables.js';

export type { Gate, SqliteTables } from './port-tables.js';

/** A unit of work used against its contract (see the top of this file): a bug in the caller, never retried. */
export class UnitOfWorkMisuse extends Error {
  override name = 'UnitOfWorkMisuse';
}


/** A statement's answer as a promise: settled at once, a thrown error as a rejection. */
function settled<T>(statement: () => T): Promise<T> {
  try {
    return Promise.resolve(statement());
  } catch (err) {
    return Promise.reject(err);
  }
}

function repositories(t: SqliteTables, gate: Gate): Repositories {
  const sources: SourceRepository = {
    add: (s: NewSource, now: number) => gate(() => t.sources.add(s, now)),
    get: (id) => gate(() => t.sources.get(id)),
    list: () => gate(() => t.sources.list()),
    due: (now) => gate(() => t.sources.due(now)),
    remove: (id) => gate(() => t.sources.remove(id)),
    setActive: (id, active) => gate(() => t.sources.setActive(id, active)),
    pollSoon: (id) => gate(() => t.sources.pollSoon(id)),
    markPrimed: (id, now) => gate(() => t.sources.markPrimed(id, now)),
    recordFetch: (id, o: FetchOutcome, now) => gate(() => t.sources.recordFetch(id, o, now)),
    subscriptionsReached: (id) => gate(() => t.jobs.countSubscriptionsForSource(id)),
  };
  const push: PushRepository = {
    hookSecret: (id) => gate(() => t.push.hookSecret(id)),
    setHookSecret: (id, secret) => gate(() => t.push.setHookSecret(id, secret)),
    firstSeen: (id, key, windowMs, now) => gate(() => t.push.firstSeen(id, key, windowMs, now)),
    websub: (id) => gate(() => t.push.websub(id)),
    discovered: (id, hub, topic, secret, now) => gate(() => t.push.discovered(id, hub, topic, secret, now)),
    setWebSubState: (id, state: WebSubState, opts, now) => gate(() => t.push.setWebSubState(id, state, opts, now)),
    webSubActive: (id, lease, expiresAt, now) => gate(() => t.push.webSubActive(id, lease, expiresAt, now)),
    webSubGone: (id) => gate(() => t.push.webSubGone(id)),
    webSubDenied: (id, error, now) => gate(() => t.push.webSubDenied(id, error, now)),
    webSubFailed: (id, error, now) => gate(() => t.push.webSubFailed(id, error, now)),
    webSubDue: (now, opts) => gate(() => t.push.webSubDue(now, opts)),
    webSubIsActive: (id, now) => gate(() => t.push.webSubIsActive(id, now)),
  };
  const subscriptions: SubscriptionRepository = {
    get: (id) => gate(() => t.subscriptions.get(id)),
    findByChat: (platform, chatId) => gate(() => t.subscriptions.findByChat(platform, chatId)),
    list: () => gate(() => t.subscriptions.list()),
    active: () => gate(() => t.subscriptions.active()),
    subscribe: (input: SubscribeInput, now) => gate(() => t.subscriptions.subscribe(input, now)),
    setTopics: (id, topics) => gate(() => t.subscriptions.setTopics(id, topics)),
    // Today's store call: the subscription and its queued jobs in one transaction (a savepoint inside a unit).
    deactivate: (id, reason, now) => gate(() => t.deactivateSubscription(id, reason, now)),
    migrateChat: (platform, from, to) => gate(() => t.subscriptions.migrateChat(platform, from, to)),
    delivery: (id) => gate(() => (t.deliverySettings.has(id) ? t.deliverySettings.get(id) : undefined)),
    setDelivery: (id, s: DeliverySettings, now) => gate(() => t.deliverySettings.set(id, s, now)),
    releaseHeld: (id) => gate(() => t.jobs.releaseHeld(id)),
    template: (id) => gate(() => t.templates.get(id)),
    setTemplate: (id, template, now) => gate(() => t.templates.put(id, template, now)),
    sourceFilters: (id) => gate(() => t.sourceFilters.forSubscription(id)),
    setSourceFilter: (id, sourceId, topics, now) => gate(() => t.sourceFilters.set(id, sourceId, topics, now)),
  };
  const articles: ArticleLookup = {
    get: (id) => gate(() => t.articles.get(id)),
    getByUrl: (url) => gate(() => t.articles.getByUrl(url)),
    known: (url, guid) => gate(() => {
      const match = t.articles.findDuplicate({ url, guid, storyKey: '', contentHash: '' });
      return match && t.articles.get(match.articleId);
    }),
    setFeedHash: (id, hash) => gate(() => t.articles.setFeedHash(id, hash)),
  };
  const audit: AuditRepository = {
    record: (platform, actor, action: AuditAction, detail, now) => gate(() => t.audit.record(platform, actor, action, detail, now)),
  };
  return {
    sources, push, subscriptions, articles, audit, audience: audienceRepository(t, gate),
    revisions: revisionRepository(t, gate),
    corrections: correctionRepository(t, gate),
    broadcasts: broadcastRepository(t, gate),
    articleWrites: articleRepository(t, gate),
    reviews: reviewRepository(t, gate),
    editors: editorRepository(t, gate), deskAccounts: deskAccountRepository(t, gate), sessions: sessionRepository(t, gate),
    reads: readRepository(t, gate),
    outbox: outboxRepository(t, gate), digests: digestRepository(t, gate), status: systemStatusRepository(t, gate),
    jobs: jobRepository(t, gate),
    clicks: clickRepository(t, gate), reach: reachRepository(t, gate),
  };
}

/** Which unit the running code belongs to: it follows the unit's work through its awaits. */
const unitScope = new AsyncLocalStorage<object>();

export class SqlitePorts implements DataPorts, UnitOfWork {
  readonly uow: UnitOfWork = this;
  readonly repos: Repositories;
  /** The unit open now, if any. */
  private openUnit: object | undefined;
  /** Units (and calls waiting behind them) not finished yet; the tail of their queue. */
  private pending = 0;
  private tail: Promise<void> = Promise.resolve();
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;

  constructor(
    private readonly db: Database,
    private readonly tables: SqliteTables,
    private readonly fault: (err: unknown) => boolean,
    private readonly busy: (err: unknown) => boolean,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.repos = repositories(tables, (statement) => (this.pending === 0 ? settled(statement) : this.enqueue(async () => statement())));
  }

  isStorageFault(err: unknown): boolean {
    return this.fault(err);
  }

  backup(destination: string): Promise<void> {
    return this.tables.backup(destination);
  }

  isBusy(err: unknown): boolean {
    return this.busy(err);
  }

  isOpen(): boolean {
    return this.db.open;
  }

  /** True when a unit is open and the running code is not its work: a write now would join the unit's transaction. */
  outsider(): boolean {
    return this.openUnit !== undefined && unitScope.getStore() !== this.openUnit;
  }

  run<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    return this.enqueue(() => this.execute(work));
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(job).finally(() => { this.pending--; });
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }

  private async execute<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    if (this.db.inTransaction) {
      // Only synchronous code of the store's own (not converted yet) can have left one open, and it cannot: it
      // commits before returning. Said loudly rather than joined.
      throw new UnitOfWorkMisuse('a unit of work began inside an open transaction');
    }
    let open = true;
    const tx = repositories(this.tables, (statement) => {
      if (!open) return Promise.reject(new UnitOfWorkMisuse('a unit of work\'s repositories used after it ended'));
      return settled(statement);
    });
    this.begin.run();
    const unit = {};
    this.openUnit = unit;
    let watch: NodeJS.Immediate | undefined;
    // Still open when the event loop turns: the work awaits something else than `tx` (or a unit asked inside it,
    // which waits for this one): refused now rather than holding the write lock, or the queue, for ever.
    const overrun = new Promise<never>((_, reject) => {
      watch = setImmediate(() => reject(new UnitOfWorkMisuse(
        'a unit of work awaited something other than its repositories (a fetch, a timer, another unit): rolled back')));
    });
    let done: Promise<T>;
    try {
      done = unitScope.run(unit, () => work(tx));
    } catch (err) {
      done = Promise.reject(err);
    }
    // Refused as overrun, its work may still end later: its failure then is already told.
    done.catch(() => undefined);
    try {
      const value = await Promise.race([done, overrun]);
      this.commit.run();
      return value;
    } catch (err) {
      if (this.db.inTransaction) this.rollback.run();
      throw err;
    } finally {
      open = false;
      this.openUnit = undefined;
      clearImmediate(watch);
      // Only a unit's own work needs its scope, and only while it is open (outsider() is false when none is). Left
      // on, the storage's promise hook would run for every promise the process makes (each HTTP request, each
      // answer): with the worker's batches as units, 0.98 → 1.16 ms of CPU per delivery in the paid bench; 1.04 off.
      unitScope.disable();
    }
  }
}
