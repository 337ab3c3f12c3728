import { createInterface } from 'node:readline/promises';
import { UserError } from '../../errors.js';
import { plainMarkup } from '../../format/post.js';
import { renderArticle } from '../../format/render.js';
import type { Audience } from '../../model/broadcast.js';
import {
  CLI_OPERATOR,
  cancelBroadcast,
  composeUrgent,
  confirmBroadcast,
  previewBroadcast,
  scheduleBroadcast,
  sendTimeOf,
  suggestSendHour,
  type BroadcastPreview,
} from '../../newsroom/index.js';
import { localDateTime } from '../../text/schedule.js';
import type { CliIo, CommandContext } from '../context.js';

/** `--at`: what a broadcast or an urgent alert is scheduled for (a time, or a date and time, in NASHRA_TIME_ZONE). */
interface When {
  at?: string;
}

/** `nashra broadcast <article-id|url> [--yes] [--at TIME]`: the preview and its audience, then (confirmed) the queue. */
export async function broadcastCommand(
  [ref]: string[],
  options: { yes?: boolean; all?: boolean; platform?: string; paid?: boolean } & When,
  ctx: CommandContext,
): Promise<void> {
  const audience: Audience | undefined = options.platform
    ? { kind: 'platform', platform: options.platform }
    : options.all
      ? { kind: 'all' }
      : undefined;
  // A time that cannot be taken is refused before anything is fetched or previewed.
  if (options.at !== undefined) sendTimeOf(await ctx.newsroom(), options.at);
  await decide(
    await previewBroadcast(await ctx.newsroom(), CLI_OPERATOR, ref!, { audience, paid: options.paid }),
    options,
    ctx,
  );
}

/** `nashra urgent <text…> [--yes] [--paid|--free]`: an «عاجل» alert for everyone, sent before everything else. */
export async function urgentCommand(
  words: string[],
  options: { yes?: boolean; paid?: boolean; free?: boolean } & When,
  ctx: CommandContext,
): Promise<void> {
  if (options.paid && options.free) throw new UserError('--paid and --free contradict each other: give one');
  if (options.at !== undefined) sendTimeOf(await ctx.newsroom(), options.at);
  const paid = options.paid ? true : options.free ? false : undefined;
  await decide(await composeUrgent(await ctx.newsroom(), CLI_OPERATOR, words.join(' '), { paid }), options, ctx);
}

/** «paid: at most 120 Stars (1,200 telegram messages × 0.1), up to 1,000/s»: one clause per platform that charges. */
export function describePaid(p: BroadcastPreview): string {
  return p.paidEstimates
    .map(
      (e) =>
        `at most ${e.cost.toLocaleString('en-US')} ${e.unit} on ${e.platform} ` +
        `(${e.messages.toLocaleString('en-US')} messages × ${e.pricePerMessage}), up to ${e.ratePerSecond.toLocaleString('en-US')}/s`,
    )
    .join('; ');
}

async function decide(p: BroadcastPreview, options: { yes?: boolean } & When, ctx: CommandContext): Promise<void> {
  const { broadcast, article, audience } = p;
  ctx.out(renderArticle(article, plainMarkup, ctx.config));
  if (broadcast.paid) ctx.out(`\npaid broadcast: ${describePaid(p)}`);
  const already =
    (audience.alreadyHave ? `; ${audience.alreadyHave} already ha${audience.alreadyHave === 1 ? 's' : 've'} it` : '') +
    (audience.failedBefore
      ? `; ${audience.failedBefore} failed before (nashra resend ${article.id} sends them again)`
      : '');
  if (audience.willReceive === 0) {
    await cancelBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token);
    throw new UserError(
      `this would reach nobody: no active subscription is waiting for it${already} (nashra subs add …)`,
    );
  }
  const reach = `${audience.willReceive} subscription${audience.willReceive === 1 ? '' : 's'}`;
  const zone = ctx.config.timeZone;
  const when =
    options.at === undefined
      ? ''
      : ` at ${localDateTime(sendTimeOf(await ctx.newsroom(), options.at), zone)} (${zone})`;
  const verb = options.at === undefined ? 'queued' : 'scheduled';
  const best = await suggestSendHour(await ctx.newsroom(), broadcast.audience);
  if (best) {
    ctx.out(
      `\nbest hour for this audience over the last four weeks: ${String(best.hour).padStart(2, '0')}:00 (${best.clicksPerPost} clicks per post` +
        ` over ${best.posts} posts at that hour; --at ${String(best.hour).padStart(2, '0')}:00 schedules it then)`,
    );
  }
  // Off a terminal nobody can answer: say whom it would reach before saying how to go ahead.
  if (!options.yes && !ctx.io.stdin.isTTY) ctx.out(`\nthis would be ${verb} for ${reach}${when}${already}`);
  if (
    !options.yes &&
    !(await confirm(
      `\n${options.at === undefined ? 'Queue' : 'Schedule'} this for ${reach}${when}${already}? [y/N] `,
      ctx.io,
    ))
  ) {
    await cancelBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token);
    ctx.out('cancelled: nothing queued');
    return;
  }
  if (options.at !== undefined) {
    const s = await scheduleBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token, options.at);
    if (s.kind !== 'scheduled')
      throw new UserError(`broadcast ${broadcast.id} was decided meanwhile; nothing was scheduled`);
    const n = s.queued;
    ctx.out(
      `scheduled broadcast b${s.broadcast.id}: ${n} deliver${n === 1 ? 'y' : 'ies'} of article ${article.id} at ${localDateTime(s.broadcast.sendAt.getTime(), zone)} (${zone})${already}; ` +
        `nashra run sends them then (nashra scheduled lists, moves and cancels it)`,
    );
    return;
  }
  const r = await confirmBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token);
  const queued = r.kind === 'done' ? r.queued : 0;
  ctx.out(
    `queued ${queued} deliver${queued === 1 ? 'y' : 'ies'} for article ${article.id}${already}; nashra run sends them`,
  );
}

async function confirm(question: string, io: CliIo): Promise<boolean> {
  if (!io.stdin.isTTY) throw new UserError('no terminal to confirm on: add --yes to queue without asking');
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return /^(y|yes|نعم)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
