/**
 * Property: the rules between the kinds of message (issue 23, §2) hold whatever the mix of operations. Five chats with
 * random delivery settings (immediate, hourly, daily at any time, quiet hours silent or waiting, urgent at once or
 * not) get routed articles, urgent alerts and editors' broadcasts over two days, while editors correct articles, the
 * source revises them, editors retract them and send the failed ones again; the platform meanwhile fails at random
 * (temporary errors with or without retry_after, permanent refusals, a chat down for a while, a chat that blocks the
 * bot), another connection locks the database while the platform's answers arrive, and the process "crashes": its
 * connection to the database is gone in the middle of a send and the database is opened again, with the start-up
 * recovery of `nashra run` (what was `sending` is in doubt). The real routing, worker, digest engine, broadcast,
 * correction and retraction actions run on a test clock.
 *
 * On both adapters (issue 24), each in its pass (tests/helpers/pass.ts). The lock and the crash are each
 * adapter's own: on SQLite a second connection's BEGIN IMMEDIATE, and the store closed (its file opened again); on
 * PostgreSQL a second connection holding, in an open transaction, the writers' advisory lock or every job's row
 * (`SELECT … FOR UPDATE`, as a `psql` shell would), and the pool closed with its connections ended by the server
 * (pg_terminate_backend), so that a transaction under way is rolled back as at a process's death.
 *
 * The oracle is what the fake platform itself recorded, per chat: every message sent (a post, or a digest naming its
 * articles by their headlines), every edit and every delete, with the step of the scenario it arrived at. The database
 * is read only where the editor is told something (a broadcast's status) and, in `reported` below, for what the
 * newsroom says became of a delivery it could not make (failed, in doubt, cancelled): the one place to adapt when
 * the outbox tables change. A failing seed is printed and reproduces (`OUTBOX_SEED=<seed>` runs it alone).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../src/app/platforms.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import type { CorrectionResult, Transport } from '../../src/delivery/platform.js';
import { DeliveryCancelledError, PermanentDeliveryError, TemporaryDeliveryError } from '../../src/errors.js';
import { plainMarkup, type Markup } from '../../src/format/post.js';
import { createLogger } from '../../src/logger.js';
import {
  broadcastStatus,
  CLI_OPERATOR,
  confirmBroadcast,
  confirmCorrection,
  confirmRetraction,
  digestCloser,
  previewBroadcast,
  previewCorrection,
  previewRetraction,
  resendBroadcastFailed,
  resendFailed,
  reviseFromSource,
  setDelivery,
  subscribe,
  URGENT_PRIORITY,
  type DeliveryPatch,
} from '../../src/newsroom/index.js';
import type { PostgresPorts } from '../../src/store/postgres/ports.js';
import { writeLockOf } from '../../src/store/postgres/ports.js';
import { queueAudienceIn, routeArticleIn, storeArticleIn } from '../helpers/articles.js';
import { seededRandom } from '../helpers/child-run.js';
import {
  createDatabase,
  freshDatabase,
  jobsOfKinds,
  onPostgres,
  postsWithChats,
  type OwnedDatabase,
  type RawDatabase,
} from '../helpers/raw-db.js';

/** A small limit, so digests split into several messages (and a rebuilt one may need fewer). */
const TINY: Markup = { ...plainMarkup, name: 'tiny', limit: () => 900 };
const ZONES = ['Asia/Damascus', 'UTC', 'America/New_York', 'Asia/Kolkata'];
const HOUR = 3600_000;
const CHATS = ['a', 'b', 'c', 'd', 'e'];
/**
 * Scenarios run: 32 on SQLite; on PostgreSQL (npm run test:postgres) the first 12. A scenario there is thousands of
 * statements, each a round trip to the server: 1.0 to 4.6 s each on this 2-core machine at load 3 to 4 (all 32: 60
 * to 84 s, four runs passing), and the 12 took 22 and 25 s. They still give every kind of event more often than the
 * floor of 5 below (the fewest: 7 answers into a locked database, 15 deliveries sent again).
 */
const SCENARIOS = onPostgres() ? 12 : 32;
const quietLogger = createLogger({ level: 'error', write: () => {} });

/** One message a chat received. */
interface Received {
  id: string;
  chat: string;
  kind: 'post' | 'digest';
  articles: number[];
  step: number;
}
/** One edit or delete the platform was asked for. */
interface Touch {
  chat: string;
  messageId: string;
  kind: 'edit' | 'remove';
  article: number;
  step: number;
}

/**
 * What the newsroom says became of each (chat, article) pair: the delivery's state and, for a retracted article,
 * its delete's. The one place that reads the outbox's rows (adapt it when they change). Keyed `chat:article number`
 * (`numbers`: article id → its number). Two statements, every post with its chat and every delete: a read per
 * article and one per post for its chat would be a round trip each on PostgreSQL.
 */
