import type { Database } from 'better-sqlite3';
import { Table } from './table.js';
import type { AudienceQuery } from '../model/broadcast.js';
import type { ChatWaitGroup } from '../model/outbox.js';
import type { CorrectionKind, CorrectionOutcome, CorrectionTally } from '../model/correction.js';
import {
  CORRECTIONS,
  POSTS,
  type DeliveryState,
  type InDoubtPolicy,
  type JobAnswer,
  type JobKind,
  type JobRecord,
  type PendingJob,
  type QuietSetting,
} from '../model/delivery.js';
import { parseClock } from '../text/schedule.js';
import { DEFAULT_TIME_ZONE } from '../text/arabic-date.js';
import type { SendFence } from '../ports/jobs.js';
import { toDate } from './rows.js';
import { templateFromRow } from './templates.js';

/**
 * The outbox: one row per message operation (db/013_outbox.sql), whatever its kind, with one state machine. A job is
 * marked `sending` (committed) before its request leaves and `sent` with the platform's answer after it, so a crash
 * leaves only the requests on the wire in doubt, never a silent loss or a resend. A digest message carries the posts
 * it folds (`carried_by`): they follow its state in the same transaction, so the post rows still answer "did this
 * article reach this chat".
 */
export class JobsTable extends Table {
  // Posts in. One statement for every listed subscription (the matched half of a routing: thousands of ids as one
  // JSON array), and one for the audience SQL selects alone (a newsroom's 10,000 subscribers in milliseconds).
  // `@notBefore`: a scheduled broadcast's time (0: at once). Its posts count as queued from that time: the queue's
  // oldest wait (stats, health) is not a broadcast scheduled for tomorrow.
  private readonly insertStmt =
    this.db.prepare(`${POST_IN} FROM json_each(@ids) j JOIN subscriptions s ON s.id = j.value
    LEFT JOIN delivery_settings ds ON ds.subscription_id = s.id WHERE true ${ONCE}`);
  // Active subscriptions, without a topic filter (nor one for the article's source) unless every topic counts,
  // optionally of one platform. Subscriptions with topics are matched in the newsroom (normalised Arabic).
  private readonly enqueueAudienceStmt =
    this.db.prepare(`${POST_IN} FROM subscriptions s LEFT JOIN delivery_settings ds ON ds.subscription_id = s.id
    ${AUDIENCE} ${ONCE}`);
  private readonly countAudienceStmt =
    this.db.prepare(`SELECT COUNT(*) AS total, ${has("<> 'failed'")} AS already, ${has("= 'failed'")} AS failed
    FROM subscriptions s ${AUDIENCE}`);
  private readonly subscriptionsWithStmt = this.db.prepare(
    `SELECT subscription_id, state FROM jobs WHERE article_id = ? AND kind = 'post'`,
  );
  private readonly sourceAudienceStmt = this.db
    .prepare(`SELECT COUNT(DISTINCT d.subscription_id) FROM jobs d JOIN articles a ON a.id = d.article_id
    WHERE a.source_id = ? AND d.kind = 'post'`)
    .pluck();
  // Edits and deletes in: one per post answered (`sent`) or on the wire (`sending`: the job waits for its message
  // id); a delete also for the posts left in doubt by a crash, so the editor sees they could not be touched.
  private readonly queueCorrectionsStmt =
    this.db.prepare(`INSERT INTO jobs (kind, platform, subscription_id, article_id, revision, waits_for, queued_at)
    SELECT @kind, d.platform, d.subscription_id, d.article_id, @revision, d.id, @now FROM jobs d
    WHERE d.article_id = @articleId AND d.kind = 'post' AND (d.state IN ('sent', 'sending') OR (@kind = 'delete' AND d.state = 'in_doubt'))
    ON CONFLICT DO NOTHING`);
  private readonly supersedeStmt =
    this.db.prepare(`UPDATE jobs SET state = 'skipped', last_error = @why, finished_at = @now
    WHERE article_id = @articleId AND ${CORRECTION_ROWS} AND kind = 'edit' AND state = 'queued' AND revision < @revision`);
  // Digests in. Held and carried by no digest message yet (a closed digest's posts stay held until their message goes),
  // and due by the period's end: a scheduled broadcast's post joins the first digest after its time, not one before.
  private readonly heldStmt = this.db.prepare(`SELECT id, article_id FROM jobs
    WHERE subscription_id = @id AND state = 'held' AND queued_at <= @until AND not_before <= @until AND carried_by IS NULL ORDER BY id`);
  private readonly releaseStmt = this.db.prepare(
    `UPDATE jobs SET state = 'queued' WHERE subscription_id = @id AND state = 'held' AND carried_by IS NULL`,
  );
  private readonly addPartStmt = this.db
    .prepare(`INSERT INTO jobs (kind, platform, subscription_id, digest_id, part, parts, text, queued_at)
    SELECT 'digest', s.platform, g.subscription_id, g.id, @part, @parts, @text, @now FROM digests g JOIN subscriptions s ON s.id = g.subscription_id
    WHERE g.id = @digestId RETURNING id`)
    .pluck();
  private readonly carryStmt = this.db.prepare(
    `UPDATE jobs SET carried_by = @job WHERE id IN (SELECT value FROM json_each(@posts)) AND kind = 'post'`,
  );
  private readonly uncarryStmt = this.db.prepare(`UPDATE jobs SET carried_by = NULL WHERE carried_by IN
    (SELECT id FROM jobs WHERE digest_id = ? AND kind = 'digest' AND state = 'queued')`);
  // A digest message not sent yet that carries a post no longer held for it (cancelled by a retraction meanwhile).
  private readonly staleStmt = this.db
    .prepare(`SELECT 1 FROM jobs WHERE carried_by = ? AND state <> 'held' LIMIT 1`)
    .pluck();
  private readonly queuedPartsStmt = this.db
    .prepare(`SELECT id FROM jobs WHERE digest_id = ? AND kind = 'digest' AND state = 'queued' ORDER BY part`)
    .pluck();
  private readonly heldCarriedStmt =
    this.db.prepare(`SELECT d.id, d.article_id FROM jobs p JOIN jobs d ON d.carried_by = p.id
    WHERE p.digest_id = ? AND p.kind = 'digest' AND p.state = 'queued' AND d.state = 'held' ORDER BY d.id`);
  private readonly rewriteStmt = this.db.prepare(
    `UPDATE jobs SET text = @text, parts = @parts WHERE id = @id AND state = 'queued'`,
  );
  private readonly lastPartStmt = this.db
    .prepare(`SELECT MAX(part) FROM jobs WHERE digest_id = ? AND kind = 'digest'`)
    .pluck();
  // The worker's look: see JobsTable.next. Each lane is read apart, in the jobs_queue indexes' order and up to the
  // limit (as the three outboxes were): edits queued for a few busy chats never leave the posts for other chats
  // out of a look. Only the picked rows (at most three limits) are sorted again.
  private readonly nextOldest = nextStatement(this.db, 'digest_id', 'part', 'id');
  private readonly nextNewest = nextStatement(this.db, 'article_id DESC', 'digest_id', 'part', 'id');
  private readonly queuedStmt = this.db
    .prepare(`SELECT 1 FROM jobs WHERE platform = @platform AND state = 'queued' AND (@texts = 1 OR kind <> 'digest')
    AND (@corrections = 1 OR kind NOT IN ('edit', 'delete')) AND (@dueBy IS NULL OR not_before <= @dueBy) LIMIT 1`)
    .pluck();
  // The state machine, once for every kind. Only a job that is due leaves: one a scheduled broadcast's move put
  // later after the worker picked it stays queued for its new time.
  private readonly sendingStmt =
    this.db.prepare(`UPDATE jobs SET state = 'sending', sending_at = @now, attempts = attempts + 1
    WHERE id = @id AND state = 'queued' AND not_before <= @now`);
  private readonly sentStmt =
    this.db.prepare(`UPDATE jobs SET state = 'sent', message_id = @messageId, outcome = @outcome, answer = @answer,
      finished_at = @now, last_error = NULL WHERE id = @id AND state = 'sending'`);
  // A job can fail before its request left (still `queued`): it counts as an attempt all the same.
  private readonly retryStmt =
    this.db.prepare(`UPDATE jobs SET state = 'queued', not_before = @at, last_error = @error, attempts = attempts + (state = 'queued')
    WHERE id = @id AND state IN ('queued', 'sending')`);
  // Not before the end of the chat's quiet hours, or of a post's own request: nothing was tried, no attempt counted.
  private readonly postponeStmt = this.db.prepare(
    `UPDATE jobs SET not_before = @at, last_error = COALESCE(@note, last_error) WHERE id = @id AND state = 'queued'`,
  );
  private readonly finishStmt =
    this.db.prepare(`UPDATE jobs SET state = @state, last_error = @error, finished_at = @now, retryable = @retryable
    WHERE id = @id AND state IN ('queued', 'sending')`);
  // A fenced write (SendFence): the sender's lease still names this take (SQLite has one run per database, whose
  // worker passes none; the ports answer the same on both adapters).
  private readonly holdsStmt = this.db.prepare('SELECT 1 FROM leases WHERE name = ? AND holder = ?').pluck();
  // The posts a digest message carries follow it (primary-key lookups through jobs_carried).
  private readonly membersSending =
    this.db.prepare(`UPDATE jobs SET state = 'sending', sending_at = @now, attempts = attempts + 1
    WHERE carried_by = @id AND state = 'held'`);
  private readonly membersSent =
    this.db.prepare(`UPDATE jobs SET state = 'sent', message_id = @messageId, finished_at = @now, last_error = @note
    WHERE carried_by = @id AND state IN ('sending', 'in_doubt')`);
  private readonly membersHeld = this.db.prepare(
    `UPDATE jobs SET state = 'held', last_error = @error WHERE carried_by = @id AND state IN ('sending', 'in_doubt')`,
  );
  private readonly membersFinish =
    this.db.prepare(`UPDATE jobs SET state = @state, last_error = @error, finished_at = @now
    WHERE carried_by = @id AND state IN ('held', 'sending')`);
  // lane 0 (edits and deletes): read from jobs_queue without the platform's other queued jobs (run at every look).
  private readonly failCorrectionsStmt =
    this.db.prepare(`UPDATE jobs SET state = 'failed', last_error = ?, finished_at = ?
    WHERE platform = ? AND lane = 0 AND state = 'queued'`);
  // Crash recovery, one statement for every kind: a digest's posts go back to waiting for their message (queued
  // again with it), not out one by one.
  // A platform named (@platform not NULL): its jobs only (a digest's posts are on its message's platform).
  private readonly holdStmt =
    this.db.prepare(`UPDATE jobs SET state = 'in_doubt', last_error = @note, finished_at = @now
    WHERE state = 'sending' AND (@platform IS NULL OR platform = @platform)`);
  private readonly resendStmt =
    this.db.prepare(`UPDATE jobs SET last_error = @note, state = CASE WHEN carried_by IS NULL THEN 'queued' ELSE 'held' END
    WHERE state = 'sending' AND (@platform IS NULL OR platform = @platform)`);
  private readonly resolveStmt =
    this.db.prepare(`UPDATE jobs SET state = @to, finished_at = CASE WHEN @to = 'sent' THEN @now ELSE NULL END,
      outcome = CASE WHEN @to = 'sent' THEN (CASE kind WHEN 'edit' THEN 'edited' WHEN 'delete' THEN 'deleted' END) END,
      carried_by = CASE WHEN @to = 'sent' THEN carried_by END, not_before = 0, last_error = @note
    WHERE id = @id AND state = 'in_doubt'`);
  // The newsroom's writes and questions.
  private readonly failForSubscriptionStmt =
    this.db.prepare(`UPDATE jobs SET state = 'failed', last_error = ?, finished_at = ?
    WHERE subscription_id = ? AND kind = 'post' AND state IN ('queued', 'held')`);
  private readonly requeueStmt =
    this.db.prepare(`UPDATE jobs SET state = 'queued', attempts = 0, not_before = 0, retryable = 0, carried_by = NULL,
      finished_at = NULL, last_error = @note
    WHERE article_id = @articleId AND kind = 'post' AND state = 'failed' AND (retryable = 1 OR @every = 1)
      AND subscription_id IN (SELECT id FROM subscriptions WHERE active = 1)`);
  private readonly countFailedStmt = this.db
    .prepare(`SELECT COUNT(*) FROM jobs WHERE article_id = ? AND kind = 'post' AND state = 'failed'`)
    .pluck();
  // Every job of the article that has not left: posts queued (a retry or quiet hours' wait included) or held for a
  // digest (also when a digest message not sent yet carries it: that message is rebuilt without it before it goes),
  // and edits not made yet.
  // Posts and edits apart, each through its own index (jobs_post_once, jobs_article_corrections).
  private readonly cancelPostsStmt = cancelStatement(this.db, `kind = 'post'`);
  private readonly cancelEditsStmt = cancelStatement(this.db, `${CORRECTION_ROWS} AND kind = 'edit'`);
  private readonly articleStatesStmt = this.db.prepare(
    `SELECT platform, state, COUNT(*) AS n FROM jobs WHERE article_id = ? AND kind = 'post' GROUP BY platform, state`,
  );
  private readonly stopBroadcastStmt =
    this.db.prepare(`UPDATE jobs SET state = 'skipped', last_error = 'stopped by an editor', finished_at = ?
    WHERE broadcast_id = ? AND state = 'queued'`);
  // From the few scheduled broadcasts (broadcasts_scheduled) to their posts (jobs_broadcast).
  private readonly scheduledPostsStmt =
    this.db.prepare(`SELECT j.platform, COUNT(*) AS n, MIN(b.send_at) AS next FROM broadcasts b
    JOIN jobs j ON j.broadcast_id = b.id AND j.state = 'queued' AND j.kind = 'post'
    WHERE b.send_at IS NOT NULL AND b.state = 'queued' AND b.send_at > ? GROUP BY j.platform`);
  private readonly rescheduleStmt = this.db.prepare(
    `UPDATE jobs SET not_before = @at, queued_at = @at WHERE broadcast_id = @id AND state IN ('queued', 'held')`,
  );
  private readonly unscheduleStmt = this.db.prepare(`UPDATE jobs SET state = 'skipped', last_error = ?, finished_at = ?
    WHERE broadcast_id = ? AND state IN ('queued', 'held')`);
  private readonly byBroadcast = this.db.prepare(
    'SELECT state, COUNT(*) AS n FROM jobs WHERE broadcast_id = ? GROUP BY state',
  );
  private readonly stateCounts = this.db.prepare(
    `SELECT platform, state, COUNT(*) AS n FROM jobs WHERE kind IN (SELECT value FROM json_each(?)) GROUP BY platform, state`,
  );
  private readonly oldestQueued = this.db
    .prepare(
      `SELECT MIN(queued_at) FROM jobs WHERE kind = 'post' AND state IN ('queued', 'sending') AND queued_at <= ?`,
    )
    .pluck();
  private readonly inDoubtStmt = this.db.prepare(
    `SELECT * FROM jobs WHERE state = 'in_doubt' ORDER BY id DESC LIMIT ?`,
  );
  private readonly byId = this.db.prepare('SELECT * FROM jobs WHERE id = ?');
  private readonly postsForArticle = this.db.prepare(
    `SELECT * FROM jobs WHERE article_id = ? AND kind = 'post' ORDER BY id`,
  );
  private readonly correctionsForArticle =
    this.db.prepare(`SELECT * FROM jobs WHERE article_id = ? AND ${CORRECTION_ROWS}
    AND kind IN (SELECT value FROM json_each(?)) ORDER BY id`);
  private readonly forSubscription = this.db.prepare(
    'SELECT * FROM jobs WHERE subscription_id = ? AND kind IN (SELECT value FROM json_each(?)) ORDER BY id',
  );
  private readonly tallyStmt = this.db.prepare(`SELECT platform, kind, state, outcome, COUNT(*) AS n FROM jobs
    WHERE article_id = ? AND ${CORRECTION_ROWS} GROUP BY platform, kind, state, outcome`);
  private readonly reasonsStmt = this.db.prepare(`SELECT platform, kind, last_error AS reason, COUNT(*) AS n FROM jobs
    WHERE article_id = ? AND ${CORRECTION_ROWS} AND state IN ('failed', 'in_doubt') GROUP BY platform, kind, last_error ORDER BY n DESC`);
  // Posts that may be waiting for their chat (its quiet hours in `wait` mode, or its digest), grouped by
  // subscription and what decides their wait; the newsroom tells from the settings whether and until when.
  private readonly chatWaitsStmt =
    this.db.prepare(`SELECT d.platform, d.subscription_id, d.state, d.priority > 0 AS urgent,
      (d.state = 'held' AND d.carried_by IS NOT NULL) AS carried,
      COUNT(*) AS n, SUM(d.not_before > @now) AS scheduled, ds.mode, ds.digest_at, ${QUIET_COLUMNS}
    FROM jobs d JOIN delivery_settings ds ON ds.subscription_id = d.subscription_id
    WHERE d.kind = 'post' AND (d.state = 'held' OR (d.state = 'queued' AND ds.quiet_mode = 'wait' AND ds.quiet_start IS NOT NULL))
      AND (@broadcast IS NULL OR d.broadcast_id = @broadcast)
    GROUP BY d.platform, d.subscription_id, d.state, urgent, carried`);

