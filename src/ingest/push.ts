/**
 * Push ingest: a newsroom's site tells Nashra about a new item instead of waiting for the next poll.
 *
 * - The publish hook, `POST /hooks/publish/<source-id>`: a JSON or form body naming the article's `url` (on the
 *   source's site) or a WordPress `post_id`, authenticated with the source's secret, either signed
 *   (`X-Nashra-Timestamp: <unix seconds>`, `X-Nashra-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`,
 *   optionally `X-Nashra-Id`) or, for a tool that cannot sign, `Authorization: Bearer <secret>`.
 * - WebSub (W3C Recommendation): a feed that names a hub gets a subscription with `hub.callback` at
 *   `<NASHRA_PUBLIC_URL>/websub/<source-id>`, `hub.topic` the feed's self URL and a per-subscription `hub.secret`;
 *   the hub's verification of intent is answered with its challenge, each notification must carry a valid
 *   `X-Hub-Signature` (sha1 or sha256 HMAC of the body), leases are renewed before they end, and a removed or
 *   paused source is unsubscribed.
 *
 * Refused without any fetch: an unknown source or one without a secret (404), no or a wrong signature or token
 * (401), a timestamp outside ±5 minutes or an id or signature already accepted in the last 10 minutes (409), a
 * body over the limit (413, by the server before it reaches here). A flood naming one article fetches it at most
 * once per 5 seconds. Everything accepted goes through the poller's own paths, so the dedup is the same as polling's.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Source, Store, WebSubSubscription } from '../store/index.js';
import { FetchError, fetchText } from './http.js';
import { ingestPushedUrl, pollSource, type SourcePollResult } from './poller.js';

export interface PushDeps { config: Config; store: Store; logger: Logger; onQueued: () => void }
export interface PushAnswer { status: number; body: string }
export type Headers = Record<string, string | string[] | undefined>;

/** A signed hook's timestamp may differ from our clock by this much. */
export const TIMESTAMP_TOLERANCE_S = 300;
/** Ids and signatures accepted within this window are refused as replays. */
export const REPLAY_WINDOW_MS = 10 * 60_000;
/** One article (or WordPress post) is fetched at most once in this long, however many notifications name it. */
export const SAME_ITEM_MS = 5000;
/** Hook bodies are a URL or an id; WebSub's "fat pings" carry the feed. */
export const HOOK_BODY_LIMIT = 16 * 1024;
export const WEBSUB_BODY_LIMIT = 2 * 1024 * 1024;
/** Lease asked of hubs (they may grant another), and when to try a hub again that did not confirm. */
const LEASE_SECONDS = 7 * 86400;
const HUB_RETRY_MS = 10 * 60_000;

const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Constant-time comparison of two hex or text strings (false when the lengths differ). */
function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `sha1=<hex>` or `sha256=<hex>` (X-Hub-Signature) checked against the body and key. */
export function validSignature(signature: string | undefined, key: string, signed: Buffer | string): boolean {
  const m = /^(sha1|sha256)=([0-9a-f]{40,64})$/i.exec(signature?.trim() ?? '');
  if (!m) return false;
  const expected = createHmac(m[1]!.toLowerCase(), key).update(signed).digest('hex');
  return sameSecret(expected, m[2]!.toLowerCase());
}

/** The signature a publish hook's sender computes: HMAC-SHA256 of "<timestamp>.<body>" with the source's secret. */
export function hookSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

type HookTarget = { url: string } | { postId: string };

export class PushIngest {
  private readonly recent = new Map<string, number>();
  private readonly work = new Set<Promise<unknown>>();

  constructor(private readonly deps: PushDeps, private readonly now: () => number = Date.now) {}

