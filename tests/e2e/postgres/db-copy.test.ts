/**
 * `nashra db copy --to postgres://…` (issue 24 §5), run in-process: a SQLite database written through the store's
 * own methods (chats, articles, posts sent, a digest carrying posts, an edit, reactions, clicks, full-story reads, a
 * desk account) copied into a new PostgreSQL database, every table compared row by row by the test itself; and what
 * the command refuses.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { HOUR_MS } from '../../../src/model/reach.js';
import { numberTypes, openPostgres } from '../../../src/store/postgres/database.js';
import { postgresSchema } from '../../../src/store/postgres/schema.js';
import { storeNumberedArticle } from '../../helpers/articles.js';
import { post } from '../../helpers/clicks.js';
import { runCliInProcess } from '../../helpers/cli.js';
import { freshPostgresDatabase, postgresUrl } from '../../helpers/postgres.js';
import { freshStore } from '../../helpers/store.js';
import { tempDir } from '../../helpers/tmp.js';
import { expectUserError } from '../../helpers/user-error.js';

const PASSWORD = 'Sup3r-Secret/pw@x';

/** The database's URL with a user and password (the test cluster trusts loopback, so any password connects). */
function withPassword(url: string): string {
  const u = new URL(url);
  u.username = 'nashra';
  u.password = encodeURIComponent(PASSWORD);
  return u.toString();
}

const expectNoPassword = (r: { stdout: string; stderr: string }): void => {
  for (const text of [r.stdout, r.stderr]) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(encodeURIComponent(PASSWORD));
    expect(text).not.toContain('Sup3r');
  }
};

/** A newsroom's SQLite database with a row in most tables; its path. */
async function populated(): Promise<string> {
  const store = freshStore();
  const now = Date.now();
  const repos = store.ports().repos;
  const tg = store.subscriptions.subscribe(
    { platform: 'telegram', chatId: '-1001', kind: 'channel', title: "قناة '); DROP TABLE jobs; --" },
    now - HOUR_MS,
  );
  const wa = store.subscriptions.subscribe({ platform: 'whatsapp', chatId: '1203@g.us', kind: 'group' }, now - HOUR_MS);
  const articles = [];
  for (let n = 1; n <= 5; n++) articles.push(await storeNumberedArticle(store, n));
  // Posts with clicks, and a reaction.
  await post(store, articles[0]!.id, tg.id, now - 2 * HOUR_MS, [
    [now - 2 * HOUR_MS, 3],
    [now - HOUR_MS, 2],
  ]);
  await post(store, articles[1]!.id, wa.id, now - HOUR_MS, [[now - HOUR_MS, 1]]);
  const sent = (await repos.reactions.findPost(
    'telegram',
    '-1001',
    store.jobs.listForArticle(articles[0]!.id)[0]!.messageId!,
  ))!;
  await repos.reactions.replace(
    sent,
    new Map([
      ['👍', 4],
      ['❤‍🔥', 1],
    ]),
    now,
  );
  await repos.reactions.setMark(sent.postId, { countsAt: now, events: ['e1'] });
  await repos.fullStory.addReads(articles[0]!.id, 7, now);
  // A digest message made after the posts it carries: a job naming a later job.
  store.deliverySettings.set(wa.id, {
    mode: 'hourly',
    urgentNow: false,
    timeZone: 'UTC',
    quietMode: 'silent',
    quietUrgent: false,
  });
  for (const a of articles.slice(2, 4)) store.jobs.enqueue(a.id, [wa]);
  const held = articles.slice(2, 4).map((a) => store.jobs.listForArticle(a.id)[0]!.id);
  const digest = store.digests.open(wa.id, now, 2)!;
  const part = store.jobs.addDigestPart(digest, 1, 1, 'نشرة الساعة', held);
  store.jobs.markSending(part);
  store.jobs.markSent(part, 'w-digest');
  // An edit waiting for its post, and a queued post.
  store.jobs.queueCorrections(articles[0]!.id, 'edit', 2, now);
  store.jobs.enqueue(articles[4]!.id, [tg]);
  store.deskEditors.add('محرر', 'scrypt$hash', now);
  store.audit.record('cli', 'tester', 'demo.end', { note: 'نص "مقتبس"' }, now);
  return store.path;
}

