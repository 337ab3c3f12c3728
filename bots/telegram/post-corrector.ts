import { GrammyError, type Api } from 'grammy';
import type { Config } from '../../src/config.js';
import {
  CORRECTION_PREFIX,
  RETRACTION_NOTICE,
  type CorrectionResult,
  type PostCorrector,
} from '../../src/delivery/platform.js';
import { DeliveryCancelledError, PermanentDeliveryError } from '../../src/errors.js';
import { plainMarkup } from '../../src/format/post.js';
import { effectiveTemplate, renderArticle } from '../../src/format/render.js';
import type { Logger } from '../../src/logger.js';
import type { StoredArticle } from '../../src/model/article.js';
import type { PendingCorrection } from '../../src/model/correction.js';
import { escapeHtml, telegramMarkup } from './markup.js';
import { fullStoryMarkup, type FullStoryLinks } from './full-story.js';
import type { TelegramSettings } from './config.js';
import {
  describeTelegramError,
  isFormatRejection,
  requestSignal,
  toDeliveryError,
  type RequestSignal,
} from './requests.js';

/*
 * The Bot API's answers that a correction reads (400 Bad Request, in these words):
 * - "message is not modified: specified new message content and reply markup are exactly the same as a current
 *   content and reply markup of the message": the post already says it; done.
 * - "there is no text in the message to edit" / "there is no caption in the message to edit": a photo post is edited
 *   with editMessageCaption, a text post (or a photo that fell back to text) with editMessageText.
 * - "message to edit not found": the post was deleted in the chat; reported.
 * - "message can't be deleted" (older than 48 hours in a group or channel, or no right to delete) and "message
 *   can't be deleted for everyone" (a private chat): the retraction edits the post into the notice instead.
 * - "message to delete not found": already gone, which is what a retraction wants.
 */
const NOT_MODIFIED = /message is not modified/i;
const OTHER_KIND = /there is no (text|caption) in the message to edit/i;
const CANNOT_DELETE = /message can't be deleted|not enough rights|need administrator rights/i;
const ALREADY_DELETED = /message to delete not found/i;

const is400 = (err: unknown, pattern: RegExp): boolean =>
  err instanceof GrammyError && err.error_code === 400 && pattern.test(String(err.description ?? ''));

type Post = PendingCorrection & { messageId: string };
type Keyboard = Awaited<ReturnType<typeof fullStoryMarkup>>;

interface CorrectorOptions {
  api: Api;
  config: Pick<Config, 'timeZone' | 'template'> & { telegram: TelegramSettings };
  logger: Logger;
  /** A corrected post keeps its «النص الكامل» button (an edit without reply_markup would take it away). */
  fullStory?: FullStoryLinks;
}

/**
 * Corrections and retractions on Telegram, through the same Api as deliveries: its throttler paces every edit and
 * delete with the sends (Telegram counts edits against the same limits: about 20 a minute in a group), and the
 * innermost transformer records `sending` as each request leaves. One article has one post per chat, so a
 * retraction deletes with deleteMessage; deleteMessages (up to 100 ids of one chat) would only pay for several
 * posts in the same chat.
 */
