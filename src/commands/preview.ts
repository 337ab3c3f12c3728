import { UserError } from '../errors.js';
import { hashtags } from '../hashtags.js';
import { loadArticle } from '../load-article.js';
import type { StoredArticle } from '../store/index.js';
import { summarize } from '../summarize.js';
import { renderArticle } from '../render.js';
import { flag, optionString, parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';

const PLATFORMS = ['telegram', 'whatsapp', 'plain'] as const;

/** `nashra preview <file|url>`: the message exactly as it would be sent, without storing anything. */
export async function previewCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseArgs(argv, { values: ['platform'], flags: ['json'] });
  const input = args.positionals[0];
  if (!input || args.positionals.length > 1) throw new UserError('usage: nashra preview <file|url> [--platform telegram|whatsapp|plain] [--json]');
  const platform = optionString(args, 'platform') ?? 'telegram';
  if (!(PLATFORMS as readonly string[]).includes(platform)) throw new UserError(`--platform must be one of ${PLATFORMS.join(', ')}, not "${platform}"`);

  const article = await loadArticle(input, ctx.config);
  const summary = summarize(article, ctx.config.summary);
  const stored: StoredArticle = {
    ...article, id: 0, summary, hashtags: hashtags(article), seenOnly: false, createdAt: new Date(),
  };
  const render = (p: (typeof PLATFORMS)[number]) => renderArticle(stored, p, ctx.config);
  if (flag(args, 'json')) {
    ctx.out(JSON.stringify({
      title: article.title, source: article.source, url: article.url, publishedAt: article.publishedAt?.toISOString() ?? null,
      summary, hashtags: stored.hashtags, telegram: render('telegram'), whatsapp: render('whatsapp'), plain: render('plain'),
    }, null, 2));
  } else {
    ctx.out(render(platform as (typeof PLATFORMS)[number]));
  }
}
