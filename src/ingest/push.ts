/**
 * Push ingest: a newsroom's site tells Nashra about a new item instead of waiting for the next poll.
 *
 * - The publish hook, `POST /hooks/publish/<source-id>` (another outlet's `/hooks/publish/<outlet>/<source-id>`): a JSON or form body naming the article's `url` (on the
 *   source's site) or a WordPress `post_id`, authenticated with the source's secret, either signed
 *   (`X-Nashra-Timestamp: <unix seconds>`, `X-Nashra-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`,
 *   optionally `X-Nashra-Id`, which the signature does not cover) or, for a tool that cannot sign,
 *   `Authorization: Bearer <secret>`.
 * - WebSub (W3C Recommendation): a feed that names a hub gets a subscription with `hub.callback` at
 *   `<NASHRA_PUBLIC_URL>/websub/<source-id>/<token>` (another outlet's `/websub/<outlet>/<source-id>/<token>`, pushPath; see callbackToken), `hub.topic` the feed's self URL and a per-subscription `hub.secret`;
 *   the hub's verification of intent is answered with its challenge only for the request Nashra made and has not
 *   seen verified (same mode and topic; a denial likewise), the lease it grants is bounded to 1 hour..10 days, each
 *   notification must carry a valid `X-Hub-Signature` (sha1 or sha256 HMAC of the body), leases are renewed in
 *   their last tenth, and a removed or paused source is unsubscribed.
 *
 * Refused without any fetch: an unknown source or one without a secret (404), no or a wrong signature or token
 * (401), a timestamp outside ±5 minutes or a signature (or an id) already accepted in the last 10 minutes (409), a
 * body over the limit (413, by the server before it reaches here), a URL on another origin than the source's (400).
 * A flood naming one article fetches it at most once per 5 seconds. Everything accepted goes through the poller's
 * own paths, so the dedup is the same as polling's.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { MAIN_OUTLET } from '../model/outlet.js';
import type { Source, WebSubSubscription } from '../model/source.js';
import type { DataPorts } from '../ports/index.js';
import { FetchError, fetchText } from './http.js';
import { ingestPushedUrl, pollSource, type ArticleIntake, type SourcePollResult } from './poller.js';

export interface PushDeps {
  config: Config;
  data: DataPorts;
  logger: Logger;
  intake: ArticleIntake;
  onQueued: () => void;
  /** The outlet whose sources these are: its endpoints carry its name (pushPath); `main` when not given. */
  outlet?: string;
}
export interface PushAnswer {
  status: number;
  body: string;
}
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
/** Lease asked of hubs, and when to try a hub again that did not confirm (or, after a day, one that denied). */
const LEASE_SECONDS = 7 * 86400;
const HUB_RETRY_MS = 10 * 60_000;
const HUB_DENIED_RETRY_MS = 86400_000;
/**
 * The lease a hub grants, bounded: hubs grant days (7 are asked here), so anything longer is cut to 10 days (a lease
 * that never ends is never renewed, and the source stays polled 6× slower), and anything under an hour is taken as
 * an hour (renewing a 1-second lease would ask the hub every minute).
 */
export const MIN_LEASE_SECONDS = 3600;
export const MAX_LEASE_SECONDS = 10 * 86400;

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

/**
 * A push endpoint's path on the desk's server (src/desk/push-routes.ts) for a source of the outlet: `main`'s
 * `/hooks/publish/<id>` and `/websub/<id>/<token>` (as before outlets), another outlet's with its name after the
 * endpoint's (`/hooks/publish/sy24/<id>`), since its source ids are its own database's.
 */
export function pushPath(
  kind: 'hooks/publish' | 'websub',
  outlet: string | undefined,
  ...rest: Array<string | number>
): string {
  return ['', kind, ...(outlet === undefined || outlet === MAIN_OUTLET ? [] : [outlet]), ...rest].join('/');
}

