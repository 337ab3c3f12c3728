import { nextPeriodEnd, quietUntil, type DigestSchedule } from '../text/schedule.js';
import type { ChatWaitGroup } from '../model/outbox.js';
import type { Repositories } from '../ports/index.js';

/**
 * What waits for its chat rather than for the platform: a delivery held for the chat's digest, or queued for a chat
 * whose quiet hours hold messages until they end. Nothing can make it go sooner, so a broadcast is finished for the
 * editor without it, and the queue's figures show it apart from what is being sent or retried, with its time.
 */
export interface ChatWaits {
  /** Deliveries waiting for their chats. */
  count: number;
  /** Of them, queued ones (the rest are held for a digest). */
  queued: number;
  /** Of the queued ones, those with a later not_before (the worker postponed them to the end of the quiet hours). */
  postponed: number;
  /** When the last of them goes: the latest end of quiet hours or digest time. */
  until: Date;
}

/** Per platform, what waits for its chat now (all deliveries, or one broadcast's). */
export async function chatWaits(
  repos: Pick<Repositories, 'outbox'>,
  now: number,
  broadcastId?: number,
): Promise<Map<string, ChatWaits>> {
  return waitsByPlatform(await repos.outbox.chatWaitGroups(now, broadcastId), now);
}

/** The same from the outbox's groups already read (by a caller that reads them in its own way). */
export function waitsByPlatform(groups: readonly ChatWaitGroup[], now: number): Map<string, ChatWaits> {
  const out = new Map<string, ChatWaits>();
  for (const g of groups) {
    const until = waitsUntil(g, now);
    if (until === undefined) continue;
    const w = out.get(g.platform) ?? { count: 0, queued: 0, postponed: 0, until: new Date(until) };
    w.count += g.count;
    if (g.state === 'queued') {
      w.queued += g.count;
      w.postponed += g.scheduled;
    }
    if (until > w.until.getTime()) w.until = new Date(until);
    out.set(g.platform, w);
  }
  return out;
}

/** The same, all platforms together; undefined when nothing waits for its chat. */
export function totalChatWaits(waits: Map<string, ChatWaits>): ChatWaits | undefined {
  let total: ChatWaits | undefined;
  for (const w of waits.values()) {
    total = total
      ? {
          count: total.count + w.count,
          queued: total.queued + w.queued,
          postponed: total.postponed + w.postponed,
          until: new Date(Math.max(w.until.getTime(), total.until.getTime())),
        }
      : { ...w };
  }
  return total;
}

/**
 * When a group waiting for its chat goes, or undefined when it does not wait for its chat (it goes at the
 * platform's pace, or after a retry). The worker's own rules: quiet hours in `wait` mode hold a delivery unless it
 * is urgent and the chat lets urgent alerts through, and a digest message always; a held delivery goes with the digest
 * of the period it falls in, at the period's end (later if that falls in the quiet hours).
 */
function waitsUntil(g: ChatWaitGroup, now: number): number | undefined {
  // A digest message is never urgent (the worker's rule): what a digest holds or carries waits for the quiet hours
  // whatever its own urgency. Only a delivery that goes by itself may pass them.
  const overrides = g.state === 'queued' && !g.carried && g.urgent && g.quiet?.urgentOverrides;
  const quiet = g.quiet?.mode === 'wait' && !overrides ? g.quiet : undefined;
  const quietEnd = (at: number) => (quiet ? quietUntil(quiet, at) : undefined);
  if (g.state === 'queued' || g.carried) return quietEnd(now);
  const schedule: DigestSchedule | undefined =
    g.mode === 'hourly'
      ? { kind: 'hourly' }
      : g.mode === 'daily' && g.digestAt !== undefined
        ? { kind: 'daily', at: g.digestAt }
        : undefined;
  if (!schedule) return undefined;
  const periodEnd = nextPeriodEnd(schedule, g.timeZone, now);
  return quietEnd(periodEnd) ?? periodEnd;
}