async function reported(
  db: RawDatabase,
  numbers: ReadonlyMap<number, number>,
): Promise<Map<string, { delivery: string; remove?: string }>> {
  const removes = new Map((await jobsOfKinds(db, ['delete'])).map((c) => [c.waitsFor, c.state]));
  const into = new Map<string, { delivery: string; remove?: string }>();
  for (const { post: d, chatId } of await postsWithChats(db))
    into.set(`${chatId}:${numbers.get(d.articleId!)}`, { delivery: d.state, remove: removes.get(d.id) });
  return into;
}

/** What `nashra run` does with the database at start-up, before the worker (src/app/run.ts). */
async function recoverAfterCrash(db: RawDatabase): Promise<void> {
  await db.ports.repos.jobs.recoverInterrupted('hold', Date.now());
}

/**
 * SQLite: the store's busy timeout is 5 s (src/store/index.ts), and better-sqlite3 waits it synchronously: a lock
 * would cost 5 s of the event loop per write tried. 5 ms here makes each locked write fail as it does after 5 s in
 * production (SQLITE_BUSY), without the wait; the worker's handling of it is the same. PostgreSQL's writers wait for
 * a lock without blocking the event loop (up to LOCK_WAIT, 5 s, src/store/postgres/ports.ts), longer than any lock
 * here is held: their writes wait for it and go on, as SQLite's would with its 5 s.
 */
function shortBusyTimeout(db: RawDatabase): void {
  if (db.name === 'sqlite') (db.sqliteStore() as unknown as { db: Database.Database }).db.pragma('busy_timeout = 5');
}

interface Locker {
  release(): Promise<void>;
}

/**
 * Another connection takes the database's write lock (a backup, a shell) until `release()`. SQLite: BEGIN IMMEDIATE
 * on the file. PostgreSQL, in an open transaction: `writers`, the advisory lock every writer of Nashra takes first
 * (another Nashra process's unit); otherwise every job's row (`SELECT … FOR UPDATE`, a `psql` shell that knows
 * nothing of that lock), which a writer meets after taking the advisory lock, so the others wait for it in turn.
 * SKIP LOCKED: the rows a writer's unit holds at that moment are left to it, as waiting for one while holding others
 * the unit then wants would be a deadlock, which PostgreSQL breaks after a second by failing one of the two.
 * SQLite's lock is held when this returns (an answer arriving in the same turn of the event loop meets it).
 */
function lockDatabase(db: RawDatabase, writers: boolean): Locker | Promise<Locker> {
  if (db.name === 'sqlite') {
    const locker = new Database(db.where, { timeout: 1000 });
    locker.exec('BEGIN IMMEDIATE');
    return {
      release: async () => {
        locker.exec('COMMIT');
        locker.close();
      },
    };
  }
  const locker = new pg.Client({ connectionString: db.where });
  return (async () => {
    await locker.connect();
    await locker.query(
      writers
        ? `BEGIN; SELECT pg_advisory_xact_lock(${writeLockOf('public')})`
        : 'BEGIN; SELECT id FROM jobs FOR UPDATE SKIP LOCKED',
    );
    return {
      release: async () => {
        await locker.query('COMMIT');
        await locker.end();
      },
    };
  })();
}

/**
 * The process dies: nothing more of it reaches the database. SQLite: the store is closed (better-sqlite3 rolls back
 * a transaction it had open). PostgreSQL: the pool is closed (nothing new is asked) and the server ends its
 * connections (a transaction under way is rolled back, as when a process's sockets close at its death); the
 * harness's own idle connection (db.sql) goes with them and is opened again at its next statement.
 */
