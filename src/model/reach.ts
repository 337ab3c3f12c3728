/**
 * Reach: what each post did, counted without tracking a reader (issue 25). A post's link goes through a code of its
 * own (`/r/<code>`), whose clicks are counted per hour; nothing about who clicked is kept.
 */

/** Hours since 1970-01-01T00:00Z: the unit clicks are counted in. */
export const HOUR_MS = 3_600_000;
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);

/** What a post's code leads to. */
export interface ClickTarget {
  linkId: number;
  articleId: number;
  subscriptionId: number;
  /** The article's address as stored (undefined when it has none a reader can open). */
  url: string | undefined;
  retracted: boolean;
}

/** Clicks on one post within one hour, as they are written in a batch. */
export interface ClickCount {
  linkId: number;
  articleId: number;
  subscriptionId: number;
  hour: number;
  clicks: number;
}

/** Posts sent and clicks on them, for one platform. */
export interface PlatformCounts {
  platform: string;
  posts: number;
  clicks: number;
}

/** Posts sent and clicks on them, for one chat. */
export interface ChatCounts extends PlatformCounts {
  subscriptionId: number;
  chatId: string;
  title?: string;
}

/** A post as the hour suggestion reads it: when it was sent and the clicks it had. */
export interface PostClicks {
  sentAt: number;
  clicks: number;
}
