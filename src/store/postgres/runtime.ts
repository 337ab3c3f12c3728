/**
 * The run's own tables on PostgreSQL, which the wiring (src/app/run.ts, src/app/platforms.ts) reads and writes
 * itself rather than through the ports: the run's lease, the platforms' day counters, the platforms' connection
 * states, and the embedded demo's rows. The same names and answers as the SQLite Store's (src/store/leases.ts,
 * platform-status.ts, demo.ts, Store.endDemo), asynchronous, over the pool's statements (each write outside a unit
 * takes the write lock, src/store/postgres/ports.ts).
 *
 * Several processes may share the database: two `nashra run` acquiring the lease at once both try one upsert that
 * takes it only when it is free, expired or already theirs, under the write lock; one gets the row back, the other
 * reads who holds it.
 */
import type { PlatformState } from '../../model/delivery.js';
import { leaseHolderFromRow, type LeaseHolder } from '../leases.js';
import { platformStateFromRow } from '../platform-status.js';
import { auditRepository, deactivateSubscription } from './chats.js';
import { statement, type Sql } from './sql.js';

type LeaseRow = Parameters<typeof leaseHolderFromRow>[0];
type PlatformStatusRow = Parameters<typeof platformStateFromRow>[0];

// ── leases (src/store/leases.ts) ──
const LEASE = statement('SELECT * FROM leases WHERE name = ?');
// Taken when free, expired, or already this holder's: SQLite's read-then-upsert as one statement.
const LEASE_TAKE =
  statement(`INSERT INTO leases (name, holder, pid, host, expires_at) VALUES (@name, @holder, @pid, @host, @expiresAt)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host, expires_at = excluded.expires_at
  WHERE leases.holder = excluded.holder OR leases.expires_at <= @now
  RETURNING name`);
const LEASE_RENEW = statement('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?');
// Every lease a run holds in this database, renewed in one statement: the ones still its own come back.
const LEASES_RENEW =
  statement(`UPDATE leases SET expires_at = @expiresAt FROM unnest(@names::text[], @holders::text[]) AS mine (name, holder)
  WHERE leases.name = mine.name AND leases.holder = mine.holder RETURNING leases.name`);
const LEASES_HELD = statement(
  'SELECT COUNT(*) AS n FROM leases WHERE left(name, length(@prefix::text)) = @prefix::text AND expires_at > @now',
);
const LEASE_RELEASE = statement('DELETE FROM leases WHERE name = ? AND holder = ?');
const LEASE_PRUNE = statement(
  'DELETE FROM leases WHERE left(name, length(@prefix::text)) = @prefix::text AND expires_at <= @now',
);
const LEASE_TAKE_OVER = statement(
  'UPDATE leases SET holder = ?, pid = ?, host = ?, expires_at = ? WHERE name = ? AND holder = ?',
);

// ── counters (src/store/leases.ts SendCounters) ──
const COUNTER_BUMP = statement(`INSERT INTO send_counters (platform, day, count) VALUES (?, ?, 1)
  ON CONFLICT (platform, day) DO UPDATE SET count = send_counters.count + 1 RETURNING count`);
const COUNTER = statement('SELECT count FROM send_counters WHERE platform = ? AND day = ?');

// ── platform states (src/store/platform-status.ts) ──
const STATUS_RECORD = statement(`INSERT INTO platform_status (platform, ready, reason, updated_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (platform) DO UPDATE SET ready = excluded.ready, reason = excluded.reason, updated_at = excluded.updated_at`);
const STATUSES = statement('SELECT * FROM platform_status ORDER BY platform COLLATE "C"');

// ── the demo's rows (src/store/demo.ts) ──
const DEMO_ENDED = statement("SELECT 1 AS one FROM audit_log WHERE action = 'demo.end' LIMIT 1");
const DEMO_SUBSCRIPTIONS = statement('SELECT id FROM subscriptions WHERE created_by = ? AND active = 1 ORDER BY id');
const DEMO_PENDING = statement(`SELECT NOT EXISTS (SELECT 1 FROM audit_log WHERE action = 'demo.end')
  AND EXISTS (SELECT 1 FROM subscriptions WHERE created_by = ? AND active = 1) AS pending`);
