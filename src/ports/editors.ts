import type { DeskEditor, DeskSession } from '../model/desk-account.js';

/**
 * The editors kept in the database, per platform, beside those the configuration names (TELEGRAM_EDITOR_IDS, …):
 * the newsroom's EditorDirectory asks here at every command and button press.
 */
export interface EditorRepository {
  isEditor(platform: string, userId: string): Promise<boolean>;
  /** The user ids of one platform's stored editors (to tell them something). */
  onPlatform(platform: string): Promise<string[]>;
}

/** The web desk's accounts. Usernames compare without case (the column's collation). */
export interface DeskAccountRepository {
  count(): Promise<number>;
  get(id: number): Promise<DeskEditor | undefined>;
  find(username: string): Promise<DeskEditor | undefined>;
  list(): Promise<DeskEditor[]>;
  /** Undefined when the username is taken. */
  add(username: string, passwordHash: string, now: number): Promise<DeskEditor | undefined>;
  /** False when there is no such account. */
  setPassword(username: string, passwordHash: string, now: number): Promise<boolean>;
  /** Its sessions go with it. False when there was no such account. */
  remove(username: string): Promise<boolean>;
}

/** Signed-in desk editors, each under the SHA-256 of its cookie: the database holds nothing that signs in by itself. */
export interface SessionRepository {
  create(sessionHash: string, editorId: number, now: number): Promise<void>;
  /**
   * The session if it was used within `idleMs`, its last use moved to now (written at most once a minute); an idle
   * one is deleted. One method, so that a networked database can do it in one round trip.
   */
  use(sessionHash: string, idleMs: number, now: number): Promise<DeskSession | undefined>;
  /** The outlet the session shows from its next request on (the desk's switcher). */
  setOutlet(sessionHash: string, outletId: number): Promise<void>;
  remove(sessionHash: string): Promise<void>;
  /** Every session of one editor (a password changed); how many. */
  removeAllFor(editorId: number): Promise<number>;
  /** Sessions idle for longer than `idleMs`; how many. */
  expire(idleMs: number, now: number): Promise<number>;
}
