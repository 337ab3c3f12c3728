import { localClock } from '../../src/text/schedule.js';
import { Composer, InlineKeyboard, type Api, type Context } from 'grammy';
import { errorMessage, PermissionError, UserError } from '../../src/errors.js';
import { renderArticle } from '../../src/format/render.js';
import {
  addSource,
  broadcastStatus,
  resendFailed,
  cancelBroadcast,
  composeUrgent,
  confirmBroadcast,
  findBroadcast,
  listSources,
  parseInterval,
  placeProgress,
  previewBroadcast,
  removeSource,
  setBroadcastPaid,
  stopBroadcast,
  viewStats,
  type BroadcastPreview,
} from '../../src/newsroom/index.js';
import type { Broadcast } from '../../src/model/broadcast.js';
import { actorOf, commandArgs, editorCommand, isEditor, platformNamer, refusal, t, type BotDeps } from './context.js';
import { langOf, messages, type Messages } from './i18n.js';
import { REVIEW_WORDS } from './input-words.js';
import { TELEGRAM_MESSAGE_LIMIT, telegramMarkup } from './markup.js';

/** Telegram's part of a paid broadcast's cost, when paid broadcasts are on (TELEGRAM_PAID_BROADCAST_RATE). */
const telegramPaid = (p: BroadcastPreview) => p.paidEstimates.find((e) => e.platform === 'telegram');

/** «إرسال» / «إلغاء», and under them the paid-broadcast switch with its cost when paid broadcasts are on. */
const decisionKeyboard = (m: Messages, p: BroadcastPreview) => {
  const b = p.broadcast;
  const keyboard = new InlineKeyboard()
    .text(m.send, `bc:send:${b.id}:${b.token}`)
    .text(m.cancel, `bc:cancel:${b.id}:${b.token}`)
    .row()
    .text(m.schedule, `bc:when:${b.id}:${b.token}`); // bots/telegram/scheduled.ts
  const paid = telegramPaid(p);
  if (!paid) return keyboard;
  const stars = paid.cost.toLocaleString('en-US');
  return keyboard
    .row()
    .text(b.paid ? m.paidOn(stars) : m.paidOff(stars), `bc:${b.paid ? 'free' : 'paid'}:${b.id}:${b.token}`);
};

/**
 * /broadcast, /urgent, /sources, /stats and the send / cancel / stop buttons: Telegram's words and buttons for the
 * newsroom actions, which check the editor list and write the audit log themselves. One named function per command
 * and per button below.
 */
export function editors(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  /** The text each progress message shows now, so it is edited only when it changes. */
  const shown = new Map<number, string>();

  /** Editor commands: only in a private chat, refusals in the editor's words (editorCommand). */
  for (const command of ['broadcast', 'urgent', 'sources', 'stats'] as const) {
    c.command(command, editorCommand(deps));
  }
  c.command('broadcast', (ctx) => broadcastCommand(deps, ctx));
  c.command('urgent', (ctx) => urgentCommand(deps, ctx));
  c.command('sources', (ctx) => sourcesCommand(deps, ctx));
  c.command('stats', (ctx) => statsCommand(deps, ctx));
  c.callbackQuery(/^bc:(paid|free):(\d+):([0-9a-f]+)$/, (ctx) => paidSwitchPressed(deps, ctx, ctx.match));
  c.callbackQuery(/^bc:(send|cancel|stop|resend):(\d+):([0-9a-f]+)$/, (ctx) =>
    broadcastButtonPressed(deps, shown, ctx, ctx.match),
  );
  return c;
}

/** The post exactly as subscribers will see it, with «إرسال» / «إلغاء», or a plain word when it would reach nobody. */
async function showPreview(deps: BotDeps, ctx: Context, p: BroadcastPreview): Promise<void> {
  const m = t(ctx);
  if (p.audience.willReceive === 0) {
    await cancelBroadcast(deps.newsroom, actorOf(ctx), p.broadcast.id, p.broadcast.token);
    return void (await ctx.reply(m.previewNobody(p.audience.alreadyHave, p.audience.failedBefore)));
  }
  await ctx.reply(m.previewHeader(p.audience.willReceive, p.audience.alreadyHave, p.audience.failedBefore));
  const reply_markup = decisionKeyboard(m, p);
  if (p.article.imageUrl) {
    try {
      await ctx.replyWithPhoto(p.article.imageUrl, {
        caption: renderArticle(p.article, telegramMarkup, deps.config, { caption: true }),
        parse_mode: 'HTML',
        reply_markup,
      });
      return;
    } catch (err) {
      deps.logger.warn('preview photo refused; showing text', { article: p.article.id, error: errorMessage(err) });
    }
  }
  await ctx.reply(renderArticle(p.article, telegramMarkup, deps.config), { parse_mode: 'HTML', reply_markup });
}

