/**
 * `npm run bench -- engine-pg` (issue 24 §2): N outbox jobs claimed and completed on PostgreSQL (a throwaway local
 * cluster, tests/helpers/pg-cluster.ts), no transport, three ways:
 *
 * - nashra: the worker's own claim on PostgresPorts: `jobs.next` (batches of 100) then, per job, `markSending`
 *   (committed before a request would leave) and `markSent`, 4 jobs at a time.
 * - pg-boss: pg-boss 10 alone, one engine job per outbox job inserted in the outbox row's transaction (`insert` with
 *   the transaction's `db`), a `singleton` queue with singletonKey = the chat, priority and startAfter; fetched 100 at a
 *   time and completed 100 at a time. This is the engine's floor: the outbox row's state is not written.
 * - pg-boss + outbox: the same, plus the outbox row's `markSending`/`markSent` per job, which Nashra cannot do without
 *   (the message id, and the `sending` mark that makes a dead worker's job in doubt instead of sent twice).
 *
 * Each pass has a database of its own; CPU is this process's (process.cpuUsage) and the server's (every PostgreSQL
 * process of the cluster, from /proc), both per job. The enqueue (N rows in transactions of 1,000) is timed apart.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { forEachLimited } from '../src/ingest/poller.js';
import { openPostgres } from '../src/store/postgres/database.js';
import type { PostgresPorts } from '../src/store/postgres/ports.js';
import { postgresBin, startCluster } from '../tests/helpers/pg-cluster.js';
import { msSince } from './common.js';

export interface EnginePass {
  jobs: number;
  enqueueSeconds: number;
  seconds: number;
  jobsPerSecond: number;
  /** ms of CPU per job in this (Nashra's) process and in the PostgreSQL server's processes. */
  nodeCpuMsPerJob: number;
  dbCpuMsPerJob: number;
  /** pg-boss only: fetches that returned nothing while jobs were waiting (a singleton key already active). */
  emptyFetches?: number;
}
export interface EngineFigures {
  jobs: number;
  chats: number;
  nashra: EnginePass;
  pgboss: EnginePass;
  pgbossWithOutbox: EnginePass;
  pgbossTwoFetchers: EnginePass;
  headOfLine: HeadOfLine;
}
/** One chat's message active, its next one queued, and one message for each of `otherChats` chats: what fetches return. */
export interface HeadOfLine {
  otherChats: number;
  fetchedWhileActive: number;
  fetchedAfter: number;
}

const CHATS = 10_000;
const BATCH = 100;
const CONCURRENCY = 4;
const QUEUE = 'outbox';
const ENQUEUE_BATCH = 1000;

/** The cluster's CPU so far (ms): the postmaster, its live processes, and the children it has reaped. */
export function serverCpuMs(postmaster: number): number {
  const ticks = (pid: number, withChildren: boolean): number => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14–17 of proc(5) (utime, stime, cutime, cstime) are 11–14 here, after pid and comm.
      return Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
    } catch {
      return 0;
    }
  };
  let total = ticks(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster)
        total += ticks(Number(entry), false);
    } catch {
      /* gone meanwhile */
    }
  }
  return total * 10; // CLK_TCK is 100 on Linux
}

const nodeCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function measure(
  jobs: number,
  postmaster: number,
  work: () => Promise<void>,
): Promise<Omit<EnginePass, 'enqueueSeconds' | 'emptyFetches'>> {
  const node0 = nodeCpuMs();
  const db0 = serverCpuMs(postmaster);
  const start = process.hrtime.bigint();
  await work();
  const seconds = msSince(start) / 1000;
  return {
    jobs,
    seconds,
    jobsPerSecond: jobs / seconds,
    nodeCpuMsPerJob: (nodeCpuMs() - node0) / jobs,
    dbCpuMsPerJob: (serverCpuMs(postmaster) - db0) / jobs,
  };
}

