import { Table } from './table.js';
import type { ClickCount } from '../model/reach.js';

/** click_counts: clicks per post and hour (db/019), added to in batches. */
export class ClickCountsTable extends Table {
  private readonly addStmt =
    this.db.prepare(`INSERT INTO click_counts (hour, link_id, article_id, subscription_id, clicks) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (hour, link_id) DO UPDATE SET clicks = clicks + excluded.clicks`);

  add(counts: readonly ClickCount[]): void {
    for (const c of counts) this.addStmt.run(c.hour, c.linkId, c.articleId, c.subscriptionId, c.clicks);
  }
}
