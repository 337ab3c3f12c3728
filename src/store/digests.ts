import type { Database, Statement } from 'better-sqlite3';
import type { DigestPartRecord, DigestPartState, InDoubtPolicy, PendingDigestPart } from '../model/delivery.js';
import { QUIET_COLUMNS, quietOf, type QuietColumns } from './deliveries.js';

export type { DigestPartRecord, PendingDigestPart } from '../model/delivery.js';

/**
 * The digest outbox. `digests` holds one row per subscription and closed period (the unique key is what makes a
 * period's digest happen once); `digest_parts` holds its messages, which move queued → sending → sent exactly as a
 * delivery does: `sending` is committed before the request leaves, so a crash leaves a part in doubt, never sent
 * twice. The deliveries a part carries follow its state in the same statement's transaction, so the deliveries
 * table still answers "did this article reach this chat".
 */
export class DigestsTable {
  private readonly openStmt: Statement;
  private readonly partStmt: Statement;
  private readonly nextStmt: Statement;
  private readonly queuedStmt: Statement;
  private readonly sendingStmt: Statement;
  private readonly membersSending: Statement;
  private readonly sentStmt: Statement;
  private readonly membersSent: Statement;
  private readonly retryStmt: Statement;
  private readonly membersHeld: Statement;
  private readonly finishStmt: Statement;
  private readonly membersFinish: Statement;
  private readonly postponeStmt: Statement;
  private readonly holdStmt: Statement;
  private readonly resendStmt: Statement;
  private readonly listStmt: Statement;
  private readonly periodsStmt: Statement;
  private readonly staleStmt: Statement;
  private readonly queuedPartsStmt: Statement;
  private readonly heldCarriedStmt: Statement;
  private readonly rewriteStmt: Statement;
  private readonly dropPartStmt: Statement;
  private readonly lastPartStmt: Statement;