/** /broadcast <article>: its preview. */
async function broadcastCommand(deps: BotDeps, ctx: Context): Promise<void> {
  const ref = commandArgs(ctx);
  if (!ref && (await isEditor(deps, ctx))) return void (await ctx.reply(t(ctx).broadcastUsage));
  try {
    await showPreview(deps, ctx, await previewBroadcast(deps.newsroom, actorOf(ctx), ref));
  } catch (err) {
    if (err instanceof UserError)
      return void (await ctx.reply(t(ctx).notFound(ref), { link_preview_options: { is_disabled: true } }));
    throw err;
  }
}

/** /urgent <text>: an urgent alert's preview. */
async function urgentCommand(deps: BotDeps, ctx: Context): Promise<void> {
  const text = commandArgs(ctx);
  if (!text && (await isEditor(deps, ctx))) return void (await ctx.reply(t(ctx).urgentUsage));
  await showPreview(deps, ctx, await composeUrgent(deps.newsroom, actorOf(ctx), text));
}

/** /sources: the list; /sources add <url> [10m] [review]; /sources remove <id>. */
async function sourcesCommand(deps: BotDeps, ctx: Context): Promise<void> {
  const [action, ...rest] = commandArgs(ctx).split(/\s+/).filter(Boolean);
  const m = t(ctx);
  const actor = actorOf(ctx);
  if (action === 'add' && rest[0]) {
    // /sources add <url> [10m] [review|مراجعة], the two options in either order.
    const options = rest.slice(1);
    const review = options.some((o) => REVIEW_WORDS.has(o.toLowerCase()));
    const interval = options.find((o) => !REVIEW_WORDS.has(o.toLowerCase()));
    const { source, firstPoll } = await addSource(deps.newsroom, actor, {
      url: rest[0],
      intervalSeconds: interval ? parseInterval(interval) : undefined,
      review,
    });
    return void (await ctx.reply(
      !firstPoll.ok
        ? m.sourcesAddedPollFailed(source.name, String(source.id), firstPoll.error)
        : source.review
          ? m.sourcesAddedReview(source.name, String(source.id), firstPoll.seen)
          : m.sourcesAdded(source.name, String(source.id), firstPoll.seen, firstPoll.sent),
      { link_preview_options: { is_disabled: true } },
    ));
  }
  if ((action === 'remove' || action === 'rm') && /^\d+$/.test(rest[0] ?? '')) {
    const source = await removeSource(deps.newsroom, actor, Number(rest[0]));
    return void (await ctx.reply(m.sourcesRemoved(source.name, String(source.id))));
  }
  const sources = await listSources(deps.newsroom, actor);
  if (action && action !== 'list') return void (await ctx.reply(m.sourcesUsage));
  const lines = sources.map(
    (s) => `#${s.id} ${s.name}${s.review ? ' 👁' : ''}${s.active ? '' : ' ⏸'}${s.lastError ? ' ⚠️' : ''}\n${s.url}`,
  );
  const text = sources.length ? `${m.sourcesTitle(String(sources.length))}\n\n${lines.join('\n\n')}` : m.sourcesNone;
  await ctx.reply(`${text.slice(0, TELEGRAM_MESSAGE_LIMIT - 300)}\n\n${m.sourcesUsage}`, {
    link_preview_options: { is_disabled: true },
  });
}

/** /stats. */
async function statsCommand(deps: BotDeps, ctx: Context): Promise<void> {
  const m = t(ctx);
  await ctx.reply(
    m
      .stats(await viewStats(deps.newsroom, actorOf(ctx)), deps.config.timeZone, platformNamer(deps, m))
      .slice(0, TELEGRAM_MESSAGE_LIMIT),
  );
}

