/**
 * Polls sources: each at its own interval with jitter, failing ones backed off exponentially without delaying the
 * others, a bounded number at a time. New items become Articles (full text fetched when the feed only has an
 * excerpt) and are handed to the newsroom's intake (de-duplication, routing to subscriptions, review), which the
 * wiring passes in: ingest reads feeds, the newsroom decides what becomes of what they say.
 */
import type { Article, StoredArticle } from '../model/article.js';
import type { Config } from '../config.js';
import { FetchError, fetchText, withoutLeadingUrl, type FetchedText } from './http.js';
import type { Logger } from '../logger.js';
import type { PreparedArticle } from './prepare.js';
import { readHtml } from './reader.js';
import type { Source } from '../model/source.js';
import type { DataPorts } from '../ports/index.js';
import { notTextReason } from '../text/safety.js';
import { OFF_THREAD_BYTES, prepareAll, readNewest } from './feed-thread.js';
import { feedHash, publishedAt, withCategory, type Draft } from './drafts.js';
import { discoverHub, newSubscriptionSecret } from './websub-discovery.js';
import { FeedParseError } from './feeds.js';
import { stripTruncation } from './html-text.js';

export interface PollSummary {
  sources: number;
  newArticles: number;
  queued: number;
  failed: number;
  held: number;
}

export interface SourcePollResult {
  sourceId: number;
  outcome: 'new' | 'not-modified' | 'error';
  /** Articles stored by this poll (routed or, for a backlog, stored as seen). */
  newArticles: number;
  /** Of those, stored as seen only (backlog on the first poll). */
  seen: number;
  queued: number;
  /** Of those, held for an editor's decision (a source with review on): nothing queued. */
  held: number;
  /** Items left out: no title or link, no text. */
  skipped: number;
  /** Items already stored (same URL or GUID) or recorded as duplicates. */
  known: number;
  /** Of the known items, those the source changed in a way a reader would notice: stored as a new revision. */
  revised: number;
  /** Corrections queued for posts already sent of those revised items. */
  corrections: number;
  error?: string;
}

/** Newest items read from one feed per poll; older ones in a huge feed were seen long ago or are not news. */
export const MAX_ITEMS_PER_POLL = 200;
/** Articles stored (one transaction), and feed items checked against the dedup, between two turns of the event loop. */
const STORE_BATCH = 10;
const DEDUP_BATCH = 20;
/** Failing sources wait longer each time, up to this. */
export const MAX_BACKOFF_MS = 6 * 3600 * 1000;
/** Items of a new source's backlog whose article page is read (the newest first), when the feed has excerpts only. */
export const BACKLOG_FULL_TEXT = 30;
/** Article pages fetched at once for one source's excerpt-only items. */
const PAGE_CONCURRENCY = 3;
const TICK_MS = 1000;

/** One new item of a source, for the intake. `prepared`: its summary and keys, made ahead (prepareAll). */
export interface NewItem {
  article: Article;
  feedHash: string;
  seenOnly: boolean;
  prepared?: PreparedArticle;
}

/** What became of a new item: a duplicate of a stored story; stored as seen only (a backlog); held for review; routed. */
export type Admission =
  | { status: 'duplicate'; of: number; reason: string }
  | { status: 'seen' }
  | { status: 'held' }
  | { status: 'routed'; queued: number };

/** The newsroom's side of a poll (src/newsroom/intake.ts builds it). */
export interface ArticleIntake {
  /** New items of one source, in one transaction, oldest first: each stored (or found a duplicate), then routed, held or only seen. */
  admit(source: Source, items: NewItem[], now: number): Promise<Admission[]>;
  /** A known item its source changed: stored as a new revision, with corrections, when readers would notice. */
  revise(
    existing: StoredArticle,
    article: Article,
    opts: { feedHash: string; now: number },
  ): Promise<{ revised: boolean; corrections: number }>;
}