  /**
   * Queues the article for each subscription, in one statement; returns how many posts were new. A digest
   * subscription's post is `held` for its digest (an urgent one is queued when the subscription asks for that).
   */
  enqueue(
    articleId: number,
    targets: Array<{ id: number }>,
    opts: { broadcastId?: number; priority?: number; notBefore?: number } = {},
    now = Date.now(),
  ): number {
    if (targets.length === 0) return 0;
    return this.insertStmt.run({
      articleId,
      ids: JSON.stringify(targets.map((t) => t.id)),
      broadcastId: opts.broadcastId ?? null,
      priority: opts.priority ?? 0,
      now,
      notBefore: opts.notBefore ?? 0,
    }).changes;
  }

  /** Queues the article for the SQL part of an audience (AUDIENCE); the rest goes through enqueue(). */
  enqueueAudience(
    articleId: number,
    opts: AudienceQuery & { broadcastId?: number; priority?: number; notBefore?: number } = {},
    now = Date.now(),
  ): number {
    return this.enqueueAudienceStmt.run({
      ...audienceParams(articleId, opts),
      broadcastId: opts.broadcastId ?? null,
      priority: opts.priority ?? 0,
      now,
      notBefore: opts.notBefore ?? 0,
    }).changes;
  }

  /** The SQL part of an audience: how many it holds, how many of those have the article, and how many it failed for. */
  countAudience(articleId: number, q: AudienceQuery = {}): { total: number; already: number; failed: number } {
    return this.countAudienceStmt.get(audienceParams(articleId, q)) as {
      total: number;
      already: number;
      failed: number;
    };
  }

