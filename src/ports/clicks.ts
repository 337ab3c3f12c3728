import type { ChatCounts, ClickCount, ClickTarget, PlatformCounts, PostClicks } from '../model/reach.js';

/** The posts' link codes and their clicks (src/newsroom/clicks.ts). */
export interface ClickRepository {
  /** The code the article's post in this chat already links through, if it has one. */
  codeFor(articleId: number, subscriptionId: number): Promise<string | undefined>;
  /**
   * Stores a new code for the pair; when the pair already has one, that one stays and is returned (a post's code
   * never changes once it was sent).
   */
  remember(code: string, articleId: number, subscriptionId: number, now: number): Promise<string>;
  /** What a code leads to; a read only (an unknown code writes nothing). */
  resolve(code: string): Promise<ClickTarget | undefined>;
  /**
   * Adds a batch of counts (per post and hour) to those stored: per post and hour, per story and day, per chat and
   * day, and per hour. A write of its own (called outside a unit of work), which the adapter may make without
   * waiting for the disk: a power cut may lose the last seconds of counts, as a crash does.
   */
  addCounts(counts: readonly ClickCount[]): Promise<void>;
}

/**
 * What the reach read model asks (src/newsroom/reach.ts): sums over the counts per post and hour, bounded by an hour
 * range or a LIMIT. `sinceHour` is hours since the epoch (src/model/reach.ts hourOf).
 */
export interface ReachRepository {
  /** Clicks per hour since `sinceHour`, in hour order. */
  clicksPerHour(sinceHour: number): Promise<Array<{ hour: number; clicks: number }>>;
  /** The articles with the most clicks since `sinceHour`, most first. */
  topStories(sinceHour: number, limit: number): Promise<Array<{ articleId: number; title: string; clicks: number }>>;
  /**
   * Every chat with posts sent since `sinceMs` or clicks since `sinceHour`: how many of each (one pass over each
   * table's window). Posts here are those sent with a counted link (the ones that can be clicked).
   */
  windowByChat(sinceHour: number, sinceMs: number): Promise<ChatCounts[]>;
  /** Per article and platform, all time: posts sent and clicks on them. */
  storyCounts(articleIds: readonly number[]): Promise<Array<PlatformCounts & { articleId: number }>>;
  /** The audience's posts sent since `sinceMs` with their clicks (at most `limit`, the newest). */
  postClicks(
    audience: { platform?: string; subscriptionIds?: readonly number[] },
    sinceMs: number,
    limit: number,
  ): Promise<PostClicks[]>;
}