/** `data`: the ports (src/ports) the wiring built; ingest imports nothing from the store. */
export interface PollDeps {
  config: Config;
  data: DataPorts;
  logger: Logger;
  intake: ArticleIntake;
}

const jitter = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));

export function nextFetchAfterSuccess(source: Pick<Source, 'intervalSeconds'>, now: number): number {
  return now + jitter(source.intervalSeconds * 1000);
}

/** interval × 2^(failures so far), capped at 6 h (never below the interval). */
export function nextFetchAfterError(source: Pick<Source, 'intervalSeconds' | 'errorCount'>, now: number): number {
  const interval = source.intervalSeconds * 1000;
  const backoff = Math.min(interval * 2 ** Math.min(source.errorCount + 1, 20), Math.max(MAX_BACKOFF_MS, interval));
  return now + jitter(backoff);
}

/**
 * One poll of one source. Never throws: a failure is logged and recorded on the source (last_status,
 * last_error, error_count, failing_since) and the next fetch is backed off.
 *
 * `response`: the feed already fetched (the first poll of `sources add` reuses detection's). `pushed`: the response
 * is what a push carried (a hub's fat ping, one WordPress post), not the feed as served: it names no hub.
 */
export async function pollSource(
  deps: PollDeps,
  source: Source,
  opts: { response?: FetchedText; pushed?: boolean; signal?: AbortSignal } = {},
): Promise<SourcePollResult> {
  const { config, data, logger } = deps;
  const now = Date.now();
  const result: SourcePollResult = {
    sourceId: source.id,
    outcome: 'new',
    newArticles: 0,
    seen: 0,
    queued: 0,
    held: 0,
    skipped: 0,
    known: 0,
    revised: 0,
    corrections: 0,
  };
  const target = source.feedUrl ?? source.url;
  try {
    const res =
      opts.response ??
      (await fetchText(target, {
        ...config.fetch,
        etag: source.etag,
        lastModified: source.lastModified,
        signal: opts.signal,
        ...(source.kind === 'page' ? {} : { bytesFrom: OFF_THREAD_BYTES }),
      }));
    if (res.notModified) {
      await data.repos.sources.recordFetch(
        source.id,
        { status: 'HTTP 304 not modified', nextFetchAt: nextFetchAfterSuccess(source, now) },
        now,
      );
      logger.debug('source not modified', { source: source.id });
      return { ...result, outcome: 'not-modified' };
    }
    const articles = await articlesFrom(deps, source, res, now, opts.signal);
    result.skipped = articles.skipped;
    const priming = source.primedAt === undefined;
    // Oldest first, so that created_at (and the delivery queue) follows publication order. Summaries made ahead
    // (prepareAll), an article takes about 0.3 ms to check and store: a few at a time in one transaction, then the
    // event loop is let go, so 200 new items never hold the sending for more than a few ms at a time.
    const oldestFirst = [...articles.candidates].reverse();
    for (let i = 0; i < oldestFirst.length; i += STORE_BATCH) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = oldestFirst.slice(i, i + STORE_BATCH).map(
        (c): NewItem => ({
          article: c.article,
          feedHash: c.feedHash,
          seenOnly: priming && c.rank >= source.backfill,
          prepared: c.prepared,
        }),
      );
      await admit(deps, source, batch, now, result);
    }
    result.known += articles.known;
    for (const c of articles.changed) {
      const revision = await deps.intake.revise(c.existing, c.article, { feedHash: c.feedHash, now });
      if (!revision.revised) continue;
      result.revised++;
      result.corrections += revision.corrections;
    }
    // Every poll of the feed itself looks for a hub, the first included (a source polled daily would otherwise wait
    // a day for push, one polled every 10 minutes 10 minutes).
    const hub = source.kind !== 'page' && !opts.pushed ? foundHub(deps, source, articles.head, res) : undefined;
    // The poll's bookkeeping in one unit: the hub found, the outcome, the backlog marked seen.
    await data.uow.run(async (tx) => {
      if (hub) await tx.push.discovered(source.id, hub.hub, hub.topic, newSubscriptionSecret(), now);
      // A source its WebSub hub pushes is polled less often: the poll is only the safety net.
      const slower = (await tx.push.webSubIsActive(source.id, Date.now())) ? config.push.safetyPollFactor : 1;
      await tx.sources.recordFetch(
        source.id,
        {
          status: `HTTP ${res.status}`,
          etag: res.etag,
          lastModified: res.lastModified,
          newArticles: result.newArticles,
          nextFetchAt: nextFetchAfterSuccess({ intervalSeconds: source.intervalSeconds * slower }, now),
        },
        now,
      );
      if (priming) await tx.sources.markPrimed(source.id, now);
    });
    logger.info('source polled', {
      source: source.id,
      new: result.newArticles - result.seen,
      seen: result.seen,
      queued: result.queued,
      held: result.held,
      skipped: result.skipped,
      ...(result.revised ? { revised: result.revised, corrections: result.corrections } : {}),
    });
    return result;
  } catch (err) {
    // Stopping the service is not the source's fault: nothing is recorded, it is polled again after the restart.
    if (opts.signal?.aborted) return { ...result, outcome: 'error', error: 'stopped' };
    // Nor is a full disk or a damaged database: it stops the run, and the items not stored are new again next time.
    if (data.isStorageFault(err)) throw err;
    const { status, message } = describeFailure(err, target);
    await data.repos.sources.recordFetch(
      source.id,
      { status, error: message, nextFetchAt: nextFetchAfterError(source, now) },
      now,
    );
    logger.warn('source poll failed', { source: source.id, status, error: message });
    return { ...result, outcome: 'error', error: message };
  }
}

