import type { Broadcast, ScheduledBroadcast } from '../model/broadcast.js';
import { localDateTime, MAX_SCHEDULE_AHEAD_MS, parseSendTime } from '../text/schedule.js';
import { recordAudit, requireEditor, type Actor } from './actor.js';
import { queueAudience } from './audience.js';
import { RefusedError } from '../refusal.js';
import { URGENT_PRIORITY } from './broadcasts.js';
import type { NewsroomDeps } from './deps.js';

/**
 * Scheduled sends: a broadcast (or an urgent alert) confirmed for a later time. Its posts are queued at once, in the
 * confirmation's unit, with that time as their not_before, so the outbox sends them when it comes, exactly once and
 * across restarts, like any post: a chat's quiet hours and digest meet them at that time as they meet an immediate
 * broadcast (an editor's time is when the broadcast starts, not a way around what a chat chose). The audience is the
 * one counted at confirmation. Before its time a scheduled broadcast can be moved or cancelled; from its time on it
 * is going out, and both are refused (what went stays sent). A retraction of its article cancels it.
 */

/**
 * A time an editor gave that cannot be taken, with why (`malformed`, `past`, `too-far`), so each front door says it in
 * its own words.
 */
export class SendTimeError extends RefusedError {
  override name = 'SendTimeError';
  constructor(
    readonly reason: 'malformed' | 'past' | 'too-far',
    readonly text: string,
    readonly timeZone: string,
    now: number,
  ) {
    super({
      kind: 'send-time',
      reason,
      text,
      timeZone,
      now: localDateTime(now, timeZone),
      latest: localDateTime(now + MAX_SCHEDULE_AHEAD_MS, timeZone),
      days: MAX_SCHEDULE_AHEAD_MS / 86_400_000,
    });
  }
}

/**
 * An editor's words for a time, read in the newsroom's zone (NASHRA_TIME_ZONE): `18:00` (the next 18:00) or
 * `2026-12-08 18:00`. A SendTimeError says what was wrong.
 */
export function sendTimeOf(deps: Pick<NewsroomDeps, 'config'>, text: string, now = Date.now()): number {
  const r = parseSendTime(text, deps.config.timeZone, now);
  if (r.ok) return r.at;
  throw new SendTimeError(r.reason, text, deps.config.timeZone, now);
}

export type ScheduleResult =
  | { kind: 'scheduled'; broadcast: Broadcast & { sendAt: Date }; queued: number }
  /** Decided before (sent, cancelled, scheduled) by this press or another: nothing happens. */
  | { kind: 'already-decided'; broadcast?: Broadcast };

/**
 * A broadcast in preview confirmed for `at` (an editor's words, see sendTimeOf): preview → queued with its time, and
 * its posts queued with that not_before, in one unit (as confirmBroadcast). `token` as in confirmBroadcast.
 */
export async function scheduleBroadcast(
  deps: NewsroomDeps,
  actor: Actor,
  id: number,
  token: string,
  at: string,
  now = Date.now(),
): Promise<ScheduleResult> {
  await requireEditor(deps, actor, 'schedule');
  const sendAt = sendTimeOf(deps, at, now);
  const result = await deps.data.uow.run(async (tx): Promise<ScheduleResult> => {
    const b = await tx.broadcasts.get(id);
    if (!b || b.token !== token || !(await tx.broadcasts.transition(id, 'preview', 'queued', now)))
      return { kind: 'already-decided', broadcast: b };
    await tx.broadcasts.setSendAt(id, sendAt);
    // An urgent alert is published when it goes: until then no reader sees it in /latest or /search.
    if (b.urgent) await tx.articleWrites.publishUrgentAt(b.articleId, sendAt);
    const article = await tx.articles.get(b.articleId);
    const queued = article
      ? await queueAudience(tx, article, b.audience, {
          broadcastId: id,
          priority: b.urgent ? URGENT_PRIORITY : 0,
          now,
          notBefore: sendAt,
        })
      : 0;
    await recordAudit(
      tx,
      actor,
      'broadcast.schedule',
      { broadcast: id, article: b.articleId, queued, at: new Date(sendAt).toISOString() },
      now,
    );
    return { kind: 'scheduled', broadcast: (await tx.broadcasts.get(id)) as Broadcast & { sendAt: Date }, queued };
  });
  if (result.kind === 'scheduled') {
    deps.logger.info('broadcast scheduled', {
      broadcast: id,
      article: result.broadcast.articleId,
      queued: result.queued,
      at: result.broadcast.sendAt.toISOString(),
      editor: `${actor.platform}:${actor.id}`,
    });
  }
  return result;
}

