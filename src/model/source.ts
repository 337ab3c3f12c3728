/** What a source is polled as; validated by the ingest code (the schema does not enumerate kinds). */
export type SourceKind = 'rss' | 'atom' | 'json' | 'wordpress' | 'page';

export interface Source {
  id: number; url: string; feedUrl?: string; kind: SourceKind; name: string; category?: string; timeZone?: string;
  intervalSeconds: number; active: boolean; etag?: string; lastModified?: string; lastFetchAt?: Date;
  lastStatus?: string; lastError?: string; errorCount: number; failingSince?: Date; nextFetchAt: Date;
  articlesFound: number; createdAt: Date;
  /** Newest items routed on the first poll (the rest of the backlog is stored as seen). */
  backfill: number;
  /** When the first successful poll marked the backlog seen; undefined until then (and after re-enabling). */
  primedAt?: Date;
  /** New items wait for an editor's «نشر» (nashra sources add --review): stored and summarised, never queued before. */
  review: boolean;
}

export interface NewSource {
  url: string; feedUrl?: string; kind: SourceKind; name: string; category?: string; timeZone?: string; intervalSeconds?: number;
  backfill?: number; review?: boolean;
}

/** After a successful or failed fetch: what the poller records. */
export interface FetchOutcome {
  status: string; error?: string; etag?: string; lastModified?: string; newArticles?: number; nextFetchAt: number;
}
