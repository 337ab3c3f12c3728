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
    setSendAt: (id, at) => gate(() => t.broadcasts.setSendAt(id, at)),
    scheduled: (now) => gate(() => t.broadcasts.scheduled(now)),
    // Inside the caller's unit: the compare-and-set on the broadcast, then its posts, in one transaction.
    reschedule: (id, at, now) => gate(() => {
      if (!t.broadcasts.reschedule(id, at, now)) return { moved: false, posts: 0 };
      return { moved: true, posts: t.jobs.rescheduleBroadcast(id, at) };
    }),
    unschedule: (id, reason, now) => gate(() => {
      if (!t.broadcasts.unschedule(id, now)) return { cancelled: false, skipped: 0 };
      return { cancelled: true, skipped: t.jobs.unscheduleBroadcast(id, reason, now) };
    }),
    unscheduleArticle: (articleId, now) => gate(() => t.broadcasts.unscheduleArticle(articleId, now)),
  };
}
