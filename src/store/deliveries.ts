import type { Database, Statement } from 'better-sqlite3';

export type DeliveryState = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped' | 'in_doubt';

/** What the worker needs to send one delivery: the row and where it goes. */
export interface PendingDelivery {
  id: number;
  articleId: number;
  subscriptionId: number;
  platform: string;
  attempts: number;
  priority: number;
  broadcastId?: number;
  chatId: string;
  threadId?: number;
  chatKind: string;
  subscriptionActive: boolean;
  digest: boolean;
}

export interface DeliveryRow {
  id: number; article_id: number; subscription_id: number; platform: string; state: DeliveryState;
  attempts: number; last_error: string | null; message_id: string | null; broadcast_id: number | null;
  queued_at: number; sending_at: number | null; finished_at: number | null;
}

/**
 * What happens to deliveries found in `sending` after a crash: the request may or may not have reached the platform.
 * `hold` (default) marks them in_doubt and never resends (a missing alert is reported, a duplicate cannot be undone);
 * `resend` queues them again (at-least-once).
 */
export type InDoubtPolicy = 'hold' | 'resend';

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
  private readonly queuedForSub: Statement;

  constructor(private readonly db: Database) {
    this.insertStmt = db.prepare(`INSERT INTO deliveries (article_id, subscription_id, platform, broadcast_id, priority, queued_at)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, subscription_id) DO NOTHING`);
    const next = (order: string) => db.prepare(`SELECT d.id, d.article_id, d.subscription_id, d.platform, d.attempts,
        d.priority, d.broadcast_id, s.chat_id, s.thread_id, s.kind, s.active, s.digest
      FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
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
    this.resendStmt = db.prepare(`UPDATE deliveries SET state = 'queued', last_error = ? WHERE state = 'sending'`);
    this.stateCounts = db.prepare('SELECT platform, state, COUNT(*) AS n FROM deliveries GROUP BY platform, state');
    this.oldestQueued = db.prepare(`SELECT MIN(queued_at) FROM deliveries WHERE state IN ('queued', 'sending')`).pluck();
    this.bySubscription = db.prepare(`UPDATE deliveries SET state = ?, last_error = ?, finished_at = ?
      WHERE subscription_id = ? AND state = 'queued'`);
    this.byBroadcast = db.prepare('SELECT state, COUNT(*) AS n FROM deliveries WHERE broadcast_id = ? GROUP BY state');
    this.stopBroadcastStmt = db.prepare(`UPDATE deliveries SET state = 'skipped', last_error = 'stopped by an editor', finished_at = ?
      WHERE broadcast_id = ? AND state = 'queued'`);
    this.inDoubtStmt = db.prepare(`SELECT * FROM deliveries WHERE state = 'in_doubt' ORDER BY id DESC LIMIT ?`);
    this.byId = db.prepare('SELECT * FROM deliveries WHERE id = ?');
    this.forArticle = db.prepare('SELECT * FROM deliveries WHERE article_id = ? ORDER BY id');
    this.enqueueUnfilteredStmt = db.prepare(`INSERT INTO deliveries (article_id, subscription_id, platform, broadcast_id, priority, queued_at)
      SELECT @articleId, id, platform, @broadcastId, @priority, @now FROM subscriptions
      WHERE active = 1 AND topics = '[]' AND active_since <= @activeBefore
      ON CONFLICT (article_id, subscription_id) DO NOTHING`);
    this.queuedForSub = db.prepare(`SELECT d.id, d.article_id, d.subscription_id, d.platform, d.attempts,
        d.priority, d.broadcast_id, s.chat_id, s.thread_id, s.kind, s.active, s.digest
      FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
      WHERE d.subscription_id = ? AND d.platform = ? AND d.state = 'queued' AND d.not_before <= ?
      ORDER BY d.article_id DESC, d.id ASC LIMIT ?`);
  }

  /** Queues the article for each subscription, in one transaction; returns how many rows were new. */
  enqueue(articleId: number, targets: Array<{ id: number; platform: string }>, opts: { broadcastId?: number; priority?: number } = {}, now = Date.now()): number {
    let added = 0;
    this.db.transaction(() => {
      for (const t of targets) {
        added += this.insertStmt.run(articleId, t.id, t.platform, opts.broadcastId ?? null, opts.priority ?? 0, now).changes;
      }
    })();
    return added;
  }

  /**
   * Queues the article for every active subscription without a topic filter, in one statement (a newsroom's
   * 10,000 subscribers in milliseconds). Subscriptions with topics are matched in the core and go through enqueue().
   */
  enqueueUnfiltered(articleId: number, opts: { broadcastId?: number; priority?: number; activeBefore?: number } = {}, now = Date.now()): number {
    return this.enqueueUnfilteredStmt.run({
      articleId, broadcastId: opts.broadcastId ?? null, priority: opts.priority ?? 0, now,
      activeBefore: opts.activeBefore ?? Number.MAX_SAFE_INTEGER,
    }).changes;
  }

  /** Deliveries ready to send on a platform, most urgent first, then oldest (or newest article) first. */
  next(platform: string, limit: number, order: 'oldest' | 'newest' = 'oldest', now = Date.now()): PendingDelivery[] {
    const stmt = order === 'newest' ? this.nextNewest : this.nextOldest;
    return (stmt.all(platform, now, limit) as PendingRow[]).map((r) => ({
      id: r.id, articleId: r.article_id, subscriptionId: r.subscription_id, platform: r.platform, attempts: r.attempts,
      priority: r.priority, broadcastId: r.broadcast_id ?? undefined, chatId: r.chat_id, threadId: r.thread_id ?? undefined,
      chatKind: r.kind, subscriptionActive: r.active === 1, digest: r.digest === 1,
    }));
  }

  /** Deliveries ready to send to one subscription, newest article first: what a digest folds into one message. */
  queuedForSubscription(subscriptionId: number, platform: string, limit: number, now = Date.now()): PendingDelivery[] {
    return (this.queuedForSub.all(subscriptionId, platform, now, limit) as PendingRow[]).map(toPending);
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

  markFailed(id: number, error: string, now = Date.now()): void {
    this.finishStmt.run('failed', error, now, id);
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
    const progress: Record<DeliveryState, number> = { queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0, in_doubt: 0 };
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

  inDoubt(limit = 20): DeliveryRow[] {
    return this.inDoubtStmt.all(limit) as DeliveryRow[];
  }

  get(id: number): DeliveryRow | undefined {
    return this.byId.get(id) as DeliveryRow | undefined;
  }

  listForArticle(articleId: number): DeliveryRow[] {
    return this.forArticle.all(articleId) as DeliveryRow[];
  }
}

interface PendingRow {
  id: number; article_id: number; subscription_id: number; platform: string; attempts: number; priority: number;
  broadcast_id: number | null; chat_id: string; thread_id: number | null; kind: string; active: number; digest: number;
}

function toPending(r: PendingRow): PendingDelivery {
  return {
    id: r.id, articleId: r.article_id, subscriptionId: r.subscription_id, platform: r.platform, attempts: r.attempts,
    priority: r.priority, broadcastId: r.broadcast_id ?? undefined, chatId: r.chat_id, threadId: r.thread_id ?? undefined,
    chatKind: r.kind, subscriptionActive: r.active === 1, digest: r.digest === 1,
  };
}
