import type { Admission, ArticleIntake } from '../ingest/poller.js';
import type { DataPorts } from '../ports/index.js';
import { reviseFromSource } from './corrections.js';
import { routeArticle, storeArticle } from './pipeline.js';
import { holdForReview } from './review.js';

/**
 * What the intake is built from: the ports, and what a source's revision needs (the corrections' writes, not on the
 * ports yet, run inside the intake's unit of work, so they still commit together and wait their turn behind any
 * other unit).
 */
export type IntakeDeps = Parameters<typeof reviseFromSource>[0] & { data: DataPorts };

/**
 * What the newsroom does with what a poll or a push found (the poller and the push receiver are given it by the
 * wiring, so ingest never imports the newsroom): a new item is de-duplicated and stored, then routed to the
 * subscriptions, held for an editor (a source with review on) or, a new source's backlog, only seen; a known item
 * its source changed becomes a revision with its corrections.
 */
export function articleIntake(deps: IntakeDeps): ArticleIntake {
  const {
    config,
    data: { uow },
  } = deps;
  return {
    admit: (source, items, now) =>
      uow.run(async (tx) => {
        const results: Admission[] = [];
        for (const item of items) {
          const stored = await storeArticle(tx, item.article, {
            sourceId: source.id,
            seenOnly: item.seenOnly,
            summary: config.summary,
            timeZone: source.timeZone ?? config.timeZone,
            now,
            feedHash: item.feedHash,
            prepared: item.prepared,
          });
          if (stored.status === 'duplicate')
            results.push({ status: 'duplicate', of: stored.existing.id, reason: stored.match.reason });
          else if (item.seenOnly) results.push({ status: 'seen' });
          else if (source.review) {
            await holdForReview(tx, stored.article, now);
            results.push({ status: 'held' });
          } else results.push({ status: 'routed', queued: await routeArticle(tx, stored.article) });
        }
        return results;
      }),
    // Its own unit of work, after the item is summarised (reviseFromSource).
    revise: async (existing, article, opts) => {
      const revision = await reviseFromSource(deps, existing, article, opts);
      return revision.status === 'revised'
        ? { revised: true, corrections: revision.queued }
        : { revised: false, corrections: 0 };
    },
  };
}

/** What the poller and the push receiver need: the given dependencies and the intake built from them. */
export const pollDeps = <D extends IntakeDeps>(deps: D): D & { intake: ArticleIntake } => ({
  ...deps,
  intake: articleIntake(deps),
});
