/**
 * The outbox's writes on PostgreSQL: the worker's port (`jobs`: its look at the queue and the state machine) and the
 * digests' port, with the statements of src/store/jobs.ts and its row mappers. What SQLite's table does in one
 * `atomic()` block (a digest message and the posts it carries) is one `sql.atomic` here.
 *
 * Parameters in a SELECT list, a CASE or an `IS NULL` test carry a cast: PostgreSQL gives a parameter one type from
 * where it first meets it, and there it would be text (then refused for a BIGINT column) or not known at all.
 */
import type { DigestRepository, JobRepository, SendFence } from '../../ports/index.js';
import type { JobAnswer } from '../../model/delivery.js';
import { digestSubscriptionFromRow } from '../delivery-settings.js';
import { nextJobsText, pendingJobFromRow } from '../jobs.js';
import { statement, type Sql } from './sql.js';

/** The rows the SQLite tables' mappers read (the store exports mappers, not row types). */
type PendingRow = Parameters<typeof pendingJobFromRow>[0];
type DigestSubscriptionRow = Parameters<typeof digestSubscriptionFromRow>[0];

/** An edit's or a delete's row (the partial index jobs_article_corrections, as in src/store/jobs.ts). */
export const CORRECTION_ROWS = `kind IN ('edit', 'delete')`;

/** The worker's look (JobsTable.next), in one order of the lanes' rows (src/store/jobs.ts nextJobsText). */
const nextStatement = (...columns: string[]) => statement(nextJobsText('postgres', ...columns));
const NEXT_OLDEST = nextStatement('digest_id', 'part', 'id');
const NEXT_NEWEST = nextStatement('article_id DESC', 'digest_id', 'part', 'id');
const QUEUED =
  statement(`SELECT 1 AS one FROM jobs WHERE platform = @platform AND state = 'queued' AND (@texts::bigint = 1 OR kind <> 'digest')
  AND (@corrections::bigint = 1 OR kind NOT IN ('edit', 'delete')) AND (@dueBy::bigint IS NULL OR not_before <= @dueBy::bigint) LIMIT 1`);
// The state machine, once for every kind; only a job that is due leaves. The posts a digest message carries follow
// its `sending` and `sent` marks in the same statement (a data-modifying WITH): one round trip per mark, not two (786
// of the 7,413 statements of two scenarios of tests/e2e/digests-property.test.ts on PostgreSQL).
const SENDING_WHERE = `UPDATE jobs SET state = 'sending', sending_at = @now, attempts = attempts + 1
  WHERE id = @id AND state = 'queued' AND not_before <= @now`;
/** A mark and its members' (jobs_carried), answering how many jobs it marked (0 or 1). */
const withMembersSending = (mark: string) =>
  statement(`WITH marked AS (${mark} RETURNING id), members AS (UPDATE jobs SET state = 'sending', sending_at = @now,
  attempts = attempts + 1 WHERE carried_by IN (SELECT id FROM marked) AND state = 'held')
  SELECT COUNT(*) AS marked FROM marked`);
const SENDING = withMembersSending(SENDING_WHERE);
// Fenced (a SendFence: several runs share the database): only while the sender's lease names this run's take, in
// the same statement, so no round trip is added per job. Every write takes the write lock first
// (src/store/postgres/ports.ts), the takeover's upsert of the lease included: a mark is committed either before
// another run took the sender (then its recovery finds the job `sending`: in doubt, on the wire at most once) or
// not at all.
const SENDING_FENCED = withMembersSending(
  `${SENDING_WHERE} AND EXISTS (SELECT 1 FROM leases WHERE name = @lease AND holder = @holder)`,
);
const HOLDS = statement('SELECT 1 AS one FROM leases WHERE name = ? AND holder = ?');
const SENT =
  statement(`WITH sent AS (UPDATE jobs SET state = 'sent', message_id = @messageId, outcome = @outcome, answer = @answer,
    finished_at = @now, last_error = NULL WHERE id = @id AND state = 'sending' RETURNING id)
  UPDATE jobs SET state = 'sent', message_id = @messageId, finished_at = @now, last_error = NULL
  WHERE carried_by IN (SELECT id FROM sent) AND state IN ('sending', 'in_doubt')`);
