/**
 * A large feed is parsed on a worker thread, so a new source bringing 5,000 items never stops the sending: parsing a
 * 7 MB, 5,000-item RSS document takes 0.5–1 s of one core here, and a rolling-window limit cannot make up a second
 * in which no request left (delivery fell to 0.21 of the allowed rate while such feeds were polled back to back).
 * Only the newest `limit` items come back, so copying them to the main thread costs little. Small feeds (most of
 * them, a few tens of KB) are parsed in place: a thread hop would cost more than the parse.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { FeedParseError, newestFirst, parseFeedText, type FeedItem } from './feeds.js';
import { decodeBody } from './http.js';

/**
 * Feeds at least this long (bytes or characters) are decoded and parsed off the main thread (256 K parses in about
 * 20 ms here). Decoding a 7 MB body and copying the text to the thread took 100 ms each on a busy machine, so a
 * large body goes to the thread undecoded, its memory moved rather than copied.
 */
export const OFF_THREAD_BYTES = 256 * 1024;
/** An idle parser thread ends after this long; the next large feed starts another (about 30 ms). */
const IDLE_MS = 30_000;

/** A feed as fetched: its text, or its undecoded bytes and content type (FetchOptions.bytesFrom). */
export interface FeedBody { text: string; bytes?: Uint8Array; contentType: string }
/** `head`: the document's first 64 K characters (where a feed names its WebSub hub). */
export interface NewestItems { items: FeedItem[]; total: number; head: string }

/** The feed's items, newest first, at most `limit`, and how many it has. Throws FeedParseError as parseFeedText does. */
export function newestItems(body: FeedBody, limit: number): NewestItems {
  const text = body.bytes ? decodeBody(Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength), body.contentType).text : body.text;
  const items = newestFirst(parseFeedText(text).items);
  return { items: items.slice(0, limit), total: items.length, head: text.slice(0, 64 * 1024) };
}

type Answer = { id: number; ok: NewestItems } | { id: number; parseError: string } | { id: number; error: string };

let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: NewestItems) => void; reject: (err: Error) => void }>();

function parser(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL(import.meta.url), { workerData: { role: 'feed-parser' }, resourceLimits: { maxOldGenerationSizeMb: 96 } });
  w.unref(); // never keeps a finished process alive
  w.on('message', (a: Answer) => {
    const waiter = waiting.get(a.id);
    waiting.delete(a.id);
    if (!waiter) return;
    if ('ok' in a) waiter.resolve(a.ok);
    else waiter.reject('parseError' in a ? new FeedParseError(a.parseError) : new Error(a.error));
    if (waiting.size === 0) idleTimer = setTimeout(() => void stopParser(), IDLE_MS).unref();
  });
  w.on('error', (err) => failAll(new ThreadError(err.message)));
  w.on('exit', () => { if (worker === w) worker = undefined; failAll(new ThreadError('the feed parser thread stopped')); });
  return (worker = w);
}

function failAll(err: Error): void {
  for (const [id, waiter] of waiting) { waiting.delete(id); waiter.reject(err); }
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

/** newestItems, on the parser thread when the feed is large. */
export async function parseNewest(body: FeedBody, limit: number): Promise<NewestItems> {
  const size = body.bytes?.byteLength ?? body.text.length;
  if (size < OFF_THREAD_BYTES || !threadsUsable) return newestItems(body, limit);
  clearTimeout(idleTimer);
  const id = nextId++;
  // A body that owns its whole ArrayBuffer is moved to the thread; one inside a shared pool would be copied.
  const owned = body.bytes && body.bytes.byteOffset === 0 && body.bytes.byteLength === body.bytes.buffer.byteLength;
  const message = { id, limit, body: { text: body.text, contentType: body.contentType, bytes: body.bytes } };
  try {
    return await new Promise<NewestItems>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      parser().postMessage(message, owned ? [body.bytes!.buffer as ArrayBuffer] : []);
    });
  } catch (err) {
    if (!(err instanceof ThreadError)) throw err;
    threadsUsable = false;
    // A body moved to the thread is gone from here: this poll fails, the next one parses in place.
    if (owned) throw new Error(`the feed parser thread failed (${err.message}); the next poll reads the feed here`);
    return newestItems(body, limit);
  }
}

/** The parser thread itself failed (it could not start, or it died): not the feed's fault. */
class ThreadError extends Error {}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'feed-parser') {
  parentPort!.on('message', ({ id, body, limit }: { id: number; body: FeedBody; limit: number }) => {
    let answer: Answer;
    try {
      answer = { id, ok: newestItems(body, limit) };
    } catch (err) {
      answer = err instanceof FeedParseError ? { id, parseError: err.message } : { id, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort!.postMessage(answer);
  });
}
