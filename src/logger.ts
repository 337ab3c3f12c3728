/** A small structured logger. Secrets registered with it are masked in every line, whatever the caller passes. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Masks `secret` (and its URL-encoded form) in everything logged from now on. */
  addSecret(secret: string): void;
  redact(text: string): string;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'text' | 'json';
  write?: (line: string) => void;
  secrets?: string[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const secrets = new Set<string>();
  const redact = (text: string): string => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('[redacted]');
    return out;
  };
  const addSecret = (secret: string) => {
    if (secret.length < 6) return; // masking a tiny string would shred ordinary text
    secrets.add(secret);
    secrets.add(encodeURIComponent(secret));
  };
  for (const s of options.secrets ?? []) addSecret(s);

  const log = (level: Exclude<LogLevel, 'silent'>, message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[level] < threshold) return;
    const time = new Date().toISOString();
    const flat = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? v.message : v]));
    const line =
      options.format === 'json'
        ? JSON.stringify({ time, level, message, ...flat })
        : `${time} ${level.toUpperCase().padEnd(5)} ${message}${formatFields(flat)}`;
    write(redact(line));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    addSecret,
    redact,
  };
}

function formatFields(fields: Record<string, unknown>): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v))}`);
  return parts.length ? ' ' + parts.join(' ') : '';
}
