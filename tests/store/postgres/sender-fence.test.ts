/**
 * A sender's holder frozen (SIGSTOP, a stalled VM) while it holds the lease, taken over by another run, then thawed
 * (issue 24 §3): it must send nothing twice. The window made deterministic, in one process over one real PostgreSQL
 * database: two runs' own ports (pools), sender leases and delivery workers, each with the real Telegram transport
 * against a fake Bot API of its own (the same token, so the same lease; two fakes tell who sent what).
 *
 * - The holder "frozen" inside the unit of work that marks its deliveries `sending` (its links' `remember` step waits
 *   there, holding the write lock, and its lease is no longer renewed): the server ends the idle transaction after 5 s,
 *   the other run takes the sender over and has those deliveries on the wire; thawed, the holder's marks fail. Before
 *   the fence it answered them as temporary failures and queued again the jobs the new holder had on the wire, which
 *   then sent each one twice (the duplicate the SIGSTOP kill test met under load).
 * - The holder that still believes it owns the sender (it asked `owns()` before it froze, or its clock ran slow) after
 *   another run took it in the database: before the fence it marked and sent as a second sender.
 *
 * The fenced writes themselves, on both adapters: the last test. The SIGSTOP scenario with real processes:
 * tests/e2e/postgres/workers.test.ts.
 */
import { Api } from 'grammy';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { TelegramSettings } from '../../../bots/telegram/config.js';
import { createTelegramTransport, installLimits } from '../../../bots/telegram/transport.js';
import { loadAppConfig } from '../../../src/app/platforms.js';
import { postgresRunDatabase } from '../../../src/app/run-database.js';
import { SenderLeases } from '../../../src/app/senders.js';
import type { Transport } from '../../../src/delivery/platform.js';
import { DeliveryWorker, type PostLinks, type WorkerOptions } from '../../../src/delivery/worker.js';
import { createLogger } from '../../../src/logger.js';
import { numberTypes, openPostgres } from '../../../src/store/postgres/database.js';
import type { PostgresPorts } from '../../../src/store/postgres/ports.js';
import { FakeTelegram } from '../../fake-telegram/server.js';
import { freshPostgresDatabase, postgresUrl } from '../../helpers/postgres.js';
import { addArticle, addChat, rawAdapters } from '../../helpers/raw-db.js';

const TOKEN = '424242:AAE-fence-test-token-not-a-real-one_0123';
const quiet = createLogger({ level: 'silent' });

async function fake(): Promise<FakeTelegram> {
  const f = new FakeTelegram(TOKEN);
  await f.start();
  onTestFinished(() => f.stop());
  return f;
}

/** The Telegram transport as `nashra run` builds it (limiter, auto-retry, the innermost `sending` mark), to `f`. */
function telegram(f: FakeTelegram): Transport {
  const config = loadAppConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: f.apiRoot });
  const settings = config.platforms.telegram as TelegramSettings;
  const api = new Api(TOKEN, { apiRoot: f.apiRoot });
  installLimits(api, settings.rate);
  return createTelegramTransport({ api, config: { ...config, telegram: settings }, logger: quiet });
}

/** One run's sender lease and worker, wired as src/app/run.ts wires them. */
async function run(name: string, ports: PostgresPorts, transport: Transport, extra: WorkerOptions = {}) {
  const db = await postgresRunDatabase(ports, 'postgres://test');
  let worker: DeliveryWorker | undefined;
  const leases = new SenderLeases(db, quiet, {
    holder: name,
    info: { pid: 1, host: name },
    host: name,
    policy: 'hold',
    processExists: () => true,
    onTaken: () => worker?.notify(),
  });
  const outcomes: string[] = [];
  worker = new DeliveryWorker(ports, [transport], quiet, {
    pollMs: 20,
    owns: (t) => leases.owns(t),
    fence: (t) => leases.fence(t),
    onOutcome: (_job, outcome) => outcomes.push(outcome),
    ...extra,
  });
  onTestFinished(async () => {
    await worker.stop(500);
    await leases.release();
  });
  return { leases, worker, outcomes, transport };
}

/** Ports as `nashra run` opens them: the server ending the frozen unit's connection must not end this process. */
async function openPorts(url: string): Promise<PostgresPorts> {
  const ports = await openPostgres(url);
  onTestFinished(() => ports.close());
  return ports;
}

