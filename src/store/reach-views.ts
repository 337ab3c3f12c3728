import type { Database, Statement } from 'better-sqlite3';
import type { PlatformCounts, PostClicks } from '../model/reach.js';

/**
 * The reach read model's queries (src/newsroom/reach.ts), across click_counts, click_links, jobs and subscriptions.
 * The window's sums read click_counts alone in its primary key's hour order; what is per post or per article goes
 * through click_links' (article_id, subscription_id) and click_counts_link. Every list has a LIMIT.
 */
export class ReachViews {
  private readonly perHourStmt: Statement;
  private readonly topStoriesStmt: Statement;
  private readonly topChatsStmt: Statement;
  private readonly postsPerChatStmt: Statement;
  private readonly clicksPerPlatformStmt: Statement;
  private readonly postsPerPlatformStmt: Statement;
  private readonly storyPostsStmt: Statement;
  private readonly storyClicksStmt: Statement;
  private readonly postClicksStmt: Statement;

  constructor(db: Database) {
    this.perHourStmt = db.prepare('SELECT hour, SUM(clicks) AS clicks FROM click_counts WHERE hour >= ? GROUP BY hour ORDER BY hour');
    this.topStoriesStmt = db.prepare(`SELECT t.article_id, COALESCE(a.edited_title, a.title) AS title, t.clicks FROM (
        SELECT article_id, SUM(clicks) AS clicks FROM click_counts WHERE hour >= ? GROUP BY article_id ORDER BY clicks DESC, article_id DESC LIMIT ?
      ) t JOIN articles a ON a.id = t.article_id ORDER BY t.clicks DESC, t.article_id DESC`);
    this.topChatsStmt = db.prepare(`SELECT t.subscription_id, s.platform, s.chat_id, s.title, t.clicks FROM (
        SELECT subscription_id, SUM(clicks) AS clicks FROM click_counts WHERE hour >= ? GROUP BY subscription_id ORDER BY clicks DESC, subscription_id LIMIT ?
      ) t JOIN subscriptions s ON s.id = t.subscription_id ORDER BY t.clicks DESC, t.subscription_id`);
    this.postsPerChatStmt = db.prepare(`SELECT subscription_id, COUNT(*) AS posts FROM jobs
      WHERE finished_at >= ? AND kind = 'post' AND state = 'sent' AND subscription_id IN (SELECT value FROM json_each(?))
      GROUP BY subscription_id`);
    this.clicksPerPlatformStmt = db.prepare(`SELECT s.platform, SUM(t.clicks) AS clicks FROM (
        SELECT subscription_id, SUM(clicks) AS clicks FROM click_counts WHERE hour >= ? GROUP BY subscription_id
      ) t JOIN subscriptions s ON s.id = t.subscription_id GROUP BY s.platform`);
    this.postsPerPlatformStmt = db.prepare(`SELECT platform, COUNT(*) AS posts FROM jobs
      WHERE finished_at >= ? AND kind = 'post' AND state = 'sent' GROUP BY platform`);
    this.storyPostsStmt = db.prepare(`SELECT article_id, platform, COUNT(*) AS posts FROM jobs
      WHERE article_id IN (SELECT value FROM json_each(?)) AND kind = 'post' AND state = 'sent' GROUP BY article_id, platform`);
    this.storyClicksStmt = db.prepare(`SELECT l.article_id, s.platform, SUM(c.clicks) AS clicks
      FROM click_links l JOIN click_counts c ON c.link_id = l.id JOIN subscriptions s ON s.id = l.subscription_id
      WHERE l.article_id IN (SELECT value FROM json_each(?)) GROUP BY l.article_id, s.platform`);
    this.postClicksStmt = db.prepare(`SELECT j.finished_at AS sent_at,
        COALESCE((SELECT SUM(c.clicks) FROM click_links l JOIN click_counts c ON c.link_id = l.id
          WHERE l.article_id = j.article_id AND l.subscription_id = j.subscription_id), 0) AS clicks
      FROM jobs j
      WHERE j.finished_at >= @since AND j.kind = 'post' AND j.state = 'sent'
        AND (@platform IS NULL OR j.platform = @platform)
        AND (@ids IS NULL OR j.subscription_id IN (SELECT value FROM json_each(@ids)))
      ORDER BY j.finished_at DESC LIMIT @limit`);
  }

  clicksPerHour(sinceHour: number): Array<{ hour: number; clicks: number }> {
    return this.perHourStmt.all(sinceHour) as Array<{ hour: number; clicks: number }>;
  }

  topStories(sinceHour: number, limit: number): Array<{ articleId: number; title: string; clicks: number }> {
    return (this.topStoriesStmt.all(sinceHour, limit) as Array<{ article_id: number; title: string; clicks: number }>)
      .map((r) => ({ articleId: r.article_id, title: r.title, clicks: r.clicks }));
  }

  topChats(sinceHour: number, sinceMs: number, limit: number): Array<{ subscriptionId: number; platform: string; chatId: string; title?: string; posts: number; clicks: number }> {
    const rows = this.topChatsStmt.all(sinceHour, limit) as Array<{ subscription_id: number; platform: string; chat_id: string; title: string | null; clicks: number }>;
    const posts = new Map((this.postsPerChatStmt.all(sinceMs, JSON.stringify(rows.map((r) => r.subscription_id))) as Array<{ subscription_id: number; posts: number }>)
      .map((r) => [r.subscription_id, r.posts]));
    return rows.map((r) => ({
      subscriptionId: r.subscription_id, platform: r.platform, chatId: r.chat_id, title: r.title ?? undefined,
      posts: posts.get(r.subscription_id) ?? 0, clicks: r.clicks,
    }));
  }

  perPlatform(sinceHour: number, sinceMs: number): PlatformCounts[] {
    const out = new Map<string, PlatformCounts>();
    const of = (platform: string) => out.get(platform) ?? out.set(platform, { platform, posts: 0, clicks: 0 }).get(platform)!;
    for (const r of this.postsPerPlatformStmt.all(sinceMs) as Array<{ platform: string; posts: number }>) of(r.platform).posts = r.posts;
    for (const r of this.clicksPerPlatformStmt.all(sinceHour) as Array<{ platform: string; clicks: number }>) of(r.platform).clicks = r.clicks;
    return [...out.values()].sort((a, b) => a.platform.localeCompare(b.platform));
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
