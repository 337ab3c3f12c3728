import { Table } from './table.js';
import type { ClickCount } from '../model/reach.js';

/** click_hours: all clicks per hour (db/019), added to in the same batches as click_counts. */
export class ClickHoursTable extends Table {
  private readonly addStmt = this.db.prepare(
    'INSERT INTO click_hours (hour, clicks) VALUES (?, ?) ON CONFLICT (hour) DO UPDATE SET clicks = clicks + excluded.clicks',
  );
  private readonly sinceStmt = this.db.prepare('SELECT hour, clicks FROM click_hours WHERE hour >= ? ORDER BY hour');

  /** A batch's counts, summed per hour first (a batch holds many posts' clicks of the same hour). */
  add(counts: readonly ClickCount[]): void {
    const perHour = new Map<number, number>();
    for (const c of counts) perHour.set(c.hour, (perHour.get(c.hour) ?? 0) + c.clicks);
    for (const [hour, clicks] of perHour) this.addStmt.run(hour, clicks);
  }

  since(hour: number): Array<{ hour: number; clicks: number }> {
    return this.sinceStmt.all(hour) as Array<{ hour: number; clicks: number }>;
  }
}
