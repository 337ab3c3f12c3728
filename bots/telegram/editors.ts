import { randomBytes } from 'node:crypto';
import { Composer, InlineKeyboard, type Api, type Context } from 'grammy';
import { errorMessage, UserError } from '../../src/errors.js';
import { addSource, parseInterval, removeSource } from '../../src/ingest/sources.js';
import { findArticle, queueBroadcast, storeArticle } from '../../src/newsroom/pipeline.js';
import { renderArticle, URGENT_URL_PREFIX } from '../../src/format/render.js';
import { collectStats, formatStats } from '../../src/newsroom/stats.js';
import type { Broadcast, StoredArticle } from '../../src/store/index.js';
import { TELEGRAM_MESSAGE_LIMIT } from './markup.js';
import { matchesTopics } from '../../src/newsroom/topics.js';
import { commandArgs, isEditor, t, userId, type BotDeps } from './context.js';
import { langOf, messages, type Messages } from './i18n.js';
import { telegramMarkup } from './markup.js';

/** Urgent alerts jump the queue. */
export const URGENT_PRIORITY = 10;

const decisionKeyboard = (m: Messages, b: Broadcast) =>
  new InlineKeyboard().text(m.send, `bc:send:${b.id}:${b.token}`).text(m.cancel, `bc:cancel:${b.id}:${b.token}`);

