import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { InDoubtPolicy } from '../model/delivery.js';
import type {
  ArticleRevision, CorrectionKind, CorrectionOutcome, CorrectionState, CorrectionTally, PendingCorrection,
} from '../model/correction.js';
import { TEMPLATE_COLUMNS } from './deliveries.js';
import { parseJsonArray, toDate, toJson } from './rows.js';
import { templateFromRow } from './templates.js';

export type { ArticleRevision, CorrectionKind, CorrectionOutcome, CorrectionState, CorrectionTally, PendingCorrection } from '../model/correction.js';

/**
 * The corrections outbox: edits (one per delivery and revision) and deletes (one per delivery) of posts already
 * sent, with the deliveries' discipline: `sending` committed before the request, `done` with the outcome after it.
 */
export class CorrectionsTable {
  private readonly queueStmt: Statement;
  private readonly supersedeStmt: Statement;
  private readonly nextStmt: Statement;
  private readonly sendingStmt: Statement;
  private readonly doneStmt: Statement;
  private readonly retryStmt: Statement;
  private readonly waitStmt: Statement;
  private readonly finishStmt: Statement;
  private readonly holdStmt: Statement;
  private readonly resendStmt: Statement;
  private readonly failPlatformStmt: Statement;
  private readonly tallyStmt: Statement;
  private readonly reasonsStmt: Statement;
  private readonly byIdStmt: Statement;
  private readonly pendingStmt: Statement;
  private readonly statesStmt: Statement;
  private readonly forArticleStmt: Statement;
  private readonly inDoubtStmt: Statement;
  private readonly resolveStmt: Statement;

  constructor(db: Database) {
    // Posts answered (`sent`) or on the wire (`sending`: the job waits for its message id); a delete also lists the
    // posts left in doubt by a crash, so the editor sees they could not be touched.
    this.queueStmt = db.prepare(`INSERT INTO corrections (delivery_id, article_id, platform, kind, revision, queued_at)
      SELECT d.id, d.article_id, d.platform, @kind, @revision, @now FROM deliveries d
      WHERE d.article_id = @articleId AND (d.state IN ('sent', 'sending') OR (@kind = 'delete' AND d.state = 'in_doubt'))
      ON CONFLICT DO NOTHING`);
    this.supersedeStmt = db.prepare(`UPDATE corrections SET state = 'skipped', last_error = @why, finished_at = @now
      WHERE article_id = @articleId AND kind = 'edit' AND state = 'queued' AND (revision < @revision OR @all = 1)`);
    this.nextStmt = db.prepare(`SELECT c.id, c.delivery_id, c.article_id, c.platform, c.kind, c.revision, c.attempts,
        d.state AS delivery_state, d.message_id, d.finished_at AS sent_at, s.chat_id, s.thread_id, s.kind AS chat_kind,
        EXISTS (SELECT 1 FROM digests g JOIN digest_parts p ON p.digest_id = g.id
          WHERE g.subscription_id = d.subscription_id AND p.message_id = d.message_id) AS digest,
        ${TEMPLATE_COLUMNS}
      FROM corrections c JOIN deliveries d ON d.id = c.delivery_id JOIN subscriptions s ON s.id = d.subscription_id
      LEFT JOIN subscription_templates t ON t.subscription_id = d.subscription_id
      WHERE c.platform = ? AND c.state = 'queued' AND c.not_before <= ? ORDER BY c.id LIMIT ?`);
    this.sendingStmt = db.prepare(`UPDATE corrections SET state = 'sending', sending_at = ?, attempts = attempts + 1
      WHERE id = ? AND state = 'queued'`);
    this.doneStmt = db.prepare(`UPDATE corrections SET state = 'done', outcome = ?, answer = ?, finished_at = ?, last_error = NULL
      WHERE id = ? AND state = 'sending'`);
    this.retryStmt = db.prepare(`UPDATE corrections SET state = 'queued', not_before = ?, last_error = ?,
        attempts = attempts + (state = 'queued') WHERE id = ? AND state IN ('queued', 'sending')`);
    // Waiting for the post's own answer is not an attempt.
    this.waitStmt = db.prepare(`UPDATE corrections SET not_before = ?, last_error = ? WHERE id = ? AND state = 'queued'`);
    this.finishStmt = db.prepare(`UPDATE corrections SET state = ?, last_error = ?, finished_at = ?
      WHERE id = ? AND state IN ('queued', 'sending')`);
    this.holdStmt = db.prepare(`UPDATE corrections SET state = 'in_doubt', last_error = ?, finished_at = ? WHERE state = 'sending'`);
    this.resendStmt = db.prepare(`UPDATE corrections SET state = 'queued', last_error = ? WHERE state = 'sending'`);
    this.failPlatformStmt = db.prepare(`UPDATE corrections SET state = 'failed', last_error = ?, finished_at = ?
      WHERE platform = ? AND state = 'queued'`);
    this.tallyStmt = db.prepare(`SELECT platform, kind, state, outcome, COUNT(*) AS n FROM corrections
      WHERE article_id = ? GROUP BY platform, kind, state, outcome`);
    this.reasonsStmt = db.prepare(`SELECT platform, kind, last_error AS reason, COUNT(*) AS n FROM corrections
      WHERE article_id = ? AND state IN ('failed', 'in_doubt') GROUP BY platform, kind, last_error ORDER BY n DESC`);
    this.byIdStmt = db.prepare('SELECT * FROM corrections WHERE id = ?');
    this.pendingStmt = db.prepare(`SELECT COUNT(*) FROM corrections WHERE platform = ? AND state = 'queued'`).pluck();
    this.statesStmt = db.prepare('SELECT state, COUNT(*) AS n FROM corrections GROUP BY state');
    this.forArticleStmt = db.prepare('SELECT * FROM corrections WHERE article_id = ? ORDER BY id');
    this.inDoubtStmt = db.prepare(`SELECT * FROM corrections WHERE state = 'in_doubt' ORDER BY id DESC LIMIT ?`);
    this.resolveStmt = db.prepare(`UPDATE corrections SET state = @to,
        outcome = CASE WHEN @to = 'done' THEN (CASE kind WHEN 'edit' THEN 'edited' ELSE 'deleted' END) ELSE NULL END,
        finished_at = CASE WHEN @to = 'done' THEN @now ELSE NULL END, not_before = 0, last_error = @note
      WHERE id = @id AND state = 'in_doubt'`);
  }