// A bundled sample (by its content, or its title), stored with no source, sent to the demo's subscriptions only;
// its jobs, revisions and search terms go with it (ON DELETE CASCADE). Every sample in one statement: SQLite's
// statement once per sample deletes the same rows, each once.
const DEMO_DELETE_SAMPLES = statement(`DELETE FROM articles AS a
  WHERE (a.content_hash = ANY (@contentHashes::text[]) OR a.title = ANY (@titles::text[])) AND a.source_id IS NULL
    AND NOT EXISTS (SELECT 1 FROM jobs d JOIN subscriptions s ON s.id = d.subscription_id
      WHERE d.article_id = a.id AND d.kind = 'post' AND s.created_by IS DISTINCT FROM @createdBy::text)`);

type Samples = ReadonlyArray<{ contentHash: string; title: string }>;

export class PostgresRuntime {
  /**
   * `renewals`: where leases are renewed, outside the write lock (src/store/postgres/ports.ts `unlocked`), on a
   * connection of their own. A renewal only moves the expiry of a row that still names its holder, and a takeover
   * takes only an expired row: PostgreSQL's row lock orders the two whichever comes first (the UPDATE re-reads the
   * row a concurrent take changed, and finds another holder), so no turn among the writers is needed. Through the
   * write lock, as before, a renewal waited behind every unit queued for it: the scale bench's 3 runs of 10 outlets on
   * a loaded 2-core machine lost tokens mid-send (473 deliveries in doubt) to renewals that came too late.
   */
  constructor(
    private readonly sql: Sql,
    private readonly renewals: Sql = sql,
  ) {}

