import { Composer, GrammyError, InlineKeyboard, type Api, type Context } from 'grammy';
import type { Config } from '../../src/config.js';
import { errorMessage, PermissionError, UserError } from '../../src/errors.js';
import { renderArticle } from '../../src/format/render.js';
import type { Logger } from '../../src/logger.js';
import type { StoredArticle } from '../../src/model/article.js';
import type { Review } from '../../src/model/review.js';
import {
  decideReview,
  recordReviewCopy,
  reviewCopies,
  type NewsroomDeps,
  type ReviewResult,
} from '../../src/newsroom/index.js';
import { actorOf, PLATFORM, t } from './context.js';
import { messages, type Messages } from './i18n.js';
import { telegramMarkup } from './markup.js';

/** What asking and updating the editors needs: the run's context, as the adapter has it. */
export interface ReviewDeps {
  config: Config;
  logger: Logger;
  newsroom: NewsroomDeps;
}

const reviewKeyboard = (m: Messages, review: Review) =>
  new InlineKeyboard()
    .text(m.reviewPublish, `rv:pub:${review.articleId}:${review.token}`)
    .text(m.reviewDismiss, `rv:dis:${review.articleId}:${review.token}`);

/**
 * One private message per editor (TELEGRAM_EDITOR_IDS and the store's) for an item held for review: the post exactly
 * as subscribers will get it (a photo with its caption, or text) with «نشر» / «تجاهل». Each message is recorded so
 * every copy can be updated once one editor has decided. Sent in Arabic: no update tells the bot an editor's
 * language outside a conversation.
 */
export async function askEditorsToReview(
  deps: ReviewDeps,
  api: Api,
  article: StoredArticle,
  review: Review,
): Promise<void> {
  const reply_markup = reviewKeyboard(messages('ar'), review);
  for (const editor of await deps.newsroom.editors.on(PLATFORM)) {
    try {
      const sent = await sendPreview(deps, api, editor, article, reply_markup);
      await recordReviewCopy(deps.newsroom, {
        articleId: article.id,
        platform: PLATFORM,
        chatId: editor,
        messageId: String(sent.messageId),
        captioned: sent.captioned,
      });
    } catch (err) {
      // An editor who never opened a chat with the bot cannot be written to first (403): the others still are.
      deps.logger.warn('review not sent to an editor', { editor, article: article.id, error: errorMessage(err) });
    }
  }
}

async function sendPreview(
  deps: ReviewDeps,
  api: Api,
  chatId: string,
  article: StoredArticle,
  reply_markup: InlineKeyboard,
): Promise<{ messageId: number; captioned: boolean }> {
  if (article.imageUrl) {
    try {
      const caption = renderArticle(article, telegramMarkup, deps.config, { caption: true });
      const sent = await api.sendPhoto(chatId, article.imageUrl, { caption, parse_mode: 'HTML', reply_markup });
      return { messageId: sent.message_id, captioned: true };
    } catch (err) {
      if (!(err instanceof GrammyError) || err.error_code !== 400) throw err;
      deps.logger.warn('review photo refused; sending text', { article: article.id, error: errorMessage(err) });
    }
  }
  const sent = await api.sendMessage(chatId, renderArticle(article, telegramMarkup, deps.config), {
    parse_mode: 'HTML',
    reply_markup,
  });
  return { messageId: sent.message_id, captioned: false };
}

/**
 * «نشر» / «تجاهل»: the newsroom decides (the editor list is checked again, and only the first press counts), then
 * every editor's copy loses its buttons and says who decided. A press on a copy someone else (or the CLI) already
 * decided updates the copies the same way.
 */
export function review(deps: ReviewDeps): Composer<Context> {
  const c = new Composer<Context>();
  c.callbackQuery(/^rv:(pub|dis):(\d+):([0-9a-f]+)$/, async (ctx) => {
    const [, verdict, idText, token] = ctx.match;
    const m = t(ctx);
    let r: ReviewResult;
    try {
      r = await decideReview(
        deps.newsroom,
        actorOf(ctx),
        Number(idText),
        verdict === 'pub' ? 'publish' : 'dismiss',
        token,
      );
    } catch (err) {
      if (err instanceof PermissionError)
        return void (await ctx.answerCallbackQuery({ text: m.notEditor, show_alert: true }));
      if (err instanceof UserError) {
        await ctx.answerCallbackQuery({ text: m.reviewGone });
        return void (await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined));
      }
      throw err;
    }
    const presser = [ctx.from.first_name, ctx.from.username ? `@${ctx.from.username}` : ''].filter(Boolean).join(' ');
    const who = r.kind === 'done' ? presser : deciderName(m, r.review, ctx.from.id, presser);
    if (r.kind === 'already-decided') await ctx.answerCallbackQuery({ text: m.reviewAlready(who) });
    else
      await ctx.answerCallbackQuery({
        text: r.review.state === 'published' ? m.reviewPublishedToast(r.queued) : m.reviewDismissedToast,
      });
    await updateCopies(deps, ctx.api, r.article, r.review, deciderName(messages('ar'), r.review, ctx.from.id, presser));
  });
  return c;
}

function deciderName(m: Messages, review: Review, presserId: number, presser: string): string {
  const by = review.decidedBy;
  if (!by) return '?';
  if (by.platform === PLATFORM && by.id === String(presserId)) return presser;
  return by.platform === 'cli'
    ? m.reviewOperator
    : m.reviewEditor(by.platform === PLATFORM ? by.id : `${by.platform}:${by.id}`);
}

/** Every editor's copy: no buttons, and who decided above the headline (plain text, so a name cannot inject markup). */
async function updateCopies(
  deps: ReviewDeps,
  api: Api,
  article: StoredArticle,
  review: Review,
  who: string,
): Promise<void> {
  const m = messages('ar');
  const label = review.state === 'published' ? m.reviewPublished(who, review.queued ?? 0) : m.reviewDismissed(who);
  const text = `${label}\n${article.title}`;
  for (const copy of await reviewCopies(deps.newsroom, article.id, PLATFORM)) {
    const edit = copy.captioned
      ? api.editMessageCaption(copy.chatId, Number(copy.messageId), { caption: text, reply_markup: undefined })
      : api.editMessageText(copy.chatId, Number(copy.messageId), text, { reply_markup: undefined });
    // "message is not modified": this copy already says it (a second press on a decided item).
    await edit.catch((err) =>
      deps.logger.debug('review message not updated', { chat: copy.chatId, error: errorMessage(err) }),
    );
  }
}
