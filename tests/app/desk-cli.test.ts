/** `nashra editors` and `nashra run` serving the desk, as child processes (the built CLI in dist/). */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { freePort, spawnRun, until, type ChildRun } from '../helpers/child-run.js';
import { freshDatabase, freshDatabaseEnv, onPostgres } from '../helpers/raw-db.js';

/**
 * How long a run may take to start: on PostgreSQL its first start on a fresh database also makes the job engine's
 * schema (pg-boss), and in the PostgreSQL pass (three files at once) that took over 20 s.
 */
const START_MS = onPostgres() ? 60_000 : 20_000;

const PASSWORD = 'correct horse battery';
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('nashra editors', () => {
  it('adds, lists, changes the password of and removes a desk account', async () => {
    const env = await freshDatabaseEnv();
    const add = await runCliInProcess(['editors', 'add', 'mona', '--password-stdin'], { env, input: `${PASSWORD}\n` });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect((await runCliInProcess(['editors', 'list'], { env })).stdout).toMatch(/^mona\t/m);
    expect(
      (await runCliInProcess(['editors', 'add', 'MONA', '--password-stdin'], { env, input: PASSWORD })).stderr,
    ).toContain('already exists');
    expect(
      (
        await runCliInProcess(['editors', 'passwd', 'mona', '--password-stdin'], {
          env,
          input: 'another good password\n',
        })
      ).code,
    ).toBe(0);
    const short = await runCliInProcess(['editors', 'passwd', 'mona', '--password-stdin'], { env, input: 'short\n' });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 10 characters');
    expect((await runCliInProcess(['editors', 'remove', 'mona'], { env })).code).toBe(0);
    expect((await runCliInProcess(['editors', 'list'], { env })).stdout).toContain('no desk editors yet');
  });

  it('gives each account outlets and a role: add (editor of the only outlet by default), grant, revoke, list', async () => {
    const db = await freshDatabase();
    const cli = (...args: string[]) => runCliInProcess(args, { env: db.env, input: `${PASSWORD}\n` });
    expect((await cli('editors', 'add', 'mona', '--password-stdin')).stdout).toContain(
      'added desk editor mona, editor of main',
    );
    expect((await cli('editors', 'list')).stdout).toMatch(/^mona\tmain:editor\t/m);
    expect((await cli('outlets', 'add', 'sy24')).code).toBe(0);
    // Two outlets now: the outlet is named, never guessed, and nothing (no account) is made when it is not.
    const unnamed = await cli('editors', 'add', 'rana', '--password-stdin');
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toContain('--outlet');
    expect((await cli('editors', 'list')).stdout).not.toContain('rana');
    expect((await cli('editors', 'add', 'rana', '--outlet', 'sy24', '--role', 'admin', '--password-stdin')).code).toBe(
      0,
    );
    const badRole = await cli('editors', 'add', 'sami', '--outlet', 'sy24', '--role', 'owner', '--password-stdin');
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('admin or editor');
    expect((await cli('editors', 'grant', 'mona', '--outlet', 'sy24', '--role', 'admin')).stdout).toContain(
      'mona is now admin of sy24',
    );
    expect((await cli('editors', 'grant', 'mona', '--outlet', 'main', '--role', 'admin')).code).toBe(0);
    expect((await cli('editors', 'grant', 'mona', '--outlet', 'nowhere', '--role', 'admin')).stderr).toContain(
      'no outlet named "nowhere"',
    );
    expect((await cli('editors', 'grant', 'ghost', '--outlet', 'sy24', '--role', 'admin')).stderr).toContain(
      'no desk editor "ghost"',
    );
    let list = (await cli('editors', 'list')).stdout;
    expect(list).toMatch(/^mona\tmain:admin sy24:admin\t/m);
    expect(list).toMatch(/^rana\tsy24:admin\t/m);
    expect((await cli('editors', 'revoke', 'mona', '--outlet', 'sy24')).code).toBe(0);
    expect((await cli('editors', 'revoke', 'mona', '--outlet', 'sy24')).stderr).toContain('not a member');
    expect((await cli('editors', 'revoke', 'rana', '--outlet', 'sy24')).code).toBe(0);
    list = (await cli('editors', 'list')).stdout;
    expect(list).toMatch(/^mona\tmain:admin\t/m);
    expect(list).toMatch(/^rana\t\(none: cannot use the desk\)\t/m);
    // Each change audited in main's log (nashra activity reads it), with who and where.
    const audit = (await db.sql(
      `SELECT action, detail FROM audit_log WHERE action LIKE 'membership.%' OR action = 'editor.add' ORDER BY id`,
    )) as Array<{ action: string; detail: string }>;
    expect(audit.map((a) => [a.action, JSON.parse(a.detail)])).toEqual([
      ['editor.add', { username: 'mona', outlet: 'main', role: 'editor' }],
      ['editor.add', { username: 'rana', outlet: 'sy24', role: 'admin' }],
      ['membership.set', { username: 'mona', outlet: 'sy24', role: 'admin' }],
      ['membership.set', { username: 'mona', outlet: 'main', role: 'admin' }],
      ['membership.remove', { username: 'mona', outlet: 'sy24' }],
      ['membership.remove', { username: 'rana', outlet: 'sy24' }],
    ]);
  });

  it('asks for a terminal (or --password-stdin) and refuses a malformed username', async () => {
    const env = await freshDatabaseEnv();
    const noTty = await runCliInProcess(['editors', 'add', 'mona'], { env });
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain('--password-stdin');
    const bad = await runCliInProcess(['editors', 'add', '<script>', '--password-stdin'], { env, input: PASSWORD });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a valid username');
  });
});

