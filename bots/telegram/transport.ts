import { autoRetry } from '@grammyjs/auto-retry';
import { GrammyError, HttpError, type Api, type Transformer } from 'grammy';
import type { Config } from '../../src/config.js';
import type { SendHooks, Transport } from '../../src/delivery/platform.js';
import { ChatMigratedError, DeliveryCancelledError, errorMessage, PermanentDeliveryError, TemporaryDeliveryError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { effectiveTemplate, renderArticle } from '../../src/format/render.js';
import type { ChatTarget } from '../../src/model/delivery.js';
import type { LinkPreview } from '../../src/model/template.js';
import type { PendingDelivery, StoredArticle } from '../../src/store/index.js';
import { plainMarkup } from '../../src/format/post.js';
import { RollingLimiter } from './limiter.js';
import { telegramMarkup } from './markup.js';
import { createTelegramPostCorrector } from './corrections.js';
import type { TelegramSettings } from './settings.js';

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
    const answered = await limiter.acquire(String(chatId), (payload as { allow_paid_broadcast?: unknown }).allow_paid_broadcast === true);
    try {
      return await prev(method, payload, signal);
    } finally {
      answered();
    }
  });
  api.config.use(autoRetry({
    maxDelaySeconds: MAX_RETRY_AFTER_SECONDS, maxRetryAttempts: 5,
    rethrowInternalServerErrors: true, rethrowHttpErrors: true,
  }));
  return limiter;
}

/** grammY's own AbortSignal type (from its fetch polyfill's typings); at run time it is Node's. */
export type RequestSignal = NonNullable<Parameters<Api['sendMessage']>[3]>;

/** Per request (keyed by the signal the transport passes): the worker's hook that records `sending`. */
const sendingHooks = new WeakMap<object, SendHooks['sending']>();

/** A signal that identifies one job's requests to the innermost transformer, which calls `hooks.sending()` as each leaves. */
export function requestSignal(hooks: SendHooks): RequestSignal {
  const signal = new AbortController().signal as unknown as RequestSignal;
  sendingHooks.set(signal, hooks.sending);
  return signal;
}

const markSendingAsRequestLeaves: Transformer = async (prev, method, payload, signal) => {
  const sending = signal && sendingHooks.get(signal);
  if (sending && !(await sending())) {
    throw new DeliveryCancelledError(`telegram ${method}: the delivery was finished elsewhere while it waited`, { method });
  }
  return prev(method, payload, signal);
};

/**
 * Deliveries handed to the limiter at once: about a tenth of a second of sending at the highest allowed rate (the
 * paid one when paid broadcasts are on), enough to cover a real round trip; at least 4 and never more than 128
 * (memory stays flat however large the broadcast). Only those actually on the wire are marked `sending`, so a crash
 * leaves no more than those in doubt.
 */
export const transportConcurrency = (perSecond: number): number => Math.min(128, Math.max(4, Math.ceil(perSecond / 10) + 2));

/** A send that the server refused because of its markup: worth one retry as plain text. */
export const isFormatRejection = (err: unknown): boolean =>
  err instanceof GrammyError && err.error_code === 400 && /too long|can't parse entities|can't find end of the entity/i.test(err.description);

/** Telegram's failure answer as grammY passes it on: `error_code` and `description` may be missing from a server that is not Telegram. */
interface FailureAnswer { error_code?: unknown; description?: unknown }

/** «400: Bad Request: chat not found»; an answer without Telegram's fields says so instead of «undefined undefined». */
export function describeAnswer(answer: FailureAnswer): string {
  const code = typeof answer.error_code === 'number' ? answer.error_code : undefined;
  const description = typeof answer.description === 'string' && answer.description.trim() ? answer.description.trim() : undefined;
  if (code !== undefined) return description ? `${code}: ${description}` : `${code}, no description`;
  return `an answer without a Telegram error code${description ? `: ${description}` : ''}`;
}

/**
 * grammY turns a body that is not JSON (a proxy's HTML error page, an emulator's plain "Internal Server Error") into
 * an HttpError around node-fetch's "invalid-json" error, whatever the HTTP status.
 */
const isNotJsonAnswer = (err: HttpError): boolean => {
  const inner = err.error as { type?: unknown } | undefined;
  return inner instanceof SyntaxError || inner?.type === 'invalid-json';
};

/**
 * One line for a failed Bot API call: Telegram's code and description, "an answer that is not the Bot API's" or
 * the network error's code. Never the request URL (it holds the token), so node-fetch's own messages are not used.
 */
