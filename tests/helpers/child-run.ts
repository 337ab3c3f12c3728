/**
 * `nashra run` as a real child process (the built dist/src/app/cli.js), for tests that kill it, signal it or run two
 * at once. Its output is collected line by line; nothing of the test process's environment leaks in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { queueAudienceIn, storeArticleIn } from './articles.js';
import { openStore } from '../../src/store/index.js';
import type { Article } from '../../src/model/article.js';
import type { DataPorts } from '../../src/ports/index.js';
import { CLI, NODE_FLAGS, ROOT } from './cli.js';

/** A token of the right shape for the fake Bot API (never a real one). */

export const CHILD_TOKEN = '987654321:AAEchildRunTokenForNashraTests_0123456789';

export interface ChildRun {
  child: ChildProcess;
  pid: number;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Sends a signal; resolves when it exited. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  output(): string;
}

/**
 * The environment for a child run against the fake Bot API at `apiRoot`, on the SQLite file at `database`, or on a
 * test's database of either adapter (its `env`: tests/helpers/raw-db.ts).
 */
export function childEnv(
  apiRoot: string,
  database: string | { env: Record<string, string> },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: CHILD_TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    ...(typeof database === 'string' ? { DATABASE_PATH: database } : database.env),
    LOG_LEVEL: 'warn',
    TELEGRAM_RATE_PER_SECOND: '1000',
    TELEGRAM_RATE_PER_CHAT_PER_SECOND: '50',
    TELEGRAM_RATE_PER_GROUP_PER_MINUTE: '1000',
    ...extra,
  };
}

/** `as`: another user to run as (a test running as root, to which file modes do not apply). */
export function spawnRun(
  env: Record<string, string>,
  args: string[] = [],
  as: { uid?: number; gid?: number } = {},
): ChildRun {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'run', ...args], {
    ...as,
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  collectLines(child.stdout!, stdout);
  collectLines(child.stderr!, stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  return {
    child,
    pid: child.pid!,
    stdout,
    stderr,
    exited,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    output: () => [...stdout, ...stderr].join('\n'),
  };
}

function collectLines(stream: NodeJS.ReadableStream, into: string[]): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    into.push(...parts);
  });
  stream.on('end', () => {
    if (rest) into.push(rest);
  });
}

/** Waits until `cond` holds, polling every 20 ms. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** mulberry32: a small seeded PRNG, so a failing run can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const PLACES = ['دمشق', 'حلب', 'حمص', 'حماة', 'اللاذقية', 'طرطوس', 'درعا', 'السويداء', 'إدلب', 'الرقة'];

/** The link every prepared article carries, so a message seen by the fake names its article. */
export const preparedUrl = (n: number) => `https://example.com/reliability/${n}`;

/** Which prepared article a message sent to the fake carries (by its link), if any. */
export function preparedArticleOf(params: Record<string, unknown>): number | undefined {
  const m = /href="https:\/\/example\.com\/reliability\/(\d+)"/.exec(String(params.text ?? params.caption ?? ''));
  return m ? Number(m[1]) : undefined;
}

/**
 * `subscribers` private chats (ids from `firstChat`) and `articles` articles queued for all of them, written before
 * any run starts: on the SQLite file at a path, through the Store (the chats in one transaction); on ports (either
 * adapter), through them. `paid`: each article is queued as an editor's broadcast marked paid (the load bench at the
 * paid rate).
 */
export async function prepareBroadcast(
  database: string | DataPorts,
  subscribers: number,
  articles: number,
  firstChat = 200_000,
  opts: { paid?: boolean } = {},
): Promise<void> {
  if (typeof database !== 'string') return prepareOnPorts(database, subscribers, articles, firstChat, opts);
  const store = openStore(database);
  try {
    store.transaction(() => {
      for (let i = 0; i < subscribers; i++)
        store.subscriptions.subscribe({ platform: 'telegram', chatId: String(firstChat + i), kind: 'private' });
    });
    for (let n = 0; n < articles; n++) {
      const result = await storeArticleIn(store, preparedArticle(n));
      if (result.status !== 'new') throw new Error(`prepared article ${n} was taken for a duplicate`);
      if (opts.paid) {
        const broadcast = store.broadcasts.create({
          articleId: result.article.id,
          platform: 'cli',
          editorId: 'load',
          urgent: false,
          audience: { kind: 'all' },
          paid: true,
        });
        store.broadcasts.transition(broadcast.id, 'preview', 'queued');
        await queueAudienceIn(store, result.article, { kind: 'all' }, { broadcastId: broadcast.id });
      } else await queueAudienceIn(store, result.article, { kind: 'matching' });
    }
  } finally {
    store.close();
  }
}

const preparedArticle = (n: number): Article => {
  const place = `${PLACES[n % PLACES.length]} ${n}`;
  return {
    url: preparedUrl(n),
    title: `تقرير من ${place}: افتتاح سوق جديدة رقم ${n}`,
    source: 'SY24',
    language: 'ar',
    categories: [],
    paragraphs: [
      `افتتحت بلدية ${place} اليوم سوقاً شعبية جديدة رقم ${n} تضم مئات المحال التجارية.`,
      `وقال رئيس البلدية إن السوق رقم ${n} توفر ${n + 100} فرصة عمل للشباب.`,
    ],
  };
};

async function prepareOnPorts(
  data: DataPorts,
  subscribers: number,
  articles: number,
  firstChat: number,
  opts: { paid?: boolean },
): Promise<void> {
  const { repos } = data;
  for (let i = 0; i < subscribers; i++)
    await repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: String(firstChat + i), kind: 'private' },
      Date.now(),
    );
  for (let n = 0; n < articles; n++) {
    const result = await storeArticleIn(data, preparedArticle(n));
    if (result.status !== 'new') throw new Error(`prepared article ${n} was taken for a duplicate`);
    if (opts.paid) {
      const broadcast = await repos.broadcasts.create(
        {
          articleId: result.article.id,
          platform: 'cli',
          editorId: 'load',
          urgent: false,
          audience: { kind: 'all' },
          paid: true,
        },
        Date.now(),
      );
      await repos.broadcasts.transition(broadcast.id, 'preview', 'queued', Date.now());
      await queueAudienceIn(data, result.article, { kind: 'all' }, { broadcastId: broadcast.id });
    } else await queueAudienceIn(data, result.article, { kind: 'matching' });
  }
}

/** Posts per state, through the ports (either adapter; the run may be stopped or killed). */
export async function postStates(data: DataPorts): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of await data.repos.outbox.countsByState(['post'])) out[c.state] = (out[c.state] ?? 0) + c.count;
  return out;
}

/** Deliveries per state, read from the database file (the run may be stopped or killed). */
export function deliveryStates(dbPath: string): Record<string, number> {
  const store = openStore(dbPath);
  try {
    const out: Record<string, number> = {};
    for (const c of store.jobs.countsByState()) out[c.state] = (out[c.state] ?? 0) + c.count;
    return out;
  } finally {
    store.close();
  }
}
