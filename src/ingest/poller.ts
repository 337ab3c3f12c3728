// Interim stub: the ingest work replaces this file with the real poller (keep the class surface).
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';

export interface PollSummary { sources: number; newArticles: number; queued: number; failed: number }

export class SourcePoller {
  constructor(
    private readonly config: Config,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly onQueued: () => void,
  ) {}

  /** Polls every active source now, due or not. */
  async pollAll(): Promise<PollSummary> {
    return { sources: 0, newArticles: 0, queued: 0, failed: 0 };
  }

  start(): void {}

  async stop(): Promise<void> {}
}
