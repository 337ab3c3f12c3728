/** Reactions to sent posts, as counts: never who reacted. */

/** A reaction and how many times it was given. `emoji`: an emoji, or a named reaction (`paid`, `custom:<id>`). */
export interface ReactionCount {
  emoji: string;
  count: number;
}

/** An article's reactions on one platform, summed over its posts, most given first. */
export interface PlatformReactions {
  platform: string;
  total: number;
  reactions: ReactionCount[];
}

/** A post a reaction names: the outbox's job, its article and platform, and whether the article was retracted. */
export interface ReactedPost {
  postId: number;
  articleId: number;
  platform: string;
  retracted: boolean;
}
