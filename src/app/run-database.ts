/**
 * What `nashra run` needs of its database beside the ports: its lease, the platforms' connection states and day
 * counters, and the embedded demo's rows. On SQLite these are the store's tables (answered at once); on PostgreSQL
 * the runtime's statements (src/store/postgres/runtime.ts). The wiring picks one; the run never names either.
 */
import type { DayCounters } from '../delivery/platform.js';
import type { DataPorts } from '../ports/index.js';
import type { Store } from '../store/index.js';
import type { LeaseHolder } from '../store/leases.js';
import type { PostgresPorts } from '../store/postgres/ports.js';

type LeaseInfo = { pid?: number; host?: string };
type Samples = ReadonlyArray<{ contentHash: string; title: string }>;

export interface RunDatabase {
  readonly data: DataPorts;
  /** Where the data is, for messages: the SQLite file, or the PostgreSQL URL without its password. */
  readonly where: string;
  /** The platforms' sends per day (WhatsApp's daily cap), answered at once. */
  readonly counters: DayCounters;
  /**
   * Several `nashra run` may share it (PostgreSQL): each run has its own lease, and a sender or a pinned platform
   * is driven by one run at a time (src/app/senders.ts). False (SQLite): one run at a time, refused otherwise.
   */
  readonly shared: boolean;
  acquireLease(
    name: string,
    holder: string,
    ttlMs: number,
    info: LeaseInfo,
  ): Promise<{ ok: true } | { ok: false; current: LeaseHolder }>;
  /** False when the lease was lost (taken over after it expired). */
  renewLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Renews each lease still held by the holder given with it, in one write; the names renewed (the others were lost). */
  renewLeases(leases: ReadonlyArray<{ name: string; holder: string }>, ttlMs: number): Promise<Set<string>>;
  /** How many leases whose name starts with `prefix` are held now (`run:`: the runs alive). */
  countLeases(prefix: string): Promise<number>;
  takeOverLease(name: string, staleHolder: string, holder: string, ttlMs: number, info: LeaseInfo): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
  /** Who holds the lease now, if anyone (expired or not). */
  leaseHolder(name: string): Promise<LeaseHolder | undefined>;
  /** Deletes the expired leases whose name starts with `prefix` (the runs that died); how many. */
  pruneLeases(prefix: string, now: number): Promise<number>;
  recordPlatform(platform: string, ready: boolean, reason: string | undefined): Promise<void>;
  demoPending(createdBy: string): Promise<boolean>;
  endDemo(
    createdBy: string,
    samples: Samples,
    actor: string,
  ): Promise<{ articles: number; subscriptions: number } | null>;
}

export function sqliteRunDatabase(store: Store): RunDatabase {
  return {
    data: store.ports(),
    where: store.path,
    counters: store.counters,
    shared: false,
    acquireLease: async (name, holder, ttlMs, info) => store.leases.acquire(name, holder, ttlMs, info),
    renewLease: async (name, holder, ttlMs) => store.leases.renew(name, holder, ttlMs),
    renewLeases: async (leases, ttlMs) =>
      new Set(leases.filter((l) => store.leases.renew(l.name, l.holder, ttlMs)).map((l) => l.name)),
    // Asked only of a database several runs share (the runs alive); a SQLite file has one run (a second is refused).
    countLeases: async () => 1,
    takeOverLease: async (name, staleHolder, holder, ttlMs, info) =>
      store.leases.takeOver(name, staleHolder, holder, ttlMs, info),
    releaseLease: async (name, holder) => {
      if (store.isOpen) store.leases.release(name, holder);
    },
    leaseHolder: async (name) => store.leases.holder(name),
    pruneLeases: async (prefix, now) => store.leases.prune(prefix, now),
    recordPlatform: async (platform, ready, reason) => store.platformStatus.record(platform, ready, reason),
    demoPending: async (createdBy) => store.demoRows.pending(createdBy),
    endDemo: async (createdBy, samples, actor) => store.endDemo(createdBy, samples, actor),
  };
}

export async function postgresRunDatabase(ports: PostgresPorts, where: string): Promise<RunDatabase> {
  const { runtime } = ports;
  return {
    data: ports,
    where,
    counters: new WriteBehindCounters(runtime.counters),
    shared: true,
    acquireLease: (name, holder, ttlMs, info) => runtime.leases.acquire(name, holder, ttlMs, info),
    renewLease: (name, holder, ttlMs) => runtime.leases.renew(name, holder, ttlMs),
    renewLeases: (leases, ttlMs) => runtime.leases.renewAll(leases, ttlMs),
    countLeases: (prefix) => runtime.leases.countHeld(prefix),
    takeOverLease: (name, staleHolder, holder, ttlMs, info) =>
      runtime.leases.takeOver(name, staleHolder, holder, ttlMs, info),
    releaseLease: async (name, holder) => {
      if (ports.isOpen()) await runtime.leases.release(name, holder);
    },
    leaseHolder: (name) => runtime.leases.holder(name),
    pruneLeases: (prefix, now) => runtime.leases.prune(prefix, now),
    recordPlatform: (platform, ready, reason) => runtime.platformStatus.record(platform, ready, reason),
    demoPending: (createdBy) => runtime.demoRows.pending(createdBy),
    endDemo: (createdBy, samples, actor) => runtime.endDemo(createdBy, samples, actor),
  };
}

/**
 * A platform's day counter read at once (the WhatsApp pacer asks before each message) over a database that answers
 * later: the count kept here, each increment written behind it, and the database's answer taken when it is higher.
 * A day first asked for reads 0 here until the database's count arrives (it is asked for then): the process that
 * holds a WhatsApp session is the only one that sends through it, so the stored count is this process's own from an
 * earlier run, and a restart mid-day counts on from it after one round trip.
 */
export class WriteBehindCounters implements DayCounters {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly stored: {
      increment(platform: string, day: string): Promise<number>;
      get(platform: string, day: string): Promise<number>;
    },
  ) {}

  increment(platform: string, day: string): number {
    const key = `${platform}\u0000${day}`;
    const count = this.get(platform, day) + 1;
    this.counts.set(key, count);
    void this.stored.increment(platform, day).then(
      (n) => this.raise(key, n),
      () => undefined,
    );
    return count;
  }

  get(platform: string, day: string): number {
    const key = `${platform}\u0000${day}`;
    const known = this.counts.get(key);
    if (known !== undefined) return known;
    this.counts.set(key, 0);
    void this.stored.get(platform, day).then(
      (n) => this.raise(key, n),
      () => undefined,
    );
    return 0;
  }

  private raise(key: string, stored: number): void {
    if (stored > (this.counts.get(key) ?? 0)) this.counts.set(key, stored);
  }
}
