import type { DeliveryState } from './delivery.js';

/** The desk's Today list: which articles, which page (every condition optional, the page bounded by `limit`). */
export interface TodayFilter {
  sourceId?: number;
  /** A hashtag or category, as stored. */
  topic?: string;
  /** Articles with at least one delivery in this state, or 'none' for those sent nowhere. */
  state?: DeliveryState | 'none';
  /** Only a source's backlog (items marked seen when it was added: true), or only the rest (false); both when unset. */
  backlog?: boolean;
  /** The search box as groups of stems (src/text/stem.ts queryStems): every word must match, through the FTS5 index. */
  stems?: string[][];
  /** Keyset paging: articles older than this (recency, id). */
  before?: { at: number; id: number };
  limit: number;
}
