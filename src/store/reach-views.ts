import { Table } from './table.js';
import type { ChatCounts, PlatformCounts, PostClicks } from '../model/reach.js';

/**
 * The reach read model's queries (src/newsroom/reach.ts), across click_counts, the day tables, click_links, jobs and
 * subscriptions. A window's sums read the counts in their primary keys' time order; what is per post or per article
 * goes through click_links' (article_id, subscription_id) and click_counts_link. Every list has a LIMIT.
 */
export class ReachViews extends Table {
  // A window's whole days from the day tables, its first, partial day from click_counts' hours: exact to the hour,
  // and a week is one row per story (or chat) and day instead of one per post and hour.
  private readonly topStoriesStmt =
    this.db.prepare(`SELECT t.article_id, COALESCE(a.edited_title, a.title) AS title, t.clicks FROM (
      SELECT article_id, SUM(clicks) AS clicks FROM (
        SELECT article_id, clicks FROM click_story_days WHERE day >= @day
        UNION ALL SELECT article_id, clicks FROM click_counts WHERE hour >= @hour AND hour < @day * 24
      ) GROUP BY article_id ORDER BY clicks DESC, article_id DESC LIMIT @limit
    ) t JOIN articles a ON a.id = t.article_id ORDER BY t.clicks DESC, t.article_id DESC`);
  // The window's posts (jobs_finished's range) and clicks (click_counts' hour range), each read once per report:
  // the platform totals and the chats' list are both made from these.
  // Posts with a counted link, by when their link was made (as the post left): click_links_created alone.
  private readonly postsPerChatStmt = this.db.prepare(
    'SELECT subscription_id, COUNT(*) AS posts FROM click_links WHERE created_at >= ? GROUP BY subscription_id',
  );
  private readonly clicksPerChatStmt = this.db.prepare(`SELECT subscription_id, SUM(clicks) AS clicks FROM (
      SELECT subscription_id, clicks FROM click_chat_days WHERE day >= @day
      UNION ALL SELECT subscription_id, clicks FROM click_counts WHERE hour >= @hour AND hour < @day * 24
    ) GROUP BY subscription_id`);
  private readonly chatsStmt = this.db.prepare(
    'SELECT id, platform, chat_id, title FROM subscriptions WHERE id IN (SELECT value FROM json_each(?))',
  );
  private readonly storyPostsStmt = this.db.prepare(`SELECT article_id, platform, COUNT(*) AS posts FROM jobs
    WHERE article_id IN (SELECT value FROM json_each(?)) AND kind = 'post' AND state = 'sent' GROUP BY article_id, platform`);
  private readonly storyClicksStmt = this.db.prepare(`SELECT l.article_id, s.platform, SUM(c.clicks) AS clicks
    FROM click_links l JOIN click_counts c ON c.link_id = l.id JOIN subscriptions s ON s.id = l.subscription_id
    WHERE l.article_id IN (SELECT value FROM json_each(?)) GROUP BY l.article_id, s.platform`);
  private readonly postClicksStmt = this.db.prepare(`SELECT j.finished_at AS sent_at,
      COALESCE((SELECT SUM(c.clicks) FROM click_links l JOIN click_counts c ON c.link_id = l.id
        WHERE l.article_id = j.article_id AND l.subscription_id = j.subscription_id), 0) AS clicks
    FROM jobs j
    WHERE j.finished_at >= @since AND j.kind = 'post' AND j.state = 'sent'
      AND (@platform IS NULL OR j.platform = @platform)
      AND (@ids IS NULL OR j.subscription_id IN (SELECT value FROM json_each(@ids)))
    ORDER BY j.finished_at DESC LIMIT @limit`);

  topStories(sinceHour: number, limit: number): Array<{ articleId: number; title: string; clicks: number }> {
    return (
      this.topStoriesStmt.all({ hour: sinceHour, day: Math.ceil(sinceHour / 24), limit }) as Array<{
        article_id: number;
        title: string;
        clicks: number;
      }>
    ).map((r) => ({ articleId: r.article_id, title: r.title, clicks: r.clicks }));
  }

