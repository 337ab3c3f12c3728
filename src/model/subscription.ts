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
  digest: boolean;
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
  topics?: string[];
  /** A forum topic; null: the chat's main thread; undefined: keep what it was. */
  threadId?: number | null;
  title?: string;
  language?: string;
  /** undefined: keep what it was (also for topics). */
  digest?: boolean;
  createdBy?: string;
}
