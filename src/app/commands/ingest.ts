import { UserError } from '../../errors.js';
import { loadArticle } from '../../ingest/load-article.js';
import { CLI_OPERATOR, ingestArticle } from '../../newsroom/index.js';
import type { Article } from '../../model/article.js';
import type { Catalogue } from '../../i18n/index.js';
import { canonicalUrl } from '../../text/url.js';
import type { CommandContext } from '../context.js';

export interface IngestOptions {
  /** Who published it, shown as «المصدر: …» (a file has no site to name). */
  sourceName?: string;
  /** The article's public address, shown as its link (one input only). */
  url?: string;
  /** When it was published (ISO 8601); a file has no date of its own. */
  publishedAt?: string;
}

/** `nashra ingest <file|url>...`: stores new articles and queues them for matching subscribers. */
export async function ingestCommand(inputs: string[], options: IngestOptions, ctx: CommandContext): Promise<void> {
  const words = ctx.words.cli.ingest;
  const overrides = parseOverrides(inputs, options, words);
  let failures = 0;
  for (const input of inputs) {
    try {
      const article = { ...(await loadArticle(input, ctx.config)), ...overrides };
      const result = await ingestArticle(await ctx.newsroom(), CLI_OPERATOR, article);
      if (result.status === 'new') {
        ctx.out(`${result.article.id}\t${words.fresh}\t${article.title}\t${words.queuedFor(result.queued)}`);
      } else {
        ctx.out(`${result.existing.id}\t${words.duplicate(result.match.reason)}\t${result.existing.title}`);
      }
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      failures++;
      ctx.io.stderr.write(`nashra: ${err.message}\n`);
    }
  }
  if (failures > 0) throw new UserError(words.failed(failures, inputs.length));
}

function parseOverrides(inputs: string[], options: IngestOptions, words: Catalogue['cli']['ingest']): Partial<Article> {
  const out: Partial<Article> = {};
  if (options.sourceName !== undefined) {
    if (!options.sourceName.trim()) throw new UserError(words.noSourceName);
    out.source = options.sourceName.trim();
  }
  if (options.url !== undefined) {
    if (inputs.length > 1) throw new UserError(words.oneUrl);
    if (!/^https?:\/\/[^\s]+$/i.test(options.url)) throw new UserError(words.badUrl(options.url));
    out.url = canonicalUrl(options.url);
  }
  if (options.publishedAt !== undefined) {
    const t = Date.parse(options.publishedAt);
    if (!/^\d{4}-\d{2}-\d{2}/.test(options.publishedAt) || Number.isNaN(t)) {
      throw new UserError(words.badDate(options.publishedAt));
    }
    out.publishedAt = new Date(t);
  }
  return out;
}
