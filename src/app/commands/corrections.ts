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
  describeTally,
  previewCorrection,
  previewRetraction,
  type PostCounts,
} from '../../newsroom/index.js';
import type { CliIo, CommandContext } from '../context.js';

interface CorrectOptions {
  title?: string;
  summary?: string;
  summaryFile?: string;
  hashtags?: string;
  yes?: boolean;
}

/** `nashra correct <article> --title … --summary-file …`: the corrected post and the posts it edits, then (confirmed) the edits. */
export async function correctCommand([ref]: string[], options: CorrectOptions, ctx: CommandContext): Promise<void> {
  if (
    options.title === undefined &&
    options.summary === undefined &&
    options.summaryFile === undefined &&
    options.hashtags === undefined
  ) {
    throw new UserError('say what to correct: --title, --summary, --summary-file or --hashtags');
  }
  const summaryText =
    options.summaryFile !== undefined ? await readSummary(options.summaryFile, ctx.io) : options.summary;
  const p = await previewCorrection(await ctx.newsroom(), CLI_OPERATOR, ref!, {
    title: options.title,
    summary: summaryText?.split(/\n+/),
    hashtags: options.hashtags?.split(/[,،]/),
  });
  ctx.out(renderArticle(p.after, plainMarkup, ctx.config));
  if (!p.changed) {
    await cancelCorrection(await ctx.newsroom(), CLI_OPERATOR, p.draft.id, p.draft.token);
    throw new UserError(`article ${p.before.id} already reads like this: nothing to correct`);
  }
  const posts = describePosts(p.posts);
  ctx.out(
    `\n${posts ? `the posts sent will be edited: ${posts}` : 'no post was sent yet: the queued deliveries carry the correction'}`,
  );
  if (!options.yes && !(await confirm(`Correct article ${p.before.id}? [y/N] `, ctx.io))) {
    await cancelCorrection(await ctx.newsroom(), CLI_OPERATOR, p.draft.id, p.draft.token);
    ctx.out('cancelled: nothing changed');
    return;
  }
  const r = await confirmCorrection(await ctx.newsroom(), CLI_OPERATOR, p.draft.id, p.draft.token);
  if (r.kind === 'done')
    ctx.out(
      `article ${r.article.id} is now revision ${r.revision}; ${r.queued} post${r.queued === 1 ? '' : 's'} queued for editing (nashra run edits them; nashra corrections ${r.article.id} reports)`,
    );
  else if (r.kind === 'unchanged') ctx.out('nothing to correct: a reader would see no difference');
  else ctx.out('already decided: nothing changed');
}

/** `nashra retract <article> [--yes]`: what will be deleted and cancelled per platform, then (confirmed) the retraction. */
export async function retractCommand([ref]: string[], options: { yes?: boolean }, ctx: CommandContext): Promise<void> {
  const p = await previewRetraction(await ctx.newsroom(), CLI_OPERATOR, ref!);
  ctx.out(`${p.article.id}: ${p.article.title}`);
  const sent = describePosts(p.posts);
  const queued = p.posts.reduce((n, c) => n + c.queued, 0);
  ctx.out(
    `${sent ? `the posts sent will be deleted: ${sent}` : 'no post was sent'}${queued ? `; ${queued} queued deliver${queued === 1 ? 'y is' : 'ies are'} cancelled` : ''}; it is never sent again`,
  );
  if (!options.yes && !(await confirm('\nRetract it? [y/N] ', ctx.io))) {
    ctx.out('cancelled: nothing changed');
    return;
  }
  const r = await confirmRetraction(await ctx.newsroom(), CLI_OPERATOR, p.article.id);
  if (r.kind === 'done') {
    ctx.out(
      `article ${r.article.id} retracted: ${counted(r.cancelled, 'queued delivery', 'queued deliveries')} cancelled, ` +
        `${counted(r.queued, 'post')} queued for deletion (nashra run deletes them; nashra corrections ${r.article.id} reports)`,
    );
  } else ctx.out(`article ${r.article.id} was already retracted (by ${r.article.retracted?.by ?? '?'})`);
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
    if (!(await newsroom.data.repos.articles.get(id)))
      throw new UserError(`no stored article ${id} (see nashra latest)`);
    ctx.out(`article ${id}: no correction or retraction`);
    return;
  }
  for (const t of tallies) ctx.out(describeTally(t));
}

/** «5 on telegram, 2 on whatsapp (1 in doubt, cannot be touched)». */
function describePosts(posts: PostCounts[]): string {
  return posts
    .filter((c) => c.sent + c.inDoubt > 0)
    .map((c) => `${c.sent} on ${c.platform}${c.inDoubt ? ` (${c.inDoubt} in doubt, cannot be touched)` : ''}`)
    .join(', ');
}

/** «1 post», «5 posts». */
const counted = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

async function readSummary(file: string, io: CliIo): Promise<string> {
  try {
    return file === '-' ? await text(io.stdin) : readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the summary file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

async function confirm(question: string, io: CliIo): Promise<boolean> {
  if (!io.stdin.isTTY) throw new UserError('no terminal to confirm on: add --yes to go ahead without asking');
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return /^(y|yes|نعم)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
