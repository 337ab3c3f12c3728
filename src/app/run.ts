import { readdirSync } from 'node:fs';
import type { Catalogue } from '../i18n/index.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Config } from '../config.js';
import { DeliveryWorker } from '../delivery/worker.js';
import type { PlatformAdapter, QueueSignal, Transport } from '../delivery/platform.js';
import { UserError } from '../errors.js';
import { startHealthServer, type OutletHealth } from './health.js';
import { startDeskIfWanted } from './desk.js';
import type { DeskHandle } from '../desk/server.js';
import type { DeskPlatform } from '../desk/pages.js';
import type { NewsroomDeps } from '../newsroom/deps.js';
import { SourcePoller } from '../ingest/poller.js';
import type { EnginePoller, JobEngine } from '../ingest/engine-poller.js';
import { PushIngest } from '../ingest/push.js';
import { loadArticle } from '../ingest/load-article.js';
import type { Logger } from '../logger.js';
import { projectRoot } from '../paths.js';
import { contentHash } from '../ingest/prepare.js';
import { articleIntake } from '../newsroom/intake.js';
import { routeArticle, storeArticle } from '../newsroom/pipeline.js';
import { reviewAnnouncer } from '../newsroom/review.js';
import { postLinks } from '../newsroom/clicks.js';
import type { DataPorts } from '../ports/index.js';
import type { RunDatabase } from './run-database.js';
import { SenderLeases, SenderShare } from './senders.js';
// Each slice from its own module: the newsroom's index would load them all (OPML, source detection) into every run.
import type { ChatRules } from '../newsroom/deps.js';
import { digestCloser } from '../newsroom/digests.js';
import type { OutletNewsrooms } from '../newsroom/outlets.js';
import { collectStats } from '../newsroom/stats.js';
import { migrateChat } from '../newsroom/subscriptions.js';
import type { Markup } from '../format/post.js';
import type { Article } from '../model/article.js';
import { MAIN_OUTLET } from '../model/outlet.js';

/** One outlet as `nashra run` serves it (issue 24 §4): its own database, configuration, newsroom and platforms. */
export interface OutletRun {
  slug: string;
  /** Its configuration: `main`'s is loadConfig's, another's loadOutletConfig's (its prefixed variables). */
  config: Config;
  db: RunDatabase;
  /** Adapters for its configured platforms (built by the caller, so tests can pass their own). */
  platforms: PlatformAdapter[];
  /** What the adapters call when they queue deliveries; pointed at the outlet's worker here. */
  queued?: QueueSignal;
  /** Only platforms that print on this machine are on: seed the embedded demo into a fresh database (`main` only). */
  demo?: boolean;
  /** The newsroom's actions the run calls itself: a group that moved follows it (ChatMigratedError, migrateChat). */
  newsroom?: NewsroomDeps;
}

export interface RunOptions {
  once: boolean;
  out: (text: string) => void;
  /** What the run says, in the CLI's language (NASHRA_CLI_LANGUAGE). */
  words: Catalogue['cli']['run'];
  /** A platform as the words name it (its descriptor's label, in the CLI's language). */
  label: (platform: string) => string;
  /** The editors' web desk (served when NASHRA_WEB_PORT is set, or on the default port in the demo), once per process. */
  desk?: { outlets: OutletNewsrooms; platforms: readonly DeskPlatform[] };
  /** Every platform installed, configured or not: the run's summary says why a platform's deliveries wait. */
  registry?: readonly ChatRules[];
  /** Each platform's markup, for the digests (built for the platform when their period closes); none: no digests. */
  markupFor?: (platform: string) => Markup | undefined;
}

/** How often the platforms' connection state is written for `nashra stats` (another process) to read. */
const STATUS_EVERY_MS = 5000;

const RUN_LEASE = 'run';
const LEASE_TTL_MS = 15_000;
/** How soon editors hear of items held by another process (`nashra sources add --review`, /sources add). */
const ASK_EDITORS_MS = 10_000;
/** How often WebSub subscriptions are checked (new hubs, leases in their last tenth, removed sources). */
const WEBSUB_EVERY_MS = 60_000;

