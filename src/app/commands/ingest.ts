import { UserError } from '../../errors.js';
import { loadArticle } from '../../ingest/load-article.js';
import { CLI_OPERATOR, ingestArticle } from '../../newsroom/index.js';
import type { Article } from '../../model/article.js';
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
  const overrides = parseOverrides(inputs, options);
  let failures = 0;
  for (const input of inputs) {
    try {
      const article = { ...(await loadArticle(input, ctx.config)), ...overrides };
      const result = await ingestArticle(await ctx.newsroom(), CLI_OPERATOR, article);
      if (result.status === 'new') {
        const { queued } = result;
        ctx.out(
          `${result.article.id}\tnew\t${article.title}\t(queued for ${queued} subscription${queued === 1 ? '' : 's'})`,
        );
      } else {
        ctx.out(`${result.existing.id}\tduplicate (${result.match.reason})\t${result.existing.title}`);
      }
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      failures++;
      ctx.io.stderr.write(`nashra: ${err.message}\n`);
    }
  }
  if (failures > 0) throw new UserError(`${failures} of ${inputs.length} inputs could not be ingested`);
}

function parseOverrides(inputs: string[], options: IngestOptions): Partial<Article> {
  const out: Partial<Article> = {};
  if (options.sourceName !== undefined) {
    if (!options.sourceName.trim()) throw new UserError('--source-name needs a name');
    out.source = options.sourceName.trim();
  }
  if (options.url !== undefined) {
    if (inputs.length > 1) throw new UserError('--url names one article: give one input with it');
    if (!/^https?:\/\/[^\s]+$/i.test(options.url))
      throw new UserError(`--url must be the article's http(s) address, not "${options.url}"`);
    out.url = canonicalUrl(options.url);
  }
  if (options.publishedAt !== undefined) {
    const t = Date.parse(options.publishedAt);
    if (!/^\d{4}-\d{2}-\d{2}/.test(options.publishedAt) || Number.isNaN(t)) {
      throw new UserError(
        `--published-at must be a date such as 2026-11-25 or 2026-11-25T14:05+03:00, not "${options.publishedAt}"`,
      );
    }
    out.publishedAt = new Date(t);
  }
  return out;
}
