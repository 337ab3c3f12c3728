import type { Database, Statement } from 'better-sqlite3';
import type { DeliveryRecord, DeliveryState, InDoubtPolicy, PendingDelivery, QuietSetting } from '../model/delivery.js';
import { parseClock } from '../text/schedule.js';
import { DEFAULT_TIME_ZONE } from '../text/arabic-date.js';
import { toDate } from './rows.js';
import { templateFromRow } from './templates.js';

/** The chat's template travels with each pending delivery (the transport renders with it). */
/** A chat's template columns (subscription_templates, aliased t), read with each pending delivery or correction. */
export const TEMPLATE_COLUMNS = 't.header_mark, t.footer, t.show_hashtags, t.show_source, t.show_date, t.lead_photo, t.link_preview';

export type { DeliveryRecord, DeliveryState, InDoubtPolicy, PendingDelivery } from '../model/delivery.js';


export class DeliveriesTable {
  private readonly insertStmt: Statement;
  private readonly nextOldest: Statement;
  private readonly nextNewest: Statement;
  private readonly sendingStmt: Statement;
  private readonly sentStmt: Statement;
  private readonly retryStmt: Statement;
  private readonly finishStmt: Statement;
  private readonly holdStmt: Statement;
  private readonly resendStmt: Statement;
  private readonly stateCounts: Statement;
  private readonly oldestQueued: Statement;
  private readonly bySubscription: Statement;
  private readonly byBroadcast: Statement;
  private readonly stopBroadcastStmt: Statement;
  private readonly inDoubtStmt: Statement;
  private readonly byId: Statement;
  private readonly forArticle: Statement;
  private readonly enqueueUnfilteredStmt: Statement;
  private readonly postponeStmt: Statement;
  private readonly heldStmt: Statement;
  private readonly releaseStmt: Statement;
  private readonly countAudienceStmt: Statement;
  private readonly subscriptionsWithStmt: Statement;
  private readonly sourceAudienceStmt: Statement;
  private readonly resolveStmt: Statement;
  private readonly failStmt: Statement;
  private readonly requeueStmt: Statement;
  private readonly countFailedStmt: Statement;
  private readonly cancelArticleStmt: Statement;
  private readonly articleStatesStmt: Statement;
  private readonly chatWaitsStmt: Statement;

