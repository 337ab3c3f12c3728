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
  if (options.paid && options.free) throw new UserError(ctx.words.cli.contradict('--paid', '--free'));
  if (options.at !== undefined) sendTimeOf(await ctx.newsroom(), options.at);
  const paid = options.paid ? true : options.free ? false : undefined;
  await decide(await composeUrgent(await ctx.newsroom(), CLI_OPERATOR, words.join(' '), { paid }), options, ctx);
}

/** «at most 120 Stars on Telegram (1,200 messages × 0.1), up to 1,000/s»: one clause per platform that charges. */
function describePaid(p: BroadcastPreview, ctx: CommandContext): string {
  const words = ctx.words.cli.broadcast;
  return p.paidEstimates
    .map((e) =>
      words.paidEstimate(e.cost, e.unit, ctx.label(e.platform), e.messages, e.pricePerMessage, e.ratePerSecond),
    )
    .join(words.paidSeparator);
}

async function decide(p: BroadcastPreview, options: { yes?: boolean } & When, ctx: CommandContext): Promise<void> {
  const { broadcast, article, audience } = p;
  const words = ctx.words.cli.broadcast;
  ctx.out(renderArticle(article, plainMarkup, ctx.config));
  if (broadcast.paid) ctx.out(`\n${words.paid(describePaid(p, ctx))}`);
  const already =
    (audience.alreadyHave ? words.alreadyHave(audience.alreadyHave) : '') +
    (audience.failedBefore ? words.failedBefore(audience.failedBefore, article.id) : '');
  if (audience.willReceive === 0) {
    await cancelBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token);
    throw new UserError(words.nobody(already));
  }
  const reach = audience.willReceive;
  const zone = ctx.config.timeZone;
  const when =
    options.at === undefined ? '' : words.at(localDateTime(sendTimeOf(await ctx.newsroom(), options.at), zone), zone);
  const scheduling = options.at !== undefined;
  const best = await suggestSendHour(await ctx.newsroom(), broadcast.audience);
  if (best) ctx.out(`\n${words.bestHour(`${String(best.hour).padStart(2, '0')}:00`, best.clicksPerPost, best.posts)}`);
  // Off a terminal nobody can answer: say whom it would reach before saying how to go ahead.
  if (!options.yes && !ctx.io.stdin.isTTY) ctx.out(`\n${words.wouldBe(scheduling, reach, when, already)}`);
  if (
    !options.yes &&
    !(await confirm(`\n${words.ask(scheduling, reach, when, already)}`, ctx.io, ctx.words.cli.noTerminal.queue))
  ) {
    await cancelBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token);
    ctx.out(words.cancelled);
    return;
  }
  if (options.at !== undefined) {
    const s = await scheduleBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token, options.at);
    if (s.kind !== 'scheduled') throw new UserError(words.decidedMeanwhile(broadcast.id));
    ctx.out(
      words.scheduled(
        s.broadcast.id,
        s.queued,
        article.id,
        localDateTime(s.broadcast.sendAt.getTime(), zone),
        zone,
        already,
      ),
    );
    return;
  }
  const r = await confirmBroadcast(await ctx.newsroom(), CLI_OPERATOR, broadcast.id, broadcast.token);
  ctx.out(words.queued(r.kind === 'done' ? r.queued : 0, article.id, already));
}

/** A yes from the terminal («y», «yes» or «نعم»); `noTerminal`: the refusal when there is none to ask on. */
async function confirm(question: string, io: CliIo, noTerminal: string): Promise<boolean> {
  if (!io.stdin.isTTY) throw new UserError(noTerminal);
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return /^(y|yes|نعم)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
