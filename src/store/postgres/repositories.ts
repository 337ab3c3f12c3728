/**
 * Every port over PostgreSQL, one file per slice beside this one; the same keys as SQLite's list
 * (src/store/sqlite-ports.ts), given the unit's statements (`tx`) or the pool's.
 */
import type { Repositories } from '../../ports/index.js';
import { withoutNul } from '../rows.js';
import { articleLookup, articleRepository } from './articles.js';
import { audienceRepository, correctionRepository } from './audience.js';
import { broadcastRepository } from './broadcasts.js';
import {
  auditRepository,
  deskAccountRepository,
  editorRepository,
  pushRepository,
  sessionRepository,
  subscriptionRepository,
} from './chats.js';
import { digestRepository, jobRepository } from './jobs.js';
import { outboxRepository, systemStatusRepository } from './outbox.js';
import { outletRepository } from './outlets.js';
import { clickRepository, fullStoryRepository, reachRepository, reactionRepository } from './reach.js';
import { readRepository } from './reads.js';
import { reviewRepository } from './reviews.js';
import { revisionRepository } from './revisions.js';
import { sourceRepository } from './sources.js';
import type { Sql } from './sql.js';

export function pgRepositories(sql: Sql): Repositories {
  return withoutNul<Repositories>({
    sources: sourceRepository(sql),
    push: pushRepository(sql),
    subscriptions: subscriptionRepository(sql),
    articles: articleLookup(sql),
    audit: auditRepository(sql),
    audience: audienceRepository(sql),
    revisions: revisionRepository(sql),
    corrections: correctionRepository(sql),
    broadcasts: broadcastRepository(sql),
    articleWrites: articleRepository(sql),
    reviews: reviewRepository(sql),
    editors: editorRepository(sql),
    deskAccounts: deskAccountRepository(sql),
    sessions: sessionRepository(sql),
    outlets: outletRepository(sql),
    reads: readRepository(sql),
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
