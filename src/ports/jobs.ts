import type { InDoubtPolicy, JobAnswer, PendingJob } from '../model/delivery.js';

/**
 * A database several runs share (src/app/senders.ts): the sender's lease as this run took it (its row's name, and the
 * holder this take wrote there). A write given a fence changes the job only while that row still names this take,
 * checked in the same transaction: once another run took the sender over (and recovered what was left `sending`),
 * the old holder's marks and failures change nothing, whenever they land (a process thawed after a SIGSTOP).
 */
export interface SendFence {
  lease: string;
  holder: string;
}

/**
 * What the delivery worker (src/delivery/worker.ts) needs of the outbox: the jobs ready to go, their state machine
 * (`queued` → `sending` → `sent`, or retried, postponed, failed, skipped), the recovery of what a stop left on the
 * wire, and the article stamp that tells it when its cached copy of an article is stale. Every kind of job (post,
 * digest message, edit, delete) goes through the same methods. A job's state and that of the posts a digest message
 * carries change together (in the method's own transaction, or in the unit it is called in).
 */
export interface JobRepository {
  /**
   * Jobs ready to go on a platform, in the queue's order: edits and deletes, then digest messages (only where the
   * platform sends texts), then posts, most urgent first, then oldest (or newest article) first; up to `limit` of each.
   */
  next(
    platform: string,
    limit: number,
    order: 'oldest' | 'newest',
    now: number,
    opts: { texts: boolean },
  ): Promise<PendingJob[]>;
  /**
   * Any job queued on the platform that it can send, including one whose retry, quiet hours or scheduled time are
   * later (up to `dueBy` when given).
   */
  hasQueued(platform: string, opts: { texts: boolean; corrections: boolean; dueBy?: number }): Promise<boolean>;
  /** A platform that cannot edit or delete its posts: its queued edits and deletes fail with the reason; how many. */
  failCorrectionsOn(platform: string, reason: string, now: number): Promise<number>;
  /**
   * Must be committed before the request leaves. False when the job is no longer queued (finished elsewhere), or
   * the fence no longer holds.
   */
  markSending(id: number, now: number, fence?: SendFence): Promise<boolean>;
  /** The platform's answer: a message id, or what an edit or delete did. Only a job `sending` takes it. */
  markSent(id: number, answer: JobAnswer, now: number): Promise<void>;
  /** Queued again, not before `notBefore` (a temporary failure, a migrated chat). */
  retryLater(id: number, error: string, notBefore: number, fence?: SendFence): Promise<void>;
  /** Looked at again at `notBefore` (quiet hours; an edit whose post is still on the wire, with why): no attempt counted. */
  postpone(id: number, notBefore: number, note?: string, fence?: SendFence): Promise<void>;
  /** `retryable`: an editor may send it again (a temporary failure that outlasted its retries). */
  markFailed(id: number, error: string, opts: { retryable?: boolean }, now: number, fence?: SendFence): Promise<void>;
  markSkipped(id: number, reason: string, now: number, fence?: SendFence): Promise<void>;
  /**
   * Before any sending: the jobs a stop left `sending` are in doubt (`hold`) or queued again (`resend`); only the
   * platform's when one is named (a run taking over a sender another run held, on a database several runs share:
   * the other platforms' jobs `sending` are other live runs' requests on the wire). How many.
   */
  recoverInterrupted(policy: InDoubtPolicy, now: number, platform?: string): Promise<number>;
  /** Changes whenever the article is edited, revised or retracted; undefined when it no longer exists. */
  articleStamp(articleId: number): Promise<string | undefined>;
}
