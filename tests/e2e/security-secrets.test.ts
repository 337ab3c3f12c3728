/**
 * The bot token never reaches a log line or an error message: `nashra run` (a real child process, LOG_LEVEL=debug)
 * against a Bot API that answers 403 and 5xx, then disappears; CLI commands pointed at a bad or unreachable API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fake-telegram/server.js';
import {
  CHILD_TOKEN,
  childEnv,
  freePort,
  prepareBroadcast,
  spawnRun,
  until,
  type ChildRun,
} from '../helpers/child-run.js';
import { runCliAsync } from '../helpers/cli.js';
import { ROOT } from '../helpers/cli.js';
import { freshDatabase, freshDatabaseEnv } from '../helpers/raw-db.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const SECRET_FORMS = [CHILD_TOKEN, encodeURIComponent(CHILD_TOKEN), CHILD_TOKEN.split(':')[1]!];
const leaks = (text: string) => SECRET_FORMS.filter((s) => text.includes(s));

describe('security: the token stays secret', () => {
  it('no stdout/stderr line of nashra run holds the token through 403s, 5xx, refusals and a vanished API', async () => {
    const fake = new FakeTelegram(CHILD_TOKEN, {
      globalPerSecond: 1000,
      perChatPerSecond: 50,
      perGroupPerMinute: 1000,
    });
    const apiRoot = await fake.start();
    cleanups.push(() => fake.stop());
    const db = await freshDatabase();
    await prepareBroadcast(db.ports, 6, 1, 300_000);
    fake.failFor('300000', { kind: 'blocked' });
    fake.failFor('300001', { kind: 'server_error' });
    fake.failFor('300002', { kind: 'not_found' });
    fake.refuse('setMyCommands');
    fake.refuse('deleteWebhook');
    let child: ChildRun | undefined = spawnRun(childEnv(apiRoot, db, { LOG_LEVEL: 'debug', LOG_FORMAT: 'text' }));
    cleanups.push(() => void child?.kill('SIGKILL'));
    await until(
      () => child!.stderr.some((l) => l.includes('delivery will be retried')) || child!.child.exitCode !== null,
      45_000,
      'a 5xx retry logged',
    );
    await until(() => child!.stderr.some((l) => l.includes('subscription deactivated')), 5000, 'a 403 logged');
    await fake.stop(); // network errors from now on
    await until(
      () => child!.stderr.some((l) => /network error|fetch failed|ECONNREFUSED/i.test(l)),
      15_000,
      'a network error logged',
    ).catch(() => undefined); // the poller may be between requests; the lines so far are checked anyway
    const exit = await child.kill('SIGTERM');
    const out = child.output();
    child = undefined;
    console.log(
      `[secrets] nashra run: ${out.split('\n').length} lines (exit ${exit.code}); e.g.\n  ` +
        out
          .split('\n')
          .filter((l) => /WARN|ERROR/.test(l))
          .slice(0, 6)
          .map((l) => l.slice(0, 200))
          .join('\n  '),
    );
    expect(out).toMatch(/403/);
    expect(out).toMatch(/502/);
    expect(leaks(out)).toEqual([]);
  }, 90_000);

  it('CLI failures (bad API root, wrong token, unreachable API) say what is wrong without the token', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const fake = new FakeTelegram('111:OtherTokenThatTheServerExpects_xyz', {
      globalPerSecond: 100,
      perChatPerSecond: 10,
      perGroupPerMinute: 100,
    });
    const wrongTokenRoot = await fake.start();
    cleanups.push(() => fake.stop());
    const [badRoot, wrongToken, wrongTokenArabic] = await Promise.all([
      runCliAsync(
        ['run', '--once'],
        childEnv('not a url', { env: await freshDatabaseEnv() }, { LOG_LEVEL: 'debug' }),
        60_000,
      ),
      runCliAsync(
        ['run', '--once'],
        childEnv(wrongTokenRoot, { env: await freshDatabaseEnv() }, { LOG_LEVEL: 'debug' }),
        60_000,
      ),
      runCliAsync(
        ['run', '--once'],
        childEnv(wrongTokenRoot, { env: await freshDatabaseEnv() }, { LOG_LEVEL: 'debug', NASHRA_CLI_LANGUAGE: 'ar' }),
        60_000,
      ),
    ]);
    const lines = [
      `exit ${badRoot.code}: ${badRoot.stderr.trim()}`,
      `exit ${wrongToken.code}: ${wrongToken.stderr.trim()}`,
    ];
    expect(badRoot.code).toBe(78);
    expect(badRoot.stderr.trim()).toBe('nashra: TELEGRAM_API_ROOT: "not a url" is not a URL');
    expect(wrongToken.code).toBe(78);
    expect(wrongToken.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrongToken.stderr).toMatch(/^nashra: TELEGRAM_BOT_TOKEN: the Bot API refused the token \(getMe: 401/);
    expect(wrongTokenArabic.code).toBe(78);
    expect(wrongTokenArabic.stderr).toMatch(
      /^nashra: TELEGRAM_BOT_TOKEN: رفضت المنصة الرمز \(getMe: 401 .*\)؛ تحقّق منه عند @BotFather\n$/,
    );

    // Unreachable (nothing listens; once with the token pasted into the URL too): the run waits for the API,
    // says so once, and a SIGTERM still ends it at once.
    for (const root of [closed, `${closed}/bot${CHILD_TOKEN}`]) {
      const child = spawnRun(childEnv(root, { env: await freshDatabaseEnv() }, { LOG_LEVEL: 'debug' }), ['--once']);
      cleanups.push(() => void child.kill('SIGKILL'));
      await until(
        () => child.stderr.some((l) => l.includes('Bot API unreachable')) || child.child.exitCode !== null,
        30_000,
        'the unreachable warning',
      );
      const t0 = Date.now();
      const exit = await child.kill('SIGTERM');
      lines.push(
        `exit ${exit.code} ${exit.at - t0} ms after SIGTERM: ${child.stderr.find((l) => l.includes('unreachable'))}`,
      );
      expect(exit.code, child.output()).toBe(0);
      expect(exit.at - t0).toBeLessThan(5000);
      expect(child.stderr.filter((l) => l.includes('unreachable'))).toHaveLength(1);
      expect(leaks(child.output())).toEqual([]);
    }
    console.log(`[secrets] CLI errors:\n  ${lines.join('\n  ')}`);
    for (const r of [badRoot, wrongToken, wrongTokenArabic]) expect(leaks(r.stdout + r.stderr)).toEqual([]);
    // Four runs of the CLI, each a node start (2 s on a loaded machine) and a wait for the API: 20–30 s under load,
    // past 60 s on a 2-core machine running several suites.
  }, 180_000);

  it('.gitignore keeps .env (and the databases) out of git', () => {
    const lines = readFileSync(join(ROOT, '.gitignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    expect(lines).toContain('.env');
    // The runtime data folder at the root only: an unanchored «data/» also hid eval/data/, which is committed.
    expect(lines).toEqual(expect.arrayContaining(['*.db', '/data/']));
    expect(lines).not.toContain('data/');
  });
});