/**
 * The main job, for every outlet it is given (`nashra run` serves them all, `--outlet x` one): each outlet holds its
 * database's run lease, polls its sources and drains its outbox through its own platforms; the signals, the
 * health server and the desk are the process's, once. With no platform configured it runs on the embedded default:
 * the bundled samples, printed to the console.
 */
export async function runMain(
  config: Config,
  outlets: readonly OutletRun[],
  logger: Logger,
  options: RunOptions,
): Promise<void> {
  checkOwnAccounts(outlets, options.words);
  const runners: OutletRunner[] = [];
  // From the start, not once running: a SIGTERM during start-up must not kill the process with work half done,
  // and the leases are renewed in --once mode too (a long drain must not let a second run in).
  const stop = watchStop(logger, async () => (await Promise.all(runners.map((r) => r.renewLease()))).every(Boolean));
  // An error nothing caught (a timer's write on a full disk, a background job's rejection) stops the run like a
  // signal, and runMain then throws it: the process ends with its cause, whatever mode it runs in.
  const fail = (err: unknown) => stop.fail(err);
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  let health: Server | undefined;
  let desk: DeskHandle | undefined;
  // The long-running mode shares the outlets' tokens out with the other runs; `--once` takes every one it can.
  const share = options.once ? undefined : new SenderShare();
  // One job engine for the process, every outlet's poll queue in it (the outlets' schemas are in one database). Its
  // module (pg-boss and PostgreSQL's client) is loaded only then: on SQLite the run does not pay for it.
  const engine = config.databaseUrl === undefined ? undefined : await pollEngine(config.databaseUrl, logger);
  try {
    for (const outlet of outlets) {
      const runner = new OutletRunner(
        outlet,
        outlets.length > 1 ? outletLogger(logger, outlet.slug) : logger,
        options,
        stop,
        fail,
        { share, engine },
      );
      await runner.acquire();
      runners.push(runner);
    }
    for (const runner of runners) await runner.prepare();
    for (const runner of runners) if (!(await runner.startPlatforms())) return;
    if (config.healthPort)
      health = await startHealthServer(
        config.healthPort,
        runners.map((r) => r.health()),
        logger,
      );
    // The desk's push endpoints (publish hooks, WebSub callbacks) reach each outlet's sources through its runner's
    // PushIngest, by the outlet's name in the path (src/desk/push-routes.ts).
    const main = runners.find((r) => r.outlet.slug === MAIN_OUTLET);
    if (!options.once && options.desk) {
      const pushOf = new Map(runners.map((r) => [r.outlet.slug, r.push!] as const));
      desk = await startDeskIfWanted(options.desk.outlets, options.desk.platforms, {
        demo: main?.outlet.demo ?? false,
        out: options.out,
        words: options.words,
        push: (slug) => pushOf.get(slug),
      });
    }
    if (options.once) {
      for (const runner of runners) await runner.once();
    } else {
      for (const runner of runners) await runner.serve();
      await stop.requested;
      for (const runner of runners) await runner.stopWork();
    }
    if (stop.failure !== undefined) throw stop.failure;
  } finally {
    stop.dispose();
    for (const runner of runners) runner.stopTimers();
    // After every poller stopped (stopWork), or without them after an error: their polls handed back first.
    await engine?.jobs.stop();
    // Also after an error: a platform left running (grammY's long polling) would keep the process alive.
    for (const outlet of outlets) {
      for (const p of outlet.platforms)
        await p.stop().catch((err) => logger.warn('platform did not stop cleanly', { platform: p.name, error: err }));
    }
    health?.close();
    await desk?.close();
    for (const runner of runners) await runner.release();
    // Last, so that what was in flight when a fault stopped the run (each write failing the same way) is not
    // reported again with a stack: the first error is the one the CLI reports, and the process then exits.
    process.off('uncaughtException', fail);
    process.off('unhandledRejection', fail);
  }
}

/**
 * Two outlets sending as one account would each think the other's posts its own (a bot's updates go to one of them
 * at random, a WhatsApp session's Chromium would be started twice): refused before anything starts.
 */
