import { Table } from './table.js';
import type { DeskEditor } from '../model/desk-account.js';

export type { DeskEditor } from '../model/desk-account.js';

/** The web desk's accounts: a username and a scrypt hash (see src/newsroom/password.ts for its format). */
export class DeskEditorsTable extends Table {
  private readonly insertStmt = this.db.prepare(
    'INSERT INTO desk_editors (username, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?)',
  );
  private readonly byName = this.db.prepare('SELECT * FROM desk_editors WHERE username = ?');
  private readonly byId = this.db.prepare('SELECT * FROM desk_editors WHERE id = ?');
  private readonly listStmt = this.db.prepare('SELECT * FROM desk_editors ORDER BY username');
  private readonly removeStmt = this.db.prepare('DELETE FROM desk_editors WHERE username = ?');
  private readonly passwdStmt = this.db.prepare(
    'UPDATE desk_editors SET password_hash = ?, password_changed_at = ? WHERE username = ?',
  );
  private readonly countStmt = this.db.prepare('SELECT COUNT(*) FROM desk_editors').pluck();

  /** Returns undefined when the username is taken (compared without case). */
  add(username: string, passwordHash: string, now: number): DeskEditor | undefined {
    if (this.byName.get(username)) return undefined;
    const id = Number(this.insertStmt.run(username, passwordHash, now, now).lastInsertRowid);
    return this.get(id);
  }

  get(id: number): DeskEditor | undefined {
    return deskEditorFromRow(this.byId.get(id) as DeskEditorRow | undefined);
  }

  find(username: string): DeskEditor | undefined {
    return deskEditorFromRow(this.byName.get(username) as DeskEditorRow | undefined);
  }

  list(): DeskEditor[] {
    return (this.listStmt.all() as DeskEditorRow[]).map((r) => deskEditorFromRow(r)!);
  }

  /** Its sessions go with it (ON DELETE CASCADE): a removed editor is signed out everywhere at once. */
  remove(username: string): boolean {
    return this.removeStmt.run(username).changes > 0;
  }

  setPassword(username: string, passwordHash: string, now: number): boolean {
    return this.passwdStmt.run(passwordHash, now, username).changes > 0;
  }

  count(): number {
    return this.countStmt.get() as number;
  }
}

interface DeskEditorRow {
  id: number;
  username: string;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
}

export function deskEditorFromRow(r: DeskEditorRow | undefined): DeskEditor | undefined {
  return (
    r && {
      id: r.id,
      username: r.username,
      passwordHash: r.password_hash,
      createdAt: new Date(r.created_at),
      passwordChangedAt: new Date(r.password_changed_at),
    }
  );
}
