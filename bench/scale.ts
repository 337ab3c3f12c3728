/**
 * `npm run bench -- scale` (issue 24 §6): `deliveries` paid-broadcast deliveries (default 1,000,000) spread over
 * `outlets` outlets (default 10), each with its own bot token at the paid rate (TELEGRAM_PAID_BROADCAST_RATE=1000)
 * against the strict fake (FakeTelegramHub, tests/fake-telegram/server.ts: one API root, one FakeTelegram per token, each 30/s free,
 * 1,000/s paid, 1/s per chat, 429 beyond), delivered by real `nashra run` processes (the built CLI), each serving
 * every outlet:
 *
 * - SQLite: one process (a SQLite file is one machine's; each outlet's file beside main's).
 * - PostgreSQL: 1, 2 and 3 processes on one throwaway cluster (tests/helpers/pg-cluster.ts), each outlet a schema;
 *   each token is driven by one process at a time (its sender's lease, src/app/senders.ts), so the outlets' tokens
 *   are what several processes share out.
 *
 * The same rows for every configuration: queued once in SQLite files (tests/helpers/child-run.ts prepareBroadcast),
 * copied for the SQLite run and copied into a fresh database's schemas (copyToPostgres) for each PostgreSQL one.
 *
 * Figures per configuration: deliveries/s between the first and the last message the fake accepted; CPU per delivery
 * of the `nashra run` processes (/proc/<pid>/stat utime+stime, from the first accepted message to the drained queue)
 * and of the PostgreSQL server (every process of the cluster, bench/engine-pg.ts serverCpuMs) over the same span;
 * the fake's own CPU (the load generator: when it nears a core, it caps the figure); 429s (0); duplicates and lost
 * (0), counted at the fake per token, article and chat; how many tokens each process drove (sampled mid-run); the
 * processes' and the server's CPU per second for 5 s once the queue is empty (what each outlet costs doing nothing);
 * the most connections open at once.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { outletFile, outletSchema } from '../src/app/outlets.js';
import { MAIN_OUTLET } from '../src/model/outlet.js';
import { defaultEnvPrefix } from '../src/newsroom/outlets.js';
import { openStore } from '../src/store/index.js';
import { copyToPostgres } from '../src/store/postgres/copy.js';
import { openPostgres } from '../src/store/postgres/database.js';
import { childEnv, prepareBroadcast, spawnRun, type ChildRun } from '../tests/helpers/child-run.js';
import { postgresBin, startCluster } from '../tests/helpers/pg-cluster.js';
import { serverCpuMs } from './engine-pg.js';
import { startFakeBots, type BotsStats, type InDoubt } from './fake-bots-process.js';

export interface ScaleOptions {
  deliveries?: number;
  outlets?: number;
  /** Articles per outlet, each broadcast (paid) to all its chats; chats = deliveries ÷ outlets ÷ articles. */
  articles?: number;
  /** The PostgreSQL configurations' process counts. */
  workers?: number[];
  sqlite?: boolean;
  log?: (line: string) => void;
}

export interface ScaleFigure {
  database: 'sqlite' | 'postgres';
  workers: number;
  outlets: number;
  deliveries: number;
  /** From the first process's start until the queue was drained. */
  wallSeconds: number;
  /** Between the first and the last message the fake accepted. */
  deliveriesPerSecond: number;
  workerCpuMsPerDelivery: number;
  /** PostgreSQL's server processes; null for SQLite (its work is inside the `nashra run` process). */
  dbCpuMsPerDelivery: number | null;
  fakeCpuMsPerDelivery: number;
  rateLimited429: number;
  duplicates: number;
  /** Never sent, and not held in doubt either. */
  lost: number;
  /**
   * Held in doubt (NASHRA_IN_DOUBT_POLICY=hold): on the wire, or marked to be, when its run lost the token's lease;
   * and how many of them the fake had received.
   */
  inDoubt: number;
  inDoubtReceived: number;
  /** "lost a sender's lease" lines in the runs' logs: a renewal that came too late (a lease lapses after 9 s). */
  leaseLosses: number;
  /**
   * Of each lease's renewals, the time from one renewal's question to the next one's answer (how much of the 9 s
   * lease it used): the highest p99 and the slowest over every run and outlet (PostgreSQL; null for SQLite).
   */
  renewalP99Ms: number | null;
  renewalSlowestMs: number | null;
  /** Tokens (outlets' senders) each process held, sampled mid-run (PostgreSQL). */
  tokensPerWorker: number[];
  /** CPU of the processes (and of PostgreSQL) per second once the queue is empty: each outlet's timers, polls, leases. */
  idleWorkerCpuMsPerSecond: number;
  idleDbCpuMsPerSecond: number | null;
  /** The most connections the cluster had open at once (pg_stat_activity, client backends), sampled every 0.5 s. */
  peakConnections: number | null;
}

