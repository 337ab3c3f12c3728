import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { projectRoot } from '../paths.js';

export const migrationsDir = (): string => join(projectRoot(), 'db');

interface Migration { version: number; file: string }

function listMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .map((file) => ({ file, match: /^(\d+)_.+\.sql$/.exec(file) }))
    .filter((m): m is { file: string; match: RegExpExecArray } => m.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), file }))
    .sort((a, b) => a.version - b.version);
}

/** Applies every migration newer than `PRAGMA user_version`, each in its own transaction. */
export function migrate(db: Database, dir = migrationsDir()): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = listMigrations(dir).filter((m) => m.version > current);
  for (const m of pending) {
    const sql = readFileSync(join(dir, m.file), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return pending.length;
}
