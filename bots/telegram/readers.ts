import { Composer, type Context } from 'grammy';
import { renderArticle } from '../../src/format/render.js';
import { latestArticles, searchArticles } from '../../src/newsroom/index.js';
import type { StoredArticle } from '../../src/model/article.js';
import { commandArgs, isEditor, t, type BotDeps } from './context.js';
import { escapeHtml, TELEGRAM_MESSAGE_LIMIT, telegramMarkup } from './markup.js';

const SEPARATOR = '\n\n━━━━━━━━\n\n';

/** Several articles per message, as many as fit in 4096 characters; more messages when needed. */
export function packArticles(rendered: string[], limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  const messages: string[] = [];
  let current = '';
  for (const text of rendered) {
    if (current && current.length + SEPARATOR.length + text.length > limit) {
      messages.push(current);
      current = '';
    }
    current = current ? current + SEPARATOR + text : text;
  }
  if (current) messages.push(current);
  return messages;
}

/** /start, /help, /latest [n], /search <words>. */
export function readers(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  /** Each article as subscribers see it; a search result adds the sentence that matched when the post does not show it. */
  const sendArticles = async (ctx: Context, articles: Array<{ article: StoredArticle; snippet?: string }>) => {
    const rendered = articles.map(({ article, snippet }) => {
      if (!snippet) return renderArticle(article, telegramMarkup, deps.config);
      const line = `\n🔎 <i>${escapeHtml(snippet)}</i>`;
      return (
        renderArticle(article, telegramMarkup, deps.config, { maxLength: TELEGRAM_MESSAGE_LIMIT - line.length }) + line
      );
    });
    for (const text of packArticles(rendered)) {
      await ctx.reply(text, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    }
  };

  c.command('start', (ctx) => ctx.reply(t(ctx).start));
  c.command('help', async (ctx) => ctx.reply(t(ctx).help + ((await isEditor(deps, ctx)) ? t(ctx).editorHelp : '')));
  c.command('latest', async (ctx) => {
    const n = Number.parseInt(commandArgs(ctx), 10);
    const count = Number.isFinite(n) ? Math.min(10, Math.max(1, n)) : 5;
    const articles = await latestArticles(deps.newsroom, count);
    if (articles.length === 0) return void (await ctx.reply(t(ctx).nothingYet));
    await sendArticles(
      ctx,
      articles.map((article) => ({ article })),
    );
  });
  c.command('search', async (ctx) => {
    const query = commandArgs(ctx);
    if (!/[\p{L}\p{N}]/u.test(query)) return void (await ctx.reply(t(ctx).searchUsage));
    const found = await searchArticles(deps.newsroom, query, 5);
    if (found.length === 0) return void (await ctx.reply(t(ctx).noResults(query)));
    await sendArticles(ctx, found);
  });
  return c;
}

/**
 * Per-user command limiter: `limit` commands per `windowMs`. Past it, one reply says so and the rest of the window
 * is ignored; other users are untouched.
 */
export function commandLimiter(deps: Pick<BotDeps, 'logger'>, limit = 5, windowMs = 10_000): Composer<Context> {
  const windows = new Map<number, { start: number; count: number; warned: boolean }>();
  const c = new Composer<Context>();
  c.on('message:entities:bot_command', async (ctx, next) => {
    const id = ctx.from?.id;
    if (id === undefined) return next();
    const now = Date.now();
    let w = windows.get(id);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, count: 0, warned: false };
      windows.set(id, w);
      if (windows.size > 10_000) for (const [k, v] of windows) if (now - v.start >= windowMs) windows.delete(k);
    }
    w.count++;
    if (w.count <= limit) return next();
    if (!w.warned) {
      w.warned = true;
      deps.logger.info('user is sending commands too fast; ignoring them for now', { user: id });
      await ctx.reply(t(ctx).tooFast);
    }
  });
  return c;
}