  /** Subscriptions that have (or had) a post of the article, with its state: a new one is never queued for them. */
  subscriptionsWith(articleId: number): Map<number, DeliveryState> {
    const rows = this.subscriptionsWithStmt.all(articleId) as Array<{ subscription_id: number; state: DeliveryState }>;
    return new Map(rows.map((r) => [r.subscription_id, r.state]));
  }

  /** How many subscriptions have a post of the source's articles: whom a new source's backfill went to. */
  countSubscriptionsForSource(sourceId: number): number {
    return this.sourceAudienceStmt.get(sourceId) as number;
  }

  /**
   * Queues one edit or delete for every post of the article that was sent (or is on its way); returns how many were
   * new. An edit for revision N makes queued edits for older revisions pointless: they are skipped (a retraction
   * cancels every queued edit first, see cancelWaitingForArticle).
   */
  queueCorrections(articleId: number, kind: CorrectionKind, revision: number, now = Date.now()): number {
    if (kind === 'edit')
      this.supersedeStmt.run({ articleId, revision, now, why: `superseded by revision ${revision}` });
    return this.queueCorrectionsStmt.run({ articleId, kind, revision, now }).changes;
  }

  /** What a digest subscription holds for its next digest: queued up to the period's end, in no digest yet. */
  heldFor(subscriptionId: number, until: number): Array<{ id: number; articleId: number }> {
    return (this.heldStmt.all({ id: subscriptionId, until }) as Array<{ id: number; article_id: number }>).map((r) => ({
      id: r.id,
      articleId: r.article_id,
    }));
  }

