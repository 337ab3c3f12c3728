/**
 * PostgreSQL's schema, from the one description both databases have: the migrations in db/. They are written for
 * SQLite (its history: table rebuilds, JSON moves of rows only an old SQLite install can hold), so PostgreSQL does not
 * replay them. It takes their result: the migrations are applied to an empty SQLite database in memory, and what
 * SQLite then holds as its schema (`sqlite_master`, one CREATE per table and index, with every ALTER folded in) is
 * translated statement by statement. A newer migration file is applied the same way to a PostgreSQL database that
 * is at an older version (`upgradeStatements`), so both reach the same tables, columns, constraints and indexes; the
 * parity test (tests/store/postgres/schema.test.ts) compares the two catalogues.
 *
 * What the translation changes, and why:
 * - INTEGER → BIGINT (times are milliseconds since 1970: 41 bits); `id INTEGER PRIMARY KEY` (SQLite's rowid) →
 *   an identity column, which like the rowid takes a value given explicitly (`nashra db copy` keeps every id);
 * - BLOB → BYTEA; a VIRTUAL generated column → STORED (PostgreSQL 15 has only stored ones);
 * - `UNIQUE COLLATE NOCASE` (desk usernames) → a unique index on lower(column COLLATE "C"): the repositories compare
 *   the same; NOCASE folds ASCII only, and so does lower() under "C", whatever the database's locale (under C.UTF-8
 *   lower() folds «М» to «м» too, and would make two accounts SQLite tells apart one);
 * - `WITHOUT ROWID` dropped (a PostgreSQL table has no rowid);
 * - search: SQLite's FTS5 table `article_terms` (and the trigger that deletes an article's terms) → a table of
 *   tsvectors with a GIN index, deleted with its article by the foreign key. The terms are the same light stems
 *   (src/text/stem.ts), written by the store with the article, so search finds the same articles on both.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listMigrations, migrate, migrationsDir } from '../migrate.js';

/** The search table PostgreSQL has instead of FTS5's (db/006_search.sql). */
const SEARCH_TABLE = [
  `CREATE TABLE article_terms (
  rowid BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
  terms TSVECTOR NOT NULL
)`,
  'CREATE INDEX article_terms_terms ON article_terms USING GIN (terms) WITH (fastupdate = off)',
];

/** The newest migration's version in `dir`. */
export function latestVersion(dir = migrationsDir()): number {
  return Math.max(0, ...listMigrations(dir).map((m) => m.version));
}

/** A schema's statements and the rows its migrations put in (the search index's version, the full story's key). */
export interface PostgresSchema {
  version: number;
  statements: string[];
  rows: Array<{ table: string; row: Record<string, unknown> }>;
}

/**
 * The schema at `version` (default: the newest) for an empty PostgreSQL database: SQLite's schema after the same
 * migrations, translated, tables ordered so each comes after those it references.
 */
export function postgresSchema(options: { dir?: string; version?: number } = {}): PostgresSchema {
  const dir = options.dir ?? migrationsDir();
  const version = options.version ?? latestVersion(dir);
  const db = new Database(':memory:');
  try {
    migrate(db, { dir, upTo: version });
    const objects = db
      .prepare(`SELECT type, name, tbl_name AS tableName, sql FROM sqlite_master
      WHERE sql IS NOT NULL AND type IN ('table', 'index') ORDER BY rowid`)
      .all() as Array<{ type: string; name: string; tableName: string; sql: string }>;
    const tables = objects.filter((o) => o.type === 'table' && !isSearchShadow(o.name));
    const statements: string[] = [];
    for (const table of orderByReferences(tables)) {
      if (table.name === 'article_terms') statements.push(...SEARCH_TABLE);
      else statements.push(...translateStatement(table.sql));
    }
    for (const index of objects.filter((o) => o.type === 'index' && !isSearchShadow(o.tableName)))
      statements.push(...translateStatement(index.sql));
    const rows = tables
      .filter((t) => t.name !== 'article_terms')
      .flatMap((t) =>
        (db.prepare(`SELECT * FROM "${t.name}"`).all() as Array<Record<string, unknown>>).map((row) => ({
          table: t.name,
          row,
        })),
      );
    return { version, statements, rows };
  } finally {
    db.close();
  }
}

/** The statements that bring a PostgreSQL database at `from` to the newest version, one migration file at a time. */
export function upgradeStatements(
  from: number,
  dir = migrationsDir(),
): Array<{ version: number; statements: string[] }> {
  return listMigrations(dir)
    .filter((m) => m.version > from)
    .map((m) => ({
      version: m.version,
      statements: splitStatements(readFileSync(join(dir, m.file), 'utf8')).flatMap(translateStatement),
    }));
}

/**
 * One SQLite statement of the schema in PostgreSQL's words (the rules at the top of this file). A statement that
 * only SQLite needs (a pragma, a trigger of the FTS table) translates to nothing.
 */
export function translateStatement(sql: string): string[] {
  const text = stripComments(sql).trim();
  if (
    text === '' ||
    /^PRAGMA\b/i.test(text) ||
    /^CREATE TRIGGER\b/i.test(text) ||
    /^CREATE VIRTUAL TABLE\b/i.test(text)
  )
    return [];
  const extra: string[] = [];
  let out = text
    .replace(/\)\s*WITHOUT ROWID\s*$/i, ')')
    .replace(/\bid\s+INTEGER\s+PRIMARY\s+KEY\b/gi, 'id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY')
    .replace(/\bINTEGER\b/g, 'BIGINT')
    .replace(/\bBLOB\b/g, 'BYTEA')
    .replace(/\bREAL\b/g, 'DOUBLE PRECISION')
    .replace(/\)\s*VIRTUAL\b/g, ') STORED')
    .replace(
      /randomblob\((\d+)\)/gi,
      (_, n: string) => `decode(lpad(md5(random()::text), ${Number(n) * 2}, md5(clock_timestamp()::text)), 'hex')`,
    );
  const table = /^CREATE TABLE\s+"?(\w+)"?/i.exec(out)?.[1];
  out = out.replace(/(\w+)(\s+TEXT\s+NOT NULL)\s+UNIQUE\s+COLLATE\s+NOCASE/gi, (_, column: string, type: string) => {
    extra.push(`CREATE UNIQUE INDEX ${table}_${column}_nocase ON ${table} (lower(${column} COLLATE "C"))`);
    return column + type;
  });
  return [out, ...extra];
}

/** Splits a migration file into statements (none of Nashra's has a semicolon inside a string or a trigger body). */
function splitStatements(sql: string): string[] {
  return stripComments(sql)
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '');
}

/** FTS5's own tables behind `article_terms`. */
function isSearchShadow(name: string): boolean {
  return name.startsWith('article_terms_');
}

/** Tables so that each comes after the tables its foreign keys reference (PostgreSQL checks them at CREATE). */
function orderByReferences<T extends { name: string; sql: string }>(tables: T[]): T[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const ordered: T[] = [];
  const visit = (t: T, path: Set<string>): void => {
    if (done.has(t.name) || path.has(t.name)) return;
    path.add(t.name);
    for (const [, ref] of t.sql.matchAll(/REFERENCES\s+"?(\w+)"?/gi)) {
      const target = byName.get(ref!);
      if (target && target.name !== t.name) visit(target, path);
    }
    done.add(t.name);
    ordered.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return ordered;
}
