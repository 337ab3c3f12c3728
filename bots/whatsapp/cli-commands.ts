import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PlatformCommand, PlatformCommandContext } from '../../src/delivery/platform.js';
import { UserError } from '../../src/errors.js';
import { readWhatsAppSettings, type WhatsAppSettings } from './config.js';

/** WHATSAPP_* settings even when WHATSAPP_ENABLED is off: logging in comes before turning it on. */
function whatsappSettings(ctx: PlatformCommandContext): WhatsAppSettings {
  return (ctx.config.platforms.whatsapp as WhatsAppSettings | undefined) ?? readWhatsAppSettings(ctx.env);
}

// -- login ------------------------------------------------------------------------------------------

/** `nashra whatsapp login`: links the newsroom's number on the server (QR code, or a pairing code). */
export const loginCommand: PlatformCommand = {
  name: 'login',
  summary: 'link the WhatsApp number (QR code in the terminal, or a pairing code), then exit with the session saved',
  options: [
    {
      flags: '--pairing-number <phone>',
      description: 'log in with a pairing code for this number (country code first) instead of a QR code',
    },
    { flags: '--timeout <seconds>', description: 'give up after this many seconds (30 to 3600, default 300)' },
  ],
  run: (options, ctx) => login(options, ctx),
};

/** `nashra whatsapp doctor`: checks that WhatsApp can run on this machine, and says how to fix what cannot. */
export const doctorCommand: PlatformCommand = {
  name: 'doctor',
  summary: 'check Chromium (launches it), the session folder and the saved session; says how to fix what is wrong',
  run: (_options, ctx) => doctor(ctx),
};

