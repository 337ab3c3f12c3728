/**
 * Migrations never lose data. The fixture is a database written by the version-2 schema (db/001 + db/002, as the
 * project shipped it before the platform-neutral schema), with rows in every table; tests/fixtures/db/README.md.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { migrate, migrationsDir } from '../../src/store/migrate.js';
import { tempDir } from '../helpers/tmp.js';

const FIXTURE = new URL('../fixtures/db/nashra-v2.sqlite', import.meta.url).pathname;
const V12 = new URL('../fixtures/db/nashra-v12.sqlite', import.meta.url).pathname;
/** Every table of the version-2 schema; its outbox, `deliveries`, is `jobs` from version 13 on. */
const TABLES = [
  'sources',
  'articles',
  'duplicates',
  'subscriptions',
  'broadcasts',
  'editors',
  'audit_log',
  'leases',
  'send_counters',
];

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function copyOfFixture(fixture = FIXTURE): string {
  const { dir, cleanup } = tempDir('nashra-migrate-');
  cleanups.push(cleanup);
  const path = join(dir, 'nashra.db');
  copyFileSync(fixture, path);
  return path;
}

function counts(path: string, outbox: 'deliveries' | 'jobs' = 'jobs'): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(
      [...TABLES, outbox].map((t) => [
        t === outbox ? 'outbox' : t,
        db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number,
      ]),
    );
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('migrate a version-2 database with rows in every table to the current schema, keeping every row', () => {
    const path = copyOfFixture();
    const before = counts(path, 'deliveries');
    expect(Object.values(before).every((n) => n > 0)).toBe(true);
    const old = new Database(path, { readonly: true });
    const deliveries = old
      .prepare(
        'SELECT id, article_id, subscription_id, platform, broadcast_id, state, priority, message_id, queued_at, finished_at FROM deliveries ORDER BY id',
      )
      .all();
    old.close();

    const store = openStore(path);
    expect(store.schemaVersion()).toBeGreaterThanOrEqual(13);
    store.close();
    expect(counts(path)).toEqual(before);

    const db = new Database(path, { readonly: true });
    // Urgency is a field now, not a URL prefix; the alert has no link.
    expect(db.prepare('SELECT url, urgent FROM articles WHERE id = 2').get()).toEqual({ url: null, urgent: 1 });
    expect(db.prepare('SELECT url, urgent FROM articles WHERE id = 1').get()).toEqual({
      url: 'https://www.sy24.net/news/badia',
      urgent: 0,
    });
    expect(db.prepare('SELECT audience FROM broadcasts WHERE id = 1').pluck().get()).toBe('{"kind":"all"}');
    // Deliveries still point at their articles and subscriptions: the rebuilds cascaded nothing away; they are posts
    // of the one outbox now, with their ids.
    expect(
      db
        .prepare(
          'SELECT COUNT(*) FROM jobs d JOIN articles a ON a.id = d.article_id JOIN subscriptions s ON s.id = d.subscription_id',
        )
        .pluck()
        .get(),
    ).toBe(before.outbox);
    expect(
      db
        .prepare(`SELECT id, article_id, subscription_id, platform, broadcast_id, state, priority, message_id, queued_at, finished_at
      FROM jobs WHERE kind = 'post' ORDER BY id`)
        .all(),
    ).toEqual(deliveries);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // The schema no longer enumerates platforms: a plug-in's platform can be stored.
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'subscriptions'").pluck().get()).not.toMatch(
      /telegram|whatsapp/,
    );
    db.close();

    // A copy from before the migration is kept beside the file, at the old version, whole.
    const copy = `${path}.before-v3`;
    expect(existsSync(copy)).toBe(true);
    expect(counts(copy, 'deliveries')).toEqual(before);
    const kept = new Database(copy, { readonly: true });
    expect(kept.pragma('user_version', { simple: true })).toBe(2);
    kept.close();

    // The migrated store works: the stored urgent alert reads back as one.
    const reopened = openStore(path);
    expect(reopened.articles.get(2)).toMatchObject({ urgent: true, url: undefined, title: 'انفجار في دمشق' });
    expect(reopened.jobs.inDoubt().map((d) => d.id)).toEqual([5]);
    reopened.close();
  });

  it('version 8: a «ملخص» subscription becomes an hourly digest; every delivery keeps its state through the rebuild', () => {
    const path = copyOfFixture();
    const { dir, cleanup } = tempDir('nashra-migrations-');
    cleanups.push(cleanup);
    const upTo7 = join(dir, 'db');
    mkdirSync(upTo7);
    for (const file of readdirSync(migrationsDir()).filter((f) => Number(/^(\d+)_/.exec(f)?.[1]) < 8))
      copyFileSync(join(migrationsDir(), file), join(upTo7, file));
    const db = new Database(path);
    migrate(db, { dir: upTo7, path });
    db.prepare("UPDATE subscriptions SET digest = 1 WHERE platform = 'whatsapp'").run();
    const states = db.prepare('SELECT id, state, attempts, message_id FROM deliveries ORDER BY id').all();
    db.close();

    const store = openStore(path);
    expect(store.schemaVersion()).toBeGreaterThanOrEqual(8);
    const whatsapp = store.subscriptions.findByChat('whatsapp', '120363000000000000@g.us')!;
    expect(store.deliverySettings.get(whatsapp.id)).toMatchObject({
      mode: 'hourly',
      urgentNow: false,
      timeZone: 'Asia/Damascus',
    });
    expect(store.deliverySettings.has(store.subscriptions.findByChat('console', 'console')!.id)).toBe(false);
    store.close();
    const after = new Database(path, { readonly: true });
    expect(
      after.prepare(`SELECT id, state, attempts, message_id FROM jobs WHERE kind = 'post' ORDER BY id`).all(),
    ).toEqual(states);
    expect(
      after.prepare("SELECT COUNT(*) FROM pragma_table_info('subscriptions') WHERE name = 'digest'").pluck().get(),
    ).toBe(0);
    expect(after.pragma('foreign_key_check')).toEqual([]);
    after.close();
  });

  it('version 13: every row of the three outboxes of version 12, in every state, lands in jobs, recoverably', () => {
    const path = copyOfFixture(V12);
    const old = new Database(path, { readonly: true });
    expect(old.pragma('user_version', { simple: true })).toBe(12);
    const deliveries = old.prepare('SELECT * FROM deliveries ORDER BY id').all() as Array<
      Record<string, unknown> & { id: number }
    >;
    const parts = old
      .prepare(
        'SELECT p.*, g.subscription_id, g.created_at FROM digest_parts p JOIN digests g ON g.id = p.digest_id ORDER BY p.id',
      )
      .all() as Array<Record<string, unknown> & { id: number; deliveries: string }>;
    const corrections = old
      .prepare(
        'SELECT c.*, d.subscription_id FROM corrections c JOIN deliveries d ON d.id = c.delivery_id ORDER BY c.id',
      )
      .all() as Array<Record<string, unknown> & { id: number; state: string }>;
    const stateLists = Object.fromEntries(
      ['deliveries', 'digest_parts', 'corrections'].map((t) => [
        t,
        old.prepare(`SELECT DISTINCT state FROM ${t} ORDER BY state`).pluck().all() as string[],
      ]),
    );
    const states = (table: string) => stateLists[table]!;
    // The fixture holds every state of every table (and every outcome of a correction).
    expect(states('deliveries')).toEqual(['failed', 'held', 'in_doubt', 'queued', 'sending', 'sent', 'skipped']);
    expect(states('digest_parts')).toEqual(['failed', 'in_doubt', 'queued', 'sending', 'sent', 'skipped']);
    expect(states('corrections')).toEqual(['done', 'failed', 'in_doubt', 'queued', 'sending', 'skipped']);
    expect(
      old.prepare('SELECT DISTINCT outcome FROM corrections WHERE outcome IS NOT NULL ORDER BY outcome').pluck().all(),
    ).toEqual(['edited', 'notice', 'replied']);
    old.close();

    openStore(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(13);
    expect(
      db.prepare(`SELECT name FROM sqlite_master WHERE name IN ('deliveries', 'digest_parts', 'corrections')`).all(),
    ).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(
      deliveries.length + parts.length + corrections.length,
    );
    const job = db.prepare('SELECT * FROM jobs WHERE id = ?');
    const partOffset = Math.max(...deliveries.map((d) => d.id));
    const correctionOffset = partOffset + Math.max(...parts.map((p) => p.id));

    // Posts keep their ids and every column; a post a digest message lists is carried by that message's job.
    const carrier = new Map(
      parts.flatMap((p) => (JSON.parse(p.deliveries) as number[]).map((d) => [d, p.id + partOffset] as const)),
    );
    for (const d of deliveries) {
      expect(job.get(d.id)).toMatchObject({
        ...d,
        kind: 'post',
        carried_by: carrier.get(d.id) ?? null,
        waits_for: null,
        digest_id: null,
      });
    }
    expect([...carrier.keys()].sort((a, b) => a - b)).toEqual([9, 10, 11, 12, 13, 14, 15]);
    // Digest messages: numbered after the posts, with their digest, place, text, state, attempts, errors and message id.
    for (const p of parts) {
      const { id, deliveries: _carried, subscription_id, created_at, ...rest } = p;
      expect(job.get(id + partOffset)).toMatchObject({
        ...rest,
        kind: 'digest',
        platform: 'telegram',
        subscription_id,
        queued_at: created_at,
        article_id: null,
      });
      // The part's list of deliveries is read back from carried_by.
      expect(
        db
          .prepare('SELECT id FROM jobs WHERE carried_by = ? ORDER BY id')
          .pluck()
          .all(id + partOffset),
      ).toEqual(JSON.parse(p.deliveries));
    }
    // Edits and deletes: numbered after the digest messages, waiting for their post; `done` is `sent`, its outcome kept.
    for (const c of corrections) {
      const { id, delivery_id, state, ...rest } = c;
      expect(job.get(id + correctionOffset)).toMatchObject({
        ...rest,
        waits_for: delivery_id,
        state: state === 'done' ? 'sent' : state,
        message_id: null,
      });
    }
    const byKind = db.prepare('SELECT kind, state FROM jobs GROUP BY kind, state ORDER BY kind, state').all() as Array<{
      kind: string;
      state: string;
    }>;
    const statesOf = (...kinds: string[]) =>
      [...new Set(byKind.filter((r) => kinds.includes(r.kind)).map((r) => r.state))].sort();
    expect(statesOf('post')).toEqual(states('deliveries'));
    expect(statesOf('digest')).toEqual(states('digest_parts'));
    expect(statesOf('edit', 'delete')).toEqual(
      states('corrections')
        .map((x) => (x === 'done' ? 'sent' : x))
        .sort(),
    );
    // The audit entry of a verdict on correction 4 names its job now, and still the old id.
    expect(
      JSON.parse(
        db.prepare(`SELECT detail FROM audit_log WHERE action = 'correction.mark_sent'`).pluck().get() as string,
      ),
    ).toEqual({ correction: 4, job: 4 + correctionOffset });
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const store = openStore(path);
    try {
      // Today's unique rules hold on the one table: one post per article and chat, one edit per post and revision.
      expect(store.jobs.enqueue(1, [{ id: 1 }, { id: 2 }])).toBe(1);
      expect(store.jobs.queueCorrections(1, 'edit', 3)).toBe(0);
      // One in-doubt list over every kind, one resolution: the digest message's posts follow it.
      expect(store.jobs.inDoubt(10).map((j) => [j.id, j.kind])).toEqual([
        [4 + correctionOffset, 'edit'],
        [3 + partOffset, 'digest'],
        [12, 'post'],
        [4, 'post'],
      ]);
      expect(store.jobs.resolveInDoubt(3 + partOffset, 'sent', 'marked as sent by cli:cli')).toBe(true);
      expect(store.jobs.get(12)).toMatchObject({ state: 'sent', lastError: 'marked as sent by cli:cli' });
      // The correction report reads the migrated jobs.
      expect(store.jobs.tally(1)).toEqual([
        {
          platform: 'telegram',
          kind: 'edit',
          queued: 0,
          done: { edited: 1 },
          failed: 0,
          skipped: 1,
          inDoubt: 0,
          reasons: [],
        },
        { platform: 'telegram', kind: 'delete', queued: 1, done: {}, failed: 0, skipped: 0, inDoubt: 0, reasons: [] },
        {
          platform: 'whatsapp',
          kind: 'edit',
          queued: 0,
          done: { replied: 1 },
          failed: 0,
          skipped: 0,
          inDoubt: 1,
          reasons: [{ reason: 'interrupted while sending (process stopped before the platform answered)', count: 1 }],
        },
        { platform: 'whatsapp', kind: 'delete', queued: 1, done: {}, failed: 0, skipped: 0, inDoubt: 0, reasons: [] },
      ]);
      // The digest message a retraction made stale is rebuilt before it goes; the post it still carries is held.
      expect(store.jobs.isStale(5 + partOffset)).toBe(true);
      expect(store.jobs.heldCarried(4)).toEqual([{ id: 14, articleId: 10 }]);
      // What the next digest takes: the post held in no digest yet, and the one queued above (a daily-digest chat), numbered after every migrated job.
      expect(store.jobs.heldFor(2, Number.MAX_SAFE_INTEGER)).toEqual([
        { id: 16, articleId: 12 },
        { id: correctionOffset + corrections.length + 1, articleId: 1 },
      ]);
    } finally {
      store.close();
    }
  });

  it('version 14: the article index holds only edits and deletes; every job kept, and each by-article look-up still on an index', () => {
    const path = copyOfFixture(V12);
    // Up to version 13 first (the migrations as they were), to compare its jobs with what 14 leaves.
    const { dir, cleanup } = tempDir('nashra-migrations-');
    cleanups.push(cleanup);
    for (const f of readdirSync(migrationsDir()).filter(
      (f) => /^(\d+)_/.test(f) && Number(/^(\d+)_/.exec(f)![1]) <= 13,
    )) {
      copyFileSync(join(migrationsDir(), f), join(dir, f));
    }
    const v13 = new Database(path);
    migrate(v13, { dir });
    expect(v13.pragma('user_version', { simple: true })).toBe(13);
    const before = v13.prepare('SELECT * FROM jobs ORDER BY id').all();
    v13.close();
    expect(before.length).toBeGreaterThan(20);

    openStore(path).close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(14);
      expect(db.prepare('SELECT * FROM jobs ORDER BY id').all()).toEqual(before);
      const indexes = db
        .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs'`)
        .all() as Array<{ name: string; sql: string | null }>;
      expect(indexes.map((i) => i.name)).not.toContain('jobs_article');
      expect(indexes.find((i) => i.name === 'jobs_article_corrections')?.sql).toContain(
        `WHERE kind IN ('edit', 'delete')`,
      );
      // Posts are found by article through jobs_post_once, edits and deletes through the new index: never a scan.
      const plan = (sql: string) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      expect(plan(`SELECT * FROM jobs WHERE article_id = 1 AND kind = 'post' ORDER BY id`)).toContain(
        'USING INDEX jobs_post_once (article_id=?)',
      );
      expect(
        plan(`SELECT * FROM jobs WHERE article_id = 1 AND kind IN ('edit', 'delete') AND state = 'queued'`),
      ).toContain('USING INDEX jobs_article_corrections (article_id=?');
      // What an index over every post cost: the new one has no entry for a post.
      const entries = db
        .prepare(
          `SELECT COUNT(*) FROM jobs INDEXED BY jobs_article_corrections WHERE kind IN ('edit', 'delete') AND article_id IS NOT NULL`,
        )
        .pluck()
        .get() as number;
      expect(entries).toBe(db.prepare(`SELECT COUNT(*) FROM jobs WHERE kind IN ('edit', 'delete')`).pluck().get());
      expect(entries).toBeLessThan(before.length);
    } finally {
      db.close();
    }
  });

  it('version 21: every desk session and account is kept, each session showing main, its editor admin of main', () => {
    const path = copyOfFixture();
    const { dir, cleanup } = tempDir('nashra-migrations-');
    cleanups.push(cleanup);
    const upTo19 = join(dir, 'db');
    mkdirSync(upTo19);
    for (const file of readdirSync(migrationsDir()).filter((f) => Number(/^(\d+)_/.exec(f)?.[1]) < 20))
      copyFileSync(join(migrationsDir(), file), join(upTo19, file));
    const db = new Database(path);
    migrate(db, { dir: upTo19, path });
    const mona = db
      .prepare(
        "INSERT INTO desk_editors (username, password_hash, created_at, password_changed_at) VALUES ('mona', 'h', 1, 1)",
      )
      .run().lastInsertRowid;
    const rana = db
      .prepare(
        "INSERT INTO desk_editors (username, password_hash, created_at, password_changed_at) VALUES ('rana', 'h', 2, 2)",
      )
      .run().lastInsertRowid;
    const insert = db.prepare(
      'INSERT INTO desk_sessions (id, editor_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)',
    );
    insert.run('a'.repeat(64), mona, 10, 20);
    insert.run('b'.repeat(64), rana, 30, 40);
    const sessions = db.prepare('SELECT * FROM desk_sessions ORDER BY id').all() as Array<Record<string, unknown>>;
    db.close();

    openStore(path).close();
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT * FROM desk_sessions ORDER BY id').all()).toEqual(
      sessions.map((r) => ({ ...r, outlet_id: 1 })),
    );
    expect(after.prepare("SELECT id FROM outlets WHERE slug = 'main'").pluck().get()).toBe(1);
    expect(after.prepare('SELECT editor_id, outlet_id, role FROM desk_memberships ORDER BY editor_id').all()).toEqual([
      { editor_id: Number(mona), outlet_id: 1, role: 'admin' },
      { editor_id: Number(rana), outlet_id: 1, role: 'admin' },
    ]);
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
    writeFileSync(
      join(migrations, '900_broken.sql'),
      `
      CREATE TABLE articles_new AS SELECT * FROM articles;
      DROP TABLE articles;
      ALTER TABLE articles_new RENAME TO articles;
      DELETE FROM subscriptions;
      SELECT no_such_function();`,
    );

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
    expect(store.schemaVersion()).toBe(
      Math.max(...readdirSync(migrationsDir()).map((f) => Number(/^(\d+)_/.exec(f)?.[1] ?? 0))),
    );
    store.close();
    expect(readdirSync(dir).filter((f) => f.includes('before-v'))).toEqual([]);
  });
});
