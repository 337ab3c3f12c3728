import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readWhatsAppSettings } from '../../../bots/whatsapp/config.js';
import { buildClient, CHROMIUM_FLAGS, loadWhatsAppWeb } from '../../../bots/whatsapp/client.js';
import { runCliInProcess } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function tmp(): string {
  const { dir, cleanup } = tempDir('nashra-wa-client-');
  cleanups.push(cleanup);
  return dir;
}

/** Runs the CLI (in this process); resolves with the exit code and output whatever the code. */
async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const r = await runCliInProcess(args, { env: { LOG_LEVEL: 'error', ...env } });
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('the real whatsapp-web.js Client', () => {
  it('is built with LocalAuth in the session folder and the system Chromium, headless, with server flags', () => {
    const sessionDir = join(tmp(), 'wa-session');
    const client = buildClient(
      readWhatsAppSettings({ WHATSAPP_SESSION_DIR: sessionDir, CHROME_PATH: '/opt/chromium/chrome' }),
    );
    const lib = loadWhatsAppWeb();
    const options = (
      client as unknown as {
        options: {
          authStrategy: unknown;
          puppeteer: { executablePath: string; headless: boolean; args: string[] };
          pairWithPhoneNumber: { phoneNumber: string };
        };
      }
    ).options;
    expect(options.authStrategy).toBeInstanceOf(lib.LocalAuth);
    expect((options.authStrategy as { dataPath: string }).dataPath).toBe(resolve(sessionDir));
    expect(options.puppeteer.executablePath).toBe('/opt/chromium/chrome');
    expect(options.puppeteer.headless).toBe(true);
    expect(options.puppeteer.args).toEqual([...CHROMIUM_FLAGS]);
    for (const flag of ['--no-sandbox', '--disable-setuid-sandbox', '--disable-dev-shm-usage', '--disable-gpu'])
      expect(options.puppeteer.args).toContain(flag);
    expect(options.pairWithPhoneNumber.phoneNumber).toBe(''); // QR login unless a number is given
    expect(existsSync(sessionDir)).toBe(false); // nothing launched, nothing written
  });

  it('asks for a pairing code when a number is given', () => {
    const client = buildClient(readWhatsAppSettings({ WHATSAPP_SESSION_DIR: join(tmp(), 's') }), {
      pairingNumber: '963944123456',
    });
    expect(
      (client as unknown as { options: { pairWithPhoneNumber: { phoneNumber: string } } }).options.pairWithPhoneNumber
        .phoneNumber,
    ).toBe('963944123456');
  });
});

describe('nashra whatsapp doctor', () => {
  it('says plainly that Chromium is missing and how to fix it, and exits non-zero', async () => {
    const dir = tmp();
    const { code, out } = await cli(['whatsapp', 'doctor'], {
      CHROME_PATH: '/nonexistent',
      WHATSAPP_SESSION_DIR: join(dir, 'session'),
      DATABASE_PATH: join(dir, 'db.sqlite'),
    });
    expect(code).not.toBe(0);
    expect(out).toContain('Chromium not found at /nonexistent: apt-get install chromium, or set CHROME_PATH');
    expect(out).toContain('no saved WhatsApp session');
    expect(out).toContain('nashra whatsapp login');
  });

  it.skipIf(!existsSync(CHROMIUM))(
    `launches ${CHROMIUM} headless for real and passes with a saved session (skipped when chromium is not installed: apt-get install chromium)`,
    async () => {
      const dir = tmp();
      const sessionDir = join(dir, 'session');
      mkdirSync(join(sessionDir, 'session'), { recursive: true });
      writeFileSync(join(sessionDir, 'session', 'Local State'), '{}');
      const { code, out } = await cli(['whatsapp', 'doctor'], {
        CHROME_PATH: CHROMIUM,
        WHATSAPP_ENABLED: '1',
        WHATSAPP_SESSION_DIR: sessionDir,
        DATABASE_PATH: join(dir, 'db.sqlite'),
      });
      expect(out).toMatch(/ok\s+Chromium starts headless: \S*Chrome\/\d+/);
      expect(code).toBe(0);
    },
  );

  it('login refuses a malformed pairing number before starting anything', async () => {
    const dir = tmp();
    const { code, out } = await cli(['whatsapp', 'login', '--pairing-number', '12ab'], {
      WHATSAPP_SESSION_DIR: join(dir, 's'),
      DATABASE_PATH: join(dir, 'db.sqlite'),
    });
    expect(code).toBe(1);
    expect(out).toContain('--pairing-number must be the full number with country code');
  });
});
