import type { ReadRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The read port over the articles' lists and search, the desk's views, broadcasts and subscriptions. */
export function readRepository(t: SqliteTables, gate: Gate): ReadRepository {
  return {
    latest: (limit, now) => gate(() => t.articles.latest(limit, now)),
    search: (groups, limit) => gate(() => t.articles.search(groups, limit)),
    recentCategories: (since, limit) => gate(() => t.articles.recentCategories(since, limit)),
    today: (filter) => gate(() => t.desk.today(filter)),
    recentTopics: () => gate(() => t.desk.recentTopics()),
    articlesPerDay: (since) => gate(() => t.desk.articlesPerDay(since)),
    broadcastsOfArticle: (articleId) => gate(() => t.desk.broadcastsForArticle(articleId)),
    findSubscriptions: (filter) => gate(() => t.desk.subscriptions(filter)),
    subscribedPlatforms: () => gate(() => t.subscriptions.counts().map((c) => c.platform)),
    audit: (filter) => gate(() => t.desk.audit(filter)),
    auditChoices: () => gate(() => t.desk.auditChoices()),
    // The store's own flag: closing it is the process shutting down (no statement runs).
  };
}
