/**
 * The reads port on PostgreSQL: the statements of src/store/desk-views.ts (Today, topics, articles per day, the
 * audit log, an article's broadcasts, the subscriptions list), src/store/subscriptions.ts (the platforms) and the
 * articles' reads (src/store/postgres/articles.ts), with the SQLite tables' row mappers.
 *
 * Text is ordered COLLATE "C" wherever SQLite orders it: SQLite compares bytes, the server's collation may be a
 * language's. Where SQLite's GROUP BY gives its groups in key order and the port lists them, the order is written.
 */
import type { ReadRepository } from '../../ports/reads.js';
import { articleFromRow } from '../articles.js';
import { auditEntryFromRow, broadcastSummaryFromRow } from '../desk-views.js';
import { subscriptionFromRow } from '../subscriptions.js';
import { latestArticles, NO_MATCH, perCall, recentCategories, searchArticles, tsQuery } from './articles.js';
import { statement, type Sql } from './sql.js';

// The rows each SQLite mapper reads (the store exports mappers, not row types).
type ArticleRow = Parameters<typeof articleFromRow>[0];
type AuditRow = Parameters<typeof auditEntryFromRow>[0];
type BroadcastSummaryRow = Parameters<typeof broadcastSummaryFromRow>[0];

type SubscriptionRow = Parameters<typeof subscriptionFromRow>[0];

// One statement for every filter combination, a NULL parameter switching its condition off, as SQLite's (the
// casts: PostgreSQL cannot type a parameter that is only compared with NULL). Planned for each page's filters
// (`perCall`): a generic plan cannot tell a search for a rare word from none.
const TODAY = perCall(`SELECT a.* FROM articles a
    WHERE (@backlog::bigint IS NULL OR a.seen_only = @backlog::bigint)
      AND (@sourceId::bigint IS NULL OR a.source_id = @sourceId::bigint)
      AND (@topic::text IS NULL OR strpos(COALESCE(a.edited_hashtags, a.hashtags), @topic::text) > 0 OR strpos(a.categories, @topic::text) > 0)
      AND (@match::tsquery IS NULL OR a.id IN (SELECT rowid FROM article_terms WHERE terms @@ @match::tsquery))
      AND (@state::text IS NULL
        OR (@state::text = 'none' AND NOT EXISTS (SELECT 1 FROM jobs d WHERE d.article_id = a.id AND d.kind = 'post'))
        OR EXISTS (SELECT 1 FROM jobs d WHERE d.article_id = a.id AND d.kind = 'post' AND d.state = @state::text))
      AND (@beforeAt::bigint IS NULL OR COALESCE(a.published_at, a.created_at) < @beforeAt::bigint
        OR (COALESCE(a.published_at, a.created_at) = @beforeAt::bigint AND a.id < @beforeId::bigint))
    ORDER BY COALESCE(a.published_at, a.created_at) DESC, a.id DESC LIMIT @limit`);
const TOPICS = statement(`SELECT j.value AS tag, COUNT(*) AS n
    FROM (SELECT COALESCE(edited_hashtags, hashtags) AS tags FROM articles WHERE seen_only = 0
          ORDER BY COALESCE(published_at, created_at) DESC, id DESC LIMIT 300) r, jsonb_array_elements_text(r.tags::jsonb) j(value)
    GROUP BY j.value ORDER BY n DESC, j.value COLLATE "C" LIMIT 30`);
const PER_DAY = statement(`SELECT source_name, created_at / 86400000 AS day, COUNT(*) AS n FROM articles
    WHERE created_at >= ? AND seen_only = 0 GROUP BY source_name, day ORDER BY source_name COLLATE "C", day`);
const BROADCASTS_OF = statement('SELECT * FROM broadcasts WHERE article_id = ? ORDER BY id DESC LIMIT 20');
const SUBSCRIPTIONS =
  statement(`SELECT * FROM subscriptions WHERE (@platform::text IS NULL OR platform = @platform::text)
    AND (@kind::text IS NULL OR kind = @kind::text) AND (@active::bigint IS NULL OR active = @active::bigint)
    ORDER BY active DESC, id DESC LIMIT @limit`);
const PLATFORMS = statement('SELECT DISTINCT platform COLLATE "C" AS platform FROM subscriptions ORDER BY 1');
const AUDIT =
  statement(`SELECT * FROM audit_log WHERE (@actor::text IS NULL OR actor = @actor::text) AND (@action::text IS NULL OR action = @action::text)
    AND (@before::bigint IS NULL OR id < @before::bigint) ORDER BY id DESC LIMIT @limit`);
const AUDIT_ACTORS = statement('SELECT DISTINCT actor COLLATE "C" AS actor FROM audit_log ORDER BY 1 LIMIT 200');
const AUDIT_ACTIONS = statement('SELECT DISTINCT action COLLATE "C" AS action FROM audit_log ORDER BY 1 LIMIT 200');

export function readRepository(sql: Sql): ReadRepository {
  return {
    latest: (limit, now) => latestArticles(sql, limit, now),
    search: (groups, limit) => searchArticles(sql, groups, limit, Date.now()),
    recentCategories: (since, limit) => recentCategories(sql, since, limit),
    today: async (f) => {
      const match = tsQuery(f.stems ?? []);
      if (match === NO_MATCH) return [];
      return (
        await sql.all<ArticleRow>(TODAY, {
          sourceId: f.sourceId ?? null,
          topic: f.topic ? JSON.stringify(f.topic) : null,
          state: f.state ?? null,
          backlog: f.backlog === undefined ? null : f.backlog ? 1 : 0,
          match: match ?? null,
          beforeAt: f.before?.at ?? null,
          beforeId: f.before?.id ?? null,
          limit: f.limit,
        })
      ).map(articleFromRow);
    },
    recentTopics: async () => (await sql.all<{ tag: string }>(TOPICS)).map((r) => r.tag),
    articlesPerDay: async (since) =>
      (await sql.all<{ source_name: string; day: number; n: number }>(PER_DAY, [since])).map((r) => ({
        source: r.source_name,
        day: r.day,
        count: r.n,
      })),
    broadcastsOfArticle: async (articleId) =>
      (await sql.all<BroadcastSummaryRow>(BROADCASTS_OF, [articleId])).map(broadcastSummaryFromRow),
    findSubscriptions: async (f) =>
      (
        await sql.all<SubscriptionRow>(SUBSCRIPTIONS, {
          platform: f.platform ?? null,
          kind: f.kind ?? null,
          active: f.active === undefined ? null : f.active ? 1 : 0,
          limit: f.limit,
        })
      ).map(subscriptionFromRow),
    subscribedPlatforms: async () => (await sql.all<{ platform: string }>(PLATFORMS)).map((r) => r.platform),
    audit: async (f) =>
      (
        await sql.all<AuditRow>(AUDIT, {
          actor: f.actor ?? null,
          action: f.action ?? null,
          before: f.beforeId ?? null,
          limit: f.limit,
        })
      ).map(auditEntryFromRow),
    auditChoices: async () => ({
      actors: (await sql.all<{ actor: string }>(AUDIT_ACTORS)).map((r) => r.actor),
      actions: (await sql.all<{ action: string }>(AUDIT_ACTIONS)).map((r) => r.action),
    }),
  };
}
