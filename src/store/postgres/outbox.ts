/**
 * The outbox as the newsroom sees it, and the system's status, on PostgreSQL: the statements of src/store/jobs.ts,
 * src/store/desk-views.ts, src/store/broadcasts.ts, src/store/leases.ts and src/store/platform-status.ts, with their
 * row mappers. Text compared or sorted by value is `COLLATE "C"`: byte order, as SQLite compares (a server created
 * with a language's collation would otherwise order and range-match message ids and platforms its own way).
 */
import type { OutboxRepository, SystemStatusRepository } from '../../ports/index.js';
import type { DeliveryState, JobKind } from '../../model/delivery.js';
import {
  articleDeliveryFromRow,
  countsFromRows,
  deliveryCountsFromRows,
  inDoubtFromRow,
  queueDepthFromRow,
} from '../desk-views.js';
import { chatWaitGroupFromRow, jobFromRow } from '../jobs.js';
import { platformStateFromRow } from '../platform-status.js';
import { QUIET_COLUMNS } from '../jobs.js';
import { MEMBERS_HELD, MEMBERS_SENT } from './jobs.js';
import { statement, type Sql } from './sql.js';

/** The rows the SQLite tables' mappers read (the store exports mappers, not row types). */
type CountRow = Parameters<typeof countsFromRows>[0][number];
type ArticleDeliveryRow = Parameters<typeof articleDeliveryFromRow>[0];
type InDoubtRow = Parameters<typeof inDoubtFromRow>[0];
type QueueRow = Parameters<typeof queueDepthFromRow>[0];
type ChatWaitRow = Parameters<typeof chatWaitGroupFromRow>[0];
type JobRow = Parameters<typeof jobFromRow>[0];
type PlatformStatusRow = Parameters<typeof platformStateFromRow>[0];

/**
 * Groups come out of SQLite's GROUP BY in the order of its keys (it sorts to group): PostgreSQL may hash them, so the
 * same order is asked for.
 */
const BY_PLATFORM_STATE = 'platform COLLATE "C", state COLLATE "C"';

const BY_ID = statement('SELECT * FROM jobs WHERE id = ?');
const RESOLVE =
  statement(`UPDATE jobs SET state = @to::text, finished_at = CASE WHEN @to::text = 'sent' THEN @now::bigint ELSE NULL END,
    outcome = CASE WHEN @to::text = 'sent' THEN (CASE kind WHEN 'edit' THEN 'edited' WHEN 'delete' THEN 'deleted' END) END,
    carried_by = CASE WHEN @to::text = 'sent' THEN carried_by END, not_before = 0, last_error = @note
  WHERE id = @id AND state = 'in_doubt'`);
const REQUEUE =
  statement(`UPDATE jobs SET state = 'queued', attempts = 0, not_before = 0, retryable = 0, carried_by = NULL,
    finished_at = NULL, last_error = @note
  WHERE article_id = @articleId AND kind = 'post' AND state = 'failed' AND (retryable = 1 OR @every::bigint = 1)
    AND subscription_id IN (SELECT id FROM subscriptions WHERE active = 1)`);
const COUNT_FAILED = statement(
  `SELECT COUNT(*) AS n FROM jobs WHERE article_id = ? AND kind = 'post' AND state = 'failed'`,
);
const BROADCAST = statement('SELECT article_id, state FROM broadcasts WHERE id = ?');
const REOPEN = statement(
  `UPDATE broadcasts SET state = 'queued', decided_at = ? WHERE article_id = ? AND state = 'done'`,
);
const IN_DOUBT = statement(`SELECT * FROM jobs WHERE state = 'in_doubt' ORDER BY id DESC LIMIT ?`);
const IN_DOUBT_WITH_CHATS =
  statement(`SELECT d.id, d.kind, d.article_id, d.platform, d.sending_at, a.title, a.edited_title, s.chat_id, s.title AS chat_title
  FROM jobs d LEFT JOIN articles a ON a.id = d.article_id JOIN subscriptions s ON s.id = d.subscription_id
  WHERE d.state = 'in_doubt' ORDER BY d.id DESC LIMIT ?`);
const COUNTS_OF = statement(`SELECT article_id, platform, state, COUNT(*) AS n FROM jobs
  WHERE article_id = ANY(?::bigint[]) AND kind = 'post' GROUP BY article_id, platform, state ORDER BY article_id, ${BY_PLATFORM_STATE}`);
const ARTICLE_COUNTS = statement(`SELECT platform, state, COUNT(*) AS n FROM jobs WHERE article_id = ? AND kind = 'post'
  GROUP BY platform, state ORDER BY ${BY_PLATFORM_STATE}`);
const ARTICLE_DELIVERIES =
  statement(`SELECT d.id, d.platform, d.state, d.message_id, d.last_error, d.finished_at, d.broadcast_id,
    s.chat_id, s.kind, s.title
  FROM jobs d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.article_id = ? AND d.kind = 'post' ORDER BY d.id LIMIT ?`);