  constructor(private readonly db: Database) {
    // One statement for every listed subscription (the matched half of a routing: thousands of ids as one JSON array).
    this.insertStmt = db.prepare(`INSERT INTO deliveries (article_id, subscription_id, platform, broadcast_id, priority, state, queued_at)
      SELECT @articleId, s.id, s.platform, @broadcastId, @priority, ${HELD_OR_QUEUED}, @now
      FROM json_each(@ids) j JOIN subscriptions s ON s.id = j.value LEFT JOIN delivery_settings ds ON ds.subscription_id = s.id
      WHERE true ON CONFLICT (article_id, subscription_id) DO NOTHING`);
    const next = (order: string) => db.prepare(`SELECT d.id, d.article_id, d.subscription_id, d.platform, d.attempts,
        d.priority, d.broadcast_id, s.chat_id, s.thread_id, s.kind, s.active, ${TEMPLATE_COLUMNS}, ${QUIET_COLUMNS}, COALESCE(b.paid, 0) AS paid
      FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
      LEFT JOIN subscription_templates t ON t.subscription_id = d.subscription_id
      LEFT JOIN delivery_settings ds ON ds.subscription_id = d.subscription_id
      LEFT JOIN broadcasts b ON b.id = d.broadcast_id
      WHERE d.platform = ? AND d.state = 'queued' AND d.not_before <= ?
      ORDER BY d.priority DESC, ${order} LIMIT ?`);
    this.nextOldest = next('d.id ASC');
    this.nextNewest = next('d.article_id DESC, d.id ASC');
    this.sendingStmt = db.prepare(`UPDATE deliveries SET state = 'sending', sending_at = ?, attempts = attempts + 1
      WHERE id = ? AND state = 'queued'`);
    this.sentStmt = db.prepare(`UPDATE deliveries SET state = 'sent', message_id = ?, finished_at = ?, last_error = NULL
      WHERE id = ? AND state = 'sending'`);
    // A delivery can fail before its request left (still `queued`): it counts as an attempt all the same.
    this.retryStmt = db.prepare(`UPDATE deliveries SET state = 'queued', not_before = ?, last_error = ?,
        attempts = attempts + (state = 'queued')
      WHERE id = ? AND state IN ('queued', 'sending')`);
    this.finishStmt = db.prepare(`UPDATE deliveries SET state = ?, last_error = ?, finished_at = ?
      WHERE id = ? AND state IN ('queued', 'sending')`);
    this.holdStmt = db.prepare(`UPDATE deliveries SET state = 'in_doubt', last_error = ?, finished_at = ? WHERE state = 'sending'`);
    // A digest's deliveries go back to waiting for their part (queued again by DigestsTable), not out one by one:
    // run before the parts' own recovery, while their parts are still `sending`.
    this.resendStmt = db.prepare(`UPDATE deliveries SET last_error = ?, state = CASE WHEN id IN (SELECT j.value
        FROM digest_parts p, json_each(p.deliveries) j WHERE p.state = 'sending') THEN 'held' ELSE 'queued' END
      WHERE state = 'sending'`);
    this.stateCounts = db.prepare('SELECT platform, state, COUNT(*) AS n FROM deliveries GROUP BY platform, state');
    this.oldestQueued = db.prepare(`SELECT MIN(queued_at) FROM deliveries WHERE state IN ('queued', 'sending')`).pluck();
    this.bySubscription = db.prepare(`UPDATE deliveries SET state = ?, last_error = ?, finished_at = ?
      WHERE subscription_id = ? AND state IN ('queued', 'held')`);
    this.byBroadcast = db.prepare('SELECT state, COUNT(*) AS n FROM deliveries WHERE broadcast_id = ? GROUP BY state');
    this.stopBroadcastStmt = db.prepare(`UPDATE deliveries SET state = 'skipped', last_error = 'stopped by an editor', finished_at = ?
      WHERE broadcast_id = ? AND state = 'queued'`);
    this.inDoubtStmt = db.prepare(`SELECT * FROM deliveries WHERE state = 'in_doubt' ORDER BY id DESC LIMIT ?`);
    this.byId = db.prepare('SELECT * FROM deliveries WHERE id = ?');
    this.forArticle = db.prepare('SELECT * FROM deliveries WHERE article_id = ? ORDER BY id');
    // The audience that SQL can select alone: active subscriptions, without a topic filter (nor one for the article's
    // source) unless every topic counts, optionally of one platform. Subscriptions with topics are matched in the
    // newsroom (normalised Arabic).
    const where = `WHERE s.active = 1 AND (@everyTopic = 1 OR (s.topics = '[]' AND NOT EXISTS
        (SELECT 1 FROM subscription_source_filters f WHERE f.source_id = @sourceId AND f.subscription_id = s.id)))
      AND (@platform IS NULL OR s.platform = @platform) AND s.active_since <= @activeBefore`;
    const audience = `FROM subscriptions s ${where}`;
    this.enqueueUnfilteredStmt = db.prepare(`INSERT INTO deliveries (article_id, subscription_id, platform, broadcast_id, priority, state, queued_at)
      SELECT @articleId, s.id, s.platform, @broadcastId, @priority, ${HELD_OR_QUEUED}, @now
      FROM subscriptions s LEFT JOIN delivery_settings ds ON ds.subscription_id = s.id ${where}
      ON CONFLICT (article_id, subscription_id) DO NOTHING`);
    this.countAudienceStmt = db.prepare(`SELECT COUNT(*) AS total,
        COALESCE(SUM(EXISTS (SELECT 1 FROM deliveries d WHERE d.article_id = @articleId AND d.subscription_id = s.id AND d.state <> 'failed')), 0) AS already,
        COALESCE(SUM(EXISTS (SELECT 1 FROM deliveries d WHERE d.article_id = @articleId AND d.subscription_id = s.id AND d.state = 'failed')), 0) AS failed
      ${audience}`);
    this.subscriptionsWithStmt = db.prepare('SELECT subscription_id, state FROM deliveries WHERE article_id = ?');
    this.sourceAudienceStmt = db.prepare(`SELECT COUNT(DISTINCT d.subscription_id) FROM deliveries d JOIN articles a ON a.id = d.article_id
      WHERE a.source_id = ?`).pluck();
    this.failStmt = db.prepare(`UPDATE deliveries SET state = 'failed', last_error = ?, finished_at = ?, retryable = ?
      WHERE id = ? AND state IN ('queued', 'sending')`);
    this.requeueStmt = db.prepare(`UPDATE deliveries SET state = 'queued', attempts = 0, not_before = 0, retryable = 0,
        finished_at = NULL, last_error = @note
      WHERE article_id = @articleId AND state = 'failed' AND (retryable = 1 OR @every = 1)
        AND subscription_id IN (SELECT id FROM subscriptions WHERE active = 1)`);
    // Every state that has not left: queued (a retry or quiet hours' wait included) and held for a digest (also when
    // a digest message not sent yet carries it: that message is rebuilt without it before it goes).
    this.cancelArticleStmt = db.prepare(`UPDATE deliveries SET state = 'skipped', last_error = ?, finished_at = ?
      WHERE article_id = ? AND state IN ('queued', 'held')`);
    this.articleStatesStmt = db.prepare('SELECT platform, state, COUNT(*) AS n FROM deliveries WHERE article_id = ? GROUP BY platform, state');
    this.countFailedStmt = db.prepare(`SELECT COUNT(*) FROM deliveries WHERE article_id = ? AND state = 'failed'`).pluck();
    this.resolveStmt = db.prepare(`UPDATE deliveries SET state = @to, finished_at = CASE WHEN @to = 'sent' THEN @now ELSE NULL END,
        not_before = 0, last_error = @note WHERE id = @id AND state = 'in_doubt'`);
    // Deliveries that may be waiting for their chat (its quiet hours in `wait` mode, or its digest), grouped by
    // subscription and what decides their wait; the newsroom tells from the settings whether and until when.
    this.chatWaitsStmt = db.prepare(`SELECT d.platform, d.subscription_id, d.state, d.priority > 0 AS urgent,
        (d.state = 'held' AND d.id IN (SELECT j.value FROM digests g JOIN digest_parts p ON p.digest_id = g.id, json_each(p.deliveries) j
          WHERE g.subscription_id = d.subscription_id AND p.state = 'queued')) AS carried,
        COUNT(*) AS n, SUM(d.not_before > @now) AS scheduled, ds.mode, ds.digest_at, ${QUIET_COLUMNS}
      FROM deliveries d JOIN delivery_settings ds ON ds.subscription_id = d.subscription_id
      WHERE (d.state = 'held' OR (d.state = 'queued' AND ds.quiet_mode = 'wait' AND ds.quiet_start IS NOT NULL))
        AND (@broadcast IS NULL OR d.broadcast_id = @broadcast)
      GROUP BY d.platform, d.subscription_id, d.state, urgent, carried`);
    this.postponeStmt = db.prepare(`UPDATE deliveries SET not_before = ? WHERE id = ? AND state = 'queued'`);
    // Held and in no digest message still to be sent (a closed digest's deliveries stay held until their part goes).
    const notCarried = `id NOT IN (SELECT j.value FROM digests g JOIN digest_parts p ON p.digest_id = g.id, json_each(p.deliveries) j
      WHERE g.subscription_id = @id AND p.state IN ('queued', 'sending'))`;
    this.heldStmt = db.prepare(`SELECT id, article_id FROM deliveries
      WHERE subscription_id = @id AND state = 'held' AND queued_at <= @until AND ${notCarried} ORDER BY id`);
    this.releaseStmt = db.prepare(`UPDATE deliveries SET state = 'queued' WHERE subscription_id = @id AND state = 'held' AND ${notCarried}`);
  }