/** What is scheduled and has not gone yet, soonest first. Editors only. */
export async function listScheduled(deps: NewsroomDeps, actor: Actor, now = Date.now()): Promise<ScheduledBroadcast[]> {
  await requireEditor(deps, actor, 'scheduled list');
  return deps.data.repos.broadcasts.scheduled(now);
}

/**
 * Why a scheduled broadcast could not be moved or cancelled: `not-scheduled` (no broadcast of that id was ever
 * scheduled: an article's id, an immediate broadcast), `started` (its time came: it is going out or went),
 * `cancelled` (cancelled, stopped, or its article retracted).
 */
export type ScheduleRefusal = 'not-scheduled' | 'started' | 'cancelled';

export type RescheduleResult =
  | { kind: 'moved'; broadcast: Broadcast & { sendAt: Date }; from: Date; posts: number }
  | { kind: ScheduleRefusal; broadcast?: Broadcast };

export type UnscheduleResult =
  | { kind: 'cancelled-now'; broadcast: Broadcast; skipped: number }
  | { kind: ScheduleRefusal; broadcast?: Broadcast };

/** `token`: the list's buttons carry it (a forged id alone does nothing); the CLI and the desk name the id alone. */
const refusalOf = (
  b: Broadcast | undefined,
  token: string | undefined,
): { kind: ScheduleRefusal; broadcast?: Broadcast } => {
  if (!b || b.sendAt === undefined || (token !== undefined && b.token !== token)) return { kind: 'not-scheduled' };
  return { kind: b.state === 'queued' || b.state === 'done' ? 'started' : 'cancelled', broadcast: b };
};

/** A scheduled broadcast to another time (its words as sendTimeOf reads them), before its time. */
export async function rescheduleBroadcast(
  deps: NewsroomDeps,
  actor: Actor,
  id: number,
  at: string,
  opts: { token?: string; now?: number } = {},
): Promise<RescheduleResult> {
  await requireEditor(deps, actor, 'schedule');
  const now = opts.now ?? Date.now();
  const sendAt = sendTimeOf(deps, at, now);
  return deps.data.uow.run(async (tx): Promise<RescheduleResult> => {
    const b = await tx.broadcasts.get(id);
    if (!b || b.sendAt === undefined || (opts.token !== undefined && b.token !== opts.token))
      return refusalOf(b, opts.token);
    const { moved, posts } = await tx.broadcasts.reschedule(id, sendAt, now);
    if (!moved) return refusalOf(b, opts.token);
    if (b.urgent) await tx.articleWrites.publishUrgentAt(b.articleId, sendAt);
    await recordAudit(
      tx,
      actor,
      'broadcast.reschedule',
      { broadcast: id, article: b.articleId, from: b.sendAt.toISOString(), at: new Date(sendAt).toISOString(), posts },
      now,
    );
    return {
      kind: 'moved',
      broadcast: (await tx.broadcasts.get(id)) as Broadcast & { sendAt: Date },
      from: b.sendAt,
      posts,
    };
  });
}

/** A scheduled broadcast cancelled before its time: its posts are skipped, nothing goes. */
export async function unscheduleBroadcast(
  deps: NewsroomDeps,
  actor: Actor,
  id: number,
  opts: { token?: string; now?: number } = {},
): Promise<UnscheduleResult> {
  await requireEditor(deps, actor, 'schedule');
  const now = opts.now ?? Date.now();
  return deps.data.uow.run(async (tx): Promise<UnscheduleResult> => {
    const b = await tx.broadcasts.get(id);
    if (!b || b.sendAt === undefined || (opts.token !== undefined && b.token !== opts.token))
      return refusalOf(b, opts.token);
    const { cancelled, skipped } = await tx.broadcasts.unschedule(id, 'the scheduled broadcast was cancelled', now);
    if (!cancelled) return refusalOf(b, opts.token);
    await recordAudit(
      tx,
      actor,
      'broadcast.unschedule',
      { broadcast: id, article: b.articleId, at: b.sendAt.toISOString(), skipped },
      now,
    );
    return { kind: 'cancelled-now', broadcast: (await tx.broadcasts.get(id))!, skipped };
  });
}
