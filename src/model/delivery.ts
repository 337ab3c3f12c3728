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

/** One row of the outbox, as editors and statistics see it. */
export interface DeliveryRecord {
  id: number; articleId: number; subscriptionId: number; platform: string; state: DeliveryState; attempts: number;
  lastError?: string; messageId?: string; broadcastId?: number; queuedAt: Date; sendingAt?: Date; finishedAt?: Date;
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

export type DigestPartState = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped' | 'in_doubt';

/** A digest message as tests and editors read it back. */
export interface DigestPartRecord {
  id: number; digestId: number; subscriptionId: number; periodEnd: Date; part: number; parts: number; text: string;
  state: DigestPartState; attempts: number; messageId?: string; lastError?: string; items: number;
}
