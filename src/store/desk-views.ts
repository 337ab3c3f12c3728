import { Table } from './table.js';
import { articleFromRow, ftsMatch, type StoredArticle } from './articles.js';
import type { DeliveryState, JobKind } from '../model/delivery.js';
import type { AuditAction, AuditEntry } from '../model/audit.js';
import type { ArticleDelivery, DeliveryCounts, InDoubtDelivery, QueueDepth } from '../model/outbox.js';
import type { TodayFilter } from '../model/today.js';
export type { TodayFilter } from '../model/today.js';
import type { Broadcast } from './broadcasts.js';
import { subscriptionFromRow, type Subscription } from './subscriptions.js';

type ArticleRow = Parameters<typeof articleFromRow>[0];
type SubscriptionRow = Parameters<typeof subscriptionFromRow>[0];

/** Read-only queries behind the web desk's pages, across tables. Every one is bounded by a LIMIT or an index range. */

export type { DeliveryCounts, ArticleDelivery, InDoubtDelivery, QueueDepth } from '../model/outbox.js';

/** The reads' rows as the port gives them (PostgreSQL's adapter reads the same columns). */
interface AuditRow {
  id: number;
  at: number;
  platform: string;
  actor: string;
  action: AuditAction;
  detail: string;
}

export function auditEntryFromRow(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: new Date(r.at),
    platform: r.platform,
    actor: r.actor,
    action: r.action,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}

interface BroadcastSummaryRow {
  id: number;
  state: Broadcast['state'];
  editor_id: string;
  platform: string;
  urgent: number;
  created_at: number;
}

export function broadcastSummaryFromRow(
  r: BroadcastSummaryRow,
): Pick<Broadcast, 'id' | 'state' | 'editorId' | 'platform' | 'urgent' | 'createdAt'> {
  return {
    id: r.id,
    state: r.state,
    editorId: r.editor_id,
    platform: r.platform,
    urgent: r.urgent === 1,
    createdAt: new Date(r.created_at),
  };
}