/** The paid-broadcast switch under a preview: the newsroom records the choice (audited) and says the cost again. */
async function paidSwitchPressed(deps: BotDeps, ctx: Context, match: string | RegExpMatchArray): Promise<void> {
  const [, action, idText, token] = match;
  const m = t(ctx);
  try {
    const p = await setBroadcastPaid(deps.newsroom, actorOf(ctx), Number(idText), token!, action === 'paid');
    if (!p) return void (await ctx.answerCallbackQuery({ text: m.alreadyDecided }));
    const paid = telegramPaid(p);
    await ctx.answerCallbackQuery({
      text:
        p.broadcast.paid && paid
          ? m.paidSet(paid.cost.toLocaleString('en-US'), paid.ratePerSecond.toLocaleString('en-US'))
          : m.paidUnset,
      show_alert: p.broadcast.paid,
    });
    await ctx.editMessageReplyMarkup({ reply_markup: decisionKeyboard(m, p) }).catch(() => undefined);
  } catch (err) {
    if (err instanceof PermissionError)
      return void (await ctx.answerCallbackQuery({ text: m.notEditor, show_alert: true }));
    if (err instanceof UserError)
      return void (await ctx.answerCallbackQuery({ text: refusal(ctx, err), show_alert: true }));
    throw err;
  }
}

/** What a broadcast's button press needs: the update, the broadcast it names and the token that proves the button. */
interface Press {
  deps: BotDeps;
  shown: Map<number, string>;
  ctx: Context;
  m: Messages;
  id: number;
  token: string;
  lang: 'ar' | 'en';
}

/**
 * «إرسال», «إلغاء», «إيقاف» and «إعادة إرسال الفاشلة». The newsroom checks the editor list again: a button can be
 * pressed (or forged) by anyone who sees its data.
 */
async function broadcastButtonPressed(
  deps: BotDeps,
  shown: Map<number, string>,
  ctx: Context,
  match: string | RegExpMatchArray,
): Promise<void> {
  const [, action, idText, token] = match;
  const press: Press = {
    deps,
    shown,
    ctx,
    m: t(ctx),
    id: Number(idText),
    token: token!,
    lang: langOf(ctx.from?.language_code),
  };
  try {
    if (action === 'send') return await sendPressed(press);
    if (action === 'cancel') return await cancelPressed(press);
    if (action === 'resend') return await resendPressed(press);
    await stopPressed(press);
  } catch (err) {
    if (err instanceof PermissionError)
      return void (await ctx.answerCallbackQuery({ text: press.m.notEditor, show_alert: true }));
    throw err;
  }
}

/**
 * «إرسال»: «إيقاف» must be on screen before the first delivery leaves, so the progress message goes out before
 * anything is queued (the worker starts sending the moment the deliveries are committed).
 */
async function sendPressed({ deps, shown, ctx, m, id, token, lang }: Press): Promise<void> {
  const pending = await findBroadcast(deps.newsroom, id);
  const progress =
    pending?.token === token && pending.state === 'preview' && (await isEditor(deps, ctx))
      ? await ctx.reply(m.progress('0', '0', '…'), { reply_markup: stopKeyboard(m, pending) })
      : undefined;
  const r = await confirmBroadcast(deps.newsroom, actorOf(ctx), id, token);
  if (r.kind === 'already-decided') {
    if (progress)
      await ctx.api.editMessageText(progress.chat.id, progress.message_id, m.alreadyDecided).catch(() => undefined);
    return void (await ctx.answerCallbackQuery({ text: m.alreadyDecided }));
  }
  await ctx.answerCallbackQuery({ text: m.send });
  await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
  const place = progress && { chatId: String(progress.chat.id), messageId: String(progress.message_id) };
  if (place && (await placeProgress(deps.newsroom, actorOf(ctx), id, token, place)).kind === 'recorded') {
    watchProgress(deps, shown, ctx.api, id, lang);
  }
}

/** «إلغاء» under a preview. */
async function cancelPressed({ deps, ctx, m, id, token }: Press): Promise<void> {
  const r = await cancelBroadcast(deps.newsroom, actorOf(ctx), id, token);
  if (r.kind === 'already-decided') return void (await ctx.answerCallbackQuery({ text: m.alreadyDecided }));
  await ctx.answerCallbackQuery({ text: m.cancelled });
  await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
  await ctx.reply(m.cancelled);
}

