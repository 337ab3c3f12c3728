import type { Article } from '../model/article.js';
import { audit, requireEditor, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';
import { routeArticle, storeArticle, type StoreResult } from './pipeline.js';

export type IngestResult = StoreResult & { queued: number };

/**
 * An editor hands the newsroom an article (`nashra ingest`): stored once (a duplicate is reported, not stored),
 * summarised, queued for every matching subscription, and audited, in one transaction.
 */
export function ingestArticle(deps: NewsroomDeps, actor: Actor, article: Article): IngestResult {
  requireEditor(deps, actor, 'ingest');
  const { store, config } = deps;
  const result = store.transaction((): IngestResult => {
    const stored = storeArticle(store, article, { summary: config.summary, timeZone: config.timeZone });
    if (stored.status !== 'new') {
      audit(store, actor, 'article.ingest', { article: stored.existing.id, duplicate: stored.match.reason });
      return { ...stored, queued: 0 };
    }
    const queued = routeArticle(store, stored.article);
    audit(store, actor, 'article.ingest', { article: stored.article.id, queued });
    return { ...stored, queued };
  });
  if (result.queued > 0) deps.onQueued();
  return result;
}
