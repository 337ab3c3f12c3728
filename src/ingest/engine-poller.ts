/**
 * Sources polled through pg-boss 10 (issue 24 §2), when the newsroom's database is PostgreSQL and several `nashra run`
 * share it: each due source becomes one engine job, and whichever run fetches it polls the source. What the engine
 * gives that SourcePoller's in-process set of polls cannot across processes:
 *
 * - one poll of a source at a time: the queue's `singleton` policy lets one job per source (singletonKey) be active
 *   (a unique index of pg-boss's), and a source has one job per poll: its id is derived from the source and its last
 *   poll's time, so every run's scheduling of the same due source, every tick, inserts the same row once;
 * - a run that dies mid-poll loses nothing: its job expires after NASHRA_POLL_EXPIRY_SECONDS (pg-boss's maintenance,
 *   every second) and is retried at once by a live run; a poll is safe to repeat (the intake's de-dup stores an
 *   item once);
 * - a poll that outlasts the expiry is stopped by its own run first (at 80 % of it) and recorded as a failed poll
 *   (backed off like any failure), so the retry of an expired job never runs beside a live poll.
 *
 * The schedule stays the sources table's next_fetch_at (interval, jitter, back-off, WebSub's slower safety poll, `poll
 * now`), as on SQLite: the engine only hands each due poll to one run. Why the outbox's messages are not claimed
 * through the engine too: bench/engine-pg.ts and README "Scaling out".
 *
 * pg-boss makes its own schema (`pgboss`) at start; Nashra's tables are untouched (`nashra db copy` targets only
 * Nashra's tables).
 */
import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';
import type { Source } from '../model/source.js';
import { MAIN_OUTLET } from '../model/outlet.js';
import {
  nextFetchAfterError,
  pollSource,
  SourcePoller,
  type PollDeps,
  type PollSummary,
  type SourcePollResult,
} from './poller.js';

/** pg-boss's queue of source polls. */
export const POLL_QUEUE = 'nashra-source-poll';
/** How often each run schedules due sources and fetches polls to do (as SourcePoller's tick). */
const TICK_MS = 1000;
/** A poll stops itself at this share of the expiry, before the engine would give its job to another run. */
const STOP_AT = 0.8;
/** Retries of an expired poll: a poll is safe to repeat, so in effect without limit. */
const RETRIES = 1_000_000;

/**
 * One pg-boss for the whole process, every outlet's queue in it (`nashra run` serving 10 outlets made 10 engines before,
 * each with its pool of 2 connections and its maintenance every second: 20 of the 60–64 connections a run kept open
 * in the scale bench). Started by the first poller that starts; stopped by its owner once every poller has stopped.
 */
export class JobEngine {
  readonly boss: PgBoss;
  private started: Promise<void> | undefined;

  /** `url`: the PostgreSQL URL (DATABASE_URL); pg-boss keeps its tables in the same database, in its own schema. */
  constructor(url: string, logger: Logger) {
    // Maintenance every second: an expired poll is handed on within about a second of its expiry. No cron here. Two
    // connections carried 10 outlets' polls (an insert and a fetch per outlet each second) and the maintenance.
    this.boss = new PgBoss({ connectionString: url, max: 2, schedule: false, maintenanceIntervalSeconds: 1 });
    this.boss.on('error', (err: unknown) =>
      logger.warn('job engine (pg-boss) error', {
        error: logger.redact(err instanceof Error ? err.message : String(err)),
      }),
    );
  }

  start(): Promise<void> {
    this.started ??= this.boss.start().then(() => undefined);
    return this.started;
  }

  async stop(): Promise<void> {
    if (this.started === undefined) return;
    await this.started.catch(() => undefined);
    await this.boss.stop({ graceful: false, wait: true, timeout: 1000 }).catch(() => undefined);
  }
}

export interface EnginePollerOptions {
  /** The process's engine (JobEngine), shared by its outlets; or the URL of one of the poller's own. */
  engine: JobEngine | { url: string };
  /** A poll's job expires (and goes to another run) this long after a run took it. */
  expireSeconds: number;
  /**
   * The queue's name (default POLL_QUEUE): one per outlet, whose sources' ids are its own database's, so two outlets'
   * source 1 are two jobs (pollQueue).
   */
  queue?: string;
}

/** The queue of an outlet's polls: POLL_QUEUE for the first (`main`), as before there were outlets. */
export function pollQueue(outlet: string | undefined): string {
  return outlet === undefined || outlet === MAIN_OUTLET ? POLL_QUEUE : `${POLL_QUEUE}-${outlet}`;
}

/**
 * One job per poll of a source: a UUID made from the source's id and its last poll's time (ms), which changes only
 * when a poll records its outcome, at its end. Scheduling a due source again while its poll runs inserts nothing.
 */
