import type { DigestRepository, OutboxRepository, SystemStatusRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The outbox port over the jobs table, the broadcasts an article's resend reopens, and the desk's outbox views. */
export function outboxRepository(t: SqliteTables, gate: Gate): OutboxRepository {
  return {
    job: (id) => gate(() => t.jobs.get(id)),
    resolveInDoubt: (id, to, note, now) => gate(() => t.jobs.resolveInDoubt(id, to, note, now)),
    requeueFailed: (articleId, every, note) => gate(() => t.jobs.requeueFailed(articleId, every, note)),
    failedCount: (articleId) => gate(() => t.jobs.countFailed(articleId)),
    broadcastOf: (id) => gate(() => {
      const b = t.broadcasts.get(id);
      return b && { articleId: b.articleId, state: b.state };
    }),
    reopenBroadcastsOf: (articleId, now) => gate(() => { t.broadcasts.reopenForArticle(articleId, now); }),
    inDoubt: (limit) => gate(() => t.jobs.inDoubt(limit)),
    inDoubtWithChats: (limit) => gate(() => t.desk.inDoubt(limit)),
    countsOf: (ids) => gate(() => t.desk.deliveryCounts(ids)),
    articleCounts: (id) => gate(() => t.desk.articleCounts(id)),
    articleDeliveries: (id, limit) => gate(() => t.desk.articleDeliveries(id, limit)),
    postsByMessage: (platform, chatId, key) => gate(() => t.desk.postsByMessage(platform, chatId, key)),
    queueDepth: (now) => gate(() => t.desk.queue(now)),
    chatWaitGroups: (now, broadcastId) => gate(() => t.jobs.chatWaitCandidates(now, broadcastId)),
    countsByState: (kinds) => gate(() => t.jobs.countsByState(kinds)),
    totalsByState: (kinds) => gate(() => t.jobs.totalsByState(kinds)),
    oldestPendingAge: (now) => gate(() => t.jobs.oldestPendingAge(now)),
    sentPerHour: (since) => gate(() => t.desk.sentPerHour(since)),
    failuresByReason: (since) => gate(() => t.desk.failuresByReason(since)),
  };
}

/** The digest port over the digests table (one row per period closed) and the outbox's digest statements. */
export function digestRepository(t: SqliteTables, gate: Gate): DigestRepository {
  return {
    subscriptions: () => gate(() => t.deliverySettings.digestSubscriptions()),
    heldFor: (id, until) => gate(() => t.jobs.heldFor(id, until)),
    open: (id, end, items, now) => gate(() => t.digests.open(id, end, items, now)),
    addMessage: (digestId, part, parts, text, postIds, now) => gate(() => t.jobs.addDigestPart(digestId, part, parts, text, postIds, now)),
    cancelRetracted: (articleId, reason, now) => gate(() => t.jobs.cancelWaitingForArticle(articleId, reason, now)),
    isStale: (id) => gate(() => t.jobs.isStale(id)),
    carried: (digestId) => gate(() => t.jobs.heldCarried(digestId)),
    rewrite: (digestId, messages, reason, now) => gate(() => t.jobs.rewriteQueued(digestId, messages, reason, now)),
  };
}

/** Counts and liveness over the articles, subscriptions, the runner's lease and the platforms' last status. */
export function systemStatusRepository(t: SqliteTables, gate: Gate): SystemStatusRepository {
  return {
    articleCount: () => gate(() => t.articles.count()),
    subscriptionCounts: () => gate(() => t.subscriptions.counts()),
    runnerAlive: (now) => gate(() => t.leases.isHeld('run', now)),
    platformStates: () => gate(() => t.platformStatus.all()),
  };
}