/** A database of its own with Nashra's schema, CHATS subscriptions and N / CHATS articles (no jobs yet). */
async function freshDatabase(
  admin: pg.Pool,
  url: string,
  name: string,
  jobs: number,
): Promise<{ url: string; ports: PostgresPorts; pool: pg.Pool }> {
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = url.replace(/\/postgres$/, `/${name}`);
  const ports = await openPostgres(dbUrl);
  const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  const now = Date.now();
  await pool.query(
    `INSERT INTO subscriptions (id, platform, kind, chat_id, active_since, created_at)
    SELECT i, 'telegram', 'private', (1000000 + i)::text, $1, $1 FROM generate_series(1, $2::int) i`,
    [now, CHATS],
  );
  await pool.query(
    `INSERT INTO articles (id, created_at, title, source_name, paragraphs, content_hash, story_key, search_text)
    SELECT i, $1, 'عنوان ' || i, 'bench', '["نص"]', 'h' || i, 'k' || i, 'نص' FROM generate_series(1, $2::int) i`,
    [now, Math.ceil(jobs / CHATS)],
  );
  return { url: dbUrl, ports, pool };
}

/** Outbox rows k … k+count−1: article-major (one article to every chat, then the next), one in ten urgent. */
const OUTBOX_ROWS = `INSERT INTO jobs (kind, platform, subscription_id, article_id, priority, not_before, queued_at)
  SELECT 'post', 'telegram', 1 + (i % ${CHATS}), 1 + (i / ${CHATS}), CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END, $3, $3
  FROM generate_series($1::int, $1::int + $2::int - 1) i RETURNING id, subscription_id, priority, not_before`;

