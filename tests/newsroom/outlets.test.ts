/**
 * Outlets (issue 24 §4), the registry and where each outlet's rows are: `nashra outlets add|list|remove` and
 * `--outlet` through the CLI on both adapters, each outlet's rows read back from its own database (SQLite: its file;
 * PostgreSQL: its schema), hostile names refused, db/020 keeping every row of a database made before it, and on
 * PostgreSQL one write lock per outlet. Ids of another outlet through the CLI, the bot and the desk: the front doors'
 * own tests.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { migrate, migrationsDir } from '../../src/store/migrate.js';
import { numberTypes, openPostgres } from '../../src/store/postgres/database.js';
import { ROOT, runCliInProcess } from '../helpers/cli.js';
import { freshPostgresDatabase, postgresUrl } from '../helpers/postgres.js';
import { ofThisPass } from '../helpers/pass.js';
import { tempDir } from '../helpers/tmp.js';

const SAMPLE = join(ROOT, 'samples/sy24-badia-article.txt');

type Rows = Array<Record<string, unknown>>;

interface Installation {
  name: 'sqlite' | 'postgres';
  env: Record<string, string>;
  /** One statement on an outlet's rows (its file, or its schema). */
  rows(outlet: string, sql: string): Promise<Rows>;
}

async function sqliteInstallation(): Promise<Installation> {
  const { dir, cleanup } = tempDir('nashra-outlets-');
  onTestFinished(cleanup);
  const path = join(dir, 'nashra.db');
  return {
    name: 'sqlite',
    env: { DATABASE_PATH: path },
    rows: async (outlet, sql) => {
      const db = new Database(outlet === 'main' ? path : join(dir, 'nashra.outlets', `${outlet}.db`), {
        readonly: true,
        fileMustExist: true,
      });
      try {
        return db.prepare(sql).all() as Rows;
      } finally {
        db.close();
      }
    },
  };
}

async function postgresInstallation(): Promise<Installation> {
  const url = await freshPostgresDatabase();
  const client = new pg.Client({ connectionString: url, types: numberTypes });
  await client.connect();
  onTestFinished(() => client.end());
  return {
    name: 'postgres',
    env: { DATABASE_URL: url },
    rows: async (outlet, sql) => {
      await client.query(`SET search_path = ${outlet === 'main' ? 'public' : `outlet_${outlet.replaceAll('-', '_')}`}`);
      return (await client.query(sql)).rows as Rows;
    },
  };
}

const installations = () =>
  ofThisPass([
    { name: 'sqlite', open: sqliteInstallation },
    { name: 'postgres', open: postgresInstallation },
  ]);

