import { Table } from './table.js';
import type { AuditAction, AuditEntry, Editor } from '../model/audit.js';

export type { AuditEntry, Editor } from '../model/audit.js';

/** Editors kept in the store, beside those named in the configuration. */
export class EditorsTable extends Table {
  private readonly addStmt =
    this.db.prepare(`INSERT INTO editors (platform, user_id, name, added_by, created_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (platform, user_id) DO UPDATE SET name = COALESCE(excluded.name, name)`);
  private readonly removeStmt = this.db.prepare('DELETE FROM editors WHERE platform = ? AND user_id = ?');
  private readonly isStmt = this.db.prepare('SELECT 1 FROM editors WHERE platform = ? AND user_id = ?').pluck();
  private readonly listStmt = this.db.prepare('SELECT * FROM editors ORDER BY platform, user_id');

  add(platform: string, userId: string, name?: string, addedBy?: string, now = Date.now()): void {
    this.addStmt.run(platform, userId, name ?? null, addedBy ?? null, now);
  }

  remove(platform: string, userId: string): boolean {
    return this.removeStmt.run(platform, userId).changes > 0;
  }

  isEditor(platform: string, userId: string): boolean {
    return this.isStmt.get(platform, userId) === 1;
  }

  list(): Editor[] {
    return (
      this.listStmt.all() as Array<{
        platform: string;
        user_id: string;
        name: string | null;
        added_by: string | null;
        created_at: number;
      }>
    ).map((r) => ({
      platform: r.platform,
      userId: r.user_id,
      name: r.name ?? undefined,
      addedBy: r.added_by ?? undefined,
      createdAt: new Date(r.created_at),
    }));
  }
}

export class AuditLog extends Table {
  private readonly insertStmt = this.db.prepare(
    'INSERT INTO audit_log (at, platform, actor, action, detail) VALUES (?, ?, ?, ?, ?)',
  );
  private readonly recentStmt = this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?');

  record(
    platform: string,
    actor: string,
    action: AuditAction,
    detail: Record<string, unknown> = {},
    now = Date.now(),
  ): void {
    this.insertStmt.run(now, platform, actor, action, JSON.stringify(detail));
  }

  recent(limit = 50): AuditEntry[] {
    return (
      this.recentStmt.all(limit) as Array<{
        id: number;
        at: number;
        platform: string;
        actor: string;
        action: AuditAction;
        detail: string;
      }>
    ).map((r) => ({
      id: r.id,
      at: new Date(r.at),
      platform: r.platform,
      actor: r.actor,
      action: r.action,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }
}