/** /broadcast, /urgent, /sources, /stats and the send / cancel / stop buttons. Every action goes to the audit log. */
export function editors(deps: BotDeps): Composer<Context> {
  const { store, config, logger } = deps;
  const c = new Composer<Context>();
  const audit = (ctx: Context, action: string, detail: Record<string, unknown>) => store.audit.record('telegram', userId(ctx) ?? '?', action, detail);

  /** Editor commands: refused in one line for anyone else, and only in a private chat. */
  for (const command of ['broadcast', 'urgent', 'sources', 'stats'] as const) {
    c.command(command, async (ctx, next) => {
      if (!isEditor(deps, userId(ctx))) {
        audit(ctx, 'refused', { command });
        return void (await ctx.reply(t(ctx).notEditor));
      }
      if (ctx.chat.type !== 'private') return void (await ctx.reply(t(ctx).privateOnly));
      await next();
    });
  }
  const editorOnly = c.filter((ctx) => ctx.chat?.type === 'private' && isEditor(deps, userId(ctx)));

  const recipients = (article: StoredArticle, urgent: boolean) =>
    store.subscriptions.active().filter((s) => urgent || matchesTopics(s.topics, article)).length;

  /** The post exactly as subscribers will see it, with «إرسال» / «إلغاء». */
  const preview = async (ctx: Context, article: StoredArticle, urgent: boolean) => {
    const b = store.broadcasts.create(article.id, 'telegram', userId(ctx)!, urgent);
    audit(ctx, urgent ? 'urgent.preview' : 'broadcast.preview', { broadcast: b.id, article: article.id });
    const m = t(ctx);
    await ctx.reply(m.previewHeader(String(recipients(article, urgent))));
    const reply_markup = decisionKeyboard(m, b);
    if (article.imageUrl) {
      try {
        await ctx.replyWithPhoto(article.imageUrl, { caption: renderArticle(article, telegramMarkup, config, { caption: true }), parse_mode: 'HTML', reply_markup });
        return;
      } catch (err) {
        logger.warn('preview photo refused; showing text', { article: article.id, error: errorMessage(err) });
      }
    }
    await ctx.reply(renderArticle(article, telegramMarkup, config), { parse_mode: 'HTML', reply_markup });
  };

  editorOnly.command('broadcast', async (ctx) => {
    const ref = commandArgs(ctx);
    if (!ref) return void (await ctx.reply(t(ctx).broadcastUsage));
    let article: StoredArticle;
    try {
      article = findArticle(store, ref);
    } catch (err) {
      if (err instanceof UserError) return void (await ctx.reply(t(ctx).notFound(ref)));
      throw err;
    }
    await preview(ctx, article, false);
  });

  editorOnly.command('urgent', async (ctx) => {
    const text = commandArgs(ctx);
    if (!text) return void (await ctx.reply(t(ctx).urgentUsage));
    const result = storeArticle(store, {
      url: `${URGENT_URL_PREFIX}${Date.now()}-${randomBytes(4).toString('hex')}`, title: text, source: 'عاجل',
      paragraphs: [text], categories: [], language: 'ar', publishedAt: new Date(),
    }, { summary: config.summary, timeZone: config.timeZone });
    const article = result.status === 'new' ? result.article : result.existing;
    await preview(ctx, article, true);
  });

  editorOnly.command('sources', async (ctx) => {
    const [action, ...rest] = commandArgs(ctx).split(/\s+/).filter(Boolean);
    const m = t(ctx);
    try {
      if (action === 'add' && rest[0]) return void (await addSourceReply(ctx, rest[0], rest[1]));
      if ((action === 'remove' || action === 'rm') && /^\d+$/.test(rest[0] ?? '')) {
        const source = removeSource(store, Number(rest[0]));
        audit(ctx, 'sources.remove', { source: source.id, url: source.url });
        return void (await ctx.reply(m.sourcesRemoved(source.name, String(source.id))));
      }
      if (action && action !== 'list') return void (await ctx.reply(m.sourcesUsage));
    } catch (err) {
      if (err instanceof UserError) return void (await ctx.reply(m.sourcesRefused(err.message), { link_preview_options: { is_disabled: true } }));
      throw err;
    }
    const sources = store.sources.list();
    const lines = sources.map((s) => `#${s.id} ${s.name}${s.active ? '' : ' ⏸'}${s.lastError ? ' ⚠️' : ''}\n${s.url}`);
    audit(ctx, 'sources', {});
    const text = sources.length ? `${m.sourcesTitle(String(sources.length))}\n\n${lines.join('\n\n')}` : m.sourcesNone;
    await ctx.reply(`${text.slice(0, TELEGRAM_MESSAGE_LIMIT - 300)}\n\n${m.sourcesUsage}`, { link_preview_options: { is_disabled: true } });
  });

  /** `/sources add <url> [interval]`: the same detection, first poll and backlog rule as `nashra sources add`. */
  const addSourceReply = async (ctx: Context, url: string, interval: string | undefined) => {
    const m = t(ctx);
    const { source, firstPoll } = await addSource(deps, { url, intervalSeconds: interval ? parseInterval(interval) : undefined });
    audit(ctx, 'sources.add', { source: source.id, url: source.url });
    if (firstPoll.ok) deps.onQueued();
    await ctx.reply(firstPoll.ok
      ? m.sourcesAdded(source.name, String(source.id), String(firstPoll.seen), String(firstPoll.sent))
      : m.sourcesAddedPollFailed(source.name, String(source.id), firstPoll.error), { link_preview_options: { is_disabled: true } });
  };

  editorOnly.command('stats', async (ctx) => {
    audit(ctx, 'stats', {});
    await ctx.reply(formatStats(collectStats(store)).slice(0, TELEGRAM_MESSAGE_LIMIT));
  });

  c.callbackQuery(/^bc:(send|cancel|stop):(\d+):([0-9a-f]+)$/, async (ctx) => {
    const [, action, idText, token] = ctx.match;
    const m = t(ctx);
    // The editor check is made again: a button can be pressed (or forged) by anyone who sees its data.
    if (!isEditor(deps, userId(ctx))) {
      audit(ctx, 'refused', { callback: action, broadcast: Number(idText) });
      return void (await ctx.answerCallbackQuery({ text: m.notEditor, show_alert: true }));
    }
    const b = store.broadcasts.get(Number(idText));
    if (!b || b.token !== token) return void (await ctx.answerCallbackQuery({ text: m.alreadyDecided }));
    if (action === 'send') return confirmSend(ctx, b, m);
    if (action === 'cancel') {
      if (!store.broadcasts.transition(b.id, 'preview', 'cancelled')) return void (await ctx.answerCallbackQuery({ text: m.alreadyDecided }));
      audit(ctx, 'broadcast.cancel', { broadcast: b.id });
      await ctx.answerCallbackQuery({ text: m.cancelled });
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
      return void (await ctx.reply(m.cancelled));
    }
    if (!store.broadcasts.transition(b.id, 'queued', 'stopped')) return void (await ctx.answerCallbackQuery({ text: m.alreadyDecided }));
    const skipped = store.deliveries.stopBroadcast(b.id);
    audit(ctx, 'broadcast.stop', { broadcast: b.id, skipped });
    await ctx.answerCallbackQuery({ text: m.stop });
    await updateProgress(deps, ctx.api, b.id, langOf(ctx.from.language_code));
  });

  /** Only the press that moves preview → queued queues anything: a second press or a replay does nothing. */
  async function confirmSend(ctx: Context, b: Broadcast, m: Messages): Promise<void> {
    if (!store.broadcasts.transition(b.id, 'preview', 'queued')) return void (await ctx.answerCallbackQuery({ text: m.alreadyDecided }));
    const article = store.articles.get(b.articleId);
    const queued = article
      ? queueBroadcast(store, article, { broadcastId: b.id, priority: b.urgent ? URGENT_PRIORITY : 0, ignoreTopics: b.urgent })
      : 0;
    audit(ctx, b.urgent ? 'urgent.send' : 'broadcast.send', { broadcast: b.id, article: b.articleId, queued });
    logger.info('broadcast queued', { broadcast: b.id, article: b.articleId, queued, editor: userId(ctx) });
    deps.onQueued();
    await ctx.answerCallbackQuery({ text: m.send });
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
    const first = progressText(deps, b.id, m).text;
    lastShown.set(b.id, first);
    const progress = await ctx.reply(first, {
      reply_markup: new InlineKeyboard().text(m.stop, `bc:stop:${b.id}:${b.token}`),
    });
    store.broadcasts.setProgressMessage(b.id, String(progress.chat.id), String(progress.message_id));
    watchProgress(deps, ctx.api, b.id, langOf(ctx.from?.language_code));
  }
  return c;
}