function checkOwnAccounts(outlets: readonly OutletRun[], words: Catalogue['cli']['run']): void {
  const seen = new Map<string, string>();
  for (const outlet of outlets) {
    for (const p of outlet.platforms) {
      const accounts = [
        ...(p.transport.sender ? [{ key: `${p.name} sender ${p.transport.sender}`, token: true }] : []),
        ...(p.pin ? [{ key: `${p.name} pin ${p.pin}`, token: false }] : []),
      ];
      for (const { key, token } of accounts) {
        const other = seen.get(key);
        if (other !== undefined && other !== outlet.slug) {
          throw new UserError(words.sameAccount(other, outlet.slug, p.name, token));
        }
        seen.set(key, outlet.slug);
      }
    }
  }
}

/** A logger that names the outlet in each line (another outlet's than `main`'s, in a run serving several). */
function outletLogger(logger: Logger, outlet: string): Logger {
  const withOutlet = (fields: Record<string, unknown> = {}) => ({ outlet, ...fields });
  return {
    debug: (m, f) => logger.debug(m, withOutlet(f)),
    info: (m, f) => logger.info(m, withOutlet(f)),
    warn: (m, f) => logger.warn(m, withOutlet(f)),
    error: (m, f) => logger.error(m, withOutlet(f)),
    addSecret: (secret) => logger.addSecret(secret),
    redact: (text) => logger.redact(text),
  };
}

type Stop = ReturnType<typeof watchStop>;

/** The PostgreSQL job engine the outlets' polls go through, with the module that makes their pollers. */
interface PollEngine {
  jobs: JobEngine;
  module: typeof import('../ingest/engine-poller.js');
}

async function pollEngine(databaseUrl: string, logger: Logger): Promise<PollEngine> {
  const module = await import('../ingest/engine-poller.js');
  return { jobs: new module.JobEngine(databaseUrl, logger), module };
}

/** One outlet's part of the run: its lease, recovery, worker, poller, push ingest, platforms and their status. */
class OutletRunner {
  private lease?: Awaited<ReturnType<typeof acquireLease>>;
  private senders?: SenderLeases;
  private worker?: DeliveryWorker;
  private poller?: SourcePoller | EnginePoller;
  push?: PushIngest;
  private askEditors: () => Promise<void> = async () => {};
  private platforms: PlatformAdapter[] = [];
  private statusTimer: NodeJS.Timeout | undefined;
  private recordStatus: () => void = () => {};

  constructor(
    readonly outlet: OutletRun,
    private readonly logger: Logger,
    private readonly options: RunOptions,
    private readonly stop: Stop,
    private readonly fail: (err: unknown) => void,
    private readonly shared: { share?: SenderShare; engine?: PollEngine },
  ) {}

  async acquire(): Promise<void> {
    const { db, config } = this.outlet;
    const lease = await acquireLease(db, this.logger, this.options.words);
    this.lease = lease;
    // A database several runs share (PostgreSQL): each sender and pinned platform is driven by one of them at a time.
    this.senders = db.shared
      ? new SenderLeases(db, this.logger, {
          holder: lease.holder,
          info: { pid: process.pid, host: hostname() },
          host: hostname(),
          policy: config.inDoubtPolicy,
          processExists,
          onTaken: () => this.worker?.notify(),
          share: this.shared.share,
          inFlight: (platform) => this.worker?.inFlightOn(platform) ?? 0,
        })
      : undefined;
  }

  renewLease(): Promise<boolean> {
    return this.lease ? this.lease.renew() : Promise.resolve(true);
  }

