import { createHmac, timingSafeEqual } from 'node:crypto';
import { buildFullStory, type FullStory } from '../story/full-story.js';
import type { NewsroomDeps } from './deps.js';

/**
 * The full story read in the chat (issue 26): every front door (Telegram's «النص الكامل», WhatsApp's «المزيد», the
 * desk's page) asks here, through the ports. Reading a story counts one full read for it (no reader is recorded);
 * the count is shown where reach is shown.
 */
type Reader = Pick<NewsroomDeps, 'data' | 'config'>;

export type FullStoryRead =
  | { status: 'story'; story: FullStory }
  /** Retracted: the reader is told «سُحب هذا الخبر» and nothing else. */
  | { status: 'retracted' }
  /** No such article, or one readers may not see (held for an editor's review, or dismissed). */
  | { status: 'unknown' };

/**
 * The article as a full story, counted as one read. What readers may not see is `unknown`, exactly as a missing id
 * is, so an answer tells nothing about what exists.
 */
export async function readFullStory(
  deps: Reader,
  articleId: number,
  opts: { now?: number; count?: boolean } = {},
): Promise<FullStoryRead> {
  const story = await fullStoryOf(deps, articleId);
  if (story.status === 'story' && opts.count !== false) await countFullRead(deps, articleId, opts.now);
  return story;
}

/** The full story without counting a read (the desk's preview). */
export async function fullStoryOf(deps: Reader, articleId: number): Promise<FullStoryRead> {
  if (!Number.isSafeInteger(articleId) || articleId <= 0) return { status: 'unknown' };
  const article = await deps.data.repos.articles.get(articleId);
  if (!article) return { status: 'unknown' };
  const review = await deps.data.repos.reviews.get(articleId);
  if (review && review.state !== 'published') return { status: 'unknown' };
  const built = buildFullStory(article, { timeZone: deps.config.timeZone });
  return 'retracted' in built ? { status: 'retracted' } : { status: 'story', story: built };
}

/** One more read of the article's full story, written now (one commit). */
export const countFullRead = (deps: Pick<NewsroomDeps, 'data'>, articleId: number, now = Date.now()): Promise<void> =>
  deps.data.repos.fullStory.addReads(articleId, 1, now);

/**
 * Reads counted in memory and written together at most once a second, for a front door that answers many readers
 * (Telegram's presses): each count is a commit, and a commit waits for the disk (synchronous=FULL) with the event loop
 * held: 6 ms at the median and 16 at the 99th percentile on the test machine, which at 20 presses a second put 120 ms
 * of every second in front of the other readers. A crash loses at most the last second's counts (a statistic, never a
 * message); flushFullReads writes them on a clean stop.
 */
const FLUSH_MS = 1000;
interface ReadBuffer {
  counts: Map<number, number>;
  timer?: NodeJS.Timeout;
}
const buffers = new WeakMap<object, ReadBuffer>();

export function countFullReadSoon(deps: Pick<NewsroomDeps, 'data' | 'logger'>, articleId: number): void {
  let buffer = buffers.get(deps.data);
  if (!buffer) {
    buffer = { counts: new Map() };
    buffers.set(deps.data, buffer);
  }
  buffer.counts.set(articleId, (buffer.counts.get(articleId) ?? 0) + 1);
  buffer.timer ??= setTimeout(() => {
    flushFullReads(deps).catch((err) =>
      deps.logger.warn('full reads not counted yet; trying again with the next read', { error: String(err) }),
    );
  }, FLUSH_MS).unref();
}

/** Writes the reads counted in memory, in one unit (one commit); on failure they stay counted for the next try. */
export async function flushFullReads(deps: Pick<NewsroomDeps, 'data'>, now = Date.now()): Promise<void> {
  const buffer = buffers.get(deps.data);
  if (!buffer) return;
  clearTimeout(buffer.timer);
  buffer.timer = undefined;
  if (buffer.counts.size === 0 || !deps.data.isOpen()) return;
  const reads = [...buffer.counts];
  buffer.counts = new Map();
  try {
    await deps.data.uow.run(async (tx) => {
      for (const [articleId, n] of reads) await tx.fullStory.addReads(articleId, n, now);
    });
  } catch (err) {
    for (const [articleId, n] of reads) buffer.counts.set(articleId, (buffer.counts.get(articleId) ?? 0) + n);
    throw err;
  }
}

/** How many times the article's full story was read (those counted in memory and not written yet included). */
export async function fullReads(deps: Pick<NewsroomDeps, 'data'>, articleId: number): Promise<number> {
  return (await fullReadsOf(deps, [articleId])).get(articleId)!;
}

/** The same for a set of articles, in one read: each article's count (0 when never read). */
export async function fullReadsOf(
  deps: Pick<NewsroomDeps, 'data'>,
  articleIds: readonly number[],
): Promise<Map<number, number>> {
  const written = await deps.data.repos.fullStory.readsOf(articleIds);
  const unwritten = buffers.get(deps.data)?.counts;
  return new Map(articleIds.map((id) => [id, (written.get(id) ?? 0) + (unwritten?.get(id) ?? 0)]));
}

// ----- the code a link carries -----

/**
 * A story's code in a link (a Telegram `start` parameter: at most 64 of A-Z a-z 0-9 _ -): the article's id in base 36,
 * «-», and 16 base64url characters (96 bits) of an HMAC-SHA256 of the id under the installation's key (db/017). Only
 * Nashra can make one, so a reader cannot walk the ids to read what was never posted; the id inside is no secret.
 */
const CODE = /^([0-9a-z]{1,11})-([A-Za-z0-9_-]{16})$/;

const keys = new WeakMap<object, Promise<Uint8Array>>();

/** The key, read once per database. */
function linkKey(deps: Pick<NewsroomDeps, 'data'>): Promise<Uint8Array> {
  let key = keys.get(deps.data);
  if (!key) {
    key = deps.data.repos.fullStory.linkKey();
    keys.set(deps.data, key);
    key.catch(() => keys.delete(deps.data));
  }
  return key;
}

const signature = (key: Uint8Array, id: number): Buffer =>
  createHmac('sha256', key).update(`full-story:${id}`).digest().subarray(0, 12);

export async function fullStoryCode(deps: Pick<NewsroomDeps, 'data'>, articleId: number): Promise<string> {
  return `${articleId.toString(36)}-${signature(await linkKey(deps), articleId).toString('base64url')}`;
}

/** The article a code names, or undefined for anything that is not a code Nashra made (forged, cut, oversized). */
export async function articleOfCode(deps: Pick<NewsroomDeps, 'data'>, code: string): Promise<number | undefined> {
  const m = CODE.exec(code);
  if (!m) return undefined;
  const id = parseInt(m[1]!, 36);
  if (!Number.isSafeInteger(id) || id <= 0 || id.toString(36) !== m[1]) return undefined;
  const given = Buffer.from(m[2]!, 'base64url');
  const expected = signature(await linkKey(deps), id);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}
