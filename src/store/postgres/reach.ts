/**
 * What the posts did, on PostgreSQL: the reactions, full story, clicks and reach ports, with the statements of
 * src/store/reactions.ts, full-reads.ts, click-*.ts and reach-views.ts and their row mappers.
 *
 * Where PostgreSQL reads differently:
 * - a list of ids is one array parameter (`= ANY(?::bigint[])`) where SQLite reads a JSON text with json_each;
 * - text sorts by the database's collation, SQLite's by code point: `COLLATE "C"` (byte order, which in UTF-8 is code
 *   point order) where a platform or an emoji orders rows; a GROUP BY SQLite answers in key order gets the ORDER BY;
 * - a NUL in a text argument arrives as U+FFFD on both adapters (src/store/rows.ts withoutNul), so it matches
 *   nothing stored, as on SQLite.
 */
import type { ClickCount } from '../../model/reach.js';
import type { ClickRepository, FullStoryRepository, ReachRepository, ReactionRepository } from '../../ports/index.js';
import { clickTargetFromRow } from '../click-links.js';
import { chatCountsFromRows, chatIdsOf, storyCountsFromRows } from '../reach-views.js';
import {
  emojiCountsFromRows,
  KEPT_EVENTS,
  platformReactionsFromRows,
  reactedPostFromRow,
  reactionMarkFromRow,
} from '../reactions.js';
import { toJson } from '../rows.js';
import { statement, type Sql } from './sql.js';

// The rows each SQLite mapper reads (the store exports mappers, not row types).
type ClickTargetRow = Parameters<typeof clickTargetFromRow>[0];
type ReactedPostRow = Parameters<typeof reactedPostFromRow>[0];
type ReactionMarkRow = Parameters<typeof reactionMarkFromRow>[0];
type ChatPostsRow = Parameters<typeof chatCountsFromRows>[0][number];
type ChatClicksRow = Parameters<typeof chatCountsFromRows>[1][number];
type ChatRow = Parameters<typeof chatCountsFromRows>[2][number];
type StoryPostsRow = Parameters<typeof storyCountsFromRows>[0][number];
type StoryClicksRow = Parameters<typeof storyCountsFromRows>[1][number];

// Reactions (db/015). `LIMIT 1` in id order: SQLite reads jobs_post_message, whose ties are in rowid order.
const POST = statement(`SELECT j.id, j.article_id, j.platform, (a.retracted_at IS NOT NULL)::int AS retracted
  FROM subscriptions s JOIN jobs j ON j.subscription_id = s.id AND j.kind = 'post' AND j.message_id = @messageId
  JOIN articles a ON a.id = j.article_id
  WHERE s.platform = @platform AND s.chat_id = @chatId AND j.carried_by IS NULL ORDER BY j.id LIMIT 1`);
const MARK = statement('SELECT counts_at, events FROM post_reaction_marks WHERE post_id = ?');
const PUT_MARK =
  statement(`INSERT INTO post_reaction_marks (post_id, counts_at, events) VALUES (@postId, @countsAt, @events)
  ON CONFLICT (post_id) DO UPDATE SET counts_at = excluded.counts_at, events = excluded.events`);
const CLEAR = statement('DELETE FROM post_reactions WHERE post_id = ?');
// SQLite inserts the counts one statement each; here one statement takes them all as two arrays.
const INSERT_COUNTS = statement(`INSERT INTO post_reactions (post_id, article_id, platform, emoji, count, updated_at)
  SELECT @postId::bigint, @articleId::bigint, @platform::text, c.emoji, c.count, @now::bigint FROM unnest(@emojis::text[], @counts::bigint[]) AS c (emoji, count)`);
const ADD = statement(`INSERT INTO post_reactions (post_id, article_id, platform, emoji, count, updated_at)
  VALUES (@postId, @articleId, @platform, @emoji, GREATEST(1, @delta::bigint), @now)
  ON CONFLICT (post_id, emoji) DO UPDATE SET count = LEAST(10000000, GREATEST(0, post_reactions.count + @delta::bigint)), updated_at = @now`);
