/**
 * Every port over PostgreSQL, one file per slice beside this one; the same keys as SQLite's list
 * (src/store/sqlite-ports.ts), given the unit's statements (`tx`) or the pool's.
 */
import type { Repositories } from '../../ports/index.js';
import { clickRepository, fullStoryRepository, reachRepository, reactionRepository } from './reach.js';
import { sourceRepository } from './sources.js';
import type { Sql } from './sql.js';

export function pgRepositories(sql: Sql): Repositories {
  return {
    ...notOnPostgresYet,
    sources: sourceRepository(sql),
    reactions: reactionRepository(sql),
    fullStory: fullStoryRepository(sql),
    clicks: clickRepository(sql),
    reach: reachRepository(sql),
  };
}

// SLICES IN FLIGHT (issue 24): removed when every slice has its file.
const notOnPostgresYet = Object.fromEntries(['push', 'subscriptions', 'articles', 'audit', 'audience', 'revisions', 'corrections', 'broadcasts',
  'articleWrites', 'reviews', 'editors', 'deskAccounts', 'sessions', 'reads', 'outbox', 'digests', 'status', 'jobs'].map((key) => [key, new Proxy({}, { get: (_, method) => () => Promise.reject(new Error(`${key}.${String(method)} is not on PostgreSQL yet`)) })])) as unknown as Repositories;