  async prepare(): Promise<void> {
    const { db, config } = this.outlet;
    const { logger, options, senders } = this;
    // One recovery for every kind of job (posts, digest messages, edits, deletes): what was on the wire at the stop.
    // Shared: each platform's when its sender is taken (the others' jobs `sending` are other live runs' requests).
    const { data } = db;
    const recovered = senders ? 0 : await data.repos.jobs.recoverInterrupted(config.inDoubtPolicy, Date.now());
    if (recovered > 0) {
      logger.warn(
        config.inDoubtPolicy === 'hold'
          ? 'messages interrupted by the last stop are in doubt and will not be resent (see nashra in-doubt list)'
          : 'messages interrupted by the last stop are queued again (NASHRA_IN_DOUBT_POLICY=resend)',
        { count: recovered },
      );
    }
    // A platform pinned to one run (a WhatsApp session's Chromium) that another run drives is left out here.
    const platforms = senders ? await senders.pinned(this.outlet.platforms) : this.outlet.platforms;
    this.platforms = platforms;
    const transports: Transport[] = platforms.map((p) => p.transport);
    // Before the platforms start (grammY may wait for its API a long time): the pins are renewed meanwhile.
    await senders?.claim(transports);
    if (!this.outlet.demo) {
      // The README's order: the demo first, then a token. Its samples and console target are not the newsroom's.
      const ended = (await db.demoPending(DEMO))
        ? await db.endDemo(
            DEMO,
            (await loadSamples(config, logger)).map((a) => ({ contentHash: contentHash(a), title: a.title })),
            'nashra run',
          )
        : null;
      if (ended) {
        options.out(options.words.demoEnded(ended.articles));
      }
    }
    if (this.outlet.demo) {
      options.out(options.words.demoOn(options.label('telegram'), options.label('whatsapp')));
      // A fresh database gets the embedded demo; one that has been set up is left as it is.
      const subscriptions = await data.repos.subscriptions.list();
      if (subscriptions.length === 0) await seedDemo(config, data, logger, options);
      else if (subscriptions.some((s) => s.createdBy === DEMO))
        options.out(options.words.demoAlreadyRan(db.where, /^postgres(ql)?:/i.test(db.where)));
    }

    const { newsroom } = this.outlet;
    const delivery = new DeliveryWorker(data, transports, logger, {
      digests: options.markupFor ? digestCloser(data, options.markupFor, config) : undefined,
      migrateChat: newsroom && ((platform, from, to) => migrateChat(newsroom, { platform, chatId: from }, to)),
      links: postLinks({ config, data }, this.outlet.slug),
      ...(senders ? { owns: (t: Transport) => senders.owns(t), fence: (t: Transport) => senders.fence(t) } : {}),
    });
    this.worker = delivery;
    this.outlet.queued?.listen(() => delivery.notify());
    const askEditors = reviewAnnouncer(data.repos, () => data.isOpen(), logger, platforms);
    this.askEditors = askEditors;
    const intake = articleIntake({ config, data, logger });
    // On PostgreSQL several runs may share the sources: each poll goes through the job engine (one run per source at a
    // time), in a queue of the outlet's own (its sources' ids are its database's).
    const pollDeps = { config, data, logger, intake };
    const { engine } = this.shared;
    this.poller =
      engine === undefined
        ? new SourcePoller(
            pollDeps,
            () => delivery.notify(),
            () => void askEditors(),
          )
        : new engine.module.EnginePoller(
            pollDeps,
            {
              engine: engine.jobs,
              expireSeconds: config.fetch.pollExpirySeconds,
              queue: engine.module.pollQueue(this.outlet.slug),
            },
            () => delivery.notify(),
            () => void askEditors(),
          );
    this.push = new PushIngest({
      config,
      data,
      logger,
      intake,
      outlet: this.outlet.slug,
      onQueued: () => {
        delivery.notify();
        void askEditors();
      },
    });
  }

  /** False when a stop was asked for while a platform still waited for its API: the run then ends at once. */
  async startPlatforms(): Promise<boolean> {
    const { stop, platforms } = this;
    // A stop asked for while a platform still waits for its API (grammY retries getMe for ever) aborts the start:
    // nothing is in flight yet, so the run ends at once instead of ignoring the signal.
    let platformsStarted = false;
    void stop.requested.then(() => {
      if (!platformsStarted) for (const p of platforms) void p.stop().catch(() => undefined);
    });
    for (const p of platforms) {
      try {
        await p.start();
      } catch (err) {
        if (stop.failure !== undefined) throw stop.failure;
        if (stop.isRequested) return false;
        throw err;
      }
    }
    platformsStarted = true;
    // Written when it changes (and once at start): `nashra stats` reads the state, not how recent it is.
    const recorded = new Map<string, string>();
    this.recordStatus = () => {
      for (const p of platforms) {
        const reason = p.isConnected() ? undefined : (p.notReadyReason?.() ?? `${p.name} is not connected`);
        if (recorded.has(p.name) && recorded.get(p.name) === (reason ?? '')) continue;
        recorded.set(p.name, reason ?? '');
        // Refused as busy (others held the write lock past its 5 s wait, a loaded machine): written at the next look.
        this.outlet.db.recordPlatform(p.name, reason === undefined, reason).catch((err: unknown) => {
          if (!this.outlet.db.data.isBusy(err)) return this.fail(err);
          recorded.delete(p.name);
        });
      }
    };
    this.recordStatus();
    this.statusTimer = setInterval(this.recordStatus, STATUS_EVERY_MS);
    return true;
  }

