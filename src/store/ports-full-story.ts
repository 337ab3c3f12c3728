import type { FullStoryRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The full story's reads and link key, over their two tables (db/015). */
export function fullStoryRepository(t: SqliteTables, gate: Gate): FullStoryRepository {
  return {
    reads: (articleId) => gate(() => t.fullReads.count(articleId)),
    countRead: (articleId, now) => gate(() => t.fullReads.add(articleId, now)),
    linkKey: () => gate(() => t.fullReads.key()),
  };
}