async function login(
  options: Record<string, string | boolean | undefined>,
  ctx: PlatformCommandContext,
): Promise<void> {
  const rawNumber = typeof options.pairingNumber === 'string' ? options.pairingNumber : undefined;
  const pairingNumber = rawNumber?.replace(/[^\d]/g, '');
  if (rawNumber !== undefined && !/^\d{8,15}$/.test(pairingNumber ?? '')) {
    throw new UserError(
      `--pairing-number must be the full number with country code, e.g. 963944123456, not "${rawNumber}"`,
    );
  }
  const timeout = options.timeout === undefined ? 300 : Number(options.timeout);
  if (!Number.isInteger(timeout) || timeout < 30 || timeout > 3600)
    throw new UserError(`--timeout must be a whole number from 30 to 3600, not "${String(options.timeout)}"`);
  const timeoutMs = timeout * 1000;
  const wa = whatsappSettings(ctx);
  if (!existsSync(wa.chromePath)) throw new UserError(chromiumMissing(wa.chromePath));

  const { buildClient } = await import('./client.js');
  const qrcode = (await import('qrcode-terminal')).default;
  const client = buildClient(wa, { pairingNumber });
  ctx.out(
    `Starting WhatsApp Web in Chromium (${wa.chromePath}); the session will be saved in ${resolve(wa.sessionDir)} …`,
  );

  let timer: NodeJS.Timeout | undefined;
  const outcome = new Promise<string>((resolveLogin, reject) => {
    timer = setTimeout(
      () => reject(new UserError(`no login within ${timeoutMs / 1000} s; run nashra whatsapp login again`)),
      timeoutMs,
    );
    client.on('qr', (qr: string) => {
      ctx.out('\nScan this code with the phone: WhatsApp → Settings → Linked devices → Link a device\n');
      qrcode.generate(qr, { small: true }, (code) => ctx.out(code));
    });
    client.on('code', (code: string) => {
      const shown = code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
      ctx.out(
        `\nPairing code: ${shown}\nOn the phone: WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, then type the code.`,
      );
    });
    client.on('authenticated', () => ctx.out('Authenticated; loading chats …'));
    client.on('auth_failure', (message: string) => {
      clearTimeout(timer);
      reject(new UserError(`WhatsApp refused the login: ${message}`));
    });
    client.on('disconnected', (reason: string) => {
      clearTimeout(timer);
      reject(new UserError(`WhatsApp disconnected during login: ${reason}`));
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
      throw new UserError(
        `WhatsApp Web did not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)} (is the network up? run nashra whatsapp doctor)`,
      );
    });
    const who = await outcome;
    ctx.out(
      `\nLogged in as ${who}. The session is saved in ${resolve(wa.sessionDir)}; set WHATSAPP_ENABLED=1 and run nashra run.`,
    );
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
  const wa = whatsappSettings(ctx);
  if (!ctx.config.platforms.whatsapp)
    ctx.out('note: WHATSAPP_ENABLED is off, so nashra run does not use WhatsApp; checking the settings it would use.');
  const checks = [await checkChromium(wa.chromePath), checkSessionDir(wa.sessionDir), checkSavedSession(wa.sessionDir)];
  for (const c of checks) ctx.out(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.line}`);
  if (wa.editorNumbers.length === 0)
    ctx.out(
      'note: WHATSAPP_EDITOR_NUMBERS is empty: only group admins can subscribe groups, and nobody can /broadcast from WhatsApp',
    );
  const failed = checks.filter((c) => !c.ok).length;
  if (failed > 0) throw new UserError(`whatsapp doctor: ${failed} of ${checks.length} checks failed (see above)`);
  ctx.out('WhatsApp is ready to run.');
}

const chromiumMissing = (path: string) =>
  `Chromium not found at ${path}: apt-get install chromium, or set CHROME_PATH to the browser's path`;

/** Launches the configured Chromium headless with the flags nashra run uses, and closes it. */
export async function checkChromium(chromePath: string, timeoutMs = 30_000): Promise<Check> {
  if (!existsSync(chromePath)) return { ok: false, line: chromiumMissing(chromePath) };
  const { puppeteerOptions } = await import('./client.js');
  const puppeteer = (await import('puppeteer-core')).default;
  try {
    const browser = await puppeteer.launch({ ...puppeteerOptions({ chromePath }), timeout: timeoutMs });
    try {
      return { ok: true, line: `Chromium starts headless: ${await browser.version()} (${chromePath})` };
    } finally {
      await browser.close();
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return {
      ok: false,
      line: `Chromium at ${chromePath} did not start: ${reason}. Reinstall it (apt-get install --reinstall chromium) or point CHROME_PATH at a working Chromium`,
    };
  }
}

function checkSessionDir(sessionDir: string): Check {
  const dir = resolve(sessionDir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory())
      return {
        ok: false,
        line: `WHATSAPP_SESSION_DIR ${dir} is a file, not a folder: remove it or choose another path`,
      };
    return writable(dir)
      ? { ok: true, line: `session folder ${dir} exists and is writable` }
      : {
          ok: false,
          line: `session folder ${dir} is not writable by this user: chown it to the user that runs nashra, or set WHATSAPP_SESSION_DIR`,
        };
  }
  let parent = dirname(dir);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  return writable(parent)
    ? { ok: true, line: `session folder ${dir} does not exist yet; it will be created (${parent} is writable)` }
    : {
        ok: false,
        line: `session folder ${dir} cannot be created: ${parent} is not writable; create it for the user that runs nashra, or set WHATSAPP_SESSION_DIR`,
      };
}

/** LocalAuth keeps the Chromium profile in <sessionDir>/session. */
function checkSavedSession(sessionDir: string): Check {
  const profile = join(resolve(sessionDir), 'session');
  const saved = existsSync(profile) && statSync(profile).isDirectory() && readdirSync(profile).length > 0;
  if (!saved)
    return {
      ok: false,
      line: `no saved WhatsApp session in ${profile}: run nashra whatsapp login (QR code, or --pairing-number <phone>)`,
    };
  const locked = existsSync(join(profile, 'SingletonLock'));
  return {
    ok: true,
    line: `saved session found in ${profile}${locked ? ' (in use by a running Chromium: nashra run or login)' : ''}`,
  };
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
