import { Table } from './table.js';
import type { ClickCount } from '../model/reach.js';
import { sumBy } from './click-story-days.js';

/** click_chat_days: clicks per chat and day (db/019), added to in the same batches as click_counts. */
export class ClickChatDaysTable extends Table {
  private readonly addStmt =
    this.db.prepare(`INSERT INTO click_chat_days (day, subscription_id, clicks) VALUES (?, ?, ?)
    ON CONFLICT (day, subscription_id) DO UPDATE SET clicks = clicks + excluded.clicks`);

  /** A batch's counts per hour, summed per chat and day first. */
  add(counts: readonly ClickCount[]): void {
    for (const [key, clicks] of sumBy(counts, (c) => `${Math.floor(c.hour / 24)}:${c.subscriptionId}`)) {
      const [day, id] = key.split(':');
      this.addStmt.run(Number(day), Number(id), clicks);
    }
  }
}
