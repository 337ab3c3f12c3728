import type { Audience, Broadcast, BroadcastState } from '../model/broadcast.js';
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
}
