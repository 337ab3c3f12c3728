/**
 * The values the catalogue's words say, as the words read them. Written here, not imported from the newsroom: the
 * newsroom, ingest and format take their words from the catalogue, so the catalogue importing them back would be an
 * import cycle (tests/architecture.test.ts). The newsroom's own types (Stats, PostCounts, OpmlReport, …) fit these.
 */

/** Why a platform's deliveries wait (src/newsroom/stats.ts WaitReason). */
export interface WaitReason {
  why: 'not-installed' | 'off' | 'not-running' | 'disconnected' | 'sending';
  reason: string;
  detail?: string;
}

/** What /stats says (src/newsroom/stats.ts Stats). */
export interface StatsSaid {
  articles: number;
  subscriptions: ReadonlyArray<{ platform: string; active: number; inactive: number }>;
  deliveries: Record<string, Record<string, number>>;
  queueDepth: number;
  oldestQueuedSeconds: number | null;
  inDoubt: ReadonlyArray<{ id: number }>;
  sources: {
    total: number;
    active: number;
    failingForADay: ReadonlyArray<{ id: number; name: string; since: string; error: string | null }>;
  };
  waiting: ReadonlyArray<{ platform: string; count: number } & WaitReason>;
  waitingForChats: ReadonlyArray<{ platform: string; count: number; until: string }>;
  scheduled: ReadonlyArray<{ platform: string; count: number; next: string }>;
}

/** A story's posts on one platform (src/newsroom/corrections.ts PostCounts). */
export interface PostsSent {
  platform: string;
  sent: number;
}

/** A platform's own refusal in Arabic, from its descriptor, when it knows it (src/newsroom/correction-words.ts). */
export type Refusal = (platform: string, reason: string) => string | undefined;

/** An OPML import's counts (src/newsroom/opml.ts OpmlReport). */
export interface OpmlCounts {
  added: number;
  already: number;
  refused: number;
}

/** What was wrong with the delivery words typed (src/newsroom/delivery-settings.ts DeliveryWordsProblem). */
export type DeliveryWordsProblem =
  | { kind: 'time'; text: string }
  | { kind: 'digest'; text: string }
  | { kind: 'window'; text: string }
  | { kind: 'same-times' }
  | { kind: 'mode'; text: string }
  | { kind: 'no-digest' }
  | { kind: 'no-window' };

/** What `nashra stats` says: /stats's values, with each job in doubt in full and the corrections per state. */
export interface StatsReport extends StatsSaid {
  inDoubt: ReadonlyArray<{ id: number; kind: string; article: number | null; subscription: number }>;
  corrections: Record<string, number>;
}

/** Posts, clicks and clicks per post (null with no post), as `nashra reach` says them (src/newsroom/reach.ts). */
export interface ReachCounts {
  posts: number;
  clicks: number;
  clickThrough: number | null;
}

/** What `nashra reach` says (src/newsroom/reach.ts ReachReport). */
export interface ReachSaid {
  since: string;
  until: string;
  timeZone: string;
  clicks: number;
  platforms: ReadonlyArray<{ platform: string } & ReachCounts>;
  topDay: readonly StoryReachSaid[];
  topWeek: readonly StoryReachSaid[];
  chats: ReadonlyArray<{ subscriptionId: number; platform: string; chatId: string; title?: string } & ReachCounts>;
  byHourOfDay: readonly number[];
  byDayOfWeek: readonly number[];
}

/** One story's line of `nashra reach` (src/newsroom/reach.ts StoryReach). */
export interface StoryReachSaid extends ReachCounts {
  articleId: number;
  title: string;
  clicksInWindow: number;
  platforms: ReadonlyArray<{ platform: string; posts: number; clicks: number }>;
  reactions: Record<string, number>;
  fullReads: number;
}

/**
 * A newsroom refusal of what a person typed, by meaning, so each front door says it in its own language
 * (src/newsroom/refusal.ts RefusedError; its message is the English one, for the logs). `why` and `xml` are the
 * words of the fetch, the detection or the XML parser, quoted as they are.
 */
export type NewsroomRefusal =
  | { kind: 'interval'; raw: string }
  | { kind: 'not-a-url'; input: string }
  | { kind: 'not-http'; input: string }
  | { kind: 'cannot-add'; url: string; why: string }
  | { kind: 'window'; text: string }
  | { kind: 'opml-too-large'; mb: number }
  | { kind: 'not-opml'; xml: string }
  | { kind: 'opml-no-body' }
  | { kind: 'opml-too-many'; feeds: number; max: number }
  /** `now` and `latest`: local date and time in `timeZone`; `days`: how far ahead a time may be. */
  | {
      kind: 'send-time';
      reason: 'malformed' | 'past' | 'too-far';
      text: string;
      timeZone: string;
      now: string;
      latest: string;
      days: number;
    };

/**
 * What is wrong with a configuration variable, by meaning (src/config.ts ConfigValueError): the CLI says it in its
 * language after the variable's name; `value` is the variable's value as set.
 */
export type ConfigProblem =
  | { kind: 'whole-number'; value: string; min: number; max: number }
  | { kind: 'duration'; value: string }
  | { kind: 'boolean'; value: string }
  | { kind: 'one-of'; value: string; allowed: readonly string[] }
  | { kind: 'url'; value: string }
  | { kind: 'time-zone'; value: string }
  | { kind: 'database-url' }
  | { kind: 'database-protocol'; protocol: string }
  /** NASHRA_SUMMARY_MIN_SENTENCES above NASHRA_SUMMARY_SENTENCES. */
  | { kind: 'more-than'; value: number; other: string; otherValue: number }
  | { kind: 'clicks-without-public-url' }
  /** NASHRA_PLUGINS (src/app/platforms.ts): `why` is the import's own first line, quoted as it is. */
  | { kind: 'plugin-unloadable'; spec: string; why: string }
  | { kind: 'plugin-not-platform'; spec: string }
  | { kind: 'plugin-duplicate'; spec: string; name: string };

/**
 * Why `nashra db copy` refused or failed, by meaning (src/store/postgres/copy.ts CopyRefusedError). `target` is the
 * URL with its password masked and `why` PostgreSQL's own words, masked the same way: no secret is in a value.
 */
export type CopyProblem =
  | { kind: 'not-postgres-url' }
  | { kind: 'bad-url' }
  | { kind: 'no-source'; path: string }
  | { kind: 'not-empty'; tables: readonly string[] }
  | { kind: 'nul'; table: string; row?: string; column: string }
  | { kind: 'failed'; target: string; why: string };

/** What differs between the two databases after a copy (src/store/postgres/copy.ts CopyResult), which rolls it back. */
export type CopyMismatch =
  | { kind: 'counts'; tables: readonly string[] }
  | { kind: 'one-side-columns'; columns: readonly string[] }
  | { kind: 'job-missing'; id: string }
  | { kind: 'job-differs'; id: string; column: string }
  | { kind: 'job-extra'; id: string };
