export type BroadcastState = 'preview' | 'queued' | 'cancelled' | 'stopped' | 'done';

export interface Broadcast {
  id: number;
  articleId: number;
  platform: string;
  editorId: string;
  token: string;
  state: BroadcastState;
  urgent: boolean;
  audience: Audience;
  progressChat?: string;
  progressMessage?: string;
  createdAt: Date;
  /** Sent above the platform's free rate where it offers that for a fee (an editor's choice at preview). */
  paid: boolean;
  /** Scheduled: its posts are queued not before this time (undefined: sent at once). */
  sendAt?: Date;
}

/** A broadcast waiting for its time, as the editors' list shows it: its article's title and how many posts wait. */
export interface ScheduledBroadcast {
  broadcast: Broadcast & { sendAt: Date };
  title: string;
  posts: number;
}

/**
 * Who a broadcast goes to: every active subscription whose topics match (the default), all active subscriptions,
 * all of one platform, or chosen subscriptions. Chosen at preview, stored, and used unchanged at confirmation.
 */
export type Audience =
  | { kind: 'matching' }
  | { kind: 'all' }
  | { kind: 'platform'; platform: string }
  | { kind: 'chats'; subscriptionIds: number[] };

/** The part of an audience SQL selects alone (the rest is matched on topics in the newsroom). */
export interface AudienceQuery {
  /** Subscriptions with a topic filter too (an urgent alert, "all"); default: only those without one. */
  everyTopic?: boolean;
  platform?: string;
  /** Only subscriptions active since before this time (routing a new article never sends a backlog). */
  activeBefore?: number;
  /** The article's source: a subscription with a filter for it is matched in the newsroom. */
  sourceId?: number;
}