export function describeTelegramError(err: unknown): string {
  if (err instanceof GrammyError) return describeAnswer(err);
  if (err instanceof HttpError) {
    if (isNotJsonAnswer(err)) return 'an answer that is not the Bot API\'s (not JSON)';
    const code = (err.error as { code?: unknown } | undefined)?.code;
    return `network error${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  return errorMessage(err);
}

/** Chat-level refusals: the chat is gone or closed to the bot, whatever the message. */
const CHAT_REFUSAL = /chat not found|user not found|chat_write_forbidden|not enough rights|bot was kicked|deactivated/i;

/**
 * Maps a grammY error to Nashra's delivery errors. Only a clear client error is permanent: 403, or a 400 (the chat
 * refuses, or this one message is bad). A 5xx, a 429, a code Telegram does not use for refusals, an answer without
 * an error code and a body that is not the Bot API's are temporary: the worker retries them with backoff (an
 * emulator or a proxy answering HTTP 500 without Telegram's fields once marked 16 deliveries failed for good).
 * The message names the method and the answer, never the URL; the token is masked again in case a description
 * echoes it.
 */
export function toDeliveryError(err: unknown, method: string, chatId: string, token: string): Error {
  const mask = (s: string) => s.split(token).join('[redacted]');
  const what = mask(`telegram ${method} to chat ${chatId} failed (${describeTelegramError(err)})`);
  if (!(err instanceof GrammyError) || typeof err.error_code !== 'number') return new TemporaryDeliveryError(what, { method, chatId });
  const code = err.error_code;
  const description = typeof err.description === 'string' ? err.description : '';
  const migrateTo = err.parameters?.migrate_to_chat_id;
  if (code === 400 && migrateTo !== undefined) return new ChatMigratedError(what, String(migrateTo), { method, code, chatId });
  if (code === 429) return new TemporaryDeliveryError(what, { method, code, chatId, retryAfterMs: (err.parameters?.retry_after ?? 1) * 1000 });
  if (code === 403 || (code === 400 && CHAT_REFUSAL.test(description))) return new PermanentDeliveryError(what, { method, code, chatId });
  // Other 400s (bad request for this one message) will not get better by retrying.
  if (code === 400) return new PermanentDeliveryError(what, { method, code, chatId, deactivate: false });
  return new TemporaryDeliveryError(what, { method, code, chatId });
}

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
  if (code === 400) return err.parameters?.migrate_to_chat_id === undefined && !CHAT_REFUSAL.test(String(err.description ?? ''));
  return true;
}

type LinkPreviewOptions = NonNullable<NonNullable<Parameters<Api['sendMessage']>[2]>['link_preview_options']>;

/**
 * A chat's link preview as the Bot API's link_preview_options: none; small; or large and above the text (the
 * article's own picture as the message's lead, for a chat that gets text posts). Undefined: Telegram's default.
 * The preview names the article's URL, so it is the article's page even when the text shows no link.
 */
export function linkPreviewOptions(choice: LinkPreview | undefined, article: Pick<StoredArticle, 'url' | 'urgent'>): LinkPreviewOptions | undefined {
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
}

/** The DeliveryWorker's way out to Telegram: one article to one chat (or forum topic) per call. */
export function createTelegramTransport({ api, config, logger, isReady }: TelegramTransportOptions): Transport {
  const token = config.telegram.token;
  const paidOn = config.telegram.paidBroadcast !== undefined;
  /** Where it goes, whether it rings (quiet hours' silent delivery) and whether it is paid: a forum topic; a broadcast an editor marked paid goes above the free rate (billed per message by Telegram). */
  const placement = (t: ChatTarget & { paid?: boolean }) => ({
    ...(t.threadId !== undefined ? { message_thread_id: t.threadId } : {}),
    ...(t.silent ? { disable_notification: true } : {}),
    ...(paidOn && t.paid ? { allow_paid_broadcast: true } : {}),
  });
  const textMessage = async (t: ChatTarget & { paid?: boolean }, text: string, html: boolean, signal: RequestSignal, preview?: LinkPreviewOptions) =>
    api.sendMessage(t.chatId, text, {
      ...(html ? { parse_mode: 'HTML' as const } : {}),
      ...(preview ? { link_preview_options: preview } : {}),
      ...placement(t),
    }, signal);

  async function sendOnce(d: PendingDelivery, article: StoredArticle, signal: RequestSignal): Promise<number> {
    const template = effectiveTemplate(config, d.template);
    if (article.imageUrl && template.leadPhoto !== false) {
      try {
        const caption = renderArticle(article, telegramMarkup, config, { caption: true, template: d.template });
        const photo = await api.sendPhoto(d.chatId, article.imageUrl, { caption, parse_mode: 'HTML', ...placement(d) }, signal);
        return photo.message_id;
      } catch (err) {
        if (!photoFallsBackToText(err)) throw err;
        logger.warn('photo refused; sending the summary as text', { article: article.id, chat: d.chatId, error: describeTelegramError(err) });
      }
    }
    // With no choice made the link preview is Telegram's own: the article's page shows its picture under the summary.
    const text = renderArticle(article, telegramMarkup, config, { template: d.template });
    const message = await textMessage(d, text, true, signal, linkPreviewOptions(template.linkPreview, article));
    return message.message_id;
  }

  return {
    platform: 'telegram',
    concurrency: transportConcurrency(Math.max(config.telegram.rate.globalPerSecond, config.telegram.paidBroadcast?.ratePerSecond ?? 0)),
    marksSending: true,
    isReady: isReady ?? (() => true),
    posts: createTelegramPostCorrector({ api, config, logger }),
    async send(d: PendingDelivery, article: StoredArticle, hooks: SendHooks) {
      // The signal identifies this delivery's requests to the innermost transformer, which records `sending`.
      const signal = requestSignal(hooks);
      try {
        try {
          return { messageId: String(await sendOnce(d, article, signal)) };
        } catch (err) {
          if (!isFormatRejection(err)) throw err;
          logger.error('telegram rejected the formatted message; sending plain text', {
            article: article.id, chat: d.chatId, error: (err as GrammyError).description,
          });
          const template = effectiveTemplate(config, d.template);
          const text = renderArticle(article, plainMarkup, config, { template: d.template });
          const message = await textMessage(d, text, false, signal, linkPreviewOptions(template.linkPreview, article));
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
        return { messageId: String((await textMessage(target, text, true, requestSignal(hooks), { is_disabled: true })).message_id) };
      } catch (err) {
        if (err instanceof DeliveryCancelledError) throw err;
        throw toDeliveryError(err, 'sendMessage', target.chatId, token);
      }
    },
  };
}
