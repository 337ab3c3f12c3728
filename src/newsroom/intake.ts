import type { Config } from '../config.js';
import type { ArticleIntake } from '../ingest/poller.js';
import type { Logger } from '../logger.js';
import type { DataPorts } from '../ports/index.js';
import type { Store } from '../store/index.js';
import { reviseFromSource } from './corrections.js';
import { routeArticle, storeArticle } from './pipeline.js';
import { holdForReview } from './review.js';

/**
 * What the intake is built from. `data`: the ports; `store`: the articles, deliveries and reviews the pipeline
 * writes, not converted to ports yet (their slices follow): those writes run inside the intake's unit of work, so
 * they still commit together, and wait their turn behind any other unit.
 */
export interface IntakeDeps { store: Store; data: DataPorts; config: Config; logger: Logger }

/**
 * What the newsroom does with what a poll or a push found (the poller and the push receiver are given it by the
 * wiring, so ingest never imports the newsroom): a new item is de-duplicated and stored, then routed to the
 * subscriptions, held for an editor (a source with review on) or, a new source's backlog, only seen; a known item
 * its source changed becomes a revision with its corrections.
 */
export function articleIntake(deps: IntakeDeps): ArticleIntake {
  const { store, config, data: { uow } } = deps;
  return {
    admit: (source, items, now) => uow.run(async () => items.map((item) => {
      const stored = storeArticle(store, item.article, {
        sourceId: source.id, seenOnly: item.seenOnly, summary: config.summary, timeZone: source.timeZone ?? config.timeZone, now,
        feedHash: item.feedHash, prepared: item.prepared,
      });
      if (stored.status === 'duplicate') return { status: 'duplicate' as const, of: stored.existing.id, reason: stored.match.reason };
      if (item.seenOnly) return { status: 'seen' as const };
      if (source.review) {
        holdForReview(store, stored.article, now);
        return { status: 'held' as const };
      }
      return { status: 'routed' as const, queued: routeArticle(store, stored.article) };
    })),
    // Its own unit of work, after the item is summarised (reviseFromSource).
    revise: async (existing, article, opts) => {
      const revision = await reviseFromSource(deps, existing, article, opts);
      return revision.status === 'revised' ? { revised: true, corrections: revision.queued } : { revised: false, corrections: 0 };
    },
  };
}

/** What the poller and the push receiver need: the given dependencies and the intake built from them. */
export const pollDeps = <D extends IntakeDeps>(deps: D): D & { intake: ArticleIntake } =>
  ({ ...deps, intake: articleIntake(deps) });
