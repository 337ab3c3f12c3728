import type { MessageTemplate } from './template.js';

export type DeliveryState = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped' | 'in_doubt';

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
  digest: boolean;
  /** The chat's own template ({}: the environment's defaults). */
  template: MessageTemplate;
  /** Part of a broadcast an editor marked paid: the platform may send it above its free rate. */
  paid: boolean;
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