async function crash(db: RawDatabase): Promise<void> {
  if (db.name === 'sqlite') {
    db.sqliteStore().close();
    return;
  }
  const closing = (db.ports as PostgresPorts).close();
  await db.sql(
    'SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  await closing;
}

/** A rule checked on `what`: a failure prints all of it (the seed first), not only the rule's verdict. */
function holds(what: Record<string, unknown>, ok: boolean): void {
  if (!ok) console.log(`[outbox property] broken: ${JSON.stringify(what)}`);
  expect({ ...what, ok }).toEqual({ ...what, ok: true });
}

/** FNV-1a, 32 bits: a seed for each request's dice. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

interface Totals {
  messages: number;
  digestMessages: number;
  edits: number;
  removes: number;
  retracted: number;
  broadcasts: number;
  crashes: number;
  inDoubt: number;
  lockedAnswers: number;
  failed: number;
  resent: number;
  corrections: number;
  revisions: number;
  blocked: number;
}

async function run(seed: number): Promise<Totals> {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const minute = () => Math.floor(random() * 24 * 4) * 15;
  const settings = (): DeliveryPatch => ({
    digest: pick([
      { mode: 'immediate' as const },
      { mode: 'immediate' as const },
      { mode: 'hourly' as const },
      { mode: 'daily' as const, at: minute() },
    ]),
    urgentNow: random() < 0.5,
    timeZone: pick(ZONES),
    quiet:
      random() < 0.7
        ? (() => {
            const start = minute();
            return { start, end: (start + 120 + Math.floor(random() * 8) * 60) % 1440 };
          })()
        : null,
    quietMode: random() < 0.7 ? 'wait' : 'silent',
    quietUrgent: random() < 0.5,
  });
  const db: OwnedDatabase = await createDatabase();
  const config = loadAppConfig({ ...db.env, NASHRA_TIME_ZONE: 'Asia/Damascus' });
  const totals: Totals = {
    messages: 0,
    digestMessages: 0,
    edits: 0,
    removes: 0,
    retracted: 0,
    broadcasts: 0,
    crashes: 0,
    inDoubt: 0,
    lockedAnswers: 0,
    failed: 0,
    resent: 0,
    corrections: 0,
    revisions: 0,
    blocked: 0,
  };
  let now = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + Math.floor(random() * 24) * HOUR;
  let step = 0;

  // ----- the fake platform: the oracle -----
  const received: Received[] = [];
  const messages = new Map<string, Received>(); // by message id
  const touches: Touch[] = [];
  /** Rules broken at the moment they were (an edit of a message never sent): checked at the end with the seed. */
  const violations: string[] = [];
  const numbers = new Map<number, number>(); // article id → its number in the URL
  const blocked = new Set<string>();
  const down = new Set<string>();
  let nextMessage = 0;
  /**
   * The platform's own dice: a request's fate depends on the seed, on what it carries and on its attempt, not on the
   * order requests happen to leave in (which the timing of a lock may change), so a seed reproduces.
   */
  const tries = new Map<string, number>();
  const dice = (key: string): number => {
    const attempt = tries.get(key) ?? 0;
    tries.set(key, attempt + 1);
    return seededRandom(hash(`${seed}/${key}/${attempt}`))();
  };
  /** This step's drain: the process dies at the `crashAt`-th answer, or the database is locked at the `lockAt`-th. */
  let answers = 0;
  let crashAt: number | undefined;
  let lockAt: { answer: number; ms: number } | undefined;
  let crashed = false;
  /** The crash under way: the dead process's connections ending (crash()) and its requests settling. */
  let dying: Promise<void> | undefined;
  let locks = 0;
  /** Digests rebuilt without a retracted article: the worker's look that rebuilt one sent nothing of that chat. */
  let rebuilt = 0;
  /** Resolved once the other connection let the lock go; `locked` while it holds it. */
  let lock: Promise<void> | undefined;
  let locked = false;
  let lockedAnswers = 0;
  /** Sends report their request through `hooks.sending()` (as Telegram's transport does) in half the seeds. */
  const marksSending = seed % 2 === 1;
  let life = 0;

  /** Another connection takes the write lock (a backup, a shell) for `ms`; on PostgreSQL each other time the jobs' rows. */
  const holdLock = async (ms: number) => {
    locks++;
    let released!: () => void;
    lock = new Promise<void>((resolve) => {
      released = resolve;
    });
    const taken = lockDatabase(db, locks % 2 === 1);
    const held = taken instanceof Promise ? await taken : taken;
    locked = true;
    setTimeout(() => {
      locked = false;
      void held.release().then(() => {
        lock = undefined;
        released();
      });
    }, ms);
  };
  /** What a request meets before it reaches the chat; throws as the platform would. */
  const fail = (chat: string, method: string, key: string) => {
    if (blocked.has(chat))
      throw new PermanentDeliveryError('Forbidden: bot was blocked by the user', {
        method,
        chatId: chat,
        code: 403,
        deactivate: true,
      });
    if (down.has(chat)) throw new TemporaryDeliveryError('Bad Gateway', { method, chatId: chat, code: 502 });
    const r = dice(key);
    // A send's retry_after is measured on the real clock and the queue's on the test clock, which is ahead: it is
    // due at once. An edit's is due on the real clock, so 0 (drain() would not wait for it).
    const retryAfterMs = method === 'sendMessage' ? Math.floor(r * 1e6) % 30_000 : 0;
    if (r < 0.04)
      throw new TemporaryDeliveryError('Too Many Requests: retry later', {
        method,
        chatId: chat,
        code: 429,
        retryAfterMs,
      });
    if (r < 0.07) throw new Error('flaky network (nothing was sent)');
    if (r < 0.08)
      throw new PermanentDeliveryError('Bad Request: message is too long', {
        method,
        chatId: chat,
        code: 400,
        deactivate: false,
      });
  };
  /** After the request reached the chat: the answer comes back (maybe into a locked database), or the process dies. */
  const answer = async (id: string): Promise<{ messageId: string }> => {
    answers++;
    if (answers === crashAt) {
      crashed = true;
      dying = die(); // the process died with this request on the wire: its row stays `sending`
      throw new Error('the process died');
    }
    if (answers === lockAt?.answer && !lock) await holdLock(lockAt.ms);
    if (locked) lockedAnswers++;
    return { messageId: id };
  };
  const receive = (chat: string, kind: Received['kind'], articles: number[]): string => {
    const id = `m${++nextMessage}`;
    const r: Received = { id, chat, kind, articles, step };
    received.push(r);
    messages.set(id, r);
    return id;
  };
  const touch = (
    kind: Touch['kind'],
    post: { chatId: string; messageId: string; articleId: number },
  ): CorrectionResult => {
    const n = numbers.get(post.articleId)!;
    const m = messages.get(post.messageId);
    if (!m || m.chat !== post.chatId || !m.articles.includes(n)) {
      violations.push(
        `${kind} of message ${post.messageId} in chat ${post.chatId} for article ${n}, which this chat never received (${m ? `${m.kind} to ${m.chat} of ${m.articles.join(',')}` : 'no such message'})`,
      );
    }
    touches.push({ chat: post.chatId, messageId: post.messageId, kind, article: n, step });
    return kind === 'edit'
      ? { outcome: m?.kind === 'digest' ? 'replied' : 'edited' }
      : { outcome: m?.kind === 'digest' ? 'notice' : 'deleted' };
  };
  const transport = (): Transport => {
    const mine = ++life;
    const alive = async (hooks: { sending(): Promise<boolean> }) => {
      if (mine !== life) violations.push(`a request left after its process had died (life ${mine}, now ${life})`);
      if (marksSending && !(await hooks.sending()))
        throw new DeliveryCancelledError('finished elsewhere', { method: 'send' });
    };
    return {
      platform: 'console',
      concurrency: 5,
      isReady: () => true,
      marksSending,
      async send(d, article, hooks) {
        await alive(hooks);
        fail(d.chatId, 'sendMessage', `post:${d.chatId}:${numbers.get(article.id)}`);
        return answer(receive(d.chatId, 'post', [numbers.get(article.id)!]));
      },
      async sendText(target, text, hooks) {
        await alive(hooks);
        fail(target.chatId, 'sendMessage', `digest:${target.chatId}:${text}`);
        // Each item opens with its headline, «خبر N …» (an urgent one shows no link); the numbers are bidi-isolated.
        return answer(
          receive(
            target.chatId,
            'digest',
            [...text.matchAll(/خبر \u2068?(\d+)/g)].map((m) => Number(m[1])),
          ),
        );
      },
      posts: {
        async edit(post, _article, hooks) {
          await alive(hooks);
          fail(post.chatId, 'editMessageText', `edit:${post.chatId}:${post.messageId}:${post.revision}`);
          const result = touch('edit', post);
          await answer(post.messageId);
          return result;
        },
        async remove(post, _article, hooks) {
          await alive(hooks);
          fail(post.chatId, 'deleteMessage', `remove:${post.chatId}:${post.messageId}`);
          const result = touch('remove', post);
          await answer(post.messageId);
          return result;
        },
      },
    };
  };

  // ----- the newsroom on this pass's database, opened again after each crash -----
  shortBusyTimeout(db);
  const depsOf = () => newsroomDeps(BUILT_IN_PLATFORMS, config, db.ports, quietLogger);
  let deps = depsOf();
  const workerOf = () => {
    const digests = digestCloser(db.ports, () => TINY, config);
    return new DeliveryWorker(db.ports, [transport()], quietLogger, {
      pollMs: 1,
      backoffMs: 0,
      maxAttempts: 4,
      now: () => now,
      digestCheckMs: 0,
      digests: {
        close: (at) => digests.close(at),
        refresh: async (part, at) => (await digests.refresh(part, at)) && ++rebuilt > 0,
      },
    });
  };
  let worker = workerOf();
  /**
   * The crash itself: the database's connection gone (crash()), and the dead worker's requests still in the air
   * settled against it (nothing more is written). stop() takes no new work and waits for them, and so hears their
   * failures: an answer whose write the server cut off is a storage fault, which would stop the run (it is the dead
   * process's, the row stays `sending`).
   */
  const die = async () => {
    const dead = worker;
    const settled = dead.stop(60_000).catch(() => undefined);
    await crash(db);
    await settled;
    for (let i = 0; dead.inFlightCount > 0; i++) {
      if (i === 1000) throw new Error("the dead process's requests never settled");
      await sleep(5);
    }
  };
  const restart = async () => {
    totals.crashes++;
    await lock; // another connection's, released on its own: opening the database waits for it
    await dying;
    await db.reopen();
    shortBusyTimeout(db);
    await recoverAfterCrash(db);
    deps = depsOf();
    worker = workerOf();
    crashed = false;
  };
  /**
   * Sends until nothing more can go now, through locks (kept answers are written once the lock is free) and crashes.
   * drain(…, 0) returns at the first look that starts nothing; a look that rebuilt a digest (an article of it
   * retracted) or met the lock started nothing for that reason, so the queue is drained again after one. So is it
   * after any drain that moved something: on PostgreSQL a look's read of the queue takes a round trip, during which
   * the last job in flight may be queued again (a retry) and leave, so the look saw it neither in flight nor queued
   * and started nothing (seed 7919 ended a drain with a post queued to retry, 3 runs in 4 at load 3). A drain whose
   * first look, with nothing in flight, starts nothing has seen all there is.
   */
  const drain = async () => {
    for (let round = 0; ; round++) {
      if (round === 100) throw new Error('the queue never settled');
      const before = { rebuilt, locks };
      let moved = 0;
      try {
        const r = await worker.drain(5000, 0);
        moved = r.sent + r.failed + r.skipped + r.retried + r.corrected;
      } catch (err) {
        if (!crashed) throw err;
      }
      if (crashed) {
        await restart();
        continue;
      }
      await lock;
      if (moved === 0 && rebuilt === before.rebuilt && locks === before.locks) return;
    }
  };

  for (const chat of CHATS) {
    await subscribe(deps, CLI_OPERATOR, { platform: 'console', chatId: chat });
    await setDelivery(deps, CLI_OPERATOR, { platform: 'console', chatId: chat }, settings());
  }

  // ----- the scenario -----
  const retractedAt = new Map<number, number>(); // article number → the step its retraction committed at
  /**
   * Broadcasts confirmed; `settled` once each recipient's delivery ended (until an editor sends the failed ones
   * again); `until`: the time the editor was last told the waiting ones go by.
   */
  const broadcasts: Array<{ id: number; n: number; queued: number; settled: boolean; until?: number }> = [];
  let n = 0;
  const newArticle = async (urgent = false) => {
    n++;
    const r = await storeArticleIn(db.ports, {
      url: `https://example.com/p/${n}`,
      title: `خبر ${n} من ${pick(['دمشق', 'حلب', 'حمص'])}`,
      source: 'SY24',
      language: 'ar',
      categories: [],
      paragraphs: [`أعلنت السلطات اليوم عن الخطة رقم ${n} لدعم الأحياء.`, `وقال مسؤول إن الخطة ${n} تشمل مشاريع عدة.`],
      publishedAt: new Date(now),
      urgent,
    });
    if (r.status !== 'new') throw new Error('duplicate');
    numbers.set(r.article.id, n);
    return r.article;
  };
  const live = () => [...numbers].filter(([, number]) => !retractedAt.has(number));
  const recent = () => {
    const candidates = live();
    if (candidates.length === 0) return undefined;
    // Mostly a recent article (still waiting somewhere: quiet hours, a digest, a retry), sometimes any.
    return random() < 0.7
      ? candidates.at(-1 - Math.floor(random() * Math.min(5, candidates.length)))!
      : pick(candidates);
  };
  const act = async () => {
    const count = Math.floor(random() * 3);
    for (let i = 0; i < count; i++) await routeArticleIn(db.ports, await newArticle());
    if (random() < 0.08)
      await queueAudienceIn(db.ports, await newArticle(), { kind: 'all' }, { priority: URGENT_PRIORITY });
    if (random() < 0.1) {
      const article = await newArticle(random() < 0.5);
      const preview = await previewBroadcast(deps, CLI_OPERATOR, String(article.id), { audience: { kind: 'all' } });
      const decided = await confirmBroadcast(deps, CLI_OPERATOR, preview.broadcast.id, preview.broadcast.token);
      if (decided.kind !== 'done') throw new Error('broadcast not confirmed');
      broadcasts.push({
        id: preview.broadcast.id,
        n: numbers.get(article.id)!,
        queued: decided.queued,
        settled: false,
      });
      totals.broadcasts++;
    }
    if (random() < 0.12) {
      const target = recent();
      if (target) {
        const [id, number] = target;
        const { draft } = await previewCorrection(deps, CLI_OPERATOR, String(id), {
          title: `خبر ${number} مصحح في الخطوة ${step}`,
        });
        expect((await confirmCorrection(deps, CLI_OPERATOR, draft.id, draft.token!, now)).kind).toBe('done');
        totals.corrections++;
      }
    }
    if (random() < 0.08) {
      const target = recent();
      if (target) {
        const [id, number] = target;
        const existing = (await db.ports.repos.articles.get(id))!;
        const r = await reviseFromSource(
          deps,
          existing,
          {
            url: existing.url,
            title: `خبر ${number} كما عدّله المصدر في الخطوة ${step}`,
            source: 'SY24',
            language: 'ar',
            categories: [],
            paragraphs: [
              `أعلنت السلطات اليوم عن الخطة المعدلة رقم ${number} لدعم الأحياء.`,
              `وقال مسؤول إن الخطة ${number} تشمل مشاريع عدة.`,
            ],
            publishedAt: existing.publishedAt,
          },
          { now },
        );
        if (r.status === 'revised') totals.revisions++;
      }
    }
    if (random() < 0.15) {
      const target = recent();
      if (target) {
        const [id, number] = target;
        await previewRetraction(deps, CLI_OPERATOR, String(id));
        step++;
        expect((await confirmRetraction(deps, CLI_OPERATOR, id, now)).kind).toBe('done');
        retractedAt.set(number, step);
        totals.retracted++;
      }
    }
    if (random() < 0.1) {
      // The live articles' failed counts asked together (reads take no lock): one round trip's wait on PostgreSQL.
      const failed = await Promise.all(
        live().map(async (entry) => [entry, await db.ports.repos.outbox.failedCount(entry[0])] as const),
      );
      const target = failed.flatMap(([entry, count]) => (count > 0 ? [entry] : []));
      if (target.length > 0) {
        const [id, number] = pick(target);
        totals.resent += (await resendFailed(deps, CLI_OPERATOR, id, { everyFailure: random() < 0.5 })).requeued;
        for (const b of broadcasts)
          if (b.n === number) {
            b.settled = false;
            b.until = undefined;
          }
      }
    }
    if (random() < 0.05 && broadcasts.length > 0) {
      const b = pick(broadcasts);
      if (!retractedAt.has(b.n)) {
        totals.resent += (await resendBroadcastFailed(deps, CLI_OPERATOR, b.id)).requeued;
        b.settled = false;
        b.until = undefined;
      }
    }
    down.clear();
    if (random() < 0.08) down.add(pick(CHATS));
    if (random() < 0.02 && blocked.size < 2) {
      blocked.add(pick(CHATS));
      totals.blocked++;
    }
    answers = 0;
    crashAt = random() < 0.06 ? 1 + Math.floor(random() * 6) : undefined;
    lockAt =
      crashAt === undefined && random() < 0.03
        ? { answer: 1 + Math.floor(random() * 6), ms: 5 + Math.floor(random() * 30) }
        : undefined;
  };

  /** After every drain: each broadcast is finished for the editor, and what it says waits does wait, until a time to come. */
  const checkBroadcasts = async () => {
    for (const b of broadcasts.filter((x) => !x.settled)) {
      const status = (await broadcastStatus(deps, b.id, now))!;
      const got = received.filter((r) => r.articles.includes(b.n)).length;
      const where = { seed, step, broadcast: b.id, article: b.n };
      // Finished for the editor once the queue is drained: nothing more can go now.
      holds({ ...where, now: new Date(now).toISOString(), status }, status.finished && status.remaining === 0);
      holds(
        { ...where, queued: b.queued, status },
        status.sent + status.failed + status.skipped + status.inDoubt + status.waiting === b.queued,
      );
      // What the editor is told was sent did reach the chats (a post in doubt may have, or not).
      holds({ ...where, got, status }, got >= status.sent && got <= status.sent + status.inDoubt);
      // What waits for its chat goes by itself, at a time still to come.
      if (status.waiting > 0)
        holds({ ...where, now: new Date(now).toISOString(), status }, (status.waitingUntil?.getTime() ?? 0) > now);
      // And they did go by then.
      if (b.until !== undefined && now >= b.until)
        holds(
          { ...where, now: new Date(now).toISOString(), toldUntil: new Date(b.until).toISOString(), status },
          status.waiting === 0,
        );
      b.until = status.waitingUntil?.getTime();
      b.settled = status.waiting === 0;
    }
  };

  /**
   * Moves the clock to `target`, stopping on the way at each time an editor was told the waiting ones of a
   * broadcast go by (the worker of `nashra run` looks every few seconds; this one only when the scenario steps).
   */
  const advanceTo = async (target: number) => {
    for (;;) {
      const due = broadcasts.flatMap((b) =>
        !b.settled && b.until !== undefined && b.until > now && b.until <= target ? [b.until] : [],
      );
      if (due.length === 0) break;
      now = Math.min(...due);
      step++;
      await drain();
      await checkBroadcasts();
    }
    now = target;
  };

  try {
    const end = now + 2 * 24 * HOUR;
    while (now < end) {
      await advanceTo(now + (10 + Math.floor(random() * 80)) * 60_000);
      step++;
      await act();
      step++;
      await drain();
      await checkBroadcasts();
    }
    // Two quiet days: every quiet hour and digest period ends, the platform works, nothing more happens.
    down.clear();
    crashAt = undefined;
    lockAt = undefined;
    for (let i = 0; i < 8; i++) {
      await advanceTo(now + 6 * HOUR);
      step++;
      await drain();
      await checkBroadcasts();
    }
    totals.lockedAnswers = lockedAnswers;

    // ----- the rules, on what the platform recorded -----
    expect({ seed, violations }).toEqual({ seed, violations: [] });
    const times = new Map<string, number>();
    for (const r of received) {
      for (const a of r.articles) {
        const key = `${r.chat}:${a}`;
        times.set(key, (times.get(key) ?? 0) + 1);
        // A retraction cancels every job of the article not yet sent: nothing of it arrives afterwards.
        const retracted = retractedAt.get(a);
        holds({ seed, message: r, article: a, retractedAt: retracted }, retracted === undefined || r.step < retracted);
      }
    }
    // At most once, as a post or as a digest line.
    for (const [key, count] of times) expect({ seed, key, count }).toEqual({ seed, key, count: 1 });
    for (const t of touches) {
      const retracted = retractedAt.get(t.article);
      if (t.kind === 'edit')
        holds({ seed, edit: t, retractedAt: retracted }, retracted === undefined || t.step < retracted);
    }
    // Every post of a retracted article got its delete, unless the newsroom says why not (a post in doubt, a chat
    // that blocked the bot, a delete refused or retried too often).
    const removed = new Set(touches.filter((t) => t.kind === 'remove').map((t) => `${t.messageId}:${t.article}`));
    const states = await reported(db, numbers);
    for (const number of retractedAt.keys()) {
      for (const r of received.filter((m) => m.articles.includes(number))) {
        if (removed.has(`${r.id}:${number}`)) continue;
        const s = states.get(`${r.chat}:${number}`);
        holds(
          { seed, post: `${r.chat}:${number}`, message: r, delivery: s?.delivery, remove: s?.remove ?? 'never queued' },
          s?.remove === 'failed' || s?.remove === 'in_doubt',
        );
      }
    }
    // Nothing lost: every article routed to a chat that kept its subscription reached it, or the newsroom says it
    // could not (failed, in doubt) or cancelled it (retracted before it went).
    for (const [key, { delivery: state }] of states) {
      const [chat, article] = key.split(':');
      const got = times.get(key) ?? 0;
      const retracted = retractedAt.has(Number(article));
      const where = { seed, chat, article: Number(article), state, got };
      if (state === 'in_doubt') {
        totals.inDoubt++;
        holds(where, got <= 1);
        continue;
      }
      if (state === 'failed') {
        totals.failed++;
        holds(where, got === 0);
        continue;
      }
      if (state === 'skipped') {
        holds({ ...where, retracted, blocked: blocked.has(chat!) }, got === 0 && (retracted || blocked.has(chat!)));
        continue;
      }
      expect(where).toEqual({ ...where, state: 'sent', got: 1 });
    }
    // Every article was queued for every chat that never blocked the bot (no topic filters here), and nothing reached
    // a chat that had no delivery of it.
    for (const number of numbers.values()) {
      for (const chat of CHATS.filter((c) => !blocked.has(c)))
        holds({ seed, chat, article: number, queued: false }, states.has(`${chat}:${number}`));
    }
    for (const key of times.keys()) holds({ seed, key, queued: false }, states.has(key));
    totals.messages = received.length;
    totals.digestMessages = received.filter((r) => r.kind === 'digest').length;
    totals.edits = touches.filter((t) => t.kind === 'edit').length;
    totals.removes = touches.filter((t) => t.kind === 'remove').length;
    return totals;
  } catch (err) {
    console.log(`[outbox property] seed ${seed} failed at step ${step} (OUTBOX_SEED=${seed} runs it alone)`);
    throw err;
  } finally {
    await lock;
    await dying?.catch(() => undefined); // a scenario that failed mid-crash: its error is the one to hear
    await db.close();
  }
}

