import { randomBytes } from 'node:crypto';
import { Table } from './table.js';
import type { Audience, Broadcast, BroadcastState } from '../model/broadcast.js';

export type { Broadcast, BroadcastState } from '../model/broadcast.js';


/** An editor's broadcast, from preview to decision: the state machine makes a confirm button work once. */
export class BroadcastsTable extends Table {
  private readonly insertStmt = this.db.prepare(`INSERT INTO broadcasts (article_id, platform, editor_id, token, urgent, audience, created_at, paid)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  private readonly paidStmt = this.db.prepare(`UPDATE broadcasts SET paid = ? WHERE id = ? AND state = 'preview'`);
  private readonly byId = this.db.prepare('SELECT * FROM broadcasts WHERE id = ?');
  private readonly transitionStmt = this.db.prepare('UPDATE broadcasts SET state = ?, decided_at = ? WHERE id = ? AND state = ?');
  private readonly reopenStmt = this.db.prepare(`UPDATE broadcasts SET state = 'queued', decided_at = ? WHERE article_id = ? AND state = 'done'`);
  private readonly progressStmt = this.db.prepare('UPDATE broadcasts SET progress_chat = ?, progress_message = ? WHERE id = ?');

  create(b: { articleId: number; platform: string; editorId: string; urgent: boolean; audience: Audience; paid?: boolean }, now = Date.now()): Broadcast {
    const token = randomBytes(8).toString('hex');
    const id = Number(this.insertStmt.run(b.articleId, b.platform, b.editorId, token, b.urgent ? 1 : 0, JSON.stringify(b.audience), now, b.paid ? 1 : 0).lastInsertRowid);
    return this.get(id)!;
  }

  get(id: number): Broadcast | undefined {
    const r = this.byId.get(id) as BroadcastRow | undefined;
    return r && {
      id: r.id, articleId: r.article_id, platform: r.platform, editorId: r.editor_id, token: r.token, state: r.state,
      urgent: r.urgent === 1, audience: JSON.parse(r.audience) as Audience, progressChat: r.progress_chat ?? undefined, progressMessage: r.progress_message ?? undefined,
      createdAt: new Date(r.created_at), paid: r.paid === 1,
    };
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
  id: number; article_id: number; platform: string; editor_id: string; token: string; state: BroadcastState;
  urgent: number; audience: string; progress_chat: string | null; progress_message: string | null; created_at: number;
  paid: number;
}
