/**
 * Migrations never lose data. The fixture is a database written by the version-2 schema (db/001 + db/002, as the
 * project shipped it before the platform-neutral schema), with rows in every table; tests/fixtures/db/README.md.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { migrate, migrationsDir } from '../src/store/migrate.js';
import { tempDir } from './helpers/tmp.js';

const FIXTURE = new URL('./fixtures/db/nashra-v2.sqlite', import.meta.url).pathname;
const TABLES = ['sources', 'articles', 'duplicates', 'subscriptions', 'broadcasts', 'deliveries', 'editors', 'audit_log', 'leases', 'send_counters'];

const cleanups: Array<() => void> = [];
afterEach(() => { for (const c of cleanups.splice(0)) c(); });

function copyOfFixture(): string {
  const { dir, cleanup } = tempDir('nashra-migrate-');
  cleanups.push(cleanup);
  const path = join(dir, 'nashra.db');
  copyFileSync(FIXTURE, path);
  return path;
}

function counts(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number]));
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('migrate a version-2 database with rows in every table to the current schema, keeping every row', () => {
    const path = copyOfFixture();
    const before = counts(path);
    expect(Object.values(before).every((n) => n > 0)).toBe(true);

    const store = openStore(path);
    expect(store.schemaVersion()).toBeGreaterThanOrEqual(3);
    store.close();
    expect(counts(path)).toEqual(before);

    const db = new Database(path, { readonly: true });
    // Urgency is a field now, not a URL prefix; the alert has no link.
    expect(db.prepare('SELECT url, urgent FROM articles WHERE id = 2').get()).toEqual({ url: null, urgent: 1 });
    expect(db.prepare('SELECT url, urgent FROM articles WHERE id = 1').get()).toEqual({ url: 'https://www.sy24.net/news/badia', urgent: 0 });
    expect(db.prepare('SELECT audience FROM broadcasts WHERE id = 1').pluck().get()).toBe('{"kind":"all"}');
    // Deliveries still point at their articles and subscriptions: the rebuild cascaded nothing away.
    expect(db.prepare('SELECT COUNT(*) FROM deliveries d JOIN articles a ON a.id = d.article_id JOIN subscriptions s ON s.id = d.subscription_id').pluck().get()).toBe(before.deliveries);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // The schema no longer enumerates platforms: a plug-in's platform can be stored.
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'subscriptions'").pluck().get()).not.toMatch(/telegram|whatsapp/);
    db.close();

    // A copy from before the migration is kept beside the file, at the old version, whole.
    const copy = `${path}.before-v3`;
    expect(existsSync(copy)).toBe(true);
    expect(counts(copy)).toEqual(before);
    const old = new Database(copy, { readonly: true });
    expect(old.pragma('user_version', { simple: true })).toBe(2);
    old.close();

    // The migrated store works: the stored urgent alert reads back as one.
    const reopened = openStore(path);
    expect(reopened.articles.get(2)).toMatchObject({ urgent: true, url: undefined, title: 'انفجار في دمشق' });
    expect(reopened.jobs.inDoubt().map((d) => d.id)).toHaveLength(1);
    reopened.close();
  });

  it('version 8: a «ملخص» subscription becomes an hourly digest; every delivery keeps its state through the rebuild', () => {
    const path = copyOfFixture();
    const { dir, cleanup } = tempDir('nashra-migrations-');
    cleanups.push(cleanup);
    const upTo7 = join(dir, 'db');
    mkdirSync(upTo7);
    for (const file of readdirSync(migrationsDir()).filter((f) => Number(/^(\d+)_/.exec(f)?.[1]) < 8)) copyFileSync(join(migrationsDir(), file), join(upTo7, file));
    const db = new Database(path);
    migrate(db, { dir: upTo7, path });
    db.prepare("UPDATE subscriptions SET digest = 1 WHERE platform = 'whatsapp'").run();
    const states = db.prepare('SELECT id, state, attempts, message_id FROM deliveries ORDER BY id').all();
    db.close();

    const store = openStore(path);
    expect(store.schemaVersion()).toBeGreaterThanOrEqual(8);
    const whatsapp = store.subscriptions.findByChat('whatsapp', '120363000000000000@g.us')!;
    expect(store.deliverySettings.get(whatsapp.id)).toMatchObject({ mode: 'hourly', urgentNow: false, timeZone: 'Asia/Damascus' });
    expect(store.deliverySettings.has(store.subscriptions.findByChat('console', 'console')!.id)).toBe(false);
    store.close();
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT id, state, attempts, message_id FROM deliveries ORDER BY id').all()).toEqual(states);
    expect(after.prepare("SELECT COUNT(*) FROM pragma_table_info('subscriptions') WHERE name = 'digest'").pluck().get()).toBe(0);
    expect(after.pragma('foreign_key_check')).toEqual([]);
    after.close();
  });

  it('a migration that fails half-way leaves the database as it was, at its version, and usable', () => {
    const path = copyOfFixture();
    openStore(path).close(); // now at the current version
    const before = counts(path);
    const { dir, cleanup } = tempDir('nashra-migrations-');
    cleanups.push(cleanup);
    const migrations = join(dir, 'db');
    mkdirSync(migrations);
    for (const file of readdirSync(migrationsDir())) copyFileSync(join(migrationsDir(), file), join(migrations, file));
    // Rebuilds deliveries' parent table (which would cascade with foreign keys on), then fails.
    writeFileSync(join(migrations, '900_broken.sql'), `
      CREATE TABLE articles_new AS SELECT * FROM articles;
      DROP TABLE articles;
      ALTER TABLE articles_new RENAME TO articles;
      DELETE FROM subscriptions;
      SELECT no_such_function();`);

    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true });
    expect(() => migrate(db, { dir: migrations, path })).toThrow(/no_such_function/);
    expect(db.pragma('user_version', { simple: true })).toBe(version);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
    expect(counts(path)).toEqual(before);
    const store = openStore(path);
    expect(store.jobs.listForArticle(1)).toHaveLength(3);
    store.close();
  });

  it('a migration that would leave a broken foreign key is refused before it commits', () => {
    const path = copyOfFixture();
    openStore(path).close();
    const { dir, cleanup } = tempDir('nashra-migrations-');
    cleanups.push(cleanup);
    const migrations = join(dir, 'db');
    mkdirSync(migrations);
    for (const file of readdirSync(migrationsDir())) copyFileSync(join(migrationsDir(), file), join(migrations, file));
    writeFileSync(join(migrations, '901_orphans.sql'), 'DELETE FROM articles WHERE id = 1;');
    const db = new Database(path);
    expect(() => migrate(db, { dir: migrations, path })).toThrow(/breaks \d+ foreign key/);
    expect(db.prepare('SELECT COUNT(*) FROM articles WHERE id = 1').pluck().get()).toBe(1);
    db.close();
  });

  it('a fresh database is created at the current version without a safety copy', () => {
    const { dir, cleanup } = tempDir('nashra-fresh-');
    cleanups.push(cleanup);
    const store = openStore(join(dir, 'n.db'));
    expect(store.schemaVersion()).toBe(Math.max(...readdirSync(migrationsDir()).map((f) => Number(/^(\d+)_/.exec(f)?.[1] ?? 0))));
    store.close();
    expect(readdirSync(dir).filter((f) => f.includes('before-v'))).toEqual([]);
  });
});