export function pollJobId(source: Pick<Source, 'id' | 'lastFetchAt'>): string {
  const hex = createHash('sha256')
    .update(`nashra-poll:${source.id}:${source.lastFetchAt?.getTime() ?? 0}`)
    .digest('hex');
  // Shaped as a version-8 UUID (RFC 9562: name-based, own hash), which pg-boss's uuid column takes.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class EnginePoller {
  private readonly engine: JobEngine;
  /** The engine was made here (EnginePollerOptions.engine a URL): stopped with the poller. */
  private readonly ownEngine: boolean;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private started: Promise<void> | undefined;
  private stopped = false;
  private readonly queue: string;

  constructor(
    private readonly deps: PollDeps,
    private readonly options: EnginePollerOptions,
    private readonly onQueued: () => void,
    private readonly onHeld: () => void = () => {},
  ) {
    this.queue = options.queue ?? POLL_QUEUE;
    this.ownEngine = !(options.engine instanceof JobEngine);
    this.engine = options.engine instanceof JobEngine ? options.engine : new JobEngine(options.engine.url, deps.logger);
  }

  private get boss(): PgBoss {
    return this.engine.boss;
  }

  /** `nashra run --once`: every active source now, in this process (SourcePoller's pollAll). */
  pollAll(): Promise<PollSummary> {
    return new SourcePoller(this.deps, this.onQueued, this.onHeld).pollAll();
  }

  /** Starts the engine and takes polls until stop(); a failure to start it stops the run (thrown, unhandled). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = (async () => {
      await this.engine.start();
      await this.createQueue();
      this.tick();
    })();
    void this.started.catch((err: unknown) => {
      if (this.stopped) return;
      throw err;
    });
  }

  /**
   * pg-boss's create_queue is an insert then, for a new queue, its partition's tables and indexes: two runs starting at
   * once on a new database deadlock in it (40P01, seen in tests/e2e/postgres/engine-poller.test.ts). The loser's
   * transaction is rolled back whole; asked again, it finds the winner's queue (ON CONFLICT DO NOTHING). Each outlet
   * has its queue: three runs of ten outlets starting at once make 30 creations, and on a loaded 2-core machine one
   * of them lost 5 times in a row (the scale bench, a run ended with 40P01): up to 20 tries, spread at random so that
   * the same two do not meet again (about 10 s at most).
   */
  private async createQueue(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.boss.createQueue(this.queue, {
          name: this.queue,
          policy: 'singleton',
          expireInSeconds: this.options.expireSeconds,
          retryLimit: RETRIES,
          retryDelay: 0,
        });
        return;
      } catch (err) {
        if (attempt === 20 || !this.deps.data.isBusy(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt * (0.5 + Math.random())));
      }
    }
  }

  /** Polls in flight are stopped and their jobs handed back (retried at once by another run); then the engine stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.started?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight.values()]);
    if (this.ownEngine) await this.engine.stop();
  }

  private tick(): void {
    if (this.stopped) return;
    void this.turn()
      .catch((err: unknown) => {
        if (this.deps.data.isStorageFault(err)) throw err;
        this.deps.logger.error('source scheduler (job engine) failed', { error: err });
      })
      .finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(() => this.tick(), TICK_MS);
        this.timer.unref();
      });
  }

  /** Due sources' jobs inserted (one per poll, whichever run inserts it), then polls fetched up to the concurrency. */
  private async turn(): Promise<void> {
    const due = await this.deps.data.repos.sources.due(Date.now());
    if (due.length > 0) {
      await this.boss.insert(
        due.map((s) => ({ id: pollJobId(s), name: this.queue, data: { source: s.id }, singletonKey: String(s.id) })),
      );
    }
    const free = this.deps.config.fetch.concurrency - this.inFlight.size;
    if (free <= 0 || this.stopped) return;
    const jobs = await this.boss.fetch<{ source: number }>(this.queue, { batchSize: free });
    for (const job of jobs) {
      const run = this.pollJob(job.id, job.data.source).finally(() => this.inFlight.delete(job.id));
      this.inFlight.set(job.id, run);
    }
  }

  private async pollJob(jobId: string, sourceId: number): Promise<void> {
    const { data, logger } = this.deps;
    try {
      const source = await data.repos.sources.get(sourceId);
      // Removed, paused, or polled since the job was made (its next time is later): nothing to do. The job is deleted,
      // not completed: a paused source resumed later has the same last poll, so its next poll has this job's id.
      if (source === undefined || !source.active || source.nextFetchAt.getTime() > Date.now()) {
        await this.boss.deleteJob(this.queue, jobId);
        return;
      }
      const outlasted = AbortSignal.timeout(this.options.expireSeconds * 1000 * STOP_AT);
      const result = await pollSource(this.deps, source, { signal: AbortSignal.any([this.abort.signal, outlasted]) });
      const stopped = result.outcome === 'error' && result.error === 'stopped';
      if (stopped && this.abort.signal.aborted) {
        // Stopping: nothing was recorded; the job goes back to the queue for another run at once.
        await this.boss.fail(this.queue, jobId, { reason: 'stopped' });
        return;
      }
      if (stopped) await this.recordOutlasted(source);
      this.report(result);
      await this.boss.complete(this.queue, jobId);
    } catch (err) {
      // A full disk or a lost database stops the run (thrown on, unhandled); the job expires and another run takes it.
      if (data.isStorageFault(err)) throw err;
      logger.error('source poll (job engine) failed', { source: sourceId, error: err });
      await this.boss.fail(this.queue, jobId, { reason: 'error' }).catch(() => undefined);
    }
  }

  /** A poll stopped at 80 % of its expiry counts as a failed poll: recorded, and the source backed off. */
  private async recordOutlasted(source: Source): Promise<void> {
    const now = Date.now();
    const error = `the poll took longer than ${Math.round(this.options.expireSeconds * STOP_AT)} s (NASHRA_POLL_EXPIRY_SECONDS=${this.options.expireSeconds}) and was stopped`;
    await this.deps.data.repos.sources.recordFetch(
      source.id,
      { status: 'timeout', error, nextFetchAt: nextFetchAfterError(source, now) },
      now,
    );
    this.deps.logger.warn('source poll failed', { source: source.id, status: 'timeout', error });
  }

  private report(result: SourcePollResult): void {
    if (result.queued > 0 || result.corrections > 0) this.onQueued();
    if (result.held > 0) this.onHeld();
  }
}
