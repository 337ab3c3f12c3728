/**
 * A large feed is read on a worker thread, so a new source bringing 5,000 items never stops the sending: parsing a
 * 7 MB, 5,000-item RSS document takes 0.5–1 s of one core here, and a rolling-window limit cannot make up a second
 * in which no request left (delivery fell to 0.21 of the allowed rate while such feeds were polled back to back).
 * The thread also drafts the newest `limit` items (their HTML read: 75 ms a feed) and summarises the new ones
 * (summary, hashtags, keys, search terms: 0.6–1 ms an article, 150–250 ms for a new source's 200): at the paid
 * 1,000/s the sending needs most of the main thread (0.8 ms CPU a delivery), and those 250–330 ms a feed on it held
 * delivery to 0.90 of the allowed rate. The main thread only checks the dedup and stores. Small feeds (most of them, a
 * few tens of KB) and a handful of new articles are handled in place: a thread hop would cost more.
 */
import { getPriority, setPriority } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Article } from '../model/article.js';
import { prepareArticle, type PreparedArticle } from './prepare.js';
import type { SummaryOptions } from '../summary/summarize.js';
import { draftFrom, loggableTitle, type Draft, type DraftSource } from './drafts.js';
import { FeedParseError, newestFirst, parseFeedText } from './feeds.js';
import { decodeBody } from './http.js';

/**
 * Feeds at least this long (bytes or characters) are decoded and parsed off the main thread (256 K parses in about
 * 20 ms here). Decoding a 7 MB body and copying the text to the thread took 100 ms each on a busy machine, so a
 * large body goes to the thread undecoded, its memory moved rather than copied.
 */
export const OFF_THREAD_BYTES = 256 * 1024;
/** New articles summarised on the thread from this many (a new source's backlog, a busy site's burst); fewer in place. */
export const OFF_THREAD_ARTICLES = 10;
/** An idle thread ends after this long; the next large feed starts another (about 30 ms). */
const IDLE_MS = 30_000;
/**
 * The thread runs this much nicer than the process (Linux: nice is per thread): when the cores are all busy (2 here:
 * the sending, the feed thread, the Bot API's answers), the sending gets the CPU first and the feed waits.
 */
const THREAD_NICE = 10;

/** A feed as fetched: its text, or its undecoded bytes and content type (FetchOptions.bytesFrom). */
export interface FeedBody {
  text: string;
  bytes?: Uint8Array;
  contentType: string;
}
/** One of the newest items: its draft, or why it is skipped (with the title and link worth logging). */
export type ItemRead = { rank: number; draft: Draft } | { rank: number; skip: string; title?: string; link?: string };
/**
 * `head`: the document's first 64 K characters (where a feed names its WebSub hub). `charset` and `undecodable`: for
 * a body decoded here, as FetchedText has them.
 */
export interface NewestItems {
  items: ItemRead[];
  total: number;
  head: string;
  charset?: string;
  undecodable?: number;
}
/** What drafting an item needs besides the item: the source, the feed's final URL (for relative links), the poll's time. */
export interface DraftContext {
  source: DraftSource;
  base: string;
  now: number;
}

/**
 * The feed's items, newest first, at most `limit`, drafted, and how many it has. Throws FeedParseError as
 * parseFeedText does.
 */
export async function newestItems(body: FeedBody, limit: number, ctx: DraftContext): Promise<NewestItems> {
  const decoded =
    body.bytes &&
    decodeBody(Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength), body.contentType);
  const text = decoded ? decoded.text : body.text;
  const items = newestFirst((await parseFeedText(text)).items);
  const read = await Promise.all(
    items.slice(0, limit).map(async (item, rank): Promise<ItemRead> => {
      const draft = await draftFrom(item, ctx.source, ctx.base, ctx.now);
      return typeof draft === 'string'
        ? { rank, skip: draft, title: await loggableTitle(item.title), link: item.link }
        : { rank, draft };
    }),
  );
  return {
    items: read,
    total: items.length,
    head: text.slice(0, 64 * 1024),
    ...(decoded ? { charset: decoded.charset, undecodable: decoded.undecodable } : {}),
  };
}

type Request =
  | { id: number; kind: 'read'; body: FeedBody; limit: number; ctx: DraftContext }
  | { id: number; kind: 'prepare'; articles: Article[]; summary?: SummaryOptions };
type Answer = { id: number; ok: unknown } | { id: number; parseError: string } | { id: number; error: string };

let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: unknown) => void; reject: (err: Error) => void }>();

