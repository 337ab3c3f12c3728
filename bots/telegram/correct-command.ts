import { Composer, InlineKeyboard, type Api, type Context } from 'grammy';
import { PermissionError } from '../../src/errors.js';
import { renderArticle } from '../../src/format/render.js';
import {
  cancelCorrection,
  confirmCorrection,
  platformRefusal,
  confirmRetraction,
  correctionReport,
  previewCorrection,
  previewRetraction,
  type PostCounts,
} from '../../src/newsroom/index.js';
import type { CorrectionTally } from '../../src/model/correction.js';
import { actorOf, commandArgs, editorCommand, isEditor, platformNamer, t, type BotDeps } from './context.js';
import type { Messages } from './i18n.js';
import { telegramMarkup } from './markup.js';

/**
 * /correct and /retract for editors, with «تأكيد» / «إلغاء», and the report of what became of the posts (edited,
 * deleted, replaced by the notice, could not be touched, with the reasons), edited into one message until every
 * job has finished. The newsroom actions check the editor list (again at every press) and write the audit log.
 */
export function corrections(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();

  for (const command of ['correct', 'retract'] as const) {
    c.command(command, editorCommand(deps));
  }

  // /correct <article>
  // <the corrected headline>
  // <the summary, one sentence per line>
  c.command('correct', async (ctx) => {
    const m = t(ctx);
    const args = commandArgs(ctx);
    const ref = /^\S*/.exec(args)![0];
    const lines = args
      .slice(ref.length)
      .split('\n')
      .map((l) => l.trim());
    if (lines[0] === '') lines.shift(); // the headline may follow the article on its line, or start the next one
    const [title, ...rest] = lines;
    const summary = rest.filter(Boolean);
    if ((!ref || (!title && summary.length === 0)) && (await isEditor(deps, ctx)))
      return void (await ctx.reply(m.correctUsage));
    const p = await previewCorrection(deps.newsroom, actorOf(ctx), ref, {
      title: title || undefined,
      summary: summary.length ? summary : undefined,
    });
    if (!p.changed) {
      await cancelCorrection(deps.newsroom, actorOf(ctx), p.draft.id, p.draft.token);
      return void (await ctx.reply(m.correctUnchanged));
    }
    await ctx.reply(m.correctPreview(describePosts(deps, m, p.posts)));
    await ctx.reply(renderArticle(p.after, telegramMarkup, deps.config), {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      reply_markup: new InlineKeyboard()
        .text(m.confirm, `cr:ok:${p.draft.id}:${p.draft.token}`)
        .text(m.cancel, `cr:no:${p.draft.id}:${p.draft.token}`),
    });
  });

  c.command('retract', async (ctx) => {
    const m = t(ctx);
    const ref = commandArgs(ctx);
    if (!ref && (await isEditor(deps, ctx))) return void (await ctx.reply(m.retractUsage));
    const p = await previewRetraction(deps.newsroom, actorOf(ctx), ref);
    const queued = p.posts.reduce((n, c) => n + c.queued, 0);
    await ctx.reply(m.retractPreview(p.article.title, describePosts(deps, m, p.posts), queued), {
      reply_markup: new InlineKeyboard()
        .text(m.confirm, `rt:ok:${p.article.id}`)
        .text(m.cancel, `rt:no:${p.article.id}`),
    });
  });

  c.callbackQuery(/^(cr|rt):(ok|no):(\d+)(?::([A-Za-z0-9_-]+))?$/, async (ctx) => {
    const [, what, answer, idText, token] = ctx.match;
    const m = t(ctx);
    const id = Number(idText);
    const actor = actorOf(ctx);
    try {
      if (answer === 'no') {
        // A retraction preview changed nothing; a correction's draft is cancelled (the newsroom checks the editor).
        if (what === 'cr') await cancelCorrection(deps.newsroom, actor, id, token ?? '');
        else if (!(await isEditor(deps, ctx))) throw new PermissionError('retract is for editors only');
        await ctx.answerCallbackQuery({ text: m.correctionCancelled });
        return void (await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined));
      }
      if (what === 'cr') {
        const r = await confirmCorrection(deps.newsroom, actor, id, token ?? '');
        if (r.kind === 'already-decided') return void (await ctx.answerCallbackQuery({ text: m.alreadyDecided }));
        await ctx.answerCallbackQuery({ text: m.confirm });
        await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
        if (r.kind === 'unchanged') return void (await ctx.reply(m.correctUnchanged));
        const sent = await ctx.reply(m.correctQueued(r.queued));
        return watchReport(deps, ctx.api, m, r.article.id, sent.chat.id, sent.message_id, sent.text);
      }
      const r = await confirmRetraction(deps.newsroom, actor, id);
      if (r.kind === 'already-decided') return void (await ctx.answerCallbackQuery({ text: m.alreadyRetracted }));
      await ctx.answerCallbackQuery({ text: m.confirm });
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
      const sent = await ctx.reply(m.retracted(r.queued, r.cancelled));
      watchReport(deps, ctx.api, m, id, sent.chat.id, sent.message_id, sent.text);
    } catch (err) {
      if (err instanceof PermissionError)
        return void (await ctx.answerCallbackQuery({ text: m.notEditor, show_alert: true }));
      throw err;
    }
  });
  return c;
}

/** «22 منشورًا على تيليغرام ومنشور واحد على الطرفية» («Telegram 22, Console 1» in English). */
const describePosts = (deps: BotDeps, m: Messages, posts: PostCounts[]): string =>
  m.report.posts(posts, platformNamer(deps, m));

/** The report, one line per platform and kind: what was done, how many could not be touched and why. */
export function reportText(deps: BotDeps, m: Messages, tallies: CorrectionTally[]): string {
  const label = platformNamer(deps, m);
  const refusal = platformRefusal(deps.newsroom.platforms);
  return m.correctionReport(
    tallies
      .map((tally) =>
        m.tallyLine(
          label(tally.platform),
          m.report.parts(tally).join(m.report.separator),
          m.report.reasons(tally, label, refusal),
        ),
      )
      .join('\n'),
  );
}

/** Edits the confirmation into the report as jobs finish, until none is waiting. */
function watchReport(
  deps: BotDeps,
  api: Api,
  m: Messages,
  articleId: number,
  chatId: number,
  messageId: number,
  first: string | undefined,
): void {
  let shown = first;
  const timer = setInterval(
    () =>
      void correctionReport(deps.newsroom, articleId)
        .then((tallies) => {
          const text = reportText(deps, m, tallies);
          const finished = tallies.every((x) => x.queued === 0);
          if (finished) {
            clearInterval(timer);
            deps.timers.delete(timer);
          }
          if (text === shown) return;
          shown = text;
          return api.editMessageText(chatId, messageId, text);
        })
        .catch((err) => deps.logger.debug('correction report not updated', { article: articleId, error: String(err) })),
    deps.progressIntervalMs,
  );
  deps.timers.add(timer);
}