// A job can fail before its request left (still `queued`): it counts as an attempt all the same.
const RETRY =
  statement(`UPDATE jobs SET state = 'queued', not_before = @at, last_error = @error, attempts = attempts + (state = 'queued')::int
  WHERE id = @id AND state IN ('queued', 'sending')`);
const POSTPONE = statement(
  `UPDATE jobs SET not_before = @at, last_error = COALESCE(@note::text, last_error) WHERE id = @id AND state = 'queued'`,
);
const FINISH =
  statement(`UPDATE jobs SET state = @state, last_error = @error, finished_at = @now, retryable = @retryable
  WHERE id = @id AND state IN ('queued', 'sending')`);
// The posts a digest message carries follow it (through jobs_carried).
export const MEMBERS_SENT =
  statement(`UPDATE jobs SET state = 'sent', message_id = @messageId::text, finished_at = @now, last_error = @note::text
  WHERE carried_by = @id AND state IN ('sending', 'in_doubt')`);
export const MEMBERS_HELD = statement(
  `UPDATE jobs SET state = 'held', last_error = @error WHERE carried_by = @id AND state IN ('sending', 'in_doubt')`,
);
const MEMBERS_FINISH = statement(`UPDATE jobs SET state = @state, last_error = @error, finished_at = @now
  WHERE carried_by = @id AND state IN ('held', 'sending')`);
const QUEUED_CORRECTION = statement(
  `SELECT 1 AS one FROM jobs WHERE platform = ? AND lane = 0 AND state = 'queued' LIMIT 1`,
);
const FAIL_CORRECTIONS = statement(`UPDATE jobs SET state = 'failed', last_error = ?, finished_at = ?
  WHERE platform = ? AND lane = 0 AND state = 'queued'`);
// Crash recovery: a digest's posts go back to waiting for their message, not out one by one.
// A platform named: its jobs only (a digest's posts are on its message's platform).
const HOLD = statement(`UPDATE jobs SET state = 'in_doubt', last_error = @note, finished_at = @now
  WHERE state = 'sending' AND (@platform::text IS NULL OR platform = @platform::text)`);
const RESEND =
  statement(`UPDATE jobs SET last_error = @note, state = CASE WHEN carried_by IS NULL THEN 'queued' ELSE 'held' END
  WHERE state = 'sending' AND (@platform::text IS NULL OR platform = @platform::text)`);
// Changes whenever what the article's posts show changes (src/store/articles.ts stamp): the same text as SQLite's.
const STAMP =
  statement(`SELECT revision::text || ':' || COALESCE(edited_at, 0)::text || ':' || (retracted_at IS NOT NULL)::int::text AS stamp
  FROM articles WHERE id = ?`);

// Digests in (src/store/jobs.ts, src/store/digests.ts, src/store/delivery-settings.ts).
const DIGEST_SUBSCRIPTIONS =
  statement(`SELECT ds.*, s.platform, (SELECT MAX(period_end) FROM digests g WHERE g.subscription_id = s.id) AS last_end
  FROM delivery_settings ds JOIN subscriptions s ON s.id = ds.subscription_id
  WHERE s.active = 1 AND ds.mode <> 'immediate' ORDER BY s.id`);
const HELD = statement(`SELECT id, article_id FROM jobs
  WHERE subscription_id = @id AND state = 'held' AND queued_at <= @until AND not_before <= @until AND carried_by IS NULL ORDER BY id`);
const OPEN = statement(`INSERT INTO digests (subscription_id, period_end, items, created_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (subscription_id, period_end) DO NOTHING RETURNING id`);
const ADD_PART = statement(`INSERT INTO jobs (kind, platform, subscription_id, digest_id, part, parts, text, queued_at)
  SELECT 'digest', s.platform, g.subscription_id, g.id, @part::bigint, @parts::bigint, @text::text, @now::bigint
  FROM digests g JOIN subscriptions s ON s.id = g.subscription_id WHERE g.id = @digestId RETURNING id`);
