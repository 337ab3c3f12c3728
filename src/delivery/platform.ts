import { createHash } from 'node:crypto';
import type { Config, PlatformSettingsParser } from '../config.js';
import type { Markup } from '../format/post.js';
import type { Logger } from '../logger.js';
import type { StoredArticle } from '../model/article.js';
import type { Review } from '../model/review.js';
import type { ChatKind } from '../model/subscription.js';
import { catalogue, type Catalogue } from '../i18n/index.js';
import type { ChatRules, NewsroomDeps, PaidBroadcastOffer } from '../newsroom/deps.js';
import type { PendingCorrection } from '../model/correction.js';
import type { ChatTarget, JobAnswer, PendingDelivery, PendingJob } from '../model/delivery.js';

/** What replaces a retracted post that a platform refuses to delete (too old, no rights). */
export const RETRACTION_NOTICE = catalogue('ar').post.retractionNotice;
/** How a reply that carries a correction begins, where the post itself can no longer be edited. */
export const CORRECTION_PREFIX = catalogue('ar').post.correctionPrefix;

/**
 * A platform's way to change its posts after they were sent: corrections and retractions. Optional: a platform
 * without one has its correction jobs failed with that reason (the editor's report says so). Each method calls
 * `hooks.sending()` immediately before its request leaves (after the platform's own pacing), like Transport.send.
 * Throws PermanentDeliveryError (with the platform's reason) when the post cannot be touched, TemporaryDeliveryError
 * to be retried; anything else is temporary.
 */
export interface PostCorrector {
  /**
   * Makes the post show the article's current text: edited in place (`edited`; `unchanged` when it already did),
   * or, where the platform no longer allows an edit, a reply to it that starts with CORRECTION_PREFIX (`replied`,
   * with the reply's message id as `answer`).
   */
  edit(
    post: PendingCorrection & { messageId: string },
    article: StoredArticle,
    hooks: SendHooks,
  ): Promise<CorrectionResult>;
  /**
   * Deletes the post for everyone (`deleted`), or where the platform refuses, turns it into RETRACTION_NOTICE
   * (`notice`, with the refusal as `answer`).
   */
  remove(
    post: PendingCorrection & { messageId: string },
    article: StoredArticle,
    hooks: SendHooks,
  ): Promise<CorrectionResult>;
}

export interface CorrectionResult {
  outcome: 'edited' | 'unchanged' | 'replied' | 'deleted' | 'notice';
  /** The platform's answer worth keeping: a reply's message id, the refusal that led to a notice. */
  answer?: string;
}

/** A running platform adapter (bots/<name>/): its way out for the worker, and its own connection life. */
export interface PlatformAdapter {
  readonly name: string;
  readonly transport: Transport;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** For the health endpoint: connected and able to send now. */
  isConnected(): boolean;
  /** Why nothing can be sent now, in a few words ("WhatsApp is not logged in"); undefined when it can. */
  notReadyReason?(): string | undefined;
  /**
   * Something of this machine's that only one run may drive at a time (a WhatsApp session's folder): where several
   * runs share the database, only the run holding the lease `<name>:<pin>` starts the platform; the others leave it
   * out. Absent: any run may start it.
   */
  readonly pin?: string;
  /** Tells this platform's editors something (another platform went down); absent when it has no way to. */
  notifyEditors?(text: string): Promise<void>;
  /**
   * Shows each of its editors an article held for review (a source added with --review), exactly as subscribers
   * would see it, with a way to publish or dismiss it (decideReview), and updates every copy once someone decided.
   * Absent when the platform has no way to: its editors use `nashra review` or another platform.
   */
  askEditorsToReview?(article: StoredArticle, review: Review): Promise<void>;
}

/** A count per platform and day: `increment` returns the new count. */
export interface DayCounters {
  increment(platform: string, day: string): number;
  get(platform: string, day: string): number;
}

/** What `nashra run` gives a platform to build its adapter. */
export interface AdapterContext {
  config: Config;
  /** Messages sent per platform and day, kept across restarts (WhatsApp's daily cap): the one table a platform
   * writes itself; everything else goes through the newsroom. */
  sendCounters: DayCounters;
  logger: Logger;
  /** The newsroom actions' dependencies: its commands call the actions with them. */
  newsroom: NewsroomDeps;
  /** Printed output of the run (what the console platform writes to). */
  out: (text: string) => void;
  /** Tells the editors on the platforms started before this one (a WhatsApp logout reaches Telegram's editors). */
  notifyOtherEditors: (text: string) => Promise<void>;
}

/**
 * What a platform's command says in its help: its words from the catalogue in the CLI's language, or a string (a
 * plug-in that speaks one language).
 */
export type CommandHelp = string | ((words: Catalogue) => string);

/** `nashra <platform> <name>`: a platform's own CLI subcommand (WhatsApp's `login`). */
export interface PlatformCommand {
  name: string;
  summary: CommandHelp;
  /** Commander-style flags, e.g. `--pairing-number <phone>`. */
  options?: ReadonlyArray<{ flags: string; description: CommandHelp }>;
  run(options: Record<string, string | boolean | undefined>, ctx: PlatformCommandContext): Promise<void>;
}

