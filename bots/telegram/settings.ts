import { list, optionalInt, int, str, url, type Env } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

/** Telegram's settings, from TELEGRAM_* variables (see .env.example). */
export interface TelegramSettings {
  token: string;
  apiRoot: string;
  editorIds: string[];
  webhookUrl?: string;
  webhookPort?: number;
  rate: { globalPerSecond: number; perChatPerSecond: number; perGroupPerMinute: number };
}

export const TELEGRAM_VARIABLES = [
  'TELEGRAM_BOT_TOKEN', 'TELEGRAM_API_ROOT', 'TELEGRAM_EDITOR_IDS', 'TELEGRAM_WEBHOOK_URL', 'TELEGRAM_WEBHOOK_PORT',
  'TELEGRAM_RATE_PER_SECOND', 'TELEGRAM_RATE_PER_CHAT_PER_SECOND', 'TELEGRAM_RATE_PER_GROUP_PER_MINUTE',
] as const;

/** On when TELEGRAM_BOT_TOKEN is set; every other TELEGRAM_ variable is checked even when it is not. */
export function parseTelegramSettings(env: Env): TelegramSettings | undefined {
  const settings = {
    apiRoot: url(env, 'TELEGRAM_API_ROOT', 'https://api.telegram.org'),
    editorIds: list(env, 'TELEGRAM_EDITOR_IDS').map((id) => {
      if (!/^\d{1,20}$/.test(id)) throw new ConfigError('TELEGRAM_EDITOR_IDS', `"${id}" is not a numeric Telegram user id (ask @userinfobot for yours)`);
      return id;
    }),
    webhookUrl: str(env, 'TELEGRAM_WEBHOOK_URL'),
    webhookPort: optionalInt(env, 'TELEGRAM_WEBHOOK_PORT', 1, 65535),
    rate: {
      globalPerSecond: int(env, 'TELEGRAM_RATE_PER_SECOND', 30, 1),
      perChatPerSecond: int(env, 'TELEGRAM_RATE_PER_CHAT_PER_SECOND', 1, 1),
      perGroupPerMinute: int(env, 'TELEGRAM_RATE_PER_GROUP_PER_MINUTE', 20, 1),
    },
  };
  if (settings.webhookUrl) url(env, 'TELEGRAM_WEBHOOK_URL', settings.webhookUrl);
  const token = str(env, 'TELEGRAM_BOT_TOKEN');
  return token === undefined ? undefined : { token: telegramToken(token), ...settings };
}

/** Checks the shape only, and never echoes the token back (it is a secret). */
function telegramToken(token: string): string {
  if (!/^\d+:[A-Za-z0-9_-]{20,}$/.test(token)) {
    throw new ConfigError('TELEGRAM_BOT_TOKEN', 'does not look like a bot token from @BotFather (digits, a colon, then 20+ letters, digits, _ or -)');
  }
  return token;
}
