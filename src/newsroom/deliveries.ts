import { UserError } from '../errors.js';
import type { DeliveryRecord } from '../model/delivery.js';
import type { CorrectionRecord } from '../store/index.js';
import { audit, requireEditor, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';

export interface ResendResult {
  /** Queued again. */
  requeued: number;
  /** Still failed: refused for good by the platform (not chosen), or the chat is no longer subscribed. */
  leftFailed: number;
}

/**
 * "Send the failed ones again": an article's deliveries that failed for a temporary reason (the platform was down
 * longer than the retries lasted) are queued again for chats still subscribed; with `everyFailure` the editor
 * chooses the permanent failures too. A broadcast they belong to is running again, so its progress shows them.
 */
export function resendFailed(deps: NewsroomDeps, actor: Actor, articleId: number, opts: { everyFailure?: boolean } = {}): ResendResult {
  requireEditor(deps, actor, 'resend');
  const { store } = deps;
  const result = store.transaction(() => {
    const article = store.articles.get(articleId);
    if (!article) {
      // The desk and the bots number broadcasts too: an id that names only a broadcast is not taken for an article.
      const broadcast = store.broadcasts.get(articleId);
      const hint = broadcast ? `; ${articleId} is the id of a broadcast, of article ${broadcast.articleId}` : '';
      throw new UserError(`no stored article ${articleId}${hint}`);
    }
    if (article.retracted) throw new UserError(`article ${articleId} was retracted; it is never sent again`);
    const requeued = store.deliveries.requeueFailed(articleId, opts.everyFailure ?? false, `sent again by ${actor.platform}:${actor.id}`);
    if (requeued > 0) store.broadcasts.reopenForArticle(articleId);
    audit(store, actor, 'delivery.resend_failed', { article: articleId, requeued, everyFailure: opts.everyFailure ?? false });
    return { requeued, leftFailed: store.deliveries.countFailed(articleId) };
  });
  if (result.requeued > 0) deps.onQueued();
  return result;
}

/** The same for a broadcast (by its id, as the desk shows it): the failed deliveries of its article. */
export function resendBroadcastFailed(deps: NewsroomDeps, actor: Actor, broadcastId: number, opts: { everyFailure?: boolean } = {}): ResendResult & { articleId: number } {
  requireEditor(deps, actor, 'resend');
  const b = deps.store.broadcasts.get(broadcastId);
  if (!b || b.state === 'preview' || b.state === 'cancelled') throw new UserError(`no broadcast ${broadcastId} was sent (nashra resend <article-id> takes an article)`);
  return { ...resendFailed(deps, actor, b.articleId, opts), articleId: b.articleId };
}

/**
 * An editor's verdict on a delivery left in doubt by a crash (its request may or may not have reached the chat):
 * `mark-sent` (the chat shows it) closes it; `send-again` queues it once more.
 */
export function resolveInDoubt(deps: NewsroomDeps, actor: Actor, deliveryId: number, verdict: 'mark-sent' | 'send-again'): DeliveryRecord {
  requireEditor(deps, actor, 'in-doubt');
  const { store } = deps;
  const resolved = store.transaction(() => {
    const to = verdict === 'mark-sent' ? 'sent' : 'queued';
    const note = verdict === 'mark-sent' ? `marked as sent by ${actor.platform}:${actor.id}` : `sent again by ${actor.platform}:${actor.id}`;
    if (!store.deliveries.resolveInDoubt(deliveryId, to, note)) {
      const d = store.deliveries.get(deliveryId);
      throw new UserError(d ? `delivery ${deliveryId} is ${d.state}, not in doubt` : `no delivery ${deliveryId}`);
    }
    audit(store, actor, verdict === 'mark-sent' ? 'delivery.mark_sent' : 'delivery.send_again', { delivery: deliveryId });
    return store.deliveries.get(deliveryId)!;
  });
  if (verdict === 'send-again') deps.onQueued();
  return resolved;
}

/**
 * The same verdict on a correction job (an edit or a delete) a crash left in doubt: `mark-sent` (the chat shows the
 * change) closes it as done; `send-again` queues the edit or delete once more.
 */
export function resolveCorrectionInDoubt(deps: NewsroomDeps, actor: Actor, correctionId: number, verdict: 'mark-sent' | 'send-again'): CorrectionRecord {
  requireEditor(deps, actor, 'in-doubt');
  const { store } = deps;
  const resolved = store.transaction(() => {
    const note = verdict === 'mark-sent' ? `marked as done by ${actor.platform}:${actor.id}` : `sent again by ${actor.platform}:${actor.id}`;
    if (!store.corrections.resolveInDoubt(correctionId, verdict === 'mark-sent' ? 'done' : 'queued', note)) {
      const c = store.corrections.get(correctionId);
      throw new UserError(c ? `correction ${correctionId} is ${c.state}, not in doubt` : `no correction ${correctionId}`);
    }
    audit(store, actor, verdict === 'mark-sent' ? 'correction.mark_sent' : 'correction.send_again', { correction: correctionId });
    return store.corrections.get(correctionId)!;
  });
  if (verdict === 'send-again') deps.onQueued();
  return resolved;
}
