import { CLI_OPERATOR, requireEditor, resendFailed, resolveInDoubt } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra in-doubt list`. */
export async function inDoubtList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  requireEditor(ctx.newsroom(), CLI_OPERATOR, 'in-doubt');
  const rows = ctx.store().deliveries.inDoubt(200);
  if (rows.length === 0) return ctx.out('no delivery is in doubt');
  ctx.out('id\tplatform\tarticle\tsubscription\tsince');
  for (const d of rows) ctx.out(`${d.id}\t${d.platform}\t${d.articleId}\t${d.subscriptionId}\t${d.sendingAt?.toISOString() ?? '?'}`);
}

/** `nashra in-doubt mark-sent|send-again <delivery-id>`. */
export const inDoubtResolve = (verdict: 'mark-sent' | 'send-again') =>
  async ([id]: string[], _options: unknown, ctx: CommandContext): Promise<void> => {
    const d = resolveInDoubt(ctx.newsroom(), CLI_OPERATOR, Number(id), verdict);
    ctx.out(verdict === 'mark-sent' ? `delivery ${d.id} marked as sent` : `delivery ${d.id} queued again; nashra run sends it`);
  };

/** `nashra resend <article-id> [--failed]`. */
export async function resendCommand([id]: string[], options: { failed?: boolean }, ctx: CommandContext): Promise<void> {
  const r = resendFailed(ctx.newsroom(), CLI_OPERATOR, Number(id), { everyFailure: options.failed });
  ctx.out(`queued ${r.requeued} failed deliver${r.requeued === 1 ? 'y' : 'ies'} of article ${id} again` +
    (r.leftFailed ? `; ${r.leftFailed} stay failed (${options.failed ? 'their chats are no longer subscribed' : 'refused for good, or no longer subscribed: --failed sends those refused for good too'})` : '') +
    (r.requeued ? '; nashra run sends them' : ''));
}
