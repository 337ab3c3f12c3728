import { Table } from './table.js';

export interface LeaseHolder {
  holder: string;
  pid?: number;
  host?: string;
  expiresAt: Date;
}

/**
 * A lease in the database rather than a PID file: it expires by itself when its holder dies (no stale lock after
 * a crash), and it lives beside the data it protects, so two machines sharing a volume see the same lease.
 */
export class LeasesTable extends Table {
  private readonly getStmt = this.db.prepare('SELECT * FROM leases WHERE name = ?');
  private readonly upsertStmt =
    this.db.prepare(`INSERT INTO leases (name, holder, pid, host, expires_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host, expires_at = excluded.expires_at`);
  private readonly renewStmt = this.db.prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?');
  private readonly releaseStmt = this.db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?');
  private readonly pruneStmt = this.db.prepare(
    `DELETE FROM leases WHERE substr(name, 1, length(?)) = ? AND expires_at <= ?`,
  );
  private readonly takeOverStmt = this.db.prepare(
    'UPDATE leases SET holder = ?, pid = ?, host = ?, expires_at = ? WHERE name = ? AND holder = ?',
  );

  /** Takes the lease when free or expired; otherwise returns who holds it. */
  acquire(
    name: string,
    holder: string,
    ttlMs: number,
    info: { pid?: number; host?: string } = {},
    now = Date.now(),
  ): { ok: true } | { ok: false; current: LeaseHolder } {
    return this.db
      .transaction(() => {
        const row = this.getStmt.get(name) as LeaseRow | undefined;
        if (row && row.holder !== holder && row.expires_at > now)
          return { ok: false as const, current: leaseHolderFromRow(row) };
        this.upsertStmt.run(name, holder, info.pid ?? null, info.host ?? null, now + ttlMs);
        return { ok: true as const };
      })
      .immediate();
  }

  /** False when the lease was lost (taken over after expiry): the holder must stop. */
  renew(name: string, holder: string, ttlMs: number, now = Date.now()): boolean {
    return this.renewStmt.run(now + ttlMs, name, holder).changes > 0;
  }

  /**
   * Takes the lease from `staleHolder` whatever its expiry, only if it still holds it (so of two processes that
   * both saw the same dead holder, one wins). For a holder known to be dead, e.g. a crashed process on this host.
   */
  takeOver(
    name: string,
    staleHolder: string,
    holder: string,
    ttlMs: number,
    info: { pid?: number; host?: string } = {},
    now = Date.now(),
  ): boolean {
    return (
      this.takeOverStmt.run(holder, info.pid ?? null, info.host ?? null, now + ttlMs, name, staleHolder).changes > 0
    );
  }

  release(name: string, holder: string): void {
    this.releaseStmt.run(name, holder);
  }

  /** Who holds the lease, if anyone (expired or not). */
  holder(name: string): LeaseHolder | undefined {
    const row = this.getStmt.get(name) as LeaseRow | undefined;
    return row && leaseHolderFromRow(row);
  }

  /** Deletes the expired leases whose name starts with `prefix`; how many. */
  prune(prefix: string, now = Date.now()): number {
    return this.pruneStmt.run(prefix, prefix, now).changes;
  }

  /** Whether someone holds the lease now (a `nashra run` is alive). */
  isHeld(name: string, now = Date.now()): boolean {
    const row = this.getStmt.get(name) as { expires_at: number } | undefined;
    return row !== undefined && row.expires_at > now;
  }
}

interface LeaseRow {
  holder: string;
  pid: number | null;
  host: string | null;
  expires_at: number;
}

export function leaseHolderFromRow(row: LeaseRow): LeaseHolder {
  return {
    holder: row.holder,
    pid: row.pid ?? undefined,
    host: row.host ?? undefined,
    expiresAt: new Date(row.expires_at),
  };
}

/** Messages sent per platform per day, for caps such as WhatsApp's daily limit. */
export class SendCounters extends Table {
  private readonly bumpStmt = this.db
    .prepare(`INSERT INTO send_counters (platform, day, count) VALUES (?, ?, 1)
    ON CONFLICT (platform, day) DO UPDATE SET count = count + 1 RETURNING count`)
    .pluck();
  private readonly getStmt = this.db.prepare('SELECT count FROM send_counters WHERE platform = ? AND day = ?').pluck();

  increment(platform: string, day: string): number {
    return this.bumpStmt.get(platform, day) as number;
  }

  get(platform: string, day: string): number {
    return (this.getStmt.get(platform, day) as number | undefined) ?? 0;
  }
}
