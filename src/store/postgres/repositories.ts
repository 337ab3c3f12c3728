/**
 * Every port over PostgreSQL, one file per slice beside this one; the same keys as SQLite's list
 * (src/store/sqlite-ports.ts), given the unit's statements (`tx`) or the pool's.
 */
import type { Repositories } from '../../ports/index.js';
import { audienceRepository, correctionRepository } from './audience.js';
import { digestRepository, jobRepository } from './jobs.js';
import { outboxRepository, systemStatusRepository } from './outbox.js';
import { sourceRepository } from './sources.js';
import type { Sql } from './sql.js';

export function pgRepositories(sql: Sql): Repositories {
  return {
    ...notOnPostgresYet,
    sources: sourceRepository(sql),
    audience: audienceRepository(sql),
    corrections: correctionRepository(sql),
    outbox: outboxRepository(sql),
    digests: digestRepository(sql),
    status: systemStatusRepository(sql),
    jobs: jobRepository(sql),
  };
}

// SLICES IN FLIGHT (issue 24): removed when every slice has its file.
const notOnPostgresYet = Object.fromEntries(['push', 'subscriptions', 'articles', 'audit', 'revisions', 'broadcasts',
  'articleWrites', 'reviews', 'editors', 'deskAccounts', 'sessions', 'reads', 'reactions', 'fullStory',
  'clicks', 'reach'].map((key) => [key, new Proxy({}, { get: (_, method) => () => Promise.reject(new Error(`${key}.${String(method)} is not on PostgreSQL yet`)) })])) as unknown as Repositories;
