/** Telegram's own name, as every word of the catalogue says it (the descriptor's label, platform.ts). */
export const TELEGRAM_LABEL = { ar: 'تيليغرام', en: 'Telegram' };
