/** What a source is polled as; validated by the ingest code (the schema does not enumerate kinds). */
export type SourceKind = 'rss' | 'atom' | 'json' | 'wordpress' | 'page';

export interface Source {
  id: number;
  url: string;
  feedUrl?: string;
  kind: SourceKind;
  name: string;
  category?: string;
  timeZone?: string;
  intervalSeconds: number;
  active: boolean;
  etag?: string;
  lastModified?: string;
  lastFetchAt?: Date;
  lastStatus?: string;
  lastError?: string;
  errorCount: number;
  failingSince?: Date;
  nextFetchAt: Date;
  articlesFound: number;
  createdAt: Date;
  /** Newest items routed on the first poll (the rest of the backlog is stored as seen). */
  backfill: number;
  /** When the first successful poll marked the backlog seen; undefined until then (and after re-enabling). */
  primedAt?: Date;
  /** New items wait for an editor's «نشر» (nashra sources add --review): stored and summarised, never queued before. */
  review: boolean;
  /** Another address of the same feed: its self link, or a WordPress site's RSS feed when its REST API is polled. */
  altFeedUrl?: string;
  /** The site's page (the feed's own link to it), when known. */
  siteUrl?: string;
}

export interface NewSource {
  url: string;
  feedUrl?: string;
  kind: SourceKind;
  name: string;
  category?: string;
  timeZone?: string;
  intervalSeconds?: number;
  backfill?: number;
  review?: boolean;
  altFeedUrl?: string;
  siteUrl?: string;
}

/** After a successful or failed fetch: what the poller records. */
export interface FetchOutcome {
  status: string;
  error?: string;
  etag?: string;
  lastModified?: string;
  newArticles?: number;
  nextFetchAt: number;
}

/** A source's WebSub subscription: what Nashra asked the hub for, and what the hub verified. */
export type WebSubState = 'subscribe' | 'pending' | 'active' | 'unsubscribe' | 'unsubscribing';

export interface WebSubSubscription {
  sourceId: number;
  hub: string;
  topic: string;
  secret: string;
  state: WebSubState;
  leaseSeconds?: number;
  expiresAt?: number;
  requestedAt?: number;
  lastError?: string;
}
