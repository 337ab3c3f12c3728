/** A web desk account: a username and a scrypt hash (see src/newsroom/password.ts for its format). */
export interface DeskEditor {
  id: number;
  username: string;
  passwordHash: string;
  createdAt: Date;
  passwordChangedAt: Date;
}

/** A signed-in desk editor's session, as stored under the SHA-256 of its cookie. */
export interface DeskSession {
  editorId: number;
  username: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** The outlet the session shows (db/021): a preference, its membership read again at every request. */
  outletId: number;
}
