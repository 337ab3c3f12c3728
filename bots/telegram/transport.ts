import { autoRetry } from '@grammyjs/auto-retry';
import { GrammyError, HttpError, type Api } from 'grammy';
import type { Config } from '../../src/config.js';
import { senderIdentity, type SendHooks, type Transport } from '../../src/delivery/platform.js';
import { DeliveryCancelledError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { effectiveTemplate, renderArticle } from '../../src/format/render.js';
import type { ChatTarget } from '../../src/model/delivery.js';
import type { LinkPreview } from '../../src/model/template.js';
import type { StoredArticle } from '../../src/model/article.js';
import type { PendingDelivery } from '../../src/model/delivery.js';
import { plainMarkup } from '../../src/format/post.js';
import { RollingLimiter } from './limiter.js';
import { telegramMarkup } from './markup.js';
import { createTelegramPostCorrector } from './post-corrector.js';
import { fullStoryMarkup, type FullStoryLinks } from './full-story.js';
import {
  CHAT_REFUSAL,
  describeTelegramError,
  isFormatRejection,
  isNotJsonAnswer,
  markSendingAsRequestLeaves,
  requestSignal,
  toDeliveryError,
  type RequestSignal,
} from './requests.js';
import type { TelegramSettings } from './config.js';

export type TelegramRate = TelegramSettings['rate'];

/** Longest 429 `retry_after` waited for in place; a longer one goes back to the worker as a scheduled retry. */
const MAX_RETRY_AFTER_SECONDS = 30;

/**
 * Installs the Bot API's limits on an Api: the rolling-window limiter (./limiter.ts) holds every request that names
 * a chat until the overall, per-chat and per-group windows all allow it, and auto-retry waits out a 429's
 * retry_after. Only 429s are retried here: a 5xx or a network failure may have delivered the message, so the worker
 * (which knows the delivery's attempts) decides about those.
 */
export function installLimits(api: Api, rate: TelegramRate, paidPerSecond?: number): RollingLimiter {
  // Installed first, so it is the innermost transformer: it runs after the limiter's wait, as the request leaves.
  api.config.use(markSendingAsRequestLeaves);
  const limiter = new RollingLimiter({ ...rate, paidPerSecond });
  api.config.use(async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (chatId === undefined) return prev(method, payload, signal);
    const answered = await limiter.acquire(
      String(chatId),
      (payload as { allow_paid_broadcast?: unknown }).allow_paid_broadcast === true,
    );
    try {
      return await prev(method, payload, signal);
    } finally {
      answered();
    }
  });
  api.config.use(
    autoRetry({
      maxDelaySeconds: MAX_RETRY_AFTER_SECONDS,
      maxRetryAttempts: 5,
      rethrowInternalServerErrors: true,
      rethrowHttpErrors: true,
    }),
  );
  return limiter;
}

/**
 * Deliveries handed to the limiter at once: about a tenth of a second of sending at the highest allowed rate (the
 * paid one when paid broadcasts are on), enough to cover a real round trip; at least 4 and never more than 128
 * (memory stays flat however large the broadcast). Only those actually on the wire are marked `sending`, so a crash
 * leaves no more than those in doubt.
 */
export const transportConcurrency = (perSecond: number): number =>
  Math.min(128, Math.max(4, Math.ceil(perSecond / 10) + 2));

/**
 * A photo that could not be sent, for a reason that does not concern the chat: the summary goes as text instead.
 * A 400 (bad or unreachable image URL) and a server that cannot take the photo (5xx, no Telegram error code, not
 * the Bot API's answer) fall back; a refusing or migrated chat, a 429 and a network failure do not (the text would
 * meet the same fate, and a network failure may have delivered the photo).
 */
function photoFallsBackToText(err: unknown): boolean {
  if (err instanceof HttpError) return isNotJsonAnswer(err);
  if (!(err instanceof GrammyError)) return false;
  const code = typeof err.error_code === 'number' ? err.error_code : undefined;
  if (code === 403 || code === 429) return false;
  if (code === 400)
    return err.parameters?.migrate_to_chat_id === undefined && !CHAT_REFUSAL.test(String(err.description ?? ''));
  return true;
}

type LinkPreviewOptions = NonNullable<NonNullable<Parameters<Api['sendMessage']>[2]>['link_preview_options']>;

/**
 * A chat's link preview as the Bot API's link_preview_options: none; small; or large and above the text (the
 * article's own picture as the message's lead, for a chat that gets text posts). Undefined: Telegram's default.
 * The preview names the article's URL, so it is the article's page even when the text shows no link.
 */
export function linkPreviewOptions(
  choice: LinkPreview | undefined,
  article: Pick<StoredArticle, 'url' | 'urgent'>,
): LinkPreviewOptions | undefined {
  if (choice === undefined) return undefined;
  const url = !article.urgent && article.url && /^https?:\/\//i.test(article.url) ? { url: article.url } : {};
  if (choice === 'none') return { is_disabled: true };
  if (choice === 'small') return { ...url, prefer_small_media: true };
  return { ...url, prefer_large_media: true, show_above_text: true };
}