/** «إعادة إرسال الفاشلة» under a finished broadcast. */
async function resendPressed({ deps, shown, ctx, m, id, token, lang }: Press): Promise<void> {
  const b = await findBroadcast(deps.newsroom, id);
  if (!b || b.token !== token) return void (await ctx.answerCallbackQuery({ text: m.alreadyDecided }));
  const r = await resendFailed(deps.newsroom, actorOf(ctx), b.articleId);
  await ctx.answerCallbackQuery({ text: m.resent(r.requeued) });
  if (r.requeued > 0) watchProgress(deps, shown, ctx.api, id, lang);
}

/** «إيقاف» under the progress message. */
async function stopPressed({ deps, shown, ctx, m, id, token, lang }: Press): Promise<void> {
  const r = await stopBroadcast(deps.newsroom, actorOf(ctx), id, token);
  if (r.kind === 'already-decided') return void (await ctx.answerCallbackQuery({ text: m.alreadyDecided }));
  await ctx.answerCallbackQuery({ text: m.stop });
  await updateProgress(deps, shown, ctx.api, id, lang);
}

const stopKeyboard = (m: Messages, b: Broadcast) => new InlineKeyboard().text(m.stop, `bc:stop:${b.id}:${b.token}`);
/** On a finished broadcast with failures: «إعادة إرسال الفاشلة» (those that failed for a temporary reason). */
const resendKeyboard = (m: Messages, b: Broadcast) =>
  new InlineKeyboard().text(m.resendFailed, `bc:resend:${b.id}:${b.token}`);

async function progressText(
  deps: BotDeps,
  id: number,
  m: Messages,
): Promise<{ text: string; finished: boolean; failed: number }> {
  const s = await broadcastStatus(deps.newsroom, id);
  if (!s) return { text: m.alreadyDecided, finished: true, failed: 0 };
  // What waits for its chat's quiet hours or digest goes by itself: shown with its time, it does not keep the broadcast open.
  const waiting =
    s.waiting > 0 && s.waitingUntil
      ? m.waitingForChats(s.waiting, localClock(s.waitingUntil.getTime(), deps.config.timeZone))
      : '';
  if (s.state === 'stopped')
    return {
      text: m.stopped(String(s.sent), String(s.skipped)) + waiting,
      finished: s.remaining === 0,
      failed: s.failed,
    };
  if (s.finished)
    return {
      text: m.done(String(s.sent), String(s.failed + s.skipped + s.inDoubt)) + waiting,
      finished: true,
      failed: s.failed,
    };
  return {
    text: m.progress(String(s.sent), String(s.failed), String(s.remaining)) + waiting,
    finished: false,
    failed: s.failed,
  };
}

/** Edits the progress message when its text changed; true once the broadcast is over. */
async function updateProgress(
  deps: BotDeps,
  shown: Map<number, string>,
  api: Api,
  id: number,
  lang: 'ar' | 'en',
): Promise<boolean> {
  const b = await findBroadcast(deps.newsroom, id);
  if (!b?.progressChat || !b.progressMessage) return true;
  const m = messages(lang);
  const { text, finished, failed } = await progressText(deps, id, m);
  if (shown.get(id) === text) return finished;
  shown.set(id, text);
  const state = (await findBroadcast(deps.newsroom, id))?.state;
  const reply_markup =
    !finished && state === 'queued' ? stopKeyboard(m, b) : finished && failed > 0 ? resendKeyboard(m, b) : undefined;
  try {
    await api.editMessageText(b.progressChat, Number(b.progressMessage), text, { reply_markup });
  } catch (err) {
    deps.logger.warn('could not update a broadcast progress message', { broadcast: id, error: errorMessage(err) });
  }
  if (finished) shown.delete(id);
  return finished;
}

function watchProgress(deps: BotDeps, shown: Map<number, string>, api: Api, id: number, lang: 'ar' | 'en'): void {
  const timer = setInterval(() => {
    // A tick that cannot read the database (the run stopping, PostgreSQL unreachable for a moment) is tried again by
    // the next one: it must not become an unhandled rejection (the PostgreSQL pass saw two, after the database closed).
    void updateProgress(deps, shown, api, id, lang)
      .then((finished) => {
        if (finished) {
          clearInterval(timer);
          deps.timers.delete(timer);
        }
      })
      .catch((err) => deps.logger.debug('broadcast progress not updated', { broadcast: id, error: errorMessage(err) }));
  }, deps.progressIntervalMs);
  deps.timers.add(timer);
}
