import { bool, ConfigValueError, list, optionalInt, int, str, url, type Env } from '../../src/config.js';
import { TELEGRAM_LABEL } from './label.js';

/** Telegram's settings, from TELEGRAM_* variables (see .env.example). */
export interface TelegramSettings {
  token: string;
  apiRoot: string;
  editorIds: string[];
  webhookUrl?: string;
  webhookPort?: number;
  rate: { globalPerSecond: number; perChatPerSecond: number; perGroupPerMinute: number };
  /** Paid broadcasts (`allow_paid_broadcast`): off unless TELEGRAM_PAID_BROADCAST_RATE is set. */
  paidBroadcast?: { ratePerSecond: number; starsPerMessage: number; urgent: boolean };
}

/**
 * Telegram's price for a paid broadcast message, from the Bot API's description of `allow_paid_broadcast` (checked
 * November 2026): "up to 1000 messages per second, ignoring broadcasting limits for a fee of 0.1 Telegram Stars per
 * message". Only the messages sent above the free limits are billed (TransactionPartnerTelegramApi.request_count),
 * so messages × price is the most a broadcast can cost.
 */
export const PAID_BROADCAST_STARS_PER_MESSAGE = 0.1;
/** What Telegram charges paid broadcasts in (the descriptor's paidBroadcast unit). */
export const PAID_BROADCAST_UNIT = 'Stars';
/** Telegram's ceiling with paid broadcasts. */
export const PAID_BROADCAST_MAX_PER_SECOND = 1000;

/** On when TELEGRAM_BOT_TOKEN is set; every other TELEGRAM_ variable is checked even when it is not. */
export function parseTelegramSettings(env: Env): TelegramSettings | undefined {
  const settings = {
    apiRoot: url(env, 'TELEGRAM_API_ROOT', 'https://api.telegram.org'),
    editorIds: list(env, 'TELEGRAM_EDITOR_IDS').map((id) => {
      if (!/^\d{1,20}$/.test(id))
        throw new ConfigValueError('TELEGRAM_EDITOR_IDS', {
          kind: 'user-id',
          value: id,
          platform: TELEGRAM_LABEL,
          ask: '@userinfobot',
        });
      return id;
    }),
    webhookUrl: str(env, 'TELEGRAM_WEBHOOK_URL'),
    webhookPort: optionalInt(env, 'TELEGRAM_WEBHOOK_PORT', 1, 65535),
    rate: {
      globalPerSecond: int(env, 'TELEGRAM_RATE_PER_SECOND', 30, 1),
      perChatPerSecond: int(env, 'TELEGRAM_RATE_PER_CHAT_PER_SECOND', 1, 1),
      perGroupPerMinute: int(env, 'TELEGRAM_RATE_PER_GROUP_PER_MINUTE', 20, 1),
    },
    paidBroadcast: paidBroadcastSettings(env),
  };
  if (settings.paidBroadcast && settings.paidBroadcast.ratePerSecond <= settings.rate.globalPerSecond) {
    throw new ConfigValueError('TELEGRAM_PAID_BROADCAST_RATE', {
      kind: 'paid-rate-not-above',
      value: settings.paidBroadcast.ratePerSecond,
      other: 'TELEGRAM_RATE_PER_SECOND',
      otherValue: settings.rate.globalPerSecond,
    });
  }
  if (settings.webhookUrl) url(env, 'TELEGRAM_WEBHOOK_URL', settings.webhookUrl);
  const token = str(env, 'TELEGRAM_BOT_TOKEN');
  return token === undefined ? undefined : { token: telegramToken(token), ...settings };
}

/** Every paid-broadcast variable is checked even while TELEGRAM_PAID_BROADCAST_RATE is unset (off). */
function paidBroadcastSettings(env: Env): TelegramSettings['paidBroadcast'] {
  const ratePerSecond = optionalInt(env, 'TELEGRAM_PAID_BROADCAST_RATE', 1, PAID_BROADCAST_MAX_PER_SECOND);
  const price = str(env, 'TELEGRAM_PAID_BROADCAST_STARS_PER_MESSAGE');
  const starsPerMessage = price === undefined ? PAID_BROADCAST_STARS_PER_MESSAGE : Number(price);
  if (!Number.isFinite(starsPerMessage) || starsPerMessage < 0) {
    throw new ConfigValueError('TELEGRAM_PAID_BROADCAST_STARS_PER_MESSAGE', {
      kind: 'price',
      value: String(price),
      unit: PAID_BROADCAST_UNIT,
      example: PAID_BROADCAST_STARS_PER_MESSAGE,
    });
  }
  const urgent = bool(env, 'TELEGRAM_PAID_BROADCAST_URGENT', false);
  return ratePerSecond === undefined ? undefined : { ratePerSecond, starsPerMessage, urgent };
}

/** A token from @BotFather: the bot's id, a colon, then its secret, at least this many characters of [A-Za-z0-9_-]. */
const TOKEN_SECRET_MIN = 20;
const TOKEN_SHAPE = new RegExp(`^\\d+:[A-Za-z0-9_-]{${TOKEN_SECRET_MIN},}$`);

/** Checks the shape only, and never echoes the token back (it is a secret). */
function telegramToken(token: string): string {
  if (!TOKEN_SHAPE.test(token)) {
    throw new ConfigValueError('TELEGRAM_BOT_TOKEN', {
      kind: 'token',
      issuer: '@BotFather',
      form: 'id-colon-secret',
      secretMin: TOKEN_SECRET_MIN,
    });
  }
  return token;
}