export interface ScaleResult {
  deliveries: number;
  outlets: number;
  chats: number;
  articles: number;
  prepareSeconds: number;
  figures: ScaleFigure[];
}

const FIRST_CHAT = 200_000;
/** How long the drained runs are watched for their idle CPU. */
const IDLE_MS = 5_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A token of the Bot API's shape for outlet `i` (never a real one). */
const tokenOf = (i: number) => `${900_000_000 + i}:AAEscaleBenchTokenForNashraOutlet_${String(i).padStart(8, '0')}`;
const slugOf = (i: number) => (i === 0 ? MAIN_OUTLET : `outlet${i}`);

/** The processes' CPU so far (ms), from /proc/<pid>/stat (utime + stime of every thread); a process gone counts 0. */
function processCpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* exited */
    }
  }
  return ticks * 10; // CLK_TCK is 100 on Linux
}

/**
 * The environment of every process: main's token unprefixed, each other outlet's under its prefix, and the Bot API's
 * address and limits both ways (an outlet's platform settings are its own variables).
 */
function workerEnv(apiRoot: string, outlets: number, database: { path: string; url?: string }): Record<string, string> {
  const telegram = {
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_RATE_PER_SECOND: '30',
    TELEGRAM_RATE_PER_CHAT_PER_SECOND: '1',
    TELEGRAM_RATE_PER_GROUP_PER_MINUTE: '20',
    TELEGRAM_PAID_BROADCAST_RATE: '1000',
  };
  const env: Record<string, string> = childEnv(apiRoot, database.path, {
    // info: each outlet's renewal figures at the stop ("sender leases renewed", src/app/senders.ts).
    ...telegram,
    TELEGRAM_BOT_TOKEN: tokenOf(0),
    LOG_LEVEL: 'info',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
  });
  for (let i = 1; i < outlets; i++) {
    const prefix = defaultEnvPrefix(slugOf(i));
    env[`${prefix}TELEGRAM_BOT_TOKEN`] = tokenOf(i);
    for (const [k, v] of Object.entries(telegram)) env[`${prefix}${k}`] = v;
  }
  return env;
}

/** The outlets' rows, queued once: main's file (with the registry) and each other outlet's beside it. */
async function prepare(path: string, outlets: number, chats: number, articles: number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  for (let i = 0; i < outlets; i++) {
    const file = outletFile(path, slugOf(i));
    mkdirSync(dirname(file), { recursive: true });
    await prepareBroadcast(file, chats, articles, FIRST_CHAT, { paid: true });
  }
  const store = openStore(path);
  try {
    for (let i = 1; i < outlets; i++)
      store.outlets.add({ slug: slugOf(i), name: `Outlet ${i}`, envPrefix: defaultEnvPrefix(slugOf(i)) }, Date.now());
  } finally {
    store.close();
  }
}

/** What is still to send, over every outlet's database. */
type Pending = () => Promise<number>;

/** The posts held in doubt, in `schema`'s tables (PostgreSQL) or the connection's own (SQLite). */
const inDoubtSql = (schema?: string) => {
  const t = (table: string) => (schema ? `${schema}.${table}` : table);
  return `SELECT s.chat_id, a.url FROM ${t('jobs')} j JOIN ${t('subscriptions')} s ON s.id = j.subscription_id
    JOIN ${t('articles')} a ON a.id = j.article_id WHERE j.kind = 'post' AND j.state = 'in_doubt'`;
};

/** A row in doubt as the fake counts it: the chat's index and the article's (by its prepared link). */
const inDoubtOf = (bot: number, r: { chat_id: string; url: string }): InDoubt => ({
  bot,
  chat: Number(r.chat_id) - FIRST_CHAT,
  article: Number(/\/(\d+)$/.exec(r.url)![1]),
});