  constructor(private readonly db: Database) {
    this.openStmt = db.prepare(`INSERT INTO digests (subscription_id, period_end, items, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (subscription_id, period_end) DO NOTHING RETURNING id`).pluck();
    this.partStmt = db.prepare(`INSERT INTO digest_parts (digest_id, part, parts, text, deliveries) VALUES (?, ?, ?, ?, ?) RETURNING id`).pluck();
    /** The deliveries a part carries (its JSON list): primary-key lookups, no index on deliveries to keep up. */
    const members = `id IN (SELECT value FROM json_each((SELECT deliveries FROM digest_parts WHERE id = @part)))`;
    this.nextStmt = db.prepare(`SELECT p.id, p.digest_id, p.part, p.parts, p.text, p.attempts, g.subscription_id,
        s.platform, s.chat_id, s.thread_id, s.kind, s.active, ${QUIET_COLUMNS}
      FROM digest_parts p JOIN digests g ON g.id = p.digest_id JOIN subscriptions s ON s.id = g.subscription_id
        LEFT JOIN delivery_settings ds ON ds.subscription_id = s.id
      WHERE p.state = 'queued' AND s.platform = ? AND p.not_before <= ?
      ORDER BY p.digest_id, p.part LIMIT ?`);
    this.queuedStmt = db.prepare(`SELECT 1 FROM digest_parts p JOIN digests g ON g.id = p.digest_id
      JOIN subscriptions s ON s.id = g.subscription_id WHERE p.state = 'queued' AND s.platform = ? LIMIT 1`).pluck();
    this.sendingStmt = db.prepare(`UPDATE digest_parts SET state = 'sending', sending_at = ?, attempts = attempts + 1
      WHERE id = ? AND state = 'queued'`);
    this.membersSending = db.prepare(`UPDATE deliveries SET state = 'sending', sending_at = @now, attempts = attempts + 1
      WHERE ${members} AND state = 'held'`);
    this.sentStmt = db.prepare(`UPDATE digest_parts SET state = 'sent', message_id = ?, finished_at = ?, last_error = NULL
      WHERE id = ? AND state = 'sending'`);
    this.membersSent = db.prepare(`UPDATE deliveries SET state = 'sent', message_id = @messageId, finished_at = @now, last_error = NULL
      WHERE ${members} AND state = 'sending'`);
    this.retryStmt = db.prepare(`UPDATE digest_parts SET state = 'queued', not_before = ?, last_error = ?,
        attempts = attempts + (state = 'queued') WHERE id = ? AND state IN ('queued', 'sending')`);
    this.membersHeld = db.prepare(`UPDATE deliveries SET state = 'held', last_error = @error WHERE ${members} AND state = 'sending'`);
    this.finishStmt = db.prepare(`UPDATE digest_parts SET state = ?, last_error = ?, finished_at = ?
      WHERE id = ? AND state IN ('queued', 'sending')`);
    this.membersFinish = db.prepare(`UPDATE deliveries SET state = @state, last_error = @error, finished_at = @now
      WHERE ${members} AND state IN ('held', 'sending')`);
    this.postponeStmt = db.prepare(`UPDATE digest_parts SET not_before = ? WHERE id = ? AND state = 'queued'`);
    this.holdStmt = db.prepare(`UPDATE digest_parts SET state = 'in_doubt', last_error = ?, finished_at = ? WHERE state = 'sending'`);
    this.resendStmt = db.prepare(`UPDATE digest_parts SET state = 'queued', last_error = ? WHERE state = 'sending'`);
    this.listStmt = db.prepare(`SELECT p.*, g.subscription_id, g.period_end, g.items FROM digest_parts p JOIN digests g ON g.id = p.digest_id
      WHERE g.subscription_id = ? ORDER BY p.digest_id, p.part`);
    this.periodsStmt = db.prepare('SELECT period_end, items FROM digests WHERE subscription_id = ? ORDER BY period_end');
    // A part not sent yet that carries a delivery no longer held for it (cancelled by a retraction meanwhile).
    this.staleStmt = db.prepare(`SELECT 1 FROM deliveries WHERE ${members} AND state <> 'held' LIMIT 1`).pluck();
    this.queuedPartsStmt = db.prepare(`SELECT id FROM digest_parts WHERE digest_id = ? AND state = 'queued' ORDER BY part`).pluck();
    this.heldCarriedStmt = db.prepare(`SELECT d.id, d.article_id FROM digest_parts p, json_each(p.deliveries) j JOIN deliveries d ON d.id = j.value
      WHERE p.digest_id = ? AND p.state = 'queued' AND d.state = 'held' ORDER BY d.id`);
    this.rewriteStmt = db.prepare(`UPDATE digest_parts SET text = @text, deliveries = @deliveries, parts = @parts
      WHERE id = @id AND state = 'queued'`);
    this.lastPartStmt = db.prepare('SELECT MAX(part) FROM digest_parts WHERE digest_id = ?').pluck();
    this.dropPartStmt = db.prepare(`UPDATE digest_parts SET state = 'skipped', deliveries = '[]', last_error = @reason, finished_at = @now
      WHERE id = @id AND state = 'queued'`);
  }

  /** The periods closed for a subscription (also those that held nothing and sent no message). */
  periodsFor(subscriptionId: number): Array<{ periodEnd: Date; items: number }> {
    return (this.periodsStmt.all(subscriptionId) as Array<{ period_end: number; items: number }>).map((r) => ({ periodEnd: new Date(r.period_end), items: r.items }));
  }

  /** Opens the digest of one period; undefined when it was already opened (the period's digest happens once). */
  open(subscriptionId: number, periodEnd: number, items: number, now = Date.now()): number | undefined {
    return this.openStmt.get(subscriptionId, periodEnd, items, now) as number | undefined;
  }

  /** One message of the digest and the held deliveries it carries. */
  addPart(digestId: number, part: number, parts: number, text: string, deliveryIds: readonly number[]): number {
    return this.partStmt.get(digestId, part, parts, text, JSON.stringify(deliveryIds)) as number;
  }

  /** Parts ready to send on a platform, in digest and part order. */
  next(platform: string, limit: number, now = Date.now()): PendingDigestPart[] {
    return (this.nextStmt.all(platform, now, limit) as PartRow[]).map((r) => ({
      id: r.id, digestId: r.digest_id, part: r.part, parts: r.parts, text: r.text, attempts: r.attempts,
      subscriptionId: r.subscription_id, platform: r.platform, chatId: r.chat_id, threadId: r.thread_id ?? undefined,
      chatKind: r.kind, subscriptionActive: r.active === 1, quiet: quietOf(r),
    }));
  }

