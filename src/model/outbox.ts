import type { DeliveryState, JobKind, QuietSetting } from './delivery.js';
import type { DeliverySettings } from './subscription.js';

/** The outbox as editors read it: counts, an article's deliveries, what waits and why. */

/** Per platform, jobs counted by state. */
export type DeliveryCounts = Record<string, Partial<Record<DeliveryState, number>>>;

/** One post of an article, with its chat (the desk's "where it went"). */
export interface ArticleDelivery {
  id: number;
  platform: string;
  state: DeliveryState;
  chatId: string;
  chatKind: string;
  chatTitle?: string;
  messageId?: string;
  lastError?: string;
  finishedAt?: Date;
  broadcastId?: number;
}

/** A job a crash left in doubt, of any kind; a digest message has no article (nor title). */
export interface InDoubtDelivery {
  id: number;
  kind: JobKind;
  articleId?: number;
  title?: string;
  platform: string;
  chatId: string;
  chatTitle?: string;
  since?: Date;
}

export interface QueueDepth {
  platform: string;
  waiting: number;
  oldestQueuedAt?: Date;
  retriesScheduled: number;
}

/**
 * Posts not gone that may wait for their chat, grouped per subscription and state: held for a digest, or queued for a
 * chat whose quiet hours hold messages. `carried`: held by a digest message that has not gone yet; `scheduled`: how
 * many have a later not_before (postponed, or a retry).
 */
export interface ChatWaitGroup {
  platform: string;
  subscriptionId: number;
  state: 'queued' | 'held';
  urgent: boolean;
  carried: boolean;
  count: number;
  scheduled: number;
  mode: 'immediate' | 'hourly' | 'daily';
  digestAt?: number;
  timeZone: string;
  quiet?: QuietSetting;
}

/** An active digest subscription, with the end of the last period closed for it. */
export interface DigestSubscription {
  subscriptionId: number;
  platform: string;
  settings: DeliverySettings;
  lastPeriodEnd?: number;
}
