import type { AudienceRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The audience port over the subscriptions, their source filters and the outbox's post-queueing statements. */
export function audienceRepository(t: SqliteTables, gate: Gate): AudienceRepository {
  return {
    filterTargets: (sourceId, activeBefore) => gate(() => t.subscriptions.filterTargets(sourceId, activeBefore)),
    sourceFilters: (sourceId) => gate(() => t.sourceFilters.forSource(sourceId)),
    count: (articleId, query) => gate(() => t.jobs.countAudience(articleId, query)),
    postStates: (articleId) => gate(() => t.jobs.subscriptionsWith(articleId)),
    queueSelected: (articleId, query, now) => gate(() => t.jobs.enqueueAudience(articleId, query, now)),
    queueListed: (articleId, ids, opts, now) => gate(() => t.jobs.enqueue(articleId, ids.map((id) => ({ id })), opts, now)),
  };
}
