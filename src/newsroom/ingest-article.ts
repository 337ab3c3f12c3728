import type { Article } from '../model/article.js';
import { recordAudit, requireEditor, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';
import { routeArticle, storeArticle, type StoreResult } from './pipeline.js';

export type IngestResult = StoreResult & { queued: number };

/**
 * An editor hands the newsroom an article (`nashra ingest`): stored once (a duplicate is reported, not stored),
 * summarised, queued for every matching subscription, and audited, in one unit of work.
 */
export async function ingestArticle(deps: NewsroomDeps, actor: Actor, article: Article): Promise<IngestResult> {
  await requireEditor(deps, actor, 'ingest');
  const { data, config } = deps;
  const result = await data.uow.run(async (tx): Promise<IngestResult> => {
    const stored = await storeArticle(tx, article, { summary: config.summary, timeZone: config.timeZone });
    if (stored.status !== 'new') {
      await recordAudit(tx, actor, 'article.ingest', { article: stored.existing.id, duplicate: stored.match.reason });
      return { ...stored, queued: 0 };
    }
    const queued = await routeArticle(tx, stored.article);
    await recordAudit(tx, actor, 'article.ingest', { article: stored.article.id, queued });
    return { ...stored, queued };
  });
  if (result.queued > 0) deps.onQueued();
  return result;
}
