import {
  CLI_OPERATOR, inDoubtOutbox, requireEditor, resendBroadcastFailed, resendFailed, resolveCorrectionInDoubt, resolveInDoubt,
} from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra in-doubt list`: deliveries, then corrections (ids `c<N>`). */
export async function inDoubtList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  requireEditor(ctx.newsroom(), CLI_OPERATOR, 'in-doubt');
  const { deliveries: rows, corrections } = inDoubtOutbox(ctx.newsroom(), 200);
  if (rows.length === 0 && corrections.length === 0) return ctx.out('no delivery or correction is in doubt');
  if (rows.length > 0) {
    ctx.out('id\tplatform\tarticle\tsubscription\tsince');
    for (const d of rows) ctx.out(`${d.id}\t${d.platform}\t${d.articleId}\t${d.subscriptionId}\t${d.sendingAt?.toISOString() ?? '?'}`);
  }
  if (corrections.length > 0) {
    ctx.out('correction\tplatform\tarticle\tkind\tof delivery');
    for (const c of corrections) ctx.out(`c${c.id}\t${c.platform}\t${c.articleId}\t${c.kind}\t${c.deliveryId}`);
  }
}

/** `nashra in-doubt mark-sent|send-again <id>`: a delivery's id, or `c<N>` for a correction. */
export const inDoubtResolve = (verdict: 'mark-sent' | 'send-again') =>
  async ([id]: string[], _options: unknown, ctx: CommandContext): Promise<void> => {
    const correction = /^c(\d+)$/.exec(id!);
    if (correction) {
      const c = resolveCorrectionInDoubt(ctx.newsroom(), CLI_OPERATOR, Number(correction[1]), verdict);
      return ctx.out(verdict === 'mark-sent' ? `correction c${c.id} marked as done` : `correction c${c.id} (${c.kind}) queued again; nashra run does it`);
    }
    const d = resolveInDoubt(ctx.newsroom(), CLI_OPERATOR, Number(id), verdict);
    ctx.out(verdict === 'mark-sent' ? `delivery ${d.id} marked as sent` : `delivery ${d.id} queued again; nashra run sends it`);
  };

/** `nashra resend <article-id | b<broadcast-id>> [--failed]`. */
export async function resendCommand([id]: string[], options: { failed?: boolean }, ctx: CommandContext): Promise<void> {
  const broadcast = /^[b#](\d+)$/i.exec(id!);
  const opts = { everyFailure: options.failed };
  const r = broadcast
    ? resendBroadcastFailed(ctx.newsroom(), CLI_OPERATOR, Number(broadcast[1]), opts)
    : { ...resendFailed(ctx.newsroom(), CLI_OPERATOR, Number(id), opts), articleId: Number(id) };
  ctx.out(`queued ${r.requeued} failed deliver${r.requeued === 1 ? 'y' : 'ies'} of ${broadcast ? `broadcast ${broadcast[1]} (article ${r.articleId})` : `article ${id}`} again` +
    (r.leftFailed ? `; ${r.leftFailed} stay failed (${options.failed ? 'their chats are no longer subscribed' : 'refused for good, or no longer subscribed: --failed sends those refused for good too'})` : '') +
    (r.requeued ? '; nashra run sends them' : ''));
}
