import type { ArticleRepository, ReviewRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The articles aggregate's writes over the articles table. */
export function articleRepository(t: SqliteTables, gate: Gate): ArticleRepository {
  return {
    findDuplicate: (keys, now) => gate(() => t.articles.findDuplicate(keys, now)),
    recordDuplicate: (match, seen, now) => gate(() => t.articles.recordDuplicate(match, seen, now)),
    // One statement's gate for both: the row and its search terms, then the row read back (with its defaults).
    insert: (article, now) => gate(() => t.articles.get(t.articles.insert(article, now))!),
    setEdit: (id, edit, by, now) => gate(() => t.articles.setEdit(id, edit, by, now)),
    publishUrgentAt: (id, at) => gate(() => t.articles.publishUrgentAt(id, at)),
  };
}

/** Reviews and the copies platforms sent of them, over their two tables. */
export function reviewRepository(t: SqliteTables, gate: Gate): ReviewRepository {
  return {
    open: (articleId, now) => gate(() => t.reviews.open(articleId, now)),
    get: (articleId) => gate(() => t.reviews.get(articleId)),
    decide: (articleId, to, by, now) => gate(() => t.reviews.decide(articleId, to, by, now)),
    setQueued: (articleId, queued) => gate(() => t.reviews.setQueued(articleId, queued)),
    pending: (limit) => gate(() => t.reviews.pending(limit)),
    unasked: (limit) => gate(() => t.reviews.unasked(limit)),
    markAsked: (articleId, now) => gate(() => t.reviews.markAsked(articleId, now)),
    addCopy: (copy) => gate(() => t.reviewMessages.add(copy)),
    copies: (articleId, platform) => gate(() => t.reviewMessages.list(articleId, platform)),
  };
}
