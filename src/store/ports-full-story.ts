import type { FullStoryRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The full story's reads and link key, over their two tables (db/015). */
export function fullStoryRepository(t: SqliteTables, gate: Gate): FullStoryRepository {
  return {
    reads: (articleId) => gate(() => t.fullReads.count(articleId)),
    addReads: (articleId, reads, now) => gate(() => t.fullReads.add(articleId, reads, now)),
    linkKey: () => gate(() => t.fullReads.key()),
  };
}