function progressText(deps: BotDeps, id: number, m: Messages): { text: string; finished: boolean } {
  const p = deps.store.deliveries.broadcastProgress(id);
  const state = deps.store.broadcasts.get(id)?.state;
  const remaining = p.queued + p.sending;
  if (state === 'stopped') return { text: m.stopped(String(p.sent), String(p.skipped)), finished: remaining === 0 };
  if (remaining === 0) return { text: m.done(String(p.sent), String(p.failed + p.skipped + p.in_doubt)), finished: true };
  return { text: m.progress(String(p.sent), String(p.failed), String(remaining)), finished: false };
}

const lastShown = new Map<number, string>();

/** Edits the progress message when its text changed; true once the broadcast is over. */
async function updateProgress(deps: BotDeps, api: Api, id: number, lang: 'ar' | 'en'): Promise<boolean> {
  const b = deps.store.broadcasts.get(id);
  if (!b?.progressChat || !b.progressMessage) return true;
  const m = messages(lang);
  const { text, finished } = progressText(deps, id, m);
  if (finished && b.state === 'queued') deps.store.broadcasts.transition(id, 'queued', 'done');
  if (lastShown.get(id) === text) return finished;
  lastShown.set(id, text);
  const reply_markup = finished || b.state !== 'queued' ? undefined : new InlineKeyboard().text(m.stop, `bc:stop:${b.id}:${b.token}`);
  try {
    await api.editMessageText(b.progressChat, Number(b.progressMessage), text, { reply_markup });
  } catch (err) {
    deps.logger.warn('could not update a broadcast progress message', { broadcast: id, error: errorMessage(err) });
  }
  if (finished) lastShown.delete(id);
  return finished;
}

function watchProgress(deps: BotDeps, api: Api, id: number, lang: 'ar' | 'en'): void {
  const timer = setInterval(() => {
    void updateProgress(deps, api, id, lang).then((finished) => {
      if (finished) { clearInterval(timer); deps.timers.delete(timer); }
    });
  }, deps.progressIntervalMs);
  deps.timers.add(timer);
}
