import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { createInterface } from 'node:readline/promises';
import { UserError } from '../../errors.js';
import { plainMarkup } from '../../format/post.js';
import { renderArticle } from '../../format/render.js';
import {
  cancelCorrection,
  CLI_OPERATOR,
  confirmCorrection,
  confirmRetraction,
  correctionReport,
  platformRefusal,
  previewCorrection,
  previewRetraction,
  type PostCounts,
  type Refusal,
} from '../../newsroom/index.js';
import type { CorrectionTally } from '../../model/correction.js';
import type { CommandContext } from '../context.js';

interface CorrectOptions {
  title?: string;
  summary?: string;
  summaryFile?: string;
  hashtags?: string;
  yes?: boolean;
}

/** `nashra correct <article> --title … --summary-file …`: the corrected post and the posts it edits, then (confirmed) the edits. */
export async function correctCommand([ref]: string[], options: CorrectOptions, ctx: CommandContext): Promise<void> {
  const words = ctx.words.cli.correct;
  if (
    options.title === undefined &&
    options.summary === undefined &&
    options.summaryFile === undefined &&
    options.hashtags === undefined
  ) {
    throw new UserError(words.nothingAsked);
  }
  const summaryText = options.summaryFile !== undefined ? await readSummary(options.summaryFile, ctx) : options.summary;
  const p = await previewCorrection(await ctx.newsroom(), CLI_OPERATOR, ref!, {
    title: options.title,
    summary: summaryText?.split(/\n+/),
    hashtags: options.hashtags?.split(/[,،]/),
  });
  ctx.out(renderArticle(p.after, plainMarkup, ctx.config));
  if (!p.changed) {
    await cancelCorrection(await ctx.newsroom(), CLI_OPERATOR, p.draft.id, p.draft.token);
    throw new UserError(words.alreadyReads(p.before.id));
  }
  ctx.out(`\n${words.willEdit(describePosts(p.posts, ctx))}`);
  if (!options.yes && !(await confirm(words.ask(p.before.id), ctx))) {
    await cancelCorrection(await ctx.newsroom(), CLI_OPERATOR, p.draft.id, p.draft.token);
    ctx.out(ctx.words.cli.cancelledNothingChanged);
    return;
  }
  const r = await confirmCorrection(await ctx.newsroom(), CLI_OPERATOR, p.draft.id, p.draft.token);
  if (r.kind === 'done') ctx.out(words.done(r.article.id, r.revision, r.queued));
  else if (r.kind === 'unchanged') ctx.out(words.unchanged);
  else ctx.out(words.decided);
}

/** `nashra retract <article> [--yes]`: what will be deleted and cancelled per platform, then (confirmed) the retraction. */
export async function retractCommand([ref]: string[], options: { yes?: boolean }, ctx: CommandContext): Promise<void> {
  const words = ctx.words.cli.correct;
  const p = await previewRetraction(await ctx.newsroom(), CLI_OPERATOR, ref!);
  ctx.out(`${p.article.id}: ${p.article.title}`);
  const queued = p.posts.reduce((n, c) => n + c.queued, 0);
  ctx.out(words.willRetract(describePosts(p.posts, ctx), queued));
  if (!options.yes && !(await confirm(`\n${words.askRetract}`, ctx))) {
    ctx.out(ctx.words.cli.cancelledNothingChanged);
    return;
  }
  const r = await confirmRetraction(await ctx.newsroom(), CLI_OPERATOR, p.article.id);
  if (r.kind === 'done') ctx.out(words.retracted(r.article.id, r.cancelled, r.queued));
  else ctx.out(words.alreadyRetracted(r.article.id, r.article.retracted?.by ?? '?'));
}

/** `nashra corrections <article>`: per platform, what became of the posts: edited, deleted, the notice, could not be touched and why. */
export async function correctionsCommand(
  [ref]: string[],
  _options: Record<string, never>,
  ctx: CommandContext,
): Promise<void> {
  const id = Number(ref);
  const newsroom = await ctx.newsroom();
  const tallies = await correctionReport(newsroom, id);
  if (tallies.length === 0) {
    // An id that is not this outlet's (another outlet's, say) is said to be unknown, not reported as untouched.
    if (!(await newsroom.data.repos.articles.get(id))) throw new UserError(ctx.words.cli.correct.noArticle(id));
    ctx.out(ctx.words.cli.correct.none(id));
    return;
  }
  const refusal = platformRefusal(newsroom.platforms);
  for (const t of tallies) ctx.out(tallyLine(t, ctx, refusal));
}

/**
 * One platform's line of the report, in the words every front door's report uses (WhatsApp's /corrections too),
 * with what a later correction superseded: «Telegram (correction): 5 edited».
 */
function tallyLine(t: CorrectionTally, ctx: CommandContext, refusal: Refusal): string {
  const report = ctx.words.report;
  const parts = [...report.parts(t), ...(t.skipped ? [report.part('skipped', t.skipped)] : [])];
  return ctx.words.replies.corrections.tally(
    ctx.label(t.platform),
    report.kind[t.kind],
    parts.join(report.separator) || ctx.words.cli.correct.nothingToDo,
    report.reasons(t, ctx.label, refusal),
  );
}

/** «5 on Telegram, 2 on WhatsApp (1 in doubt, cannot be touched)». */
function describePosts(posts: PostCounts[], ctx: CommandContext): string {
  const words = ctx.words.cli.correct;
  return posts
    .filter((c) => c.sent + c.inDoubt > 0)
    .map((c) => words.postsOn(c.sent, ctx.label(c.platform), c.inDoubt))
    .join(words.postsSeparator);
}

async function readSummary(file: string, ctx: CommandContext): Promise<string> {
  try {
    return file === '-' ? await text(ctx.io.stdin) : readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(ctx.words.cli.correct.unreadable(file, (err as NodeJS.ErrnoException).code ?? String(err)));
  }
}

async function confirm(question: string, ctx: CommandContext): Promise<boolean> {
  const io = ctx.io;
  if (!io.stdin.isTTY) throw new UserError(ctx.words.cli.noTerminal.goAhead);
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return /^(y|yes|نعم)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
