/**
 * Clicks on posts' links, without tracking readers (issue 25, section 1). With NASHRA_TRACK_CLICKS on, each post
 * links to `<NASHRA_PUBLIC_URL>/r/<code>`: one code per article and chat, 96 random bits, stored when the post first
 * leaves. The desk's server answers a code at once with a redirect to the article and counts the click for that post
 * and hour; what is kept is the count, never who clicked (no cookie, no address, no user agent).
 *
 * A redirect never waits for a write: codes are resolved from a bounded cache (a miss is one indexed read), counts
 * are kept in memory and written in one unit of work every FLUSH_MS and at shutdown, so a crash loses at most the last
 * FLUSH_MS of counts and never a redirect.
 */
import { randomBytes } from 'node:crypto';
import { isbot } from 'isbot';
import type { StoredArticle } from '../model/article.js';
import { MAIN_OUTLET } from '../model/outlet.js';
import { hourOf, type ClickCount, type ClickTarget } from '../model/reach.js';
import type { Repositories } from '../ports/index.js';
import type { NewsroomDeps } from './deps.js';

/** A code as Nashra makes it: 12 random bytes in base64url (96 bits), 16 characters. Anything else is not one. */
const CODE = /^[A-Za-z0-9_-]{16}$/;
export const newClickCode = (): string => randomBytes(12).toString('base64url');
export const isClickCode = (code: string): boolean => CODE.test(code);

/**
 * The path the desk's server answers (src/desk/click-routes.ts): `main`'s `/r/<code>` (as every link sent before
 * outlets), another outlet's `/r/<outlet>/<code>`, since its codes are in its own database.
 */
export const clickPath = (code: string, outlet: string = MAIN_OUTLET): string =>
  outlet === MAIN_OUTLET ? `/r/${code}` : `/r/${outlet}/${code}`;

/** The article's address, when a reader can open it (an urgent alert has none; a local file is never shown). */
const readable = (article: StoredArticle): boolean =>
  article.url !== undefined && /^https?:\/\//i.test(article.url) && !article.urgent;

/**
 * The delivery worker's way to give each chat its own link (src/delivery/worker.ts, PostLinks); undefined when
 * clicks are not counted. The code is read first (a post sent again after a failure keeps its code); a new one is
 * stored by the worker in the unit that marks the post `sending`.
 */
export function postLinks(deps: Pick<NewsroomDeps, 'config' | 'data'>, outlet: string = MAIN_OUTLET) {
  const { track, publicUrl } = deps.config.clicks;
  if (!track || !publicUrl) return undefined;
  const url = (code: string) => `${publicUrl}${clickPath(code, outlet)}`;
  return {
    async linkFor(article: StoredArticle, subscriptionId: number, opts: { create: boolean }, now: number) {
      if (!readable(article)) return undefined;
      const known = await deps.data.repos.clicks.codeFor(article.id, subscriptionId);
      if (known) return { url: url(known) };
      if (!opts.create) return undefined;
      const code = newClickCode();
      // One post job per article and chat, and one job per chat in flight: nothing else can store a code for this
      // pair between the read above and this write.
      return {
        url: url(code),
        remember: (tx: Repositories) => tx.clicks.remember(code, article.id, subscriptionId, now),
      };
    },
  };
}

/**
 * A reader's browser: every browser's user agent opens with «Mozilla/» (Chrome, Safari, Firefox, Edge, Opera, the
 * apps' own web views), and isbot (a maintained list of about 1,000 patterns) tells the link-preview fetchers and
 * crawlers that present themselves so (TelegramBot, WhatsApp, facebookexternalhit, Twitterbot, Slackbot, Discordbot…).
 * Scripts (curl, a library's default agent) and requests without one are not counted either.
 */
export function isReader(userAgent: string | undefined): boolean {
  if (userAgent === undefined || !userAgent.startsWith('Mozilla/')) return false;
  // isbot's pattern took 50 µs a call; readers' agents repeat (a few browser versions), so answers are kept.
  let reader = readers.get(userAgent);
  if (reader === undefined) {
    reader = !isbot(userAgent);
    if (readers.size >= 1000) readers.delete(readers.keys().next().value!);
    readers.set(userAgent, reader);
  }
  return reader;
}
const readers = new Map<string, boolean>();

/** What the server answers: a redirect to the article, 410 for a retracted story, 404 for anything else. */
export type ClickAnswer = { status: 302; location: string } | { status: 404 } | { status: 410 };

export interface ClickCounterOptions {
  /** How often the counts kept in memory are written (and so the most a crash loses). */
  flushMs?: number;
  /** Codes kept in the cache (known and unknown ones), the oldest dropped first. */
  cacheSize?: number;
  /** How long a cached code is trusted: a story retracted meanwhile answers 410 within this. */
  cacheMs?: number;
  now?: () => number;
}