  health(): OutletHealth {
    return { slug: this.outlet.slug, data: this.outlet.db.data, platforms: this.platforms };
  }

  /** `--once`: every source polled, what waits asked of the editors, the outbox drained, and one summary line. */
  async once(): Promise<void> {
    const { stop, logger, options } = this;
    const delivery = this.worker!;
    const { data } = this.outlet.db;
    const { config } = this.outlet;
    // A signal during the drain: take no new work, let what is in flight finish (as in the long-running mode).
    void stop.requested.then(() => delivery.stop(3000));
    await this.poller!.pollAll();
    await this.askEditors();
    // A sender a killed run held is taken over first (what it left `sending` recovered), not left to lapse after the end.
    await this.senders?.settle();
    if (stop.isRequested) return;
    const result = await delivery.drain();
    this.recordStatus();
    // "Drained" only when nothing waits; otherwise each platform's count and the reason, in the one summary line.
    const { waiting, waitingForChats, scheduled } = await collectStats(data.repos, Date.now(), {
      platforms: options.registry ?? [],
      configured: config.platforms,
    });
    // What waits for its chat's quiet hours or digest is not stuck: said, with its time, beside either line.
    const forChats = Object.fromEntries([
      ...waitingForChats.map((w) => [`waitingForChats.${w.platform}`, `${w.count} (until ${w.until})`]),
      ...scheduled.map((w) => [`scheduled.${w.platform}`, `${w.count} (the first at ${w.next})`]),
    ]);
    if (waiting.length === 0) logger.info('queue drained', { ...result, ...forChats });
    else
      logger.warn('sending stopped; deliveries still wait', {
        ...result,
        ...forChats,
        ...Object.fromEntries(waiting.map((w) => [`waiting.${w.platform}`, `${w.count} (${w.reason})`])),
      });
  }

  /** The long-running mode: the poller, the worker, the editors' reminders and WebSub's upkeep, until the stop. */
  async serve(): Promise<void> {
    const { stop, logger } = this;
    const delivery = this.worker!;
    const push = this.push!;
    // The demo prints to the console: the queued messages first, so the log lines that follow do not land between them.
    if (this.outlet.demo && !stop.isRequested) {
      void stop.requested.then(() => delivery.stop(3000));
      await delivery.drain();
    }
    if (stop.isRequested) return;
    this.poller!.start();
    delivery.start();
    const asking = setInterval(() => void this.askEditors(), ASK_EDITORS_MS);
    void this.askEditors();
    // WebSub: subscribe to the hubs the polls found, renew leases, unsubscribe removed sources.
    const maintaining = setInterval(() => void push.maintain(), WEBSUB_EVERY_MS);
    void push.maintain();
    void stop.requested.then(() => {
      clearInterval(asking);
      clearInterval(maintaining);
    });
    logger.info('nashra is running', { platforms: this.platforms.map((p) => p.name).join(',') || 'console only' });
  }

  async stopWork(): Promise<void> {
    await this.poller?.stop();
    await this.push?.settle();
    await this.worker?.stop(3000);
  }

  stopTimers(): void {
    clearInterval(this.statusTimer);
  }

  /** After the worker stopped: what is still `sending` is in doubt for the run that takes the sender next. */
  async release(): Promise<void> {
    await this.senders?.release();
    await this.lease?.release();
  }
}

