import type { ClickRepository, ReachRepository } from '../ports/index.js';
import type { Gate, SqliteTables } from './port-tables.js';

/** The clicks port: link codes and batched counts (db/015). */
export function clickRepository(t: SqliteTables, gate: Gate): ClickRepository {
  return {
    codeFor: (articleId, subscriptionId) => gate(() => t.clickLinks.codeFor(articleId, subscriptionId)),
    remember: (code, articleId, subscriptionId, now) => gate(() => t.clickLinks.remember(code, articleId, subscriptionId, now)),
    resolve: (code) => gate(() => t.clickLinks.resolve(code)),
    addCounts: (counts) => gate(() => t.addClickCounts(counts)),
  };
}

/** The reach read model's sums (src/store/reach-views.ts). */
export function reachRepository(t: SqliteTables, gate: Gate): ReachRepository {
  return {
    clicksPerHour: (sinceHour) => gate(() => t.clickHours.since(sinceHour)),
    topStories: (sinceHour, limit) => gate(() => t.reach.topStories(sinceHour, limit)),
    windowByChat: (sinceHour, sinceMs) => gate(() => t.reach.windowByChat(sinceHour, sinceMs)),
    storyCounts: (articleIds) => gate(() => t.reach.storyCounts(articleIds)),
    postClicks: (audience, sinceMs, limit) => gate(() => t.reach.postClicks(audience, sinceMs, limit)),
  };
}