// The id exactly, or the id followed by «_…» (src/store/desk-views.ts says why the range): chr(96) is '`', the
// character after '_'.
const POSTS_BY_MESSAGE = statement(`SELECT d.article_id, d.subscription_id FROM subscriptions s
  JOIN jobs d ON d.subscription_id = s.id AND d.kind = 'post' AND d.message_id IS NOT NULL
  WHERE s.platform = @platform AND s.chat_id = @chatId AND d.message_id COLLATE "C" >= @key::text AND d.message_id COLLATE "C" < (@key::text || chr(96))
    AND (d.message_id = @key::text OR substr(d.message_id, length(@key::text) + 1, 1) = '_')
  ORDER BY d.id LIMIT 2`);
const QUEUE = statement(`SELECT platform, COUNT(*) AS waiting, MIN(queued_at) AS oldest,
    SUM((state = 'queued' AND not_before > ?)::int) AS retries
  FROM jobs WHERE kind = 'post' AND state IN ('queued', 'sending') GROUP BY platform ORDER BY platform COLLATE "C"`);
// Grouped by ds.subscription_id (equal to the job's by the join): its delivery_settings columns then need no group.
const CHAT_WAITS = statement(`SELECT d.platform, ds.subscription_id, d.state, (d.priority > 0)::int AS urgent,
    (d.state = 'held' AND d.carried_by IS NOT NULL)::int AS carried,
    COUNT(*) AS n, SUM((d.not_before > @now::bigint)::int) AS scheduled, ds.mode, ds.digest_at, ${QUIET_COLUMNS}
  FROM jobs d JOIN delivery_settings ds ON ds.subscription_id = d.subscription_id
  WHERE d.kind = 'post' AND (d.state = 'held' OR (d.state = 'queued' AND ds.quiet_mode = 'wait' AND ds.quiet_start IS NOT NULL))
    AND (@broadcast::bigint IS NULL OR d.broadcast_id = @broadcast::bigint)
  GROUP BY d.platform, ds.subscription_id, d.state, (d.priority > 0), (d.state = 'held' AND d.carried_by IS NOT NULL)
  ORDER BY d.platform COLLATE "C", ds.subscription_id, d.state COLLATE "C", 4, 5`);
const STATE_COUNTS =
  statement(`SELECT platform, state, COUNT(*) AS n FROM jobs WHERE kind = ANY(?::text[]) GROUP BY platform, state
  ORDER BY ${BY_PLATFORM_STATE}`);
const OLDEST_QUEUED = statement(
  `SELECT MIN(queued_at) AS t FROM jobs WHERE kind = 'post' AND state IN ('queued', 'sending') AND queued_at <= ?`,
);
const SCHEDULED_POSTS = statement(`SELECT j.platform, COUNT(*) AS n, MIN(b.send_at) AS next FROM broadcasts b
  JOIN jobs j ON j.broadcast_id = b.id AND j.state = 'queued' AND j.kind = 'post'
  WHERE b.send_at IS NOT NULL AND b.state = 'queued' AND b.send_at > ? GROUP BY j.platform ORDER BY j.platform COLLATE "C"`);
const PER_HOUR = statement(`SELECT platform, finished_at / 3600000 AS hour, COUNT(*) AS n FROM jobs
  WHERE finished_at >= ? AND state = 'sent' AND kind = 'post' GROUP BY platform, finished_at / 3600000 ORDER BY platform COLLATE "C", 2`);
// Ties in the count in the groups' order, as SQLite's sorter leaves them.
const FAILURES = statement(`SELECT platform, COALESCE(last_error, '') AS reason, COUNT(*) AS n FROM jobs
  WHERE finished_at >= ? AND state = 'failed' AND kind = 'post' GROUP BY platform, COALESCE(last_error, '')
  ORDER BY n DESC, platform COLLATE "C", COALESCE(last_error, '') COLLATE "C" LIMIT 15`);

const ARTICLE_COUNT = statement('SELECT COUNT(*) AS n FROM articles');
// Per platform, in the order of SQLite's GROUP BY platform, active (src/store/subscriptions.ts counts).
const SUBSCRIPTION_COUNTS =
  statement(`SELECT platform, COUNT(*) FILTER (WHERE active = 1) AS active, COUNT(*) FILTER (WHERE active <> 1) AS inactive
  FROM subscriptions GROUP BY platform ORDER BY platform COLLATE "C"`);
// Several runs may share a PostgreSQL database, each with its own lease `run:<holder>` (src/app/run.ts): any alive.
const LEASE_HELD = statement(
  `SELECT 1 AS one FROM leases WHERE (name = 'run' OR name LIKE 'run:%') AND expires_at > ? LIMIT 1`,
);
const PLATFORM_STATES = statement('SELECT * FROM platform_status ORDER BY platform COLLATE "C"');