  /** A subscription back to immediate: what it held for a digest not yet closed goes out as usual. */
  releaseHeld(subscriptionId: number): number {
    return this.releaseStmt.run({ id: subscriptionId }).changes;
  }

  /** One message of a digest (its header in `digests`), carrying these held posts. */
  addDigestPart(
    digestId: number,
    part: number,
    parts: number,
    text: string,
    postIds: readonly number[],
    now = Date.now(),
  ): number {
    const job = this.addPartStmt.get({ digestId, part, parts, text, now }) as number;
    this.carryStmt.run({ job, posts: JSON.stringify(postIds) });
    return job;
  }

  /** True when a digest message not sent yet carries a post that was cancelled meanwhile (its text must be rebuilt). */
  isStale(digestJobId: number): boolean {
    return this.staleStmt.get(digestJobId) !== undefined;
  }

  /** The posts still held by the digest's messages not sent yet: what a rebuilt digest carries. */
  heldCarried(digestId: number): Array<{ id: number; articleId: number }> {
    return (this.heldCarriedStmt.all(digestId) as Array<{ id: number; article_id: number }>).map((r) => ({
      id: r.id,
      articleId: r.article_id,
    }));
  }

  /**
   * The digest's messages not sent yet, rebuilt: they take the new messages in order; those left over (a digest that
   * lost items usually needs fewer messages) are skipped, carrying nothing, and a message more is added after the
   * last part.
   */
  rewriteQueued(
    digestId: number,
    messages: ReadonlyArray<{ text: string; deliveries: readonly number[] }>,
    reason: string,
    now = Date.now(),
  ): void {
    this.atomic(() => {
      const queued = this.queuedPartsStmt.all(digestId) as number[];
      this.uncarryStmt.run(digestId);
      queued.forEach((id, i) => {
        const m = messages[i];
        if (!m) {
          this.markSkipped(id, reason, now);
          return;
        }
        this.rewriteStmt.run({ id, text: m.text, parts: messages.length });
        this.carryStmt.run({ job: id, posts: JSON.stringify(m.deliveries) });
      });
      let part = this.lastPartStmt.get(digestId) as number;
      for (const m of messages.slice(queued.length))
        this.addDigestPart(digestId, ++part, messages.length, m.text, m.deliveries, now);
    });
  }

  /**
   * Jobs ready to go on a platform, in the queue's order: edits and deletes, then digest messages (in digest and part
   * order; only where the platform sends texts), then posts, most urgent first, then oldest (or newest article) first;
   * up to `limit` of each.
   */
  next(
    platform: string,
    limit: number,
    order: 'oldest' | 'newest' = 'oldest',
    now = Date.now(),
    opts: { texts?: boolean } = {},
  ): PendingJob[] {
    const stmt = order === 'newest' ? this.nextNewest : this.nextOldest;
    return (stmt.all({ platform, now, limit, texts: opts.texts === false ? 0 : 1 }) as PendingRow[]).map(
      pendingJobFromRow,
    );
  }