export class PushIngest {
  private readonly recent = new Map<string, number>();
  private readonly work = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: PushDeps,
    private readonly now: () => number = Date.now,
  ) {}

  /** POST /hooks/publish/<source-id>. */
  async hook(sourceId: number, headers: Headers, body: Buffer): Promise<PushAnswer> {
    const {
      data: { repos, uow },
      logger,
    } = this.deps;
    const source = Number.isSafeInteger(sourceId) ? await repos.sources.get(sourceId) : undefined;
    const secret = source?.active ? await repos.push.hookSecret(sourceId) : undefined;
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
      if (!validSignature(signature, secret, Buffer.concat([Buffer.from(`${timestamp}.`), body])))
        return refuse(401, 'wrong signature');
      if (Math.abs(this.now() / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_S)
        return refuse(409, 'timestamp outside ±5 minutes (replayed, or a clock that is wrong)');
      // The signature (over the timestamp and the body) is the replay key, whatever X-Nashra-Id comes with it: the id
      // is not signed, so keyed on the id alone, one captured request sent again under new ids was fetched once per
      // id. The id, when given, is a second key: a sender retrying one notification with a new timestamp is
      // recognised too.
      const id = header(headers, 'x-nashra-id')?.slice(0, 200);
      const now = this.now();
      const fresh = await uow.run(async (tx) => {
        const seen = (key: string) => tx.push.firstSeen(sourceId, key, REPLAY_WINDOW_MS, now);
        return (await seen(`hook:sig:${signature.trim().toLowerCase()}`)) && (!id || (await seen(`hook:id:${id}`)));
      });
      if (!fresh) return refuse(409, 'already received (replay)');
    } else if (bearer === undefined || !sameSecret(bearer, secret)) {
      return refuse(
        401,
        bearer === undefined ? 'unsigned (X-Nashra-Signature or a bearer token needed)' : 'wrong token',
      );
    }
    const target = hookTarget(body, header(headers, 'content-type') ?? '');
    if (typeof target === 'string') return refuse(400, target);
    if ('url' in target && !sameSite(target.url, source))
      return refuse(400, "the URL is not on the source's site (same scheme, host and port)");
    if ('postId' in target && source.kind === 'page') return refuse(400, 'a post id needs a feed or WordPress source');
    const key = 'url' in target ? `url:${target.url}` : `wp:${sourceId}:${target.postId}`;
    if (!this.firstFetch(key)) return { status: 202, body: 'already being read' };
    this.track(
      ('url' in target
        ? ingestPushedUrl(this.deps, source, target.url)
        : this.wordpressPost(source, target.postId)
      ).then((r) => this.done(r)),
    );
    return { status: 202, body: 'accepted' };
  }

  /**
   * GET /websub/<source-id>: the hub's verification of intent (or its refusal). Answered only for the request
   * Nashra made and has not seen verified (a subscription or renewal, or an unsubscription), with the same mode and
   * topic: anything else (forged, replayed, another topic or mode) is 404 and changes nothing.
   */
  async verify(sourceId: number, token: string | undefined, params: Record<string, unknown>): Promise<PushAnswer> {
    const {
      data: { repos },
      logger,
    } = this.deps;
    // A repeated parameter arrives as a list: which one the hub meant is anyone's guess, so none is taken.
    if (Object.values(params).some((v) => typeof v !== 'string'))
      return { status: 400, body: 'a parameter is repeated' };
    const query = params as Record<string, string | undefined>;
    const sub = Number.isSafeInteger(sourceId) ? await repos.push.websub(sourceId) : undefined;
    const mode = query['hub.mode'];
    const notExpected: PushAnswer = { status: 404, body: 'no such request' };
    // The callback's token: only the hub Nashra asked knows it (see callbackToken).
    if (
      !sub ||
      token === undefined ||
      !sameSecret(token, callbackToken(sub.secret)) ||
      query['hub.topic'] !== sub.topic
    )
      return notExpected;
    const now = this.now();
    if (mode === 'denied') {
      const reason = (query['hub.reason'] ?? 'no reason').slice(0, 200);
      if (!(await repos.push.webSubDenied(sourceId, `hub denied: ${reason}`, now))) return notExpected;
      logger.warn('websub subscription denied by the hub', { source: sourceId, hub: sub.hub, reason });
      return { status: 200, body: '' };
    }
    const challenge = query['hub.challenge'];
    if (!challenge) return { status: 400, body: 'hub.challenge missing' };
    if (mode === 'subscribe') {
      const leaseSeconds = grantedLease(query['hub.lease_seconds']);
      if (leaseSeconds === undefined)
        return { status: 400, body: 'hub.lease_seconds must be a whole number of seconds' };
      if (!(await repos.push.webSubActive(sourceId, leaseSeconds, now + leaseSeconds * 1000, now))) return notExpected;
      logger.info('websub subscription verified', { source: sourceId, hub: sub.hub, leaseSeconds });
      return { status: 200, body: challenge };
    }
    if (mode === 'unsubscribe' && (await repos.push.webSubGone(sourceId))) {
      logger.info('websub unsubscription verified', { source: sourceId, hub: sub.hub });
      return { status: 200, body: challenge };
    }
    return notExpected;
  }

  /** POST /websub/<source-id>: a notification, its content the feed (a "fat ping"), or empty (poll now). */
  async notify(sourceId: number, headers: Headers, body: Buffer, token?: string): Promise<PushAnswer> {
    const {
      data: { repos },
      logger,
    } = this.deps;
    const sub = Number.isSafeInteger(sourceId) ? await repos.push.websub(sourceId) : undefined;
    const source = sub?.state === 'active' ? await repos.sources.get(sourceId) : undefined;
    // The signature is what authenticates a notification; a token, when the path has one, must still be this one.
    const wrongToken = token !== undefined && sub !== undefined && !sameSecret(token, callbackToken(sub.secret));
    if (!sub || !source?.active || wrongToken) return { status: 404, body: 'no such subscription' };
    const signature = header(headers, 'x-hub-signature');
    if (!validSignature(signature, sub.secret, body)) {
      logger.warn('websub notification refused', { source: sourceId, why: signature ? 'wrong signature' : 'unsigned' });
      return { status: 401, body: 'missing or wrong X-Hub-Signature' };
    }
    if (!(await repos.push.firstSeen(sourceId, `websub:${signature!.toLowerCase()}`, REPLAY_WINDOW_MS, this.now())))
      return { status: 409, body: 'already received (replay)' };
    const text = body.toString('utf8');
    if (!text.trim()) {
      if (this.firstFetch(`poll:${sourceId}`)) await repos.sources.pollSoon(sourceId);
      return { status: 202, body: 'polling' };
    }
    const response = {
      url: sub.topic,
      status: 200,
      contentType: header(headers, 'content-type') ?? '',
      text,
      notModified: false,
    };
    this.track(pollSource(this.deps, source, { response, pushed: true }).then((r) => this.done(r)));
    return { status: 202, body: 'accepted' };
  }

  /**
   * Subscribes to hubs found in feeds, renews leases before they end, unsubscribes removed or paused sources, and
   * retries hubs that did not confirm. `nashra run` calls it every minute.
   */
  async maintain(): Promise<void> {
    if (!this.deps.config.push.publicUrl) return;
    const due = await this.deps.data.repos.push.webSubDue(this.now(), {
      retryAfterMs: HUB_RETRY_MS,
      deniedRetryAfterMs: HUB_DENIED_RETRY_MS,
      maxLeaseMs: MAX_LEASE_SECONDS * 1000,
    });
    for (const sub of due) {
      await askHub(
        this.deps,
        sub,
        ['subscribe', 'pending', 'active'].includes(sub.state) ? 'subscribe' : 'unsubscribe',
        this.now(),
      );
    }
  }

  /** Resolves once every fetch started by a notification has finished (tests, the bench, a clean stop). */
  async settle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /** A WordPress post by id, from the site's REST API, through the poller's WordPress path. */
  private async wordpressPost(source: Source, postId: string): Promise<SourcePollResult> {
    const { config, logger } = this.deps;
    const url = `${new URL(source.feedUrl ?? source.url).origin}/wp-json/wp/v2/posts/${postId}`;
    try {
      const res = await fetchText(url, { ...config.fetch, accept: 'application/json' });
      // One post is an object; the poller reads WordPress's list. Its ETag is the post's, not the feed's: not kept.
      return await pollSource(this.deps, source, {
        response: { ...res, text: `[${res.text}]`, etag: undefined, lastModified: undefined },
        pushed: true,
      });
    } catch (err) {
      const error = err instanceof FetchError ? err.message : String(err);
      logger.warn('pushed WordPress post could not be read', { source: source.id, post: postId, error });
      return {
        sourceId: source.id,
        outcome: 'error',
        newArticles: 0,
        seen: 0,
        queued: 0,
        held: 0,
        skipped: 0,
        known: 0,
        revised: 0,
        corrections: 0,
        error,
      };
    }
  }

  private done(r: SourcePollResult): void {
    if (r.queued > 0 || r.held > 0) this.deps.onQueued();
  }

  private track(p: Promise<unknown>): void {
    const tracked = p
      .catch((err) => this.deps.logger.error('push ingest failed', { error: err }))
      .finally(() => this.work.delete(tracked));
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

type HubDeps = Pick<PushDeps, 'config' | 'data' | 'logger' | 'outlet'>;

/**
 * Asks the hub to subscribe (or renew, or unsubscribe). The row is marked as asked before the request, so a hub
 * that verifies before it answers (PubSubHubbub 0.3 allowed it) finds the request outstanding; a failure is noted
 * on the row, and maintain() asks again after HUB_RETRY_MS.
 */
async function askHub(
  deps: HubDeps,
  sub: WebSubSubscription,
  mode: 'subscribe' | 'unsubscribe',
  now: number,
): Promise<void> {
  const {
    data: { repos },
    logger,
    config,
  } = deps;
  const callback = `${config.push.publicUrl}${pushPath('websub', deps.outlet, sub.sourceId, callbackToken(sub.secret))}`;
  const form = new URLSearchParams({ 'hub.callback': callback, 'hub.mode': mode, 'hub.topic': sub.topic });
  if (mode === 'subscribe') {
    form.set('hub.secret', sub.secret);
    form.set('hub.lease_seconds', String(LEASE_SECONDS));
  }
  await repos.push.setWebSubState(
    sub.sourceId,
    mode === 'subscribe' ? (sub.state === 'active' ? 'active' : 'pending') : 'unsubscribing',
    { requestedAt: now },
    now,
  );
  try {
    // The hub is named by a feed: the same address checks as every fetch (a name resolving to a private address,
    // an IPv4-mapped literal), and a 4xx/5xx is an error. 202 Accepted is what hubs answer.
    await fetchText(sub.hub, { ...config.fetch, accept: '*/*', form });
    logger.info(`websub ${mode} requested`, { source: sub.sourceId, hub: sub.hub });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    await repos.push.webSubFailed(sub.sourceId, error, now);
    logger.warn(`websub ${mode} failed`, { source: sub.sourceId, hub: sub.hub, error });
  }
}

/**
 * The last part of the callback Nashra gives a hub: derived from the subscription's secret (not the secret itself,
 * which keys the notifications' signatures and stays out of URLs and logs), so only that hub knows it. A
 * verification can be forged by anyone who knows the topic and the source's number; without the token it is
 * refused even while a request is outstanding (a hub that failed leaves one for 10 minutes).
 */
export function callbackToken(secret: string): string {
  return createHmac('sha256', secret).update('websub callback').digest('hex').slice(0, 32);
}

/**
 * A hub the source's first poll found (`sources add`, an OPML import, the desk's form) is asked at once, not at
 * the running service's next maintain(): push starts with the source, whatever its polling interval.
 */
export async function subscribeFound(deps: HubDeps, sourceId: number): Promise<void> {
  const sub = await deps.data.repos.push.websub(sourceId);
  if (sub?.state === 'subscribe' && deps.config.push.publicUrl) await askHub(deps, sub, 'subscribe', Date.now());
}

/**
 * hub.lease_seconds as granted, within MIN_LEASE_SECONDS..MAX_LEASE_SECONDS; the lease asked for when the hub
 * does not say (WebSub requires it; an older hub may leave it out); undefined when it is not a whole number
 * ("1e300", "3600.5", "-1", "Infinity").
 */
function grantedLease(raw: string | undefined): number | undefined {
  if (raw === undefined) return LEASE_SECONDS;
  if (!/^\d{1,15}$/.test(raw.trim())) return undefined;
  return Math.min(MAX_LEASE_SECONDS, Math.max(MIN_LEASE_SECONDS, Number(raw.trim())));
}

/** `{"url": …}` or `{"post_id": …}` (JSON), or the same as a form; a message saying what is wrong otherwise. */
function hookTarget(body: Buffer, contentType: string): HookTarget | string {
  let fields: Record<string, unknown>;
  const text = body.toString('utf8');
  try {
    fields =
      /json/i.test(contentType) || /^\s*\{/.test(text)
        ? (JSON.parse(text) as Record<string, unknown>)
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
  if ((typeof postId === 'number' || typeof postId === 'string') && /^\d{1,12}$/.test(String(postId)))
    return { postId: String(postId) };
  return 'the body names no url or post_id';
}

/**
 * The article is on the source's site: the same scheme and port as its URL or feed, and the same host give or take
 * "www.", or a subdomain of it. Another port or scheme of the same host is another origin, and may be another
 * server (127.0.0.1:8766 beside a site on :8765): refused.
 */
function sameSite(url: string, source: Source): boolean {
  const bare = (h: string) => h.toLowerCase().replace(/^www\./, '');
  const target = new URL(url);
  const host = bare(target.hostname);
  return [source.url, source.feedUrl]
    .filter((u): u is string => !!u)
    .some((u) => {
      const site = new URL(u);
      if (site.protocol !== target.protocol || site.port !== target.port) return false;
      return host === bare(site.hostname) || host.endsWith(`.${bare(site.hostname)}`);
    });
}