  /**
   * Queues the article for each subscription, in one statement; returns how many rows were new. A digest
   * subscription's row is `held` for its digest (an urgent one is queued when the subscription asks for that).
   */
  enqueue(articleId: number, targets: Array<{ id: number }>, opts: { broadcastId?: number; priority?: number } = {}, now = Date.now()): number {
    if (targets.length === 0) return 0;
    return this.insertStmt.run({
      articleId, ids: JSON.stringify(targets.map((t) => t.id)), broadcastId: opts.broadcastId ?? null, priority: opts.priority ?? 0, now,
    }).changes;
  }

  /**
   * Queues the article for the SQL part of an audience in one statement (a newsroom's 10,000 subscribers in
   * milliseconds). Subscriptions with topics are matched in the newsroom and go through enqueue().
   */
  enqueueAudience(articleId: number, opts: AudienceQuery & { broadcastId?: number; priority?: number } = {}, now = Date.now()): number {
    return this.enqueueUnfilteredStmt.run({
      ...audienceParams(articleId, opts), broadcastId: opts.broadcastId ?? null, priority: opts.priority ?? 0, now,
    }).changes;
  }

  /** Deliveries ready to send on a platform, most urgent first, then oldest (or newest article) first. */
  next(platform: string, limit: number, order: 'oldest' | 'newest' = 'oldest', now = Date.now()): PendingDelivery[] {
    const stmt = order === 'newest' ? this.nextNewest : this.nextOldest;
    return (stmt.all(platform, now, limit) as PendingRow[]).map(toPending);
  }

