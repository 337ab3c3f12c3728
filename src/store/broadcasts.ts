import { randomBytes } from 'node:crypto';
import { Table } from './table.js';
import type { Audience, Broadcast, BroadcastState, ScheduledBroadcast } from '../model/broadcast.js';

export type { Broadcast, BroadcastState } from '../model/broadcast.js';

/** A scheduled broadcast whose time has not come (b: the broadcasts row). */
const WAITING = `b.send_at IS NOT NULL AND b.state = 'queued' AND b.send_at > @now`;

/** An editor's broadcast, from preview to decision: the state machine makes a confirm button work once. */
export class BroadcastsTable extends Table {
  private readonly insertStmt =
    this.db.prepare(`INSERT INTO broadcasts (article_id, platform, editor_id, token, urgent, audience, created_at, paid)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  private readonly paidStmt = this.db.prepare(`UPDATE broadcasts SET paid = ? WHERE id = ? AND state = 'preview'`);
  private readonly byId = this.db.prepare('SELECT * FROM broadcasts WHERE id = ?');
  private readonly transitionStmt = this.db.prepare(
    'UPDATE broadcasts SET state = ?, decided_at = ? WHERE id = ? AND state = ?',
  );
  private readonly reopenStmt = this.db.prepare(
    `UPDATE broadcasts SET state = 'queued', decided_at = ? WHERE article_id = ? AND state = 'done'`,
  );
  private readonly progressStmt = this.db.prepare(
    'UPDATE broadcasts SET progress_chat = ?, progress_message = ? WHERE id = ?',
  );
  // Scheduled sends (db/016): before its time a scheduled broadcast can be moved or cancelled, from it on neither
  // (the `send_at > @now` term is the compare-and-set against the outbox taking its posts).
  private readonly sendAtStmt = this.db.prepare(`UPDATE broadcasts SET send_at = ? WHERE id = ? AND state = 'queued'`);
  private readonly scheduledStmt = this.db.prepare(`SELECT b.*, a.title AS title,
      (SELECT COUNT(*) FROM jobs j WHERE j.broadcast_id = b.id AND j.state IN ('queued', 'held')) AS posts
    FROM broadcasts b JOIN articles a ON a.id = b.article_id WHERE ${WAITING} ORDER BY b.send_at, b.id`);
  private readonly rescheduleStmt = this.db.prepare(
    `UPDATE broadcasts AS b SET send_at = @at WHERE b.id = @id AND ${WAITING}`,
  );
  private readonly unscheduleStmt = this.db.prepare(
    `UPDATE broadcasts AS b SET state = 'cancelled', decided_at = @now WHERE b.id = @id AND ${WAITING}`,
  );
  private readonly unscheduleArticleStmt =
    this.db.prepare(`UPDATE broadcasts AS b SET state = 'cancelled', decided_at = @now
    WHERE b.article_id = @articleId AND ${WAITING}`);

  create(
    b: { articleId: number; platform: string; editorId: string; urgent: boolean; audience: Audience; paid?: boolean },
    now = Date.now(),
  ): Broadcast {
    const token = randomBytes(8).toString('hex');
    const id = Number(
      this.insertStmt.run(
        b.articleId,
        b.platform,
        b.editorId,
        token,
        b.urgent ? 1 : 0,
        JSON.stringify(b.audience),
        now,
        b.paid ? 1 : 0,
      ).lastInsertRowid,
    );
    return this.get(id)!;
  }

  get(id: number): Broadcast | undefined {
    const r = this.byId.get(id) as BroadcastRow | undefined;
    return r && broadcastFromRow(r);
  }

  /** A broadcast just confirmed for later: its time (its posts carry it as their not_before). */
  setSendAt(id: number, at: number): void {
    this.sendAtStmt.run(at, id);
  }

  /** Broadcasts whose time has not come, soonest first. */
  scheduled(now = Date.now()): ScheduledBroadcast[] {
    return (this.scheduledStmt.all({ now }) as Array<BroadcastRow & { title: string; posts: number }>).map((r) => ({
      broadcast: broadcastFromRow(r) as Broadcast & { sendAt: Date },
      title: r.title,
      posts: r.posts,
    }));
  }

  /** Moved to `at` if its time has not come; false otherwise (gone out, cancelled, never scheduled). */
  reschedule(id: number, at: number, now = Date.now()): boolean {
    return this.rescheduleStmt.run({ id, at, now }).changes > 0;
  }

  /** Cancelled if its time has not come; false otherwise. */
  unschedule(id: number, now = Date.now()): boolean {
    return this.unscheduleStmt.run({ id, now }).changes > 0;
  }

  /** The article's broadcasts whose time has not come are cancelled (a retraction); how many. */
  unscheduleArticle(articleId: number, now = Date.now()): number {
    return this.unscheduleArticleStmt.run({ articleId, now }).changes;
  }

  /** Atomic compare-and-set: true only for the one caller that moved it from `from` to `to`. */
  transition(id: number, from: BroadcastState, to: BroadcastState, now = Date.now()): boolean {
    return this.transitionStmt.run(to, now, id, from).changes > 0;
  }

  /** Finished broadcasts of an article whose deliveries were queued again are running again. */
  reopenForArticle(articleId: number, now = Date.now()): number {
    return this.reopenStmt.run(now, articleId).changes;
  }

  /** Marks a broadcast still in preview paid or free; false once it was decided. */
  setPaid(id: number, paid: boolean): boolean {
    return this.paidStmt.run(paid ? 1 : 0, id).changes > 0;
  }

  setProgressMessage(id: number, chat: string, messageId: string): void {
    this.progressStmt.run(chat, messageId, id);
  }
}

interface BroadcastRow {
  id: number;
  article_id: number;
  platform: string;
  editor_id: string;
  token: string;
  state: BroadcastState;
  urgent: number;
  audience: string;
  progress_chat: string | null;
  progress_message: string | null;
  created_at: number;
  paid: number;
  send_at: number | null;
}

export function broadcastFromRow(r: BroadcastRow): Broadcast {
  return {
    id: r.id,
    articleId: r.article_id,
    platform: r.platform,
    editorId: r.editor_id,
    token: r.token,
    state: r.state,
    urgent: r.urgent === 1,
    audience: JSON.parse(r.audience) as Audience,
    progressChat: r.progress_chat ?? undefined,
    progressMessage: r.progress_message ?? undefined,
    createdAt: new Date(r.created_at),
    paid: r.paid === 1,
    ...(r.send_at === null ? {} : { sendAt: new Date(r.send_at) }),
  };
}