describe('property: the rules between kinds of message, whatever the mix', () => {
  const only = process.env.OUTBOX_SEED ? [Number(process.env.OUTBOX_SEED)] : undefined;
  const seeds = only ?? Array.from({ length: SCENARIOS }, (_, i) => (i + 1) * 7_919);
  it(
    `${seeds.length} seeded scenarios of five chats over two days: retractions, at most once, no blind edit, answers kept, broadcasts finished, nothing lost`,
    async () => {
      const totals: Partial<Totals> = {};
      const started = Date.now();
      for (const seed of seeds) {
        const r = await run(seed);
        for (const k of Object.keys(r) as Array<keyof Totals>) totals[k] = (totals[k] ?? 0) + r[k];
      }
      console.log(`[outbox property] ${seeds.length} seeds in ${Date.now() - started} ms: ${JSON.stringify(totals)}`);
      if (!only) {
        // The mix really happened: each kind of event, many times over.
        for (const k of [
          'digestMessages',
          'edits',
          'removes',
          'retracted',
          'broadcasts',
          'crashes',
          'inDoubt',
          'lockedAnswers',
          'failed',
          'resent',
        ] as const) {
          expect({ [k]: totals[k]! > 5 }).toEqual({ [k]: true });
        }
      }
    },
    // About 25 s of CPU on SQLite: the run's other files share the two cores (120 s was exceeded at load 8), as
    // digests-property's 300 s allows; doubled on PostgreSQL, as there, where the server shares them too.
    300_000 * (onPostgres() ? 2 : 1),
  );
});

