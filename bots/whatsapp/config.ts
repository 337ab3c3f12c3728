import { bool, ConfigValueError, int, list, str, type Env } from '../../src/config.js';

/** WhatsApp's settings, from WHATSAPP_* variables (see .env.example). */
export interface WhatsAppSettings {
  sessionDir: string;
  chromePath: string;
  editorNumbers: string[];
  minDelayMs: number;
  maxDelayMs: number;
  typing: boolean;
  dailyCap: number;
}

/** Every WHATSAPP_ variable, checked whether or not WhatsApp is on (logging in comes before turning it on). */
export function readWhatsAppSettings(env: Env): WhatsAppSettings {
  const minDelayMs = int(env, 'WHATSAPP_MIN_DELAY_MS', 4000, 0);
  const maxDelayMs = int(env, 'WHATSAPP_MAX_DELAY_MS', 10000, 0);
  if (maxDelayMs < minDelayMs)
    throw new ConfigValueError('WHATSAPP_MAX_DELAY_MS', {
      kind: 'less-than',
      value: maxDelayMs,
      other: 'WHATSAPP_MIN_DELAY_MS',
      otherValue: minDelayMs,
    });
  return {
    sessionDir: str(env, 'WHATSAPP_SESSION_DIR') ?? './data/whatsapp-session',
    chromePath: str(env, 'CHROME_PATH') ?? str(env, 'PUPPETEER_EXECUTABLE_PATH') ?? '/usr/bin/chromium',
    editorNumbers: list(env, 'WHATSAPP_EDITOR_NUMBERS').map((raw) => {
      const digits = raw.replace(/[\s+()-]/g, '');
      if (!/^\d{8,15}$/.test(digits))
        throw new ConfigValueError('WHATSAPP_EDITOR_NUMBERS', {
          kind: 'phone-number',
          value: raw,
          example: '963944123456',
        });
      return digits;
    }),
    minDelayMs,
    maxDelayMs,
    typing: bool(env, 'WHATSAPP_TYPING', true),
    dailyCap: int(env, 'WHATSAPP_DAILY_CAP', 300, 1),
  };
}

/** On when WHATSAPP_ENABLED=1. */
export function parseWhatsAppSettings(env: Env): WhatsAppSettings | undefined {
  const settings = readWhatsAppSettings(env);
  return bool(env, 'WHATSAPP_ENABLED', false) ? settings : undefined;
}
