import type { Database, Statement } from 'better-sqlite3';
import type { DeskEditor } from '../model/desk.js';

export type { DeskEditor } from '../model/desk.js';

/** The web desk's accounts: a username and a scrypt hash (see src/newsroom/password.ts for its format). */
export class DeskEditorsTable {
  private readonly insertStmt: Statement;
  private readonly byName: Statement;
  private readonly byId: Statement;
  private readonly listStmt: Statement;
  private readonly removeStmt: Statement;
  private readonly passwdStmt: Statement;
  private readonly countStmt: Statement;

  constructor(db: Database) {
    this.insertStmt = db.prepare('INSERT INTO desk_editors (username, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?)');
    this.byName = db.prepare('SELECT * FROM desk_editors WHERE username = ?');
    this.byId = db.prepare('SELECT * FROM desk_editors WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM desk_editors ORDER BY username');
    this.removeStmt = db.prepare('DELETE FROM desk_editors WHERE username = ?');
    this.passwdStmt = db.prepare('UPDATE desk_editors SET password_hash = ?, password_changed_at = ? WHERE username = ?');
    this.countStmt = db.prepare('SELECT COUNT(*) FROM desk_editors').pluck();
  }

  /** Returns undefined when the username is taken (compared without case). */
  add(username: string, passwordHash: string, now: number): DeskEditor | undefined {
    if (this.byName.get(username)) return undefined;
    const id = Number(this.insertStmt.run(username, passwordHash, now, now).lastInsertRowid);
    return this.get(id);
  }

  get(id: number): DeskEditor | undefined {
    return fromRow(this.byId.get(id) as DeskEditorRow | undefined);
  }

  find(username: string): DeskEditor | undefined {
    return fromRow(this.byName.get(username) as DeskEditorRow | undefined);
  }

  list(): DeskEditor[] {
    return (this.listStmt.all() as DeskEditorRow[]).map((r) => fromRow(r)!);
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

interface DeskEditorRow { id: number; username: string; password_hash: string; created_at: number; password_changed_at: number }

function fromRow(r: DeskEditorRow | undefined): DeskEditor | undefined {
  return r && {
    id: r.id, username: r.username, passwordHash: r.password_hash, createdAt: new Date(r.created_at),
    passwordChangedAt: new Date(r.password_changed_at),
  };
}
