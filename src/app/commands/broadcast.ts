import { createInterface } from 'node:readline/promises';
import { UserError } from '../../errors.js';
import { plainMarkup } from '../../format/post.js';
import { renderArticle } from '../../format/render.js';
import type { Audience } from '../../model/broadcast.js';
import { CLI_OPERATOR, cancelBroadcast, composeUrgent, confirmBroadcast, previewBroadcast, type BroadcastPreview } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra broadcast <article-id|url> [--yes]`: the preview and its audience, then (confirmed) the queue. */
export async function broadcastCommand([ref]: string[], options: { yes?: boolean; all?: boolean; platform?: string; paid?: boolean }, ctx: CommandContext): Promise<void> {
  const audience: Audience | undefined = options.platform ? { kind: 'platform', platform: options.platform } : options.all ? { kind: 'all' } : undefined;
  await decide(await previewBroadcast(ctx.newsroom(), CLI_OPERATOR, ref!, { audience, paid: options.paid }), options, ctx);
}

/** `nashra urgent <text…> [--yes] [--paid|--free]`: an «عاجل» alert for everyone, sent before everything else. */
export async function urgentCommand(words: string[], options: { yes?: boolean; paid?: boolean; free?: boolean }, ctx: CommandContext): Promise<void> {
  if (options.paid && options.free) throw new UserError('--paid and --free contradict each other: give one');
  const paid = options.paid ? true : options.free ? false : undefined;
  await decide(await composeUrgent(ctx.newsroom(), CLI_OPERATOR, words.join(' '), { paid }), options, ctx);
}

/** «paid: at most 120 Stars (1,200 telegram messages × 0.1), up to 1,000/s»: one clause per platform that charges. */
export function describePaid(p: BroadcastPreview): string {
  return p.paidEstimates.map((e) => `at most ${e.cost.toLocaleString('en-US')} ${e.unit} on ${e.platform} ` +
    `(${e.messages.toLocaleString('en-US')} messages × ${e.pricePerMessage}), up to ${e.ratePerSecond.toLocaleString('en-US')}/s`).join('; ');
}

async function decide(p: BroadcastPreview, options: { yes?: boolean }, ctx: CommandContext): Promise<void> {
  const { broadcast, article, audience } = p;
  ctx.out(renderArticle(article, plainMarkup, ctx.config));
  if (broadcast.paid) ctx.out(`\npaid broadcast: ${describePaid(p)}`);
  const already = (audience.alreadyHave ? `; ${audience.alreadyHave} already ha${audience.alreadyHave === 1 ? 's' : 've'} it` : '') +
    (audience.failedBefore ? `; ${audience.failedBefore} failed before (nashra resend ${article.id} sends them again)` : '');
  if (audience.willReceive === 0) {
    await cancelBroadcast(ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token);
    throw new UserError(`this would reach nobody: no active subscription is waiting for it${already} (nashra subs add …)`);
  }
  const reach = `${audience.willReceive} subscription${audience.willReceive === 1 ? '' : 's'}`;
  // Off a terminal nobody can answer: say whom it would reach before saying how to go ahead.
  if (!options.yes && !process.stdin.isTTY) ctx.out(`\nthis would be queued for ${reach}${already}`);
  if (!options.yes && !(await confirm(`\nQueue this for ${reach}${already}? [y/N] `))) {
    await cancelBroadcast(ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token);
    ctx.out('cancelled: nothing queued');
    return;
  }
  const r = await confirmBroadcast(ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token);
  const queued = r.kind === 'done' ? r.queued : 0;
  ctx.out(`queued ${queued} deliver${queued === 1 ? 'y' : 'ies'} for article ${article.id}${already}; nashra run sends them`);
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UserError('no terminal to confirm on: add --yes to queue without asking');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(y|yes|نعم)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