  /**
   * Deliveries not gone that may wait for their chat, grouped (all, or one broadcast's): held for a digest, or queued
   * for a chat whose quiet hours hold messages. `carried`: held by a digest message that has not gone yet;
   * `scheduled`: how many have a later not_before (postponed, or a retry).
   */
  chatWaitCandidates(now: number, broadcastId?: number): ChatWaitGroup[] {
    return (this.chatWaitsStmt.all({ now, broadcast: broadcastId ?? null }) as Array<QuietColumns & {
      platform: string; subscription_id: number; state: 'queued' | 'held'; urgent: number; carried: number; n: number; scheduled: number;
      mode: 'immediate' | 'hourly' | 'daily'; digest_at: string | null;
    }>).map((r) => ({
      platform: r.platform, subscriptionId: r.subscription_id, state: r.state, urgent: r.urgent === 1, carried: r.carried === 1,
      count: r.n, scheduled: r.scheduled, mode: r.mode, digestAt: r.digest_at === null ? undefined : parseClock(r.digest_at),
      timeZone: r.q_zone ?? DEFAULT_TIME_ZONE, quiet: quietOf(r),
    }));
  }

  /** Not before the end of the chat's quiet hours (no attempt counted: nothing was tried). */
  postpone(id: number, notBefore: number): void {
    this.postponeStmt.run(notBefore, id);
  }

  /** What a digest subscription holds for its next digest: queued up to the period's end, in no digest yet. */
  heldFor(subscriptionId: number, until: number): Array<{ id: number; articleId: number }> {
    return (this.heldStmt.all({ id: subscriptionId, until }) as Array<{ id: number; article_id: number }>).map((r) => ({ id: r.id, articleId: r.article_id }));
  }

  /** A subscription back to immediate: what it held for a digest not yet closed goes out as usual. */
  releaseHeld(subscriptionId: number): number {
    return this.releaseStmt.run({ id: subscriptionId }).changes;
  }

  /** Must be committed before the request goes out: a crash then leaves the row `sending`, i.e. in doubt. */
  markSending(id: number, now = Date.now()): boolean {
    return this.sendingStmt.run(now, id).changes > 0;
  }

  markSent(id: number, messageId: string | undefined, now = Date.now()): void {
    this.sentStmt.run(messageId ?? null, now, id);
  }

  retryLater(id: number, error: string, notBefore: number): void {
    this.retryStmt.run(notBefore, error, id);
  }

  markFailed(id: number, error: string, opts: { retryable?: boolean } = {}, now = Date.now()): void {
    this.failStmt.run(error, now, opts.retryable ? 1 : 0, id);
  }

  /**
   * Failed deliveries of an article queued again, for chats still subscribed: those that failed for a temporary
   * reason, or (everyFailure) every failed one. Their attempts start over; the unique row means none is duplicated.
   */
  requeueFailed(articleId: number, everyFailure: boolean, note: string): number {
    return this.requeueStmt.run({ articleId, every: everyFailure ? 1 : 0, note }).changes;
  }

  /**
   * Every delivery of the article that has not left (queued, waiting for quiet hours to end, held for a digest) is
   * skipped with the reason (a retraction); returns how many.
   */
  cancelWaitingForArticle(articleId: number, reason: string, now = Date.now()): number {
    return this.cancelArticleStmt.run(reason, now, articleId).changes;
  }

