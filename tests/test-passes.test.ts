/** Every test file that touches the database is in one pass list of tests/passes.ts, on purpose (issue 24 §6). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { testDatabase } from './helpers/pass.js';
import { adapters } from './helpers/postgres.js';
import { rawAdapters } from './helpers/raw-db.js';
import { NO_DATA, POSTGRES_FOLDERS, POSTGRES_PASS, SQLITE_ONLY } from './passes.js';

/** What opens a database in a test: the store, a raw connection, the fixtures and helpers built on them, the CLI and runs. */
const TOUCHES =
  /openStore|freshStore|better-sqlite3|startHarness|deskFixture|deskPerTest|runCli|spawnRun|freshDatabase|freshPorts|createDatabase|DATABASE_PATH|'--db'|rawAdapters|adapters\(\)|prepareBroadcast|storeArticleIn|storeNumberedArticle/;

describe('the two passes', () => {
  it('name every test file that touches the database once, and only files that exist', () => {
    const lists = [POSTGRES_PASS, Object.keys(SQLITE_ONLY), Object.keys(NO_DATA)];
    const named = lists.flat();
    expect(
      named.filter((f, i) => named.indexOf(f) !== i),
      'named twice',
    ).toEqual([]);
    expect(
      named.filter((f) => !existsSync(join(ROOT, f))),
      'no such file',
    ).toEqual([]);
    // Every test file but the PostgreSQL folders' (POSTGRES_FOLDERS: in the PostgreSQL pass as folders).
    const inPostgresFolder = (f: string) => POSTGRES_FOLDERS.some((folder) => f.startsWith(`${folder}/`));
    const touching = (readdirSync(join(ROOT, 'tests'), { recursive: true }) as string[])
      .map((f) => `tests/${f}`)
      .filter((f) => f.endsWith('.test.ts') && !inPostgresFolder(f))
      .filter((f) => TOUCHES.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(
      touching.filter((f) => !named.includes(f)),
      'touch the database, in no list of tests/passes.ts',
    ).toEqual([]);
    expect(
      named.filter((f) => !touching.includes(f)),
      'listed, touch no database',
    ).toEqual([]);
  });

  it('the PostgreSQL pass leaves the SQLite-only files out and converted files on their way in', () => {
    for (const f of Object.keys(SQLITE_ONLY)) expect(readFileSync(join(ROOT, f), 'utf8')).not.toMatch(/raw-db\.js/);
    // A converted file opens this pass's database, not a SQLite file of its own.
    for (const f of POSTGRES_PASS)
      expect(readFileSync(join(ROOT, f), 'utf8'), f).toMatch(
        /raw-db\.js|fake-telegram\/harness\.js|helpers\/desk\.js|adapters\(\)|ofThisPass/,
      );
    for (const folder of POSTGRES_FOLDERS) expect(existsSync(join(ROOT, folder)), folder).toBe(true);
  });

  it('give each pass its own adapter only, so each test of both adapters runs once per pass', () => {
    expect(adapters().map((a) => a.name)).toEqual([testDatabase()]);
    expect(rawAdapters().map((a) => a.name)).toEqual([testDatabase()]);
  });
});