export class DeskViews extends Table {
  // One statement for every filter combination: a NULL parameter switches its condition off. The recency index
  // gives the order, so the unfiltered page reads its LIMIT rows and stops.
  private readonly todayStmt = this.db.prepare(`SELECT a.* FROM articles a
    WHERE (@backlog IS NULL OR a.seen_only = @backlog)
      AND (@sourceId IS NULL OR a.source_id = @sourceId)
      AND (@topic IS NULL OR instr(COALESCE(a.edited_hashtags, a.hashtags), @topic) > 0 OR instr(a.categories, @topic) > 0)
      AND (@match IS NULL OR a.id IN (SELECT rowid FROM article_terms WHERE article_terms MATCH @match))
      AND (@state IS NULL
        OR (@state = 'none' AND NOT EXISTS (SELECT 1 FROM jobs d WHERE d.article_id = a.id AND d.kind = 'post'))
        OR EXISTS (SELECT 1 FROM jobs d WHERE d.article_id = a.id AND d.kind = 'post' AND d.state = @state))
      AND (@beforeAt IS NULL OR COALESCE(a.published_at, a.created_at) < @beforeAt
        OR (COALESCE(a.published_at, a.created_at) = @beforeAt AND a.id < @beforeId))
    ORDER BY COALESCE(a.published_at, a.created_at) DESC, a.id DESC LIMIT @limit`);
  private readonly countsStmt = this.db.prepare(`SELECT article_id, platform, state, COUNT(*) AS n FROM jobs
    WHERE article_id IN (SELECT value FROM json_each(?)) AND kind = 'post' GROUP BY article_id, platform, state`);
  private readonly articleDeliveriesStmt =
    this.db.prepare(`SELECT d.id, d.platform, d.state, d.message_id, d.last_error, d.finished_at, d.broadcast_id,
      s.chat_id, s.kind, s.title
    FROM jobs d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.article_id = ? AND d.kind = 'post' ORDER BY d.id LIMIT ?`);
  private readonly articleCountsStmt = this.db.prepare(
    `SELECT platform, state, COUNT(*) AS n FROM jobs WHERE article_id = ? AND kind = 'post' GROUP BY platform, state`,
  );
  // The id exactly, or the id followed by «_…» (a WhatsApp group's message id ends with its sender, which WhatsApp
  // may write as a phone number or as a LID): the chat's subscription, then a range on jobs_post_message (db/015;
  // char(96) is '`', the character after '_'), then the character after the key checked. (An OR of the exact id
  // and the range made SQLite scan the table.)
  private readonly postsByMessageStmt = this.db.prepare(`SELECT d.article_id, d.subscription_id FROM subscriptions s
    JOIN jobs d ON d.subscription_id = s.id AND d.kind = 'post' AND d.message_id IS NOT NULL
    WHERE s.platform = @platform AND s.chat_id = @chatId AND d.message_id >= @key AND d.message_id < @key || char(96)
      AND (d.message_id = @key OR substr(d.message_id, length(@key) + 1, 1) = '_')
    ORDER BY d.id LIMIT 2`);
  private readonly broadcastsFor = this.db.prepare(
    'SELECT * FROM broadcasts WHERE article_id = ? ORDER BY id DESC LIMIT 20',
  );
  private readonly queueStmt = this.db.prepare(`SELECT platform, COUNT(*) AS waiting, MIN(queued_at) AS oldest,
      SUM(state = 'queued' AND not_before > ?) AS retries
    FROM jobs WHERE kind = 'post' AND state IN ('queued', 'sending') GROUP BY platform ORDER BY platform`);
  // Every kind: a post, a digest message, an edit or a delete a crash left in doubt.
  private readonly inDoubtStmt =
    this.db.prepare(`SELECT d.id, d.kind, d.article_id, d.platform, d.sending_at, a.title, a.edited_title, s.chat_id, s.title AS chat_title
    FROM jobs d LEFT JOIN articles a ON a.id = d.article_id JOIN subscriptions s ON s.id = d.subscription_id
    WHERE d.state = 'in_doubt' ORDER BY d.id DESC LIMIT ?`);
  private readonly auditStmt =
    this.db.prepare(`SELECT * FROM audit_log WHERE (@actor IS NULL OR actor = @actor) AND (@action IS NULL OR action = @action)
    AND (@before IS NULL OR id < @before) ORDER BY id DESC LIMIT @limit`);
  private readonly auditActors = this.db
    .prepare('SELECT DISTINCT actor FROM audit_log ORDER BY actor LIMIT 200')
    .pluck();
  private readonly auditActions = this.db
    .prepare('SELECT DISTINCT action FROM audit_log ORDER BY action LIMIT 200')
    .pluck();
  private readonly perHourStmt =
    this.db.prepare(`SELECT platform, finished_at / 3600000 AS hour, COUNT(*) AS n FROM jobs
    WHERE finished_at >= ? AND state = 'sent' AND kind = 'post' GROUP BY platform, hour`);
  private readonly perDayStmt =
    this.db.prepare(`SELECT source_name, created_at / 86400000 AS day, COUNT(*) AS n FROM articles
    WHERE created_at >= ? AND seen_only = 0 GROUP BY source_name, day`);
  private readonly failuresStmt =
    this.db.prepare(`SELECT platform, COALESCE(last_error, '') AS reason, COUNT(*) AS n FROM jobs
    WHERE finished_at >= ? AND state = 'failed' AND kind = 'post' GROUP BY platform, reason ORDER BY n DESC LIMIT 15`);
  private readonly subsStmt =
    this.db.prepare(`SELECT * FROM subscriptions WHERE (@platform IS NULL OR platform = @platform)
    AND (@kind IS NULL OR kind = @kind) AND (@active IS NULL OR active = @active) ORDER BY active DESC, id DESC LIMIT @limit`);
  private readonly topicsStmt = this.db.prepare(`SELECT j.value AS tag, COUNT(*) AS n
    FROM (SELECT COALESCE(edited_hashtags, hashtags) AS tags FROM articles WHERE seen_only = 0
          ORDER BY COALESCE(published_at, created_at) DESC, id DESC LIMIT 300) r, json_each(r.tags) j
    GROUP BY tag ORDER BY n DESC, tag LIMIT 30`);