  /** Any job queued on the platform, including one whose retry or quiet hours are later (up to `dueBy` when given). */
  hasQueued(platform: string, opts: { texts?: boolean; corrections?: boolean; dueBy?: number } = {}): boolean {
    return (
      this.queuedStmt.get({
        platform,
        texts: opts.texts === false ? 0 : 1,
        corrections: opts.corrections === false ? 0 : 1,
        dueBy: opts.dueBy ?? null,
      }) !== undefined
    );
  }

  /** Must be committed before the request goes out: a crash then leaves the job `sending`, i.e. in doubt. */
  markSending(id: number, now = Date.now(), fence?: SendFence): boolean {
    return this.atomic(() => {
      if (!this.holds(fence) || this.sendingStmt.run({ id, now }).changes === 0) return false;
      this.membersSending.run({ id, now });
      return true;
    });
  }

  /** The platform's answer: a message id (a string, as tests write it), or what an edit or delete did. */
  markSent(id: number, answer: string | JobAnswer | undefined, now = Date.now()): void {
    const a = typeof answer === 'string' ? { messageId: answer } : (answer ?? {});
    this.atomic(() => {
      if (
        this.sentStmt.run({
          id,
          now,
          messageId: a.messageId ?? null,
          outcome: a.outcome ?? null,
          answer: a.answer ?? null,
        }).changes === 0
      )
        return;
      this.membersSent.run({ id, now, messageId: a.messageId ?? null, note: null });
    });
  }

  retryLater(id: number, error: string, notBefore: number, fence?: SendFence): void {
    this.atomic(() => {
      if (!this.holds(fence)) return;
      this.retryStmt.run({ id, error, at: notBefore });
      this.membersHeld.run({ id, error });
    });
  }

  /** Look again at `notBefore` (quiet hours; an edit whose post is still on the wire, with why); no attempt counted. */
  postpone(id: number, notBefore: number, note?: string, fence?: SendFence): void {
    if (this.holds(fence)) this.postponeStmt.run({ id, at: notBefore, note: note ?? null });
  }

  markFailed(id: number, error: string, opts: { retryable?: boolean } = {}, now = Date.now(), fence?: SendFence): void {
    this.finish(id, 'failed', error, now, opts.retryable ?? false, fence);
  }

  markSkipped(id: number, reason: string, now = Date.now(), fence?: SendFence): void {
    this.finish(id, 'skipped', reason, now, false, fence);
  }

  /** A platform that cannot edit or delete its posts: its queued edits and deletes fail with the reason. */
  failCorrectionsOn(platform: string, reason: string, now = Date.now()): number {
    return this.failCorrectionsStmt.run(reason, now, platform).changes;
  }

  /**
   * Applied once at start-up, under the run lease, before any sending (JobRepository.recoverInterrupted: only the
   * platform's jobs when one is named). Returns how many jobs it touched.
   */
  recoverInterrupted(policy: InDoubtPolicy, now = Date.now(), platform?: string): number {
    const note = 'interrupted while sending (process stopped before the platform answered)';
    return policy === 'resend'
      ? this.resendStmt.run({ note, platform: platform ?? null }).changes
      : this.holdStmt.run({ note, now, platform: platform ?? null }).changes;
  }

  /**
   * An editor's verdict on a job in doubt: it arrived (`sent`: an edit counts as edited, a delete as deleted), or it
   * did not (`queued`: sent again, a post alone). A digest message's posts follow it.
   */
  resolveInDoubt(id: number, to: 'sent' | 'queued', note: string, now = Date.now()): boolean {
    return this.atomic(() => {
      if (this.resolveStmt.run({ id, to, note, now }).changes === 0) return false;
      if (to === 'sent') this.membersSent.run({ id, now, messageId: null, note });
      else this.membersHeld.run({ id, error: note });
      return true;
    });
  }

  /** A subscription that can no longer receive: the posts still waiting for it fail with the same reason. */
  failQueuedForSubscription(subscriptionId: number, reason: string, now = Date.now()): number {
    return this.failForSubscriptionStmt.run(reason, now, subscriptionId).changes;
  }

  /**
   * Failed posts of an article queued again, for chats still subscribed: those that failed for a temporary reason,
   * or (everyFailure) every failed one. Their attempts start over; the unique row means none is duplicated.
   */
  requeueFailed(articleId: number, everyFailure: boolean, note: string): number {
    return this.requeueStmt.run({ articleId, every: everyFailure ? 1 : 0, note }).changes;
  }

  countFailed(articleId: number): number {
    return this.countFailedStmt.get(articleId) as number;
  }

  /** Every job of the article that has not left is skipped with the reason (a retraction); returns how many posts and edits. */
  cancelWaitingForArticle(articleId: number, reason: string, now = Date.now()): number {
    return this.atomic(
      () =>
        this.cancelPostsStmt.run(reason, now, articleId).changes +
        this.cancelEditsStmt.run(reason, now, articleId).changes,
    );
  }

  /** The article's posts per platform and state (what a correction or a retraction would touch). */
  articleStates(articleId: number): Array<{ platform: string; state: DeliveryState; count: number }> {
    return (this.articleStatesStmt.all(articleId) as Array<{ platform: string; state: DeliveryState; n: number }>).map(
      (r) => ({ platform: r.platform, state: r.state, count: r.n }),
    );
  }

  stopBroadcast(broadcastId: number, now = Date.now()): number {
    return this.stopBroadcastStmt.run(now, broadcastId).changes;
  }

  /** A scheduled broadcast moved: its posts not gone take the new time; how many. */
  rescheduleBroadcast(broadcastId: number, at: number): number {
    return this.rescheduleStmt.run({ at, id: broadcastId }).changes;
  }

  /** A scheduled broadcast cancelled before its time: its posts (queued, or held for a digest) are skipped; how many. */
  unscheduleBroadcast(broadcastId: number, reason: string, now = Date.now()): number {
    return this.unscheduleStmt.run(reason, now, broadcastId).changes;
  }

