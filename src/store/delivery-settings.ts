import { Table } from './table.js';
import { DEFAULT_DELIVERY, type DeliverySettings } from '../model/subscription.js';
import type { DigestSubscription } from '../model/outbox.js';
import { formatClock, parseClock } from '../text/schedule.js';

export type { DigestSubscription } from '../model/outbox.js';

/** A chat's delivery settings replaced (the same statement on PostgreSQL, src/store/postgres/chats.ts). */
export const UPSERT_DELIVERY = `INSERT INTO delivery_settings (subscription_id, mode, digest_at, urgent_now, time_zone,
      quiet_start, quiet_end, quiet_mode, quiet_urgent, updated_at)
    VALUES (@id, @mode, @digestAt, @urgentNow, @timeZone, @quietStart, @quietEnd, @quietMode, @quietUrgent, @now)
    ON CONFLICT (subscription_id) DO UPDATE SET mode = excluded.mode, digest_at = excluded.digest_at,
      urgent_now = excluded.urgent_now, time_zone = excluded.time_zone, quiet_start = excluded.quiet_start,
      quiet_end = excluded.quiet_end, quiet_mode = excluded.quiet_mode, quiet_urgent = excluded.quiet_urgent,
      updated_at = excluded.updated_at`;

export function deliveryValues(subscriptionId: number, s: DeliverySettings, now: number): Record<string, unknown> {
  return {
    id: subscriptionId,
    mode: s.mode,
    digestAt: s.digestAt === undefined ? null : formatClock(s.digestAt),
    urgentNow: s.urgentNow ? 1 : 0,
    timeZone: s.timeZone,
    quietStart: s.quiet ? formatClock(s.quiet.start) : null,
    quietEnd: s.quiet ? formatClock(s.quiet.end) : null,
    quietMode: s.quietMode,
    quietUrgent: s.quietUrgent ? 1 : 0,
    now,
  };
}

/** Per-subscription delivery mode and quiet hours; a subscription without a row is immediate, without quiet hours. */
export class DeliverySettingsTable extends Table {
  private readonly getStmt = this.db.prepare('SELECT * FROM delivery_settings WHERE subscription_id = ?');
  private readonly upsertStmt = this.db.prepare(UPSERT_DELIVERY);
  private readonly digestStmt =
    this.db.prepare(`SELECT ds.*, s.platform, (SELECT MAX(period_end) FROM digests g WHERE g.subscription_id = s.id) AS last_end
    FROM delivery_settings ds JOIN subscriptions s ON s.id = ds.subscription_id
    WHERE s.active = 1 AND ds.mode <> 'immediate' ORDER BY s.id`);

  get(subscriptionId: number): DeliverySettings {
    const row = this.getStmt.get(subscriptionId) as SettingsRow | undefined;
    return row ? deliverySettingsFromRow(row) : { ...DEFAULT_DELIVERY };
  }

  /** Whether a row exists (a subscription that never chose keeps the defaults, including the configured zone). */
  has(subscriptionId: number): boolean {
    return this.getStmt.get(subscriptionId) !== undefined;
  }

  set(subscriptionId: number, s: DeliverySettings, now = Date.now()): void {
    this.upsertStmt.run(deliveryValues(subscriptionId, s, now));
  }

  /** Active digest subscriptions with the end of the last period closed for each. */
  digestSubscriptions(): DigestSubscription[] {
    return (this.digestStmt.all() as DigestSubscriptionRow[]).map(digestSubscriptionFromRow);
  }
}

interface SettingsRow {
  subscription_id: number;
  mode: DeliverySettings['mode'];
  digest_at: string | null;
  urgent_now: number;
  time_zone: string;
  quiet_start: string | null;
  quiet_end: string | null;
  quiet_mode: DeliverySettings['quietMode'];
  quiet_urgent: number;
}

export function deliverySettingsFromRow(r: SettingsRow): DeliverySettings {
  const start = r.quiet_start === null ? undefined : parseClock(r.quiet_start);
  const end = r.quiet_end === null ? undefined : parseClock(r.quiet_end);
  return {
    mode: r.mode,
    digestAt: r.digest_at === null ? undefined : parseClock(r.digest_at),
    urgentNow: r.urgent_now === 1,
    timeZone: r.time_zone,
    quiet: start !== undefined && end !== undefined ? { start, end } : undefined,
    quietMode: r.quiet_mode,
    quietUrgent: r.quiet_urgent === 1,
  };
}

type DigestSubscriptionRow = SettingsRow & { platform: string; last_end: number | null };

export function digestSubscriptionFromRow(r: DigestSubscriptionRow): DigestSubscription {
  return {
    subscriptionId: r.subscription_id,
    platform: r.platform,
    settings: deliverySettingsFromRow(r),
    lastPeriodEnd: r.last_end ?? undefined,
  };
}
