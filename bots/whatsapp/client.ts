import { createRequire } from 'node:module';
import type WAWebJS from 'whatsapp-web.js';
import type { WaClient, WaMedia } from './types.js';

import type { WhatsAppSettings } from './config.js';

export type WhatsAppConfig = WhatsAppSettings;

/**
 * Chromium flags for a headless server run as root in a container or VM: no sandbox (root cannot use it), /tmp
 * instead of a small /dev/shm, no GPU, and none of the background traffic a desktop browser makes.
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-setuid-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Puppeteer launch options for the system Chromium (never a downloaded one: .puppeteerrc.cjs skips that). */
export function puppeteerOptions(wa: Pick<WhatsAppConfig, 'chromePath'>) {
  return { executablePath: wa.chromePath, headless: true, args: [...CHROMIUM_FLAGS] };
}

export interface ClientBuildOptions {
  /** Log in with an 8-character pairing code for this number instead of a QR code (digits, country code first). */
  pairingNumber?: string;
}

/** The whatsapp-web.js options: the session saved by LocalAuth in sessionDir, Chromium from chromePath. */
export function clientOptions(
  lib: typeof WAWebJS,
  wa: WhatsAppConfig,
  opts: ClientBuildOptions = {},
): WAWebJS.ClientOptions {
  return {
    authStrategy: new lib.LocalAuth({ dataPath: wa.sessionDir }),
    puppeteer: puppeteerOptions(wa),
    ...(opts.pairingNumber ? { pairWithPhoneNumber: { phoneNumber: opts.pairingNumber, showNotification: true } } : {}),
  };
}

// whatsapp-web.js is CommonJS and pulls in puppeteer: loaded only when a real client is built.
const require = createRequire(import.meta.url);
export const loadWhatsAppWeb = (): typeof WAWebJS => require('whatsapp-web.js') as typeof WAWebJS;

/** A real, not yet initialized client. Call initialize() to launch Chromium. */
export function buildClient(wa: WhatsAppConfig, opts: ClientBuildOptions = {}): WAWebJS.Client & WaClient {
  const lib = loadWhatsAppWeb();
  return new lib.Client(clientOptions(lib, wa, opts)) as WAWebJS.Client & WaClient;
}

/** The lead image as WhatsApp media (downloaded by Node, not the browser), or a rejection the caller falls back on. */
export async function loadMediaFromUrl(url: string, timeoutMs = 15_000): Promise<WaMedia> {
  const lib = loadWhatsAppWeb();
  return lib.MessageMedia.fromUrl(url, { unsafeMime: true, reqOptions: { signal: AbortSignal.timeout(timeoutMs) } });
}
