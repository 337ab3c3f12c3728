import { ChatMigratedError, DeliveryCancelledError, errorMessage, PermanentDeliveryError, TemporaryDeliveryError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { QuietSetting } from '../model/delivery.js';
import type { DigestCloser } from '../newsroom/digests.js';
import { isLockedError, storageFault, type PendingCorrection, type PendingDelivery, type PendingDigestPart, type Store, type StoredArticle } from '../store/index.js';
import type { PostCorrector, SendHooks, Transport } from './platform.js';
import { quietUntil } from '../text/schedule.js';

export interface WorkerOptions {
  maxAttempts?: number;
  /** Base of the exponential backoff for temporary failures without a retry_after. */
  backoffMs?: number;
  /** How often to look for new work when idle. */
  pollMs?: number;
  onDelivered?: (delivery: PendingDelivery, outcome: 'sent' | 'failed' | 'retry' | 'skipped') => void;
  onCorrected?: (job: PendingCorrection, outcome: 'done' | 'failed' | 'retry' | 'skipped') => void;
  /** Closes the digest periods that have ended (src/newsroom/digests.ts); without it, digests are not sent. */
  digests?: DigestCloser;
  /** How often ended digest periods are looked for (a daily digest goes out within this of its time). */
  digestCheckMs?: number;
  /** The clock for digests and quiet hours (tests move it). */
  now?: () => number;
}

/** What the worker sends: an article's delivery, or a digest message (which is never urgent). */
type Outbox =
  | { kind: 'delivery'; item: PendingDelivery }
  | { kind: 'digest'; item: PendingDigestPart };

/** How long a correction waits before looking again at a post still on the wire (its message id is not known yet). */
const POST_ANSWER_WAIT_MS = 1000;

export interface DrainResult { sent: number; failed: number; skipped: number; retried: number; corrected: number }

/**
 * Drains the deliveries outbox. Every delivery is marked `sending` (committed) before the request and `sent` with the
 * message id after it, so a crash can leave only the requests in flight in doubt — never a silent loss or a resend.
 * One delivery per chat is in flight at a time, which keeps each chat's messages in order.
 */
export class DeliveryWorker {
  private running = false;
  /** Keyed `delivery:<id>`, `digest:<id>` or `correction:<id>`. */
  private readonly inFlight = new Map<string, { platform: string; job: Promise<void> }>();
  private readonly wakers = new Set<() => void>();
  private readonly busyChats = new Set<string>();
  private readonly articleCache = new Map<number, { article: StoredArticle; stamp: string }>();
  private loops: Promise<void>[] = [];
  /** When a delivery last started or finished: drain() gives up only on a queue that stopped moving. */
  private lastProgress = Date.now();
  private digestsCheckedAt = -Infinity;
  private readonly writeBatch: Array<{ write: () => unknown; resolve: (result: never) => void; reject: (err: unknown) => void }> = [];
  /** The next flush: at the next turn of the event loop, or after a backoff while the database is locked. */
  private writeFlush: NodeJS.Immediate | NodeJS.Timeout | undefined;
  /** Flushes in a row that found the database locked by another process (0: it is free). */
  private lockedFlushes = 0;
  readonly totals: DrainResult = { sent: 0, failed: 0, skipped: 0, retried: 0, corrected: 0 };

  constructor(
    private readonly store: Store,
    private readonly transports: Transport[],
    private readonly logger: Logger,
    private readonly options: WorkerOptions = {},
  ) {}

  /** Runs until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = this.transports.map((t) => this.loop(t, false));
  }

  /**
   * Sends until the queue is empty, however long that takes while deliveries keep going out. Gives up on what is
   * left when nothing has moved for `idleGiveUpMs` (a retry scheduled further ahead, a platform that stays
   * disconnected), or at `maxWaitMs` overall.
   */
  async drain(maxWaitMs = Infinity, idleGiveUpMs = 60_000): Promise<DrainResult> {
    this.running = true;
    this.lastProgress = Date.now();
    const before = { ...this.totals };
    const deadline = Date.now() + maxWaitMs;
    await Promise.all(this.transports.map((t) => this.loop(t, true, deadline, idleGiveUpMs)));
    this.running = false;
    return {
      sent: this.totals.sent - before.sent, failed: this.totals.failed - before.failed,
      skipped: this.totals.skipped - before.skipped, retried: this.totals.retried - before.retried,
      corrected: this.totals.corrected - before.corrected,
    };
  }

  /** Takes no new work, waits up to `graceMs` for requests in flight, then returns. */
  async stop(graceMs = 3000): Promise<void> {
    this.running = false;
    this.notify();
    const settle = Promise.all([...this.jobs(), ...this.loops]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settle, new Promise<void>((r) => { timer = setTimeout(r, graceMs); })]);
    clearTimeout(timer); // a pending grace timer would keep the process alive for the whole grace after a clean stop
  }

  /** Tells an idle loop to look at the queue now (new deliveries were queued). */
  notify(): void {
    for (const wake of [...this.wakers]) wake();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private async loop(transport: Transport, untilEmpty: boolean, deadline = Infinity, idleGiveUpMs = Infinity): Promise<void> {
    const pollMs = this.options.pollMs ?? 500;
    while (this.running && Date.now() < deadline) {
      let started = 0;
      try {
        this.closeDigests();
        started = transport.isReady() ? this.startReady(transport) : 0;
        if (untilEmpty && started === 0 && this.inFlightFor(transport) === 0) {
          if (!this.hasPending(transport) || Date.now() - this.lastProgress > idleGiveUpMs) return;
        }
      } catch (err) {
        // A write before anything left (skipped, postponed, a `sending` mark) found the database locked by another
        // process: nothing changed, the same rows are picked again at the next look.
        if (!isLockedError(err)) throw err;
        this.logger.warn('the database is locked by another process; sending waits', { platform: transport.platform, error: errorMessage(err) });
      }
      if (started === 0) await this.idle(pollMs);
    }
    await Promise.all(this.jobs());
  }

  private jobs(): Promise<void>[] {
    return [...this.inFlight.values()].map((f) => f.job);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Ended digest periods become queued digest messages (at most every digestCheckMs, and at once on the first loop). */
  private closeDigests(): void {
    const { digests } = this.options;
    if (!digests || !this.store.isOpen) return;
    const now = this.now();
    if (now - this.digestsCheckedAt < (this.options.digestCheckMs ?? 30_000)) return;
    const queued = digests.close(now);
    this.digestsCheckedAt = now;
    if (queued > 0) this.logger.info('digests queued', { messages: queued });
  }

  /**
   * Corrections first (a wrong figure already on thousands of phones matters more than the next story), then digest
   * messages (a few per subscription and period, so a large backlog never starves them), then deliveries.
   */
  private startReady(transport: Transport): number {
    const inFlight = this.inFlightFor(transport);
    let free = transport.concurrency - inFlight;
    // Topped up a quarter of the slots at a time: one queue query per finished delivery (50 candidate rows each)
    // was 15% of the process at 1,000 deliveries/s; requests still in flight keep the platform busy meanwhile.
    if (free <= 0 || (inFlight > 0 && free < Math.ceil(transport.concurrency / 4))) return 0;
    const corrected = this.startCorrections(transport, free);
    free -= corrected;
    if (free <= 0) return corrected;
    const now = this.now();
    const candidates: Outbox[] = [
      ...(transport.sendText ? this.store.digests.next(transport.platform, free * 4, now).map((item) => ({ kind: 'digest' as const, item })) : []),
      ...this.store.deliveries.next(transport.platform, Math.max(50, free * 4), transport.order, now).map((item) => ({ kind: 'delivery' as const, item })),
    ];
    let started = 0;
    const rebuilt = new Set<string>();
    for (const c of candidates) {
      if (started >= free) break;
      const key = chatKey(c.item);
      if (this.busyChats.has(key) || rebuilt.has(key)) continue;
      // A digest closed before one of its articles was retracted is rebuilt without it before it goes; the chat's
      // other candidates carry the texts read before, so they wait for the next look.
      if (c.kind === 'digest' && this.options.digests?.refresh(c.item, now)) {
        rebuilt.add(key);
        continue;
      }
      started += this.begin(transport, c) ? 1 : 0;
    }
    return started + corrected;
  }

  /**
   * Quiet hours at the moment of sending: inside the window a delivery goes silently or waits for its end, unless
   * it is urgent and the subscription lets urgent alerts through.
   */
  private quietHours(quiet: QuietSetting | undefined, urgent: boolean): { silent: boolean; waitUntil?: number } {
    if (!quiet || (urgent && quiet.urgentOverrides)) return { silent: false };
    const until = quietUntil(quiet, this.now());
    if (until === undefined) return { silent: false };
    return quiet.mode === 'wait' ? { silent: false, waitUntil: until } : { silent: true };
  }

  private begin(transport: Transport, c: Outbox): boolean {
    const ops = this.ops(c);
    if (!c.item.subscriptionActive) {
      ops.markSkipped('subscription is no longer active');
      this.count(c, 'skipped');
      return false;
    }
    const article = c.kind === 'delivery' ? this.article(c.item.articleId) : undefined;
    if (c.kind === 'delivery' && !article) {
      ops.markFailed('article no longer exists', false);
      this.count(c, 'failed');
      return false;
    }
    if (article?.retracted) {
      ops.markSkipped('the article was retracted');
      this.count(c, 'skipped');
      return false;
    }
    const quiet = this.quietHours(c.item.quiet, c.kind === 'delivery' && c.item.priority > 0);
    if (quiet.waitUntil !== undefined) {
      ops.postpone(quiet.waitUntil);
      return false;
    }
    const hooks = this.sendingHooks(() => ops.markSending());
    if (!transport.marksSending && !hooks.markNow()) return false; // someone else took it
    const key = chatKey(c.item);
    const jobKey = `${c.kind}:${c.item.id}`;
    this.busyChats.add(key);
    this.lastProgress = Date.now();
    const send = c.kind === 'delivery'
      ? () => transport.send({ ...c.item, silent: quiet.silent }, article!, hooks)
      : () => transport.sendText!({ ...c.item, silent: quiet.silent }, c.item.text, hooks);
    const job = this.sendOne(c, send, hooks).finally(() => {
      this.lastProgress = Date.now();
      this.busyChats.delete(key);
      this.inFlight.delete(jobKey);
      this.notify();
    });
    this.inFlight.set(jobKey, { platform: transport.platform, job });
    return true;
  }

  /** Starts up to `free` correction jobs on this platform; returns how many. */
  private startCorrections(transport: Transport, free: number): number {
    const { corrections } = this.store;
    if (!transport.posts) {
      const failed = corrections.failQueuedOn(transport.platform, `${transport.platform} cannot edit or delete its posts`);
      if (failed > 0) this.logger.warn('corrections failed: the platform cannot edit or delete posts', { platform: transport.platform, failed });
      return 0;
    }
    let started = 0;
    for (const c of corrections.next(transport.platform, Math.max(50, free * 4))) {
      if (started >= free) break;
      if (this.busyChats.has(`${c.platform}:${c.chatId}`) || this.inFlight.has(`correction:${c.id}`)) continue;
      started += this.beginCorrection(transport, transport.posts, c) ? 1 : 0;
    }
    return started;
  }

  private beginCorrection(transport: Transport, posts: PostCorrector, c: PendingCorrection): boolean {
    const { corrections } = this.store;
    if (c.deliveryState === 'sending') {
      // The post itself is on the wire: its message id comes with the answer.
      corrections.waitForPost(c.id, Date.now() + POST_ANSWER_WAIT_MS);
      return false;
    }
    const article = this.article(c.articleId);
    const untouchable = !article ? 'the article no longer exists'
      : c.kind === 'edit' && article.retracted ? undefined
      : c.deliveryState === 'in_doubt' ? 'the post is in doubt (a crash interrupted it): its message id is unknown'
      : c.deliveryState !== 'sent' || !c.messageId ? `the post was not sent (${c.deliveryState})`
      : undefined;
    if (c.kind === 'edit' && article?.retracted) {
      corrections.markSkipped(c.id, 'the article was retracted');
      this.countCorrection(c, 'skipped');
      return false;
    }
    if (untouchable || !article) {
      corrections.markFailed(c.id, untouchable ?? 'the article no longer exists');
      this.countCorrection(c, 'failed');
      return false;
    }
    const hooks = this.sendingHooks(() => corrections.markSending(c.id));
    if (!transport.marksSending && !hooks.markNow()) return false;
    const key = `${c.platform}:${c.chatId}`;
    this.busyChats.add(key);
    this.lastProgress = Date.now();
    const post = { ...c, messageId: c.messageId! };
    const job = this.correctOne(posts, post, article, hooks).finally(() => {
      this.lastProgress = Date.now();
      this.busyChats.delete(key);
      this.inFlight.delete(`correction:${c.id}`);
      this.notify();
    });
    this.inFlight.set(`correction:${c.id}`, { platform: transport.platform, job });
    return true;
  }

  private async correctOne(posts: PostCorrector, c: PendingCorrection & { messageId: string }, article: StoredArticle, hooks: SendHooks): Promise<void> {
    let result: Awaited<ReturnType<PostCorrector['edit']>>;
    try {
      result = c.kind === 'edit' ? await posts.edit(c, article, hooks) : await posts.remove(c, article, hooks);
    } catch (err) {
      if (this.store.isOpen) await this.handleCorrectionFailure(c, err).catch((e) => this.notRecorded('correction', c.id, e));
      return;
    }
    // The platform answered: the post is edited or deleted. Only recording it remains (see sendOne).
    try {
      await hooks.sending();
      await this.writeNow(() => this.store.corrections.markDone(c.id, result.outcome, result.answer));
      this.countCorrection(c, 'done');
    } catch (err) {
      this.notRecorded('correction', c.id, err);
    }
  }

  /** As for deliveries, except that no subscription is deactivated or moved: the post is what failed, not the chat. */
  private async handleCorrectionFailure(c: PendingCorrection, err: unknown): Promise<void> {
    if (storageFault(err, this.store.path)) throw err; // as in handleFailure
    const message = errorMessage(err);
    const fields = { correction: c.id, kind: c.kind, article: c.articleId, chat: c.chatId, platform: c.platform, error: message };
    const { corrections } = this.store;
    if (err instanceof DeliveryCancelledError) {
      this.countCorrection(c, 'skipped');
    } else if (err instanceof PermanentDeliveryError || err instanceof ChatMigratedError) {
      await this.writeNow(() => corrections.markFailed(c.id, message));
      this.logger.warn('post could not be corrected', fields);
      this.countCorrection(c, 'failed');
    } else if (c.attempts + 1 >= (this.options.maxAttempts ?? 6)) {
      await this.writeNow(() => corrections.markFailed(c.id, `gave up after ${c.attempts + 1} attempts: ${message}`));
      this.logger.error('correction failed after retries', fields);
      this.countCorrection(c, 'failed');
    } else {
      const wait = err instanceof TemporaryDeliveryError && err.retryAfterMs !== undefined
        ? err.retryAfterMs
        : (this.options.backoffMs ?? 1000) * 2 ** c.attempts;
      await this.writeNow(() => corrections.retryLater(c.id, message, Date.now() + wait));
      this.logger.warn('correction will be retried', { ...fields, inMs: wait });
      this.countCorrection(c, 'retry');
    }
  }

  /**
   * The platform answered but its answer could not be written (the database failed otherwise than by a lock, or
   * was closed at the stop): the row stays `sending`, in doubt at the next start like any crash, never queued again.
   */
  private notRecorded(kind: string, id: number, err: unknown): void {
    // A full disk or a damaged database stops the run (thrown on, as in handleFailure); a locked one never gets here.
    if (storageFault(err, this.store.path)) throw err;
    this.logger.error(`${kind} not recorded; it stays in doubt (sending) until the next start`, { [kind]: id, error: errorMessage(err) });
  }

  private countCorrection(c: PendingCorrection, outcome: 'done' | 'failed' | 'retry' | 'skipped'): void {
    if (outcome === 'done') this.totals.corrected++;
    this.options.onCorrected?.(c, outcome);
  }

  /** The outbox row's state changes, for a delivery or a digest message (which moves the deliveries it carries). */
  private ops(c: Outbox) {
    const id = c.item.id;
    const now = () => this.now();
    if (c.kind === 'digest') {
      const t = this.store.digests;
      return {
        markSending: () => t.markSending(id, now()), markSent: (messageId?: string) => t.markSent(id, messageId, now()),
        retryLater: (error: string, at: number) => t.retryLater(id, error, at), postpone: (at: number) => t.postpone(id, at),
        markFailed: (error: string) => t.markFailed(id, error, now()), markSkipped: (reason: string) => t.markSkipped(id, reason, now()),
      };
    }
    const t = this.store.deliveries;
    return {
      markSending: () => t.markSending(id, now()), markSent: (messageId?: string) => t.markSent(id, messageId, now()),
      retryLater: (error: string, at: number) => t.retryLater(id, error, at), postpone: (at: number) => t.postpone(id, at),
      markFailed: (error: string, retryable: boolean) => t.markFailed(id, error, { retryable }, now()),
      markSkipped: (reason: string) => t.markSkipped(id, reason, now()),
    };
  }

  private async sendOne(c: Outbox, send: () => Promise<{ messageId?: string }>, hooks: SendHooks): Promise<void> {
    let answer: { messageId?: string };
    try {
      answer = await send();
    } catch (err) {
      // After stop()'s grace the database may be closed: the row stays `sending` and is in doubt at the next start.
      if (this.store.isOpen) await this.handleFailure(c, err).catch((e) => this.notRecorded(c.kind, c.item.id, e));
      return;
    }
    // The platform answered: the message is out. A write that fails from here on must never queue it again (a chat
    // got the same alert twice, 7.6 s apart, when another process held the write lock past the busy timeout):
    // batched() keeps the answer and writes it once the lock is free.
    try {
      await hooks.sending(); // a no-op unless the transport forgot: `sent` must follow `sending`, never a `queued` row
      const ops = this.ops(c);
      await this.batched(() => ops.markSent(answer.messageId));
      this.count(c, 'sent');
    } catch (err) {
      this.notRecorded(c.kind, c.item.id, err);
    }
  }

  /**
   * The job's `sending` mark, written once: by the worker before send() (`markNow`, for a transport that does not
   * mark itself) or by the transport as its request leaves (`sending`, batched).
   */
  private sendingHooks(mark: () => boolean): SendHooks & { markNow(): boolean } {
    let marked: Promise<boolean> | undefined;
    return {
      sending: () => marked ??= this.batched(mark),
      markNow: () => { const ok = mark(); marked = Promise.resolve(ok); return ok; },
    };
  }

  /**
   * `sending` and `sent` rows are written in one transaction for all the requests leaving and answers read in one
   * turn of the event loop (flushed from setImmediate, so nothing waits for a timer): at 1,000 deliveries/s one
   * commit per answer was a tenth of the process, and one per departing request (0.15 ms each) a sixth. A request
   * leaves only once its `sending` row is committed, and a delivery keeps its place in flight until its `sent` row
   * is, so a crash still leaves at most `concurrency` rows `sending` (in doubt, never resent on hold).
   *
   * A batch that finds the database locked by another process (SQLITE_BUSY after the 5 s busy timeout) was rolled
   * back whole: it is kept, with what joins it meanwhile, and written again after a backoff until the lock is
   * free. The answers it carries are never lost while the process lives, and the requests waiting for their
   * `sending` row wait with it. Any other failure rejects the batch.
   */
  private batched<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.writeBatch.push({ write, resolve: resolve as (result: never) => void, reject });
      this.writeFlush ??= setImmediate(() => this.flushWrites());
    });
  }

  private flushWrites(): void {
    this.writeFlush = undefined;
    const batch = this.writeBatch.slice();
    if (batch.length === 0) return;
    let results: unknown[];
    try {
      if (!this.store.isOpen) throw new Error('the database was closed (the run stopped)');
      results = this.store.transaction(() => batch.map((b) => b.write()));
    } catch (err) {
      if (this.store.isOpen && isLockedError(err)) {
        // Each try already waited the busy timeout; the backoff only spaces the tries (0.1 s, 0.2 s … 2 s).
        const wait = Math.min(2000, 100 * 2 ** this.lockedFlushes);
        if (this.lockedFlushes++ === 0) {
          this.logger.warn('the database is locked by another process; the answers are kept and written when it is free', { writes: batch.length, error: errorMessage(err) });
        }
        this.writeFlush = setTimeout(() => this.flushWrites(), wait);
        return;
      }
      this.writeBatch.splice(0, batch.length);
      for (const b of batch) b.reject(err);
      return;
    }
    this.writeBatch.splice(0, batch.length);
    if (this.lockedFlushes > 0) {
      this.logger.info('the database is free again; the kept answers are written', { tries: this.lockedFlushes + 1, writes: batch.length });
      this.lockedFlushes = 0;
    }
    batch.forEach((b, i) => b.resolve(results[i] as never));
  }

  /**
   * A write outside the batch (a failure's outcome, a correction's answer), done at once as it always was; when it
   * finds the database locked by another process, it joins the batch, which keeps it until the lock is free.
   */
  private async writeNow<T>(write: () => T): Promise<T> {
    try {
      return this.store.transaction(write);
    } catch (err) {
      if (!isLockedError(err)) throw err;
      return this.batched(write);
    }
  }

  /** A send that failed (nothing reached the chat, or the platform will tell): retried later, failed, or skipped. */
  private async handleFailure(c: Outbox, err: unknown): Promise<void> {
    // A full disk or a damaged database is not the platform's failure: it may be the answer's own write that failed,
    // and re-queueing would send it twice. Thrown on, unhandled, it stops the run (src/app/run.ts); the row stays
    // `sending`, in doubt at the next start like any crash.
    if (storageFault(err, this.store.path)) throw err;
    const d = c.item;
    const ops = this.ops(c);
    const message = errorMessage(err);
    const fields = { [c.kind]: d.id, ...(c.kind === 'delivery' ? { article: c.item.articleId } : {}), chat: d.chatId, platform: d.platform, error: message };
    if (err instanceof DeliveryCancelledError) {
      this.count(c, 'skipped');
    } else if (err instanceof ChatMigratedError) {
      await this.writeNow(() => {
        this.store.subscriptions.migrateChat(d.platform, d.chatId, err.newChatId);
        ops.retryLater(message, Date.now());
      });
      this.logger.info('chat migrated; subscription follows it', { ...fields, newChat: err.newChatId });
      this.count(c, 'retry');
    } else if (err instanceof PermanentDeliveryError) {
      await this.writeNow(() => ops.markFailed(message, false));
      if (err.deactivate) {
        const { cancelled } = await this.writeNow(() => this.store.deactivateSubscription(d.subscriptionId, message));
        this.logger.warn('subscription deactivated', { ...fields, dropped: cancelled });
      } else {
        this.logger.warn('delivery failed permanently', fields);
      }
      this.count(c, 'failed');
    } else if (d.attempts + 1 >= (this.options.maxAttempts ?? 6)) {
      // A temporary failure that outlasted its retries: an editor may send it again (nashra resend, «إعادة إرسال»).
      await this.writeNow(() => ops.markFailed(`gave up after ${d.attempts + 1} attempts: ${message}`, true));
      this.logger.error('delivery failed after retries', fields);
      this.count(c, 'failed');
    } else {
      const wait = err instanceof TemporaryDeliveryError && err.retryAfterMs !== undefined
        ? err.retryAfterMs
        : (this.options.backoffMs ?? 1000) * 2 ** d.attempts;
      await this.writeNow(() => ops.retryLater(message, Date.now() + wait));
      this.logger.warn('delivery will be retried', { ...fields, inMs: wait });
      this.count(c, 'retry');
    }
  }

  private count(c: Outbox, outcome: 'sent' | 'failed' | 'retry' | 'skipped'): void {
    if (outcome === 'retry') this.totals.retried++; else this.totals[outcome]++;
    if (c.kind === 'delivery') this.options.onDelivered?.(c.item, outcome);
  }

  private article(id: number): StoredArticle | undefined {
    // It may have been edited, revised or retracted since it was cached (one primary-key lookup; a re-read only then).
    const stamp = this.store.articles.stamp(id);
    if (stamp === undefined) return undefined;
    const cached = this.articleCache.get(id);
    if (cached?.stamp === stamp) return cached.article;
    const article = this.store.articles.get(id);
    if (!article) return undefined;
    if (this.articleCache.size >= 200) this.articleCache.delete(this.articleCache.keys().next().value!);
    this.articleCache.set(id, { article, stamp });
    return article;
  }

  private inFlightFor(transport: Transport): number {
    let n = 0;
    for (const f of this.inFlight.values()) if (f.platform === transport.platform) n++;
    return n;
  }

  /** Queued deliveries, including those waiting for a retry time. */
  private hasPending(transport: Transport): boolean {
    return this.store.deliveries.next(transport.platform, 1, 'oldest', Number.MAX_SAFE_INTEGER).length > 0
      || (transport.sendText !== undefined && this.store.digests.hasQueued(transport.platform))
      || (transport.posts !== undefined && this.store.corrections.hasPending(transport.platform));
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); this.wakers.delete(done); resolve(); };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}

const chatKey = (d: { platform: string; chatId: string }) => `${d.platform}:${d.chatId}`;
