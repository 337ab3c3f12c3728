import { CLI_OPERATOR, decideReview, listPendingReviews, type ReviewResult } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra review list`: what sources added with --review hold, oldest first. */
export async function reviewList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const pending = await listPendingReviews(await ctx.newsroom(), CLI_OPERATOR);
  if (pending.length === 0) return ctx.out('nothing is waiting for review');
  ctx.out('id\tsince\tsource\ttitle');
  for (const { review, article } of pending) {
    ctx.out(
      `${article.id}\t${review.createdAt.toISOString().replace(/\.\d+Z$/, 'Z')}\t${article.source}\t${article.title}`,
    );
  }
}

/** `nashra review publish|dismiss <article-id>`: the same decision as the editors' buttons; the first one counts. */
export const reviewDecide =
  (verdict: 'publish' | 'dismiss') =>
  async ([id]: string[], _options: unknown, ctx: CommandContext): Promise<void> => {
    const r = await decideReview(await ctx.newsroom(), CLI_OPERATOR, Number(id), verdict);
    if (r.kind === 'already-decided') return ctx.out(alreadyDecided(r));
    ctx.out(
      verdict === 'publish'
        ? `article ${id} published: queued for ${r.queued} subscription${r.queued === 1 ? '' : 's'}; nashra run sends it`
        : `article ${id} dismissed: it will not be sent`,
    );
  };

function alreadyDecided(r: Extract<ReviewResult, { kind: 'already-decided' }>): string {
  const by = r.review.decidedBy ? `${r.review.decidedBy.platform}:${r.review.decidedBy.id}` : 'someone';
  const at = r.review.decidedAt?.toISOString().replace(/\.\d+Z$/, 'Z') ?? '?';
  return (
    `article ${r.article.id} was already ${r.review.state} by ${by} at ${at}; nothing changed` +
    (r.review.state === 'dismissed' ? ' (to send it anyway: nashra broadcast ' + r.article.id + ')' : '')
  );
}
