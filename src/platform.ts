import type { Transport } from './deliveries.js';

/** A running platform adapter (bots/<name>/): its way out for the worker, and its own connection life. */
export interface PlatformAdapter {
  readonly name: string;
  readonly transport: Transport;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** For the health endpoint: connected and able to send now. */
  isConnected(): boolean;
}
