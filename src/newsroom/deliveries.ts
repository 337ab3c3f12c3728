import { UserError } from '../errors.js';
import type { JobRecord } from '../model/delivery.js';
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
    const requeued = store.jobs.requeueFailed(articleId, opts.everyFailure ?? false, `sent again by ${actor.platform}:${actor.id}`);
    if (requeued > 0) store.broadcasts.reopenForArticle(articleId);
    audit(store, actor, 'delivery.resend_failed', { article: articleId, requeued, everyFailure: opts.everyFailure ?? false });
    return { requeued, leftFailed: store.jobs.countFailed(articleId) };
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
 * An editor's verdict on a job left in doubt by a crash (its request may or may not have reached the chat), of any
 * kind: `mark-sent` (the chat shows it: the post, the digest message, the edit or the deletion) closes it;
 * `send-again` queues it once more (a digest message with the posts it carries).
 */
export function resolveInDoubt(deps: NewsroomDeps, actor: Actor, jobId: number, verdict: 'mark-sent' | 'send-again'): JobRecord {
  requireEditor(deps, actor, 'in-doubt');
  const { store } = deps;
  const resolved = store.transaction(() => {
    const to = verdict === 'mark-sent' ? 'sent' : 'queued';
    const note = verdict === 'mark-sent' ? `marked as sent by ${actor.platform}:${actor.id}` : `sent again by ${actor.platform}:${actor.id}`;
    const job = store.jobs.get(jobId);
    if (!job) throw new UserError(`no job ${jobId}`);
    if (!store.jobs.resolveInDoubt(jobId, to, note)) throw new UserError(`${job.kind} ${jobId} is ${job.state}, not in doubt`);
    const correction = job.kind === 'edit' || job.kind === 'delete';
    const action = verdict === 'mark-sent' ? (correction ? 'correction.mark_sent' : 'delivery.mark_sent') : (correction ? 'correction.send_again' : 'delivery.send_again');
    audit(store, actor, action, { job: jobId, kind: job.kind });
    return store.jobs.get(jobId)!;
  });
  if (verdict === 'send-again') deps.onQueued();
  return resolved;
}
