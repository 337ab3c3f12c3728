import {
  CLI_OPERATOR,
  inDoubtOutbox,
  requireEditor,
  resendBroadcastFailed,
  resendFailed,
  resolveInDoubt,
} from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra in-doubt list`: every job a crash left in doubt, of every kind (post, digest, edit, delete). */
export async function inDoubtList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  await requireEditor(await ctx.newsroom(), CLI_OPERATOR, 'in-doubt');
  const jobs = await inDoubtOutbox(await ctx.newsroom(), 200);
  const words = ctx.words.cli.inDoubt;
  if (jobs.length === 0) return ctx.out(words.none);
  ctx.out(words.heading.join('\t'));
  for (const j of jobs) {
    // `of`: the post an edit or delete changes, the digest message that carries a post.
    ctx.out(
      `${j.id}\t${j.kind}\t${j.platform}\t${j.articleId ?? '-'}\t${j.subscriptionId}\t${j.waitsFor ?? j.carriedBy ?? '-'}\t${j.sendingAt?.toISOString() ?? '?'}`,
    );
  }
}

/** `nashra in-doubt mark-sent|send-again <id>`: a job's id, whatever its kind. */
export const inDoubtResolve =
  (verdict: 'mark-sent' | 'send-again') =>
  async ([id]: string[], _options: unknown, ctx: CommandContext): Promise<void> => {
    const j = await resolveInDoubt(await ctx.newsroom(), CLI_OPERATOR, Number(id), verdict);
    const words = ctx.words.cli.inDoubt;
    ctx.out((verdict === 'mark-sent' ? words.markedSent : words.queuedAgain)(words.kind(j.kind), j.id));
  };

/** `nashra resend <article-id | b<broadcast-id>> [--failed]`. */
export async function resendCommand([id]: string[], options: { failed?: boolean }, ctx: CommandContext): Promise<void> {
  const broadcast = /^[b#](\d+)$/i.exec(id!);
  const opts = { everyFailure: options.failed };
  const r = broadcast
    ? await resendBroadcastFailed(await ctx.newsroom(), CLI_OPERATOR, Number(broadcast[1]), opts)
    : { ...(await resendFailed(await ctx.newsroom(), CLI_OPERATOR, Number(id), opts)), articleId: Number(id) };
  const words = ctx.words.cli.inDoubt;
  const what = broadcast ? words.ofBroadcast(broadcast[1]!, r.articleId) : words.ofArticle(id!);
  ctx.out(words.resent(r.requeued, what, r.leftFailed, options.failed === true));
}
