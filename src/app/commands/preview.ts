import { UserError } from '../../errors.js';
import { hashtags } from '../../summary/hashtags.js';
import { loadArticle } from '../../ingest/load-article.js';
import type { StoredArticle } from '../../store/index.js';
import { summarize } from '../../summary/summarize.js';
import { plainMarkup, type Markup } from '../../format/post.js';
import { renderArticle } from '../../format/render.js';
import { flag, optionString, parseArgs } from '../args.js';
import type { CommandContext } from '../context.js';
import { telegramMarkup } from '../../../bots/telegram/markup.js';
import { whatsappMarkup } from '../../../bots/whatsapp/markup.js';

const MARKUPS: Markup[] = [telegramMarkup, whatsappMarkup, plainMarkup];

/** `nashra preview <file|url>`: the message exactly as it would be sent, without storing anything. */
export async function previewCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseArgs(argv, { values: ['platform'], flags: ['json'] });
  const input = args.positionals[0];
  if (!input || args.positionals.length > 1) throw new UserError('usage: nashra preview <file|url> [--platform telegram|whatsapp|plain] [--json]');
  const platform = optionString(args, 'platform') ?? 'telegram';
  const markup = MARKUPS.find((m) => m.name === platform);
  if (!markup) throw new UserError(`--platform must be one of ${MARKUPS.map((m) => m.name).join(', ')}, not "${platform}"`);

  const article = await loadArticle(input, ctx.config);
  const summary = summarize(article, ctx.config.summary);
  const stored: StoredArticle = {
    ...article, id: 0, summary, hashtags: hashtags(article), seenOnly: false, createdAt: new Date(),
  };
  if (flag(args, 'json')) {
    ctx.out(JSON.stringify({
      title: article.title, source: article.source, url: article.url, publishedAt: article.publishedAt?.toISOString() ?? null,
      summary, hashtags: stored.hashtags, ...Object.fromEntries(MARKUPS.map((m) => [m.name, renderArticle(stored, m, ctx.config)])),
    }, null, 2));
  } else {
    ctx.out(renderArticle(stored, markup, ctx.config));
  }
}
