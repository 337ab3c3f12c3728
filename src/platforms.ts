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
  void config; void store; void logger;
  return platforms;
}
