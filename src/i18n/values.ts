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
  /** `setting`: the digest's time or the quiet hours' ends. */
  | { kind: 'time'; text: string; setting: 'digest' | 'quiet' }
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
 * (src/refusal.ts RefusedError; its message is the English one, for the logs). `why` and `xml` are the
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
    }
  // Articles, reviews, corrections, broadcasts and deliveries. `by` is who retracted («telegram:42»).
  | { kind: 'no-article'; id: number; broadcastOf?: number }
  /** An article named as typed (an id or a URL) that is not stored. */
  | { kind: 'no-article-ref'; ref: string }
  | { kind: 'not-held'; articleId: number }
  | { kind: 'retracted-not-corrected'; articleId: number }
  | { kind: 'retracted-not-sent'; articleId: number }
  | { kind: 'already-retracted'; articleId: number; by: string }
  | { kind: 'no-broadcast-sent'; broadcastId: number }
  | { kind: 'no-job'; jobId: number }
  /** `job` and `state`: the outbox's own words (post, digest, edit, delete; queued, sent, …). */
  | { kind: 'not-in-doubt'; jobId: number; job: string; state: string }
  | { kind: 'paid-off' }
  | { kind: 'urgent-empty' }
  | { kind: 'urgent-too-long'; max: number; length: number }
  | { kind: 'unknown-platform'; platform: string; known: readonly string[] }
  // An editor's edit of a title, a summary and hashtags.
  | { kind: 'title-empty' }
  | { kind: 'title-too-long'; max: number }
  | { kind: 'summary-too-many'; max: number }
  | { kind: 'summary-too-long'; max: number }
  | { kind: 'hashtags-too-many'; max: number }
  | { kind: 'hashtag-too-long'; max: number }
  // Sources and subscriptions. `polling`: the feed's URL (or the page's) the followed source reads.
  | { kind: 'already-followed'; url: string; id: number; name: string; polling: string }
  | { kind: 'no-source'; id: number }
  | { kind: 'source-already'; id: number; active: boolean }
  | { kind: 'source-paused'; id: number }
  | { kind: 'no-subscription'; id: number }
  | { kind: 'subscription-inactive'; id: number }
  | { kind: 'template-line'; field: 'headerMark' | 'footer'; max: number }
  | { kind: 'link-preview'; value: string; allowed: readonly string[] }
  | { kind: 'time-zone'; zone: string }
  | { kind: 'quiet-same-times' }
  /** A chat id not of the forms its platform uses (`platform`: its label in each language). */
  | { kind: 'chat-id'; chatId: string; platform: { ar: string; en: string }; forms: readonly ChatIdForm[] }
  /** A name the console platform does not take for where it prints (bots/console). */
  | { kind: 'console-target'; name: string }
  // Outlets, desk accounts and passwords. `slug`, `role`, `name` and `value` are cut as typed (40, 20, 60 characters).
  | { kind: 'outlet-exists'; slug: string }
  | { kind: 'no-outlet'; slug: string }
  | { kind: 'outlet-slug'; slug: string }
  | { kind: 'outlet-name'; max: number }
  | { kind: 'env-prefix'; value: string }
  | { kind: 'env-prefix-taken'; slug: string; prefix: string }
  | { kind: 'main-outlet' }
  | { kind: 'editor-exists'; username: string }
  | { kind: 'no-editor'; username: string }
  | { kind: 'not-member'; username: string; outlet: string }
  | { kind: 'role'; role: string }
  | { kind: 'username'; name: string }
  | { kind: 'username-mixed'; name: string }
  | { kind: 'password-short'; min: number }
  | { kind: 'password-long'; max: number }
  // An article read from a file or a URL (src/ingest/load-article.ts). `why`, `code` and `reason`: the reader's, the
  // file system's and the text check's words, quoted as they are.
  | { kind: 'not-an-article'; input: string; why: string }
  | { kind: 'not-a-file'; path: string }
  | { kind: 'file-unreadable'; path: string; code: string }
  | { kind: 'file-empty'; path: string }
  | { kind: 'fetch-failed'; why: string }
  | { kind: 'not-a-page'; url: string; contentType: string }
  | { kind: 'not-text'; input: string; reason: string }
  /** Digest or quiet-hours words that cannot be read (src/newsroom/delivery-settings.ts DeliveryWordsError). */
  | { kind: 'delivery-words'; problem: DeliveryWordsProblem }
  // The desk's forms.
  | { kind: 'choose-chat' }
  | { kind: 'choose-verdict' };

/** One form of a platform's chat ids, by what it names, with an example («-1001234567890», «…@g.us»). */
export interface ChatIdForm {
  shape: 'number' | 'handle' | 'group' | 'channel' | 'person';
  example: string;
}

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
  /** A maximum below its minimum (a platform's longest pause below its shortest). */
  | { kind: 'less-than'; value: number; other: string; otherValue: number }
  /** A paid rate not above the free rate it would lift: paying would change nothing. */
  | { kind: 'paid-rate-not-above'; value: number; other: string; otherValue: number }
  /** A paid broadcast's price per message in the platform's unit (its descriptor's paidBroadcast unit), an example. */
  | { kind: 'price'; value: string; unit: string; example: number }
  /** An editor's numeric id on a platform: `platform` its descriptor's label, `ask` who tells a person theirs. */
  | { kind: 'user-id'; value: string; platform: { ar: string; en: string }; ask: string }
  /** A phone number with its country code, with an example. */
  | { kind: 'phone-number'; value: string; example: string }
  /**
   * A bot token of the wrong shape, from `issuer` (who hands them out), never the token itself (a secret). The shapes
   * the catalogue can say: 'id-colon-secret', the account's digits, a colon, then `secretMin` or more letters,
   * digits, _ or -.
   */
  | { kind: 'token'; issuer: string; form: 'id-colon-secret'; secretMin: number }
  /** The platform refused the token at start (`code` and `description` are its answer, quoted as they are). */
  | { kind: 'token-refused'; issuer: string; method: string; code: number; description: string }
  | { kind: 'clicks-without-public-url' }
  /** NASHRA_PLUGINS (src/app/platforms.ts): `why` is the import's own first line, quoted as it is. */
  | { kind: 'plugin-unloadable'; spec: string; why: string }
  | { kind: 'plugin-not-platform'; spec: string }
  | { kind: 'plugin-duplicate'; spec: string; name: string };

/**
 * Why a PostgreSQL database could not be opened (src/store/index.ts DatabaseOpenError): `target` is its URL with the
 * password masked and `why` PostgreSQL's (or the network's) own words, masked the same way; `schema` a schema name
 * refused before any connection.
 */
export type DatabaseOpenProblem =
  | { kind: 'cannot-open'; target: string; why: string }
  | { kind: 'schema-name'; schema: string }
  /** A SQLite file that cannot be opened or migrated; `why` is SQLite's own words. */
  | { kind: 'cannot-open-file'; path: string; why: string }
  /**
   * SQLite's answers no retry can fix (src/store/index.ts storageFault): `what` is SQLite's code and words, quoted as
   * they are; the work not written stays queued for the next start.
   */
  | { kind: 'disk-full' | 'read-only' | 'damaged' | 'unreadable'; path: string; what: string };

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