  /**
   * Queues one job of `kind` for every post of the article that was sent (or is on its way); returns how many were
   * new. An edit for revision N makes queued edits for older revisions pointless: they are skipped.
   */
  queue(articleId: number, kind: CorrectionKind, revision: number, now = Date.now()): number {
    const superseded = kind === 'delete' ? 'the article was retracted' : `superseded by revision ${revision}`;
    this.supersedeStmt.run({ articleId, revision, now, why: superseded, all: kind === 'delete' ? 1 : 0 });
    return this.queueStmt.run({ articleId, kind, revision, now }).changes;
  }

  /** Jobs ready on a platform, oldest first. */
  next(platform: string, limit: number, now = Date.now()): PendingCorrection[] {
    return (this.nextStmt.all(platform, now, limit) as PendingRow[]).map((r) => ({
      id: r.id, deliveryId: r.delivery_id, articleId: r.article_id, platform: r.platform, kind: r.kind, revision: r.revision,
      attempts: r.attempts, deliveryState: r.delivery_state, messageId: r.message_id ?? undefined, sentAt: toDate(r.sent_at),
      chatId: r.chat_id, threadId: r.thread_id ?? undefined, chatKind: r.chat_kind, digest: r.digest === 1, template: templateFromRow(r),
    }));
  }

  hasPending(platform: string): boolean {
    return (this.pendingStmt.get(platform) as number) > 0;
  }

  /** Must be committed before the request goes out: a crash then leaves the job `sending`, i.e. in doubt. */
  markSending(id: number, now = Date.now()): boolean {
    return this.sendingStmt.run(now, id).changes > 0;
  }

  markDone(id: number, outcome: CorrectionOutcome, answer: string | undefined, now = Date.now()): void {
    this.doneStmt.run(outcome, answer ?? null, now, id);
  }

  retryLater(id: number, error: string, notBefore: number): void {
    this.retryStmt.run(notBefore, error, id);
  }

  /** The post has no answer yet (its delivery is on the wire): look again at `notBefore`, no attempt counted. */
  waitForPost(id: number, notBefore: number): void {
    this.waitStmt.run(notBefore, 'waiting for the post itself to be answered', id);
  }

