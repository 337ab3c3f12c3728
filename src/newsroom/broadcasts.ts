import { catalogue } from '../i18n/index.js';
import { UserError } from '../errors.js';
import { loadArticle } from '../ingest/load-article.js';
import type { StoredArticle } from '../model/article.js';
import type { Audience, Broadcast, BroadcastState } from '../model/broadcast.js';
import type { Repositories } from '../ports/index.js';
import { RefusedError } from '../refusal.js';
import { recordAudit, requireEditor, type Actor } from './actor.js';
import { countAudience, queueAudience, type AudienceCount } from './audience.js';
import type { NewsroomDeps, PaidBroadcastOffer } from './deps.js';
import { findArticle, storeArticle } from './pipeline.js';
import { chatWaits, totalChatWaits } from './waiting.js';

/** Urgent alerts jump the queue. */
export const URGENT_PRIORITY = 10;

/** An urgent alert's text: a headline, not an article (Telegram's caption limit leaves room for the mark). */
const URGENT_MAX_CHARS = 1000;

export interface BroadcastPreview {
  broadcast: Broadcast;
  article: StoredArticle;
  /** The same count the confirmation queues, unless subscriptions change in between. */
  audience: AudienceCount;
  /**
   * What the broadcast would cost if paid (whether or not it is marked paid: `broadcast.paid`), one entry per platform
   * that offers paid broadcasts; empty when none does. An upper bound: a platform may charge only what it sends
   * above its free rate.
   */
  paidEstimates: PaidEstimate[];
}

export interface PaidEstimate {
  platform: string;
  messages: number;
  pricePerMessage: number;
  unit: string;
  /** messages × pricePerMessage */
  cost: number;
  ratePerSecond: number;
}

/** The platforms on which paid broadcasts are turned on, with their offers. */
export function paidBroadcastOffers(
  deps: Pick<NewsroomDeps, 'platforms' | 'config'>,
): Array<{ platform: string; offer: PaidBroadcastOffer }> {
  return deps.platforms.flatMap((p) => {
    const settings = deps.config.platforms[p.name];
    const offer = settings === undefined ? undefined : p.paidBroadcast?.(settings);
    return offer ? [{ platform: p.name, offer }] : [];
  });
}

function requirePaidOffer(deps: NewsroomDeps): void {
  if (paidBroadcastOffers(deps).length === 0) throw new RefusedError({ kind: 'paid-off' });
}

/**
 * Step 1 of a broadcast: the article (by id, by the URL of a stored article, or by the URL of a page not stored yet,
 * which is fetched through the SSRF-guarded client, read, summarised and stored, never queued), a broadcast in
 * `preview` with its audience, and how many will receive it. Nothing is queued before confirmBroadcast.
 */
export async function previewBroadcast(
  deps: NewsroomDeps,
  actor: Actor,
  ref: string,
  opts: { audience?: Audience; paid?: boolean } = {},
): Promise<BroadcastPreview> {
  await requireEditor(deps, actor, 'broadcast');
  if (opts.paid) requirePaidOffer(deps);
  const article = await articleFor(deps, ref.trim());
  if (article.retracted) throw new RefusedError({ kind: 'retracted-not-sent', articleId: article.id });
  return openPreview(
    deps,
    actor,
    article,
    opts.audience ?? (article.urgent ? { kind: 'all' } : { kind: 'matching' }),
    opts.paid ?? false,
  );
}

/**
 * An editor's «عاجل» alert: stored as an urgent article (no link, the urgent mark), previewed for everyone. Paid when
 * asked, or by default when a platform's configuration says urgent alerts are paid.
 */
