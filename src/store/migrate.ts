import { existsSync, rmSync } from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { projectRoot } from '../paths.js';

export const migrationsDir = (): string => join(projectRoot(), 'db');

interface Migration {
  version: number;
  file: string;
}

export function listMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .map((file) => ({ file, match: /^(\d+)_.+\.sql$/.exec(file) }))
    .filter((m): m is { file: string; match: RegExpExecArray } => m.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), file }))
    .sort((a, b) => a.version - b.version);
}

export interface MigrateOptions {
  dir?: string;
  /** The database file, for the safety copy; absent for ':memory:'. */
  path?: string;
  /** Stop at this version (PostgreSQL's schema at an older version, src/store/postgres/schema.ts). */
  upTo?: number;
}

/**
 * Applies every migration newer than `PRAGMA user_version`, following SQLite's documented procedure for schema
 * changes (https://sqlite.org/lang_altertable.html#otheralter): foreign keys off *outside* the transaction (inside one
 * the pragma is a no-op, and a table rebuild would then cascade and delete every delivery), each migration in its own
 * transaction, `PRAGMA foreign_key_check` before commit, foreign keys back on after. A migration that fails rolls
 * back whole, so the database stays at the previous version and usable.
 *
 * Before touching a database that already holds data, a copy is kept beside it as `<file>.before-v<N>` (N: the
 * first new version). VACUUM INTO writes a consistent copy in one statement, even with other connections open.
 */
export function migrate(db: Database, options: MigrateOptions = {}): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = listMigrations(options.dir ?? migrationsDir()).filter(
    (m) => m.version > current && m.version <= (options.upTo ?? Infinity),
  );
  if (pending.length === 0) return 0;
  if (options.path && current > 0) keepCopy(db, `${options.path}.before-v${pending[0]!.version}`);
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    for (const m of pending) {
      const sql = readFileSync(join(options.dir ?? migrationsDir(), m.file), 'utf8');
      db.transaction(() => {
        db.exec(sql);
        const broken = db.pragma('foreign_key_check') as Array<{ table: string; parent: string }>;
        if (broken.length > 0) {
          const first = broken[0]!;
          throw new Error(
            `migration ${m.file} breaks ${broken.length} foreign key(s), e.g. ${first.table} → ${first.parent}; nothing was changed`,
          );
        }
        db.pragma(`user_version = ${m.version}`);
      })();
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return pending.length;
}

function keepCopy(db: Database, destination: string): void {
  // VACUUM INTO refuses an existing file; an older copy for the same version is from an earlier failed attempt.
  if (existsSync(destination)) rmSync(destination);
  db.prepare('VACUUM INTO ?').run(destination);
}