async function acquireLease(db: RunDatabase, logger: Logger, words: Catalogue['cli']['run']) {
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const info = { pid: process.pid, host: hostname() };
  // A database several runs share: each its own lease (`nashra stats` asks whether any is alive), none refused; the
  // leases of runs that died are cleared here.
  const LEASE = db.shared ? `${RUN_LEASE}:${holder}` : RUN_LEASE;
  if (db.shared) await db.pruneLeases(`${RUN_LEASE}:`, Date.now());
  const got = await db.acquireLease(LEASE, holder, LEASE_TTL_MS, info);
  if (!got.ok) {
    const c = got.current;
    // A run that crashed on this machine (its pid is gone) holds no work: take over now rather than refuse for
    // the rest of the TTL, which would make a supervisor's quick restarts fail and give up.
    if (
      c.host === hostname() &&
      c.pid !== undefined &&
      !processExists(c.pid) &&
      (await db.takeOverLease(LEASE, c.holder, holder, LEASE_TTL_MS, info))
    ) {
      logger.warn('took over the run lease of a process that is no longer running', { pid: c.pid });
    } else {
      throw new UserError(words.leaseHeld(db.where, String(c.pid ?? '?'), c.host ?? '?', c.expiresAt.toISOString()));
    }
  }
  return {
    holder,
    renew: async () => {
      let renewed: boolean;
      try {
        renewed = await db.renewLease(LEASE, holder, LEASE_TTL_MS);
      } catch (err) {
        // Another process holds the write lock past the busy timeout: the lease (15 s) outlives the next try in 5 s.
        if (!db.data.isBusy(err)) throw err;
        logger.warn('could not renew the run lease: the database is locked by another process; trying again');
        return true;
      }
      if (!renewed) {
        logger.error('lost the run lease to another process; stopping');
        return false;
      }
      return true;
    },
    release: async () => {
      // On a full disk or a damaged file this write fails too: the lease then expires by itself, and a restart on
      // this host takes it over at once, so the error that stopped the run is the one reported.
      try {
        await db.releaseLease(LEASE, holder);
      } catch (err) {
        logger.debug('run lease not released', { error: err });
      }
    },
  };
}

/** False only when no process has this pid (EPERM means it exists under another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGINT/SIGTERM (or a lost lease, or a fatal error: `fail`) ask the run to stop; the lease is renewed meanwhile. A
 * second signal after the first is left to its default action, so an impatient Ctrl-C still ends a stuck stop.
 */
function watchStop(
  logger: Logger,
  renew: () => Promise<boolean>,
): {
  requested: Promise<string>;
  readonly isRequested: boolean;
  readonly failure: unknown;
  fail(err: unknown): void;
  dispose(): void;
} {
  let why: string | undefined;
  let failure: unknown;
  let resolve!: (why: string) => void;
  const requested = new Promise<string>((r) => {
    resolve = r;
  });
  const stop = (reason: string) => {
    if (why !== undefined) return;
    why = reason;
    clearInterval(timer);
    logger.info('stopping', { why });
    resolve(reason);
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  const timer = setInterval(() => {
    renew().then(
      (held) => {
        if (!held) stop('lease lost');
      },
      (err: unknown) => {
        failure ??= err;
        stop('error');
      },
    );
  }, LEASE_TTL_MS / 3);
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  return {
    requested,
    get isRequested() {
      return why !== undefined;
    },
    get failure() {
      return failure;
    },
    fail(err: unknown) {
      failure ??= err ?? new Error('unknown error');
      stop('error');
    },
    dispose() {
      clearInterval(timer);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** Who created the demo's console subscription. */
const DEMO = 'demo';

/** A second `npm start` on the same database: the samples are stored and were printed; say so, and how to see them again. */
/** The embedded default: a console subscriber and the bundled sample articles. */
async function seedDemo(
  config: Config,
  data: DataPorts,
  logger: Logger,
  { out, words }: Pick<RunOptions, 'out' | 'words'>,
): Promise<void> {
  await data.repos.subscriptions.subscribe(
    { platform: 'console', chatId: 'console', kind: 'private', createdBy: DEMO },
    Date.now(),
  );
  let added = 0;
  for (const article of await loadSamples(config, logger)) {
    const queued = await data.uow.run(async (tx) => {
      const result = await storeArticle(tx, article, { summary: config.summary, timeZone: config.timeZone });
      return result.status === 'new' ? routeArticle(tx, result.article) : 0;
    });
    if (queued > 0) added++;
  }
  out(words.demoSeeded(added));
}

/** The bundled sample articles (samples/*.txt), read as the demo reads them. */
async function loadSamples(config: Config, logger: Logger): Promise<Article[]> {
  const dir = join(projectRoot(), 'samples');
  const articles: Article[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    try {
      articles.push(await loadArticle(join(dir, file), config));
    } catch (err) {
      logger.warn('sample article skipped', { file, error: err });
    }
  }
  return articles;
}