export interface TelegramTransportOptions {
  api: Api;
  config: Pick<Config, 'timeZone' | 'template'> & { telegram: TelegramSettings };
  logger: Logger;
  isReady?: () => boolean;
  /** For the «النص الكامل» button under posts; without it, posts carry none. */
  fullStory?: FullStoryLinks;
}

/** The DeliveryWorker's way out to Telegram: one article to one chat (or forum topic) per call. */
export function createTelegramTransport({
  api,
  config,
  logger,
  isReady,
  fullStory,
}: TelegramTransportOptions): Transport {
  const token = config.telegram.token;
  const paidOn = config.telegram.paidBroadcast !== undefined;
  /** Where it goes, whether it rings (quiet hours' silent delivery) and whether it is paid: a forum topic; a broadcast an editor marked paid goes above the free rate (billed per message by Telegram). */
  const placement = (t: ChatTarget & { paid?: boolean }) => ({
    ...(t.threadId !== undefined ? { message_thread_id: t.threadId } : {}),
    ...(t.silent ? { disable_notification: true } : {}),
    ...(paidOn && t.paid ? { allow_paid_broadcast: true } : {}),
  });
  type Keyboard = Awaited<ReturnType<typeof fullStoryMarkup>>;
  const textMessage = async (
    t: ChatTarget & { paid?: boolean },
    text: string,
    html: boolean,
    signal: RequestSignal,
    preview?: LinkPreviewOptions,
    keyboard?: Keyboard,
  ) =>
    api.sendMessage(
      t.chatId,
      text,
      {
        ...(html ? { parse_mode: 'HTML' as const } : {}),
        ...(preview ? { link_preview_options: preview } : {}),
        ...(keyboard ? { reply_markup: keyboard } : {}),
        ...placement(t),
      },
      signal,
    );
  /** The «النص الكامل» button the chat's post carries, if any. */
  const keyboardFor = (d: PendingDelivery, article: StoredArticle) =>
    fullStoryMarkup(fullStory, article, d.chatKind, effectiveTemplate(config, d.template).fullStory);

  async function sendOnce(
    d: PendingDelivery,
    article: StoredArticle,
    signal: RequestSignal,
    keyboard: Keyboard,
  ): Promise<number> {
    const template = effectiveTemplate(config, d.template);
    if (article.imageUrl && template.leadPhoto !== false) {
      try {
        const caption = renderArticle(article, telegramMarkup, config, { caption: true, template: d.template });
        const photo = await api.sendPhoto(
          d.chatId,
          article.imageUrl,
          {
            caption,
            parse_mode: 'HTML',
            ...(keyboard ? { reply_markup: keyboard } : {}),
            ...placement(d),
          },
          signal,
        );
        return photo.message_id;
      } catch (err) {
        if (!photoFallsBackToText(err)) throw err;
        logger.warn('photo refused; sending the summary as text', {
          article: article.id,
          chat: d.chatId,
          error: describeTelegramError(err),
        });
      }
    }
    // With no choice made the link preview is Telegram's own: the article's page shows its picture under the summary.
    const text = renderArticle(article, telegramMarkup, config, { template: d.template });
    const message = await textMessage(
      d,
      text,
      true,
      signal,
      linkPreviewOptions(template.linkPreview, article),
      keyboard,
    );
    return message.message_id;
  }

  return {
    platform: 'telegram',
    sender: senderIdentity(token),
    concurrency: transportConcurrency(
      Math.max(config.telegram.rate.globalPerSecond, config.telegram.paidBroadcast?.ratePerSecond ?? 0),
    ),
    marksSending: true,
    isReady: isReady ?? (() => true),
    posts: createTelegramPostCorrector({ api, config, logger, fullStory }),
    async send(d: PendingDelivery, article: StoredArticle, hooks: SendHooks) {
      // The signal identifies this delivery's requests to the innermost transformer, which records `sending`.
      const signal = requestSignal(hooks);
      try {
        const keyboard = await keyboardFor(d, article);
        try {
          return { messageId: String(await sendOnce(d, article, signal, keyboard)) };
        } catch (err) {
          if (!isFormatRejection(err)) throw err;
          logger.error('telegram rejected the formatted message; sending plain text', {
            article: article.id,
            chat: d.chatId,
            error: (err as GrammyError).description,
          });
          const template = effectiveTemplate(config, d.template);
          const text = renderArticle(article, plainMarkup, config, { template: d.template });
          const message = await textMessage(
            d,
            text,
            false,
            signal,
            linkPreviewOptions(template.linkPreview, article),
            keyboard,
          );
          return { messageId: String(message.message_id) };
        }
      } catch (err) {
        if (err instanceof DeliveryCancelledError) throw err;
        throw toDeliveryError(err, article.imageUrl ? 'sendPhoto/sendMessage' : 'sendMessage', d.chatId, token);
      }
    },
    /** A digest: many links, so no preview (it would show the first one's page only). */
    async sendText(target: ChatTarget, text: string, hooks: SendHooks) {
      try {
        return {
          messageId: String(
            (await textMessage(target, text, true, requestSignal(hooks), { is_disabled: true })).message_id,
          ),
        };
      } catch (err) {
        if (err instanceof DeliveryCancelledError) throw err;
        throw toDeliveryError(err, 'sendMessage', target.chatId, token);
      }
    },
  };
}