async function measure(o: {
  database: 'sqlite' | 'postgres';
  workers: number;
  outlets: number;
  chats: number;
  articles: number;
  dbPath: string;
  url?: string;
  pending: Pending;
  inDoubt: () => Promise<InDoubt[]>;
  holders?: () => Promise<number[]>;
  connections?: () => Promise<number>;
  postmaster?: number;
  log: (l: string) => void;
}): Promise<ScaleFigure> {
  const deliveries = o.outlets * o.chats * o.articles;
  const tokens = Array.from({ length: o.outlets }, (_, i) => tokenOf(i));
  const fake = await startFakeBots(
    tokens,
    { globalPerSecond: 30, paidPerSecond: 1000, perChatPerSecond: 1, perGroupPerMinute: 20 },
    { chats: o.chats, articles: o.articles, firstChat: FIRST_CHAT },
  );
  const runs: ChildRun[] = [];
  try {
    const env = workerEnv(fake.apiRoot, o.outlets, { path: o.dbPath, url: o.url });
    const started = performance.now();
    // Started together: each takes the tokens it finds free at its first try.
    for (let w = 0; w < o.workers; w++) runs.push(spawnRun(env));
    const pids = runs.map((r) => r.pid);
    const alive = () => {
      const dead = runs.find((r) => r.child.exitCode !== null || r.child.signalCode !== null);
      if (dead)
        throw new Error(
          `nashra run (pid ${dead.pid}) ended with ${dead.child.exitCode ?? dead.child.signalCode}: ${dead.output().slice(-2000)}`,
        );
    };
    let first: BotsStats;
    for (;;) {
      first = await fake.stats();
      if (first.sent > 0) break;
      alive();
      if (performance.now() - started > 120_000) throw new Error('no message reached the fake in 2 minutes');
      await sleep(100);
    }
    const cpu0 = processCpuMs(pids);
    const db0 = o.postmaster ? serverCpuMs(o.postmaster) : 0;
    let tokensPerWorker: number[] = [];
    let peakConnections = 0;
    let lastLog = performance.now();
    for (;;) {
      await sleep(500);
      alive();
      if (o.connections) peakConnections = Math.max(peakConnections, await o.connections());
      const left = await o.pending();
      if (left === 0) break;
      if (o.holders && tokensPerWorker.length === 0 && left < deliveries / 2) {
        const held = await o.holders();
        tokensPerWorker = pids.map((pid) => held.filter((h) => h === pid).length);
      }
      if (performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        o.log(
          `[scale] ${o.database} ×${o.workers}: ${deliveries - left} of ${deliveries} sent, ${round((performance.now() - started) / 1000)} s`,
        );
      }
    }
    const cpu1 = processCpuMs(pids);
    const db1 = o.postmaster ? serverCpuMs(o.postmaster) : 0;
    const wallSeconds = (performance.now() - started) / 1000;
    const end = await fake.stats();
    await sleep(IDLE_MS);
    const idleWorkerCpuMsPerSecond = (processCpuMs(pids) - cpu1) / (IDLE_MS / 1000);
    const idleDbCpuMsPerSecond = o.postmaster ? (serverCpuMs(o.postmaster) - db1) / (IDLE_MS / 1000) : null;
    alive();
    // Settled (the last answers counted) before the processes stop: what they sent was accepted by then.
    for (const r of runs) {
      const exit = await r.kill('SIGTERM');
      if (exit.code !== 0)
        throw new Error(
          `nashra run (pid ${r.pid}) exited with ${exit.code ?? exit.signal}: ${r.output().slice(-2000)}`,
        );
    }
    const inDoubt = await o.inDoubt();
    const final = await fake.final(inDoubt);
    const span = Math.max(1, end.lastAt - end.firstAt) / 1000;
    const during = Math.max(1, end.sent - first.sent);
    const figure: ScaleFigure = {
      database: o.database,
      workers: o.workers,
      outlets: o.outlets,
      deliveries,
      wallSeconds: round(wallSeconds),
      deliveriesPerSecond: round(end.sent / span),
      workerCpuMsPerDelivery: round((cpu1 - cpu0) / during, 3),
      dbCpuMsPerDelivery: o.postmaster ? round((db1 - db0) / during, 3) : null,
      fakeCpuMsPerDelivery: round((end.cpuMs - first.cpuMs) / during, 3),
      rateLimited429: final.bots.reduce((a, b) => a + b.rateLimited429, 0),
      duplicates: final.bots.reduce((a, b) => a + b.duplicates, 0),
      lost: final.bots.reduce((a, b) => a + b.lost, 0),
      inDoubt: inDoubt.length,
      inDoubtReceived: final.bots.reduce((a, b) => a + b.inDoubtReceived, 0),
      leaseLosses: runs.reduce(
        (a, r) =>
          a +
          r
            .output()
            .split('\n')
            .filter((l) => l.includes("lost a sender's lease")).length,
        0,
      ),
      ...renewalFigures(runs.map((r) => r.output()).join('\n')),
      tokensPerWorker: o.holders ? tokensPerWorker : [o.outlets],
      idleWorkerCpuMsPerSecond: round(idleWorkerCpuMsPerSecond),
      idleDbCpuMsPerSecond: idleDbCpuMsPerSecond === null ? null : round(idleDbCpuMsPerSecond),
      peakConnections: o.connections ? peakConnections : null,
    };
    o.log(`[scale] ${describeScale(figure)}`);
    return figure;
  } finally {
    for (const r of runs) await r.kill('SIGKILL');
    await fake.stop();
  }
}

