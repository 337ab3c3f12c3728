/**
 * Every port over PostgreSQL, one file per slice beside this one; the same keys as SQLite's list
 * (src/store/sqlite-ports.ts), given the unit's statements (`tx`) or the pool's.
 */
import type { Repositories } from '../../ports/index.js';
import { articleLookup, articleRepository } from './articles.js';
import { broadcastRepository } from './broadcasts.js';
import { readRepository } from './reads.js';
import { reviewRepository } from './reviews.js';
import { revisionRepository } from './revisions.js';
import { sourceRepository } from './sources.js';
import type { Sql } from './sql.js';

export function pgRepositories(sql: Sql): Repositories {
  return {
    ...notOnPostgresYet,
    sources: sourceRepository(sql),
    articles: articleLookup(sql),
    articleWrites: articleRepository(sql),
    reviews: reviewRepository(sql),
    reads: readRepository(sql),
    revisions: revisionRepository(sql),
    broadcasts: broadcastRepository(sql),
  };
}

// SLICES IN FLIGHT (issue 24): removed when every slice has its file.
const notOnPostgresYet = Object.fromEntries(['push', 'subscriptions', 'audit', 'audience', 'corrections',
  'editors', 'deskAccounts', 'sessions', 'outbox', 'digests', 'status', 'jobs', 'reactions', 'fullStory',
  'clicks', 'reach'].map((key) => [key, new Proxy({}, { get: (_, method) => () => Promise.reject(new Error(`${key}.${String(method)} is not on PostgreSQL yet`)) })])) as unknown as Repositories;