const CARRY = statement(`UPDATE jobs SET carried_by = @job WHERE id = ANY(@posts::bigint[]) AND kind = 'post'`);
const UNCARRY = statement(`UPDATE jobs SET carried_by = NULL WHERE carried_by IN
  (SELECT id FROM jobs WHERE digest_id = ? AND kind = 'digest' AND state = 'queued')`);
const STALE = statement(`SELECT 1 AS one FROM jobs WHERE carried_by = ? AND state <> 'held' LIMIT 1`);
const QUEUED_PARTS = statement(
  `SELECT id FROM jobs WHERE digest_id = ? AND kind = 'digest' AND state = 'queued' ORDER BY part`,
);
const HELD_CARRIED = statement(`SELECT d.id, d.article_id FROM jobs p JOIN jobs d ON d.carried_by = p.id
  WHERE p.digest_id = ? AND p.kind = 'digest' AND p.state = 'queued' AND d.state = 'held' ORDER BY d.id`);
const REWRITE = statement(`UPDATE jobs SET text = @text, parts = @parts WHERE id = @id AND state = 'queued'`);
const LAST_PART = statement(`SELECT MAX(part) AS last FROM jobs WHERE digest_id = ? AND kind = 'digest'`);
// Every job of the article that has not left (a retraction): posts and edits apart, each through its own index.
const CANCEL_POSTS = statement(`UPDATE jobs SET state = 'skipped', last_error = ?, finished_at = ?
  WHERE article_id = ? AND kind = 'post' AND state IN ('queued', 'held')`);
const CANCEL_EDITS = statement(`UPDATE jobs SET state = 'skipped', last_error = ?, finished_at = ?
  WHERE article_id = ? AND ${CORRECTION_ROWS} AND kind = 'edit' AND state IN ('queued', 'held')`);

const INTERRUPTED = 'interrupted while sending (process stopped before the platform answered)';

/** No fence, or the sender's lease still names the take that fenced the write (in the caller's transaction). */
const holds = async (s: Sql, fence: SendFence | undefined) =>
  fence === undefined || (await s.get(HOLDS, [fence.lease, fence.holder])) !== undefined;

/** A job failed or skipped, and the posts it carries with it. */
const finish = (
  sql: Sql,
  id: number,
  state: 'failed' | 'skipped',
  error: string,
  now: number,
  retryable: boolean,
  fence?: SendFence,
) =>
  sql.atomic(async (s) => {
    if (!(await holds(s, fence))) return;
    if ((await s.run(FINISH, { id, state, error, now, retryable: retryable ? 1 : 0 })).changes > 0)
      await s.run(MEMBERS_FINISH, { id, state, error, now });
  });

export function jobRepository(sql: Sql): JobRepository {
  return {
    next: async (platform, limit, order, now, opts) =>
      (
        await sql.all<PendingRow>(order === 'newest' ? NEXT_NEWEST : NEXT_OLDEST, {
          platform,
          now,
          limit,
          texts: opts.texts ? 1 : 0,
        })
      ).map(pendingJobFromRow),
    hasQueued: async (platform, opts) =>
      (await sql.get(QUEUED, {
        platform,
        texts: opts.texts ? 1 : 0,
        corrections: opts.corrections ? 1 : 0,
        dueBy: opts.dueBy ?? null,
      })) !== undefined,
    // Asked at every look of a platform that cannot edit: the write outside a unit is a locked transaction of its
    // own (five round trips, 2,045 of two scenarios' 12,362 statements in tests/e2e/digests-property.test.ts), so it
    // is made only when a read (one round trip, no lock) finds a correction queued. One queued just after the read
    // meets what one queued just after the write met: the next look fails it.
    failCorrectionsOn: async (platform, reason, now) =>
      (await sql.get(QUEUED_CORRECTION, [platform])) === undefined
        ? 0
        : (await sql.run(FAIL_CORRECTIONS, [reason, now, platform])).changes,
    markSending: async (id, now, fence) => {
      const { rows } =
        fence === undefined
          ? await sql.run<{ marked: number }>(SENDING, { id, now })
          : await sql.run<{ marked: number }>(SENDING_FENCED, { id, now, lease: fence.lease, holder: fence.holder });
      return rows[0]!.marked > 0;
    },
    markSent: async (id, answer: JobAnswer, now) => {
      const messageId = answer.messageId ?? null;
      await sql.run(SENT, { id, now, messageId, outcome: answer.outcome ?? null, answer: answer.answer ?? null });
    },
    retryLater: (id, error, notBefore, fence) =>
      sql.atomic(async (s) => {
        if (!(await holds(s, fence))) return;
        await s.run(RETRY, { id, error, at: notBefore });
        await s.run(MEMBERS_HELD, { id, error });
      }),
    postpone: (id, notBefore, note, fence) =>
      sql.atomic(async (s) => {
        if (await holds(s, fence)) await s.run(POSTPONE, { id, at: notBefore, note: note ?? null });
      }),
    markFailed: (id, error, opts, now, fence) => finish(sql, id, 'failed', error, now, opts.retryable ?? false, fence),
    markSkipped: (id, reason, now, fence) => finish(sql, id, 'skipped', reason, now, false, fence),
    recoverInterrupted: async (policy, now, platform) =>
      (await sql.run(policy === 'resend' ? RESEND : HOLD, { note: INTERRUPTED, now, platform: platform ?? null }))
        .changes,
    articleStamp: async (articleId) => (await sql.get<{ stamp: string }>(STAMP, [articleId]))?.stamp,
  };
}

