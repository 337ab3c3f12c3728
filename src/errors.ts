/**
 * Error types decide what happens next, not their messages:
 * - UserError: the person at the keyboard gave something wrong; print one line, exit non-zero, no stack.
 * - PermissionError: that person may not do this; refuse in one line, nothing changed.
 * - ConfigError: the configuration is wrong; fail fast at start-up naming the variable.
 * - PermanentDeliveryError: the platform refused for good (blocked, kicked, chat gone); never retried.
 * - TemporaryDeliveryError: network, 5xx, 429; retried after `retryAfterMs` or with backoff.
 */
export class UserError extends Error {
  override name = 'UserError';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export interface DeliveryErrorDetails {
  /** The platform method, e.g. "sendMessage". */
  method: string;
  /** The platform's own code (Telegram error_code, HTTP status), when there was one. */
  code?: number;
  /** The chat the request was for. */
  chatId?: string;
}

export class DeliveryError extends Error {
  readonly method: string;
  readonly code?: number;
  readonly chatId?: string;
  constructor(message: string, details: DeliveryErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.method = details.method;
    this.code = details.code;
    this.chatId = details.chatId;
  }
}

/** The chat can no longer receive (blocked, kicked, deleted): the subscription is deactivated. */
export class PermanentDeliveryError extends DeliveryError {
  override name = 'PermanentDeliveryError';
  /** True when the subscription itself must be deactivated (not only this one message failed). */
  readonly deactivate: boolean;
  constructor(
    message: string,
    details: DeliveryErrorDetails & { deactivate?: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, details, options);
    this.deactivate = details.deactivate ?? true;
  }
}

/** Worth retrying: `retryAfterMs` when the platform said how long to wait (429), otherwise backoff. */
export class TemporaryDeliveryError extends DeliveryError {
  override name = 'TemporaryDeliveryError';
  readonly retryAfterMs?: number;
  constructor(
    message: string,
    details: DeliveryErrorDetails & { retryAfterMs?: number },
    options?: { cause?: unknown },
  ) {
    super(message, details, options);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The formatted message was rejected as malformed (too long, bad entities): send the plain-text version instead. */
export class FormatRejectedError extends DeliveryError {
  override name = 'FormatRejectedError';
}

/**
 * The delivery was finished elsewhere while it waited for its turn (an editor stopped the broadcast, the
 * subscription was deactivated): the request was never sent and there is nothing left to do.
 */
export class DeliveryCancelledError extends DeliveryError {
  override name = 'DeliveryCancelledError';
}

/** The chat moved (Telegram group → supergroup): the subscription follows and the delivery is retried there. */
export class ChatMigratedError extends DeliveryError {
  override name = 'ChatMigratedError';
  constructor(
    message: string,
    readonly newChatId: string,
    details: DeliveryErrorDetails,
  ) {
    super(message, details);
  }
}

/**
 * The database was closed (the run stopped): nothing more is read or written; what was not written is done after
 * the restart. Raised to work that asks the store after it closed, or was still waiting for it then.
 */
export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
  constructor() {
    super('the database was closed (the run stopped)');
  }
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The person asking may not do this (not an editor, not an admin of that group): refuse politely in their own
 * words, and change nothing. Raised by the newsroom actions, which check permissions themselves.
 */
export class PermissionError extends Error {
  override name = 'PermissionError';
}
