/**
 * One Bot API request as the transports make it: the signal that ties it to its job (the innermost transformer
 * records `sending` as it leaves), and its failure described and mapped to Nashra's delivery errors. Shared by the
 * delivery transport and the post corrector, so neither imports the other.
 */
import { GrammyError, HttpError, type Api, type Transformer } from 'grammy';
import type { SendHooks } from '../../src/delivery/platform.js';
import {
  ChatMigratedError,
  DeliveryCancelledError,
  errorMessage,
  PermanentDeliveryError,
  TemporaryDeliveryError,
} from '../../src/errors.js';

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

export const markSendingAsRequestLeaves: Transformer = async (prev, method, payload, signal) => {
  const sending = signal && sendingHooks.get(signal);
  if (sending && !(await sending())) {
    throw new DeliveryCancelledError(`telegram ${method}: the delivery was finished elsewhere while it waited`, {
      method,
    });
  }
  return prev(method, payload, signal);
};

/** A send that the server refused because of its markup: worth one retry as plain text. */
export const isFormatRejection = (err: unknown): boolean =>
  err instanceof GrammyError &&
  err.error_code === 400 &&
  /too long|can't parse entities|can't find end of the entity/i.test(err.description);

/** Telegram's failure answer as grammY passes it on: `error_code` and `description` may be missing from a server that is not Telegram. */
interface FailureAnswer {
  error_code?: unknown;
  description?: unknown;
}

/** «400: Bad Request: chat not found»; an answer without Telegram's fields says so instead of «undefined undefined». */
export function describeAnswer(answer: FailureAnswer): string {
  const code = typeof answer.error_code === 'number' ? answer.error_code : undefined;
  const description =
    typeof answer.description === 'string' && answer.description.trim() ? answer.description.trim() : undefined;
  if (code !== undefined) return description ? `${code}: ${description}` : `${code}, no description`;
  return `an answer without a Telegram error code${description ? `: ${description}` : ''}`;
}

/**
 * grammY turns a body that is not JSON (a proxy's HTML error page, an emulator's plain "Internal Server Error") into
 * an HttpError around node-fetch's "invalid-json" error, whatever the HTTP status.
 */
export const isNotJsonAnswer = (err: HttpError): boolean => {
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
    if (isNotJsonAnswer(err)) return "an answer that is not the Bot API's (not JSON)";
    const code = (err.error as { code?: unknown } | undefined)?.code;
    return `network error${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  return errorMessage(err);
}

/** Chat-level refusals: the chat is gone or closed to the bot, whatever the message. */
export const CHAT_REFUSAL =
  /chat not found|user not found|chat_write_forbidden|not enough rights|bot was kicked|deactivated/i;

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
  if (!(err instanceof GrammyError) || typeof err.error_code !== 'number')
    return new TemporaryDeliveryError(what, { method, chatId });
  const code = err.error_code;
  const description = typeof err.description === 'string' ? err.description : '';
  const migrateTo = err.parameters?.migrate_to_chat_id;
  if (code === 400 && migrateTo !== undefined)
    return new ChatMigratedError(what, String(migrateTo), { method, code, chatId });
  if (code === 429)
    return new TemporaryDeliveryError(what, {
      method,
      code,
      chatId,
      retryAfterMs: (err.parameters?.retry_after ?? 1) * 1000,
    });
  if (code === 403 || (code === 400 && CHAT_REFUSAL.test(description)))
    return new PermanentDeliveryError(what, { method, code, chatId });
  // Other 400s (bad request for this one message) will not get better by retrying.
  if (code === 400) return new PermanentDeliveryError(what, { method, code, chatId, deactivate: false });
  return new TemporaryDeliveryError(what, { method, code, chatId });
}