  broadcastProgress(broadcastId: number): Record<DeliveryState, number> {
    const progress: Record<DeliveryState, number> = {
      queued: 0,
      held: 0,
      sending: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      in_doubt: 0,
    };
    for (const r of this.byBroadcast.all(broadcastId) as Array<{ state: DeliveryState; n: number }>)
      progress[r.state] = r.n;
    return progress;
  }

  /** Jobs of these kinds (posts by default) per platform and state. */
  countsByState(kinds: readonly JobKind[] = POSTS): Array<{ platform: string; state: DeliveryState; count: number }> {
    return (
      this.stateCounts.all(JSON.stringify(kinds)) as Array<{ platform: string; state: DeliveryState; n: number }>
    ).map((r) => ({ platform: r.platform, state: r.state, count: r.n }));
  }

  /** Jobs of these kinds (edits and deletes by default) per state, every platform together. */
  totalsByState(kinds: readonly JobKind[] = CORRECTIONS): Partial<Record<DeliveryState, number>> {
    const out: Partial<Record<DeliveryState, number>> = {};
    for (const r of this.countsByState(kinds)) out[r.state] = (out[r.state] ?? 0) + r.count;
    return out;
  }

  /** Age in ms of the oldest post not yet finished, or undefined when the queue is empty. */
  oldestPendingAge(now = Date.now()): number | undefined {
    const t = this.oldestQueued.get(now);
    return typeof t === 'number' ? now - t : undefined;
  }

  /** Per platform, queued posts of broadcasts scheduled after `now`, and the first time. */
  scheduledPosts(now = Date.now()): Array<{ platform: string; count: number; next: number }> {
    return (this.scheduledPostsStmt.all(now) as Array<{ platform: string; n: number; next: number }>).map((r) => ({
      platform: r.platform,
      count: r.n,
      next: r.next,
    }));
  }

  /** Jobs of every kind a crash left in doubt, newest first. */
  inDoubt(limit = 20): JobRecord[] {
    return (this.inDoubtStmt.all(limit) as JobRow[]).map(jobFromRow);
  }

  get(id: number): JobRecord | undefined {
    const row = this.byId.get(id) as JobRow | undefined;
    return row && jobFromRow(row);
  }

  /** The article's jobs of these kinds (its posts by default), oldest first. */
  listForArticle(articleId: number, kinds: readonly JobKind[] = POSTS): JobRecord[] {
    // Posts and corrections through their own indexes; a digest message names no article.
    const corrections = kinds.filter((k) => CORRECTIONS.includes(k));
    const rows = [
      ...(kinds.includes('post') ? (this.postsForArticle.all(articleId) as JobRow[]) : []),
      ...(corrections.length > 0
        ? (this.correctionsForArticle.all(articleId, JSON.stringify(corrections)) as JobRow[])
        : []),
    ];
    if (kinds.includes('post') && corrections.length > 0) rows.sort((a, b) => a.id - b.id);
    return rows.map(jobFromRow);
  }

  /** A subscription's jobs of these kinds (its digest messages by default), oldest first. */
  listForSubscription(subscriptionId: number, kinds: readonly JobKind[] = ['digest']): JobRecord[] {
    return (this.forSubscription.all(subscriptionId, JSON.stringify(kinds)) as JobRow[]).map(jobFromRow);
  }

  /** Per platform and kind, how the article's edits and deletes stand, with the reasons of those that could not be done. */
  tally(articleId: number): CorrectionTally[] {
    return tallyFromRows(this.tallyStmt.all(articleId) as TallyRow[], this.reasonsStmt.all(articleId) as ReasonRow[]);
  }

  /**
   * Posts not gone that may wait for their chat, grouped (all, or one broadcast's): held for a digest, or queued for
   * a chat whose quiet hours hold messages. `carried`: held by a digest message that has not gone yet;
   * `scheduled`: how many have a later not_before (postponed, or a retry).
   */
  chatWaitCandidates(now: number, broadcastId?: number): ChatWaitGroup[] {
    return (this.chatWaitsStmt.all({ now, broadcast: broadcastId ?? null }) as ChatWaitRow[]).map(chatWaitGroupFromRow);
  }

  private finish(
    id: number,
    state: 'failed' | 'skipped',
    error: string,
    now: number,
    retryable: boolean,
    fence?: SendFence,
  ): void {
    this.atomic(() => {
      if (this.holds(fence) && this.finishStmt.run({ id, state, error, now, retryable: retryable ? 1 : 0 }).changes > 0)
        this.membersFinish.run({ id, state, error, now });
    });
  }

  /** No fence, or the sender's lease still names the take that fenced the write. */
  private holds(fence: SendFence | undefined): boolean {
    return fence === undefined || this.holdsStmt.get(fence.lease, fence.holder) !== undefined;
  }

  /** A job and the posts it carries change together; inside the worker's batch (a transaction already) without a savepoint. */
  private atomic<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.db.transaction(fn)();
  }
}

interface TallyRow {
  platform: string;
  kind: CorrectionKind;
  state: DeliveryState;
  outcome: CorrectionOutcome | null;
  n: number;
}
interface ReasonRow {
  platform: string;
  kind: CorrectionKind;
  reason: string | null;
  n: number;
}

/** An article's edits and deletes per platform and kind (JobsTable.tally), from its counts and its reasons. */
export function tallyFromRows(states: readonly TallyRow[], reasons: readonly ReasonRow[]): CorrectionTally[] {
  const out = new Map<string, CorrectionTally>();
  const entry = (platform: string, kind: CorrectionKind) => {
    const key = `${platform}:${kind}`;
    let t = out.get(key);
    if (!t) {
      t = { platform, kind, queued: 0, done: {}, failed: 0, skipped: 0, inDoubt: 0, reasons: [] };
      out.set(key, t);
    }
    return t;
  };
  for (const r of states) {
    const t = entry(r.platform, r.kind);
    if (r.state === 'sent' && r.outcome) t.done[r.outcome] = (t.done[r.outcome] ?? 0) + r.n;
    else if (r.state === 'queued' || r.state === 'sending') t.queued += r.n;
    else if (r.state === 'failed') t.failed += r.n;
    else if (r.state === 'skipped') t.skipped += r.n;
    else if (r.state === 'in_doubt') t.inDoubt += r.n;
  }
  for (const r of reasons) entry(r.platform, r.kind).reasons.push({ reason: r.reason ?? 'unknown', count: r.n });
  // Per platform, a correction (edit) before the retraction (delete) that may follow it.
  return [...out.values()].sort((a, b) => a.platform.localeCompare(b.platform) || b.kind.localeCompare(a.kind));
}

