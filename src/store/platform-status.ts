import { Table } from './table.js';
import type { PlatformState } from '../model/delivery.js';

/** Each platform's connection as the running `nashra run` last saw it. */
export class PlatformStatusTable extends Table {
  private readonly upsertStmt =
    this.db.prepare(`INSERT INTO platform_status (platform, ready, reason, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (platform) DO UPDATE SET ready = excluded.ready, reason = excluded.reason, updated_at = excluded.updated_at`);
  private readonly allStmt = this.db.prepare('SELECT * FROM platform_status ORDER BY platform');

  record(platform: string, ready: boolean, reason: string | undefined, now = Date.now()): void {
    this.upsertStmt.run(platform, ready ? 1 : 0, reason ?? null, now);
  }

  all(): PlatformState[] {
    return (this.allStmt.all() as PlatformStatusRow[]).map(platformStateFromRow);
  }
}

interface PlatformStatusRow {
  platform: string;
  ready: number;
  reason: string | null;
  updated_at: number;
}

export function platformStateFromRow(r: PlatformStatusRow): PlatformState {
  return {
    platform: r.platform,
    ready: r.ready === 1,
    reason: r.reason ?? undefined,
    updatedAt: new Date(r.updated_at),
  };
}