describe.each(installations())('outlets through the CLI ($name)', ({ open }) => {
  it("add, list and remove: each outlet's rows are in its own database, and a command with several outlets must name one", async () => {
    const at = await open();
    const nashra = (...args: string[]) => runCliInProcess(args, { env: at.env });

    const first = await nashra('outlets', 'list');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').slice(1, -1)).toEqual([expect.stringMatching(/^main\tmain\t\(no prefix\)\t/)]);
    // One outlet: commands need no --outlet, as before outlets.
    expect((await nashra('ingest', SAMPLE)).code).toBe(0);

    const added = await nashra('outlets', 'add', 'sy-24', '--name', 'سوريا ٢٤');
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('added outlet sy-24');
    expect(added.stdout).toContain('SY_24_TELEGRAM_BOT_TOKEN');
    expect((await nashra('outlets', 'list')).stdout).toMatch(/\nsy-24\tسوريا ٢٤\tSY_24_\*\t/);

    // Two outlets: a command that acts on one must say which.
    const unnamed = await nashra('latest');
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toContain('this installation has 2 outlets (main, sy-24): name one with --outlet <name>');
    const unknown = await nashra('--outlet', 'nope', 'latest');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no outlet named "nope"');

    // The new outlet starts empty; what is ingested there is its own.
    expect((await nashra('--outlet', 'sy-24', 'latest')).stdout).toContain('no articles yet');
    expect((await nashra('--outlet', 'sy-24', 'ingest', SAMPLE)).code).toBe(0);
    expect((await nashra('--outlet', 'sy-24', 'subs', 'add', 'console', 'desk-b')).code).toBe(0);
    expect(await at.rows('sy-24', 'SELECT title FROM articles')).toHaveLength(1);
    expect(await at.rows('sy-24', 'SELECT chat_id FROM subscriptions')).toEqual([{ chat_id: 'desk-b' }]);
    expect(await at.rows('main', 'SELECT chat_id FROM subscriptions')).toEqual([]);
    expect(await at.rows('main', 'SELECT id FROM articles')).toHaveLength(1);
    // The registry is main's; the audit entries of the registry's actions too.
    expect(await at.rows('main', `SELECT slug, name, env_prefix FROM outlets ORDER BY id`)).toEqual([
      { slug: 'main', name: 'main', env_prefix: null },
      { slug: 'sy-24', name: 'سوريا ٢٤', env_prefix: 'SY_24_' },
    ]);
    expect(await at.rows('main', `SELECT action, detail FROM audit_log WHERE action LIKE 'outlet.%'`)).toEqual([
      { action: 'outlet.add', detail: '{"slug":"sy-24"}' },
    ]);

    // Removed: out of the list, its rows kept; added again, they are back.
    const removed = await nashra('outlets', 'remove', 'sy-24');
    expect(removed.stdout).toContain('removed outlet sy-24; its rows are kept');
    expect((await nashra('--outlet', 'sy-24', 'latest')).code).toBe(1);
    expect((await nashra('latest')).code).toBe(0);
    expect((await nashra('outlets', 'add', 'sy-24')).code).toBe(0);
    expect(await at.rows('sy-24', 'SELECT chat_id FROM subscriptions')).toEqual([{ chat_id: 'desk-b' }]);
    expect(await at.rows('main', `SELECT action FROM audit_log WHERE action LIKE 'outlet.%' ORDER BY id`)).toEqual([
      { action: 'outlet.add' },
      { action: 'outlet.remove' },
      { action: 'outlet.add' },
    ]);
  });

  it('hostile names, prefixes and removals are refused with a reason, nothing written', async () => {
    const at = await open();
    const nashra = (...args: string[]) => runCliInProcess(args, { env: at.env });
    expect((await nashra('outlets', 'add', 'b1', '--env-prefix', 'B1_')).code).toBe(0);
    const refusals: Array<[string[], RegExp]> = [
      // A path, a schema or SQL smuggled in a name; case; one character; too long; Arabic; a NUL.
      [['outlets', 'add', '../etc'], /not an outlet name/],
      [['outlets', 'add', 'a;drop schema public'], /not an outlet name/],
      [['outlets', 'add', 'SY24'], /not an outlet name/],
      [['outlets', 'add', 'a'], /not an outlet name/],
      [['outlets', 'add', 'x'.repeat(33)], /not an outlet name/],
      [['outlets', 'add', 'سوريا'], /not an outlet name/],
      [['outlets', 'add', 'ab-'], /not an outlet name/],
      [['outlets', 'add', 'b1'], /outlet "b1" already exists/],
      [['outlets', 'add', 'main'], /outlet "main" already exists/],
      [['outlets', 'add', 'b2', '--env-prefix', 'B1_'], /already reads the variables B1_/],
      [['outlets', 'add', 'b2', '--env-prefix', 'b2_'], /--env-prefix is the start of environment variables' names/],
      [['outlets', 'add', 'b2', '--env-prefix', 'B2'], /--env-prefix/],
      [['outlets', 'add', 'b2', '--name', '\u202eevil'], /without control or direction-override characters/],
      [['outlets', 'add', 'b2', '--name', 'a\u0007b'], /without control/],
      [['outlets', 'add', 'b2', '--name', 'ن'.repeat(201)], /1–200 characters/],
      [['outlets', 'add', 'b2', '--name', '   '], /1–200 characters/],
      [['outlets', 'remove', 'main'], /cannot be removed/],
      [['outlets', 'remove', 'zz'], /no outlet named "zz"/],
      [['--outlet', '../main', 'latest'], /no outlet named/],
    ];
    for (const [args, message] of refusals) {
      const r = await nashra(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect((await at.rows('main', 'SELECT slug FROM outlets ORDER BY slug')).map((r) => r.slug)).toEqual([
      'b1',
      'main',
    ]);
    if (at.name === 'sqlite')
      expect(existsSync(join(at.env.DATABASE_PATH!, '..', 'nashra.outlets', 'b2.db'))).toBe(false);
  });
});

describe('db/020 on a database made before outlets', () => {
  it('keeps every row in the outlet main, and every desk account there was becomes its admin', () => {
    const { dir, cleanup } = tempDir('nashra-020-');
    onTestFinished(cleanup);
    const old = join(dir, 'old');
    mkdirSync(old);
    for (const f of readdirSync(migrationsDir()).filter(
      (f) => /^(\d+)_/.test(f) && Number(/^(\d+)_/.exec(f)![1]) <= 19,
    )) {
      copyFileSync(join(migrationsDir(), f), join(old, f));
    }
    const path = join(dir, 'nashra.db');
    const v19 = new Database(path);
    migrate(v19, { dir: old });
    expect(v19.pragma('user_version', { simple: true })).toBe(19);
    v19
      .prepare(
        'INSERT INTO desk_editors (username, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?)',
      )
      .run('huda', 'x', 1000, 1000);
    v19
      .prepare(
        'INSERT INTO desk_editors (username, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?)',
      )
      .run('omar', 'y', 2000, 2000);
    v19
      .prepare(
        `INSERT INTO subscriptions (platform, chat_id, kind, active_since, created_at) VALUES ('console', 'c', 'private', 1, 1)`,
      )
      .run();
    v19.close();

    openStore(path).close();
    const db = new Database(path, { readonly: true });
    onTestFinished(() => {
      db.close();
    });
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(20);
    expect(db.prepare('SELECT id, slug, env_prefix FROM outlets').all()).toEqual([
      { id: 1, slug: 'main', env_prefix: null },
    ]);
    expect(
      db
        .prepare(
          `SELECT e.username, m.outlet_id, m.role, m.created_at FROM desk_memberships m JOIN desk_editors e ON e.id = m.editor_id ORDER BY e.username`,
        )
        .all(),
    ).toEqual([
      { username: 'huda', outlet_id: 1, role: 'admin', created_at: 1000 },
      { username: 'omar', outlet_id: 1, role: 'admin', created_at: 2000 },
    ]);
    expect(db.prepare('SELECT COUNT(*) FROM subscriptions').pluck().get()).toBe(1);
  });
});

describe.skipIf(postgresUrl() === '')('outlets on PostgreSQL: a schema each', () => {
  it("an outlet's connections see its schema alone, and its writers take turns among themselves only", async () => {
    const url = await freshPostgresDatabase();
    const main = await openPostgres(url);
    const a = await openPostgres(url, { schema: 'outlet_a' });
    const alsoA = await openPostgres(url, { schema: 'outlet_a' });
    onTestFinished(async () => {
      await main.close();
      await a.close();
      await alsoA.close();
    });
    await main.repos.subscriptions.subscribe({ platform: 'console', chatId: 'main-chat', kind: 'private' }, 1);
    expect(await a.repos.subscriptions.list()).toEqual([]);
    await expect(openPostgres(url, { schema: 'a; DROP SCHEMA public' })).rejects.toThrow(/not a schema name/);

    // A unit of outlet a holds a's write lock until `release`: main's writes go on meanwhile, a's other writer waits.
    const events: string[] = [];
    let release!: () => void;
    const holding = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inUnit = new Promise<void>((r) => {
      entered = r;
    });
    const unit = a.uow.run(async (tx) => {
      await tx.subscriptions.subscribe({ platform: 'console', chatId: 'a-1', kind: 'private' }, 2);
      entered();
      await holding;
      events.push('a unit commits');
    });
    await inUnit;
    const otherA = alsoA.repos.subscriptions
      .subscribe({ platform: 'console', chatId: 'a-2', kind: 'private' }, 3)
      .then(() => events.push("a's other writer"));
    await main.repos.subscriptions.subscribe({ platform: 'console', chatId: 'main-2', kind: 'private' }, 4);
    events.push('main writes');
    release();
    await Promise.all([unit, otherA]);
    expect(events).toEqual(['main writes', 'a unit commits', "a's other writer"]);
    expect((await a.repos.subscriptions.list()).map((s) => s.chatId).sort()).toEqual(['a-1', 'a-2']);
    expect((await main.repos.subscriptions.list()).map((s) => s.chatId).sort()).toEqual(['main-2', 'main-chat']);
  });
});
