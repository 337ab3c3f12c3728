import { Table } from './table.js';

/**
 * The digests' headers: one row per subscription and closed period (the unique key is what makes a period's digest
 * happen once). Its messages are jobs of the outbox (src/store/jobs.ts), carrying the posts they fold.
 */
export class DigestsTable extends Table {
  private readonly openStmt = this.db
    .prepare(`INSERT INTO digests (subscription_id, period_end, items, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (subscription_id, period_end) DO NOTHING RETURNING id`)
    .pluck();
  private readonly periodsStmt = this.db.prepare(
    'SELECT period_end, items FROM digests WHERE subscription_id = ? ORDER BY period_end',
  );

  /** The periods closed for a subscription (also those that held nothing and sent no message). */
  periodsFor(subscriptionId: number): Array<{ periodEnd: Date; items: number }> {
    return (this.periodsStmt.all(subscriptionId) as Array<{ period_end: number; items: number }>).map((r) => ({
      periodEnd: new Date(r.period_end),
      items: r.items,
    }));
  }

  /** Opens the digest of one period; undefined when it was already opened (the period's digest happens once). */
  open(subscriptionId: number, periodEnd: number, items: number, now = Date.now()): number | undefined {
    return this.openStmt.get(subscriptionId, periodEnd, items, now) as number | undefined;
  }
}
