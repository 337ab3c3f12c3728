import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PlatformCommand, PlatformCommandContext } from '../../src/delivery/platform.js';
import { UserError } from '../../src/errors.js';
import type { Catalogue } from '../../src/i18n/index.js';
import { readWhatsAppSettings, type WhatsAppSettings } from './config.js';
import { WHATSAPP_LABEL } from './label.js';

/** The commands and variables the words name (the catalogue names no platform). */
const LOGIN = 'nashra whatsapp login';
const DOCTOR = 'nashra whatsapp doctor';
const SESSION_DIR = 'WHATSAPP_SESSION_DIR';

/** WhatsApp's name in the CLI's language. */
const appIn = (words: Catalogue): string => words.chat.platform(WHATSAPP_LABEL, 'whatsapp');

/** The words of these commands in the CLI's language, and WhatsApp's name in it. */
const wordsOf = (ctx: PlatformCommandContext): { words: Catalogue['cli']['phoneApp']; app: string } => ({
  words: ctx.words.cli.phoneApp,
  app: appIn(ctx.words),
});

/** WHATSAPP_* settings even when WHATSAPP_ENABLED is off: logging in comes before turning it on. */
function whatsappSettings(ctx: PlatformCommandContext): WhatsAppSettings {
  return (ctx.config.platforms.whatsapp as WhatsAppSettings | undefined) ?? readWhatsAppSettings(ctx.env);
}

// -- login ------------------------------------------------------------------------------------------

/** `nashra whatsapp login`: links the newsroom's number on the server (QR code, or a pairing code). */
export const loginCommand: PlatformCommand = {
  name: 'login',
  summary: (words) => words.cli.help.phoneLogin(appIn(words)),
  options: [
    { flags: '--pairing-number <phone>', description: (words) => words.cli.help.phoneLoginPairing },
    { flags: '--timeout <seconds>', description: (words) => words.cli.help.phoneLoginTimeout },
  ],
  run: (options, ctx) => login(options, ctx),
};

/** `nashra whatsapp doctor`: checks that WhatsApp can run on this machine, and says how to fix what cannot. */
export const doctorCommand: PlatformCommand = {
  name: 'doctor',
  summary: (words) => words.cli.help.phoneDoctor,
  run: (_options, ctx) => doctor(ctx),
};

async function login(
  options: Record<string, string | boolean | undefined>,
  ctx: PlatformCommandContext,
): Promise<void> {
  const { words, app } = wordsOf(ctx);
  const rawNumber = typeof options.pairingNumber === 'string' ? options.pairingNumber : undefined;
  const pairingNumber = rawNumber?.replace(/[^\d]/g, '');
  if (rawNumber !== undefined && !/^\d{8,15}$/.test(pairingNumber ?? '')) {
    throw new UserError(words.pairingNumber(rawNumber));
  }
  const timeout = options.timeout === undefined ? 300 : Number(options.timeout);
  if (!Number.isInteger(timeout) || timeout < 30 || timeout > 3600)
    throw new UserError(`--timeout ${ctx.words.cli.invalid.wholeNumber(30, 3600, String(options.timeout))}`);
  const timeoutMs = timeout * 1000;
  const wa = whatsappSettings(ctx);
  if (!existsSync(wa.chromePath)) throw new UserError(words.chromiumMissing(wa.chromePath));

  const { buildClient } = await import('./client.js');
  const qrcode = (await import('qrcode-terminal')).default;
  const client = buildClient(wa, { pairingNumber });
  ctx.out(words.starting(app, wa.chromePath, resolve(wa.sessionDir)));

  let timer: NodeJS.Timeout | undefined;
  const outcome = new Promise<string>((resolveLogin, reject) => {
    timer = setTimeout(() => reject(new UserError(words.noLogin(timeoutMs / 1000, LOGIN))), timeoutMs);
    client.on('qr', (qr: string) => {
      ctx.out(words.scan(app));
      qrcode.generate(qr, { small: true }, (code) => ctx.out(code));
    });
    client.on('code', (code: string) => {
      const shown = code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
      ctx.out(words.pairingCode(app, shown));
    });
    client.on('authenticated', () => ctx.out(words.authenticated));
    client.on('auth_failure', (message: string) => {
      clearTimeout(timer);
      reject(new UserError(words.refused(app, message)));
    });
    client.on('disconnected', (reason: string) => {
      clearTimeout(timer);
      reject(new UserError(words.disconnected(app, reason)));
    });
    client.on('ready', () => {
      clearTimeout(timer);
      const info = client.info;
      resolveLogin(`+${info?.wid.user ?? '?'}${info?.pushname ? ` (${info.pushname})` : ''}`);
    });
  });
  outcome.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
  try {
    await client.initialize().catch((err: unknown) => {
      const why = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      throw new UserError(words.didNotStart(app, why, DOCTOR));
    });
    const who = await outcome;
    ctx.out(words.loggedIn(who, resolve(wa.sessionDir), 'WHATSAPP_ENABLED'));
  } finally {
    clearTimeout(timer);
    // A clean close lets Chromium flush the session to disk.
    await client.destroy().catch(() => undefined);
  }
}