  /** Any part waiting on the platform, including one whose retry or quiet hours are later. */
  hasQueued(platform: string): boolean {
    return this.queuedStmt.get(platform) !== undefined;
  }

  /** Committed before the request leaves, with the deliveries it carries; false when it is no longer queued. */
  markSending(id: number, now = Date.now()): boolean {
    return this.db.transaction(() => {
      if (this.sendingStmt.run(now, id).changes === 0) return false;
      this.membersSending.run({ now, part: id });
      return true;
    })();
  }

  markSent(id: number, messageId: string | undefined, now = Date.now()): void {
    this.db.transaction(() => {
      if (this.sentStmt.run(messageId ?? null, now, id).changes > 0) this.membersSent.run({ messageId: messageId ?? null, now, part: id });
    })();
  }

  retryLater(id: number, error: string, notBefore: number): void {
    this.db.transaction(() => {
      this.retryStmt.run(notBefore, error, id);
      this.membersHeld.run({ error, part: id });
    })();
  }

  markFailed(id: number, error: string, now = Date.now()): void {
    this.finish(id, 'failed', error, now);
  }

  markSkipped(id: number, reason: string, now = Date.now()): void {
    this.finish(id, 'skipped', reason, now);
  }

  postpone(id: number, notBefore: number): void {
    this.postponeStmt.run(notBefore, id);
  }

  /** True when a part not sent yet carries a delivery that was cancelled meanwhile (its text must be rebuilt). */
  isStale(partId: number): boolean {
    return this.staleStmt.get({ part: partId }) !== undefined;
  }

  /** The deliveries still held by the digest's parts not sent yet: what a rebuilt digest carries. */
  heldCarried(digestId: number): Array<{ id: number; articleId: number }> {
    return (this.heldCarriedStmt.all(digestId) as Array<{ id: number; article_id: number }>).map((r) => ({ id: r.id, articleId: r.article_id }));
  }

  /**
   * The digest's parts not sent yet, rebuilt: they take the new messages in order; those left over (a digest that
   * lost items usually needs fewer messages) are skipped, carrying nothing, and a message more is added after the
   * last part.
   */
  rewriteQueued(digestId: number, messages: ReadonlyArray<{ text: string; deliveries: readonly number[] }>, reason: string, now = Date.now()): void {
    this.db.transaction(() => {
      const queued = this.queuedPartsStmt.all(digestId) as number[];
      queued.forEach((id, i) => {
        const m = messages[i];
        if (m) this.rewriteStmt.run({ id, text: m.text, deliveries: JSON.stringify(m.deliveries), parts: messages.length });
        else this.dropPartStmt.run({ id, reason, now });
      });
      let part = this.lastPartStmt.get(digestId) as number;
      for (const m of messages.slice(queued.length)) this.addPart(digestId, ++part, messages.length, m.text, m.deliveries);
    })();
  }

  /** At start-up with the deliveries' own recovery (which moves the carried deliveries the same way). */
  recoverInterrupted(policy: InDoubtPolicy, now = Date.now()): number {
    const note = 'interrupted while sending (process stopped before the platform answered)';
    return policy === 'resend' ? this.resendStmt.run(note).changes : this.holdStmt.run(note, now).changes;
  }

  /** Every digest message of a subscription, oldest first. */
  listForSubscription(subscriptionId: number): DigestPartRecord[] {
    return (this.listStmt.all(subscriptionId) as Array<PartRow & { state: DigestPartState; message_id: string | null; last_error: string | null; period_end: number; items: number }>).map((r) => ({
      id: r.id, digestId: r.digest_id, subscriptionId: r.subscription_id, periodEnd: new Date(r.period_end), part: r.part,
      parts: r.parts, text: r.text, state: r.state, attempts: r.attempts, messageId: r.message_id ?? undefined,
      lastError: r.last_error ?? undefined, items: r.items,
    }));
  }

  private finish(id: number, state: 'failed' | 'skipped', reason: string, now: number): void {
    this.db.transaction(() => {
      this.finishStmt.run(state, reason, now, id);
      this.membersFinish.run({ state, error: reason, now, part: id });
    })();
  }
}

interface PartRow extends QuietColumns {
  id: number; digest_id: number; part: number; parts: number; text: string; attempts: number; subscription_id: number;
  platform: string; chat_id: string; thread_id: number | null; kind: string; active: number;
}
