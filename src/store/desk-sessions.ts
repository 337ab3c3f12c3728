import { Table } from './table.js';
import type { DeskSession } from '../model/desk-account.js';

export type { DeskSession } from '../model/desk-account.js';

/**
 * Signed-in desk editors. The caller passes the SHA-256 of the cookie value as `id`, so the table never holds
 * anything that signs in by itself.
 */
export class DeskSessionsTable extends Table {
  private readonly insertStmt = this.db.prepare(
    'INSERT INTO desk_sessions (id, editor_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)',
  );
  private readonly byId = this.db.prepare(`SELECT s.editor_id, s.created_at, s.last_seen_at, s.outlet_id, e.username
    FROM desk_sessions s JOIN desk_editors e ON e.id = s.editor_id WHERE s.id = ?`);
  private readonly touchStmt = this.db.prepare('UPDATE desk_sessions SET last_seen_at = ? WHERE id = ?');
  private readonly removeStmt = this.db.prepare('DELETE FROM desk_sessions WHERE id = ?');
  private readonly outletStmt = this.db.prepare('UPDATE desk_sessions SET outlet_id = ? WHERE id = ?');
  private readonly removeForEditor = this.db.prepare('DELETE FROM desk_sessions WHERE editor_id = ?');
  private readonly expireStmt = this.db.prepare('DELETE FROM desk_sessions WHERE last_seen_at < ?');

  create(id: string, editorId: number, now: number): void {
    this.insertStmt.run(id, editorId, now, now);
  }

  /**
   * The session if it was seen within `idleMs`, its last-seen time moved to now; an idle one is deleted.
   * The write is skipped when the last one is under a minute old: a page's assets do not each write to the database.
   */
  use(id: string, idleMs: number, now: number): DeskSession | undefined {
    const r = this.byId.get(id) as DeskSessionRow | undefined;
    if (!r) return undefined;
    if (now - r.last_seen_at > idleMs) {
      this.removeStmt.run(id);
      return undefined;
    }
    if (now - r.last_seen_at > 60_000) this.touchStmt.run(now, id);
    return deskSessionFromRow(r, now);
  }

  /** The outlet the session shows from its next request on. */
  setOutlet(id: string, outletId: number): void {
    this.outletStmt.run(outletId, id);
  }

  remove(id: string): void {
    this.removeStmt.run(id);
  }

  /** After a password change: every other device signs in again. */
  removeAllFor(editorId: number): number {
    return this.removeForEditor.run(editorId).changes;
  }

  /** Deletes sessions idle for longer than `idleMs`; returns how many. */
  expire(idleMs: number, now: number): number {
    return this.expireStmt.run(now - idleMs).changes;
  }
}

interface DeskSessionRow {
  editor_id: number;
  username: string;
  created_at: number;
  last_seen_at: number;
  outlet_id: number;
}

/** A session in use at `now` (its last use is now). */
export function deskSessionFromRow(r: DeskSessionRow, now: number): DeskSession {
  return {
    editorId: r.editor_id,
    username: r.username,
    createdAt: new Date(r.created_at),
    lastSeenAt: new Date(now),
    outletId: r.outlet_id,
  };
}
