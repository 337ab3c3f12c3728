import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { PlatformAdapter, QueueSignal } from '../delivery/platform.js';
import type { Store } from '../store/index.js';

/**
 * The adapters for the platforms the configuration turns on. Loaded lazily so a CLI command that sends nothing
 * never pays for grammY or puppeteer at start-up.
 */
export async function createPlatforms(config: Config, store: Store, logger: Logger, queued: QueueSignal): Promise<PlatformAdapter[]> {
  const platforms: PlatformAdapter[] = [];
  if (config.telegram) {
    const { createTelegramAdapter } = await import('../../bots/telegram/index.js');
    platforms.push(await createTelegramAdapter(config, store, logger, { onQueued: queued.notify }));
  }
  if (config.whatsapp) {
    const { createWhatsAppAdapter } = await import('../../bots/whatsapp/index.js');
    // A logged-out WhatsApp number is reported to the editors on the other platforms (Telegram).
    const others = [...platforms];
    const notifyEditors = async (text: string) => { for (const p of others) await p.notifyEditors?.(text); };
    platforms.push(createWhatsAppAdapter(config, store, logger, { notifyEditors, onQueued: queued.notify }));
  }
  return platforms;
}