/** A new database, migrated (by run B's ports), and a client of the test's own to read and write its rows. */
async function database() {
  const url = await freshPostgresDatabase();
  const portsB = await openPostgres(url);
  onTestFinished(() => portsB.close());
  const client = new pg.Client({ connectionString: url, types: numberTypes });
  await client.connect();
  onTestFinished(() => client.end());
  const exec = async (text: string, values: unknown[] = []) =>
    (await client.query(text, values)).rows as Array<Record<string, unknown>>;
  return { url, portsB, exec };
}

type Db = Awaited<ReturnType<typeof database>>;

/** `chats` group chats with one post queued for each. */
async function queuePosts(db: Db, chats: string[]): Promise<void> {
  for (const [i, chat] of chats.entries()) {
    const [subscription] = await db.exec(
      `INSERT INTO subscriptions (platform, chat_id, kind, topics, active, active_since, created_at)
      VALUES ('telegram', $1, 'group', '[]', 1, 0, 0) RETURNING id`,
      [chat],
    );
    const [article] = await db.exec(
      `INSERT INTO articles (url, title, source_name, paragraphs, summary, hashtags, content_hash, story_key, search_text, created_at)
      VALUES ($1, $2, 'مصدر', '["فقرة"]', '["جملة أولى من الخبر."]', '[]', $3, $3, 'نص', 0) RETURNING id`,
      [`https://example.org/${i}`, `خبر ${i}`, `h${i}`],
    );
    await db.exec(
      `INSERT INTO jobs (kind, platform, subscription_id, article_id, queued_at) VALUES ('post', 'telegram', $1, $2, 0)`,
      [subscription!.id, article!.id],
    );
  }
}

const states = async (db: Db) => (await db.exec('SELECT state FROM jobs ORDER BY id')).map((r) => r.state);
const messagesTo = (fakes: FakeTelegram[], chat: string) =>
  fakes.reduce(
    (n, f) => n + f.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === chat).length,
    0,
  );

describe.skipIf(postgresUrl() === '')("a sender's holder frozen and thawed after another run took it over", () => {
  it("its marks, lost with its frozen transaction, queue nothing again: the new holder's deliveries on the wire go once", async () => {
    const db = await database();
    const chats = ['-1001', '-1002', '-1003'];
    await queuePosts(db, chats);
    const [fakeA, fakeB] = [await fake(), await fake()];
    // A's marks wait inside their unit of work, holding the write lock, as in a process frozen there.
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    let thaw!: () => void;
    const frozen = new Promise<void>((r) => {
      thaw = r;
    });
    const links: PostLinks = {
      linkFor: async (article) => ({
        url: article.url!,
        remember: async () => {
          entered();
          await frozen;
        },
      }),
    };
    const a = await run('a', await openPorts(db.url), telegram(fakeA), { links });
    const b = await run('b', db.portsB, telegram(fakeB));
    await a.leases.claim([a.transport]);
    await b.leases.claim([b.transport]);
    expect(a.leases.owns(a.transport)).toBe(true);
    const answer = chats.map((c) => fakeB.hold(c));

    a.worker.start();
    b.worker.start();
    await inside;
    // Frozen: A renews its lease no more. The server ends A's idle transaction (5 s), the lease lapses, B takes the
    // sender over and its three requests are on the wire (received, not answered yet).
    void a.leases.release();
    await expect
      .poll(() => chats.map((c) => messagesTo([fakeB], c)), { timeout: 15_000, interval: 50 })
      .toEqual([1, 1, 1]);
    expect(await states(db)).toEqual(['sending', 'sending', 'sending']);

    // A thaws: the marks of its frozen unit fail with its transaction (each answered as a temporary failure), and
    // those that waited for the next unit are refused there (not sent).
    thaw();
    await expect.poll(() => a.outcomes.length, { timeout: 10_000, interval: 50 }).toBe(3);
    expect(a.outcomes).toContain('retry');
    expect(a.outcomes.every((o) => o === 'retry' || o === 'skipped')).toBe(true);
    for (const release of answer) release();
    await expect.poll(() => states(db), { timeout: 10_000, interval: 50 }).toEqual(['sent', 'sent', 'sent']);
    // Every chat got its message once, from B; A sent nothing.
    expect(chats.map((c) => messagesTo([fakeA, fakeB], c))).toEqual([1, 1, 1]);
    expect(messagesTo([fakeA], chats[0]!) + messagesTo([fakeA], chats[1]!) + messagesTo([fakeA], chats[2]!)).toBe(0);
    await expect.poll(() => b.outcomes, { timeout: 5_000, interval: 20 }).toEqual(['sent', 'sent', 'sent']);
  }, 30_000);

  it('a holder that still believes it owns the sender after another run took it in the database marks nothing and sends nothing', async () => {
    const db = await database();
    await queuePosts(db, ['-2001']);
    const fakeA = await fake();
    const a = await run('a', db.portsB, telegram(fakeA));
    await a.leases.claim([a.transport]);
    // Another run took the sender while A could not tell (frozen right after it asked, or a clock that ran slow):
    // A's own view still says it holds the lease for up to 5 s.
    await db.exec(`UPDATE leases SET holder = 'b#1' WHERE name LIKE 'send:telegram:%'`);
    expect(a.leases.owns(a.transport)).toBe(true);
    a.worker.start();
    // Its mark refused, the request does not leave (tried again while its own view lasts, refused each time).
    await expect.poll(() => a.outcomes.length, { timeout: 5_000, interval: 20 }).toBeGreaterThan(0);
    expect(a.outcomes.every((o) => o === 'skipped')).toBe(true);
    expect(messagesTo([fakeA], '-2001')).toBe(0);
    expect(await states(db)).toEqual(['queued']);
  }, 15_000);
});

