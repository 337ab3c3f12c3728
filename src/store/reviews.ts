import { randomBytes } from 'node:crypto';
import { Table } from './table.js';
import type { Review, ReviewMessage, ReviewState } from '../model/review.js';

export type { Review, ReviewMessage, ReviewState } from '../model/review.js';

/** Articles held for an editor's decision: a compare-and-set makes the first press the only one that counts. */
export class ReviewsTable extends Table {
  private readonly openStmt = this.db.prepare(
    'INSERT INTO reviews (article_id, token, created_at) VALUES (?, ?, ?) ON CONFLICT (article_id) DO NOTHING',
  );
  private readonly byId = this.db.prepare('SELECT * FROM reviews WHERE article_id = ?');
  private readonly decideStmt =
    this.db.prepare(`UPDATE reviews SET state = @to, decided_platform = @platform, decided_by = @by, decided_at = @now
    WHERE article_id = @id AND state = 'pending'`);
  private readonly queuedStmt = this.db.prepare('UPDATE reviews SET queued = ? WHERE article_id = ?');
  private readonly pendingStmt = this.db.prepare(
    "SELECT * FROM reviews WHERE state = 'pending' ORDER BY created_at, article_id LIMIT ?",
  );
  private readonly unaskedStmt = this.db.prepare(
    "SELECT * FROM reviews WHERE state = 'pending' AND asked_at IS NULL ORDER BY created_at, article_id LIMIT ?",
  );
  private readonly askedStmt = this.db.prepare(
    'UPDATE reviews SET asked_at = ? WHERE article_id = ? AND asked_at IS NULL',
  );

  /** Holds an article for review (once: a second call changes nothing). */
  open(articleId: number, now = Date.now()): void {
    this.openStmt.run(articleId, randomBytes(8).toString('hex'), now);
  }

  get(articleId: number): Review | undefined {
    const r = this.byId.get(articleId) as ReviewRow | undefined;
    return r && reviewFromRow(r);
  }

  /** Atomic compare-and-set pending → `to`: true only for the one caller that decided. */
  decide(
    articleId: number,
    to: Exclude<ReviewState, 'pending'>,
    by: { platform: string; id: string },
    now = Date.now(),
  ): boolean {
    return this.decideStmt.run({ id: articleId, to, platform: by.platform, by: by.id, now }).changes > 0;
  }

  setQueued(articleId: number, queued: number): void {
    this.queuedStmt.run(queued, articleId);
  }

  /** Waiting for a decision, oldest first. */
  pending(limit: number): Review[] {
    return (this.pendingStmt.all(limit) as ReviewRow[]).map(reviewFromRow);
  }

  /** Waiting, and no editor has been sent them yet (held while nothing was running to ask, or just now). */
  unasked(limit: number): Review[] {
    return (this.unaskedStmt.all(limit) as ReviewRow[]).map(reviewFromRow);
  }

  markAsked(articleId: number, now = Date.now()): void {
    this.askedStmt.run(now, articleId);
  }
}

/** Which message asked which editor about which review. */
export class ReviewMessagesTable extends Table {
  private readonly addStmt =
    this.db.prepare(`INSERT INTO review_messages (article_id, platform, chat_id, message_id, captioned) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (platform, chat_id, message_id) DO NOTHING`);
  private readonly forArticle = this.db.prepare(
    'SELECT * FROM review_messages WHERE article_id = ? AND platform = ? ORDER BY id',
  );

  add(m: ReviewMessage): void {
    this.addStmt.run(m.articleId, m.platform, m.chatId, m.messageId, m.captioned ? 1 : 0);
  }

  /** Every copy of one review on one platform. */
  list(articleId: number, platform: string): ReviewMessage[] {
    return (this.forArticle.all(articleId, platform) as ReviewMessageRow[]).map(reviewMessageFromRow);
  }
}

interface ReviewRow {
  article_id: number;
  state: ReviewState;
  token: string;
  created_at: number;
  asked_at: number | null;
  decided_platform: string | null;
  decided_by: string | null;
  decided_at: number | null;
  queued: number | null;
}

interface ReviewMessageRow {
  article_id: number;
  platform: string;
  chat_id: string;
  message_id: string;
  captioned: number;
}

export function reviewMessageFromRow(r: ReviewMessageRow): ReviewMessage {
  return {
    articleId: r.article_id,
    platform: r.platform,
    chatId: r.chat_id,
    messageId: r.message_id,
    captioned: r.captioned === 1,
  };
}

export function reviewFromRow(r: ReviewRow): Review {
  return {
    articleId: r.article_id,
    state: r.state,
    token: r.token,
    createdAt: new Date(r.created_at),
    askedAt: r.asked_at === null ? undefined : new Date(r.asked_at),
    decidedBy:
      r.decided_platform !== null && r.decided_by !== null
        ? { platform: r.decided_platform, id: r.decided_by }
        : undefined,
    decidedAt: r.decided_at === null ? undefined : new Date(r.decided_at),
    queued: r.queued ?? undefined,
  };
}