  windowByChat(sinceHour: number, sinceMs: number): ChatCounts[] {
    const posts = this.postsPerChatStmt.all(sinceMs) as ChatPostsRow[];
    const clicks = this.clicksPerChatStmt.all({ hour: sinceHour, day: Math.ceil(sinceHour / 24) }) as ChatClicksRow[];
    return chatCountsFromRows(posts, clicks, this.chatsStmt.all(JSON.stringify(chatIdsOf(posts, clicks))) as ChatRow[]);
  }

  storyCounts(articleIds: readonly number[]): Array<PlatformCounts & { articleId: number }> {
    const ids = JSON.stringify(articleIds);
    return storyCountsFromRows(
      this.storyPostsStmt.all(ids) as StoryPostsRow[],
      this.storyClicksStmt.all(ids) as StoryClicksRow[],
    );
  }

  postClicks(
    audience: { platform?: string; subscriptionIds?: readonly number[] },
    sinceMs: number,
    limit: number,
  ): PostClicks[] {
    return (
      this.postClicksStmt.all({
        since: sinceMs,
        platform: audience.platform ?? null,
        ids: audience.subscriptionIds ? JSON.stringify(audience.subscriptionIds) : null,
        limit,
      }) as Array<{ sent_at: number; clicks: number }>
    ).map((r) => ({ sentAt: r.sent_at, clicks: r.clicks }));
  }
}

interface ChatPostsRow {
  subscription_id: number;
  posts: number;
}
interface ChatClicksRow {
  subscription_id: number;
  clicks: number;
}
interface ChatRow {
  id: number;
  platform: string;
  chat_id: string;
  title: string | null;
}

/** The chats a window's rows name (to read them by id). */
export const chatIdsOf = (posts: readonly ChatPostsRow[], clicks: readonly ChatClicksRow[]): number[] => [
  ...new Set([...posts, ...clicks].map((r) => r.subscription_id)),
];

/** The window's posts and clicks per chat (each in chat order), with the chats they name. */
export function chatCountsFromRows(
  posts: readonly ChatPostsRow[],
  clicks: readonly ChatClicksRow[],
  chats: readonly ChatRow[],
): ChatCounts[] {
  const out = new Map<number, ChatCounts>();
  const of = (id: number) =>
    out.get(id) ?? out.set(id, { subscriptionId: id, platform: '', chatId: '', posts: 0, clicks: 0 }).get(id)!;
  for (const r of posts) of(r.subscription_id).posts = r.posts;
  for (const r of clicks) of(r.subscription_id).clicks = r.clicks;
  for (const r of chats) {
    const c = out.get(r.id)!;
    c.platform = r.platform;
    c.chatId = r.chat_id;
    if (r.title !== null) c.title = r.title;
  }
  return [...out.values()];
}

interface StoryPostsRow {
  article_id: number;
  platform: string;
  posts: number;
}
interface StoryClicksRow {
  article_id: number;
  platform: string;
  clicks: number;
}

/** Posts and clicks per article and platform, merged. */
export function storyCountsFromRows(
  posts: readonly StoryPostsRow[],
  clicks: readonly StoryClicksRow[],
): Array<PlatformCounts & { articleId: number }> {
  const out = new Map<string, PlatformCounts & { articleId: number }>();
  const of = (articleId: number, platform: string) => {
    const key = `${articleId}:${platform}`;
    return out.get(key) ?? out.set(key, { articleId, platform, posts: 0, clicks: 0 }).get(key)!;
  };
  for (const r of posts) of(r.article_id, r.platform).posts = r.posts;
  for (const r of clicks) of(r.article_id, r.platform).clicks = r.clicks;
  return [...out.values()];
}