export function createTelegramPostCorrector({ api, config, logger, fullStory }: CorrectorOptions): PostCorrector {
  const token = config.telegram.token;

  /** Edits the post's text or caption (whichever it has) to `text`; a post that already says it is `unchanged`. */
  async function editTo(
    post: Post,
    text: string,
    caption: string,
    html: boolean,
    photoFirst: boolean,
    signal: RequestSignal,
    keyboard?: Keyboard,
  ): Promise<'edited' | 'unchanged'> {
    const chat = post.chatId;
    const id = Number(post.messageId);
    const parse = { ...(html ? { parse_mode: 'HTML' as const } : {}), ...(keyboard ? { reply_markup: keyboard } : {}) };
    const asText = () => api.editMessageText(chat, id, text, parse, signal);
    const asCaption = () => api.editMessageCaption(chat, id, { caption, ...parse }, signal);
    const [first, second] = photoFirst ? [asCaption, asText] : [asText, asCaption];
    try {
      try {
        await first();
      } catch (err) {
        if (!is400(err, OTHER_KIND)) throw err;
        await second();
      }
      return 'edited';
    } catch (err) {
      if (is400(err, NOT_MODIFIED)) return 'unchanged';
      throw err;
    }
  }

  /** The post rendered as the chat's deliveries are (its own template), as a text and as a caption. */
  async function editArticle(
    post: Post,
    article: StoredArticle,
    signal: RequestSignal,
  ): Promise<'edited' | 'unchanged'> {
    const template = post.template;
    const photo = isPhotoPost(post, article);
    const keyboard = await fullStoryMarkup(
      fullStory,
      article,
      post.chatKind,
      effectiveTemplate(config, template).fullStory,
    );
    const as = (markup: typeof telegramMarkup) =>
      [
        renderArticle(article, markup, config, { template }),
        renderArticle(article, markup, config, { caption: true, template }),
      ] as const;
    try {
      return await editTo(post, ...as(telegramMarkup), true, photo, signal, keyboard);
    } catch (err) {
      if (!isFormatRejection(err)) throw err;
      logger.error('telegram rejected the formatted correction; editing as plain text', {
        article: article.id,
        chat: post.chatId,
        error: describeTelegramError(err),
      });
      return editTo(post, ...as(plainMarkup), false, photo, signal, keyboard);
    }
  }

  /** Sent as a photo when it has a lead image and the chat's template keeps photos (a refused photo went as text: the fallback finds it). */
  const isPhotoPost = (post: Post, article: StoredArticle) =>
    article.imageUrl !== undefined && effectiveTemplate(config, post.template).leadPhoto !== false;

  /**
   * A digest carries other articles too: editing or deleting it for one of them would take theirs away, so the
   * correction (or the notice) is a reply to it, as on WhatsApp once its edit window has passed.
   */
  async function replyToDigest(post: Post, text: string, signal: RequestSignal): Promise<string> {
    const reply = await api.sendMessage(
      post.chatId,
      text,
      {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_parameters: { message_id: Number(post.messageId), allow_sending_without_reply: true },
        ...(post.threadId !== undefined ? { message_thread_id: post.threadId } : {}),
      },
      signal,
    );
    return String(reply.message_id);
  }

  return {
    async edit(post, article, hooks): Promise<CorrectionResult> {
      const signal = requestSignal(hooks);
      try {
        if (post.digest) {
          const text = `${CORRECTION_PREFIX}\n${renderArticle(article, telegramMarkup, config, { template: post.template })}`;
          return { outcome: 'replied', answer: await replyToDigest(post, text, signal) };
        }
        return { outcome: await editArticle(post, article, signal) };
      } catch (err) {
        if (err instanceof DeliveryCancelledError) throw err;
        throw toDeliveryError(
          err,
          article.imageUrl ? 'editMessageCaption/editMessageText' : 'editMessageText',
          post.chatId,
          token,
        );
      }
    },

    async remove(post, article, hooks): Promise<CorrectionResult> {
      const signal = requestSignal(hooks);
      try {
        if (post.digest) {
          await replyToDigest(post, `${RETRACTION_NOTICE}: ${escapeHtml(article.title)}`, signal);
          return { outcome: 'notice', answer: 'a digest shared with other articles: the notice was posted as a reply' };
        }
        await api.deleteMessage(post.chatId, Number(post.messageId), signal);
        return { outcome: 'deleted' };
      } catch (err) {
        if (err instanceof DeliveryCancelledError) throw err;
        if (is400(err, ALREADY_DELETED)) return { outcome: 'deleted', answer: 'already deleted in the chat' };
        if (!is400(err, CANNOT_DELETE)) throw toDeliveryError(err, 'deleteMessage', post.chatId, token);
        const refusal = describeTelegramError(err);
        try {
          await editTo(post, RETRACTION_NOTICE, RETRACTION_NOTICE, false, isPhotoPost(post, article), signal);
          return { outcome: 'notice', answer: refusal };
        } catch (noticeErr) {
          if (noticeErr instanceof DeliveryCancelledError) throw noticeErr;
          const why = `cannot delete (${refusal}) nor edit into the notice (${describeTelegramError(noticeErr)})`;
          throw new PermanentDeliveryError(
            `telegram post ${post.messageId} in chat ${post.chatId}: ${why}`.split(token).join('[redacted]'),
            { method: 'deleteMessage', chatId: post.chatId, deactivate: false },
          );
        }
      }
    },
  };
}