// -- doctor -----------------------------------------------------------------------------------------

interface Check {
  ok: boolean;
  line: string;
}

async function doctor(ctx: PlatformCommandContext): Promise<void> {
  const { words, app } = wordsOf(ctx);
  const wa = whatsappSettings(ctx);
  if (!ctx.config.platforms.whatsapp) ctx.out(words.off('WHATSAPP_ENABLED', app));
  const checks = [
    await checkChromium(wa.chromePath, words),
    checkSessionDir(wa.sessionDir, words),
    checkSavedSession(wa.sessionDir, words, app),
  ];
  for (const c of checks) ctx.out(words.check(c.ok, c.line));
  if (wa.editorNumbers.length === 0) ctx.out(words.noEditors('WHATSAPP_EDITOR_NUMBERS', app));
  const failed = checks.filter((c) => !c.ok).length;
  if (failed > 0) throw new UserError(words.checksFailed('whatsapp doctor', failed, checks.length));
  ctx.out(words.ready(app));
}

/** Launches the configured Chromium headless with the flags nashra run uses, and closes it. */
async function checkChromium(
  chromePath: string,
  words: Catalogue['cli']['phoneApp'],
  timeoutMs = 30_000,
): Promise<Check> {
  if (!existsSync(chromePath)) return { ok: false, line: words.chromiumMissing(chromePath) };
  const { puppeteerOptions } = await import('./client.js');
  const puppeteer = (await import('puppeteer-core')).default;
  try {
    const browser = await puppeteer.launch({ ...puppeteerOptions({ chromePath }), timeout: timeoutMs });
    try {
      return { ok: true, line: words.chromiumStarts(await browser.version(), chromePath) };
    } finally {
      await browser.close();
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    return { ok: false, line: words.chromiumFailed(chromePath, reason) };
  }
}

function checkSessionDir(sessionDir: string, words: Catalogue['cli']['phoneApp']): Check {
  const dir = resolve(sessionDir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) return { ok: false, line: words.sessionDirIsFile(SESSION_DIR, dir) };
    return writable(dir)
      ? { ok: true, line: words.sessionDirWritable(dir) }
      : { ok: false, line: words.sessionDirNotWritable(dir, SESSION_DIR) };
  }
  let parent = dirname(dir);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  return writable(parent)
    ? { ok: true, line: words.sessionDirToCreate(dir, parent) }
    : { ok: false, line: words.sessionDirCannotCreate(dir, parent, SESSION_DIR) };
}

/** LocalAuth keeps the Chromium profile in <sessionDir>/session. */
function checkSavedSession(sessionDir: string, words: Catalogue['cli']['phoneApp'], app: string): Check {
  const profile = join(resolve(sessionDir), 'session');
  const saved = existsSync(profile) && statSync(profile).isDirectory() && readdirSync(profile).length > 0;
  if (!saved) return { ok: false, line: words.noSession(app, profile, LOGIN) };
  return { ok: true, line: words.sessionFound(profile, existsSync(join(profile, 'SingletonLock'))) };
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
