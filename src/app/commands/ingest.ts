import { UserError } from '../../errors.js';
import { loadArticle } from '../../ingest/load-article.js';
import { routeArticle, storeArticle } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra ingest <file|url>...`: stores new articles and queues them for matching subscribers. */
export async function ingestCommand(inputs: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const store = ctx.store();
  let failures = 0;
  for (const input of inputs) {
    try {
      const article = await loadArticle(input, ctx.config);
      const result = storeArticle(store, article, { summary: ctx.config.summary, timeZone: ctx.config.timeZone });
      if (result.status === 'new') {
        const queued = routeArticle(store, result.article);
        ctx.out(`${result.article.id}\tnew\t${article.title}\t(queued for ${queued} subscription${queued === 1 ? '' : 's'})`);
      } else {
        ctx.out(`${result.existing.id}\tduplicate (${result.match.reason})\t${result.existing.title}`);
      }
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      failures++;
      process.stderr.write(`nashra: ${err.message}\n`);
    }
  }
  if (failures > 0) throw new UserError(`${failures} of ${inputs.length} inputs could not be ingested`);
}