function describeFailure(err: unknown, url: string): { status: string; message: string } {
  if (err instanceof FetchError)
    return { status: err.kind === 'http' ? `HTTP ${err.status}` : err.kind, message: err.message };
  if (err instanceof FeedParseError) return { status: 'not a feed', message: `${url}: ${err.message}` };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'error', message: `${url}: ${message}` };
}

/** New items of a source through the intake, counted in `result`. */
async function admit(
  deps: PollDeps,
  source: Source,
  items: NewItem[],
  now: number,
  result: SourcePollResult,
): Promise<void> {
  for (const [i, admission] of (await deps.intake.admit(source, items, now)).entries()) {
    if (admission.status === 'duplicate') {
      result.known++;
      deps.logger.info('duplicate story not stored again', {
        source: source.id,
        url: items[i]!.article.url,
        of: admission.of,
        reason: admission.reason,
      });
      continue;
    }
    result.newArticles++;
    if (admission.status === 'seen') result.seen++;
    else if (admission.status === 'held') result.held++;
    else result.queued += admission.queued;
  }
}

/** A feed that names a WebSub hub: the subscription to make, when hubs can reach this server (NASHRA_PUBLIC_URL). */
function foundHub(
  deps: PollDeps,
  source: Source,
  head: string,
  res: FetchedText,
): { hub: string; topic: string } | undefined {
  if (!deps.config.push.publicUrl || !source.active) return undefined;
  const found = discoverHub(head, res.url, res.links);
  return found && { hub: found.hub, topic: found.self ?? res.url };
}

/**
 * An article a publish hook named: its page fetched and read now, then the same path as a polled item (one dedup:
 * an item that also arrives by the feed or the hub is stored and sent once). Never throws; the result says.
 */
