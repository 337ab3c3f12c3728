import { UserError } from '../../errors.js';
import { catalogue } from '../../i18n/index.js';
import {
  CLI_OPERATOR,
  listScheduled,
  rescheduleBroadcast,
  unscheduleBroadcast,
  type ScheduleRefusal,
} from '../../newsroom/index.js';
import { localDateTime } from '../../text/schedule.js';
import type { CommandContext } from '../context.js';

/** `nashra scheduled [list]`: what is scheduled and has not gone yet, soonest first, at the newsroom's clock. */
export async function scheduledList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const zone = ctx.config.timeZone;
  const words = ctx.words.cli.scheduled;
  const items = await listScheduled(await ctx.newsroom(), CLI_OPERATOR);
  if (items.length === 0) return ctx.out(words.none);
  ctx.out(words.heading(zone).join('\t'));
  for (const s of items) {
    const b = s.broadcast;
    ctx.out(
      `b${b.id}\t${localDateTime(b.sendAt.getTime(), zone)}\t${words.kind(b.urgent)}\t${s.posts}\t${b.articleId}\t${s.title.replace(/\s+/g, ' ').slice(0, 80)}`,
    );
  }
}

/** `nashra scheduled move <id> <time…>`: the time in the same words as --at. */
export async function scheduledMove([id, ...time]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const zone = ctx.config.timeZone;
  const r = await rescheduleBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcastId(id!, ctx), time.join(' '));
  if (r.kind !== 'moved') throw refusal(id!, r.kind, true, r.broadcast?.sendAt, ctx);
  ctx.out(
    ctx.words.cli.scheduled.moved(
      r.broadcast.id,
      localDateTime(r.from.getTime(), zone),
      localDateTime(r.broadcast.sendAt.getTime(), zone),
      zone,
      r.posts,
    ),
  );
}

/** `nashra scheduled cancel <id>`. */
export async function scheduledCancel([id]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const r = await unscheduleBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcastId(id!, ctx));
  if (r.kind !== 'cancelled-now') throw refusal(id!, r.kind, false, r.broadcast?.sendAt, ctx);
  ctx.out(ctx.words.cli.scheduled.cancelled(r.broadcast.id, r.skipped));
}

/** A broadcast id as the list shows it (b12), or as the desk does (#12), or bare. */
function broadcastId(raw: string, ctx: CommandContext): number {
  const m = /^[b#]?([1-9]\d{0,15})$/i.exec(raw.trim());
  if (!m) throw new UserError(ctx.words.cli.scheduled.notAnId(raw.slice(0, 40)));
  return Number(m[1]);
}

/** Why a scheduled broadcast cannot be moved (`moving`) or cancelled. */
function refusal(
  id: string,
  kind: ScheduleRefusal,
  moving: boolean,
  sendAt: Date | undefined,
  ctx: CommandContext,
): UserError {
  const words = ctx.words.cli.scheduled;
  const zone = ctx.config.timeZone;
  // The stop button as the bots and the desk show it: their words are Arabic (catalogue('ar')), whatever the CLI's.
  const stop = catalogue('ar').chat.stop;
  if (kind === 'started')
    return new UserError(
      words.started(id, sendAt ? `${localDateTime(sendAt.getTime(), zone)} (${zone})` : '', moving, stop),
    );
  if (kind === 'cancelled') return new UserError(words.gone(id));
  return new UserError(words.notScheduled(id));
}