export interface PlatformCommandContext {
  config: Config;
  logger: Logger;
  /** The catalogue in the CLI's language (NASHRA_CLI_LANGUAGE): what the command prints and refuses comes from it. */
  words: Catalogue;
  out: (line: string) => void;
  /** The environment the command runs with (the process's, or a test's running the CLI in-process). */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Everything Nashra knows about a platform, exported by its folder under bots/ (or by a plug-in module named in
 * NASHRA_PLUGINS). The core iterates a registry of these and never names a platform.
 */
export interface PlatformDescriptor<Settings = unknown> extends PlatformSettingsParser, ChatRules {
  readonly name: string;
  /** How messages are marked up, and the text and caption limits. */
  readonly markup: Markup;
  parseSettings(env: Record<string, string | undefined>): Settings | undefined;
  /** What sending above the free rate costs, when the platform offers it and these settings turn it on. */
  paidBroadcast?(settings: Settings): PaidBroadcastOffer | undefined;
  /** Values to mask in every log line and error message (tokens). */
  secrets?(settings: Settings): string[];
  /** Editors named by its settings (TELEGRAM_EDITOR_IDS, …). */
  editors?(settings: Settings): string[];
  /** The kind of chat an id names; a UserError that shows the expected form when it is not a valid id. */
  classifyChat(chatId: string): ChatKind;
  /** The public address of a sent post, when the platform has one (a public channel's post); the desk links to it. */
  postUrl?(chat: { chatId: string; kind: string }, messageId: string): string | undefined;
  /** Prints on this machine and needs no account: the embedded demo runs when no other platform is on. */
  readonly local?: boolean;
  createAdapter(settings: Settings, ctx: AdapterContext): Promise<PlatformAdapter>;
  readonly commands?: readonly PlatformCommand[];
}

/**
 * Lets an adapter that queues deliveries (an editor's confirmed broadcast) wake the delivery worker, which is
 * created after the adapters: `notify` is re-pointed at the worker once it exists.
 */
export class QueueSignal {
  private listener: () => void = () => {};
  notify = (): void => this.listener();
  listen(listener: () => void): void {
    this.listener = listener;
  }
}

/** One platform's way out. Adapters under bots/ implement it; the worker decides what to send and when. */
export interface Transport {
  readonly platform: string;
  /** Deliveries in flight at once (different chats). WhatsApp: 1. */
  readonly concurrency: number;
  /**
   * Who sends: the same on every run that sends as the same account (senderIdentity of a bot token), never a secret.
   * Where several runs share the database, one run at a time drives the transport of a sender (the lease
   * `send:<platform>:<sender>`, src/app/senders.ts). Absent: the platform has one sender per database.
   */
  readonly sender?: string;
  /** Which queued deliveries go first after urgency: oldest (default) or newest article. */
  readonly order?: 'oldest' | 'newest';
  /**
   * True when send() calls `hooks.sending()` itself, immediately before the request leaves (after the transport's own
   * rate-limit wait). The delivery is then recorded as `sending` only once it is really on its way, so a crash leaves
   * in doubt only what was on the wire, not what was waiting its turn. Otherwise the worker records it before send().
   */
  readonly marksSending?: boolean;
  /** False while disconnected or logged out: the queue waits, nothing is lost. */
  isReady(): boolean;
  /**
   * Sends one article to one chat and resolves with the platform's message id. Throws PermanentDeliveryError,
   * TemporaryDeliveryError, ChatMigratedError or DeliveryCancelledError (when `hooks.sending()` said no); anything
   * else is treated as temporary.
   */
  send(delivery: PendingDelivery, article: StoredArticle, hooks: SendHooks): Promise<{ messageId?: string }>;
  /**
   * Sends a message the core composed (a digest), already marked up with the platform's markup, without a link
   * preview; same errors and hooks as send(). A platform without it gets no digests (they stay queued).
   */
  sendText?(target: ChatTarget, text: string, hooks: SendHooks): Promise<{ messageId?: string }>;
  /** Edits and deletes of posts already sent (corrections, retractions); absent when the platform cannot. */
  readonly posts?: PostCorrector;
}

/** A sender's name from its secret (a bot token): the first 12 hex digits of its SHA-256, which tell tokens apart and give none away. */
export function senderIdentity(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

/**
 * Each kind of job through the platform's own way: a post by send(), a digest message by sendText(), an edit or a
 * delete by posts.edit() or posts.remove(). The worker asks for a digest only where sendText exists and fails edits
 * and deletes where posts does not (store.jobs.next, failCorrectionsOn); `article` is the one the job carries,
 * `silent` the chat's quiet hours.
 */
export function sendJob(
  transport: Transport,
  job: PendingJob,
  article: StoredArticle | undefined,
  silent: boolean,
  hooks: SendHooks,
): Promise<JobAnswer> {
  switch (job.kind) {
    case 'post':
      return transport.send({ ...job, silent }, article!, hooks);
    case 'digest':
      return transport.sendText!({ ...job, silent }, job.text, hooks);
    case 'edit':
      return transport.posts!.edit({ ...job, messageId: job.messageId! }, article!, hooks);
    case 'delete':
      return transport.posts!.remove({ ...job, messageId: job.messageId! }, article!, hooks);
  }
}

export interface SendHooks {
  /**
   * Records the delivery as `sending` and resolves, once that is committed, with whether it may go: false when it
   * was finished elsewhere meanwhile (a stopped broadcast). Idempotent: a second request for the same delivery (a
   * plain-text fallback, a retry after 429) gets true again.
   */
  sending(): Promise<boolean>;
}