export async function ingestPushedUrl(
  deps: PollDeps,
  source: Source,
  url: string,
  signal?: AbortSignal,
): Promise<SourcePollResult> {
  const now = Date.now();
  const result: SourcePollResult = {
    sourceId: source.id,
    outcome: 'new',
    newArticles: 0,
    seen: 0,
    queued: 0,
    held: 0,
    skipped: 0,
    known: 0,
    revised: 0,
    corrections: 0,
  };
  try {
    if (await isKnown(deps, url, undefined)) return { ...result, known: 1 };
    const res = await fetchText(url, {
      ...deps.config.fetch,
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
      signal,
    });
    const notText = notTextReason(res.text);
    if (notText) return { ...result, skipped: 1, error: `not text (${notText})` };
    const article = withSource(await readHtml(res.text, res.url), source, now);
    if (article.paragraphs.length === 0) return { ...result, skipped: 1, error: 'no text' };
    await admit(deps, source, [{ article, feedHash: feedHash(article), seenOnly: false }], now, result);
    deps.logger.info('pushed article read', {
      source: source.id,
      url,
      new: result.newArticles,
      queued: result.queued,
      held: result.held,
    });
    return result;
  } catch (err) {
    const { message } = describeFailure(err, url);
    deps.logger.warn('pushed article could not be read', { source: source.id, error: message });
    return { ...result, outcome: 'error', error: message };
  }
}

/** `prepared`: its summary and keys, made off the main thread when there are many (prepareAll). */
interface Candidate {
  article: Article;
  rank: number;
  feedHash: string;
  prepared?: PreparedArticle;
}
/** A known item that the source changed since it was stored: the core decides whether readers would notice. */
interface Changed {
  existing: StoredArticle;
  article: Article;
  feedHash: string;
}
interface Found {
  candidates: Candidate[];
  changed: Changed[];
  skipped: number;
  known: number;
  head: string;
}

/**
 * A known item whose fingerprint changed, still within the correction window and not retracted: worth reading
 * again. One stored before fingerprints existed gets one now, and is compared from the next poll on.
 */
async function changedItem(
  deps: PollDeps,
  existing: StoredArticle,
  hash: string,
  now: number,
): Promise<StoredArticle | undefined> {
  if (existing.feedHash === hash) return undefined;
  const firstPublished = (existing.publishedAt ?? existing.createdAt).getTime();
  if (
    existing.feedHash === undefined ||
    existing.retracted ||
    existing.seenOnly ||
    now - firstPublished > deps.config.correctionWindowMs
  ) {
    await deps.data.repos.articles.setFeedHash(existing.id, hash);
    return undefined;
  }
  return existing;
}

/** A declared charset is kept when some bytes are invalid in it (decodeBody): those are dropped, and said so here. */
function logUndecodable(
  deps: PollDeps,
  source: Source,
  url: string,
  charset: string | undefined,
  undecodable: number | undefined,
): void {
  if (undecodable)
    deps.logger.warn('bytes invalid in the declared charset dropped', {
      source: source.id,
      url,
      charset,
      sequences: undecodable,
    });
}

