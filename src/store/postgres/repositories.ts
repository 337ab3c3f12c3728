/**
 * Every port over PostgreSQL, one file per slice beside this one; the same keys as SQLite's list
 * (src/store/sqlite-ports.ts), given the unit's statements (`tx`) or the pool's.
 */
import type { Repositories } from '../../ports/index.js';
import { audienceRepository, correctionRepository } from './audience.js';
import { auditRepository, deskAccountRepository, editorRepository, pushRepository, sessionRepository, subscriptionRepository } from './chats.js';
import { digestRepository, jobRepository } from './jobs.js';
import { outboxRepository, systemStatusRepository } from './outbox.js';
import { clickRepository, fullStoryRepository, reachRepository, reactionRepository } from './reach.js';
import { sourceRepository } from './sources.js';
import type { Sql } from './sql.js';
import { withoutNul } from '../rows.js';

export function pgRepositories(sql: Sql): Repositories {
  return withoutNul<Repositories>({
    ...notOnPostgresYet,
    sources: sourceRepository(sql),
    push: pushRepository(sql),
    subscriptions: subscriptionRepository(sql),
    audit: auditRepository(sql),
    editors: editorRepository(sql),
    deskAccounts: deskAccountRepository(sql),
    sessions: sessionRepository(sql),
    audience: audienceRepository(sql),
    corrections: correctionRepository(sql),
    outbox: outboxRepository(sql),
    digests: digestRepository(sql),
    status: systemStatusRepository(sql),
    jobs: jobRepository(sql),
    reactions: reactionRepository(sql),
    fullStory: fullStoryRepository(sql),
    clicks: clickRepository(sql),
    reach: reachRepository(sql),
  });
}

// SLICES IN FLIGHT (issue 24): removed when every slice has its file.
const notOnPostgresYet = Object.fromEntries(['articles', 'revisions', 'broadcasts', 'articleWrites', 'reviews', 'reads'].map((key) => [key, new Proxy({}, { get: (_, method) => () => Promise.reject(new Error(`${key}.${String(method)} is not on PostgreSQL yet`)) })])) as unknown as Repositories;
