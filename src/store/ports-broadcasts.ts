import type { BroadcastRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The broadcasts port over the broadcasts table and the outbox's statements about one broadcast's posts. */
export function broadcastRepository(t: SqliteTables, gate: Gate): BroadcastRepository {
  return {
    create: (b, now) => gate(() => t.broadcasts.create(b, now)),
    get: (id) => gate(() => t.broadcasts.get(id)),
    setPaid: (id, paid) => gate(() => t.broadcasts.setPaid(id, paid)),
    transition: (id, from, to, now) => gate(() => t.broadcasts.transition(id, from, to, now)),
    setProgressMessage: (id, chatId, messageId) => gate(() => t.broadcasts.setProgressMessage(id, chatId, messageId)),
    stop: (id, now) => gate(() => t.jobs.stopBroadcast(id, now)),
    progress: (id) => gate(() => t.jobs.broadcastProgress(id)),
  };
}
