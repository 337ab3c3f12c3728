import type { CorrectionRepository, RevisionRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** Editors' drafts and applied revisions, over the article_revisions table. */
export function revisionRepository(t: SqliteTables, gate: Gate): RevisionRepository {
  return {
    add: (r, now) => gate(() => t.revisions.add(r, now)),
    get: (id) => gate(() => t.revisions.get(id)),
    apply: (id, revision, now) => gate(() => t.revisions.apply(id, revision, now)),
    cancel: (id) => gate(() => t.revisions.cancel(id)),
  };
}

/** A correction's and a retraction's writes over the articles table and the outbox's correction statements. */
export function correctionRepository(t: SqliteTables, gate: Gate): CorrectionRepository {
  return {
    revise: (id, text, visible) => gate(() => t.articles.revise(id, text, visible)),
    applyEdit: (id, edit, by, now) => gate(() => {
      t.articles.setEdit(id, edit, by, now);
      t.articles.bumpRevision(id);
      return t.articles.get(id)!;
    }),
    retract: (id, by, now) => gate(() => t.articles.retract(id, by, now)),
    queueEdits: (id, revision, now) => gate(() => t.jobs.queueCorrections(id, 'edit', revision, now)),
    queueDeletes: (id, revision, now) => gate(() => t.jobs.queueCorrections(id, 'delete', revision, now)),
    cancelUnsent: (id, reason, now) => gate(() => t.jobs.cancelWaitingForArticle(id, reason, now)),
    postStates: (id) => gate(() => t.jobs.articleStates(id)),
    tally: (id) => gate(() => t.jobs.tally(id)),
  };
}