/** Every row of every table, in a comparable form, from SQLite or PostgreSQL. */
async function dump(read: (sql: string) => Promise<Array<Record<string, unknown>>>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const tables = postgresSchema()
    .statements.flatMap((s) => /^CREATE TABLE\s+"?(\w+)"?/i.exec(s)?.[1] ?? [])
    .filter((t) => t !== 'article_terms');
  for (const table of tables) {
    out[table] = (await read(`SELECT * FROM "${table}"`))
      .map((row) =>
        JSON.stringify(
          Object.entries(row)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('hex') : v]),
        ),
      )
      .sort();
  }
  return out;
}

async function pgClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, types: numberTypes });
  await client.connect();
  return client;
}

/**
 * A new target with a trigger that alters job 3 on its way in (no row yet: the database is still empty), so the
 * copy's check fails; the client stays open to read the target afterwards.
 */
async function tamperedTarget(): Promise<{ url: string; client: pg.Client }> {
  const url = withPassword(await freshPostgresDatabase());
  await (await openPostgres(url)).close();
  const client = await pgClient(url);
  await client.query(
    `CREATE FUNCTION tamper() RETURNS trigger AS $$ BEGIN IF NEW.id = 3 THEN NEW.last_error := 'x'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
  );
  await client.query('CREATE TRIGGER tamper BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION tamper()');
  return { url, client };
}

describe.skipIf(postgresUrl() === '')('nashra db copy', () => {
  it('copies every row, ids, the full-story key and the outbox, moves the sequences past them, and leaves search to be rebuilt', async () => {
    const path = await populated();
    const url = withPassword(await freshPostgresDatabase());
    const r = await runCliInProcess(['--db', path, 'db', 'copy', '--to', url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^copied .* to postgres:\/\/nashra:\*\*\*@127\.0\.0\.1:\d+\/t_\w+\n/);
    expect(r.stdout).toMatch(/^jobs\s+7\s+7$/m);
    expect(r.stdout).toMatch(/^post_reactions\s+2\s+2$/m);
    expect(r.stdout).toMatch(/check: OK, .* 7 jobs identical column by column/);
    expectNoPassword(r);

    const source = new Database(path, { readonly: true });
    const client = await pgClient(url);
    try {
      const expected = await dump(async (sql) => source.prepare(sql).all() as Array<Record<string, unknown>>);
      const copied = await dump(async (sql) => (await client.query(sql)).rows);
      // The one value that differs on purpose: the search index's version (0: reindex at the next open).
      expect(copied.search_index).toEqual(['[["version",0]]']);
      delete expected.search_index;
      delete copied.search_index;
      expect(copied).toEqual(expected);
      expect(copied.jobs!.some((j) => /"carried_by",\d+/.test(j))).toBe(true);
      // The next row of each identity table takes the next id, not 1.
      const next = await client.query<{
        id: number;
      }>(`INSERT INTO subscriptions (platform, chat_id, kind, active_since, created_at)
        VALUES ('telegram', '-1009', 'private', 0, 0) RETURNING id`);
      expect(next.rows[0]!.id).toBe(3);
      const job = await client.query<{
        id: number;
      }>(`INSERT INTO jobs (kind, platform, subscription_id, article_id, queued_at)
        VALUES ('post', 'telegram', 3, 1, 0) RETURNING id`);
      expect(job.rows[0]!.id).toBe(8);
    } finally {
      source.close();
      await client.end();
    }
    // The keys and indexes set aside for the copy are made again as the migration made them.
    const catalog = async (at: string) => {
      const c = await pgClient(at);
      try {
        const defs = await c.query<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE schemaname = 'public'
          UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace`);
        return defs.rows.map((r) => r.def).sort();
      } finally {
        await c.end();
      }
    };
    const fresh = await freshPostgresDatabase();
    await (await openPostgres(fresh)).close();
    expect(await catalog(url)).toEqual(await catalog(fresh));
    // The ports over the copy answer as over the original.
    const ports = await openPostgres(url);
    try {
      expect(Buffer.from(await ports.repos.fullStory.linkKey()).toString('hex')).toBe(
        (
          new Database(path, { readonly: true }).prepare('SELECT secret FROM full_story_key').get() as {
            secret: Buffer;
          }
        ).secret.toString('hex'),
      );
      expect(await ports.repos.fullStory.reads(1)).toBe(7);
      expect(await ports.repos.reactions.byEmoji([1])).toEqual(new Map([[1, { '👍': 4, '❤‍🔥': 1 }]]));
    } finally {
      await ports.close();
    }
  });

  it('refuses a target that is not empty, writing nothing, and never shows the password', async () => {
    const path = await populated();
    const url = withPassword(await freshPostgresDatabase());
    expect((await runCliInProcess(['--db', path, 'db', 'copy', '--to', url])).code).toBe(0);
    // The copy leaves search to be indexed at the next open (search_index 0): that open, before the second copy.
    await (await openPostgres(url)).close();
    const client = await pgClient(url);
    try {
      await client.query('DELETE FROM jobs WHERE id = 7');
      const before = await dump(async (sql) => (await client.query(sql)).rows);
      const again = await runCliInProcess(['--db', path, 'db', 'copy', '--to', url]);
      expectUserError(
        again,
        /the PostgreSQL database is not empty \(.*subscriptions.*jobs.* have rows\).*nothing was written/,
      );
      expectNoPassword(again);
      expect(await dump(async (sql) => (await client.query(sql)).rows)).toEqual(before);
    } finally {
      await client.end();
    }
  });

  it('a copy that does not match is rolled back and fails', async () => {
    const path = await populated();
    const { url, client } = await tamperedTarget();
    try {
      const r = await runCliInProcess(['--db', path, 'db', 'copy', '--to', url]);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toMatch(/^NOT copied/);
      expect(r.stderr).toMatch(/check failed: jobs: row 3 differs in column last_error; the copy was rolled back/);
      expectNoPassword(r);
      expect((await client.query('SELECT COUNT(*) AS n FROM jobs')).rows[0].n).toBe(0);
      expect((await client.query('SELECT COUNT(*) AS n FROM articles')).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('copies one moment of the source: rows a writer commits during the copy are not in it, and the copy is whole', async () => {
    const path = await populated();
    const url = withPassword(await freshPostgresDatabase());
    await (await openPostgres(url)).close();
    const client = await pgClient(url);
    const writer = new Database(path);
    try {
      // The copy pauses on the articles (a trigger on the target, no row) and the test writes to SQLite meanwhile:
      // an article and a post of it, committed before the copy reads the jobs.
      await client.query(
        'CREATE FUNCTION pause() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$ LANGUAGE plpgsql',
      );
      await client.query('CREATE TRIGGER pause AFTER INSERT ON articles FOR EACH STATEMENT EXECUTE FUNCTION pause()');
      const copying = runCliInProcess(['--db', path, 'db', 'copy', '--to', url], { env: { LOG_LEVEL: 'debug' } });
      await vi.waitFor(
        async () => {
          const { rows } = await client.query(
            `SELECT 1 FROM pg_stat_activity WHERE query LIKE 'INSERT INTO "articles"%' AND state = 'active'`,
          );
          expect(rows).toHaveLength(1);
        },
        { timeout: 20_000, interval: 20 },
      );
      const article = Number(
        writer
          .prepare(`INSERT INTO articles (url, title, source_name, paragraphs, content_hash, story_key, search_text, created_at)
        VALUES ('https://news.example/late', 'متأخر', 'مثال', '[]', 'late', 'late', '', 0)`)
          .run().lastInsertRowid,
      );
      writer
        .prepare(
          `INSERT INTO jobs (kind, platform, subscription_id, article_id, queued_at) VALUES ('post', 'telegram', 1, ?, 0)`,
        )
        .run(article);
      const r = await copying;
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^articles\s+5\s+5$/m);
      expect(r.stdout).toMatch(/^jobs\s+7\s+7$/m);
      expectNoPassword(r);
      expect((await client.query('SELECT COUNT(*) AS n FROM jobs WHERE article_id = $1', [article])).rows[0].n).toBe(0);
    } finally {
      writer.close();
      await client.end();
    }
  });

  it('refuses text PostgreSQL cannot hold (NUL), writing nothing', async () => {
    const path = await populated();
    const raw = new Database(path);
    raw.prepare('UPDATE articles SET title = ? WHERE id = 2').run('عنوان\u0000مخفي');
    raw.close();
    const url = withPassword(await freshPostgresDatabase());
    const r = await runCliInProcess(['--db', path, 'db', 'copy', '--to', url]);
    expectUserError(r, /articles row 2, column title, holds a NUL character.*nothing was written/);
    const client = await pgClient(url);
    try {
      expect(
        (await client.query('SELECT COUNT(*) AS n FROM sources')).rows[0].n +
          (await client.query('SELECT COUNT(*) AS n FROM subscriptions')).rows[0].n,
      ).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('a source row naming a row that is not there (written with foreign keys off) fails the copy, naming it, writing nothing', async () => {
    const path = await populated();
    const raw = new Database(path);
    raw.pragma('foreign_keys = OFF');
    raw.prepare('INSERT INTO full_story_reads (article_id, reads, last_read_at) VALUES (999, 1, 0)').run();
    raw.close();
    const url = withPassword(await freshPostgresDatabase());
    const r = await runCliInProcess(['--db', path, 'db', 'copy', '--to', url]);
    expectUserError(
      r,
      /failed, nothing was written: .*full_story_reads.* violates foreign key constraint .*\(Key \(article_id\)=\(999\) is not present in table "articles"\.\)/,
    );
    expectNoPassword(r);
    const client = await pgClient(url);
    try {
      expect((await client.query('SELECT COUNT(*) AS n FROM articles')).rows[0].n).toBe(0);
      // The keys and indexes set aside for the copy are all there again.
      expect(
        (
          await client.query(
            `SELECT COUNT(*) AS n FROM pg_constraint WHERE contype = 'f' AND conrelid = 'jobs'::regclass`,
          )
        ).rows[0].n,
      ).toBe(6);
      expect(
        (await client.query(`SELECT COUNT(*) AS n FROM pg_indexes WHERE tablename = 'jobs'`)).rows[0].n,
      ).toBeGreaterThan(3);
    } finally {
      await client.end();
    }
  });

  it('refuses a malformed, non-PostgreSQL or unreachable URL and a missing source, without the password', async () => {
    const path = await populated();
    const cases: Array<[string[], RegExp]> = [
      [['--to', `postgres://nashra:${PASSWORD}@[::1/db`], /not a valid PostgreSQL URL/],
      [['--to', `mysql://nashra:${encodeURIComponent(PASSWORD)}@127.0.0.1/db`], /--to must be a PostgreSQL URL/],
      [['--to', `http://nashra:${encodeURIComponent(PASSWORD)}@127.0.0.1/db`], /--to must be a PostgreSQL URL/],
      [
        ['--to', `postgres://nashra:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/db`],
        /cannot open the PostgreSQL database postgres:\/\/nashra:\*\*\*@127\.0\.0\.1:1\/db: .*ECONNREFUSED/,
      ],
      // The password as a parameter (libpq and pg read it there too), written as is and percent-encoded.
      [
        ['--to', `postgres://nashra@127.0.0.1:1/db?password=${encodeURIComponent(PASSWORD)}`],
        /cannot open the PostgreSQL database postgres:\/\/nashra@127\.0\.0\.1:1\/db\?password=\*\*\*: .*ECONNREFUSED/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCliInProcess(['--db', path, 'db', 'copy', ...args]);
      expectUserError(r, pattern);
      expectNoPassword(r);
    }
    // A short password (the logger masks only secrets of 6 characters or more): masked by the copy's own messages.
    const short = await runCliInProcess(['--db', path, 'db', 'copy', '--to', 'postgres://nashra:zq9x@127.0.0.1:1/db']);
    expectUserError(short, /nashra:\*\*\*@127\.0\.0\.1:1/);
    expect(short.stderr + short.stdout).not.toContain('zq9x');
    const { dir, cleanup } = tempDir('nashra-copy-');
    try {
      const missing = join(dir, 'none', 'nashra.db');
      const r = await runCliInProcess(['--db', missing, 'db', 'copy', '--to', withPassword(postgresUrl())]);
      expectUserError(r, /the database .*none\/nashra\.db does not exist/);
      expect(existsSync(missing)).toBe(false);
      expectUserError(
        await runCliInProcess(['--db', path, 'db', 'copy']),
        /required option '--to <url>' not specified/,
      );
    } finally {
      cleanup();
    }
  });

  it('says its refusals and a failed check in Arabic with NASHRA_CLI_LANGUAGE=ar, the password masked as in English', async () => {
    const arabic = (args: string[]) => runCliInProcess(args, { env: { NASHRA_CLI_LANGUAGE: 'ar' } });
    const path = await populated();
    const refusals: Array<[string[], RegExp]> = [
      [['--to', `postgres://nashra:${PASSWORD}@[::1/db`], /^nashra: --to ليس عنوان PostgreSQL صالحًا \(/],
      [
        ['--to', `mysql://nashra:${encodeURIComponent(PASSWORD)}@127.0.0.1/db`],
        /^nashra: يجب أن يكون --to عنوان PostgreSQL: postgres:\/\/user:password@host:5432\/database\n$/,
      ],
    ];
    for (const [args, pattern] of refusals) {
      const r = await arabic(['--db', path, 'db', 'copy', ...args]);
      expectUserError(r, pattern);
      expectNoPassword(r);
    }
    const missing = await arabic(['--db', join(path, 'none.db'), 'db', 'copy', '--to', withPassword(postgresUrl())]);
    expectUserError(missing, /^nashra: قاعدة البيانات .*none\.db غير موجودة \(حدّدها بـ --db أو DATABASE_PATH\)\n$/);

    // Not empty: copied once, then again.
    const url = withPassword(await freshPostgresDatabase());
    expect((await arabic(['--db', path, 'db', 'copy', '--to', url])).stdout).toMatch(
      /^نُسخ .* إلى postgres:\/\/nashra:\*\*\*@/,
    );
    const again = await arabic(['--db', path, 'db', 'copy', '--to', url]);
    expectUserError(
      again,
      /^nashra: قاعدة PostgreSQL ليست فارغة \(فيها صفوف: .*jobs.*\): لا يملأ nashra db copy إلا قاعدة جديدة؛ لم يُكتب شيء\n$/,
    );
    expectNoPassword(again);

    // A check that fails: a trigger on the target alters one job on its way in.
    const { url: tampered, client } = await tamperedTarget();
    try {
      const r = await arabic(['--db', path, 'db', 'copy', '--to', tampered]);
      expect(r.stdout).toMatch(/^لم يُنسخ /);
      expectUserError(
        r,
        /^nashra: فشل التحقق: jobs: الصف 3 يختلف في العمود last_error؛ تراجعنا عن النسخ، فلم يُكتب منه شيء\n$/,
      );
      expectNoPassword(r);
    } finally {
      await client.end();
    }

    // PostgreSQL's own refusal (a row naming a missing one), quoted after the masked URL; and text it cannot hold.
    const raw = new Database(path);
    raw.pragma('foreign_keys = OFF');
    raw.prepare('INSERT INTO full_story_reads (article_id, reads, last_read_at) VALUES (999, 1, 0)').run();
    const failed = await arabic(['--db', path, 'db', 'copy', '--to', withPassword(await freshPostgresDatabase())]);
    expectUserError(
      failed,
      /^nashra: فشل النسخ إلى postgres:\/\/nashra:\*\*\*@127\.0\.0\.1:\d+\/\w+، ولم يُكتب شيء: .*violates foreign key constraint/,
    );
    expectNoPassword(failed);
    raw.prepare('DELETE FROM full_story_reads WHERE article_id = 999').run();
    raw.prepare('UPDATE articles SET title = ? WHERE id = 2').run('عنوان\u0000مخفي');
    raw.close();
    const nul = await arabic(['--db', path, 'db', 'copy', '--to', withPassword(await freshPostgresDatabase())]);
    expectUserError(
      nul,
      /^nashra: في articles، الصف 2، العمود title، محرف NUL لا يستطيع نص PostgreSQL حفظه؛ لم يُكتب شيء\n$/,
    );
  });

  it("copies every outlet: main's file into public (with the registry), each other outlet's file into its schema, each checked", {
    timeout: 120_000,
  }, async () => {
    const path = await populated();
    const ok = async (args: string[], env: Record<string, string> = {}) => {
      const r = await runCliInProcess(args, { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    await ok(['--db', path, 'outlets', 'add', 'sy24']);
    await ok(['--db', path, 'outlets', 'add', 'enab-baladi', '--env-prefix', 'ENAB_']);
    for (const chat of ['-2001', '-2002'])
      await ok(['--db', path, '--outlet', 'sy24', 'subs', 'add', 'telegram', chat]);
    await ok(['--db', path, '--outlet', 'enab-baladi', 'subs', 'add', 'telegram', '-3001']);
    const url = withPassword(await freshPostgresDatabase());
    const r = await ok(['--db', path, 'db', 'copy', '--to', url]);
    expectNoPassword(r);
    expect(r.stdout).toMatch(
      /^copied .*nashra\.outlets\/sy24\.db to postgres:\/\/nashra:\*\*\*@.*, schema outlet_sy24 \(outlet sy24\)$/m,
    );
    expect(r.stdout).toMatch(
      /^copied .*nashra\.outlets\/enab-baladi\.db to .*, schema outlet_enab_baladi \(outlet enab-baladi\)$/m,
    );
    expect(r.stdout.match(/^check: OK/gm)).toHaveLength(3);

    // Each schema holds its outlet's rows, as the SQLite files do, row for row.
    const sqliteRows = (file: string, sql: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(sql).all();
      } finally {
        db.close();
      }
    };
    const pgRows = async (schema: string, sql: string) => {
      const client = new pg.Client({ connectionString: url, types: numberTypes, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
    const chats = 'SELECT id, platform, chat_id FROM subscriptions ORDER BY id';
    expect(await pgRows('public', chats)).toEqual(sqliteRows(path, chats));
    expect(await pgRows('outlet_sy24', chats)).toEqual([
      { id: 1, platform: 'telegram', chat_id: '-2001' },
      { id: 2, platform: 'telegram', chat_id: '-2002' },
    ]);
    expect(await pgRows('outlet_enab_baladi', chats)).toEqual([{ id: 1, platform: 'telegram', chat_id: '-3001' }]);
    expect(await pgRows('public', 'SELECT slug, env_prefix FROM outlets ORDER BY slug')).toEqual([
      { slug: 'enab-baladi', env_prefix: 'ENAB_' },
      { slug: 'main', env_prefix: null },
      { slug: 'sy24', env_prefix: 'SY24_' },
    ]);
    // Nashra on the copy finds each outlet's rows where it looks for them, and adds the next row after the copied ids.
    const sy24 = await ok(['--outlet', 'sy24', 'subs', 'list'], { DATABASE_URL: url });
    expect(sy24.stdout).toContain('-2002');
    expect(sy24.stdout).not.toContain('-3001');
    await ok(['--outlet', 'sy24', 'subs', 'add', 'telegram', '-2003'], { DATABASE_URL: url });
    expect(await pgRows('outlet_sy24', 'SELECT max(id) AS id FROM subscriptions')).toEqual([{ id: 3 }]);
    await ok(['outlets', 'add', 'third'], { DATABASE_URL: url });

    // A second copy into the same database: main's refused, nothing written.
    const again = await runCliInProcess(['--db', path, 'db', 'copy', '--to', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not empty');
  });
});