  markFailed(id: number, error: string, now = Date.now()): void {
    this.finishStmt.run('failed', error, now, id);
  }

  markSkipped(id: number, reason: string, now = Date.now()): void {
    this.finishStmt.run('skipped', reason, now, id);
  }

  /** A platform that cannot edit or delete its posts: its queued jobs fail with the reason. */
  failQueuedOn(platform: string, reason: string, now = Date.now()): number {
    return this.failPlatformStmt.run(reason, now, platform).changes;
  }

  /** Applied once at start-up with the deliveries' policy, under the run lease, before any sending. */
  recoverInterrupted(policy: InDoubtPolicy, now = Date.now()): number {
    const note = 'interrupted while sending (process stopped before the platform answered)';
    return policy === 'resend' ? this.resendStmt.run(note).changes : this.holdStmt.run(note, now).changes;
  }

  inDoubt(limit = 20): CorrectionRecord[] {
    return (this.inDoubtStmt.all(limit) as CorrectionRow[]).map(toRecord);
  }

  /** An editor's verdict on a job in doubt: the chat shows the change (`done`), or it does not (`queued`: again). */
  resolveInDoubt(id: number, to: 'done' | 'queued', note: string, now = Date.now()): boolean {
    return this.resolveStmt.run({ id, to, note, now }).changes > 0;
  }

  get(id: number): CorrectionRecord | undefined {
    const r = this.byIdStmt.get(id) as CorrectionRow | undefined;
    return r && toRecord(r);
  }

  listForArticle(articleId: number): CorrectionRecord[] {
    return (this.forArticleStmt.all(articleId) as CorrectionRow[]).map(toRecord);
  }

  /** Per platform and kind, how the article's corrections stand, with the reasons of those that could not be done. */
  tally(articleId: number): CorrectionTally[] {
    const out = new Map<string, CorrectionTally>();
    const entry = (platform: string, kind: CorrectionKind) => {
      const key = `${platform}:${kind}`;
      let t = out.get(key);
      if (!t) out.set(key, t = { platform, kind, queued: 0, done: {}, failed: 0, skipped: 0, inDoubt: 0, reasons: [] });
      return t;
    };
    for (const r of this.tallyStmt.all(articleId) as Array<{ platform: string; kind: CorrectionKind; state: CorrectionState; outcome: CorrectionOutcome | null; n: number }>) {
      const t = entry(r.platform, r.kind);
      if (r.state === 'done' && r.outcome) t.done[r.outcome] = (t.done[r.outcome] ?? 0) + r.n;
      else if (r.state === 'queued' || r.state === 'sending') t.queued += r.n;
      else if (r.state === 'failed') t.failed += r.n;
      else if (r.state === 'skipped') t.skipped += r.n;
      else if (r.state === 'in_doubt') t.inDoubt += r.n;
    }
    for (const r of this.reasonsStmt.all(articleId) as Array<{ platform: string; kind: CorrectionKind; reason: string | null; n: number }>) {
      entry(r.platform, r.kind).reasons.push({ reason: r.reason ?? 'unknown', count: r.n });
    }
    // Per platform, a correction (edit) before the retraction (delete) that may follow it.
    return [...out.values()].sort((a, b) => a.platform.localeCompare(b.platform) || b.kind.localeCompare(a.kind));
  }

  countsByState(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.statesStmt.all() as Array<{ state: string; n: number }>) out[r.state] = r.n;
    return out;
  }
}

export interface CorrectionRecord {
  id: number; deliveryId: number; articleId: number; platform: string; kind: CorrectionKind; revision: number;
  state: CorrectionState; outcome?: CorrectionOutcome; answer?: string; attempts: number; lastError?: string;
}

function toRecord(r: CorrectionRow): CorrectionRecord {
  return {
    id: r.id, deliveryId: r.delivery_id, articleId: r.article_id, platform: r.platform, kind: r.kind, revision: r.revision,
    state: r.state, outcome: r.outcome ?? undefined, answer: r.answer ?? undefined, attempts: r.attempts,
    lastError: r.last_error ?? undefined,
  };
}

