import { CLI_OPERATOR, decideReview, listPendingReviews, type ReviewResult } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra review list`: what sources added with --review hold, oldest first. */
export async function reviewList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const pending = await listPendingReviews(await ctx.newsroom(), CLI_OPERATOR);
  const words = ctx.words.cli.review;
  if (pending.length === 0) return ctx.out(words.none);
  ctx.out(words.heading.join('\t'));
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
    const words = ctx.words.cli.review;
    if (r.kind === 'already-decided') return ctx.out(alreadyDecided(r, words));
    ctx.out(verdict === 'publish' ? words.published(id!, r.queued) : words.dismissed(id!));
  };

function alreadyDecided(
  r: Extract<ReviewResult, { kind: 'already-decided' }>,
  words: CommandContext['words']['cli']['review'],
): string {
  const by = r.review.decidedBy ? `${r.review.decidedBy.platform}:${r.review.decidedBy.id}` : words.someone;
  const at = r.review.decidedAt?.toISOString().replace(/\.\d+Z$/, 'Z') ?? '?';
  return words.already(r.article.id, r.review.state !== 'dismissed', by, at);
}
