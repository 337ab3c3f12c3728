/** The article model every part of Nashra speaks: readers produce it, the store keeps it, formatters print it. */
export interface Article {
  /** Canonical public URL (tracking parameters and fragments removed); absent when there is none (an editor's
   * urgent alert, a local file), and then no link is shown. */
  url?: string;
  /** Headline as published (original spelling, bidi controls removed). */
  title: string;
  /** Who published it: "SY24", a feed's title, a byline such as «الوئام». */
  source: string;
  /** Person who wrote it, when known and different from the source. */
  author?: string;
  /** Publication time; undefined when unknown. */
  publishedAt?: Date;
  /** Body, one entry per paragraph, junk (share buttons, «اقرأ أيضاً», dateline) removed. */
  paragraphs: string[];
  /** Categories and tags from the source. */
  categories: string[];
  /** Lead image URL (absolute). */
  imageUrl?: string;
  /** BCP-47-ish language code guessed from the text: "ar", "en", … or "und". */
  language: string;
  /** Feed GUID, when the article came from a feed. */
  guid?: string;
  /** Feed excerpt, when there was one. */
  excerpt?: string;
  /** An editor's «عاجل» alert. */
  urgent?: boolean;
}

/** What a formatter needs: an article reduced to the message a subscriber reads. */
export interface Post {
  title: string;
  summary: string[];
  source: string;
  url?: string;
  publishedAt?: Date;
  hashtags: string[];
  imageUrl?: string;
  /** IANA zone the date is shown in (the source's), default Asia/Damascus. */
  timeZone?: string;
}

/** An article as stored: the model plus what Nashra computed from it. */
export interface StoredArticle extends Article {
  id: number;
  sourceId?: number;
  summary: string[];
  hashtags: string[];
  timeZone?: string;
  seenOnly: boolean;
  /** An editor's «عاجل» alert: shown with the urgent mark and no link, sent before everything else. */
  urgent: boolean;
  createdAt: Date;
  /** Set when an editor changed title, summary or hashtags: the fields above are then the editor's version. */
  edit?: ArticleEdit;
  /** 1 as first stored; +1 for every reader-visible change applied (the source's or an editor's correction). */
  revision: number;
  /** The item as its source last published it (a fingerprint), for noticing a change at the next poll. */
  feedHash?: string;
  /** Set once an editor retracted it: it is never sent again, and its sent posts were deleted. */
  retracted?: { at: Date; by: string };
}

/** An editor's change to an article (the desk), and what it replaced. */
export interface ArticleEdit {
  by: string;
  at: Date;
  original: { title: string; summary: string[]; hashtags: string[] };
}

export type DuplicateReason = 'url' | 'guid' | 'story' | 'content';
export interface DuplicateMatch {
  articleId: number;
  reason: DuplicateReason;
}

/** What the pipeline stores for a new article: the article, what Nashra computed from it, and where it came from. */
export interface NewArticle {
  article: Article;
  summary: string[];
  hashtags: string[];
  contentHash: string;
  storyKey: string;
  searchText: string;
  /** indexTerms(searchText), when computed ahead (off the main thread). */
  searchTerms?: string;
  sourceId?: number;
  timeZone?: string;
  seenOnly?: boolean;
  /** The item as its source published it (see feedHash in the poller): a later poll compares against it. */
  feedHash?: string;
}