/** The feed's items as Articles, newest first, without those already stored; known items the source changed apart. */
async function articlesFrom(
  deps: PollDeps,
  source: Source,
  res: FetchedText,
  now: number,
  signal?: AbortSignal,
): Promise<Found> {
  if (source.kind === 'page') {
    logUndecodable(deps, source, res.url, res.charset, res.undecodable);
    const notText = notTextReason(res.text);
    if (notText) {
      deps.logger.info('page skipped', { source: source.id, reason: `not text (${notText})`, url: res.url });
      return { candidates: [], changed: [], skipped: 1, known: 0, head: '' };
    }
    const article = withSource(await readHtml(res.text, res.url), source, now);
    const hash = feedHash(article);
    const stored = await knownArticle(deps, article.url, undefined);
    if (!stored)
      return { candidates: [{ article, rank: 0, feedHash: hash }], changed: [], skipped: 0, known: 0, head: '' };
    const existing = await changedItem(deps, stored, hash, now);
    return {
      candidates: [],
      changed: existing ? [{ existing, article, feedHash: hash }] : [],
      skipped: 0,
      known: 1,
      head: '',
    };
  }
  const { items, total, head, ...decoded } = await readNewest(
    { text: res.text, bytes: res.bytes, contentType: res.contentType },
    MAX_ITEMS_PER_POLL,
    { source: { name: source.name, category: source.category }, base: res.url, now },
  );
  logUndecodable(deps, source, res.url, decoded.charset ?? res.charset, decoded.undecodable ?? res.undecodable);
  if (total > MAX_ITEMS_PER_POLL) {
    deps.logger.info('large feed: reading only the newest items', {
      source: source.id,
      items: total,
      read: MAX_ITEMS_PER_POLL,
    });
  }
  const priming = source.primedAt === undefined;
  let skipped = 0;
  let known = 0;
  const drafts: Array<{ draft: Draft; rank: number }> = [];
  const changedDrafts: Array<{ draft: Draft; existing: StoredArticle }> = [];
  for (const [i, item] of items.entries()) {
    // A dedup check is a few index lookups (tens of µs); 200 in one go would still hold the sending for ~10 ms.
    if (i % DEDUP_BATCH === DEDUP_BATCH - 1) await new Promise<void>((resolve) => setImmediate(resolve));
    if ('skip' in item) {
      skipped++;
      deps.logger.info('feed item skipped', {
        source: source.id,
        reason: item.skip,
        title: item.title,
        link: item.link,
      });
      continue;
    }
    const { draft, rank } = item;
    const stored = await knownArticle(deps, draft.article.url, draft.article.guid);
    if (stored) {
      known++;
      const existing = await changedItem(deps, stored, draft.feedHash, now);
      if (existing) changedDrafts.push({ draft, existing });
    } else drafts.push({ draft, rank });
  }
  const candidates: Candidate[] = [];
  await forEachLimited(drafts, PAGE_CONCURRENCY, async ({ draft, rank }) => {
    // A backlog item is not sent but is a complete article all the same (/latest, /search): the newest few dozen
    // get their page read like new items; older ones keep the feed's excerpt, so adding a 200-item feed costs 30
    // page fetches, not 200.
    const fullText = !(priming && rank >= source.backfill) || rank < BACKLOG_FULL_TEXT;
    const article = draft.excerptOnly && fullText ? await withFullText(deps, draft, signal) : finishExcerpt(draft);
    if (article.paragraphs.length === 0) {
      skipped++;
      deps.logger.info('feed item skipped', { source: source.id, reason: 'no text', link: article.url });
      return;
    }
    candidates.push({ article, rank, feedHash: draft.feedHash });
  });
  candidates.sort((a, b) => a.rank - b.rank);
  const prepared = await prepareAll(
    candidates.map((c) => c.article),
    deps.config.summary,
  );
  for (const [i, c] of candidates.entries()) c.prepared = prepared[i];
  // A changed item is read like a new one (its page when the feed has an excerpt only): the summary comes from it.
  const changed: Changed[] = [];
  await forEachLimited(changedDrafts, PAGE_CONCURRENCY, async ({ draft, existing }) => {
    const article = draft.excerptOnly ? await withFullText(deps, draft, signal) : finishExcerpt(draft);
    if (article.paragraphs.length > 0) changed.push({ existing, article, feedHash: draft.feedHash });
  });
  return { candidates, changed, skipped, known, head };
}

/** Already stored under this URL or GUID: the same item seen again, not a re-post (only URL and GUID are checked). */
function knownArticle(
  deps: PollDeps,
  url: string | undefined,
  guid: string | undefined,
): Promise<StoredArticle | undefined> {
  return deps.data.repos.articles.known(url, guid);
}

async function isKnown(deps: PollDeps, url: string | undefined, guid: string | undefined): Promise<boolean> {
  return (await knownArticle(deps, url, guid)) !== undefined;
}

function withSource(article: Article, source: Source, now: number): Article {
  const published = publishedAt(article.publishedAt?.toISOString(), now);
  return {
    ...article,
    source: source.name || article.source,
    ...(published ? { publishedAt: published } : {}),
    categories: withCategory(article.categories, source.category),
  };
}

function finishExcerpt(draft: Draft): Article {
  return draft.excerptOnly
    ? { ...draft.article, paragraphs: stripTruncation(draft.article.paragraphs) }
    : draft.article;
}

