import type { ReactionRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The reactions port over post_reactions and post_reaction_marks (src/store/reactions.ts). */
export function reactionRepository(t: SqliteTables, gate: Gate): ReactionRepository {
  return {
    findPost: (platform, chatId, messageId) => gate(() => t.reactions.findPost(platform, chatId, messageId)),
    mark: (postId) => gate(() => t.reactions.mark(postId)),
    setMark: (postId, mark) => gate(() => t.reactions.setMark(postId, mark)),
    replace: (post, counts, now) => gate(() => t.reactions.replace(post, counts, now)),
    add: (post, emoji, delta, now) => gate(() => t.reactions.add(post, emoji, delta, now)),
    byArticle: (articleId) => gate(() => t.reactions.byArticle(articleId)),
    totals: (articleIds) => gate(() => t.reactions.totals(articleIds)),
  };
}
