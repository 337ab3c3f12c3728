import type { Transport } from './worker.js';

/** A running platform adapter (bots/<name>/): its way out for the worker, and its own connection life. */
export interface PlatformAdapter {
  readonly name: string;
  readonly transport: Transport;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** For the health endpoint: connected and able to send now. */
  isConnected(): boolean;
  /** Tells this platform's editors something (another platform went down); absent when it has no way to. */
  notifyEditors?(text: string): Promise<void>;
}

/**
 * Lets an adapter that queues deliveries (an editor's confirmed broadcast) wake the delivery worker, which is
 * created after the adapters: `notify` is re-pointed at the worker once it exists.
 */
export class QueueSignal {
  private listener: () => void = () => {};
  notify = (): void => this.listener();
  listen(listener: () => void): void {
    this.listener = listener;
  }
}