function parser(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL(import.meta.url), {
    workerData: { role: 'feed-parser' },
    resourceLimits: { maxOldGenerationSizeMb: 96 },
  });
  w.on('message', (a: Answer) => {
    const waiter = waiting.get(a.id);
    waiting.delete(a.id);
    if (!waiter) return;
    if ('ok' in a) waiter.resolve(a.ok);
    else waiter.reject('parseError' in a ? new FeedParseError(a.parseError) : new Error(a.error));
    if (waiting.size > 0) return;
    // Idle, it never keeps a finished process alive (a listener on its port would, until the idle timer: 30 s after
    // `nashra sources add` had polled a large feed); busy, it keeps the process up until the answer.
    w.unref();
    idleTimer = setTimeout(() => void stopParser(), IDLE_MS).unref();
  });
  w.on('error', (err) => failAll(new ThreadError(err.message)));
  w.on('exit', () => {
    if (worker === w) worker = undefined;
    failAll(new ThreadError('the feed parser thread stopped'));
  });
  worker = w;
  return w;
}

function failAll(err: Error): void {
  for (const [id, waiter] of waiting) {
    waiting.delete(id);
    waiter.reject(err);
  }
}

async function stopParser(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w && waiting.size === 0) await w.terminate();
}

/**
 * A thread needs this module as JavaScript: run from the TypeScript sources (vitest), or when a thread cannot start,
 * feeds are parsed in place as before.
 */
let threadsUsable = !import.meta.url.endsWith('.ts');

/** newestItems, on the thread when the feed is large. */
export async function readNewest(body: FeedBody, limit: number, ctx: DraftContext): Promise<NewestItems> {
  const size = body.bytes?.byteLength ?? body.text.length;
  if (size < OFF_THREAD_BYTES || !threadsUsable) return newestItems(body, limit, ctx);
  // A body that owns its whole ArrayBuffer is moved to the thread; one inside a shared pool would be copied.
  const owned = body.bytes && body.bytes.byteOffset === 0 && body.bytes.byteLength === body.bytes.buffer.byteLength;
  const request = {
    kind: 'read',
    limit,
    ctx,
    body: { text: body.text, contentType: body.contentType, bytes: body.bytes },
  } as const;
  try {
    return await ask<NewestItems>(request, owned ? [body.bytes!.buffer as ArrayBuffer] : []);
  } catch (err) {
    if (!(err instanceof ThreadError)) throw err;
    // A body moved to the thread is gone from here: this poll fails, the next one parses in place.
    if (owned) throw new Error(`the feed parser thread failed (${err.message}); the next poll reads the feed here`);
    return newestItems(body, limit, ctx);
  }
}

/** prepareArticle for each article, on the thread when there are many. */
export async function prepareAll(articles: Article[], summary?: SummaryOptions): Promise<PreparedArticle[]> {
  const inPlace = () => articles.map((a) => prepareArticle(a, summary));
  if (articles.length < OFF_THREAD_ARTICLES || !threadsUsable) return inPlace();
  try {
    return await ask<PreparedArticle[]>({ kind: 'prepare', articles, summary }, []);
  } catch (err) {
    if (!(err instanceof ThreadError)) throw err;
    return inPlace();
  }
}

/** One request to the thread; a ThreadError (the thread could not start, or died) makes later requests run in place. */
async function ask<T>(request: DistributiveOmit<Request, 'id'>, transfer: ArrayBuffer[]): Promise<T> {
  clearTimeout(idleTimer);
  const id = nextId++;
  try {
    return await new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (r: unknown) => void, reject });
      const w = parser();
      w.ref();
      w.postMessage({ ...request, id }, transfer);
    });
  } catch (err) {
    if (err instanceof ThreadError) threadsUsable = false;
    throw err;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The parser thread itself failed (it could not start, or it died): not the feed's fault. */
class ThreadError extends Error {}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'feed-parser') {
  try {
    setPriority(Math.min(19, getPriority() + THREAD_NICE));
  } catch {
    // Not permitted on this system: the thread runs at the process's priority.
  }
  parentPort!.on('message', async (request: Request) => {
    const { id } = request;
    let answer: Answer;
    try {
      answer = {
        id,
        ok:
          request.kind === 'read'
            ? await newestItems(request.body, request.limit, request.ctx)
            : request.articles.map((a) => prepareArticle(a, request.summary)),
      };
    } catch (err) {
      answer =
        err instanceof FeedParseError
          ? { id, parseError: err.message }
          : { id, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort!.postMessage(answer);
  });
}