export function outboxRepository(sql: Sql): OutboxRepository {
  const countsByState = async (kinds: readonly JobKind[]) =>
    (await sql.all<CountRow>(STATE_COUNTS, [kinds])).map((r) => ({ platform: r.platform, state: r.state, count: r.n }));
  return {
    job: async (id) => {
      const row = await sql.get<JobRow>(BY_ID, [id]);
      return row && jobFromRow(row);
    },
    // A digest message's posts follow the verdict.
    resolveInDoubt: (id, to, note, now) =>
      sql.atomic(async (s) => {
        if ((await s.run(RESOLVE, { id, to, note, now })).changes === 0) return false;
        if (to === 'sent') await s.run(MEMBERS_SENT, { id, now, messageId: null, note });
        else await s.run(MEMBERS_HELD, { id, error: note });
        return true;
      }),
    requeueFailed: async (articleId, everyFailure, note) =>
      (await sql.run(REQUEUE, { articleId, every: everyFailure ? 1 : 0, note })).changes,
    failedCount: async (articleId) => (await sql.get<{ n: number }>(COUNT_FAILED, [articleId]))!.n,
    broadcastOf: async (broadcastId) => {
      const row = await sql.get<{ article_id: number; state: string }>(BROADCAST, [broadcastId]);
      return row && { articleId: row.article_id, state: row.state };
    },
    reopenBroadcastsOf: async (articleId, now) => {
      await sql.run(REOPEN, [now, articleId]);
    },
    inDoubt: async (limit) => (await sql.all<JobRow>(IN_DOUBT, [limit])).map(jobFromRow),
    inDoubtWithChats: async (limit) => (await sql.all<InDoubtRow>(IN_DOUBT_WITH_CHATS, [limit])).map(inDoubtFromRow),
    countsOf: async (articleIds) =>
      articleIds.length === 0
        ? new Map()
        : deliveryCountsFromRows(await sql.all<CountRow & { article_id: number }>(COUNTS_OF, [articleIds])),
    articleCounts: async (articleId) => countsFromRows(await sql.all<CountRow>(ARTICLE_COUNTS, [articleId])),
    articleDeliveries: async (articleId, limit) =>
      (await sql.all<ArticleDeliveryRow>(ARTICLE_DELIVERIES, [articleId, limit])).map(articleDeliveryFromRow),
    postsByMessage: async (platform, chatId, key) =>
      (await sql.all<{ article_id: number; subscription_id: number }>(POSTS_BY_MESSAGE, { platform, chatId, key })).map(
        (r) => ({ articleId: r.article_id, subscriptionId: r.subscription_id }),
      ),
    queueDepth: async (now) => (await sql.all<QueueRow>(QUEUE, [now])).map(queueDepthFromRow),
    chatWaitGroups: async (now, broadcastId) =>
      (await sql.all<ChatWaitRow>(CHAT_WAITS, { now, broadcast: broadcastId ?? null })).map(chatWaitGroupFromRow),
    countsByState,
    totalsByState: async (kinds) => {
      const out: Partial<Record<DeliveryState, number>> = {};
      for (const r of await countsByState(kinds)) out[r.state] = (out[r.state] ?? 0) + r.count;
      return out;
    },
    oldestPendingAge: async (now) => {
      const t = (await sql.get<{ t: number | null }>(OLDEST_QUEUED, [now]))?.t;
      return typeof t === 'number' ? now - t : undefined;
    },
    scheduledPosts: async (now) =>
      (await sql.all<{ platform: string; n: number; next: number }>(SCHEDULED_POSTS, [now])).map((r) => ({
        platform: r.platform,
        count: r.n,
        next: r.next,
      })),
    sentPerHour: async (since) =>
      (await sql.all<{ platform: string; hour: number; n: number }>(PER_HOUR, [since])).map((r) => ({
        platform: r.platform,
        hour: r.hour,
        count: r.n,
      })),
    failuresByReason: async (since) =>
      (await sql.all<{ platform: string; reason: string; n: number }>(FAILURES, [since])).map((r) => ({
        platform: r.platform,
        reason: r.reason,
        count: r.n,
      })),
  };
}

export function systemStatusRepository(sql: Sql): SystemStatusRepository {
  return {
    articleCount: async () => (await sql.get<{ n: number }>(ARTICLE_COUNT))!.n,
    subscriptionCounts: () => sql.all<{ platform: string; active: number; inactive: number }>(SUBSCRIPTION_COUNTS),
    runnerAlive: async (now) => (await sql.get(LEASE_HELD, [now])) !== undefined,
    platformStates: async () => (await sql.all<PlatformStatusRow>(PLATFORM_STATES)).map(platformStateFromRow),
  };
}
