import type { CorrectionOutcome, PendingCorrection } from './correction.js';
import type { MessageTemplate } from './template.js';

/** `held`: waiting for its subscription's digest to close (then it follows the digest message that carries it). */
export type DeliveryState = 'queued' | 'held' | 'sending' | 'sent' | 'failed' | 'skipped' | 'in_doubt';

/** What the worker needs to send one delivery: the row and where it goes. */
export interface PendingDelivery {
  id: number;
  articleId: number;
  subscriptionId: number;
  platform: string;
  attempts: number;
  priority: number;
  broadcastId?: number;
  chatId: string;
  threadId?: number;
  chatKind: string;
  subscriptionActive: boolean;
  /** The chat's own template ({}: the environment's defaults). */
  template: MessageTemplate;
  /** Part of a broadcast an editor marked paid: the platform may send it above its free rate. */
  paid: boolean;
  /** The subscription's quiet hours, when it has them. */
  quiet?: QuietSetting;
  /** Set by the worker: the platform should deliver it without a notification (quiet hours). */
  silent?: boolean;
}

/** A subscription's quiet hours as the worker applies them. */
export interface QuietSetting {
  /** Local window [start, end) in minutes after midnight, in timeZone. */
  start: number;
  end: number;
  timeZone: string;
  mode: 'silent' | 'wait';
  /** Urgent deliveries (priority > 0) ignore the window. */
  urgentOverrides: boolean;
}

/**
 * What a job of the outbox does: send an article (`post`), send a digest message (`digest`), edit or delete a post
 * already sent (`edit`, `delete`: corrections and retractions).
 */
export type JobKind = 'post' | 'digest' | 'edit' | 'delete';
export const POSTS: readonly JobKind[] = ['post'];
export const CORRECTIONS: readonly JobKind[] = ['edit', 'delete'];

/** One job of the outbox, as editors, statistics and tests read it back. */
export interface JobRecord {
  id: number;
  kind: JobKind;
  platform: string;
  subscriptionId: number;
  state: DeliveryState;
  attempts: number;
  /** The article a post, edit or delete carries (and the revision an edit or delete was queued for). */
  articleId?: number;
  revision?: number;
  /** A digest message: its digest, its place and its text. */
  digestId?: number;
  part?: number;
  parts?: number;
  text?: string;
  broadcastId?: number;
  /** An edit or delete: the post it changes. A post folded in a digest: the digest message that carries it. */
  waitsFor?: number;
  carriedBy?: number;
  /** Failed for a temporary reason (it gave up after its retries): an editor may send it again. */
  retryable: boolean;
  /** What an edit or delete did, and the platform's answer worth keeping (a reply's message id, why a notice). */
  outcome?: CorrectionOutcome;
  answer?: string;
  lastError?: string;
  messageId?: string;
  queuedAt: Date;
  sendingAt?: Date;
  finishedAt?: Date;
}

/** What the worker sends next: the job with where it goes and what its kind needs. */
export type PendingJob =
  | (PendingDelivery & { kind: 'post' })
  | (PendingDigestPart & { kind: 'digest' })
  | PendingCorrection;

/** The platform's answer to a job: the message id of what it sent, what an edit or delete did. */
export interface JobAnswer {
  messageId?: string;
  outcome?: CorrectionOutcome;
  answer?: string;
}

/**
 * What happens to deliveries found in `sending` after a crash: the request may or may not have reached the platform.
 * `hold` (default) marks them in_doubt and never resends (a missing alert is reported, a duplicate cannot be undone);
 * `resend` queues them again (at-least-once).
 */
export type InDoubtPolicy = 'hold' | 'resend';

/** A platform's connection as `nashra run` last recorded it. */
export interface PlatformState {
  platform: string;
  ready: boolean;
  /** Why it cannot send, in a few words ("WhatsApp is not logged in"). */
  reason?: string;
  updatedAt: Date;
}

/** Where a message goes, and how (quiet hours: without a notification). */
export interface ChatTarget {
  chatId: string;
  threadId?: number;
  chatKind: string;
  silent?: boolean;
}

/** One message of a digest, ready to send: its text is already marked up for the platform. */
export interface PendingDigestPart extends ChatTarget {
  id: number;
  digestId: number;
  part: number;
  parts: number;
  text: string;
  subscriptionId: number;
  platform: string;
  attempts: number;
  subscriptionActive: boolean;
  quiet?: QuietSetting;
}