  today(f: TodayFilter): StoredArticle[] {
    const match = ftsMatch(f.stems ?? []);
    return (
      this.todayStmt.all({
        sourceId: f.sourceId ?? null,
        topic: f.topic ? JSON.stringify(f.topic) : null,
        state: f.state ?? null,
        backlog: f.backlog === undefined ? null : f.backlog ? 1 : 0,
        match: match || null,
        beforeAt: f.before?.at ?? null,
        beforeId: f.before?.id ?? null,
        limit: f.limit,
      }) as ArticleRow[]
    ).map(articleFromRow);
  }

  /** Per article, per platform, how many deliveries are in each state. */
  deliveryCounts(articleIds: number[]): Map<number, DeliveryCounts> {
    if (articleIds.length === 0) return new Map();
    return deliveryCountsFromRows(
      this.countsStmt.all(JSON.stringify(articleIds)) as Array<CountRow & { article_id: number }>,
    );
  }

  articleCounts(articleId: number): DeliveryCounts {
    return countsFromRows(this.articleCountsStmt.all(articleId) as CountRow[]);
  }

  /** The sent posts (at most 2: a digest's message carries several) whose message id is `key` or starts with `key_`. */
  postsByMessage(platform: string, chatId: string, key: string): Array<{ articleId: number; subscriptionId: number }> {
    return (
      this.postsByMessageStmt.all({ platform, chatId, key }) as Array<{ article_id: number; subscription_id: number }>
    ).map((r) => ({ articleId: r.article_id, subscriptionId: r.subscription_id }));
  }

  articleDeliveries(articleId: number, limit: number): ArticleDelivery[] {
    return (this.articleDeliveriesStmt.all(articleId, limit) as ArticleDeliveryRow[]).map(articleDeliveryFromRow);
  }

  broadcastsForArticle(
    articleId: number,
  ): Array<Pick<Broadcast, 'id' | 'state' | 'editorId' | 'platform' | 'urgent' | 'createdAt'>> {
    return (this.broadcastsFor.all(articleId) as BroadcastSummaryRow[]).map(broadcastSummaryFromRow);
  }

  queue(now: number): QueueDepth[] {
    return (this.queueStmt.all(now) as QueueRow[]).map(queueDepthFromRow);
  }

  inDoubt(limit: number): InDoubtDelivery[] {
    return (this.inDoubtStmt.all(limit) as InDoubtRow[]).map(inDoubtFromRow);
  }

  audit(f: { actor?: string; action?: string; beforeId?: number; limit: number }): AuditEntry[] {
    return (
      this.auditStmt.all({
        actor: f.actor ?? null,
        action: f.action ?? null,
        before: f.beforeId ?? null,
        limit: f.limit,
      }) as AuditRow[]
    ).map(auditEntryFromRow);
  }

  auditChoices(): { actors: string[]; actions: string[] } {
    return { actors: this.auditActors.all() as string[], actions: this.auditActions.all() as string[] };
  }

  /** Sent deliveries per platform per hour (hour = ms since the epoch / 3,600,000) since `since`. */
  sentPerHour(since: number): Array<{ platform: string; hour: number; count: number }> {
    return (this.perHourStmt.all(since) as Array<{ platform: string; hour: number; n: number }>).map((r) => ({
      platform: r.platform,
      hour: r.hour,
      count: r.n,
    }));
  }

