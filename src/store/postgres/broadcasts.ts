/**
 * The broadcasts port on PostgreSQL: the statements of src/store/broadcasts.ts and the jobs statements it uses
 * (src/store/jobs.ts: rescheduleBroadcast, unscheduleBroadcast, stopBroadcast, broadcastProgress), with the row mapper.
 */
import { randomBytes } from 'node:crypto';
import type { Broadcast } from '../../model/broadcast.js';
import type { DeliveryState } from '../../model/delivery.js';
import type { BroadcastRepository } from '../../ports/broadcasts.js';
import { broadcastFromRow } from '../broadcasts.js';
import { statement, type Sql } from './sql.js';

// The rows each SQLite mapper reads (the store exports mappers, not row types).
type BroadcastRow = Parameters<typeof broadcastFromRow>[0];

/** A scheduled broadcast whose time has not come (b: the broadcasts row). */
const WAITING = `b.send_at IS NOT NULL AND b.state = 'queued' AND b.send_at > @now`;

const INSERT =
  statement(`INSERT INTO broadcasts (article_id, platform, editor_id, token, urgent, audience, created_at, paid)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`);
const PAID = statement(`UPDATE broadcasts SET paid = ? WHERE id = ? AND state = 'preview'`);
const BY_ID = statement('SELECT * FROM broadcasts WHERE id = ?');
const TRANSITION = statement('UPDATE broadcasts SET state = ?, decided_at = ? WHERE id = ? AND state = ?');
const PROGRESS_MESSAGE = statement('UPDATE broadcasts SET progress_chat = ?, progress_message = ? WHERE id = ?');
const SEND_AT = statement(`UPDATE broadcasts SET send_at = ? WHERE id = ? AND state = 'queued'`);
const SCHEDULED = statement(`SELECT b.*, a.title AS title,
    (SELECT COUNT(*) FROM jobs j WHERE j.broadcast_id = b.id AND j.state IN ('queued', 'held')) AS posts
  FROM broadcasts b JOIN articles a ON a.id = b.article_id WHERE ${WAITING} ORDER BY b.send_at, b.id`);
// Before its time a scheduled broadcast can be moved or cancelled, from it on neither (the `send_at > @now` term is
// the compare-and-set against the outbox taking its posts).
const RESCHEDULE = statement(`UPDATE broadcasts AS b SET send_at = @at WHERE b.id = @id AND ${WAITING}`);
const UNSCHEDULE = statement(
  `UPDATE broadcasts AS b SET state = 'cancelled', decided_at = @now WHERE b.id = @id AND ${WAITING}`,
);
const UNSCHEDULE_ARTICLE = statement(`UPDATE broadcasts AS b SET state = 'cancelled', decided_at = @now
  WHERE b.article_id = @articleId AND ${WAITING}`);
// Its posts, in the jobs table.
const STOP_POSTS = statement(`UPDATE jobs SET state = 'skipped', last_error = 'stopped by an editor', finished_at = ?
  WHERE broadcast_id = ? AND state = 'queued'`);
const RESCHEDULE_POSTS = statement(
  `UPDATE jobs SET not_before = @at, queued_at = @at WHERE broadcast_id = @id AND state IN ('queued', 'held')`,
);
const UNSCHEDULE_POSTS = statement(`UPDATE jobs SET state = 'skipped', last_error = ?, finished_at = ?
  WHERE broadcast_id = ? AND state IN ('queued', 'held')`);
const POSTS_BY_STATE = statement('SELECT state, COUNT(*) AS n FROM jobs WHERE broadcast_id = ? GROUP BY state');

export function broadcastRepository(sql: Sql): BroadcastRepository {
  return {
    create: async (b, now) => {
      const token = randomBytes(8).toString('hex');
      const { rows } = await sql.run<BroadcastRow>(INSERT, [
        b.articleId,
        b.platform,
        b.editorId,
        token,
        b.urgent ? 1 : 0,
        JSON.stringify(b.audience),
        now,
        b.paid ? 1 : 0,
      ]);
      return broadcastFromRow(rows[0]!);
    },
    get: async (id) => {
      const row = await sql.get<BroadcastRow>(BY_ID, [id]);
      return row && broadcastFromRow(row);
    },
    setPaid: async (id, paid) => (await sql.run(PAID, [paid ? 1 : 0, id])).changes > 0,
    transition: async (id, from, to, now) => (await sql.run(TRANSITION, [to, now, id, from])).changes > 0,
    setProgressMessage: async (id, chatId, messageId) => {
      await sql.run(PROGRESS_MESSAGE, [chatId, messageId, id]);
    },
    stop: async (id, now) => (await sql.run(STOP_POSTS, [now, id])).changes,
    progress: async (id) => {
      const progress: Record<DeliveryState, number> = {
        queued: 0,
        held: 0,
        sending: 0,
        sent: 0,
        failed: 0,
        skipped: 0,
        in_doubt: 0,
      };
      for (const r of await sql.all<{ state: DeliveryState; n: number }>(POSTS_BY_STATE, [id])) progress[r.state] = r.n;
      return progress;
    },
    setSendAt: async (id, at) => {
      await sql.run(SEND_AT, [at, id]);
    },
    scheduled: async (now) =>
      (await sql.all<BroadcastRow & { title: string; posts: number }>(SCHEDULED, { now })).map((r) => ({
        broadcast: broadcastFromRow(r) as Broadcast & { sendAt: Date },
        title: r.title,
        posts: r.posts,
      })),
    // The compare-and-set on the broadcast, then its posts, in one transaction (SQLite's one gate).
    reschedule: (id, at, now) =>
      sql.atomic(async (s) => {
        if ((await s.run(RESCHEDULE, { id, at, now })).changes === 0) return { moved: false, posts: 0 };
        return { moved: true, posts: (await s.run(RESCHEDULE_POSTS, { at, id })).changes };
      }),
    unschedule: (id, reason, now) =>
      sql.atomic(async (s) => {
        if ((await s.run(UNSCHEDULE, { id, now })).changes === 0) return { cancelled: false, skipped: 0 };
        return { cancelled: true, skipped: (await s.run(UNSCHEDULE_POSTS, [reason, now, id])).changes };
      }),
    unscheduleArticle: async (articleId, now) => (await sql.run(UNSCHEDULE_ARTICLE, { articleId, now })).changes,
  };
}
