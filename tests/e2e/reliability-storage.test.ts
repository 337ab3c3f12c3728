/**
 * Storage faults against the real `nashra run --once` child process and the fake Bot API: a damaged database page,
 * a full disk (SQLite's own SQLITE_FULL, from PRAGMA max_page_count preloaded into the child), the kernel refusing
 * to grow a file (a size limit) and a read-only database file. Each ends the process in bounded time, non-zero, with one line naming the cause and the file; once
 * the cause is gone the next run finishes the work, each article reaching each chat once.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fake-telegram/server.js';
import {
  CHILD_TOKEN,
  childEnv,
  deliveryStates,
  preparedArticleOf,
  prepareBroadcast,
  spawnRun,
  type ChildRun,
} from '../helpers/child-run.js';
import { CLI, NODE_FLAGS, ROOT, runCliInProcess } from '../helpers/cli.js';
import { startFeedServer } from '../helpers/feed-server.js';
import { reviewFeed, type FeedItemSpec } from '../helpers/review-feed.js';
import { tempDir } from '../helpers/tmp.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup() {
  const { dir, cleanup } = tempDir('nashra-storage-');
  cleanups.push(cleanup);
  const fake = new FakeTelegram(CHILD_TOKEN, { globalPerSecond: 1000, perChatPerSecond: 50, perGroupPerMinute: 1000 });
  const apiRoot = await fake.start();
  cleanups.push(() => fake.stop());
  const children: ChildRun[] = [];
  cleanups.push(async () => {
    for (const c of children) await c.kill('SIGKILL');
  });
  const dbPath = join(dir, 'n.db');
  /** `run --once` (or `args`); resolves when it exits, or after `ms` with the process killed (code null: it did not end). */
  const runOnce = async (
    extra: Record<string, string> = {},
    spawnOptions: { uid?: number; gid?: number } = {},
    ms = 30_000,
    args = ['--once'],
  ) => {
    const c = spawnRun(childEnv(apiRoot, dbPath, extra), args, spawnOptions);
    children.push(c);
    const t0 = Date.now();
    const timer = setTimeout(() => void c.kill('SIGKILL'), ms);
    const exit = await c.exited;
    clearTimeout(timer);
    return { ...exit, ms: exit.at - t0, stderr: c.stderr.filter(Boolean), output: c.output() };
  };
  return { dir, fake, apiRoot, dbPath, runOnce };
}

const pageCount = (dbPath: string) => {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.pragma('page_count', { simple: true }) as number;
  } finally {
    db.close();
  }
};

/** The fault's one line: the cause and the database's path, and no stack trace. */
function expectOneLine(stderr: string[], cause: RegExp, dbPath: string): void {
  expect(stderr, stderr.join('\n')).toHaveLength(1);
  expect(stderr[0]).toMatch(cause);
  expect(stderr[0]).toContain(dbPath);
  expect(stderr[0]).not.toMatch(/\n\s+at |unexpected error/);
}