const EXISTS = statement('SELECT 1 AS found FROM post_reactions WHERE post_id = ? AND emoji = ?');
const DROP_EMPTY = statement('DELETE FROM post_reactions WHERE post_id = ? AND emoji = ? AND count = 0');
const BY_ARTICLE = statement(`SELECT platform, emoji, SUM(count) AS count FROM post_reactions WHERE article_id = ?
  GROUP BY platform, emoji ORDER BY platform COLLATE "C", count DESC, emoji COLLATE "C"`);
const BY_EMOJI = statement(`SELECT article_id, emoji, SUM(count) AS count FROM post_reactions
  WHERE article_id = ANY(?::bigint[]) GROUP BY article_id, emoji ORDER BY article_id, count DESC, emoji COLLATE "C"`);

export function reactionRepository(sql: Sql): ReactionRepository {
  return {
    findPost: async (platform, chatId, messageId) => {
      const row = await sql.get<ReactedPostRow>(POST, { platform, chatId, messageId });
      return row && reactedPostFromRow(row);
    },
    mark: async (postId) => reactionMarkFromRow(await sql.get<ReactionMarkRow>(MARK, [postId])),
    setMark: async (postId, mark) => {
      await sql.run(PUT_MARK, {
        postId,
        countsAt: mark.countsAt ?? null,
        events: toJson(mark.events.slice(-KEPT_EVENTS)),
      });
    },
    // A full picture: what is not in it is gone; zero counts are not kept.
    replace: (post, counts, now) =>
      sql.atomic(async (s) => {
        await s.run(CLEAR, [post.postId]);
        const given = [...counts].filter(([, count]) => count > 0);
        if (given.length === 0) return;
        await s.run(INSERT_COUNTS, {
          postId: post.postId,
          articleId: post.articleId,
          platform: post.platform,
          now,
          emojis: given.map(([emoji]) => emoji),
          counts: given.map(([, count]) => count),
        });
      }),
    // A count never goes below zero, and a row at zero goes.
    add: (post, emoji, delta, now) =>
      sql.atomic(async (s) => {
        if (delta < 0 && (await s.get(EXISTS, [post.postId, emoji])) === undefined) return;
        await s.run(ADD, {
          postId: post.postId,
          articleId: post.articleId,
          platform: post.platform,
          emoji,
          delta,
          now,
        });
        await s.run(DROP_EMPTY, [post.postId, emoji]);
      }),
    byArticle: async (articleId) =>
      platformReactionsFromRows(
        await sql.all<{ platform: string; emoji: string; count: number }>(BY_ARTICLE, [articleId]),
      ),
    byEmoji: async (articleIds) =>
      emojiCountsFromRows(await sql.all<{ article_id: number; emoji: string; count: number }>(BY_EMOJI, [articleIds])),
  };
}

// The full story (db/017).
const READS_OF = statement('SELECT article_id, reads FROM full_story_reads WHERE article_id = ANY(?::bigint[])');
const ADD_READS =
  statement(`INSERT INTO full_story_reads (article_id, reads, last_read_at) VALUES (@articleId, @reads::bigint, @now)
  ON CONFLICT (article_id) DO UPDATE SET reads = full_story_reads.reads + @reads::bigint, last_read_at = excluded.last_read_at`);
const KEY = statement('SELECT secret FROM full_story_key WHERE id = 1');

export function fullStoryRepository(sql: Sql): FullStoryRepository {
  const readsOf = async (articleIds: readonly number[]) =>
    new Map(
      (await sql.all<{ article_id: number; reads: number }>(READS_OF, [articleIds])).map((r) => [
        r.article_id,
        r.reads,
      ]),
    );
  return {
    reads: async (articleId) => (await readsOf([articleId])).get(articleId) ?? 0,
    readsOf,
    addReads: async (articleId, reads, now) => {
      await sql.run(ADD_READS, { articleId, reads, now });
    },
    linkKey: async () => (await sql.get<{ secret: Buffer }>(KEY))!.secret,
  };
}

// Link codes and their counts (db/019).
const CODE_FOR = statement('SELECT code FROM click_links WHERE article_id = ? AND subscription_id = ?');
const INSERT_LINK =
  statement(`INSERT INTO click_links (code, article_id, subscription_id, created_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (article_id, subscription_id) DO NOTHING`);
