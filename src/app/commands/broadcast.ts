import { createInterface } from 'node:readline/promises';
import { UserError } from '../../errors.js';
import { findArticle, queueBroadcast } from '../../newsroom/pipeline.js';
import { renderArticle } from '../../format/render.js';
import { flag, parseArgs } from '../args.js';
import type { CommandContext } from '../context.js';
import { plainMarkup } from '../../format/post.js';

/** `nashra broadcast <article-id|url> [--yes]`: shows the preview, then queues one delivery per matching subscription. */
export async function broadcastCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseArgs(argv, { flags: ['yes'] });
  const ref = args.positionals[0];
  if (!ref || args.positionals.length > 1) throw new UserError('usage: nashra broadcast <article-id|url> [--yes]');
  const store = ctx.store();
  const article = findArticle(store, ref);
  ctx.out(renderArticle(article, plainMarkup, ctx.config));
  const targets = store.subscriptions.active().length;
  if (targets === 0) throw new UserError('no active subscriptions: nothing to broadcast to (nashra subs add …)');
  if (!flag(args, 'yes') && !(await confirm(`\nQueue this for the matching of ${targets} active subscriptions? [y/N] `))) {
    ctx.out('cancelled: nothing queued');
    return;
  }
  const queued = queueBroadcast(store, article);
  store.audit.record('cli', 'cli', 'broadcast', { article: article.id, queued });
  ctx.out(`queued ${queued} deliveries for article ${article.id}${queued === 0 ? ' (every matching chat already has it)' : ''}; nashra run sends them`);
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