/**
 * An edit's or a delete's row, in the words of the partial index that finds them by article (jobs_article_corrections,
 * db/014): SQLite uses a partial index only for a query that states its WHERE term. Posts are found by article through
 * jobs_post_once (`kind = 'post'`), so no index entry is written per post for this (db/014 says what it cost).
 */
const CORRECTION_ROWS = `kind IN ('edit', 'delete')`;

/** Which active subscriptions an SQL audience holds (AUDIENCE's parameters). */

const audienceParams = (articleId: number, q: AudienceQuery) => ({
  articleId,
  everyTopic: q.everyTopic ? 1 : 0,
  platform: q.platform ?? null,
  activeBefore: q.activeBefore ?? Number.MAX_SAFE_INTEGER,
  sourceId: q.sourceId ?? null,
});

/**
 * A new post's state: `held` for a digest subscription (ds = its delivery_settings row, when it has one), unless it
 * is urgent (priority > 0) and the subscription takes urgent alerts at once.
 */
const HELD_OR_QUEUED = `CASE WHEN COALESCE(ds.mode, 'immediate') = 'immediate' OR (@priority > 0 AND ds.urgent_now = 1)
  THEN 'queued' ELSE 'held' END`;

/** A chat's template columns (subscription_templates, aliased t): the transport renders a post or an edit with them. */
export const TEMPLATE_COLUMNS =
  't.header_mark, t.footer, t.show_hashtags, t.show_source, t.show_date, t.lead_photo, t.link_preview, t.full_story';

/** The quiet-hours columns every outbox query joins in (delivery_settings as ds). */
export const QUIET_COLUMNS =
  'ds.quiet_start AS q_start, ds.quiet_end AS q_end, ds.quiet_mode AS q_mode, ds.quiet_urgent AS q_urgent, ds.time_zone AS q_zone';

/** A post per subscription selected (POST_IN … FROM …), once per article and subscription (ONCE). */
const POST_IN = `INSERT INTO jobs (kind, article_id, subscription_id, platform, broadcast_id, priority, state, queued_at, not_before)
  SELECT 'post', @articleId, s.id, s.platform, @broadcastId, @priority, ${HELD_OR_QUEUED}, MAX(@now, @notBefore), @notBefore`;
const ONCE = `ON CONFLICT (article_id, subscription_id) WHERE kind = 'post' DO NOTHING`;
const AUDIENCE = `WHERE s.active = 1 AND (@everyTopic = 1 OR (s.topics = '[]' AND NOT EXISTS
    (SELECT 1 FROM subscription_source_filters f WHERE f.source_id = @sourceId AND f.subscription_id = s.id)))
  AND (@platform IS NULL OR s.platform = @platform) AND s.active_since <= @activeBefore`;
/** Whether a selected subscription already has a post of the article in a state. */
const has = (
  state: string,
) => `COALESCE(SUM(EXISTS (SELECT 1 FROM jobs d WHERE d.kind = 'post' AND d.article_id = @articleId
  AND d.subscription_id = s.id AND d.state ${state})), 0)`;

/**
 * The worker's look (JobsTable.next), in one order of the lanes' rows, for both adapters (PostgreSQL's in
 * src/store/postgres/jobs.ts): each lane read apart in its jobs_queue index's order up to the limit, then the picked
 * rows sorted again. The two texts differ in three words: SQLite wants a lane's subquery selected from (a bare one is
 * not allowed in a UNION ALL), PostgreSQL wants its parameters' types where it cannot infer them, and its booleans
 * as numbers for the row mapper.
 */
export function nextJobsText(dialect: 'sqlite' | 'postgres', ...columns: string[]): string {
  const pg = dialect === 'postgres';
  const order = columns.join(', ');
  // SQLite's limit as an expression (`+@limit`), not a bare parameter: the planner reads a bare LIMIT parameter's
  // value, so SQLite prepared the whole statement again at every call with a new binding. 450 µs of CPU per look at a
  // queue of 5 jobs (of 300) against 120 µs this way; the look was a fifth of tests/e2e/digests-property.test.ts.
  const lane = (n: number, when = 'true') => {
    const select = `SELECT id FROM jobs WHERE platform = @platform AND lane = ${n}
    AND state = 'queued' AND not_before <= ${pg ? '@now::bigint' : '@now'} AND ${when} ORDER BY priority DESC, ${order} LIMIT ${pg ? '@limit::bigint' : '+@limit'}`;
    return pg ? `(${select})` : `SELECT * FROM (${select})`;
  };
  return `WITH picked AS (${lane(0)} UNION ALL ${lane(1, pg ? '@texts::bigint = 1' : '@texts = 1')} UNION ALL ${lane(2)})
    SELECT j.id, j.kind, j.article_id, j.subscription_id, j.platform, j.attempts,
      j.priority, j.broadcast_id, j.digest_id, j.part, j.parts, j.text, j.revision, j.waits_for,
      s.chat_id, s.thread_id, s.kind AS chat_kind, s.active, COALESCE(b.paid, 0) AS paid,
      p.state AS post_state, p.message_id AS post_message_id, p.finished_at AS post_sent_at,
      ${pg ? '(p.carried_by IS NOT NULL)::int' : 'p.carried_by IS NOT NULL'} AS in_digest,
      ${TEMPLATE_COLUMNS}, ${QUIET_COLUMNS}
    FROM picked JOIN jobs j ON j.id = picked.id JOIN subscriptions s ON s.id = j.subscription_id
    LEFT JOIN subscription_templates t ON t.subscription_id = j.subscription_id
    LEFT JOIN delivery_settings ds ON ds.subscription_id = j.subscription_id
    LEFT JOIN broadcasts b ON b.id = j.broadcast_id
    LEFT JOIN jobs p ON p.id = j.waits_for
    ORDER BY j.lane, j.priority DESC, ${columns.map((c) => `j.${c}`).join(', ')}`;
}

