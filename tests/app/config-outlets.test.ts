/** An outlet's configuration (issue 24 §4): the general settings shared and overridable, its platforms its own alone. */
import { describe, expect, it } from 'vitest';
import { ConfigValueError, loadConfig, loadOutletConfig } from '../../src/config.js';
import { catalogue } from '../../src/i18n/index.js';
import { BUILT_IN_PLATFORMS, configuredSecrets } from '../../src/app/platforms.js';
import type { TelegramSettings } from '../../bots/telegram/config.js';
import type { WhatsAppSettings } from '../../bots/whatsapp/config.js';

const MAIN_TOKEN = '111111111:AAmainTokenOfTheFirstOutlet_abcdefXYZ';
const SY24_TOKEN = '222222222:AAsy24TokenOfTheSecondOutlet_abcdefXY';
const env = {
  TELEGRAM_BOT_TOKEN: MAIN_TOKEN,
  TELEGRAM_EDITOR_IDS: '1001',
  TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
  WHATSAPP_ENABLED: '1',
  WHATSAPP_SESSION_DIR: '/srv/main-session',
  CHROME_PATH: '/opt/chrome',
  NASHRA_TIME_ZONE: 'Asia/Riyadh',
  NASHRA_SUMMARY_SENTENCES: '4',
  NASHRA_WEB_PORT: '8081',
  DATABASE_PATH: '/srv/n.db',
};
const outlet = (extra: Record<string, string>) => loadOutletConfig({ ...env, ...extra }, BUILT_IN_PLATFORMS, 'SY24_');
/** What `run` threw, or undefined. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("an outlet's configuration", () => {
  it('main is loadConfig as it always was; another outlet without variables of its own has no platform but the console', () => {
    const main = loadConfig(env, BUILT_IN_PLATFORMS);
    expect((main.platforms.telegram as TelegramSettings).token).toBe(MAIN_TOKEN);
    const sy24 = outlet({});
    // main's token, editors and WhatsApp session are never another outlet's.
    expect(sy24.platforms.telegram).toBeUndefined();
    expect(sy24.platforms.whatsapp).toBeUndefined();
    expect(Object.keys(sy24.platforms)).toEqual(['console']);
    expect(configuredSecrets(BUILT_IN_PLATFORMS, sy24)).toEqual([]);
    // The general settings are main's.
    expect(sy24.timeZone).toBe('Asia/Riyadh');
    expect(sy24.summary.sentences).toBe(4);
    expect(sy24.web.port).toBe(8081);
    expect(sy24.databasePath).toBe('/srv/n.db');
    expect(sy24.warnings).toEqual([]);
  });

  it('its platforms from its prefixed variables, prefix stripped; the machine variables fall back to the plain ones', () => {
    const sy24 = outlet({
      SY24_TELEGRAM_BOT_TOKEN: SY24_TOKEN,
      SY24_TELEGRAM_EDITOR_IDS: '2002,2003',
      SY24_WHATSAPP_ENABLED: 'yes',
      SY24_WHATSAPP_SESSION_DIR: '/srv/sy24-session',
    });
    const telegram = sy24.platforms.telegram as TelegramSettings;
    expect(telegram.token).toBe(SY24_TOKEN);
    expect(telegram.editorIds).toEqual(['2002', '2003']);
    expect(telegram.apiRoot).toBe('http://127.0.0.1:9');
    const whatsapp = sy24.platforms.whatsapp as WhatsAppSettings;
    expect(whatsapp.sessionDir).toBe('/srv/sy24-session');
    expect(whatsapp.editorNumbers).toEqual([]);
    expect(whatsapp.chromePath).toBe('/opt/chrome');
    expect(configuredSecrets(BUILT_IN_PLATFORMS, sy24)).toEqual([SY24_TOKEN]);
    // Its own API root wins over the machine's.
    expect(
      (
        outlet({ SY24_TELEGRAM_BOT_TOKEN: SY24_TOKEN, SY24_TELEGRAM_API_ROOT: 'http://127.0.0.1:10' }).platforms
          .telegram as TelegramSettings
      ).apiRoot,
    ).toBe('http://127.0.0.1:10');
    // Its WhatsApp session is not main's default either: unset, it is the platform's default, not WHATSAPP_SESSION_DIR.
    expect((outlet({ SY24_WHATSAPP_ENABLED: '1' }).platforms.whatsapp as WhatsAppSettings).sessionDir).not.toBe(
      '/srv/main-session',
    );
  });

  it("each general setting is overridden by its prefixed variable, but not the process's own (databases, logs, desk, health)", () => {
    const sy24 = outlet({
      SY24_NASHRA_TIME_ZONE: 'Europe/Berlin',
      SY24_NASHRA_SUMMARY_SENTENCES: '2',
      SY24_NASHRA_FETCH_TIMEOUT_MS: '5000',
      SY24_NASHRA_FOOTER: 'SY24',
      SY24_DATABASE_PATH: '/elsewhere.db',
      SY24_NASHRA_WEB_PORT: '9999',
      SY24_LOG_LEVEL: 'debug',
    });
    expect(sy24.timeZone).toBe('Europe/Berlin');
    expect(sy24.summary.sentences).toBe(2);
    expect(sy24.fetch.timeoutMs).toBe(5000);
    expect(sy24.template.footer).toBe('SY24');
    expect(sy24.databasePath).toBe('/srv/n.db');
    expect(sy24.web.port).toBe(8081);
    expect(sy24.logLevel).toBe('info');
    // What it ignores is said, as for any unknown variable.
    expect(sy24.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('SY24_DATABASE_PATH is not a Nashra variable'),
        expect.stringContaining('SY24_NASHRA_WEB_PORT is not a Nashra variable'),
      ]),
    );
    expect(outlet({ SY24_NASHRA_TIMEZONE: 'Asia/Aden' }).warnings).toEqual([
      'SY24_NASHRA_TIMEZONE is not a Nashra variable; did you mean SY24_NASHRA_TIME_ZONE?',
    ]);
    // main ignores the outlet's variables: its settings stay its own.
    const main = loadConfig(
      { ...env, SY24_NASHRA_TIME_ZONE: 'Europe/Berlin', SY24_TELEGRAM_BOT_TOKEN: SY24_TOKEN },
      BUILT_IN_PLATFORMS,
    );
    expect(main.timeZone).toBe('Asia/Riyadh');
    expect((main.platforms.telegram as TelegramSettings).token).toBe(MAIN_TOKEN);
  });

  it('a wrong value names the variable the operator set, and never echoes a token', () => {
    expect(() => outlet({ SY24_TELEGRAM_BOT_TOKEN: 'not-a-token' })).toThrow(
      /^SY24_TELEGRAM_BOT_TOKEN: does not look like a bot token/,
    );
    // By meaning, under the prefixed name, as the CLI says it (src/app/cli.ts): in Arabic too, the token in neither.
    const refused = thrown(() => outlet({ SY24_TELEGRAM_BOT_TOKEN: '1234:not-a-token' }));
    expect(refused).toBeInstanceOf(ConfigValueError);
    const { variable, problem } = refused as ConfigValueError;
    expect(variable).toBe('SY24_TELEGRAM_BOT_TOKEN');
    for (const lang of ['en', 'ar'] as const) expect(catalogue(lang).cli.config(problem)).not.toContain('not-a-token');
    expect(catalogue('ar').cli.config(problem)).toBe(
      'لا يشبه رمز بوت من @BotFather (أرقام ثم نقطتان : ثم 20 أو أكثر من الحروف اللاتينية والأرقام و_ و-)',
    );
    expect(() => outlet({ SY24_NASHRA_SUMMARY_SENTENCES: '99' })).toThrow(
      /^SY24_NASHRA_SUMMARY_SENTENCES: "99" is not a whole number/,
    );
    // Digits as written: «2e0» and «0x2» are 2 to Number(), not to an operator reading the file.
    for (const written of ['2e0', '0x2', '2.0'])
      expect(() => outlet({ SY24_NASHRA_SUMMARY_SENTENCES: written })).toThrow(
        `SY24_NASHRA_SUMMARY_SENTENCES: "${written}" is not a whole number`,
      );
    // A general setting it did not override is main's mistake, named as main's variable.
    expect(() => outlet({ NASHRA_SUMMARY_SENTENCES: '99' })).toThrow(/^NASHRA_SUMMARY_SENTENCES:/);
  });
});