describe('reliability: storage faults', () => {
  it('run --once (and run) on a damaged database page ends at once, non-zero, in one line (it stayed alive polling before)', async () => {
    const s = await setup();
    await prepareBroadcast(s.dbPath, 20, 5);
    // The articles table's root page, read only once sending starts (after the bot has started polling).
    const db = new Database(s.dbPath);
    const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").get() as {
      rootpage: number;
    };
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const fd = openSync(s.dbPath, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (rootpage - 1) * pageSize);
    closeSync(fd);

    const r = await s.runOnce({}, {}, 20_000);
    console.log(`[damaged] exit ${r.code ?? r.signal} after ${r.ms} ms: ${r.stderr.join(' | ')}`);
    expect(r.signal, 'still running after 20 s').toBeNull();
    expect(r.code).toBe(74);
    expect(s.fake.calls.some((c) => c.method === 'getMe')).toBe(true); // the bot had started: the fault came after
    expectOneLine(
      r.stderr,
      /is damaged \(SQLITE_CORRUPT: database disk image is malformed\); .*restore it from a backup/,
      s.dbPath,
    );

    // The long-running mode too: the worker's loop meets the page in the background.
    const long = await s.runOnce({}, {}, 20_000, []);
    console.log(`[damaged] run: exit ${long.code ?? long.signal} after ${long.ms} ms`);
    expect(long.signal, 'still running after 20 s').toBeNull();
    expect(long.code).toBe(74);
    expectOneLine(long.stderr, /is damaged \(SQLITE_CORRUPT/, s.dbPath);
  }, 60_000);

  it('a full disk mid-ingest stops the run in one line, and the next run, with space again, finishes the work once', async () => {
    const s = await setup();
    const feed = await startFeedServer();
    cleanups.push(() => feed.close());
    const PLACES = ['دمشق', 'حلب', 'حمص', 'حماة', 'اللاذقية', 'طرطوس', 'درعا', 'السويداء', 'إدلب', 'الرقة'];
    const items: FeedItemSpec[] = Array.from({ length: 40 }, (_, i) => ({
      n: i + 1,
      title: `${PLACES[i % 10]}: افتتاح مشروع رقم ${i + 1} للمياه والكهرباء`,
      sentence: `أعلنت السلطات في ${PLACES[i % 10]} افتتاح المشروع رقم ${i + 1} الذي يخدم ${(i + 1) * 1000} نسمة في ${i + 3} أحياء.`,
    }));
    feed.route('/feed', { body: reviewFeed(feed.base, items.slice(0, 1)), contentType: 'application/rss+xml' });
    await prepareBroadcast(s.dbPath, 3, 0);
    const env = { NASHRA_ALLOW_PRIVATE_FETCH: '1' };
    // Added by the CLI in this process (not the point: the runs below are).
    const added = await runCliInProcess(['sources', 'add', `${feed.base}/feed`, '--db', s.dbPath], { env });
    expect(added.code, added.stderr).toBe(0);
    // 39 new items; the database may grow by 40 pages only: about two batches of ten articles' worth.
    feed.route('/feed', { body: reviewFeed(feed.base, items), contentType: 'application/rss+xml' });
    const full = await s.runOnce({
      ...env,
      NODE_OPTIONS: `--import=${join(ROOT, 'tests/fixtures/faults/max-page-count.mjs')}`,
      SQLITE_MAX_PAGE_COUNT: String(pageCount(s.dbPath) + 40),
    });
    console.log(
      `[full] exit ${full.code ?? full.signal} after ${full.ms} ms: ${full.stderr.join(' | ')}; deliveries ${JSON.stringify(deliveryStates(s.dbPath))}`,
    );
    expect(full.code).toBe(74);
    expectOneLine(
      full.stderr,
      /the disk holding the database .* is full \(SQLITE_FULL: database or disk is full\); free some space and start again/,
      s.dbPath,
    );
    const storedBefore = storedArticles(s.dbPath);
    // It stopped part-way: some batches stored (beside the first item, stored as seen by sources add), not all.
    expect(storedBefore).toBeGreaterThan(1);
    expect(storedBefore).toBeLessThan(40);

    // Space again: the next run stores the rest and sends every article to every chat, once.
    const again = await s.runOnce(env);
    expect(again.code, again.output).toBe(0);
    expect(storedArticles(s.dbPath)).toBe(40);
    const states = deliveryStates(s.dbPath);
    console.log(`[full] after the restart: ${storedBefore} then 40 articles; deliveries ${JSON.stringify(states)}`);
    const received = new Map<string, number>();
    for (const c of s.fake.sent()) {
      const n = /\/news\/(\d+)/.exec(String(c.params.text ?? c.params.caption ?? ''))?.[1];
      if (n) received.set(`${c.params.chat_id}:${n}`, (received.get(`${c.params.chat_id}:${n}`) ?? 0) + 1);
    }
    expect([...received.values()].every((count) => count === 1)).toBe(true);
    expect(received.size + (states.in_doubt ?? 0)).toBe(39 * 3);
    expect(states.queued ?? 0).toBe(0);
  }, 90_000);

  it('the kernel refusing to grow the files while sending (a size limit): one line, non-zero; the next run sends the rest, nothing twice', async () => {
    const s = await setup();
    await prepareBroadcast(s.dbPath, 50, 20);
    // RLIMIT_FSIZE in 512-byte blocks: the WAL may grow to 512 KB, about 120 pages, and the next write is refused
    // (EFBIG: SQLite's SQLITE_IOERR_WRITE). Before, the worker's retry write met it in a catch: a stack, exit 1.
    const child = spawn(
      'sh',
      ['-c', 'ulimit -f "$0" && exec "$@"', '1000', process.execPath, ...NODE_FLAGS, CLI, 'run', '--once'],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...childEnv(s.apiRoot, s.dbPath) },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    cleanups.push(() => {
      child.kill('SIGKILL');
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const lines = stderr.split('\n').filter((l) => l && !/^\S+Z (WARN|INFO) /.test(l)); // the worker's warnings aside
    const sentBefore = s.fake.sent().length;
    console.log(`[size limit] exit ${code} after ${sentBefore} messages: ${lines.join(' | ')}`);
    expect(code, stderr).toBe(74);
    expectOneLine(
      lines,
      /the database .* cannot be read or written \(SQLITE_IOERR_WRITE: disk I\/O error\); check its disk/,
      s.dbPath,
    );
    expect(sentBefore).toBeLessThan(1000);

    const again = await s.runOnce();
    expect(again.code, again.output).toBe(0);
    const states = deliveryStates(s.dbPath);
    const received = new Map<string, number>();
    for (const c of s.fake.sent()) {
      const key = `${c.params.chat_id}:${preparedArticleOf(c.params)}`;
      received.set(key, (received.get(key) ?? 0) + 1);
    }
    console.log(
      `[size limit] after the restart: ${s.fake.sent().length} messages, deliveries ${JSON.stringify(states)}`,
    );
    expect(
      [...received.values()].filter((n) => n > 1),
      'sent twice',
    ).toEqual([]);
    expect(received.size).toBe(1000); // every one arrived; those whose answer was not written are in doubt, not resent
    expect(states.queued ?? 0).toBe(0);
    expect((states.sent ?? 0) + (states.in_doubt ?? 0)).toBe(1000);
  }, 60_000);

  it('a read-only database file: one line naming it, non-zero; writable again, the run goes on', async () => {
    const s = await setup();
    await prepareBroadcast(s.dbPath, 5, 2);
    chmodSync(s.dbPath, 0o444);
    // root writes through any file mode, as CI runs: there the run is started as nobody, who owns neither the file
    // nor its folder but may read both (and the project).
    const asRoot = process.getuid?.() === 0;
    const nobody = { uid: 65534, gid: 65534 };
    if (asRoot) chmodSync(s.dir, 0o777); // its parent is the system temp folder, which everyone may enter
    const r = await s.runOnce({}, asRoot ? nobody : {}, 20_000);
    console.log(`[read-only] exit ${r.code ?? r.signal} after ${r.ms} ms: ${r.stderr.join(' | ')}`);
    expect(r.code).toBe(74);
    expectOneLine(
      r.stderr,
      /the database .* is read-only \(SQLITE_READONLY[_A-Z]*: attempt to write a readonly database\); make the file/,
      s.dbPath,
    );
    expect(s.fake.sent()).toHaveLength(0);

    // As the line says: the file and the -shm beside it (SQLite made it with the file's mode) writable.
    for (const f of readdirSync(s.dir)) {
      chmodSync(join(s.dir, f), 0o644);
      if (asRoot) chownSync(join(s.dir, f), nobody.uid, nobody.gid);
    }
    const again = await s.runOnce({}, asRoot ? nobody : {});
    expect(again.code, again.output).toBe(0);
    expect(s.fake.sent()).toHaveLength(10);
  }, 60_000);
});

function storedArticles(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
