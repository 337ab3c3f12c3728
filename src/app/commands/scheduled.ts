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
  const items = await listScheduled(await ctx.newsroom(), CLI_OPERATOR);
  if (items.length === 0)
    return ctx.out('nothing is scheduled (nashra broadcast <article> --at 18:00 schedules a broadcast)');
  ctx.out(`id\tat (${zone})\tkind\tposts\tarticle\ttitle`);
  for (const s of items) {
    const b = s.broadcast;
    ctx.out(
      `b${b.id}\t${localDateTime(b.sendAt.getTime(), zone)}\t${b.urgent ? 'urgent' : 'broadcast'}\t${s.posts}\t${b.articleId}\t${s.title.replace(/\s+/g, ' ').slice(0, 80)}`,
    );
  }
}

/** `nashra scheduled move <id> <time…>`: the time in the same words as --at. */
export async function scheduledMove([id, ...time]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const zone = ctx.config.timeZone;
  const r = await rescheduleBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcastId(id!), time.join(' '));
  if (r.kind !== 'moved') throw refusal(id!, r.kind, 'moved', r.broadcast?.sendAt, zone);
  ctx.out(
    `b${r.broadcast.id} moved from ${localDateTime(r.from.getTime(), zone)} to ${localDateTime(r.broadcast.sendAt.getTime(), zone)} (${zone}), ${r.posts} deliver${r.posts === 1 ? 'y' : 'ies'}`,
  );
}

/** `nashra scheduled cancel <id>`. */
export async function scheduledCancel([id]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const r = await unscheduleBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcastId(id!));
  if (r.kind !== 'cancelled-now') throw refusal(id!, r.kind, 'cancelled', r.broadcast?.sendAt, ctx.config.timeZone);
  ctx.out(`b${r.broadcast.id} cancelled: ${r.skipped} deliver${r.skipped === 1 ? 'y' : 'ies'} will not go`);
}

/** A broadcast id as the list shows it (b12), or as the desk does (#12), or bare. */
function broadcastId(raw: string): number {
  const m = /^[b#]?([1-9]\d{0,15})$/i.exec(raw.trim());
  if (!m)
    throw new UserError(
      `"${raw.slice(0, 40)}" is not a scheduled broadcast's id: give one from nashra scheduled (b12)`,
    );
  return Number(m[1]);
}

function refusal(id: string, kind: ScheduleRefusal, verb: string, sendAt: Date | undefined, zone: string): UserError {
  if (kind === 'started') {
    return new UserError(
      `broadcast ${id} began at ${sendAt ? `${localDateTime(sendAt.getTime(), zone)} (${zone})` : 'its time'}: ` +
        `it is going out or went, so it can no longer be ${verb} (what went stays sent; «${catalogue('ar').chat.stop}» on the bot or the desk stops what has not gone)`,
    );
  }
  if (kind === 'cancelled')
    return new UserError(`broadcast ${id} was cancelled (or its article retracted): nothing of it goes out`);
  return new UserError(`no scheduled broadcast ${id}: nashra scheduled lists them`);
}