describe('a broadcast held for a digest in quiet hours that let urgent alerts through (seed 102947 of the property finds it)', () => {
  it('is finished for the editor, waiting until the quiet hours end: a digest message is never urgent', async () => {
    const db = await freshDatabase();
    const store = db.ports;
    const config = loadAppConfig({ ...db.env, NASHRA_TIME_ZONE: 'UTC' });
    const deps = newsroomDeps(BUILT_IN_PLATFORMS, config, store, quietLogger);
    const noon = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 12 * HOUR;
    let now = noon + 10 * 60_000;
    const sent: string[] = [];
    const transport: Transport = {
      platform: 'console',
      concurrency: 1,
      isReady: () => true,
      async send() {
        sent.push('post');
        return { messageId: `m${sent.length}` };
      },
      async sendText() {
        sent.push('digest');
        return { messageId: `m${sent.length}` };
      },
    };
    const worker = new DeliveryWorker(store, [transport], quietLogger, {
      pollMs: 1,
      now: () => now,
      digestCheckMs: 0,
      digests: digestCloser(store, () => TINY, config),
    });
    await subscribe(deps, CLI_OPERATOR, { platform: 'console', chatId: 'night' });
    // Hourly digests, urgent alerts in the digest too, quiet hours 11:00–15:00 UTC that hold messages but let urgent ones through.
    await setDelivery(
      deps,
      CLI_OPERATOR,
      { platform: 'console', chatId: 'night' },
      {
        digest: { mode: 'hourly' },
        urgentNow: false,
        timeZone: 'UTC',
        quiet: { start: 11 * 60, end: 15 * 60 },
        quietMode: 'wait',
        quietUrgent: true,
      },
    );
    const stored = await storeArticleIn(store, {
      url: 'https://example.com/p/1',
      title: 'خبر عاجل',
      source: 'SY24',
      language: 'ar',
      categories: [],
      urgent: true,
      paragraphs: ['أعلنت السلطات اليوم عن خطة جديدة لدعم الأحياء.', 'وقال مسؤول إن الخطة تشمل مشاريع عدة.'],
    });
    if (stored.status !== 'new') throw new Error('not stored');
    const preview = await previewBroadcast(deps, CLI_OPERATOR, String(stored.article.id));
    expect(await confirmBroadcast(deps, CLI_OPERATOR, preview.broadcast.id, preview.broadcast.token)).toMatchObject({
      kind: 'done',
      queued: 1,
    });
    const quietEnd = new Date(noon + 3 * HOUR);
    const status = async () => (await broadcastStatus(deps, preview.broadcast.id, now))!;

    await worker.drain(5000, 0);
    // Held, and carried by the digest that closed at 12:00, whose message the quiet hours hold until 15:00 (before
    // the fix: remaining 1, not finished, as if it could go now).
    expect(await status()).toMatchObject({ finished: true, remaining: 0, waiting: 1, waitingUntil: quietEnd });
    now = noon + HOUR + 5 * 60_000;
    await worker.drain(5000, 0);
    expect(sent).toEqual([]);
    expect(await status()).toMatchObject({ finished: true, remaining: 0, waiting: 1, waitingUntil: quietEnd });
    now = noon + 3 * HOUR + 5 * 60_000;
    await worker.drain(5000, 0);
    expect(sent).toEqual(['digest']);
    expect(await status()).toMatchObject({ finished: true, sent: 1, waiting: 0 });
  });
});
