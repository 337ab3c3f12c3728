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
  private readonly topStoriesStmt = this.db.prepare(`SELECT t.article_id, COALESCE(a.edited_title, a.title) AS title, t.clicks FROM (
      SELECT article_id, SUM(clicks) AS clicks FROM (
        SELECT article_id, clicks FROM click_story_days WHERE day >= @day
        UNION ALL SELECT article_id, clicks FROM click_counts WHERE hour >= @hour AND hour < @day * 24
      ) GROUP BY article_id ORDER BY clicks DESC, article_id DESC LIMIT @limit
    ) t JOIN articles a ON a.id = t.article_id ORDER BY t.clicks DESC, t.article_id DESC`);
  // The window's posts (jobs_finished's range) and clicks (click_counts' hour range), each read once per report:
  // the platform totals and the chats' list are both made from these.
  // Posts with a counted link, by when their link was made (as the post left): click_links_created alone.
  private readonly postsPerChatStmt = this.db.prepare('SELECT subscription_id, COUNT(*) AS posts FROM click_links WHERE created_at >= ? GROUP BY subscription_id');
  private readonly clicksPerChatStmt = this.db.prepare(`SELECT subscription_id, SUM(clicks) AS clicks FROM (
      SELECT subscription_id, clicks FROM click_chat_days WHERE day >= @day
      UNION ALL SELECT subscription_id, clicks FROM click_counts WHERE hour >= @hour AND hour < @day * 24
    ) GROUP BY subscription_id`);
  private readonly chatsStmt = this.db.prepare('SELECT id, platform, chat_id, title FROM subscriptions WHERE id IN (SELECT value FROM json_each(?))');
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
    return (this.topStoriesStmt.all({ hour: sinceHour, day: Math.ceil(sinceHour / 24), limit }) as Array<{ article_id: number; title: string; clicks: number }>)
      .map((r) => ({ articleId: r.article_id, title: r.title, clicks: r.clicks }));
  }

  windowByChat(sinceHour: number, sinceMs: number): ChatCounts[] {
    const out = new Map<number, ChatCounts>();
    const of = (id: number) => out.get(id) ?? out.set(id, { subscriptionId: id, platform: '', chatId: '', posts: 0, clicks: 0 }).get(id)!;
    for (const r of this.postsPerChatStmt.all(sinceMs) as Array<{ subscription_id: number; posts: number }>) of(r.subscription_id).posts = r.posts;
    for (const r of this.clicksPerChatStmt.all({ hour: sinceHour, day: Math.ceil(sinceHour / 24) }) as Array<{ subscription_id: number; clicks: number }>) of(r.subscription_id).clicks = r.clicks;
    for (const r of this.chatsStmt.all(JSON.stringify([...out.keys()])) as Array<{ id: number; platform: string; chat_id: string; title: string | null }>) {
      const c = out.get(r.id)!;
      c.platform = r.platform;
      c.chatId = r.chat_id;
      if (r.title !== null) c.title = r.title;
    }
    return [...out.values()];
  }

  storyCounts(articleIds: readonly number[]): Array<PlatformCounts & { articleId: number }> {
    const ids = JSON.stringify(articleIds);
    const out = new Map<string, PlatformCounts & { articleId: number }>();
    const of = (articleId: number, platform: string) => {
      const key = `${articleId}:${platform}`;
      return out.get(key) ?? out.set(key, { articleId, platform, posts: 0, clicks: 0 }).get(key)!;
    };
    for (const r of this.storyPostsStmt.all(ids) as Array<{ article_id: number; platform: string; posts: number }>) of(r.article_id, r.platform).posts = r.posts;
    for (const r of this.storyClicksStmt.all(ids) as Array<{ article_id: number; platform: string; clicks: number }>) of(r.article_id, r.platform).clicks = r.clicks;
    return [...out.values()];
  }

  postClicks(audience: { platform?: string; subscriptionIds?: readonly number[] }, sinceMs: number, limit: number): PostClicks[] {
    return (this.postClicksStmt.all({
      since: sinceMs, platform: audience.platform ?? null, ids: audience.subscriptionIds ? JSON.stringify(audience.subscriptionIds) : null, limit,
    }) as Array<{ sent_at: number; clicks: number }>).map((r) => ({ sentAt: r.sent_at, clicks: r.clicks }));
  }
}
