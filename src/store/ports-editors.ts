import type { DeskAccountRepository, EditorRepository, SessionRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The platform editors kept in the store. */
export function editorRepository(t: SqliteTables, gate: Gate): EditorRepository {
  return {
    isEditor: (platform, userId) => gate(() => t.editors.isEditor(platform, userId)),
    onPlatform: (platform) => gate(() => t.editors.list().filter((e) => e.platform === platform).map((e) => e.userId)),
  };
}

/** The desk's accounts. */
export function deskAccountRepository(t: SqliteTables, gate: Gate): DeskAccountRepository {
  return {
    count: () => gate(() => t.deskEditors.count()),
    get: (id) => gate(() => t.deskEditors.get(id)),
    find: (username) => gate(() => t.deskEditors.find(username)),
    list: () => gate(() => t.deskEditors.list()),
    add: (username, hash, now) => gate(() => t.deskEditors.add(username, hash, now)),
    setPassword: (username, hash, now) => gate(() => t.deskEditors.setPassword(username, hash, now)),
    remove: (username) => gate(() => t.deskEditors.remove(username)),
  };
}

/** The desk's sessions. */
export function sessionRepository(t: SqliteTables, gate: Gate): SessionRepository {
  return {
    create: (hash, editorId, now) => gate(() => t.deskSessions.create(hash, editorId, now)),
    use: (hash, idleMs, now) => gate(() => t.deskSessions.use(hash, idleMs, now)),
    remove: (hash) => gate(() => t.deskSessions.remove(hash)),
    removeAllFor: (editorId) => gate(() => t.deskSessions.removeAllFor(editorId)),
    expire: (idleMs, now) => gate(() => t.deskSessions.expire(idleMs, now)),
  };
}
