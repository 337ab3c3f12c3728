import { plainMarkup } from '../../format/post.js';
import { renderArticle } from '../../format/render.js';
import { latestArticles } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra latest [n]`: the n newest summaries, as plain text. */
export async function latestCommand([n]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const articles = await latestArticles(await ctx.newsroom(), Number(n));
  if (articles.length === 0) return ctx.out(ctx.words.cli.latestNone);
  ctx.out(articles.map((a) => `#${a.id}\n${renderArticle(a, plainMarkup, ctx.config)}`).join('\n\n'));
}