export async function composeUrgent(
  deps: NewsroomDeps,
  actor: Actor,
  text: string,
  opts: { paid?: boolean } = {},
): Promise<BroadcastPreview> {
  await requireEditor(deps, actor, 'urgent');
  if (opts.paid) requirePaidOffer(deps);
  const headline = text.trim();
  if (!headline) throw new RefusedError({ kind: 'urgent-empty' });
  if (headline.length > URGENT_MAX_CHARS)
    throw new RefusedError({ kind: 'urgent-too-long', max: URGENT_MAX_CHARS, length: headline.length });
  const result = await deps.data.uow.run((tx) =>
    storeArticle(
      tx,
      {
        title: headline,
        source: catalogue('ar').post.urgentSource,
        paragraphs: [headline],
        categories: [],
        language: 'ar',
        publishedAt: new Date(),
        urgent: true,
      },
      { summary: deps.config.summary, timeZone: deps.config.timeZone },
    ),
  );
  const article = result.status === 'new' ? result.article : result.existing;
  const paid = opts.paid ?? paidBroadcastOffers(deps).some((o) => o.offer.urgent);
  return openPreview(deps, actor, article, { kind: 'all' }, paid);
}

async function openPreview(
  deps: NewsroomDeps,
  actor: Actor,
  article: StoredArticle,
  audience: Audience,
  paid: boolean,
): Promise<BroadcastPreview> {
  if (audience.kind === 'platform' && !deps.platforms.some((p) => p.name === audience.platform)) {
    throw new RefusedError({
      kind: 'unknown-platform',
      platform: audience.platform,
      known: deps.platforms.map((p) => p.name),
    });
  }
  return deps.data.uow.run(async (tx) => {
    const now = Date.now();
    const broadcast = await tx.broadcasts.create(
      { articleId: article.id, platform: actor.platform, editorId: actor.id, urgent: article.urgent, audience, paid },
      now,
    );
    await recordAudit(
      tx,
      actor,
      article.urgent ? 'urgent.compose' : 'broadcast.preview',
      { broadcast: broadcast.id, article: article.id, audience, ...(paid ? { paid } : {}) },
      now,
    );
    return previewOf(deps, tx, broadcast, article);
  });
}

/** Who picking an audience reads: a unit's `tx`, or `deps.data.repos` outside one. */
type AudienceReads = Pick<Repositories, 'audience' | 'subscriptions'>;

/** Counted in the unit that opened or changed the broadcast: the preview shows what its own transaction saw. */
async function previewOf(
  deps: NewsroomDeps,
  tx: AudienceReads,
  broadcast: Broadcast,
  article: StoredArticle,
): Promise<BroadcastPreview> {
  const audience = await countAudience(tx, article, broadcast.audience);
  return { broadcast, article, audience, paidEstimates: await paidEstimates(deps, broadcast, article, tx) };
}

/** What a broadcast would cost if paid, per platform offering paid broadcasts (see BroadcastPreview.paidEstimates). */
export async function paidEstimates(
  deps: Pick<NewsroomDeps, 'platforms' | 'config' | 'data'>,
  broadcast: Broadcast,
  article: StoredArticle,
  repos: AudienceReads = deps.data.repos,
): Promise<PaidEstimate[]> {
  const estimates: PaidEstimate[] = [];
  // One platform after the other: inside a unit only its `tx` is awaited, one statement at a time.
  for (const { platform, offer } of paidBroadcastOffers(deps)) {
    const messages = (await countAudience(repos, article, broadcast.audience, platform)).willReceive;
    estimates.push({
      platform,
      messages,
      pricePerMessage: offer.pricePerMessage,
      unit: offer.unit,
      ratePerSecond: offer.ratePerSecond,
      cost: Math.round(messages * offer.pricePerMessage * 100) / 100,
    });
  }
  return estimates;
}

/**
 * Turns paid sending on or off for a broadcast still in preview (the preview's button, the desk's checkbox) and
 * returns the preview again with its cost; undefined once it was decided (a late press changes nothing).
 */
export async function setBroadcastPaid(
  deps: NewsroomDeps,
  actor: Actor,
  id: number,
  token: string,
  paid: boolean,
): Promise<BroadcastPreview | undefined> {
  await requireEditor(deps, actor, 'broadcast');
  if (paid) requirePaidOffer(deps);
  return deps.data.uow.run(async (tx) => {
    const b = await tx.broadcasts.get(id);
    if (!b || b.token !== token || !(await tx.broadcasts.setPaid(id, paid))) return undefined;
    const article = await tx.articles.get(b.articleId);
    if (!article) return undefined;
    await recordAudit(tx, actor, 'broadcast.paid', { broadcast: id, article: b.articleId, paid });
    return previewOf(deps, tx, (await tx.broadcasts.get(id))!, article);
  });
}

