/** Configuration that is silently wrong is said at start-up, through the CLI as an operator would meet it. */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { knownVariables } from '../../src/config.js';
import { BUILT_IN_PLATFORMS } from '../../src/app/platforms.js';
import { ROOT, runCli, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('nashra-config-');
afterAll(() => tmp.cleanup());
const latest = (env: Record<string, string>) => runCliInProcess(['latest', '--db', join(tmp.dir, 'n.db')], { env });

describe('configuration', () => {
  it('names a misspelled variable with the closest known one, and goes on', async () => {
    const r = await latest({ NASHRA_TIMEZONE: 'Asia/Riyadh', TELEGRAM_EDITOR_ID: '1', WHATSAPP_FOO_BAR_BAZ_QUX: '1' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('NASHRA_TIMEZONE is not a Nashra variable; did you mean NASHRA_TIME_ZONE?');
    expect(r.stderr).toContain('TELEGRAM_EDITOR_ID is not a Nashra variable; did you mean TELEGRAM_EDITOR_IDS?');
    expect(r.stderr).toContain('WHATSAPP_FOO_BAR_BAZ_QUX is not a Nashra variable (see .env.example)');
    expect((await latest({})).stderr).toBe('');
  });

  it('knows exactly the variables .env.example lists, both ways, and a copy of it as .env draws no warning', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const listed = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!).sort();
    const known = knownVariables(BUILT_IN_PLATFORMS);
    expect(known.length).toBeGreaterThan(40);
    expect(
      listed.filter((v) => !known.includes(v)),
      'in .env.example but never read',
    ).toEqual([]);
    expect(
      known.filter((v) => !listed.includes(v)),
      'read but not in .env.example',
    ).toEqual([]);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(
      listed.filter((v) => !readme.includes(`\`${v}\``)),
      "not in the README's configuration table",
    ).toEqual([]);

    // As the README says: cp .env.example .env, then any command.
    copyFileSync(join(ROOT, '.env.example'), join(tmp.dir, '.env'));
    // The real binary in that folder: it is the one that reads .env from its working directory.
    const r = runCli(['latest', '--db', join(tmp.dir, 'example.db')], { cwd: tmp.dir });
    expect(r.stderr).not.toContain('not a Nashra variable');
    expect(r.code).toBe(0);
  });

  it("checks a platform's variables even while the platform is off, and refuses contradictions, in one line", async () => {
    for (const [env, message] of [
      [{ TELEGRAM_EDITOR_IDS: 'abc' }, /^nashra: TELEGRAM_EDITOR_IDS: "abc" is not a numeric Telegram user id/],
      [{ WHATSAPP_EDITOR_NUMBERS: 'abc' }, /^nashra: WHATSAPP_EDITOR_NUMBERS: "abc" is not a phone number/],
      [
        { NASHRA_SUMMARY_MIN_SENTENCES: '5' },
        /^nashra: NASHRA_SUMMARY_MIN_SENTENCES: is 5, more than NASHRA_SUMMARY_SENTENCES \(3\)/,
      ],
      [
        { WHATSAPP_MIN_DELAY_MS: '9000', WHATSAPP_MAX_DELAY_MS: '1000' },
        /^nashra: WHATSAPP_MAX_DELAY_MS: must be at least/,
      ],
    ] as const) {
      const r = await latest(env);
      expect(r.code, JSON.stringify(env)).toBe(78);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
