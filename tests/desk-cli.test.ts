/** `nashra editors` and `nashra run` serving the desk, as child processes (the built CLI in dist/). */
import { createServer } from 'node:net';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from './helpers/cli.js';
import { freePort, spawnRun, until, type ChildRun } from './helpers/child-run.js';
import { tempDir } from './helpers/tmp.js';

const PASSWORD = 'correct horse battery';
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function db(): string {
  const tmp = tempDir('nashra-desk-cli-');
  cleanup.push(tmp.cleanup);
  return join(tmp.dir, 'n.db');
}

describe('nashra editors', () => {
  it('adds, lists, changes the password of and removes a desk account', async () => {
    const path = db();
    const add = await runCliInProcess(['editors', 'add', 'mona', '--password-stdin', '--db', path], { input: `${PASSWORD}\n` });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect((await runCliInProcess(['editors', 'list', '--db', path])).stdout).toMatch(/^mona\t/m);
    expect((await runCliInProcess(['editors', 'add', 'MONA', '--password-stdin', '--db', path], { input: PASSWORD })).stderr).toContain('already exists');
    expect((await runCliInProcess(['editors', 'passwd', 'mona', '--password-stdin', '--db', path], { input: 'another good password\n' })).code).toBe(0);
    const short = await runCliInProcess(['editors', 'passwd', 'mona', '--password-stdin', '--db', path], { input: 'short\n' });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 10 characters');
    expect((await runCliInProcess(['editors', 'remove', 'mona', '--db', path])).code).toBe(0);
    expect((await runCliInProcess(['editors', 'list', '--db', path])).stdout).toContain('no desk editors yet');
  });

  it('gives each account outlets and a role: add (editor of the only outlet by default), grant, revoke, list', async () => {
    const path = db();
    const cli = (...args: string[]) => runCliInProcess([...args, '--db', path], { input: `${PASSWORD}\n` });
    expect((await cli('editors', 'add', 'mona', '--password-stdin')).stdout).toContain('added desk editor mona, editor of main');
    expect((await cli('editors', 'list')).stdout).toMatch(/^mona\tmain:editor\t/m);
    expect((await cli('outlets', 'add', 'sy24')).code).toBe(0);
    // Two outlets now: the outlet is named, never guessed, and nothing (no account) is made when it is not.
    const unnamed = await cli('editors', 'add', 'rana', '--password-stdin');
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toContain('--outlet');
    expect((await cli('editors', 'list')).stdout).not.toContain('rana');
    expect((await cli('editors', 'add', 'rana', '--outlet', 'sy24', '--role', 'admin', '--password-stdin')).code).toBe(0);
    const badRole = await cli('editors', 'add', 'sami', '--outlet', 'sy24', '--role', 'owner', '--password-stdin');
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('admin or editor');
    expect((await cli('editors', 'grant', 'mona', '--outlet', 'sy24', '--role', 'admin')).stdout).toContain('mona is now admin of sy24');
    expect((await cli('editors', 'grant', 'mona', '--outlet', 'main', '--role', 'admin')).code).toBe(0);
    expect((await cli('editors', 'grant', 'mona', '--outlet', 'nowhere', '--role', 'admin')).stderr).toContain('no outlet named "nowhere"');
    expect((await cli('editors', 'grant', 'ghost', '--outlet', 'sy24', '--role', 'admin')).stderr).toContain('no desk editor "ghost"');
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
    const sqlite = new Database(path, { readonly: true });
    try {
      const audit = sqlite.prepare(`SELECT action, detail FROM audit_log WHERE action LIKE 'membership.%' OR action = 'editor.add' ORDER BY id`).all() as Array<{ action: string; detail: string }>;
      expect(audit.map((a) => [a.action, JSON.parse(a.detail)])).toEqual([
        ['editor.add', { username: 'mona', outlet: 'main', role: 'editor' }],
        ['editor.add', { username: 'rana', outlet: 'sy24', role: 'admin' }],
        ['membership.set', { username: 'mona', outlet: 'sy24', role: 'admin' }],
        ['membership.set', { username: 'mona', outlet: 'main', role: 'admin' }],
        ['membership.remove', { username: 'mona', outlet: 'sy24' }],
        ['membership.remove', { username: 'rana', outlet: 'sy24' }],
      ]);
    } finally {
      sqlite.close();
    }
  });

  it('asks for a terminal (or --password-stdin) and refuses a malformed username', async () => {
    const path = db();
    const noTty = await runCliInProcess(['editors', 'add', 'mona', '--db', path]);
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain('--password-stdin');
    const bad = await runCliInProcess(['editors', 'add', '<script>', '--password-stdin', '--db', path], { input: PASSWORD });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a valid username');
  });
});

describe('nashra run serves the desk', () => {
  const started = (run: ChildRun) => cleanup.push(() => run.kill('SIGTERM'));

  it('on NASHRA_WEB_PORT, printing its address and the one-time setup link on a fresh database', async () => {
    const port = await freePort();
    const run = spawnRun({ DATABASE_PATH: db(), NASHRA_WEB_PORT: String(port), LOG_LEVEL: 'warn' });
    started(run);
    await until(() => run.output().includes(`Desk: http://127.0.0.1:${port}`), 20_000, 'the desk address');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/setup\/\S+)/.exec(run.output())?.[1];
    expect(link).toBeDefined();
    expect((await fetch(link!)).status).toBe(200);
    const home = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/login');
  });

  it('says so in one line and goes on without the desk when its port is taken', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    cleanup.push(() => new Promise((r) => blocker.close(r)));
    const run = spawnRun({ DATABASE_PATH: db(), NASHRA_WEB_PORT: String(port), LOG_LEVEL: 'warn' });
    started(run);
    await until(() => run.output().includes('going on without the desk'), 20_000, 'the port-taken line');
    await until(() => run.output().includes('Demo:'), 20_000, 'the demo to run on');
    expect(run.output().split('\n').filter((l) => l.includes(`port ${port}`))).toHaveLength(1);
    expect(run.child.exitCode).toBeNull();
  });
});