const RESOLVE = statement(`SELECT l.id, l.article_id, l.subscription_id, a.url, a.retracted_at
  FROM click_links l JOIN articles a ON a.id = l.article_id WHERE l.code = ?`);
// A batch as five arrays, one statement per table; each sums the batch by its key first (SQLite adds the counts one
// statement each, and PostgreSQL refuses an upsert that meets the same key twice in one statement).
const BATCH = `unnest(@hours::bigint[], @links::bigint[], @articles::bigint[], @subscriptions::bigint[], @clicks::bigint[])
  AS b (hour, link_id, article_id, subscription_id, clicks)`;
const ADD_COUNTS = statement(`INSERT INTO click_counts (hour, link_id, article_id, subscription_id, clicks)
  SELECT hour, link_id, MIN(article_id), MIN(subscription_id), SUM(clicks) FROM ${BATCH} GROUP BY hour, link_id
  ON CONFLICT (hour, link_id) DO UPDATE SET clicks = click_counts.clicks + excluded.clicks`);
const ADD_STORY_DAYS = statement(`INSERT INTO click_story_days (day, article_id, clicks)
  SELECT floor(hour / 24.0)::bigint, article_id, SUM(clicks) FROM ${BATCH} GROUP BY 1, article_id
  ON CONFLICT (day, article_id) DO UPDATE SET clicks = click_story_days.clicks + excluded.clicks`);
const ADD_CHAT_DAYS = statement(`INSERT INTO click_chat_days (day, subscription_id, clicks)
  SELECT floor(hour / 24.0)::bigint, subscription_id, SUM(clicks) FROM ${BATCH} GROUP BY 1, subscription_id
  ON CONFLICT (day, subscription_id) DO UPDATE SET clicks = click_chat_days.clicks + excluded.clicks`);
const ADD_HOURS = statement(`INSERT INTO click_hours (hour, clicks) SELECT hour, SUM(clicks) FROM ${BATCH} GROUP BY hour
  ON CONFLICT (hour) DO UPDATE SET clicks = click_hours.clicks + excluded.clicks`);
// SQLite's synchronous=NORMAL for these writes: the commit does not wait for the disk (the port allows it).
const NO_DISK_WAIT = statement("SELECT set_config('synchronous_commit', 'off', true) AS synchronous_commit");

export function clickRepository(sql: Sql): ClickRepository {
  const codeFor = async (articleId: number, subscriptionId: number) =>
    (await sql.get<{ code: string }>(CODE_FOR, [articleId, subscriptionId]))?.code;
  return {
    codeFor,
    remember: (code, articleId, subscriptionId, now) =>
      sql.atomic(async (s) => {
        await s.run(INSERT_LINK, [code, articleId, subscriptionId, now]);
        return (await s.get<{ code: string }>(CODE_FOR, [articleId, subscriptionId]))!.code;
      }),
    resolve: async (code) => {
      const row = await sql.get<ClickTargetRow>(RESOLVE, [code]);
      return row && clickTargetFromRow(row);
    },
    addCounts: async (counts: readonly ClickCount[]) => {
      if (counts.length === 0) return;
      const batch = {
        hours: counts.map((c) => c.hour),
        links: counts.map((c) => c.linkId),
        articles: counts.map((c) => c.articleId),
        subscriptions: counts.map((c) => c.subscriptionId),
        clicks: counts.map((c) => c.clicks),
      };
      await sql.atomic(async (s) => {
        await s.get(NO_DISK_WAIT);
        for (const add of [ADD_COUNTS, ADD_STORY_DAYS, ADD_CHAT_DAYS, ADD_HOURS]) await s.run(add, batch);
      });
    },
  };
}

// The reach read model's sums (src/store/reach-views.ts says how the windows are read).
const CLICKS_PER_HOUR = statement('SELECT hour, clicks FROM click_hours WHERE hour >= ? ORDER BY hour');
const TOP_STORIES = statement(`SELECT t.article_id, COALESCE(a.edited_title, a.title) AS title, t.clicks FROM (
    SELECT article_id, SUM(clicks) AS clicks FROM (
      SELECT article_id, clicks FROM click_story_days WHERE day >= @day::bigint
      UNION ALL SELECT article_id, clicks FROM click_counts WHERE hour >= @hour AND hour < @day::bigint * 24
    ) w GROUP BY article_id ORDER BY clicks DESC, article_id DESC LIMIT @limit
  ) t JOIN articles a ON a.id = t.article_id ORDER BY t.clicks DESC, t.article_id DESC`);
