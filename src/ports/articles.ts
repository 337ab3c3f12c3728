import type { DuplicateMatch, NewArticle, StoredArticle } from '../model/article.js';
import type { Review, ReviewMessage, ReviewState } from '../model/review.js';

/** What identifies an item as one already stored: its URL and GUID, its story (title and opening) and its text. */
export interface DuplicateKeys {
  url?: string;
  guid?: string;
  storyKey: string;
  contentHash: string;
}

/**
 * The articles aggregate's writes: storing a new article (after the duplicate check), recording a duplicate seen,
 * and an editor's version of one. Reads every slice shares are in ArticleLookup (src/ports/index.ts).
 */
export interface ArticleRepository {
  /**
   * The stored article this one repeats, checked in order of certainty: URL, GUID, then the same story or the same
   * text stored within the last 72 hours (STORY_WINDOW_MS).
   */
  findDuplicate(keys: DuplicateKeys, now: number): Promise<DuplicateMatch | undefined>;
  /** The same item seen again, with which source, URL and GUID brought it (the duplicates' record). */
  recordDuplicate(
    match: DuplicateMatch,
    seen: { sourceId?: number; url?: string; guid?: string },
    now: number,
  ): Promise<void>;
  /** Stores a new article and indexes it for search; the article as stored. */
  insert(article: NewArticle, now: number): Promise<StoredArticle>;
  /** The editor's version beside the original (which stays as it came in); false when there is no such article. */
  setEdit(
    id: number,
    edit: { title: string; summary: string[]; hashtags: string[] },
    by: string,
    now: number,
  ): Promise<boolean>;
  /** A scheduled urgent alert's publication time (readers see it from then on); only an urgent alert's. */
  publishUrgentAt(id: number, at: number): Promise<void>;
}

/** Articles held for an editor's decision (sources with review on), and the copies each platform sent its editors. */
export interface ReviewRepository {
  /** Holds the article: pending, with a new random token for the buttons (once: a second call changes nothing). */
  open(articleId: number, now: number): Promise<void>;
  get(articleId: number): Promise<Review | undefined>;
  /** Compare-and-set out of `pending`: true for the first decision only, whoever and wherever it came from. */
  decide(
    articleId: number,
    to: Exclude<ReviewState, 'pending'>,
    by: { platform: string; id: string },
    now: number,
  ): Promise<boolean>;
  /** How many posts publishing queued. */
  setQueued(articleId: number, queued: number): Promise<void>;
  /** Waiting for a decision, oldest first. */
  pending(limit: number): Promise<Review[]>;
  /** Pending, and no editor asked yet, oldest first. */
  unasked(limit: number): Promise<Review[]>;
  markAsked(articleId: number, now: number): Promise<void>;
  /** One editor's copy of a held item (to update once someone decided). */
  addCopy(copy: ReviewMessage): Promise<void>;
  /** Every copy of a held item one platform sent. */
  copies(articleId: number, platform: string): Promise<ReviewMessage[]>;
}