  readonly leases = {
    /** Takes the lease when free or expired; otherwise returns who holds it. */
    acquire: (
      name: string,
      holder: string,
      ttlMs: number,
      info: { pid?: number; host?: string } = {},
      now = Date.now(),
    ): Promise<{ ok: true } | { ok: false; current: LeaseHolder }> =>
      this.sql.atomic(async (s) => {
        const { rows } = await s.run(LEASE_TAKE, {
          name,
          holder,
          pid: info.pid ?? null,
          host: info.host ?? null,
          expiresAt: now + ttlMs,
          now,
        });
        if (rows.length > 0) return { ok: true as const };
        return { ok: false as const, current: leaseHolderFromRow((await s.get<LeaseRow>(LEASE, [name]))!) };
      }),
    /** False when the lease was lost (taken over after expiry): the holder must stop. */
    renew: async (name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> =>
      (await this.renewals.run(LEASE_RENEW, [now + ttlMs, name, holder])).changes > 0,
    /** Renews each lease still held by the holder given with it; the names renewed (the others were lost). */
    renewAll: async (
      leases: ReadonlyArray<{ name: string; holder: string }>,
      ttlMs: number,
      now = Date.now(),
    ): Promise<Set<string>> => {
      if (leases.length === 0) return new Set();
      const { rows } = await this.renewals.run<{ name: string }>(LEASES_RENEW, {
        expiresAt: now + ttlMs,
        names: leases.map((l) => l.name),
        holders: leases.map((l) => l.holder),
      });
      return new Set(rows.map((r) => r.name));
    },
    /** How many leases whose name starts with `prefix` are held now (the runs alive: `run:`). */
    countHeld: async (prefix: string, now = Date.now()): Promise<number> =>
      (await this.sql.get<{ n: number }>(LEASES_HELD, { prefix, now }))!.n,
    /** Takes the lease from `staleHolder` whatever its expiry, only if it still holds it (of two, one wins). */
    takeOver: async (
      name: string,
      staleHolder: string,
      holder: string,
      ttlMs: number,
      info: { pid?: number; host?: string } = {},
      now = Date.now(),
    ): Promise<boolean> =>
      (
        await this.sql.run(LEASE_TAKE_OVER, [
          holder,
          info.pid ?? null,
          info.host ?? null,
          now + ttlMs,
          name,
          staleHolder,
        ])
      ).changes > 0,
    release: async (name: string, holder: string): Promise<void> => {
      await this.sql.run(LEASE_RELEASE, [name, holder]);
    },
    /** Who holds the lease, if anyone (expired or not). */
    holder: async (name: string): Promise<LeaseHolder | undefined> => {
      const row = await this.sql.get<LeaseRow>(LEASE, [name]);
      return row && leaseHolderFromRow(row);
    },
    /** Deletes the expired leases whose name starts with `prefix` (the runs that died); how many. */
    prune: async (prefix: string, now = Date.now()): Promise<number> =>
      (await this.sql.run(LEASE_PRUNE, { prefix, now })).changes,
    /** Whether someone holds the lease now (a `nashra run` is alive). */
    isHeld: async (name: string, now = Date.now()): Promise<boolean> => {
      const row = await this.sql.get<LeaseRow>(LEASE, [name]);
      return row !== undefined && row.expires_at > now;
    },
  };

  /** Messages sent per platform per day (WhatsApp's daily cap): `increment` returns the new count. */
  readonly counters = {
    increment: async (platform: string, day: string): Promise<number> =>
      (await this.sql.run<{ count: number }>(COUNTER_BUMP, [platform, day])).rows[0]!.count,
    get: async (platform: string, day: string): Promise<number> =>
      (await this.sql.get<{ count: number }>(COUNTER, [platform, day]))?.count ?? 0,
  };

  readonly platformStatus = {
    record: async (platform: string, ready: boolean, reason: string | undefined, now = Date.now()): Promise<void> => {
      await this.sql.run(STATUS_RECORD, [platform, ready ? 1 : 0, reason ?? null, now]);
    },
    all: async (): Promise<PlatformState[]> =>
      (await this.sql.all<PlatformStatusRow>(STATUSES)).map(platformStateFromRow),
  };

  readonly demoRows = {
    ended: async (): Promise<boolean> => (await this.sql.get(DEMO_ENDED)) !== undefined,
    /** The demo's subscriptions still active (created by `createdBy`). */
    activeSubscriptions: async (createdBy: string): Promise<number[]> =>
      (await this.sql.all<{ id: number }>(DEMO_SUBSCRIPTIONS, [createdBy])).map((r) => r.id),
    /** Not ended yet, and a subscription of the demo's is still active. */
    pending: async (createdBy: string): Promise<boolean> =>
      (await this.sql.get<{ pending: boolean }>(DEMO_PENDING, [createdBy]))!.pending,
    /** Deletes the stored copies of the bundled samples that only the demo's subscriptions were sent; how many. */
    deleteSamples: async (createdBy: string, samples: Samples): Promise<number> =>
      (
        await this.sql.run(DEMO_DELETE_SAMPLES, {
          createdBy,
          contentHashes: samples.map((s) => s.contentHash),
          titles: samples.map((s) => s.title),
        })
      ).changes,
  };

  /**
   * Store.endDemo: the demo's subscriptions deactivated (what is queued for them failed), the samples only they
   * were sent deleted, and the `demo.end` audit entry, in one transaction; null when it had ended or has nothing left.
   */
  endDemo(
    createdBy: string,
    samples: Samples,
    actor: string,
    now = Date.now(),
  ): Promise<{ articles: number; subscriptions: number } | null> {
    return this.sql.atomic(async (s) => {
      const demo = new PostgresRuntime(s).demoRows;
      if (await demo.ended()) return null;
      const subscriptions = await demo.activeSubscriptions(createdBy);
      if (subscriptions.length === 0) return null;
      for (const id of subscriptions)
        await deactivateSubscription(s, id, 'the demo ended: a platform is configured', now);
      const articles = await demo.deleteSamples(createdBy, samples);
      await auditRepository(s).record('cli', actor, 'demo.end', { articles, subscriptions: subscriptions.length }, now);
      return { articles, subscriptions: subscriptions.length };
    });
  }
}