/** Every job of the article that has not left is skipped with the reason; how many posts and edits. */
export function cancelWaiting(sql: Sql, articleId: number, reason: string, now: number): Promise<number> {
  return sql.atomic(
    async (s) =>
      (await s.run(CANCEL_POSTS, [reason, now, articleId])).changes +
      (await s.run(CANCEL_EDITS, [reason, now, articleId])).changes,
  );
}

export function digestRepository(sql: Sql): DigestRepository {
  const addPart = async (
    s: Sql,
    digestId: number,
    part: number,
    parts: number,
    text: string,
    postIds: readonly number[],
    now: number,
  ) => {
    const { rows } = await s.run<{ id: number }>(ADD_PART, { digestId, part, parts, text, now });
    const job = rows[0]!.id;
    await s.run(CARRY, { job, posts: postIds });
    return job;
  };
  return {
    subscriptions: async () =>
      (await sql.all<DigestSubscriptionRow>(DIGEST_SUBSCRIPTIONS)).map(digestSubscriptionFromRow),
    heldFor: async (subscriptionId, until) =>
      (await sql.all<{ id: number; article_id: number }>(HELD, { id: subscriptionId, until })).map((r) => ({
        id: r.id,
        articleId: r.article_id,
      })),
    open: async (subscriptionId, periodEnd, items, now) =>
      (await sql.run<{ id: number }>(OPEN, [subscriptionId, periodEnd, items, now])).rows[0]?.id,
    addMessage: (digestId, part, parts, text, postIds, now) =>
      sql.atomic((s) => addPart(s, digestId, part, parts, text, postIds, now)),
    cancelRetracted: (articleId, reason, now) => cancelWaiting(sql, articleId, reason, now),
    isStale: async (digestJobId) => (await sql.get(STALE, [digestJobId])) !== undefined,
    carried: async (digestId) =>
      (await sql.all<{ id: number; article_id: number }>(HELD_CARRIED, [digestId])).map((r) => ({
        id: r.id,
        articleId: r.article_id,
      })),
    // The messages not sent yet take the new ones in order; those left over are skipped, one more added after the last part.
    rewrite: (digestId, messages, reason, now) =>
      sql.atomic(async (s) => {
        const queued = (await s.all<{ id: number }>(QUEUED_PARTS, [digestId])).map((r) => r.id);
        await s.run(UNCARRY, [digestId]);
        for (const [i, id] of queued.entries()) {
          const m = messages[i];
          if (!m) {
            await finish(s, id, 'skipped', reason, now, false);
            continue;
          }
          await s.run(REWRITE, { id, text: m.text, parts: messages.length });
          await s.run(CARRY, { job: id, posts: m.deliveries });
        }
        let part = (await s.get<{ last: number }>(LAST_PART, [digestId]))!.last;
        for (const m of messages.slice(queued.length))
          await addPart(s, digestId, ++part, messages.length, m.text, m.deliveries, now);
      }),
  };
}