interface PendingRow {
  id: number; delivery_id: number; article_id: number; platform: string; kind: CorrectionKind; revision: number;
  attempts: number; delivery_state: string; message_id: string | null; sent_at: number | null; chat_id: string;
  thread_id: number | null; chat_kind: string; digest: number;
  header_mark: string | null; footer: string | null; show_hashtags: number | null; show_source: number | null;
  show_date: number | null; lead_photo: number | null; link_preview: 'none' | 'small' | 'large' | null;
}

interface CorrectionRow {
  id: number; delivery_id: number; article_id: number; platform: string; kind: CorrectionKind; revision: number;
  state: CorrectionState; outcome: CorrectionOutcome | null; answer: string | null; attempts: number; last_error: string | null;
}

/** Editors' corrections waiting for «تأكيد», and every revision applied to an article. */
export class RevisionsTable {
  private readonly insertStmt: Statement;
  private readonly byIdStmt: Statement;
  private readonly applyStmt: Statement;
  private readonly cancelStmt: Statement;
  private readonly forArticleStmt: Statement;

  constructor(db: Database) {
    this.insertStmt = db.prepare(`INSERT INTO article_revisions (article_id, revision, origin, state, title, summary, hashtags,
        previous_title, previous_summary, author, token, created_at, applied_at)
      VALUES (@articleId, @revision, @origin, @state, @title, @summary, @hashtags, @previousTitle, @previousSummary, @author,
        @token, @now, @appliedAt)`);
    this.byIdStmt = db.prepare('SELECT * FROM article_revisions WHERE id = ?');
    this.applyStmt = db.prepare(`UPDATE article_revisions SET state = 'applied', revision = ?, applied_at = ?
      WHERE id = ? AND state = 'draft'`);
    this.cancelStmt = db.prepare(`UPDATE article_revisions SET state = 'cancelled' WHERE id = ? AND state = 'draft'`);
    this.forArticleStmt = db.prepare(`SELECT * FROM article_revisions WHERE article_id = ? AND state = 'applied' ORDER BY revision`);
  }

  /** A revision: applied at once (the source's), or a draft waiting for the editor's confirmation. */
  add(r: {
    articleId: number; origin: 'source' | 'editor'; revision?: number; title: string; summary: string[]; hashtags: string[];
    previousTitle: string; previousSummary: string[]; author?: string;
  }, now = Date.now()): ArticleRevision {
    const applied = r.revision !== undefined;
    const info = this.insertStmt.run({
      articleId: r.articleId, revision: r.revision ?? null, origin: r.origin, state: applied ? 'applied' : 'draft',
      title: r.title, summary: toJson(r.summary), hashtags: toJson(r.hashtags), previousTitle: r.previousTitle,
      previousSummary: toJson(r.previousSummary), author: r.author ?? null, token: randomBytes(6).toString('base64url'),
      now, appliedAt: applied ? now : null,
    });
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): ArticleRevision | undefined {
    const r = this.byIdStmt.get(id) as RevisionRow | undefined;
    return r && fromRevisionRow(r);
  }

  /** draft → applied, once (a compare-and-set: a second press applies nothing). */
  apply(id: number, revision: number, now = Date.now()): boolean {
    return this.applyStmt.run(revision, now, id).changes > 0;
  }

  cancel(id: number): boolean {
    return this.cancelStmt.run(id).changes > 0;
  }

  applied(articleId: number): ArticleRevision[] {
    return (this.forArticleStmt.all(articleId) as RevisionRow[]).map(fromRevisionRow);
  }
}

interface RevisionRow {
  id: number; article_id: number; revision: number | null; origin: 'source' | 'editor'; state: ArticleRevision['state'];
  title: string; summary: string; hashtags: string; previous_title: string; previous_summary: string; author: string | null;
  token: string; created_at: number; applied_at: number | null;
}

function fromRevisionRow(r: RevisionRow): ArticleRevision {
  return {
    id: r.id, articleId: r.article_id, revision: r.revision ?? undefined, origin: r.origin, state: r.state, title: r.title,
    summary: parseJsonArray(r.summary), hashtags: parseJsonArray(r.hashtags), previousTitle: r.previous_title,
    previousSummary: parseJsonArray(r.previous_summary), author: r.author ?? undefined, token: r.token,
    createdAt: new Date(r.created_at), appliedAt: toDate(r.applied_at),
  };
}
