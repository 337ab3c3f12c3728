import { randomBytes } from 'node:crypto';
import { FetchError, withoutLeadingUrl } from '../ingest/http.js';
import type { Source } from '../model/source.js';
import type { SourceRepository } from '../ports/index.js';
import { detectSource, isWordPressApiUrl, NotASourceError, wordpressFeedUrl } from '../ingest/detect.js';
import { pollSource } from '../ingest/poller.js';
import { pollDeps } from './intake.js';
import { pushPath, subscribeFound } from '../ingest/push.js';
import { canonicalUrl } from '../text/url.js';
import { RefusedError } from '../refusal.js';
import { recordAudit, requireEditor, requireOutletAdmin, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';

/** The feeds and sites Nashra follows: one implementation for `nashra sources`, the bots' /sources and the desk. */

export interface AddSourceInput {
  url: string;
  name?: string;
  intervalSeconds?: number;
  category?: string;
  /** Items of the current feed to send anyway; the rest are marked seen. */
  backfill?: number;
  /** New items wait for an editor's «نشر» (decideReview) instead of going out at once. */
  review?: boolean;
}

export interface AddSourceResult {
  source: Source;
  /** What the URL turned out to be, e.g. "WordPress site: polling https://…/wp-json/wp/v2/posts". */
  description: string;
  /** Outcome of the first poll, made at once so the backlog is marked seen now. */
  /**
   * `sent`: the backfill's articles; `queued`: their deliveries; `subscriptions`: how many subscriptions those went to
   * (2 articles for 1 subscription are 2 deliveries).
   */
  firstPoll:
    | { ok: true; seen: number; sent: number; queued: number; subscriptions: number; held: number; skipped: number }
    | { ok: false; error: string };
}

/** The URL (or the feed it leads to) is followed already: said as such by an OPML import, not as a refusal. */
export class AlreadyFollowedError extends RefusedError {
  override name = 'AlreadyFollowedError';
  constructor(
    url: string,
    readonly source: Source,
  ) {
    super({ kind: 'already-followed', url, id: source.id, name: source.name, polling: source.feedUrl ?? source.url });
  }
}

/** Detects what the URL is, stores it, and polls it once. User mistakes and unreachable URLs are UserErrors. */
export async function addSource(deps: NewsroomDeps, actor: Actor, input: AddSourceInput): Promise<AddSourceResult> {
  await requireEditor(deps, actor, 'sources');
  // Which sources the outlet follows is its admins' choice (a desk editor works on the items they bring).
  await requireOutletAdmin(deps, actor, 'source.add');
  const url = httpUrl(input.url);
  const { data } = deps;
  const existing = await followedSource(data.repos.sources, [url]);
  if (existing) throw alreadyFollowed(url, existing);
  let detection: Awaited<ReturnType<typeof detectSource>>;
  try {
    detection = await detectSource(url, deps.config.fetch);
  } catch (err) {
    if (err instanceof FetchError || err instanceof NotASourceError)
      throw new RefusedError({ kind: 'cannot-add', url, why: withoutLeadingUrl(err.message, url) });
    throw err;
  }
  // Checked again with what the detection found, in the unit that inserts: an OPML import adds four at a time, and
  // two lines naming one feed must not both get in (units run one at a time).
  const source = await data.uow.run(async (tx) => {
    const same = await followedSource(tx.sources, [url, detection.feedUrl, detection.altFeedUrl]);
    if (same) throw alreadyFollowed(url, same);
    const now = Date.now();
    const added = await tx.sources.add(
      {
        url,
        feedUrl: detection.feedUrl,
        altFeedUrl: detection.altFeedUrl,
        siteUrl: detection.siteUrl,
        kind: detection.kind,
        name: input.name ?? detection.name,
        category: input.category,
        intervalSeconds: input.intervalSeconds ?? 600,
        backfill: input.backfill ?? 0,
        review: input.review,
      },
      now,
    );
    await recordAudit(
      tx,
      actor,
      'source.add',
      { source: added.id, url: added.url, ...(added.review ? { review: true } : {}) },
      now,
    );
    return added;
  });
  const r = await pollSource(pollDeps(deps), source, { response: detection.response });
  // A hub the feed names is asked now: push starts with the source, not at the next poll or the next minute.
  await subscribeFound(deps, source.id);
  const firstPoll =
    r.outcome === 'error'
      ? { ok: false as const, error: r.error ?? 'unknown error' }
      : {
          ok: true as const,
          seen: r.seen,
          sent: r.newArticles - r.seen - r.held,
          queued: r.queued,
          subscriptions: r.queued > 0 ? await data.repos.sources.subscriptionsReached(source.id) : 0,
          held: r.held,
          skipped: r.skipped,
        };
  if (firstPoll.ok && firstPoll.queued > 0) deps.onQueued();
  return { source, description: detection.description, firstPoll };
}

const alreadyFollowed = (url: string, source: Source) => new AlreadyFollowedError(url, source);

/**
 * The source one of `urls` leads to, if any. A feed has several addresses: the URL it was added with, the one polled
 * after redirects, the one it names as its own (its self link: http://localhost:8767/feed/ and
 * http://127.0.0.1:8767/feed/ are one feed), and for a WordPress site both its REST API and its RSS feed (one site
 * followed through both was listed twice in Today's source filter). Compared canonically (canonicalUrl: host case,
 * trailing slash, tracking parameters). A site's page is not one of them: its category feeds are other feeds.
 */
export async function followedSource(
  sources: SourceRepository,
  urls: ReadonlyArray<string | undefined>,
): Promise<Source | undefined> {
  const wanted = new Set(urls.flatMap(canonicalKey));
  if (wanted.size === 0) return undefined;
  return (await sources.list()).find((s) =>
    [s.url, s.feedUrl, s.altFeedUrl, readerFeedUrl(s)].flatMap(canonicalKey).some((k) => wanted.has(k)),
  );
}

const canonicalKey = (url: string | undefined): string[] => {
  if (!url) return [];
  try {
    return [canonicalUrl(url)];
  } catch {
    return [];
  }
};

/**
 * The feed a feed reader can follow for a source: the feed Nashra polls, or for a WordPress site polled through its
 * REST API (which readers do not read) the site's RSS feed.
 */
export function readerFeedUrl(source: Pick<Source, 'kind' | 'url' | 'feedUrl' | 'altFeedUrl'>): string {
  const polled = source.feedUrl ?? source.url;
  if (source.kind === 'wordpress' && isWordPressApiUrl(polled)) return source.altFeedUrl ?? wordpressFeedUrl(polled);
  return polled;
}

/** Removes a source; its articles stay stored (and so keep de-duplicating). */
export async function removeSource(deps: NewsroomDeps, actor: Actor, id: number): Promise<Source> {
  await requireEditor(deps, actor, 'sources');
  await requireOutletAdmin(deps, actor, 'source.remove');
  return deps.data.uow.run(async (tx) => {
    const source = await tx.sources.get(id);
    if (!source || !(await tx.sources.remove(id))) throw new RefusedError({ kind: 'no-source', id });
    await recordAudit(tx, actor, 'source.remove', { source: id, url: source.url });
    return source;
  });
}

export interface SourceHook {
  source: Source;
  secret?: string;
  url?: string;
}

/**
 * A source's publish hook (`POST /hooks/publish/<id>`, another outlet's `/hooks/publish/<outlet>/<id>`, src/ingest/push.ts): its secret as it is, a new one
 * (`rotate`, or the first time; the old one stops working at once), or none (`off`: the hook refuses everything).
 * Showing the secret is an editor's action like changing it, and audited (without the secret).
 */
export async function sourceHook(
  deps: NewsroomDeps,
  actor: Actor,
  id: number,
  opts: { rotate?: boolean; off?: boolean } = {},
): Promise<SourceHook> {
  await requireEditor(deps, actor, 'sources');
  await requireOutletAdmin(deps, actor, 'source.hook');
  const { data, config } = deps;
  return data.uow.run(async (tx) => {
    const source = await tx.sources.get(id);
    if (!source) throw new RefusedError({ kind: 'no-source', id });
    const stored = await tx.push.hookSecret(id);
    let secret = stored;
    if (opts.off) secret = undefined;
    else if (opts.rotate || !secret) secret = randomBytes(24).toString('base64url');
    if (secret !== stored) await tx.push.setHookSecret(id, secret);
    await recordAudit(tx, actor, 'source.hook', {
      source: id,
      change: opts.off ? 'off' : opts.rotate ? 'rotated' : 'shown',
    });
    const url = config.push.publicUrl
      ? `${config.push.publicUrl}${pushPath('hooks/publish', deps.outlet, id)}`
      : undefined;
    return { source, secret, url };
  });
}

/**
 * Pauses or resumes polling. A resumed source marks what was published meanwhile as seen (never sent): a
 * newsroom that pauses a source for a week does not want a week of alerts at once.
 */
export async function setSourceActive(deps: NewsroomDeps, actor: Actor, id: number, active: boolean): Promise<Source> {
  await requireEditor(deps, actor, 'sources');
  await requireOutletAdmin(deps, actor, active ? 'source.resume' : 'source.pause');
  return deps.data.uow.run(async (tx) => {
    const source = await tx.sources.get(id);
    if (!source) throw new RefusedError({ kind: 'no-source', id });
    if (source.active === active) throw new RefusedError({ kind: 'source-already', id, active });
    await tx.sources.setActive(id, active);
    await recordAudit(tx, actor, active ? 'source.resume' : 'source.pause', { source: id });
    return (await tx.sources.get(id))!;
  });
}

/** "Poll now": the source becomes due at once, and the running `nashra run` polls it within a second. */
export async function pollSourceNow(deps: NewsroomDeps, actor: Actor, id: number): Promise<Source> {
  await requireEditor(deps, actor, 'sources');
  return deps.data.uow.run(async (tx) => {
    const source = await tx.sources.get(id);
    if (!source) throw new RefusedError({ kind: 'no-source', id });
    if (!(await tx.sources.pollSoon(id))) throw new RefusedError({ kind: 'source-paused', id });
    await recordAudit(tx, actor, 'source.poll', { source: id });
    return (await tx.sources.get(id))!;
  });
}

export async function listSources(deps: NewsroomDeps, actor: Actor): Promise<Source[]> {
  await requireEditor(deps, actor, 'sources');
  return deps.data.uow.run(async (tx) => {
    await recordAudit(tx, actor, 'source.list');
    return tx.sources.list();
  });
}

export function httpUrl(input: string): string {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new RefusedError({ kind: 'not-a-url', input });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RefusedError({ kind: 'not-http', input });
  return u.href;
}

/** "10m", "90s", "1h", "600" (seconds) → seconds; at least a minute, at most a day. */
export function parseInterval(raw: string): number {
  const m = /^(\d+)\s*(s|m|h)?$/i.exec(raw.trim());
  const seconds = m
    ? Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2]?.toLowerCase() ?? 's') as 's' | 'm' | 'h']
    : NaN;
  if (!Number.isFinite(seconds) || seconds < 60 || seconds > 86400) {
    throw new RefusedError({ kind: 'interval', raw });
  }
  return seconds;
}

export function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
