import type { MessageTemplate } from './template.js';

/** A correction job: edit a sent post to the article's current revision, or delete it (a retraction). */
export type CorrectionKind = 'edit' | 'delete';
/**
 * What became of the post: edited in place; already showed that text ("message is not modified"); a reply that
 * carries the correction (the platform no longer lets it be edited); deleted for everyone; replaced by the
 * retraction notice (the platform refused to delete it).
 */
export type CorrectionOutcome = 'edited' | 'unchanged' | 'replied' | 'deleted' | 'notice';

/** What the worker needs to correct one sent post: the job, the post and where it is. */
export interface PendingCorrection {
  id: number;
  /** The post it edits or deletes (the job it waits for). */
  deliveryId: number;
  articleId: number;
  subscriptionId: number;
  platform: string;
  kind: CorrectionKind;
  revision: number;
  attempts: number;
  /** The delivery's state: a post still `sending` has no message id yet, and the job waits for it. */
  deliveryState: string;
  messageId?: string;
  /** When the post was sent (the platform's edit and delete windows count from it). */
  sentAt?: Date;
  chatId: string;
  threadId?: number;
  chatKind: string;
  /** The post is a digest folding several articles: it cannot be edited or deleted for one of them. */
  digest: boolean;
  /** The chat's own template: the corrected post is rendered as its deliveries are. */
  template?: MessageTemplate;
}

/** Per platform, how the corrections of one article ended (or stand): for the editor's report. */
export interface CorrectionTally {
  platform: string;
  kind: CorrectionKind;
  queued: number;
  done: Partial<Record<CorrectionOutcome, number>>;
  failed: number;
  skipped: number;
  inDoubt: number;
  /** Why posts could not be touched, with how many each. */
  reasons: Array<{ reason: string; count: number }>;
}

/** A revision of an article: an editor's correction waiting for «تأكيد» (draft), or one that was applied. */
export interface ArticleRevision {
  id: number;
  articleId: number;
  revision?: number;
  origin: 'source' | 'editor';
  state: 'draft' | 'applied' | 'cancelled';
  title: string;
  summary: string[];
  hashtags: string[];
  previousTitle: string;
  previousSummary: string[];
  author?: string;
  token: string;
  createdAt: Date;
  appliedAt?: Date;
}

/** A revision to store: applied at once (the source's, with its number), or an editor's draft waiting for «تأكيد». */
export type NewRevision = Pick<
  ArticleRevision,
  | 'articleId'
  | 'origin'
  | 'revision'
  | 'title'
  | 'summary'
  | 'hashtags'
  | 'previousTitle'
  | 'previousSummary'
  | 'author'
>;

/** An editor's version of the text a reader reads first, kept beside the source's original. */
export interface EditedText {
  title: string;
  summary: string[];
  hashtags: string[];
}

/** A new version of an article's text, as its source republished it (re-summarised and re-indexed for search). */
export interface RevisedText extends EditedText {
  paragraphs: string[];
  contentHash: string;
  storyKey: string;
  searchText: string;
  feedHash?: string;
}
