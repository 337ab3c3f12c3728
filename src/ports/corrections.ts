import type { StoredArticle } from '../model/article.js';
import type { ArticleRevision, CorrectionTally, EditedText, NewRevision, RevisedText } from '../model/correction.js';
import type { DeliveryState } from '../model/delivery.js';

export type { EditedText, NewRevision, RevisedText } from '../model/correction.js';

/** Editors' correction drafts and every revision applied to an article. */
export interface RevisionRepository {
  add(revision: NewRevision, now: number): Promise<ArticleRevision>;
  get(id: number): Promise<ArticleRevision | undefined>;
  /** draft → applied as this revision, once (a compare-and-set: a second press applies nothing). */
  apply(id: number, revision: number, now: number): Promise<boolean>;
  /** draft → cancelled; false when it was not a draft (decided already). */
  cancel(id: number): Promise<boolean>;
}

/**
 * What a correction or a retraction changes: the article's text and revision, its retraction, and the jobs of its
 * posts in the outbox (edits and deletes queued for the posts sent, what was not sent cancelled), with the reads
 * that say what they would touch and what became of them.
 */
export interface CorrectionRepository {
  /**
   * The source's new text; `visible`: a reader would notice, so the revision goes up. False (nothing written) once
   * the article is retracted.
   */
  revise(articleId: number, text: RevisedText, visible: boolean): Promise<boolean>;
  /** The editor's version becomes what is sent, and the posts show a new revision: the article as it now is. */
  applyEdit(articleId: number, edit: EditedText, by: string, now: number): Promise<StoredArticle>;
  /** Retracted, once: false when it already was (the first editor's retraction stands). */
  retract(articleId: number, by: string, now: number): Promise<boolean>;
  /** One edit to this revision per post sent (or on its way); queued edits of older revisions are superseded. How many. */
  queueEdits(articleId: number, revision: number, now: number): Promise<number>;
  /** One delete per post sent (or on its way). How many. */
  queueDeletes(articleId: number, revision: number, now: number): Promise<number>;
  /** Every job of the article that has not left (queued, held, waiting for quiet hours, edits) is cancelled. How many. */
  cancelUnsent(articleId: number, reason: string, now: number): Promise<number>;
  /** The article's posts per platform and state: what a correction or a retraction would touch. */
  postStates(articleId: number): Promise<Array<{ platform: string; state: DeliveryState; count: number }>>;
  /** Per platform and kind, how the article's edits and deletes stand, with the reasons of those not done. */
  tally(articleId: number): Promise<CorrectionTally[]>;
}