const nextStatement = (db: Database, ...columns: string[]) => db.prepare(nextJobsText('sqlite', ...columns));

const cancelStatement = (db: Database, kind: string) =>
  db.prepare(`UPDATE jobs SET state = 'skipped', last_error = ?, finished_at = ?
  WHERE article_id = ? AND ${kind} AND state IN ('queued', 'held')`);

interface QuietColumns {
  q_start: string | null;
  q_end: string | null;
  q_mode: 'silent' | 'wait' | null;
  q_urgent: number | null;
  q_zone: string | null;
}

function quietOf(r: QuietColumns): QuietSetting | undefined {
  const start = r.q_start === null ? undefined : parseClock(r.q_start);
  const end = r.q_end === null ? undefined : parseClock(r.q_end);
  if (start === undefined || end === undefined) return undefined;
  return {
    start,
    end,
    timeZone: r.q_zone ?? DEFAULT_TIME_ZONE,
    mode: r.q_mode ?? 'silent',
    urgentOverrides: r.q_urgent === 1,
  };
}

interface ChatWaitRow extends QuietColumns {
  platform: string;
  subscription_id: number;
  state: 'queued' | 'held';
  urgent: number;
  carried: number;
  n: number;
  scheduled: number;
  mode: 'immediate' | 'hourly' | 'daily';
  digest_at: string | null;
}

export function chatWaitGroupFromRow(r: ChatWaitRow): ChatWaitGroup {
  return {
    platform: r.platform,
    subscriptionId: r.subscription_id,
    state: r.state,
    urgent: r.urgent === 1,
    carried: r.carried === 1,
    count: r.n,
    scheduled: r.scheduled,
    mode: r.mode,
    digestAt: r.digest_at === null ? undefined : parseClock(r.digest_at),
    timeZone: r.q_zone ?? DEFAULT_TIME_ZONE,
    quiet: quietOf(r),
  };
}

interface JobRow {
  id: number;
  kind: JobKind;
  platform: string;
  subscription_id: number;
  article_id: number | null;
  revision: number | null;
  digest_id: number | null;
  part: number | null;
  parts: number | null;
  text: string | null;
  broadcast_id: number | null;
  waits_for: number | null;
  carried_by: number | null;
  state: DeliveryState;
  retryable: number;
  outcome: CorrectionOutcome | null;
  answer: string | null;
  attempts: number;
  last_error: string | null;
  message_id: string | null;
  queued_at: number;
  sending_at: number | null;
  finished_at: number | null;
}

const opt = <T>(v: T | null): T | undefined => v ?? undefined;

export function jobFromRow(r: JobRow): JobRecord {
  return {
    id: r.id,
    kind: r.kind,
    platform: r.platform,
    subscriptionId: r.subscription_id,
    state: r.state,
    attempts: r.attempts,
    articleId: opt(r.article_id),
    revision: opt(r.revision),
    digestId: opt(r.digest_id),
    part: opt(r.part),
    parts: opt(r.parts),
    text: opt(r.text),
    broadcastId: opt(r.broadcast_id),
    waitsFor: opt(r.waits_for),
    carriedBy: opt(r.carried_by),
    retryable: r.retryable === 1,
    outcome: opt(r.outcome),
    answer: opt(r.answer),
    lastError: opt(r.last_error),
    messageId: opt(r.message_id),
    queuedAt: new Date(r.queued_at),
    sendingAt: toDate(r.sending_at),
    finishedAt: toDate(r.finished_at),
  };
}

interface PendingRow extends QuietColumns, TemplateColumns {
  id: number;
  kind: JobKind;
  article_id: number | null;
  subscription_id: number;
  platform: string;
  attempts: number;
  priority: number;
  broadcast_id: number | null;
  digest_id: number | null;
  part: number | null;
  parts: number | null;
  text: string | null;
  revision: number | null;
  waits_for: number | null;
  chat_id: string;
  thread_id: number | null;
  chat_kind: string;
  active: number;
  paid: number;
  post_state: string | null;
  post_message_id: string | null;
  post_sent_at: number | null;
  in_digest: number | null;
}

/** TEMPLATE_COLUMNS as they arrive (NULL: the environment's default). */
type TemplateColumns = Parameters<typeof templateFromRow>[0];

export function pendingJobFromRow(r: PendingRow): PendingJob {
  const target = {
    id: r.id,
    subscriptionId: r.subscription_id,
    platform: r.platform,
    attempts: r.attempts,
    chatId: r.chat_id,
    threadId: r.thread_id ?? undefined,
    chatKind: r.chat_kind,
  };
  if (r.kind === 'post') {
    return {
      kind: 'post',
      ...target,
      articleId: r.article_id!,
      priority: r.priority,
      broadcastId: r.broadcast_id ?? undefined,
      subscriptionActive: r.active === 1,
      template: templateFromRow(r),
      quiet: quietOf(r),
      paid: r.paid === 1,
    };
  }
  if (r.kind === 'digest') {
    return {
      kind: 'digest',
      ...target,
      digestId: r.digest_id!,
      part: r.part!,
      parts: r.parts!,
      text: r.text!,
      subscriptionActive: r.active === 1,
      quiet: quietOf(r),
    };
  }
  return {
    kind: r.kind,
    ...target,
    deliveryId: r.waits_for!,
    articleId: r.article_id!,
    revision: r.revision!,
    deliveryState: r.post_state!,
    messageId: r.post_message_id ?? undefined,
    sentAt: toDate(r.post_sent_at),
    digest: r.in_digest === 1,
    template: templateFromRow(r),
  };
}
