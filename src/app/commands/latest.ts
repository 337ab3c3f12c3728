import { UserError } from '../../errors.js';
import { renderArticle } from '../../format/render.js';
import { parseArgs } from '../args.js';
import type { CommandContext } from '../context.js';
import { plainMarkup } from '../../format/post.js';

/** `nashra latest [n]`: the n newest summaries, as plain text. */
export async function latestCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseArgs(argv, {});
  const raw = args.positionals[0] ?? '5';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new UserError(`n must be a whole number from 1 to 50, not "${raw}"`);
  const articles = ctx.store().articles.latest(n);
  if (articles.length === 0) return ctx.out('no articles yet: nashra ingest <file|url> or nashra sources add <url>');
  ctx.out(articles.map((a) => `#${a.id}\n${renderArticle(a, plainMarkup, ctx.config)}`).join('\n\n'));
}