  /** POST /hooks/publish/<source-id>. */
  hook(sourceId: number, headers: Headers, body: Buffer): PushAnswer {
    const { store, logger } = this.deps;
    const source = Number.isSafeInteger(sourceId) ? store.sources.get(sourceId) : undefined;
    const secret = source?.active ? store.push.hookSecret(sourceId) : undefined;
    if (!source || !secret) return { status: 404, body: 'no publish hook for this source' };
    const refuse = (status: number, why: string): PushAnswer => {
      logger.warn('publish hook refused', { source: sourceId, why });
      return { status, body: why };
    };
    const bearer = /^Bearer\s+(.+)$/i.exec(header(headers, 'authorization') ?? '')?.[1]?.trim();
    const signature = header(headers, 'x-nashra-signature');
    if (signature !== undefined) {
      const timestamp = header(headers, 'x-nashra-timestamp') ?? '';
      if (!/^\d{9,11}$/.test(timestamp)) return refuse(401, 'a signed hook needs X-Nashra-Timestamp (unix seconds)');
      if (!validSignature(signature, secret, Buffer.concat([Buffer.from(`${timestamp}.`), body]))) return refuse(401, 'wrong signature');
      if (Math.abs(this.now() / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_S) return refuse(409, 'timestamp outside ±5 minutes (replayed, or a clock that is wrong)');
      const nonce = header(headers, 'x-nashra-id')?.slice(0, 200) || signature.toLowerCase();
      if (!store.push.firstSeen(sourceId, `hook:${nonce}`, REPLAY_WINDOW_MS, this.now())) return refuse(409, 'already received (replay)');
    } else if (bearer === undefined || !sameSecret(bearer, secret)) {
      return refuse(401, bearer === undefined ? 'unsigned (X-Nashra-Signature or a bearer token needed)' : 'wrong token');
    }
    const target = hookTarget(body, header(headers, 'content-type') ?? '');
    if (typeof target === 'string') return refuse(400, target);
    if ('url' in target && !sameSite(target.url, source)) return refuse(400, 'the URL is not on the source\'s site');
    if ('postId' in target && source.kind === 'page') return refuse(400, 'a post id needs a feed or WordPress source');
    const key = 'url' in target ? `url:${target.url}` : `wp:${sourceId}:${target.postId}`;
    if (!this.firstFetch(key)) return { status: 202, body: 'already being read' };
    this.track(('url' in target ? ingestPushedUrl(this.deps, source, target.url) : this.wordpressPost(source, target.postId)).then((r) => this.done(r)));
    return { status: 202, body: 'accepted' };
  }

  /** GET /websub/<source-id>: the hub's verification of intent (or its refusal). */
  verify(sourceId: number, query: Record<string, string | undefined>): PushAnswer {
    const { store, logger } = this.deps;
    const sub = Number.isSafeInteger(sourceId) ? store.push.websub(sourceId) : undefined;
    const mode = query['hub.mode'];
    if (!sub || query['hub.topic'] !== sub.topic) return { status: 404, body: 'no such subscription' };
    if (mode === 'denied') {
      store.push.setWebSubState(sourceId, sub.state === 'unsubscribing' ? 'unsubscribing' : 'pending', { error: `hub denied: ${query['hub.reason'] ?? 'no reason'}` }, this.now());
      logger.warn('websub subscription denied by the hub', { source: sourceId, hub: sub.hub, reason: query['hub.reason'] });
      return { status: 200, body: '' };
    }
    const challenge = query['hub.challenge'];
    if (!challenge) return { status: 400, body: 'hub.challenge missing' };
    if (mode === 'subscribe' && ['subscribe', 'pending', 'active'].includes(sub.state)) {
      const lease = Number(query['hub.lease_seconds']);
      const leaseSeconds = Number.isFinite(lease) && lease > 0 ? lease : undefined;
      store.push.webSubActive(sourceId, leaseSeconds, leaseSeconds ? this.now() + leaseSeconds * 1000 : undefined, this.now());
      logger.info('websub subscription verified', { source: sourceId, hub: sub.hub, leaseSeconds });
      return { status: 200, body: challenge };
    }
    if (mode === 'unsubscribe' && ['unsubscribe', 'unsubscribing'].includes(sub.state)) {
      store.push.webSubGone(sourceId);
      logger.info('websub unsubscription verified', { source: sourceId, hub: sub.hub });
      return { status: 200, body: challenge };
    }
    return { status: 404, body: 'not expecting that' };
  }

  /** POST /websub/<source-id>: a notification, its content the feed (a "fat ping"), or empty (poll now). */
  notify(sourceId: number, headers: Headers, body: Buffer): PushAnswer {
    const { store, logger, config } = this.deps;
    const sub = Number.isSafeInteger(sourceId) ? store.push.websub(sourceId) : undefined;
    const source = sub?.state === 'active' ? store.sources.get(sourceId) : undefined;
    if (!sub || !source?.active) return { status: 404, body: 'no such subscription' };
    const signature = header(headers, 'x-hub-signature');
    if (!validSignature(signature, sub.secret, body)) {
      logger.warn('websub notification refused', { source: sourceId, why: signature ? 'wrong signature' : 'unsigned' });
      return { status: 401, body: 'missing or wrong X-Hub-Signature' };
    }
    if (!store.push.firstSeen(sourceId, `websub:${signature!.toLowerCase()}`, REPLAY_WINDOW_MS, this.now())) return { status: 409, body: 'already received (replay)' };
    const text = body.toString('utf8');
    if (!text.trim()) {
      if (this.firstFetch(`poll:${sourceId}`)) store.sources.pollSoon(sourceId);
      return { status: 202, body: 'polling' };
    }
    const response = {
      url: sub.topic, status: 200, contentType: header(headers, 'content-type') ?? '', text, notModified: false,
    };
    this.track(pollSource({ config, store, logger }, source, { response }).then((r) => this.done(r)));
    return { status: 202, body: 'accepted' };
  }

  /**
   * Subscribes to hubs found in feeds, renews leases before they end, unsubscribes removed or paused sources, and
   * retries hubs that did not confirm. `nashra run` calls it every minute.
   */
  async maintain(): Promise<void> {
    const publicUrl = this.deps.config.push.publicUrl;
    if (!publicUrl) return;
    for (const sub of this.deps.store.push.webSubDue(this.now(), HUB_RETRY_MS)) {
      const subscribe = ['subscribe', 'pending', 'active'].includes(sub.state);
      await this.askHub(sub, subscribe ? 'subscribe' : 'unsubscribe', `${publicUrl}/websub/${sub.sourceId}`);
    }
  }

  /** Resolves once every fetch started by a notification has finished (tests, the bench, a clean stop). */
  async settle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  private async askHub(sub: WebSubSubscription, mode: 'subscribe' | 'unsubscribe', callback: string): Promise<void> {
    const { store, logger, config } = this.deps;
    const form = new URLSearchParams({ 'hub.callback': callback, 'hub.mode': mode, 'hub.topic': sub.topic });
    if (mode === 'subscribe') { form.set('hub.secret', sub.secret); form.set('hub.lease_seconds', String(LEASE_SECONDS)); }
    const next = mode === 'subscribe' ? (sub.state === 'active' ? 'active' : 'pending') : 'unsubscribing';
    try {
      // The hub is named by a feed: the same address checks as every fetch (a name resolving to a private address,
      // an IPv4-mapped literal), and a 4xx/5xx is an error. 202 Accepted is what hubs answer.
      await fetchText(sub.hub, { ...config.fetch, accept: '*/*', form });
      store.push.setWebSubState(sub.sourceId, next, { requestedAt: this.now() }, this.now());
      logger.info(`websub ${mode} requested`, { source: sub.sourceId, hub: sub.hub });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      store.push.setWebSubState(sub.sourceId, next, { requestedAt: this.now(), error }, this.now());
      logger.warn(`websub ${mode} failed`, { source: sub.sourceId, hub: sub.hub, error });
    }
  }

  /** A WordPress post by id, from the site's REST API, through the poller's WordPress path. */
  private async wordpressPost(source: Source, postId: string): Promise<SourcePollResult> {
    const { config, store, logger } = this.deps;
    const url = `${new URL(source.feedUrl ?? source.url).origin}/wp-json/wp/v2/posts/${postId}`;
    try {
      const res = await fetchText(url, { ...config.fetch, accept: 'application/json' });
      // One post is an object; the poller reads WordPress's list. Its ETag is the post's, not the feed's: not kept.
      return await pollSource({ config, store, logger }, source, { response: { ...res, text: `[${res.text}]`, etag: undefined, lastModified: undefined } });
    } catch (err) {
      const error = err instanceof FetchError ? err.message : String(err);
      logger.warn('pushed WordPress post could not be read', { source: source.id, post: postId, error });
      return { sourceId: source.id, outcome: 'error', newArticles: 0, seen: 0, queued: 0, held: 0, skipped: 0, known: 0, revised: 0, corrections: 0, error };
    }
  }

  private done(r: SourcePollResult): void {
    if (r.queued > 0 || r.held > 0) this.deps.onQueued();
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err) => this.deps.logger.error('push ingest failed', { error: err })).finally(() => this.work.delete(tracked));
    this.work.add(tracked);
  }

  /** True when `key` was not fetched in the last SAME_ITEM_MS; the map forgets old keys. */
  private firstFetch(key: string): boolean {
    const now = this.now();
    if ((this.recent.get(key) ?? -Infinity) > now - SAME_ITEM_MS) return false;
    if (this.recent.size > 10_000) for (const [k, t] of this.recent) if (t <= now - SAME_ITEM_MS) this.recent.delete(k);
    this.recent.set(key, now);
    return true;
  }
}

