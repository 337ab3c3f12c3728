import type { StoredArticle } from '../model/article.js';
import type { Audience, AudienceQuery } from '../model/broadcast.js';
import type { Subscription } from '../model/subscription.js';
import type { Repositories } from '../ports/index.js';
import { matchesTopics } from './topics.js';

/** Who a delivery is queued for. */
type Target = { id: number; platform: string };

/**
 * How many chats an audience reaches now, how many of its chats already have the article (never sent twice), and
 * how many it failed for before (sent again only by `resendFailed`).
 */
export interface AudienceCount {
  willReceive: number;
  alreadyHave: number;
  failedBefore: number;
}

/** What picking an audience reads and queueing it writes. */
type AudienceRepos = Pick<Repositories, 'audience' | 'subscriptions'>;

/**
 * The one definition of who receives an article, used to count a preview and to queue it, so the two agree.
 * SQL selects the subscriptions it can alone (no topic filter, or every topic counts); subscriptions with topics,
 * or with a filter for the article's source, are matched here on normalised Arabic. An editor's audience "all" or
 * "one platform" ignores every filter, per-source ones too.
 */
async function selectionOf(
  repos: AudienceRepos,
  article: StoredArticle,
  audience: Audience,
  activeBefore?: number,
): Promise<{ sql?: AudienceQuery; listed: Target[] }> {
  switch (audience.kind) {
    case 'matching': {
      const bySource =
        article.sourceId === undefined ? undefined : await repos.audience.sourceFilters(article.sourceId);
      return {
        sql: { activeBefore, sourceId: article.sourceId },
        listed: (await repos.audience.filterTargets(article.sourceId, activeBefore)).filter((s) => {
          if (!matchesTopics(s.topics, article)) return false;
          const own = bySource?.get(s.id);
          return own === undefined || matchesTopics(own, article);
        }),
      };
    }
    case 'all':
      return { sql: { everyTopic: true, activeBefore }, listed: [] };
    case 'platform':
      return { sql: { everyTopic: true, platform: audience.platform, activeBefore }, listed: [] };
    case 'chats': {
      const subs = await Promise.all(audience.subscriptionIds.map((id) => repos.subscriptions.get(id)));
      return { listed: subs.filter((s): s is Subscription => s?.active === true) };
    }
  }
}

/**
 * How many chats an audience reaches now (see AudienceCount). `onlyPlatform`: the part of the audience on that
 * platform (what a paid broadcast would cost there). Reads only: `deps.data.repos`, or a unit's `tx`.
 */
export async function countAudience(
  repos: AudienceRepos,
  article: StoredArticle,
  audience: Audience,
  onlyPlatform?: string,
): Promise<AudienceCount> {
  if (article.retracted) return { willReceive: 0, alreadyHave: 0, failedBefore: 0 };
  if (onlyPlatform !== undefined && audience.kind === 'platform' && audience.platform !== onlyPlatform)
    return { willReceive: 0, alreadyHave: 0, failedBefore: 0 };
  const selected = await selectionOf(repos, article, audience);
  const sql = selected.sql && onlyPlatform !== undefined ? { ...selected.sql, platform: onlyPlatform } : selected.sql;
  const listed =
    onlyPlatform !== undefined ? selected.listed.filter((s) => s.platform === onlyPlatform) : selected.listed;
  const fromSql = sql ? await repos.audience.count(article.id, sql) : { total: 0, already: 0, failed: 0 };
  const states = listed.length > 0 ? await repos.audience.postStates(article.id) : new Map<number, string>();
  const listedFailed = listed.filter((s) => states.get(s.id) === 'failed').length;
  const listedAlready = listed.filter((s) => states.has(s.id)).length - listedFailed;
  return {
    willReceive: fromSql.total - fromSql.already - fromSql.failed + listed.length - listedAlready - listedFailed,
    alreadyHave: fromSql.already + listedAlready,
    failedBefore: fromSql.failed + listedFailed,
  };
}

/**
 * Queues the article for its audience; returns how many posts were new. A retracted article reaches nobody. Call it
 * inside the action's unit of work (`tx`): the selection and both writes are then one transaction.
 */
export async function queueAudience(
  tx: AudienceRepos,
  article: StoredArticle,
  audience: Audience,
  opts: { broadcastId?: number; priority?: number; activeBefore?: number; now?: number; notBefore?: number } = {},
): Promise<number> {
  if (article.retracted) return 0;
  const now = opts.now ?? Date.now();
  const { sql, listed } = await selectionOf(tx, article, audience, opts.activeBefore);
  const queue = { broadcastId: opts.broadcastId, priority: opts.priority, notBefore: opts.notBefore };
  const fromSql = sql ? await tx.audience.queueSelected(article.id, { ...sql, ...queue }, now) : 0;
  return (
    fromSql +
    (await tx.audience.queueListed(
      article.id,
      listed.map((s) => s.id),
      queue,
      now,
    ))
  );
}
