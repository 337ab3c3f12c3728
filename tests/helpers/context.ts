import { BUILT_IN_PLATFORMS, newsroomDeps } from '../../src/app/platforms.js';
import type { Config } from '../../src/config.js';
import type { AdapterContext } from '../../src/delivery/platform.js';
import type { Logger } from '../../src/logger.js';
import type { RawDatabase } from './raw-db.js';

/**
 * A platform adapter's context outside `nashra run`, as src/app/platforms.ts adapterContext builds it, on this pass's
 * database (tests/helpers/raw-db.ts) whichever adapter it is.
 */
export function adapterContextOn(
  config: Config,
  db: RawDatabase,
  logger: Logger,
  options: {
    onQueued?: () => void;
    out?: (text: string) => void;
    notifyOtherEditors?: (text: string) => Promise<void>;
  } = {},
): AdapterContext {
  return {
    config,
    sendCounters: db.counters,
    logger,
    newsroom: newsroomDeps(BUILT_IN_PLATFORMS, config, db.ports, logger, options.onQueued),
    out: options.out ?? ((text) => process.stdout.write(`${text}\n`)),
    notifyOtherEditors: options.notifyOtherEditors ?? (async () => {}),
  };
}
