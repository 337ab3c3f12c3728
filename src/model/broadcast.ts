export type BroadcastState = 'preview' | 'queued' | 'cancelled' | 'stopped' | 'done';

export interface Broadcast {
  id: number; articleId: number; platform: string; editorId: string; token: string; state: BroadcastState;
  urgent: boolean; audience: Audience; progressChat?: string; progressMessage?: string; createdAt: Date;
  /** Sent above the platform's free rate where it offers that for a fee (an editor's choice at preview). */
  paid: boolean;
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