async function articleFor(deps: NewsroomDeps, ref: string): Promise<StoredArticle> {
  try {
    return await findArticle(deps.data.repos.articles, ref);
  } catch (err) {
    if (!(err instanceof UserError) || !/^https?:\/\//i.test(ref)) throw err;
  }
  const article = await loadArticle(ref, deps.config);
  const result = await deps.data.uow.run((tx) =>
    storeArticle(tx, article, { summary: deps.config.summary, timeZone: deps.config.timeZone }),
  );
  return result.status === 'new' ? result.article : result.existing;
}

export type DecisionResult =
  | { kind: 'done'; broadcast: Broadcast; queued: number }
  /** Pressed twice, by two editors, or replayed: the first decision stands and nothing happens. */
  | { kind: 'already-decided'; broadcast?: Broadcast };

/**
 * Step 2: the broadcast moves preview → queued and its deliveries are queued in the same transaction, so a crash
 * never leaves a queued broadcast without deliveries, and a second press queues nothing. `token` is the random
 * part of the button's data: a forged or guessed id alone does nothing.
 */
export async function confirmBroadcast(
  deps: NewsroomDeps,
  actor: Actor,
  id: number,
  token: string,
): Promise<DecisionResult> {
  await requireEditor(deps, actor, 'broadcast');
  const result = await deps.data.uow.run(async (tx): Promise<DecisionResult> => {
    const now = Date.now();
    const b = await decidable(tx, id, token, 'preview', 'queued', now);
    if (!b) return { kind: 'already-decided', broadcast: await tx.broadcasts.get(id) };
    const article = await tx.articles.get(b.articleId);
    const queued = article
      ? await queueAudience(tx, article, b.audience, {
          broadcastId: b.id,
          priority: b.urgent ? URGENT_PRIORITY : 0,
          now,
        })
      : 0;
    await recordAudit(tx, actor, 'broadcast.confirm', { broadcast: b.id, article: b.articleId, queued }, now);
    return { kind: 'done', broadcast: (await tx.broadcasts.get(id))!, queued };
  });
  if (result.kind === 'done') {
    deps.logger.info('broadcast queued', {
      broadcast: id,
      article: result.broadcast.articleId,
      queued: result.queued,
      editor: `${actor.platform}:${actor.id}`,
    });
    deps.onQueued();
  }
  return result;
}

/** A preview that is not wanted (or whose confirmation window ran out): nothing is queued. */
export async function cancelBroadcast(
  deps: NewsroomDeps,
  actor: Actor,
  id: number,
  token: string,
  why: 'cancelled' | 'expired' = 'cancelled',
): Promise<DecisionResult> {
  await requireEditor(deps, actor, 'broadcast');
  return deps.data.uow.run(async (tx): Promise<DecisionResult> => {
    const now = Date.now();
    const b = await decidable(tx, id, token, 'preview', 'cancelled', now);
    if (!b) return { kind: 'already-decided', broadcast: await tx.broadcasts.get(id) };
    await recordAudit(tx, actor, 'broadcast.cancel', { broadcast: id, article: b.articleId, why }, now);
    return { kind: 'done', broadcast: (await tx.broadcasts.get(id))!, queued: 0 };
  });
}

/** «إيقاف»: what is still queued is skipped; what is already on its way finishes. */
export async function stopBroadcast(
  deps: NewsroomDeps,
  actor: Actor,
  id: number,
  token: string,
): Promise<DecisionResult & { skipped?: number }> {
  await requireEditor(deps, actor, 'broadcast');
  return deps.data.uow.run(async (tx) => {
    const now = Date.now();
    const b = await decidable(tx, id, token, 'queued', 'stopped', now);
    if (!b) return { kind: 'already-decided' as const, broadcast: await tx.broadcasts.get(id) };
    const skipped = await tx.broadcasts.stop(id, now);
    await recordAudit(tx, actor, 'broadcast.stop', { broadcast: id, article: b.articleId, skipped }, now);
    return { kind: 'done' as const, broadcast: (await tx.broadcasts.get(id))!, queued: 0, skipped };
  });
}

async function decidable(
  tx: Repositories,
  id: number,
  token: string,
  from: BroadcastState,
  to: BroadcastState,
  now: number,
): Promise<Broadcast | undefined> {
  const b = await tx.broadcasts.get(id);
  if (!b || b.token !== token) return undefined;
  return (await tx.broadcasts.transition(id, from, to, now)) ? b : undefined;
}

export interface BroadcastStatus {
  state: BroadcastState;
  sent: number;
  failed: number;
  /** Stopped by an editor, or the chat went away meanwhile. */
  skipped: number;
  inDoubt: number;
  /** Going now: queued, on its way, or to be retried. */
  remaining: number;
  /** Waiting for their chats (quiet hours that hold messages, a digest): they go by themselves, at `waitingUntil` at the latest. */
  waiting: number;
  waitingUntil?: Date;
  /** Nothing more can go now: what is left waits for its chats. */
  finished: boolean;
}

/**
 * Where a broadcast stands; a queued broadcast with nothing left to send now becomes `done` (what waits for its
 * chats' quiet hours or digest goes by itself, and is shown as waiting). Read by every progress display.
 */
export function broadcastStatus(
  deps: Pick<NewsroomDeps, 'data'>,
  id: number,
  now = Date.now(),
): Promise<BroadcastStatus | undefined> {
  // One unit: the counts, the waits and the move to `done` see one state of the outbox (the worker writes between
  // two reads otherwise), and the move is made on what was read.
  return deps.data.uow.run(async (tx) => {
    const b = await tx.broadcasts.get(id);
    if (!b) return undefined;
    const p = await tx.broadcasts.progress(id);
    const waits = totalChatWaits(await chatWaits(tx, now, id));
    const waiting = waits?.count ?? 0;
    const remaining = p.queued + p.sending + p.held - waiting;
    let state = b.state;
    if (remaining === 0 && state === 'queued' && (await tx.broadcasts.transition(id, 'queued', 'done', Date.now())))
      state = 'done';
    return {
      state,
      sent: p.sent,
      failed: p.failed,
      skipped: p.skipped,
      inDoubt: p.in_doubt,
      remaining,
      waiting,
      waitingUntil: waits?.until,
      finished: remaining === 0 && state !== 'preview',
    };
  });
}

/** A broadcast by id, as a front door shows it (its buttons carry the id and the token); undefined when there is none. */
export function findBroadcast(deps: Pick<NewsroomDeps, 'data'>, id: number): Promise<Broadcast | undefined> {
  return deps.data.repos.broadcasts.get(id);
}

export type ProgressPlaceResult = { kind: 'recorded'; broadcast: Broadcast } | { kind: 'not-found' };

/**
 * Where a front door shows a confirmed broadcast's progress (Telegram: a message in the editor's chat, edited as
 * the broadcast goes). An editor only, with the broadcast's own token, once it left the preview: a forged or replayed
 * button cannot point another broadcast's progress elsewhere, nor place one for a preview nobody confirmed. Not
 * audited: the confirmation it follows is.
 */
export async function placeProgress(
  deps: Pick<NewsroomDeps, 'editors' | 'data'>,
  actor: Actor,
  id: number,
  token: string,
  place: { chatId: string; messageId: string },
): Promise<ProgressPlaceResult> {
  await requireEditor(deps, actor, 'broadcast progress');
  return deps.data.uow.run(async (tx): Promise<ProgressPlaceResult> => {
    const b = await tx.broadcasts.get(id);
    if (!b || b.token !== token || b.state === 'preview') return { kind: 'not-found' };
    await tx.broadcasts.setProgressMessage(id, place.chatId, place.messageId);
    return { kind: 'recorded', broadcast: (await tx.broadcasts.get(id))! };
  });
}