  /** The article's deliveries per platform and state (what a correction or a retraction would touch). */
  articleStates(articleId: number): Array<{ platform: string; state: DeliveryState; count: number }> {
    return (this.articleStatesStmt.all(articleId) as Array<{ platform: string; state: DeliveryState; n: number }>)
      .map((r) => ({ platform: r.platform, state: r.state, count: r.n }));
  }

  countFailed(articleId: number): number {
    return this.countFailedStmt.get(articleId) as number;
  }

  markSkipped(id: number, reason: string, now = Date.now()): void {
    this.finishStmt.run('skipped', reason, now, id);
  }

  /** A subscription that can no longer receive: what is still queued for it fails with the same reason. */
  failQueuedForSubscription(subscriptionId: number, reason: string, now = Date.now()): number {
    return this.bySubscription.run('failed', reason, now, subscriptionId).changes;
  }

  /** Applied once at start-up, under the run lease, before any sending. Returns how many rows it touched. */
  recoverInterrupted(policy: InDoubtPolicy, now = Date.now()): number {
    const note = 'interrupted while sending (process stopped before the platform answered)';
    return policy === 'resend' ? this.resendStmt.run(note).changes : this.holdStmt.run(note, now).changes;
  }

  stopBroadcast(broadcastId: number, now = Date.now()): number {
    return this.stopBroadcastStmt.run(now, broadcastId).changes;
  }

  broadcastProgress(broadcastId: number): Record<DeliveryState, number> {
    const progress: Record<DeliveryState, number> = { queued: 0, held: 0, sending: 0, sent: 0, failed: 0, skipped: 0, in_doubt: 0 };
    for (const r of this.byBroadcast.all(broadcastId) as Array<{ state: DeliveryState; n: number }>) progress[r.state] = r.n;
    return progress;
  }

  countsByState(): Array<{ platform: string; state: DeliveryState; count: number }> {
    return (this.stateCounts.all() as Array<{ platform: string; state: DeliveryState; n: number }>)
      .map((r) => ({ platform: r.platform, state: r.state, count: r.n }));
  }

  /** Age in ms of the oldest delivery not yet finished, or undefined when the queue is empty. */
  oldestPendingAge(now = Date.now()): number | undefined {
    const t = this.oldestQueued.get();
    return typeof t === 'number' ? now - t : undefined;
  }

  inDoubt(limit = 20): DeliveryRecord[] {
    return (this.inDoubtStmt.all(limit) as DeliveryRow[]).map(toRecord);
  }

  get(id: number): DeliveryRecord | undefined {
    const row = this.byId.get(id) as DeliveryRow | undefined;
    return row && toRecord(row);
  }

  listForArticle(articleId: number): DeliveryRecord[] {
    return (this.forArticle.all(articleId) as DeliveryRow[]).map(toRecord);
  }

  /** The SQL part of an audience: how many it holds, how many of those have the article, and how many it failed for. */
  countAudience(articleId: number, q: AudienceQuery = {}): { total: number; already: number; failed: number } {
    return this.countAudienceStmt.get(audienceParams(articleId, q)) as { total: number; already: number; failed: number };
  }

  /** Subscriptions that have (or had) a delivery of the article, with its state: a new one is never queued for them. */
  subscriptionsWith(articleId: number): Map<number, DeliveryState> {
    const rows = this.subscriptionsWithStmt.all(articleId) as Array<{ subscription_id: number; state: DeliveryState }>;
    return new Map(rows.map((r) => [r.subscription_id, r.state]));
  }

  /** How many subscriptions have a delivery of the source's articles: whom a new source's backfill went to. */
  countSubscriptionsForSource(sourceId: number): number {
    return this.sourceAudienceStmt.get(sourceId) as number;
  }

  /** An editor's verdict on an in-doubt delivery: it arrived (`sent`), or it did not (`queued`: sent again). */
  resolveInDoubt(id: number, to: 'sent' | 'queued', note: string, now = Date.now()): boolean {
    return this.resolveStmt.run({ id, to, note, now }).changes > 0;
  }
}