/** The feed only had an excerpt: the summary must come from the article, so its page is fetched and read. */
async function withFullText(deps: PollDeps, draft: Draft, signal?: AbortSignal): Promise<Article> {
  const a = draft.article;
  try {
    const res = await fetchText(draft.pageUrl, {
      ...deps.config.fetch,
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
      signal,
    });
    const notText = notTextReason(res.text);
    if (notText) throw new Error(`not an article page (${notText})`);
    const page = await readHtml(res.text, res.url);
    if (page.paragraphs.join(' ').length <= a.paragraphs.join(' ').length) return finishExcerpt(draft);
    return {
      ...a,
      paragraphs: page.paragraphs,
      language: page.language,
      ...((a.imageUrl ?? page.imageUrl) ? { imageUrl: a.imageUrl ?? page.imageUrl } : {}),
      ...((a.author ?? page.author) ? { author: a.author ?? page.author } : {}),
    };
  } catch (err) {
    deps.logger.warn('article page could not be read; using the feed excerpt', {
      url: draft.pageUrl,
      error: withoutLeadingUrl(err instanceof Error ? err.message : String(err), draft.pageUrl),
    });
    return finishExcerpt(draft);
  }
}

/** Runs fn over items with at most `limit` at once. */
export async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

export class SourcePoller {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly deps: PollDeps,
    private readonly onQueued: () => void,
    /** Articles were held for review: ask the editors. */
    private readonly onHeld: () => void = () => {},
  ) {}

  /** Polls every active source now, due or not, with bounded concurrency. */
  async pollAll(): Promise<PollSummary> {
    const sources = await this.deps.data.repos.sources.due(Infinity);
    const summary: PollSummary = { sources: sources.length, newArticles: 0, queued: 0, failed: 0, held: 0 };
    await forEachLimited(sources, this.deps.config.fetch.concurrency, async (source) => {
      const r = await this.pollOne(source);
      summary.newArticles += r.newArticles;
      summary.queued += r.queued;
      summary.held += r.held;
      if (r.outcome === 'error') summary.failed++;
    });
    return summary;
  }

  /** Polls due sources in the background until stop(). */
  start(): void {
    if (this.timer || this.stopped) return;
    // The next tick is set once this one has launched its polls: two ticks never launch one source twice.
    const tick = () => {
      if (this.stopped) return;
      void this.launchDue()
        .then(
          () => undefined,
          (err: unknown) => {
            // A full disk or a damaged database is not a source's problem: thrown on, it stops the run (src/app/run.ts).
            if (this.deps.data.isStorageFault(err)) throw err;
            this.deps.logger.error('source scheduler failed', { error: err });
          },
        )
        .finally(() => {
          if (this.stopped) return;
          this.timer = setTimeout(tick, TICK_MS);
          this.timer.unref();
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Starts due sources that are not already being polled, up to the concurrency limit. */
  private async launchDue(): Promise<void> {
    const free = this.deps.config.fetch.concurrency - this.inFlight.size;
    if (free <= 0) return;
    const due = (await this.deps.data.repos.sources.due(Date.now()))
      .filter((s) => !this.inFlight.has(s.id))
      .slice(0, free);
    for (const source of due) {
      // A source's failure is logged and recorded by pollSource; a storage fault goes on, unhandled, to stop the run.
      const run = this.pollOne(source)
        .then(
          () => undefined,
          (err: unknown) => {
            if (this.deps.data.isStorageFault(err)) throw err;
          },
        )
        .finally(() => this.inFlight.delete(source.id));
      this.inFlight.set(source.id, run);
    }
  }

  private async pollOne(source: Source): Promise<SourcePollResult> {
    const result = await pollSource(this.deps, source, { signal: this.abort.signal });
    if (result.queued > 0 || result.corrections > 0) this.onQueued();
    if (result.held > 0) this.onHeld();
    return result;
  }
}