/**
 * 2 s: a crash loses at most 2 s of counts (at 1,000 clicks/s, 2,000 clicks, a few hundred rows), while a batch
 * is one commit (one fsync with synchronous=FULL) every 2 s whatever the rate.
 */
const FLUSH_MS = 2000;
/** Rows per write when a batch is written: about 1 ms of the event loop each. */
const CHUNK = 250;
/** 100,000 codes: about 20 MB at most; a day's posts of a large newsroom (10,000 chats × 10 stories) fit. */
const CACHE_SIZE = 100_000;
/** 30 s: a retracted story stops being redirected to within half a minute (the retraction may come from another process). */
const CACHE_MS = 30_000;

/** Counts clicks for the desk's server: one per process serving `/r/<code>`. */
export class ClickCounter {
  private readonly cache = new Map<string, { target: ClickTarget | undefined; at: number }>();
  private pending = new Map<string, ClickCount>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<number> | undefined;
  private readonly flushMs: number;
  private readonly cacheSize: number;
  private readonly cacheMs: number;
  private readonly now: () => number;
  /** Counts written so far by this process (rows of a batch; tests and the bench read it). */
  written = 0;
  private closed = false;

  constructor(
    private readonly deps: Pick<NewsroomDeps, 'data' | 'logger'>,
    opts: ClickCounterOptions = {},
  ) {
    this.flushMs = opts.flushMs ?? FLUSH_MS;
    this.cacheSize = opts.cacheSize ?? CACHE_SIZE;
    this.cacheMs = opts.cacheMs ?? CACHE_MS;
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /**
   * A reader (or a fetcher) opened `/r/<code>`. A link-preview fetcher or crawler (by its user agent; none at all
   * counts as one) gets the same answer but is not counted. The user agent is looked at and forgotten.
   */
  async click(code: string, userAgent: string | undefined): Promise<ClickAnswer> {
    if (!isClickCode(code)) return { status: 404 };
    const target = await this.target(code);
    if (!target?.url) return { status: 404 };
    // A retracted story is not pushed further: no redirect, and no count.
    if (target.retracted) return { status: 410 };
    if (!this.closed && isReader(userAgent)) this.count(target);
    return { status: 302, location: target.url };
  }

  /** Writes the counts kept so far in one unit of work; how many rows. Counts that fail to be written are kept for the next. */
  flush(): Promise<number> {
    // One at a time: a flush asked while one is under way waits for it, then writes what came meanwhile.
    const previous = this.flushing ?? Promise.resolve(0);
    const next = previous.then(() => this.write());
    this.flushing = next.finally(() => {
      if (this.flushing === next) this.flushing = undefined;
    });
    return next;
  }

  /** Stops the timer and writes what is kept (the server's shutdown). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    this.closed = true;
  }

  private async write(): Promise<number> {
    if (this.pending.size === 0 || !this.deps.data.isOpen()) return 0;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    let done = 0;
    // CHUNK rows at a time with a turn of the event loop between them: a batch of 2,000 rows (2 s at 1,000 clicks/s,
    // each on another post) held the loop 17 ms in one fsynced unit, and every redirect arriving meanwhile waited.
    for (let from = 0; from < batch.length; from += CHUNK) {
      const chunk = batch.slice(from, from + CHUNK);
      try {
        if (from > 0) await new Promise((resolve) => setImmediate(resolve));
        // Its own write, not a unit of work: the adapter writes counts without an fsync (ClickRepository.addCounts).
        await this.deps.data.repos.clicks.addCounts(chunk);
      } catch (err) {
        // Kept for the next flush (a lock held by another process, a full disk): added back to what came meanwhile.
        const left = batch.slice(from);
        for (const c of left) this.add(c.linkId, c.articleId, c.subscriptionId, c.hour, c.clicks);
        this.deps.logger.warn('clicks not written yet; kept for the next try', { rows: left.length, error: err });
        break;
      }
      done += chunk.length;
    }
    this.written += done;
    return done;
  }

  private count(target: ClickTarget): void {
    this.add(target.linkId, target.articleId, target.subscriptionId, hourOf(this.now()), 1);
  }

  private add(linkId: number, articleId: number, subscriptionId: number, hour: number, clicks: number): void {
    const key = `${linkId}:${hour}`;
    const c = this.pending.get(key);
    if (c) c.clicks += clicks;
    else this.pending.set(key, { linkId, articleId, subscriptionId, hour, clicks });
  }

  private async target(code: string): Promise<ClickTarget | undefined> {
    const now = this.now();
    const hit = this.cache.get(code);
    if (hit && now - hit.at < this.cacheMs) return hit.target;
    const target = await this.deps.data.repos.clicks.resolve(code);
    // Unknown codes are kept too: the same forged code asked again is answered from memory.
    this.cache.delete(code);
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(code, { target, at: now });
    return target;
  }
}
