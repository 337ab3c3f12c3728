import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { PlatformAdapter } from './platform.js';
import type { Store } from './store/index.js';

/**
 * The adapters for the platforms the configuration turns on. Loaded lazily so a CLI command that sends nothing
 * never pays for grammY or puppeteer at start-up.
 */
export async function createPlatforms(config: Config, store: Store, logger: Logger): Promise<PlatformAdapter[]> {
  const platforms: PlatformAdapter[] = [];
  if (config.telegram) {
    const { createTelegramAdapter } = await import('../bots/telegram/index.js');
    platforms.push(await createTelegramAdapter(config, store, logger));
  }
  if (config.whatsapp) {
    const { createWhatsAppAdapter } = await import('../bots/whatsapp/index.js');
    platforms.push(createWhatsAppAdapter(config, store, logger, { notifyEditors: notifyTelegramEditors(config, platforms, logger) }));
  }
  return platforms;
}

/**
 * Hook for one platform to alert the editors through another (WhatsApp logged out → Telegram). Uses the Telegram
 * adapter's `notifyEditors(text)` when it has one, otherwise its grammY `bot.api` to each of TELEGRAM_EDITOR_IDS.
 */
function notifyTelegramEditors(config: Config, platforms: PlatformAdapter[], logger: Logger): ((text: string) => Promise<void>) | undefined {
  const telegram = platforms.find((p) => p.name === 'telegram') as PlatformAdapter & {
    notifyEditors?: (text: string) => Promise<void>;
    bot?: { api: { sendMessage(chatId: string, text: string): Promise<unknown> } };
  } | undefined;
  if (!telegram) return undefined;
  if (telegram.notifyEditors) return (text) => telegram.notifyEditors!(text);
  const editors = config.telegram?.editorIds ?? [];
  return async (text) => {
    for (const id of editors) {
      await telegram.bot?.api.sendMessage(id, text).catch((err: unknown) => logger.warn('editor alert not sent on Telegram', { editor: id, error: err instanceof Error ? err.message : String(err) }));
    }
  };
}
