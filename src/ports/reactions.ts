import type { PlatformReactions, ReactedPost } from '../model/reaction.js';

/**
 * Reactions to the posts Nashra sent, as counts per post and emoji (src/newsroom/reactions.ts writes them, the desk
 * and the Reach page read them). Nothing here names who reacted.
 */
export interface ReactionRepository {
  /** The post sent to this chat as this platform message, if it is one of Nashra's (a post a digest carried is not). */
  findPost(platform: string, chatId: string, messageId: string): Promise<ReactedPost | undefined>;
  /** What was applied to the post: the time of its last full count, and the keys of its last changes. */
  mark(postId: number): Promise<{ countsAt?: number; events: string[] }>;
  setMark(postId: number, mark: { countsAt?: number; events: string[] }): Promise<void>;
  /**
   * The post's counts become exactly these. An emoji here and in `add` is a checked reaction key (the newsroom's
   * isReactionKey): never a NUL, which PostgreSQL's text cannot hold.
   */
  replace(post: ReactedPost, counts: ReadonlyMap<string, number>, now: number): Promise<void>;
  /** One reaction given (+1) or taken back (−1); never below zero. */
  add(post: ReactedPost, emoji: string, delta: number, now: number): Promise<void>;
  /** An article's reactions per platform and emoji, summed over its posts, most given first. */
  byArticle(articleId: number): Promise<PlatformReactions[]>;
  /** Per article, its reactions by emoji over every platform, most given first; an article with none is absent. */
  byEmoji(articleIds: readonly number[]): Promise<Map<number, Record<string, number>>>;
}
