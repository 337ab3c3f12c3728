export type ChatKind = 'channel' | 'group' | 'private';

/** A chat that receives news: a channel, a group or a person, on one platform (named by its bots/ folder). */
export interface Subscription {
  id: number;
  platform: string;
  chatId: string;
  threadId?: number;
  kind: ChatKind;
  title?: string;
  topics: string[];
  language?: string;
  active: boolean;
  deactivatedReason?: string;
  deactivatedAt?: Date;
  activeSince: Date;
  createdBy?: string;
  createdAt: Date;
}

export interface SubscribeInput {
  platform: string;
  chatId: string;
  kind: ChatKind;
  /** undefined: keep what it was. */
  topics?: string[];
  /** A forum topic; null: the chat's main thread; undefined: keep what it was. */
  threadId?: number | null;
  title?: string;
  language?: string;
  createdBy?: string;
}

/** How and when a subscription receives: at once, or in a digest; and its quiet hours. */
export interface DeliverySettings {
  /** immediate: each article as it comes; hourly / daily: one digest per period. */
  mode: 'immediate' | 'hourly' | 'daily';
  /** Minutes after local midnight of a daily digest. */
  digestAt?: number;
  /** A digest subscription still gets urgent alerts at once. */
  urgentNow: boolean;
  /** IANA zone of digestAt and of the quiet hours. */
  timeZone: string;
  /** Local window [start, end) in minutes after midnight; may cross midnight. */
  quiet?: { start: number; end: number };
  /** Inside the window: sent without a notification, or held until the window ends. */
  quietMode: 'silent' | 'wait';
  /** Urgent alerts ignore the quiet hours. */
  quietUrgent: boolean;
}

export const DEFAULT_DELIVERY: DeliverySettings = {
  mode: 'immediate',
  urgentNow: false,
  timeZone: 'Asia/Damascus',
  quietMode: 'silent',
  quietUrgent: false,
};