async function enqueue(pool: pg.Pool, jobs: number, boss?: PgBoss): Promise<number> {
  const start = process.hrtime.bigint();
  for (let k = 0; k < jobs; k += ENQUEUE_BATCH) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{
        id: string;
        subscription_id: string;
        priority: string;
        not_before: string;
      }>(OUTBOX_ROWS, [k, Math.min(ENQUEUE_BATCH, jobs - k), Date.now() - 1000]);
      if (boss) {
        // The engine's job in the outbox row's transaction: both or neither.
        await boss.insert(
          rows.map((r) => ({
            name: QUEUE,
            data: { job: Number(r.id) },
            priority: Number(r.priority),
            singletonKey: r.subscription_id,
            startAfter: new Date(Number(r.not_before)).toISOString(),
          })),
          { db: { executeSql: (text: string, values: unknown[]) => client.query(text, values) } },
        );
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
  return msSince(start) / 1000;
}

async function claimNashra(ports: PostgresPorts, jobs: number): Promise<void> {
  let done = 0;
  while (done < jobs) {
    const batch = await ports.repos.jobs.next('telegram', BATCH, 'oldest', Date.now(), { texts: true });
    if (batch.length === 0) throw new Error(`the queue ran dry after ${done} of ${jobs}`);
    await forEachLimited(batch, CONCURRENCY, async (job) => {
      if (!(await ports.repos.jobs.markSending(job.id, Date.now()))) return;
      await ports.repos.jobs.markSent(job.id, { messageId: String(job.id) }, Date.now());
      done++;
    });
  }
}

async function claimBoss(
  boss: PgBoss,
  jobs: number,
  outbox: PostgresPorts | undefined,
  fetchers: number,
): Promise<number> {
  let done = 0;
  let empty = 0;
  await Promise.all(
    Array.from({ length: fetchers }, async () => {
      while (done < jobs) {
        const batch = await boss.fetch<{ job: number }>(QUEUE, { batchSize: BATCH, priority: true });
        if (batch.length === 0) {
          empty++;
          if (empty > 10_000) throw new Error(`pg-boss gave nothing 10,000 times after ${done} of ${jobs}`);
          continue;
        }
        if (outbox) {
          await forEachLimited(batch, CONCURRENCY, async (job) => {
            if (!(await outbox.repos.jobs.markSending(job.data.job, Date.now()))) return;
            await outbox.repos.jobs.markSent(job.data.job, { messageId: String(job.data.job) }, Date.now());
          });
        }
        await boss.complete(
          QUEUE,
          batch.map((j) => j.id),
        );
        done += batch.length;
      }
    }),
  );
  return empty;
}

export async function benchEnginePg(jobs = 100_000): Promise<EngineFigures | undefined> {
  const bin = postgresBin();
  if (bin === undefined) return undefined;
  const cluster = await startCluster(bin);
  const admin = new pg.Pool({ connectionString: cluster.url, max: 1 });
  try {
    const dataDir = (await admin.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

    const bossPass = async (name: string, withOutbox: boolean, fetchers: number): Promise<EnginePass> => {
      const b = await freshDatabase(admin, cluster.url, name, jobs);
      // No maintenance or cron during the measure: the engine's claim and completion alone.
      const boss = new PgBoss({ connectionString: b.url, max: 4, supervise: false, schedule: false });
      boss.on('error', () => undefined);
      try {
        await boss.start();
        await boss.createQueue(QUEUE, { name: QUEUE, policy: 'singleton' });
        const enqueueSeconds = await enqueue(b.pool, jobs, boss);
        let emptyFetches = 0;
        const pass = await measure(jobs, postmaster, async () => {
          emptyFetches = await claimBoss(boss, jobs, withOutbox ? b.ports : undefined, fetchers);
        });
        return { ...pass, enqueueSeconds, emptyFetches };
      } finally {
        await boss.stop({ graceful: false, wait: true });
        await b.pool.end();
        await b.ports.close();
      }
    };
    // Each pass's figures as it ends (the two slow passes, a job's own transactions, last): a long run shows progress.
    const done = <T extends EnginePass>(name: string, pass: T): T => {
      console.error(`engine-pg ${name}: ${JSON.stringify(pass)}`);
      return pass;
    };
    const headOfLine = await measureHeadOfLine(admin, cluster.url);
    console.error(`engine-pg headOfLine: ${JSON.stringify(headOfLine)}`);
    const pgboss = done('pgboss', await bossPass('bench_boss', false, 1));
    const pgbossTwoFetchers = done('pgbossTwoFetchers', await bossPass('bench_boss_two', false, 2));

    const a = await freshDatabase(admin, cluster.url, 'bench_nashra', jobs);
    let nashra: EnginePass;
    try {
      const enqueueSeconds = await enqueue(a.pool, jobs);
      nashra = done('nashra', {
        ...(await measure(jobs, postmaster, () => claimNashra(a.ports, jobs))),
        enqueueSeconds,
      });
    } finally {
      await a.pool.end();
      await a.ports.close();
    }

    const pgbossWithOutbox = done('pgbossWithOutbox', await bossPass('bench_boss_outbox', true, 1));
    return { jobs, chats: CHATS, nashra, pgboss, pgbossWithOutbox, pgbossTwoFetchers, headOfLine };
  } finally {
    await admin.end();
    cluster.stop();
  }
}

/**
 * pg-boss's fetch on a singleton queue makes its whole batch active in one UPDATE; a candidate whose chat already has
 * an active job breaks the queue's unique index, and pg-boss swallows the error and returns nothing (src/manager.js
 * fetch). Chat A's first message active, its second queued, one message for each of 5 other chats: 10 fetches of 10.
 */
async function measureHeadOfLine(admin: pg.Pool, url: string): Promise<HeadOfLine> {
  await admin.query('CREATE DATABASE bench_head_of_line');
  const boss = new PgBoss({
    connectionString: url.replace(/\/postgres$/, '/bench_head_of_line'),
    max: 2,
    supervise: false,
    schedule: false,
  });
  boss.on('error', () => undefined);
  try {
    await boss.start();
    await boss.createQueue(QUEUE, { name: QUEUE, policy: 'singleton' });
    for (const m of ['A1', 'A2', 'B1', 'C1', 'D1', 'E1', 'F1']) await boss.send(QUEUE, { m }, { singletonKey: m[0]! });
    const [first] = await boss.fetch(QUEUE, { batchSize: 1 });
    let fetchedWhileActive = 0;
    for (let i = 0; i < 10; i++) fetchedWhileActive += (await boss.fetch(QUEUE, { batchSize: 10 })).length;
    await boss.complete(QUEUE, first!.id);
    const fetchedAfter = (await boss.fetch(QUEUE, { batchSize: 10 })).length;
    return { otherChats: 5, fetchedWhileActive, fetchedAfter };
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}
