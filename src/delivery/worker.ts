import {
  ChatMigratedError,
  DeliveryCancelledError,
  errorMessage,
  PermanentDeliveryError,
  StoreClosedError,
  TemporaryDeliveryError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import type { StoredArticle } from '../model/article.js';
import type { PendingCorrection } from '../model/correction.js';
import type { JobAnswer, PendingJob, QuietSetting } from '../model/delivery.js';
import type { DigestCloser } from '../newsroom/digests.js';
import type { DataPorts, Repositories, SendFence } from '../ports/index.js';
import { sendJob, type SendHooks, type Transport } from './platform.js';
import { quietUntil } from '../text/schedule.js';

export interface WorkerOptions {
  maxAttempts?: number;
  /** Base of the exponential backoff for temporary failures without a retry_after. */
  backoffMs?: number;
  /** How often to look for new work when idle. */
  pollMs?: number;
  /** Every job's outcome (a post, a digest message, an edit or a delete): sent, failed, retried or skipped. */
  onOutcome?: (job: PendingJob, outcome: Outcome) => void;
  /** Closes the digest periods that have ended (src/newsroom/digests.ts); without it, digests are not sent. */
  digests?: DigestCloser;
  /** How often ended digest periods are looked for (a daily digest goes out within this of its time). */
  digestCheckMs?: number;
  /** The clock for digests and quiet hours (tests move it). */
  now?: () => number;
  /**
   * A group that became a supergroup (ChatMigratedError): its subscription follows it to the new chat id through
   * the newsroom's audited action (src/newsroom/subscriptions.ts, migrateChat), which the wiring passes in. `none`:
   * no subscription has the old id any more (the platform's own update moved it first). `refused`: it cannot follow
   * (the new id has a subscription of its own); the post fails and the old subscription, whose chat no longer
   * exists, is deactivated. Without it, every move is refused so.
   */
  migrateChat?: (
    platform: string,
    fromChatId: string,
    toChatId: string,
  ) => Promise<{ kind: 'migrated' | 'none' | 'refused'; reason?: string }>;
  /** Each chat's own link to the article, through which clicks are counted (src/newsroom/clicks.ts); without it, the article's. */
  links?: PostLinks;
  /**
   * Several runs share the database: a transport's jobs start, and a request waiting its turn (the platform's rate
   * limit) leaves, only while this says the run drives its sender (its lease, src/app/senders.ts); a request already
   * on its way finishes. Without it: always.
   */
  owns?: (transport: Transport) => boolean;
  /**
   * With `owns`: the sender's lease as this run holds it (src/app/senders.ts), taken when a job starts. The job's
   * writes from then on (its `sending` mark, a retry, a failure, a skip or a postponement) change it only while the
   * lease is still that take's, in the same transaction: a run thawed after its sender was taken over cannot mark
   * the job, nor queue again a job the new holder has on the wire. Without it: unfenced (one run per database).
   */
  fence?: (transport: Transport) => SendFence;
}

/**
 * A post's link as its chat gets it. `remember` stores a new code: the worker writes it in the unit that marks the
 * post `sending`, so a post never leaves linking to a code that is not stored, and a crash before it leaves stores
 * none. `create` false (an edit of a post sent before): only a code the post already has.
 */
export interface PostLinks {
  linkFor(
    article: StoredArticle,
    subscriptionId: number,
    opts: { create: boolean },
    now: number,
  ): Promise<{ url: string; remember?: (tx: Repositories) => Promise<unknown> } | undefined>;
}

type Outcome = 'sent' | 'failed' | 'retry' | 'skipped';

/** How long an edit or delete waits before looking again at a post still on the wire (its message id is not known yet). */
const POST_ANSWER_WAIT_MS = 1000;

/** `corrected`: edits and deletes made; the other totals count posts and digest messages. */
export interface DrainResult {
  sent: number;
  failed: number;
  skipped: number;
  retried: number;
  corrected: number;
}

/**
 * Drains the outbox: posts, digest messages, edits and deletes, one path for every kind. Every job is marked
 * `sending` (committed) before the request and `sent` with the platform's answer after it, so a crash can leave only
 * the requests in flight in doubt — never a silent loss or a resend. One job per chat is in flight at a time, which
 * keeps each chat's messages in order.
 */
export class DeliveryWorker {
  private running = false;
  /** Keyed by job id. */
  private readonly inFlight = new Map<number, { platform: string; job: Promise<void> }>();
  private readonly wakers = new Set<() => void>();
  private readonly busyChats = new Set<string>();
  private readonly articleCache = new Map<number, { article: StoredArticle; stamp: string }>();
  private loops: Promise<void>[] = [];
  /** When a job last started or finished: drain() gives up only on a queue that stopped moving. */
  private lastProgress = Date.now();
  private digestsCheckedAt = -Infinity;
  private readonly writeBatch: Array<{
    write: (tx: Repositories) => Promise<unknown>;
    resolve: (result: never) => void;
    reject: (err: unknown) => void;
  }> = [];
  /** The next flush: at the next turn of the event loop, or after a backoff while the database is locked. */
  private writeFlush: NodeJS.Immediate | NodeJS.Timeout | undefined;
  /** A flush's unit of work is under way: the next one waits for it (writes keep their order). */
  private flushing = false;
  /** Flushes in a row that found the database locked by another process (0: it is free). */
  private lockedFlushes = 0;
  readonly totals: DrainResult = { sent: 0, failed: 0, skipped: 0, retried: 0, corrected: 0 };

  constructor(
    private readonly data: DataPorts,
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
   * Sends until the queue is empty, however long that takes while jobs keep going out. Gives up on what is left when
   * nothing has moved for `idleGiveUpMs` (a retry scheduled further ahead, a platform that stays disconnected), or
   * at `maxWaitMs` overall.
   */
  async drain(maxWaitMs = Infinity, idleGiveUpMs = 60_000): Promise<DrainResult> {
    this.running = true;
    this.lastProgress = Date.now();
    const before = { ...this.totals };
    const deadline = Date.now() + maxWaitMs;
    await Promise.all(this.transports.map((t) => this.loop(t, true, deadline, idleGiveUpMs)));
    this.running = false;
    return {
      sent: this.totals.sent - before.sent,
      failed: this.totals.failed - before.failed,
      skipped: this.totals.skipped - before.skipped,
      retried: this.totals.retried - before.retried,
      corrected: this.totals.corrected - before.corrected,
    };
  }

  /** Takes no new work, waits up to `graceMs` for requests in flight, then returns. */
  async stop(graceMs = 3000): Promise<void> {
    this.running = false;
    this.notify();
    const settle = Promise.all([...this.jobs(), ...this.loops]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      settle,
      new Promise<void>((r) => {
        timer = setTimeout(r, graceMs);
      }),
    ]);
    clearTimeout(timer); // a pending grace timer would keep the process alive for the whole grace after a clean stop
  }

  /** Tells an idle loop to look at the queue now (new jobs were queued). */
  notify(): void {
    for (const wake of [...this.wakers]) wake();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Requests on the wire now for a platform's jobs (a sender given back to another run goes once they have ended). */
  inFlightOn(platform: string): number {
    return this.inFlightFor({ platform });
  }

  private async loop(
    transport: Transport,
    untilEmpty: boolean,
    deadline = Infinity,
    idleGiveUpMs = Infinity,
  ): Promise<void> {
    const pollMs = this.options.pollMs ?? 500;
    while (this.running && Date.now() < deadline) {
      let started = 0;
      try {
        await this.closeDigests();
        started = transport.isReady() && this.owns(transport) ? await this.startReady(transport) : 0;
        if (untilEmpty && started === 0 && this.inFlightFor(transport) === 0) {
          if (!(await this.hasPending(transport, idleGiveUpMs)) || Date.now() - this.lastProgress > idleGiveUpMs)
            return;
        }
      } catch (err) {
        // A write before anything left (skipped, postponed, a `sending` mark) found the database locked by another
        // process (or, for what is not written through the ports yet, by a unit of work of this one): nothing changed,
        // the same rows are picked again at the next look.
        if (!this.data.isBusy(err)) throw err;
        this.logger.warn('the database is locked; sending waits', {
          platform: transport.platform,
          error: errorMessage(err),
        });
      }
      if (started === 0) await this.idle(pollMs);
    }
    await Promise.all(this.jobs());
  }

  private owns(transport: Transport): boolean {
    return this.options.owns?.(transport) ?? true;
  }

  private jobs(): Promise<void>[] {
    return [...this.inFlight.values()].map((f) => f.job);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Ended digest periods become queued digest messages (at most every digestCheckMs, and at once on the first loop). */
  private async closeDigests(): Promise<void> {
    const { digests } = this.options;
    if (!digests || !this.data.isOpen()) return;
    const now = this.now();
    if (now - this.digestsCheckedAt < (this.options.digestCheckMs ?? 30_000)) return;
    // Marked checked while the closing is awaited (another platform's loop asks meanwhile); again at once after a failure.
    const checkedBefore = this.digestsCheckedAt;
    this.digestsCheckedAt = now;
    const queued = await digests.close(now).catch((err: unknown) => {
      this.digestsCheckedAt = checkedBefore;
      throw err;
    });
    if (queued > 0) this.logger.info('digests queued', { messages: queued });
  }

  /** Starts up to the free slots' worth of jobs, in the outbox's order (JobRepository.next); returns how many. */
  private async startReady(transport: Transport): Promise<number> {
    const inFlight = this.inFlightFor(transport);
    const free = transport.concurrency - inFlight;
    // Topped up a quarter of the slots at a time: one queue query per finished delivery (50 candidate rows each)
    // would be 15% of the process at 1,000 deliveries/s; requests still in flight keep the platform busy meanwhile.
    if (free <= 0 || (inFlight > 0 && free < Math.ceil(transport.concurrency / 4))) return 0;
    const jobs = this.data.repos.jobs;
    if (!transport.posts) {
      const failed = await jobs.failCorrectionsOn(
        transport.platform,
        `${transport.platform} cannot edit or delete its posts`,
        Date.now(),
      );
      if (failed > 0)
        this.logger.warn('corrections failed: the platform cannot edit or delete posts', {
          platform: transport.platform,
          failed,
        });
    }
    const now = this.now();
    let started = 0;
    const rebuilt = new Set<string>();
    for (const job of await jobs.next(transport.platform, Math.max(50, free * 4), transport.order ?? 'oldest', now, {
      texts: transport.sendText !== undefined,
    })) {
      if (started >= free) break;
      const key = chatKey(job);
      if (this.busyChats.has(key) || rebuilt.has(key) || this.inFlight.has(job.id)) continue;
      // A digest closed before one of its articles was retracted is rebuilt without it before it goes; the chat's
      // other candidates carry the texts read before, so they wait for the next look.
      if (job.kind === 'digest' && (await this.options.digests?.refresh(job, now))) {
        rebuilt.add(key);
        continue;
      }
      started += (await this.begin(transport, job, now)) ? 1 : 0;
    }
    return started;
  }

  /**
   * Quiet hours at the moment of sending: inside the window a post or a digest goes silently or waits for its end,
   * unless it is urgent and the subscription lets urgent alerts through.
   */
  private quietHours(
    quiet: QuietSetting | undefined,
    urgent: boolean,
    now: number,
  ): { silent: boolean; waitUntil?: number } {
    if (!quiet || (urgent && quiet.urgentOverrides)) return { silent: false };
    const until = quietUntil(quiet, now);
    if (until === undefined) return { silent: false };
    return quiet.mode === 'wait' ? { silent: false, waitUntil: until } : { silent: true };
  }

  /**
   * What becomes of a job picked from the queue before anything leaves: it goes (with its article, silently or not),
   * waits (quiet hours; an edit whose post is still on the wire), or ends skipped or failed.
   */
  private async check(
    job: PendingJob,
    now: number,
  ): Promise<
    | { go: true; article?: StoredArticle; silent: boolean; remember?: (tx: Repositories) => Promise<unknown> }
    | { go: false; wait?: number; note?: string; skip?: string; fail?: string }
  > {
    if (isCorrection(job)) {
      // The post itself is on the wire: its message id comes with the answer.
      if (job.deliveryState === 'sending')
        return {
          go: false,
          wait: Date.now() + POST_ANSWER_WAIT_MS,
          note: 'waiting for the post itself to be answered',
        };
      const article = await this.article(job.articleId);
      if (!article) return { go: false, fail: 'the article no longer exists' };
      if (job.kind === 'edit' && article.retracted) return { go: false, skip: 'the article was retracted' };
      if (job.deliveryState === 'in_doubt')
        return { go: false, fail: 'the post is in doubt (a crash interrupted it): its message id is unknown' };
      if (job.deliveryState !== 'sent' || !job.messageId)
        return { go: false, fail: `the post was not sent (${job.deliveryState})` };
      // An edit shows the link the post was sent with.
      const link =
        job.kind === 'edit'
          ? await this.options.links?.linkFor(article, job.subscriptionId, { create: false }, now)
          : undefined;
      return { go: true, article: link ? { ...article, url: link.url } : article, silent: false };
    }
    if (!job.subscriptionActive) return { go: false, skip: 'subscription is no longer active' };
    const article = job.kind === 'post' ? await this.article(job.articleId) : undefined;
    if (job.kind === 'post' && !article) return { go: false, fail: 'article no longer exists' };
    if (article?.retracted) return { go: false, skip: 'the article was retracted' };
    const quiet = this.quietHours(job.quiet, job.kind === 'post' && job.priority > 0, now);
    if (quiet.waitUntil !== undefined) return { go: false, wait: quiet.waitUntil };
    const link = article
      ? await this.options.links?.linkFor(article, job.subscriptionId, { create: true }, now)
      : undefined;
    if (link)
      return { go: true, article: { ...article!, url: link.url }, silent: quiet.silent, remember: link.remember };
    return { go: true, article, silent: quiet.silent };
  }

  private async begin(transport: Transport, job: PendingJob, now: number): Promise<boolean> {
    const jobs = this.data.repos.jobs;
    const fence = this.options.fence?.(transport);
    const verdict = await this.check(job, now);
    if (!verdict.go) {
      if (verdict.wait !== undefined) await jobs.postpone(job.id, verdict.wait, verdict.note, fence);
      else if (verdict.skip !== undefined) await jobs.markSkipped(job.id, verdict.skip, now, fence);
      else await jobs.markFailed(job.id, verdict.fail!, {}, now, fence);
      if (verdict.wait === undefined) this.count(job, verdict.skip !== undefined ? 'skipped' : 'failed');
      return false;
    }
    const hooks = this.sendingHooks(job.id, verdict.remember, () => this.owns(transport), fence);
    if (!transport.marksSending && !(await hooks.markNow())) return false; // someone else took it
    const key = chatKey(job);
    this.busyChats.add(key);
    this.lastProgress = Date.now();
    const run = this.sendOne(
      job,
      () => sendJob(transport, job, verdict.article, verdict.silent, hooks),
      hooks,
      fence,
    ).finally(() => {
      this.lastProgress = Date.now();
      this.busyChats.delete(key);
      this.inFlight.delete(job.id);
      this.notify();
    });
    this.inFlight.set(job.id, { platform: transport.platform, job: run });
    return true;
  }

  private async sendOne(
    job: PendingJob,
    send: () => Promise<JobAnswer>,
    hooks: JobHooks,
    fence: SendFence | undefined,
  ): Promise<void> {
    let answer: JobAnswer;
    try {
      answer = await send();
    } catch (err) {
      // After stop()'s grace the database may be closed: the row stays `sending` and is in doubt at the next start.
      if (this.data.isOpen()) await this.handleFailure(job, err, fence).catch((e) => this.notRecorded(job, e));
      return;
    }
    // The platform answered: the message is out. A write that fails from here on must never queue it again (a chat
    // got the same alert twice, 7.6 s apart, when another process held the write lock past the busy timeout):
    // batched() keeps the answer and writes it once the lock is free.
    try {
      await hooks.answered(); // a no-op unless the transport forgot: `sent` must follow `sending`, never a `queued` row
      await this.batched((tx) => tx.jobs.markSent(job.id, answer, this.now()));
      this.count(job, 'sent');
    } catch (err) {
      this.notRecorded(job, err);
    }
  }

  /**
   * The platform answered but its answer could not be written (the database failed otherwise than by a lock, or
   * was closed at the stop): the row stays `sending`, in doubt at the next start like any crash, never queued again.
   */
  private notRecorded(job: PendingJob, err: unknown): void {
    // A full disk or a damaged database stops the run (thrown on, as in handleFailure); a locked one never gets here.
    if (this.data.isStorageFault(err)) throw err;
    this.logger.error(`${LOG_NAMES[job.kind]} not recorded; it stays in doubt (sending) until the next start`, {
      job: job.id,
      error: errorMessage(err),
    });
  }

  /**
   * The job's `sending` mark, written once: by the worker before send() (`markNow`, for a transport that does not
   * mark itself) or by the transport as its request leaves (`sending`, batched). Fenced (WorkerOptions.fence): a
   * run whose sender was taken over since the job started marks nothing.
   */
  private sendingHooks(
    id: number,
    remember: ((tx: Repositories) => Promise<unknown>) | undefined,
    owns: () => boolean,
    fence: SendFence | undefined,
  ): JobHooks {
    let marked: Promise<boolean> | undefined;
    const mark = async (tx: Repositories) => {
      if (remember) await remember(tx);
      return tx.jobs.markSending(id, this.now(), fence);
    };
    const markOnce = () => {
      if (!marked && owns()) marked = this.batched(mark);
      return marked ?? Promise.resolve(false);
    };
    return {
      // A run that lost its sender while the request waited its turn: it does not leave (the job stays queued for
      // the run that drives the sender now). Once marked, a second request of the same job (a fallback) may go.
      // The mark itself may have waited (the write lock for up to 5 s; a process frozen meanwhile): the request
      // leaves only while the sender is still this run's by the monotonic clock. Otherwise the job is answered as
      // a temporary failure: its fenced retry queues it again while the lease is still this take's in the database,
      // and changes nothing once another run took it over (whose recovery found it `sending`: in doubt, not sent).
      sending: async () => {
        if (!(await markOnce())) return false;
        if (!owns())
          throw new TemporaryDeliveryError("not sent: the sender's lease ran out while the delivery was being marked", {
            method: 'send',
          });
        return true;
      },
      answered: markOnce,
      markNow: () =>
        (marked = remember ? this.data.uow.run(mark) : this.data.repos.jobs.markSending(id, this.now(), fence)),
    };
  }

  /**
   * `sending` and `sent` rows are written in one unit of work for all the requests leaving and answers read in one
   * turn of the event loop (flushed from setImmediate, so nothing waits for a timer): at 1,000 deliveries/s one
   * commit per answer was a tenth of the process, and one per departing request (0.15 ms each) a sixth. A request
   * leaves only once its `sending` row is committed, and a delivery keeps its place in flight until its `sent` row
   * is, so a crash still leaves at most `concurrency` rows `sending` (in doubt, never resent on hold).
   *
   * A batch whose unit finds the database held (isBusy: locked by another process past the 5 s busy timeout) was
   * rolled back whole: it is kept, with what joins it meanwhile, and written again after a backoff until the lock is
   * free. The answers it carries are never lost while the process lives, and the requests waiting for their
   * `sending` row wait with it. Any other failure rejects the batch. One flush at a time: what arrives while a unit
   * is under way goes in the next one.
   */
  private batched<T>(write: (tx: Repositories) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.writeBatch.push({ write, resolve: resolve as (result: never) => void, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushing || this.writeFlush !== undefined || this.writeBatch.length === 0) return;
    this.writeFlush = setImmediate(() => void this.flushWrites());
  }

  private async flushWrites(): Promise<void> {
    this.writeFlush = undefined;
    const batch = this.writeBatch.splice(0);
    if (batch.length === 0) return;
    this.flushing = true;
    let results: unknown[];
    try {
      if (!this.data.isOpen()) throw new StoreClosedError();
      results = await this.data.uow.run(async (tx) => {
        const out: unknown[] = [];
        for (const b of batch) out.push(await b.write(tx));
        return out;
      });
    } catch (err) {
      this.flushing = false;
      if (this.data.isOpen() && this.data.isBusy(err)) {
        this.writeBatch.unshift(...batch);
        // Each try already waited the busy timeout; the backoff only spaces the tries (0.1 s, 0.2 s … 2 s).
        const wait = Math.min(2000, 100 * 2 ** this.lockedFlushes);
        if (this.lockedFlushes++ === 0) {
          this.logger.warn('the database is locked; the answers are kept and written when it is free', {
            writes: batch.length,
            error: errorMessage(err),
          });
        }
        this.writeFlush = setTimeout(() => void this.flushWrites(), wait);
        return;
      }
      for (const b of batch) b.reject(err);
      this.scheduleFlush();
      return;
    }
    this.flushing = false;
    if (this.lockedFlushes > 0) {
      this.logger.info('the database is free again; the kept answers are written', {
        tries: this.lockedFlushes + 1,
        writes: batch.length,
      });
      this.lockedFlushes = 0;
    }
    for (const [i, b] of batch.entries()) b.resolve(results[i] as never);
    this.scheduleFlush();
  }

  /**
   * Writes outside the batch (a failure's outcome), in one unit of their own at once, as they always were; when it
   * finds the database held, they join the batch, which keeps them until the lock is free.
   */
  private async writeNow<T>(write: (tx: Repositories) => Promise<T>): Promise<T> {
    try {
      return await this.data.uow.run(write);
    } catch (err) {
      if (!this.data.isBusy(err)) throw err;
      return this.batched(write);
    }
  }

  /**
   * A request that failed (nothing reached the chat, or the platform will tell): retried later, failed, or skipped.
   * An edit or delete never deactivates or moves a subscription: the post is what failed, not the chat.
   */
  private async handleFailure(job: PendingJob, err: unknown, fence: SendFence | undefined): Promise<void> {
    // A full disk or a damaged database is not the platform's failure: it may be the answer's own write that failed,
    // and re-queueing would send it twice. Thrown on, unhandled, it stops the run (src/app/run.ts); the row stays
    // `sending`, in doubt at the next start like any crash.
    if (this.data.isStorageFault(err)) throw err;
    const message = errorMessage(err);
    const post = job.kind === 'post' || job.kind === 'digest';
    const what = LOG_NAMES[job.kind];
    const fields = {
      job: job.id,
      kind: job.kind,
      ...(job.kind === 'digest' ? {} : { article: job.articleId }),
      chat: job.chatId,
      platform: job.platform,
      error: message,
    };
    if (err instanceof DeliveryCancelledError) {
      this.count(job, 'skipped');
    } else if (err instanceof ChatMigratedError && post) {
      const moved = await this.followMigration(job, err.newChatId);
      if (moved.kind === 'refused') {
        const reason = `${message}; the subscription cannot follow it: ${moved.reason}`;
        const { cancelled } = await this.writeNow(async (tx) => {
          await tx.jobs.markFailed(job.id, reason, {}, this.now(), fence);
          return tx.subscriptions.deactivate(job.subscriptionId, reason, Date.now());
        });
        this.logger.warn('chat migrated, but its subscription cannot follow it; subscription deactivated', {
          ...fields,
          newChat: err.newChatId,
          reason: moved.reason,
          dropped: cancelled,
        });
        this.count(job, 'failed');
        return;
      }
      // Moved (by this action, or by the platform's own update before it): the job goes again, to the new id.
      // Busy: nothing moved; the next attempt meets the same answer and tries again.
      await this.writeNow((tx) => tx.jobs.retryLater(job.id, message, Date.now(), fence));
      if (moved.kind !== 'busy')
        this.logger.info('chat migrated; subscription follows it', { ...fields, newChat: err.newChatId });
      this.count(job, 'retry');
    } else if (err instanceof PermanentDeliveryError || err instanceof ChatMigratedError) {
      const deactivate = err instanceof PermanentDeliveryError && err.deactivate && post;
      const { cancelled } = await this.writeNow(async (tx) => {
        await tx.jobs.markFailed(job.id, message, {}, this.now(), fence);
        return deactivate ? tx.subscriptions.deactivate(job.subscriptionId, message, Date.now()) : { cancelled: 0 };
      });
      if (deactivate) this.logger.warn('subscription deactivated', { ...fields, dropped: cancelled });
      else this.logger.warn(`${what} failed permanently`, fields);
      this.count(job, 'failed');
    } else if (job.attempts + 1 >= (this.options.maxAttempts ?? 6)) {
      // A temporary failure that outlasted its retries: an editor may send it again (nashra resend, «إعادة إرسال»).
      await this.writeNow((tx) =>
        tx.jobs.markFailed(
          job.id,
          `gave up after ${job.attempts + 1} attempts: ${message}`,
          { retryable: true },
          this.now(),
          fence,
        ),
      );
      this.logger.error(`${what} failed after retries`, fields);
      this.count(job, 'failed');
    } else {
      const wait =
        err instanceof TemporaryDeliveryError && err.retryAfterMs !== undefined
          ? err.retryAfterMs
          : (this.options.backoffMs ?? 1000) * 2 ** job.attempts;
      await this.writeNow((tx) => tx.jobs.retryLater(job.id, message, Date.now() + wait, fence));
      this.logger.warn(`${what} will be retried`, { ...fields, inMs: wait });
      this.count(job, 'retry');
    }
  }

  /** The newsroom moves the subscription (its own unit, audited); `busy` when the database was held meanwhile. */
  private async followMigration(
    job: PendingJob,
    toChatId: string,
  ): Promise<{ kind: 'migrated' | 'none' | 'busy' } | { kind: 'refused'; reason: string }> {
    const { migrateChat } = this.options;
    if (!migrateChat) return { kind: 'refused', reason: 'nothing here moves subscriptions' };
    try {
      const r = await migrateChat(job.platform, job.chatId, toChatId);
      return r.kind === 'refused' ? { kind: 'refused', reason: r.reason ?? 'refused' } : { kind: r.kind };
    } catch (err) {
      if (!this.data.isBusy(err)) throw err;
      return { kind: 'busy' };
    }
  }

  private count(job: PendingJob, outcome: Outcome): void {
    // The totals count posts and digest messages; an edit or delete made counts as corrected.
    if (isCorrection(job)) {
      if (outcome === 'sent') this.totals.corrected++;
    } else if (outcome === 'retry') this.totals.retried++;
    else this.totals[outcome]++;
    this.options.onOutcome?.(job, outcome);
  }

  private async article(id: number): Promise<StoredArticle | undefined> {
    // It may have been edited, revised or retracted since it was cached (one primary-key lookup; a re-read only then).
    const stamp = await this.data.repos.jobs.articleStamp(id);
    if (stamp === undefined) return undefined;
    const cached = this.articleCache.get(id);
    if (cached?.stamp === stamp) return cached.article;
    const article = await this.data.repos.articles.get(id);
    if (!article) return undefined;
    if (this.articleCache.size >= 200) this.articleCache.delete(this.articleCache.keys().next().value!);
    this.articleCache.set(id, { article, stamp });
    return article;
  }

  private inFlightFor(transport: Pick<Transport, 'platform'>): number {
    let n = 0;
    for (const f of this.inFlight.values()) if (f.platform === transport.platform) n++;
    return n;
  }

  /**
   * Jobs queued on the platform that it can send, including those waiting for a retry time, up to the idle give-up
   * ahead: a broadcast scheduled for tomorrow would only make `run --once` wait a minute for nothing.
   */
  private hasPending(transport: Transport, idleGiveUpMs: number): Promise<boolean> {
    return this.data.repos.jobs.hasQueued(transport.platform, {
      texts: transport.sendText !== undefined,
      corrections: transport.posts !== undefined,
      ...(Number.isFinite(idleGiveUpMs) ? { dueBy: this.now() + idleGiveUpMs } : {}),
    });
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}

/** How the log names each kind (the words operators grep for). */
const LOG_NAMES: Record<PendingJob['kind'], string> = {
  post: 'delivery',
  digest: 'digest message',
  edit: 'correction',
  delete: 'correction',
};

const isCorrection = (job: PendingJob): job is PendingCorrection => job.kind === 'edit' || job.kind === 'delete';

/** The worker's hooks for one job: the transport's (`sending`), and its own (`answered`, `markNow`). */
type JobHooks = SendHooks & { answered(): Promise<boolean>; markNow(): Promise<boolean> };

const chatKey = (j: { platform: string; chatId: string }) => `${j.platform}:${j.chatId}`;