/** The runs' "sender leases renewed" lines (one per outlet at its stop): the highest p99 and the slowest renewal. */
function renewalFigures(output: string): { renewalP99Ms: number | null; renewalSlowestMs: number | null } {
  const lines = output.split('\n').filter((l) => l.includes('sender leases renewed'));
  const max = (key: string) =>
    lines.length === 0 ? null : Math.max(...lines.map((l) => Number(new RegExp(`${key}=(\\d+)`).exec(l)?.[1] ?? 0)));
  return { renewalP99Ms: max('p99Ms'), renewalSlowestMs: max('slowestMs') };
}

export function describeScale(f: ScaleFigure): string {
  return (
    `${f.database} ×${f.workers} (${f.outlets} outlets, ${f.deliveries} deliveries): ${f.deliveriesPerSecond}/s, ${f.wallSeconds} s in all; ` +
    `CPU per delivery ${f.workerCpuMsPerDelivery} ms in nashra run` +
    (f.dbCpuMsPerDelivery === null ? '' : ` + ${f.dbCpuMsPerDelivery} ms in PostgreSQL`) +
    ` (fake ${f.fakeCpuMsPerDelivery} ms); 429s ${f.rateLimited429}, duplicates ${f.duplicates}, lost ${f.lost}, in doubt ${f.inDoubt} ` +
    `(received ${f.inDoubtReceived}), lease renewals too late ${f.leaseLosses}` +
    (f.renewalP99Ms === null
      ? ''
      : ` (renewals used p99 ${f.renewalP99Ms} ms, at most ${f.renewalSlowestMs} ms of the 9,000 ms lease)`) +
    `; tokens per process [${f.tokensPerWorker.join(',')}]; ` +
    `idle: ${f.idleWorkerCpuMsPerSecond} ms/s in the runs` +
    (f.idleDbCpuMsPerSecond === null
      ? ''
      : `, ${f.idleDbCpuMsPerSecond} ms/s in PostgreSQL; peak connections ${f.peakConnections}`)
  );
}