const POSTS_PER_CHAT = statement(`SELECT subscription_id, COUNT(*) AS posts FROM click_links WHERE created_at >= ?
  GROUP BY subscription_id ORDER BY subscription_id`);
const CLICKS_PER_CHAT = statement(`SELECT subscription_id, SUM(clicks) AS clicks FROM (
    SELECT subscription_id, clicks FROM click_chat_days WHERE day >= @day::bigint
    UNION ALL SELECT subscription_id, clicks FROM click_counts WHERE hour >= @hour AND hour < @day::bigint * 24
  ) w GROUP BY subscription_id ORDER BY subscription_id`);
const CHATS = statement('SELECT id, platform, chat_id, title FROM subscriptions WHERE id = ANY(?::bigint[])');
const STORY_POSTS = statement(`SELECT article_id, platform, COUNT(*) AS posts FROM jobs
  WHERE article_id = ANY(?::bigint[]) AND kind = 'post' AND state = 'sent' GROUP BY article_id, platform ORDER BY article_id, platform COLLATE "C"`);
const STORY_CLICKS = statement(`SELECT l.article_id, s.platform, SUM(c.clicks) AS clicks
  FROM click_links l JOIN click_counts c ON c.link_id = l.id JOIN subscriptions s ON s.id = l.subscription_id
  WHERE l.article_id = ANY(?::bigint[]) GROUP BY l.article_id, s.platform ORDER BY l.article_id, s.platform COLLATE "C"`);
// Ties in id order, newest first: SQLite reads jobs_finished backwards, whose ties are in rowid order.
const POST_CLICKS = statement(`SELECT j.finished_at AS sent_at,
    COALESCE((SELECT SUM(c.clicks) FROM click_links l JOIN click_counts c ON c.link_id = l.id
      WHERE l.article_id = j.article_id AND l.subscription_id = j.subscription_id), 0) AS clicks
  FROM jobs j
  WHERE j.finished_at >= @since AND j.kind = 'post' AND j.state = 'sent'
    AND (@platform::text IS NULL OR j.platform = @platform::text)
    AND (@ids::bigint[] IS NULL OR j.subscription_id = ANY(@ids::bigint[]))
  ORDER BY j.finished_at DESC, j.id DESC LIMIT @limit`);

export function reachRepository(sql: Sql): ReachRepository {
  return {
    clicksPerHour: (sinceHour) => sql.all<{ hour: number; clicks: number }>(CLICKS_PER_HOUR, [sinceHour]),
    topStories: async (sinceHour, limit) =>
      (
        await sql.all<{ article_id: number; title: string; clicks: number }>(TOP_STORIES, {
          hour: sinceHour,
          day: Math.ceil(sinceHour / 24),
          limit,
        })
      ).map((r) => ({ articleId: r.article_id, title: r.title, clicks: r.clicks })),
    windowByChat: async (sinceHour, sinceMs) => {
      const posts = await sql.all<ChatPostsRow>(POSTS_PER_CHAT, [sinceMs]);
      const clicks = await sql.all<ChatClicksRow>(CLICKS_PER_CHAT, { hour: sinceHour, day: Math.ceil(sinceHour / 24) });
      return chatCountsFromRows(posts, clicks, await sql.all<ChatRow>(CHATS, [chatIdsOf(posts, clicks)]));
    },
    storyCounts: async (articleIds) =>
      storyCountsFromRows(
        await sql.all<StoryPostsRow>(STORY_POSTS, [articleIds]),
        await sql.all<StoryClicksRow>(STORY_CLICKS, [articleIds]),
      ),
    postClicks: async (audience, sinceMs, limit) => {
      return (
        await sql.all<{ sent_at: number; clicks: number }>(POST_CLICKS, {
          since: sinceMs,
          platform: audience.platform ?? null,
          ids: audience.subscriptionIds ? [...audience.subscriptionIds] : null,
          limit,
        })
      ).map((r) => ({ sentAt: r.sent_at, clicks: r.clicks }));
    },
  };
}
