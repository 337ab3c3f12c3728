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

  it("says it in the CLI's language: English by default, Arabic with NASHRA_CLI_LANGUAGE=ar (checks, refusals, help)", async () => {
    const dir = tmp();
    const env = {
      CHROME_PATH: '/nonexistent',
      WHATSAPP_SESSION_DIR: join(dir, 'session'),
      DATABASE_PATH: join(dir, 'db.sqlite'),
    };
    const profile = join(dir, 'session', 'session');
    const english = await cli(['whatsapp', 'doctor'], env);
    expect(english.code).toBe(1);
    expect(english.out).toBe(
      'note: WHATSAPP_ENABLED is off, so nashra run does not use WhatsApp; checking the settings it would use.\n' +
        "FAIL  Chromium not found at /nonexistent: apt-get install chromium, or set CHROME_PATH to the browser's path\n" +
        `ok    session folder ${join(dir, 'session')} does not exist yet; it will be created (${dir} is writable)\n` +
        `FAIL  no saved WhatsApp session in ${profile}: run nashra whatsapp login (QR code, or --pairing-number <phone>)\n` +
        'note: WHATSAPP_EDITOR_NUMBERS is empty: only group admins can subscribe groups, and nobody can /broadcast from WhatsApp\n' +
        'nashra: whatsapp doctor: 2 of 3 checks failed (see above)\n',
    );
    const arabic = await cli(['whatsapp', 'doctor'], { ...env, NASHRA_CLI_LANGUAGE: 'ar' });
    expect(arabic.code).toBe(1);
    expect(arabic.out).toBe(
      'ملاحظة: WHATSAPP_ENABLED غير مفعَّل، فلا يستعمل nashra run واتساب؛ يجري فحص الإعدادات التي سيستعملها.\n' +
        'فشل   لا يوجد Chromium في /nonexistent: ثبّته بـ apt-get install chromium، أو اضبط CHROME_PATH على مسار المتصفح\n' +
        `سليم  مجلد الجلسة ${join(dir, 'session')} غير موجود بعد؛ سيُنشأ (تمكن الكتابة في ${dir})\n` +
        `فشل   لا جلسة واتساب محفوظة في ${profile}: شغّل nashra whatsapp login (رمز QR، أو --pairing-number <phone>)\n` +
        'ملاحظة: WHATSAPP_EDITOR_NUMBERS فارغ: لا يشترك بالمجموعات إلا مشرفوها، ولا يستطيع أحد البثّ بـ /broadcast من واتساب\n' +
        'nashra: whatsapp doctor: فشل من الفحوص 2 من أصل 3 (انظر أعلاه)\n',
    );

    const refusals: Array<[string[], string, string]> = [
      [
        ['--pairing-number', '12ab'],
        'nashra: --pairing-number must be the full number with country code, e.g. 963944123456, not "12ab"\n',
        'nashra: --pairing-number يجب أن يكون الرقم كاملًا مع رمز البلد، مثل 963944123456، لا "12ab"\n',
      ],
      [
        ['--timeout', '5'],
        'nashra: --timeout must be a whole number from 30 to 3600, not "5"\n',
        'nashra: --timeout يجب أن يكون عددًا صحيحًا من 30 إلى 3600، لا "5"\n',
      ],
      [
        [],
        "nashra: Chromium not found at /nonexistent: apt-get install chromium, or set CHROME_PATH to the browser's path\n",
        'nashra: لا يوجد Chromium في /nonexistent: ثبّته بـ apt-get install chromium، أو اضبط CHROME_PATH على مسار المتصفح\n',
      ],
    ];
    for (const [args, inEnglish, inArabic] of refusals) {
      expect(await cli(['whatsapp', 'login', ...args], env)).toEqual({ code: 1, out: inEnglish });
      expect(await cli(['whatsapp', 'login', ...args], { ...env, NASHRA_CLI_LANGUAGE: 'ar' })).toEqual({
        code: 1,
        out: inArabic,
      });
    }

    const help = await cli(['whatsapp', 'login', '--help'], env);
    expect(help.out).toContain('link the WhatsApp number (QR code in the terminal, or a pairing code)');
    expect(help.out).toMatch(/--timeout <seconds>\s+give up after this many seconds/);
    const helpAr = await cli(['whatsapp', 'login', '--help'], { ...env, NASHRA_CLI_LANGUAGE: 'ar' });
    expect(helpAr.out).toContain('ربط رقم واتساب (برمز QR في الطرفية، أو برمز ربط)');
    expect(helpAr.out).toMatch(/--pairing-number <phone>\s+تسجيل الدخول برمز ربط لهذا الرقم/);
    expect((await cli(['whatsapp', 'doctor', '--help'], { ...env, NASHRA_CLI_LANGUAGE: 'ar' })).out).toContain(
      'فحص Chromium (بتشغيله) ومجلد الجلسة والجلسة المحفوظة',
    );
  });

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