  /** Articles per source per day (day = ms since the epoch / 86,400,000) since `since`. */
  articlesPerDay(since: number): Array<{ source: string; day: number; count: number }> {
    return (this.perDayStmt.all(since) as Array<{ source_name: string; day: number; n: number }>).map((r) => ({
      source: r.source_name,
      day: r.day,
      count: r.n,
    }));
  }

  failuresByReason(since: number): Array<{ platform: string; reason: string; count: number }> {
    return (this.failuresStmt.all(since) as Array<{ platform: string; reason: string; n: number }>).map((r) => ({
      platform: r.platform,
      reason: r.reason,
      count: r.n,
    }));
  }

  subscriptions(f: { platform?: string; kind?: string; active?: boolean; limit: number }): Subscription[] {
    return (
      this.subsStmt.all({
        platform: f.platform ?? null,
        kind: f.kind ?? null,
        active: f.active === undefined ? null : f.active ? 1 : 0,
        limit: f.limit,
      }) as SubscriptionRow[]
    ).map(subscriptionFromRow);
  }

  /** The most common hashtags of the newest 300 articles: the Today page's topic filter. */
  recentTopics(): string[] {
    return (this.topicsStmt.all() as Array<{ tag: string }>).map((r) => r.tag);
  }
}

/** The outbox's reads' rows as the port gives them (PostgreSQL's adapter reads the same columns). */
interface CountRow {
  platform: string;
  state: DeliveryState;
  n: number;
}

export function countsFromRows(rows: readonly CountRow[]): DeliveryCounts {
  const counts: DeliveryCounts = {};
  for (const r of rows) counts[r.platform] = { ...counts[r.platform], [r.state]: r.n };
  return counts;
}

export function deliveryCountsFromRows(
  rows: ReadonlyArray<CountRow & { article_id: number }>,
): Map<number, DeliveryCounts> {
  const out = new Map<number, DeliveryCounts>();
  for (const r of rows) {
    const counts = out.get(r.article_id) ?? {};
    counts[r.platform] = { ...counts[r.platform], [r.state]: r.n };
    out.set(r.article_id, counts);
  }
  return out;
}

interface ArticleDeliveryRow {
  id: number;
  platform: string;
  state: DeliveryState;
  message_id: string | null;
  last_error: string | null;
  finished_at: number | null;
  broadcast_id: number | null;
  chat_id: string;
  kind: string;
  title: string | null;
}

export function articleDeliveryFromRow(r: ArticleDeliveryRow): ArticleDelivery {
  return {
    id: r.id,
    platform: r.platform,
    state: r.state,
    chatId: r.chat_id,
    chatKind: r.kind,
    chatTitle: r.title ?? undefined,
    messageId: r.message_id ?? undefined,
    lastError: r.last_error ?? undefined,
    finishedAt: r.finished_at === null ? undefined : new Date(r.finished_at),
    broadcastId: r.broadcast_id ?? undefined,
  };
}

interface QueueRow {
  platform: string;
  waiting: number;
  oldest: number | null;
  retries: number | null;
}

export function queueDepthFromRow(r: QueueRow): QueueDepth {
  return {
    platform: r.platform,
    waiting: r.waiting,
    oldestQueuedAt: r.oldest === null ? undefined : new Date(r.oldest),
    retriesScheduled: r.retries ?? 0,
  };
}

interface InDoubtRow {
  id: number;
  kind: JobKind;
  article_id: number | null;
  platform: string;
  sending_at: number | null;
  title: string | null;
  edited_title: string | null;
  chat_id: string;
  chat_title: string | null;
}

export function inDoubtFromRow(r: InDoubtRow): InDoubtDelivery {
  return {
    id: r.id,
    kind: r.kind,
    articleId: r.article_id ?? undefined,
    title: r.edited_title ?? r.title ?? undefined,
    platform: r.platform,
    chatId: r.chat_id,
    chatTitle: r.chat_title ?? undefined,
    since: r.sending_at === null ? undefined : new Date(r.sending_at),
  };
}