/** `{"url": …}` or `{"post_id": …}` (JSON), or the same as a form; a message saying what is wrong otherwise. */
function hookTarget(body: Buffer, contentType: string): HookTarget | string {
  let fields: Record<string, unknown>;
  const text = body.toString('utf8');
  try {
    fields = /json/i.test(contentType) || /^\s*\{/.test(text)
      ? JSON.parse(text) as Record<string, unknown>
      : Object.fromEntries(new URLSearchParams(text));
  } catch {
    return 'the body is neither JSON nor a form';
  }
  if (typeof fields !== 'object' || fields === null) return 'the body names no url or post_id';
  const postId = fields.post_id ?? fields.ID ?? fields.id;
  if (typeof fields.url === 'string' && fields.url) {
    try {
      const url = new URL(fields.url);
      if (!/^https?:$/.test(url.protocol)) return 'the url must be http or https';
      url.hash = '';
      return { url: url.toString() };
    } catch {
      return 'the url is not a URL';
    }
  }
  if ((typeof postId === 'number' || typeof postId === 'string') && /^\d{1,12}$/.test(String(postId))) return { postId: String(postId) };
  return 'the body names no url or post_id';
}

/** The article is on the source's site: the same host as its URL or feed, give or take "www.", or a subdomain. */
function sameSite(url: string, source: Source): boolean {
  const bare = (h: string) => h.toLowerCase().replace(/^www\./, '');
  const host = bare(new URL(url).hostname);
  return [source.url, source.feedUrl].filter((u): u is string => !!u).some((u) => {
    const site = bare(new URL(u).hostname);
    return host === site || host.endsWith(`.${site}`);
  });
}