/** The SQLite configuration and the PostgreSQL ones (skipped when PostgreSQL's server is not installed). */
export async function benchScale(opts: ScaleOptions = {}): Promise<ScaleResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const outlets = opts.outlets ?? 10;
  const articles = opts.articles ?? 10;
  const deliveries = opts.deliveries ?? 1_000_000;
  const chats = Math.max(1, Math.round(deliveries / outlets / articles));
  const dir = mkdtempSync(join(tmpdir(), 'nashra-scale-'));
  const figures: ScaleFigure[] = [];
  try {
    const template = join(dir, 'template', 'nashra.db');
    const t0 = performance.now();
    await prepare(template, outlets, chats, articles);
    const prepareSeconds = round((performance.now() - t0) / 1000);
    log(`[scale] ${outlets} outlets × ${chats} chats × ${articles} paid broadcasts queued in ${prepareSeconds} s`);

    if (opts.sqlite ?? true) {
      const path = join(dir, 'sqlite', 'nashra.db');
      cpSync(dirname(template), dirname(path), { recursive: true });
      const files = Array.from(
        { length: outlets },
        (_, i) => new Database(outletFile(path, slugOf(i)), { readonly: true }),
      );
      try {
        const counts = files.map((db) =>
          db.prepare(`SELECT COUNT(*) FROM jobs WHERE kind = 'post' AND state IN ('queued', 'sending')`).pluck(),
        );
        figures.push(
          await measure({
            database: 'sqlite',
            workers: 1,
            outlets,
            chats,
            articles,
            dbPath: path,
            log,
            pending: async () => counts.reduce((a, c) => a + (c.get() as number), 0),
            inDoubt: async () =>
              files.flatMap((db, b) =>
                (db.prepare(inDoubtSql()).all() as { chat_id: string; url: string }[]).map((r) => inDoubtOf(b, r)),
              ),
          }),
        );
      } finally {
        for (const f of files) f.close();
      }
      rmSync(dirname(path), { recursive: true, force: true });
    }

    const bin = postgresBin();
    const workers = opts.workers ?? [1, 2, 3];
    if (bin === undefined) log('[scale] PostgreSQL not installed: its configurations skipped');
    else if (workers.length > 0) {
      const cluster = await startCluster(bin);
      const admin = new pg.Client(cluster.url);
      try {
        await admin.connect();
        const dataDir = (await admin.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
        const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        for (const n of workers) {
          const name = `scale_${n}`;
          await admin.query(`CREATE DATABASE ${name}`);
          const url = cluster.url.replace(/\/postgres$/, `/${name}`);
          const c0 = performance.now();
          for (let i = 0; i < outlets; i++)
            await copyInto(outletFile(template, slugOf(i)), url, outletSchema(slugOf(i)));
          log(`[scale] copied into PostgreSQL (${name}) in ${round((performance.now() - c0) / 1000)} s`);
          const db = new pg.Client(url);
          await db.connect();
          try {
            const schemas = Array.from({ length: outlets }, (_, i) => outletSchema(slugOf(i)));
            const pendingSql = schemas
              .map((s) => `SELECT COUNT(*) AS n FROM ${s}.jobs WHERE kind = 'post' AND state IN ('queued', 'sending')`)
              .join(' UNION ALL ');
            const holdersSql = schemas
              .map((s) => `SELECT pid FROM ${s}.leases WHERE name LIKE 'send:telegram:%' AND expires_at > $1`)
              .join(' UNION ALL ');
            figures.push(
              await measure({
                database: 'postgres',
                workers: n,
                outlets,
                chats,
                articles,
                dbPath: join(dir, 'unused.db'),
                url,
                postmaster,
                log,
                pending: async () =>
                  (await db.query<{ n: string }>(pendingSql)).rows.reduce((a, r) => a + Number(r.n), 0),
                inDoubt: async () => {
                  const out: InDoubt[] = [];
                  for (const [b, schema] of schemas.entries()) {
                    const rows = await db.query<{ chat_id: string; url: string }>(inDoubtSql(schema));
                    out.push(...rows.rows.map((r) => inDoubtOf(b, r)));
                  }
                  return out;
                },
                holders: async () =>
                  (await db.query<{ pid: string | null }>(holdersSql, [Date.now()])).rows.map((r) => Number(r.pid)),
                connections: async () =>
                  Number(
                    (
                      await admin.query<{ n: string }>(
                        `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'`,
                      )
                    ).rows[0]!.n,
                  ),
              }),
            );
          } finally {
            await db.end();
          }
          await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
        }
      } finally {
        await admin.end().catch(() => undefined);
        cluster.stop();
      }
    }
    return { deliveries: outlets * chats * articles, outlets, chats, articles, prepareSeconds, figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * An outlet's SQLite file into its schema: the schema made and migrated by openPostgres, then the copy through a
 * connection whose search_path is that schema (the copy works in current_schema(); copyToPostgres takes no schema).
 */
async function copyInto(file: string, url: string, schema: string): Promise<void> {
  await (await openPostgres(url, { schema, max: 1 })).close();
  const target = schema === 'public' ? url : `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const result = await copyToPostgres(file, target);
  if (result.mismatch !== undefined) throw new Error(`copy of ${file} into ${schema}: ${result.mismatch}`);
}