/** See chatWaitCandidates. */
export interface ChatWaitGroup {
  platform: string; subscriptionId: number; state: 'queued' | 'held'; urgent: boolean; carried: boolean; count: number; scheduled: number;
  mode: 'immediate' | 'hourly' | 'daily'; digestAt?: number; timeZone: string; quiet?: QuietSetting;
}

/** Which active subscriptions an SQL audience holds: see the constructor. */
export interface AudienceQuery {
  /** Subscriptions with a topic filter too (an urgent alert, "all"); default: only those without one. */
  everyTopic?: boolean;
  platform?: string;
  /** Only subscriptions active since before this time (routing a new article never sends a backlog). */
  activeBefore?: number;
  /** The article's source: a subscription with a filter for it is matched in the newsroom. */
  sourceId?: number;
}

const audienceParams = (articleId: number, q: AudienceQuery) => ({
  articleId, everyTopic: q.everyTopic ? 1 : 0, platform: q.platform ?? null, activeBefore: q.activeBefore ?? Number.MAX_SAFE_INTEGER,
  sourceId: q.sourceId ?? null,
});

interface DeliveryRow {
  id: number; article_id: number; subscription_id: number; platform: string; state: DeliveryState;
  attempts: number; last_error: string | null; message_id: string | null; broadcast_id: number | null;
  queued_at: number; sending_at: number | null; finished_at: number | null;
}

function toRecord(r: DeliveryRow): DeliveryRecord {
  return {
    id: r.id, articleId: r.article_id, subscriptionId: r.subscription_id, platform: r.platform, state: r.state,
    attempts: r.attempts, lastError: r.last_error ?? undefined, messageId: r.message_id ?? undefined,
    broadcastId: r.broadcast_id ?? undefined, queuedAt: new Date(r.queued_at), sendingAt: toDate(r.sending_at),
    finishedAt: toDate(r.finished_at),
  };
}

interface PendingRow extends TemplateColumns, QuietColumns {
  id: number; article_id: number; subscription_id: number; platform: string; attempts: number; priority: number;
  broadcast_id: number | null; chat_id: string; thread_id: number | null; kind: string; active: number;
  paid: number;
}

/** TEMPLATE_COLUMNS as they arrive (NULL: the environment's default). */
type TemplateColumns = Parameters<typeof templateFromRow>[0];

function toPending(r: PendingRow): PendingDelivery {
  return {
    id: r.id, articleId: r.article_id, subscriptionId: r.subscription_id, platform: r.platform, attempts: r.attempts,
    priority: r.priority, broadcastId: r.broadcast_id ?? undefined, chatId: r.chat_id, threadId: r.thread_id ?? undefined,
    chatKind: r.kind, subscriptionActive: r.active === 1, template: templateFromRow(r), quiet: quietOf(r), paid: r.paid === 1,
  };
}

/**
 * A new delivery's state: `held` for a digest subscription (d.s. = its delivery_settings row, when it has one),
 * unless it is urgent (priority > 0) and the subscription takes urgent alerts at once.
 */
const HELD_OR_QUEUED = `CASE WHEN COALESCE(ds.mode, 'immediate') = 'immediate' OR (@priority > 0 AND ds.urgent_now = 1)
  THEN 'queued' ELSE 'held' END`;

/** The quiet-hours columns every outbox query joins in (delivery_settings as ds). */
export const QUIET_COLUMNS = 'ds.quiet_start AS q_start, ds.quiet_end AS q_end, ds.quiet_mode AS q_mode, ds.quiet_urgent AS q_urgent, ds.time_zone AS q_zone';

/** The quiet-hours columns of QUIET_COLUMNS, as a row carries them. */
export interface QuietColumns { q_start: string | null; q_end: string | null; q_mode: 'silent' | 'wait' | null; q_urgent: number | null; q_zone: string | null }

export function quietOf(r: QuietColumns): QuietSetting | undefined {
  const start = r.q_start === null ? undefined : parseClock(r.q_start);
  const end = r.q_end === null ? undefined : parseClock(r.q_end);
  if (start === undefined || end === undefined) return undefined;
  return { start, end, timeZone: r.q_zone ?? DEFAULT_TIME_ZONE, mode: r.q_mode ?? 'silent', urgentOverrides: r.q_urgent === 1 };
}
