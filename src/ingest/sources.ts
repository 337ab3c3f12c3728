import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { FetchError, withoutLeadingUrl } from './http.js';
import type { Logger } from '../logger.js';
import type { Source, Store } from '../store/index.js';
import { detectSource, NotASourceError } from './detect.js';
import { pollSource } from './poller.js';

/** Adding and removing sources: one implementation for `nashra sources` and the bots' /sources. */

export interface AddSourceInput {
  url: string;
  name?: string;
  intervalSeconds?: number;
  category?: string;
  /** Items of the current feed to send anyway; the rest are marked seen. */
  backfill?: number;
}

export interface AddSourceResult {
  source: Source;
  /** What the URL turned out to be, e.g. "WordPress site: polling https://…/wp-json/wp/v2/posts". */
  description: string;
  /** Outcome of the first poll, made at once so the backlog is marked seen now. */
  firstPoll: { ok: true; seen: number; sent: number; queued: number; skipped: number } | { ok: false; error: string };
}

export interface SourceDeps { config: Config; store: Store; logger: Logger }

/** Detects what the URL is, stores it, and polls it once. User mistakes and unreachable URLs are UserErrors. */
export async function addSource(deps: SourceDeps, input: AddSourceInput): Promise<AddSourceResult> {
  const url = httpUrl(input.url);
  const { store } = deps;
  const existing = store.sources.findByUrl(url);
  if (existing) throw new UserError(`${url} is already source #${existing.id} (${existing.name})`);
  let detection;
  try {
    detection = await detectSource(url, deps.config.fetch);
  } catch (err) {
    if (err instanceof FetchError || err instanceof NotASourceError) throw new UserError(`cannot add ${url}: ${withoutLeadingUrl(err.message, url)}`);
    throw err;
  }
  const polled = store.sources.findByUrl(detection.feedUrl);
  if (polled) throw new UserError(`${detection.feedUrl} is already polled as source #${polled.id} (${polled.name})`);

  const source = store.sources.add({
    url, feedUrl: detection.feedUrl, kind: detection.kind, name: input.name ?? detection.name,
    category: input.category, intervalSeconds: input.intervalSeconds ?? 600, backfill: input.backfill ?? 0,
  });
  const r = await pollSource(deps, source, { response: detection.response });
  const firstPoll = r.outcome === 'error'
    ? { ok: false as const, error: r.error ?? 'unknown error' }
    : { ok: true as const, seen: r.seen, sent: r.newArticles - r.seen, queued: r.queued, skipped: r.skipped };
  return { source, description: detection.description, firstPoll };
}

/** Removes a source; its articles stay stored (and so keep de-duplicating). */
export function removeSource(store: Store, id: number): Source {
  const source = store.sources.get(id);
  if (!source || !store.sources.remove(id)) throw new UserError(`no source #${id} (see nashra sources list)`);
  return source;
}

function httpUrl(input: string): string {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new UserError(`"${input}" is not a URL; give the full address, e.g. https://www.example.com/feed/`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`${input}: only http and https URLs can be sources`);
  return u.href;
}

/** "10m", "90s", "1h", "600" (seconds) → seconds; at least a minute, at most a day. */
export function parseInterval(raw: string): number {
  const m = /^(\d+)\s*(s|m|h)?$/i.exec(raw.trim());
  const seconds = m ? Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2]?.toLowerCase() ?? 's') as 's' | 'm' | 'h'] : NaN;
  if (!Number.isFinite(seconds) || seconds < 60 || seconds > 86400) {
    throw new UserError(`--interval must be between 1m and 24h (e.g. 10m, 90s, 1h), not "${raw}"`);
  }
  return seconds;
}

export function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
