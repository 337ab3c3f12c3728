import type { Audience, Broadcast, BroadcastState, ScheduledBroadcast } from '../model/broadcast.js';
import type { DeliveryState } from '../model/delivery.js';

/** What an editor asks for at preview; the adapter gives it its id, its random token and the state `preview`. */
export interface NewBroadcast {
  articleId: number;
  /** The front door and editor who opened it. */
  platform: string;
  editorId: string;
  urgent: boolean;
  audience: Audience;
  paid: boolean;
}

/**
 * An editor's broadcasts, from preview to decision, and the outbox's posts each one queued. The state machine makes
 * a decision happen once: `transition` is a compare-and-set, true only for the one caller that moved it.
 */
export interface BroadcastRepository {
  create(broadcast: NewBroadcast, now: number): Promise<Broadcast>;
  get(id: number): Promise<Broadcast | undefined>;
  /** Paid or free, while it is still in preview; false once it was decided. */
  setPaid(id: number, paid: boolean): Promise<boolean>;
  /** From `from` to `to` if it is in `from` now; false when it was not (decided by someone else meanwhile). */
  transition(id: number, from: BroadcastState, to: BroadcastState, now: number): Promise<boolean>;
  /** Where a front door shows its progress (Telegram: a message in the editor's chat). */
  setProgressMessage(id: number, chatId: string, messageId: string): Promise<void>;
  /** Stopped by an editor: its posts still queued are skipped (what is on its way finishes). How many. */
  stop(id: number, now: number): Promise<number>;
  /** Its posts per state (every state present, 0 when none). */
  progress(id: number): Promise<Record<DeliveryState, number>>;
  /** A broadcast just moved to `queued` goes at `at` (its posts are queued with that not_before). */
  setSendAt(id: number, at: number): Promise<void>;
  /** Scheduled broadcasts whose time has not come, soonest first. */
  scheduled(now: number): Promise<ScheduledBroadcast[]>;
  /**
   * Moved to `at`, with its posts not gone, if its time has not come (a compare-and-set: false once it has, or when it
   * was cancelled or never scheduled); how many posts moved.
   */
  reschedule(id: number, at: number, now: number): Promise<{ moved: boolean; posts: number }>;
  /** Cancelled, its posts (queued or held) skipped with the reason, if its time has not come (as reschedule). */
  unschedule(id: number, reason: string, now: number): Promise<{ cancelled: boolean; skipped: number }>;
  /** The article's scheduled broadcasts whose time has not come are cancelled (its posts are the retraction's); how many. */
  unscheduleArticle(articleId: number, now: number): Promise<number>;
}