describe.each(rawAdapters())("a job's writes fenced by the sender's lease on $name", ({ open }) => {
  it('each applies only while the lease names the take that fenced it; without a fence, as before', async () => {
    const db = await open();
    const { jobs } = db.ports.repos;
    const chat = await addChat(db, '-3001');
    const article = await addArticle(db, 1);
    const [job] = await db.sql(
      `INSERT INTO jobs (kind, platform, subscription_id, article_id, queued_at) VALUES ('post', 'telegram', ?, ?, 0) RETURNING id`,
      chat,
      article,
    );
    const id = job!.id as number;
    await db.sql(
      `INSERT INTO leases (name, holder, pid, host, expires_at) VALUES ('send:telegram:abc', 'b#2', 2, 'h', ?)`,
      Date.now() + 60_000,
    );
    const mine = { lease: 'send:telegram:abc', holder: 'b#2' };
    // The same run's earlier take, and another run's, both over: a fence the row no longer names.
    const stale = [
      { lease: 'send:telegram:abc', holder: 'b#1' },
      { lease: 'send:telegram:abc', holder: 'a#1' },
      { lease: 'send:telegram:other', holder: 'b#2' },
    ];
    const row = async () =>
      (await db.sql('SELECT state, not_before, attempts, last_error FROM jobs WHERE id = ?', id))[0];

    for (const fence of stale) {
      await jobs.postpone(id, 5_000, 'quiet hours', fence);
      await jobs.markSkipped(id, 'skipped', 10, fence);
      await jobs.markFailed(id, 'failed', {}, 10, fence);
      await jobs.retryLater(id, 'retry', 7_000, fence);
      expect(await jobs.markSending(id, 10, fence)).toBe(false);
    }
    expect(await row()).toEqual({ state: 'queued', not_before: 0, attempts: 0, last_error: null });

    await jobs.postpone(id, 5, 'quiet hours', mine);
    expect(await row()).toMatchObject({ state: 'queued', not_before: 5, last_error: 'quiet hours' });
    expect(await jobs.markSending(id, 10, mine)).toBe(true);
    expect(await row()).toMatchObject({ state: 'sending', attempts: 1 });
    // Another run's failure of the same job (its lost mark, answered as temporary) leaves this run's request alone.
    for (const fence of stale) await jobs.retryLater(id, 'lost', 20, fence);
    expect(await row()).toMatchObject({ state: 'sending', attempts: 1 });
    await jobs.retryLater(id, 'a temporary failure', 20, mine);
    expect(await row()).toMatchObject({
      state: 'queued',
      not_before: 20,
      attempts: 1,
      last_error: 'a temporary failure',
    });
    await jobs.markFailed(id, 'refused', {}, 30, mine);
    expect(await row()).toMatchObject({ state: 'failed', last_error: 'refused' });

    // Without a fence (SQLite's one run; the CLI): the writes as they always were, whatever the leases say.
    await db.sql(`UPDATE jobs SET state = 'queued', not_before = 0 WHERE id = ?`, id);
    expect(await jobs.markSending(id, 40)).toBe(true);
    await jobs.retryLater(id, 'again', 50);
    expect(await row()).toMatchObject({ state: 'queued', not_before: 50, attempts: 2 });
  });
});
