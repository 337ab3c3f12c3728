import { UserError } from '../../errors.js';
import { loadArticle } from '../../ingest/load-article.js';
import { renderArticle } from '../../format/render.js';
import type { StoredArticle } from '../../model/article.js';
import { hashtags } from '../../summary/hashtags.js';
import { summarize } from '../../summary/summarize.js';
import type { CommandContext } from '../context.js';

/** `nashra preview <file|url>`: the message exactly as it would be sent, without storing anything. */
export async function previewCommand(
  [input]: string[],
  options: { platform: string; json?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const markups = ctx.registry
    .map((p) => p.markup)
    .filter((m, i, all) => all.findIndex((o) => o.name === m.name) === i);
  const markup = markups.find((m) => m.name === options.platform);
  if (!markup)
    throw new UserError(ctx.words.cli.previewPlatform(markups.map((m) => m.name).join(', '), options.platform));

  const article = await loadArticle(input!, ctx.config);
  const summary = summarize(article, ctx.config.summary);
  const stored: StoredArticle = {
    ...article,
    id: 0,
    summary,
    hashtags: hashtags(article),
    seenOnly: false,
    urgent: false,
    createdAt: new Date(),
    revision: 1,
  };
  if (options.json) {
    ctx.out(
      JSON.stringify(
        {
          title: article.title,
          source: article.source,
          url: article.url ?? null,
          publishedAt: article.publishedAt?.toISOString() ?? null,
          summary,
          hashtags: stored.hashtags,
          ...Object.fromEntries(markups.map((m) => [m.name, renderArticle(stored, m, ctx.config)])),
        },
        null,
        2,
      ),
    );
  } else {
    ctx.out(renderArticle(stored, markup, ctx.config));
  }
}
