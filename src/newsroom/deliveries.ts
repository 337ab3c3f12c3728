import type { JobRecord } from '../model/delivery.js';
import { RefusedError } from '../refusal.js';
import { recordAudit, requireEditor, type Actor } from './actor.js';
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
export async function resendFailed(
  deps: NewsroomDeps,
  actor: Actor,
  articleId: number,
  opts: { everyFailure?: boolean } = {},
): Promise<ResendResult> {
  await requireEditor(deps, actor, 'resend');
  const result = await deps.data.uow.run(async (tx) => {
    const now = Date.now();
    const article = await tx.articles.get(articleId);
    if (!article) {
      // The desk and the bots number broadcasts too: an id that names only a broadcast is not taken for an article.
      const broadcast = await tx.outbox.broadcastOf(articleId);
      throw new RefusedError({ kind: 'no-article', id: articleId, broadcastOf: broadcast?.articleId });
    }
    if (article.retracted) throw new RefusedError({ kind: 'retracted-not-sent', articleId });
    const requeued = await tx.outbox.requeueFailed(
      articleId,
      opts.everyFailure ?? false,
      `sent again by ${actor.platform}:${actor.id}`,
    );
    if (requeued > 0) await tx.outbox.reopenBroadcastsOf(articleId, now);
    await recordAudit(
      tx,
      actor,
      'delivery.resend_failed',
      { article: articleId, requeued, everyFailure: opts.everyFailure ?? false },
      now,
    );
    return { requeued, leftFailed: await tx.outbox.failedCount(articleId) };
  });
  if (result.requeued > 0) deps.onQueued();
  return result;
}

/** The same for a broadcast (by its id, as the desk shows it): the failed deliveries of its article. */
export async function resendBroadcastFailed(
  deps: NewsroomDeps,
  actor: Actor,
  broadcastId: number,
  opts: { everyFailure?: boolean } = {},
): Promise<ResendResult & { articleId: number }> {
  await requireEditor(deps, actor, 'resend');
  const b = await deps.data.repos.outbox.broadcastOf(broadcastId);
  if (!b || b.state === 'preview' || b.state === 'cancelled')
    throw new RefusedError({ kind: 'no-broadcast-sent', broadcastId });
  return { ...(await resendFailed(deps, actor, b.articleId, opts)), articleId: b.articleId };
}

/**
 * An editor's verdict on a job left in doubt by a crash (its request may or may not have reached the chat), of any
 * kind: `mark-sent` (the chat shows it: the post, the digest message, the edit or the deletion) closes it;
 * `send-again` queues it once more (a digest message with the posts it carries).
 */
export async function resolveInDoubt(
  deps: NewsroomDeps,
  actor: Actor,
  jobId: number,
  verdict: 'mark-sent' | 'send-again',
): Promise<JobRecord> {
  await requireEditor(deps, actor, 'in-doubt');
  const resolved = await deps.data.uow.run(async (tx) => {
    const now = Date.now();
    const to = verdict === 'mark-sent' ? 'sent' : 'queued';
    const note =
      verdict === 'mark-sent'
        ? `marked as sent by ${actor.platform}:${actor.id}`
        : `sent again by ${actor.platform}:${actor.id}`;
    const job = await tx.outbox.job(jobId);
    if (!job) throw new RefusedError({ kind: 'no-job', jobId });
    if (!(await tx.outbox.resolveInDoubt(jobId, to, note, now)))
      throw new RefusedError({ kind: 'not-in-doubt', jobId, job: job.kind, state: job.state });
    const correction = job.kind === 'edit' || job.kind === 'delete';
    const action =
      verdict === 'mark-sent'
        ? correction
          ? 'correction.mark_sent'
          : 'delivery.mark_sent'
        : correction
          ? 'correction.send_again'
          : 'delivery.send_again';
    await recordAudit(tx, actor, action, { job: jobId, kind: job.kind }, now);
    return (await tx.outbox.job(jobId))!;
  });
  if (verdict === 'send-again') deps.onQueued();
  return resolved;
}
