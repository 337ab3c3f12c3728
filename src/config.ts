import { ConfigError } from './errors.js';
import type { LogLevel } from './logger.js';
import type { InDoubtPolicy } from './store/index.js';

/** Everything Nashra reads from the environment, parsed once. See .env.example for what each one means. */
export interface Config {
  databasePath: string;
  logLevel: LogLevel;
  logFormat: 'text' | 'json';
  timeZone: string;
  summary: { sentences: number; minSentences: number; maxChars: number };
  template: { headerMark?: string; footer?: string };
  inDoubtPolicy: InDoubtPolicy;
  healthPort?: number;
  /** The editors' web desk: served when `port` is set (and by `npm start` on `defaultPort` with no platform). */
  web: { port?: number; defaultPort: number; host: string; secureCookies: boolean; sessionIdleMs: number };
  fetch: { allowPrivate: boolean; timeoutMs: number; maxBytes: number; userAgent: string; concurrency: number };
  telegram?: {
    token: string;
    apiRoot: string;
    editorIds: string[];
    webhookUrl?: string;
    webhookPort?: number;
    rate: { globalPerSecond: number; perChatPerSecond: number; perGroupPerMinute: number };
  };
  whatsapp?: {
    sessionDir: string;
    chromePath: string;
    editorNumbers: string[];
    minDelayMs: number;
    maxDelayMs: number;
    typing: boolean;
    dailyCap: number;
  };
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const token = str(env, 'TELEGRAM_BOT_TOKEN');
  const whatsappOn = bool(env, 'WHATSAPP_ENABLED', false);
  const minDelay = int(env, 'WHATSAPP_MIN_DELAY_MS', 4000, 0);
  const maxDelay = int(env, 'WHATSAPP_MAX_DELAY_MS', 10000, 0);
  if (maxDelay < minDelay) throw new ConfigError('WHATSAPP_MAX_DELAY_MS', `must be at least WHATSAPP_MIN_DELAY_MS (${minDelay})`);
  return {
    databasePath: str(env, 'DATABASE_PATH') ?? './data/nashra.db',
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['text', 'json'] as const, 'text'),
    timeZone: timeZone(env, 'NASHRA_TIME_ZONE', 'Asia/Damascus'),
    summary: {
      sentences: int(env, 'NASHRA_SUMMARY_SENTENCES', 3, 1, 10),
      minSentences: int(env, 'NASHRA_SUMMARY_MIN_SENTENCES', 2, 1, 10),
      maxChars: int(env, 'NASHRA_SUMMARY_MAX_CHARS', 400, 80, 3000),
    },
    template: { headerMark: str(env, 'NASHRA_HEADER_MARK'), footer: str(env, 'NASHRA_FOOTER') },
    inDoubtPolicy: oneOf(env, 'NASHRA_IN_DOUBT_POLICY', ['hold', 'resend'] as const, 'hold'),
    healthPort: optionalInt(env, 'NASHRA_HEALTH_PORT', 1, 65535),
    web: {
      port: optionalInt(env, 'NASHRA_WEB_PORT', 1, 65535),
      defaultPort: 8080,
      host: str(env, 'NASHRA_WEB_HOST') ?? '127.0.0.1',
      secureCookies: bool(env, 'NASHRA_WEB_SECURE_COOKIES', false),
      sessionIdleMs: int(env, 'NASHRA_WEB_SESSION_IDLE_HOURS', 12, 1, 24 * 30) * 3600 * 1000,
    },
    fetch: {
      allowPrivate: bool(env, 'NASHRA_ALLOW_PRIVATE_FETCH', false),
      timeoutMs: int(env, 'NASHRA_FETCH_TIMEOUT_MS', 15000, 100),
      maxBytes: int(env, 'NASHRA_FETCH_MAX_BYTES', 5 * 1024 * 1024, 1024),
      userAgent: str(env, 'NASHRA_USER_AGENT') ?? 'Nashra/0.1 (+https://github.com/nashra-news/nashra; news summary bot)',
      concurrency: int(env, 'NASHRA_FETCH_CONCURRENCY', 8, 1, 64),
    },
    telegram: token === undefined ? undefined : {
      token: telegramToken(token),
      apiRoot: url(env, 'TELEGRAM_API_ROOT', 'https://api.telegram.org'),
      editorIds: list(env, 'TELEGRAM_EDITOR_IDS').map((id) => {
        if (!/^\d+$/.test(id)) throw new ConfigError('TELEGRAM_EDITOR_IDS', `"${id}" is not a numeric Telegram user id`);
        return id;
      }),
      webhookUrl: str(env, 'TELEGRAM_WEBHOOK_URL'),
      webhookPort: optionalInt(env, 'TELEGRAM_WEBHOOK_PORT', 1, 65535),
      rate: {
        globalPerSecond: int(env, 'TELEGRAM_RATE_PER_SECOND', 30, 1),
        perChatPerSecond: int(env, 'TELEGRAM_RATE_PER_CHAT_PER_SECOND', 1, 1),
        perGroupPerMinute: int(env, 'TELEGRAM_RATE_PER_GROUP_PER_MINUTE', 20, 1),
      },
    },
    whatsapp: !whatsappOn ? undefined : {
      sessionDir: str(env, 'WHATSAPP_SESSION_DIR') ?? './data/whatsapp-session',
      chromePath: str(env, 'CHROME_PATH') ?? str(env, 'PUPPETEER_EXECUTABLE_PATH') ?? '/usr/bin/chromium',
      editorNumbers: list(env, 'WHATSAPP_EDITOR_NUMBERS').map((n) => n.replace(/[^\d]/g, '')),
      minDelayMs: minDelay,
      maxDelayMs: maxDelay,
      typing: bool(env, 'WHATSAPP_TYPING', true),
      dailyCap: int(env, 'WHATSAPP_DAILY_CAP', 300, 1),
    },
  };
}

function str(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function int(env: Env, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const v = str(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(name, `"${v}" is not a whole number ${range}`);
  }
  return n;
}

function optionalInt(env: Env, name: string, min: number, max: number): number | undefined {
  return str(env, name) === undefined ? undefined : int(env, name, 0, min, max);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = str(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `"${v}" is not 1/0, true/false, yes/no or on/off`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const v = str(env, name);
  if (v === undefined) return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new ConfigError(name, `"${v}" is not one of ${allowed.join(', ')}`);
}

function list(env: Env, name: string): string[] {
  return (str(env, name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function url(env: Env, name: string, fallback: string): string {
  const v = str(env, name) ?? fallback;
  try {
    return new URL(v).toString().replace(/\/$/, '');
  } catch {
    throw new ConfigError(name, `"${v}" is not a URL`);
  }
}

function timeZone(env: Env, name: string, fallback: string): string {
  const v = str(env, name) ?? fallback;
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return v;
  } catch {
    throw new ConfigError(name, `"${v}" is not an IANA time zone such as Asia/Damascus`);
  }
}

/** Checks the shape only, and never echoes the token back (it is a secret). */
function telegramToken(token: string): string {
  if (!/^\d+:[A-Za-z0-9_-]{20,}$/.test(token)) {
    throw new ConfigError('TELEGRAM_BOT_TOKEN', 'does not look like a bot token from @BotFather (digits, a colon, then 20+ letters, digits, _ or -)');
  }
  return token;
}