describe('nashra run serves the desk', () => {
  const started = (run: ChildRun) => cleanup.push(() => run.kill('SIGTERM'));

  it('on NASHRA_WEB_PORT, printing its address and the one-time setup link on a fresh database', async () => {
    const port = await freePort();
    const run = spawnRun({ ...(await freshDatabaseEnv()), NASHRA_WEB_PORT: String(port), LOG_LEVEL: 'warn' });
    started(run);
    await until(() => run.output().includes(`Desk: http://127.0.0.1:${port}`), START_MS, 'the desk address');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/setup\/\S+)/.exec(run.output())?.[1];
    expect(link).toBeDefined();
    expect(run.output()).toContain(`Create the first one at ${link} (this link works once)`);
    expect((await fetch(link!)).status).toBe(200);
    const home = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/login');
  });

  it("says the setup link in the CLI's language (NASHRA_CLI_LANGUAGE=ar)", async () => {
    const port = await freePort();
    const run = spawnRun({
      ...(await freshDatabaseEnv()),
      NASHRA_WEB_PORT: String(port),
      NASHRA_CLI_LANGUAGE: 'ar',
      LOG_LEVEL: 'warn',
    });
    started(run);
    await until(() => /\/setup\/\S+/.test(run.output()), START_MS, 'the setup link');
    const line = run
      .output()
      .split('\n')
      .find((l) => l.includes('/setup/'))!;
    expect(line).toMatch(
      /^المكتب: لا حساب لمحرر بعد\. أنشئ الأول من http:\/\/127\.0\.0\.1:\d+\/setup\/\S+ \(يعمل الرابط مرة واحدة\)/,
    );
    expect(line).not.toContain('Create the first one');
  });

  it('says so in one line and goes on without the desk when its port is taken', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    cleanup.push(() => new Promise((r) => blocker.close(r)));
    const run = spawnRun({ ...(await freshDatabaseEnv()), NASHRA_WEB_PORT: String(port), LOG_LEVEL: 'warn' });
    started(run);
    await until(() => run.output().includes('going on without the desk'), START_MS, 'the port-taken line');
    await until(() => run.output().includes('Demo:'), START_MS, 'the demo to run on');
    expect(
      run
        .output()
        .split('\n')
        .filter((l) => l.includes(`port ${port}`)),
    ).toHaveLength(1);
    expect(run.child.exitCode).toBeNull();
  });
});
