import type { JobRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The worker's outbox port over the jobs table (db/013_outbox.sql) and the articles' stamps. */
export function jobRepository(t: SqliteTables, gate: Gate): JobRepository {
  return {
    next: (platform, limit, order, now, opts) => gate(() => t.jobs.next(platform, limit, order, now, opts)),
    hasQueued: (platform, opts) => gate(() => t.jobs.hasQueued(platform, opts)),
    failCorrectionsOn: (platform, reason, now) => gate(() => t.jobs.failCorrectionsOn(platform, reason, now)),
    markSending: (id, now) => gate(() => t.jobs.markSending(id, now)),
    markSent: (id, answer, now) => gate(() => t.jobs.markSent(id, answer, now)),
    retryLater: (id, error, notBefore) => gate(() => t.jobs.retryLater(id, error, notBefore)),
    postpone: (id, notBefore, note) => gate(() => t.jobs.postpone(id, notBefore, note)),
    markFailed: (id, error, opts, now) => gate(() => t.jobs.markFailed(id, error, opts, now)),
    markSkipped: (id, reason, now) => gate(() => t.jobs.markSkipped(id, reason, now)),
    recoverInterrupted: (policy, now) => gate(() => t.jobs.recoverInterrupted(policy, now)),
    articleStamp: (articleId) => gate(() => t.articles.stamp(articleId)),
  };
}
