import { Table } from './table.js';
import type { PlatformReactions, ReactedPost } from '../model/reaction.js';
import { parseJsonArray, toJson } from './rows.js';

/** How many change keys a post keeps to recognise a replay: Telegram replays within minutes, a few updates at most. */
export const KEPT_EVENTS = 64;

/** post_reactions (counts per post and emoji) and post_reaction_marks (what was applied), db/015_reactions.sql. */
export class ReactionsTable extends Table {
  // Through the subscription (platform, chat_id) and jobs_post_message; a post a digest carried shares the digest's
  // message id with the others it carried, so it names no one post and is left out.
  private readonly postStmt =
    this.db.prepare(`SELECT j.id, j.article_id, j.platform, a.retracted_at IS NOT NULL AS retracted
    FROM subscriptions s JOIN jobs j ON j.subscription_id = s.id AND j.kind = 'post' AND j.message_id = @messageId
    JOIN articles a ON a.id = j.article_id
    WHERE s.platform = @platform AND s.chat_id = @chatId AND j.carried_by IS NULL LIMIT 1`);
  private readonly markStmt = this.db.prepare('SELECT counts_at, events FROM post_reaction_marks WHERE post_id = ?');
  private readonly putMark =
    this.db.prepare(`INSERT INTO post_reaction_marks (post_id, counts_at, events) VALUES (@postId, @countsAt, @events)
    ON CONFLICT (post_id) DO UPDATE SET counts_at = excluded.counts_at, events = excluded.events`);
  private readonly clearStmt = this.db.prepare('DELETE FROM post_reactions WHERE post_id = ?');
  private readonly insertStmt =
    this.db.prepare(`INSERT INTO post_reactions (post_id, article_id, platform, emoji, count, updated_at)
    VALUES (@postId, @articleId, @platform, @emoji, @count, @now)`);
  private readonly addStmt =
    this.db.prepare(`INSERT INTO post_reactions (post_id, article_id, platform, emoji, count, updated_at)
    VALUES (@postId, @articleId, @platform, @emoji, MAX(1, @delta), @now)
    ON CONFLICT (post_id, emoji) DO UPDATE SET count = MIN(10000000, MAX(0, count + @delta)), updated_at = @now`);
  private readonly existsStmt = this.db.prepare('SELECT 1 FROM post_reactions WHERE post_id = ? AND emoji = ?');
  private readonly dropEmpty = this.db.prepare(
    'DELETE FROM post_reactions WHERE post_id = ? AND emoji = ? AND count = 0',
  );
  private readonly byArticleStmt =
    this.db.prepare(`SELECT platform, emoji, SUM(count) AS count FROM post_reactions WHERE article_id = ?
    GROUP BY platform, emoji ORDER BY platform, count DESC, emoji`);
  private readonly byEmojiStmt = this.db.prepare(`SELECT article_id, emoji, SUM(count) AS count FROM post_reactions
    WHERE article_id IN (SELECT value FROM json_each(?)) GROUP BY article_id, emoji ORDER BY article_id, count DESC, emoji`);

  /** The post Nashra sent as `messageId` to this chat, if it is one of Nashra's posts. */
  findPost(platform: string, chatId: string, messageId: string): ReactedPost | undefined {
    const r = this.postStmt.get({ platform, chatId, messageId }) as ReactedPostRow | undefined;
    return r && reactedPostFromRow(r);
  }

  mark(postId: number): { countsAt?: number; events: string[] } {
    return reactionMarkFromRow(this.markStmt.get(postId) as ReactionMarkRow | undefined);
  }

  setMark(postId: number, mark: { countsAt?: number; events: string[] }): void {
    this.putMark.run({ postId, countsAt: mark.countsAt ?? null, events: toJson(mark.events.slice(-KEPT_EVENTS)) });
  }

  /** The post's counts become these (a full picture: what is not in it is gone). Zero counts are not kept. */
  replace(post: ReactedPost, counts: ReadonlyMap<string, number>, now: number): void {
    this.clearStmt.run(post.postId);
    for (const [emoji, count] of counts) {
      if (count > 0)
        this.insertStmt.run({
          postId: post.postId,
          articleId: post.articleId,
          platform: post.platform,
          emoji,
          count,
          now,
        });
    }
  }

  /** One reaction given (+1) or taken back (−1); a count never goes below zero, and a row at zero goes. */
  add(post: ReactedPost, emoji: string, delta: number, now: number): void {
    if (delta < 0 && !this.exists(post.postId, emoji)) return;
    this.addStmt.run({ postId: post.postId, articleId: post.articleId, platform: post.platform, emoji, delta, now });
    this.dropEmpty.run(post.postId, emoji);
  }

  private exists(postId: number, emoji: string): boolean {
    return this.existsStmt.get(postId, emoji) !== undefined;
  }

  /** The article's reactions per platform, summed over its posts. */
  byArticle(articleId: number): PlatformReactions[] {
    return platformReactionsFromRows(
      this.byArticleStmt.all(articleId) as Array<{ platform: string; emoji: string; count: number }>,
    );
  }

  /** Per article, its reactions by emoji over every platform, most given first; an article with none is absent. */
  byEmoji(articleIds: readonly number[]): Map<number, Record<string, number>> {
    return emojiCountsFromRows(
      this.byEmojiStmt.all(JSON.stringify(articleIds)) as Array<{ article_id: number; emoji: string; count: number }>,
    );
  }
}

interface ReactedPostRow {
  id: number;
  article_id: number;
  platform: string;
  retracted: number;
}
export const reactedPostFromRow = (r: ReactedPostRow): ReactedPost => ({
  postId: r.id,
  articleId: r.article_id,
  platform: r.platform,
  retracted: r.retracted === 1,
});

interface ReactionMarkRow {
  counts_at: number | null;
  events: string;
}
export const reactionMarkFromRow = (r: ReactionMarkRow | undefined): { countsAt?: number; events: string[] } => ({
  countsAt: r?.counts_at ?? undefined,
  events: parseJsonArray(r?.events),
});

/** An article's rows per platform and emoji (in platform order, most given first) as its reactions per platform. */
export function platformReactionsFromRows(
  rows: ReadonlyArray<{ platform: string; emoji: string; count: number }>,
): PlatformReactions[] {
  const out = new Map<string, PlatformReactions>();
  for (const r of rows) {
    let p = out.get(r.platform);
    if (!p) {
      p = { platform: r.platform, total: 0, reactions: [] };
      out.set(r.platform, p);
    }
    p.total += r.count;
    p.reactions.push({ emoji: r.emoji, count: r.count });
  }
  return [...out.values()];
}

/** Rows per article and emoji as each article's counts by emoji. */
export function emojiCountsFromRows(
  rows: ReadonlyArray<{ article_id: number; emoji: string; count: number }>,
): Map<number, Record<string, number>> {
  const out = new Map<number, Record<string, number>>();
  for (const r of rows) {
    const counts = out.get(r.article_id) ?? out.set(r.article_id, {}).get(r.article_id)!;
    counts[r.emoji] = r.count;
  }
  return out;
}
