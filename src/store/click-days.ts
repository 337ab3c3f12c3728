import type { Database, Statement } from 'better-sqlite3';
import type { ClickCount } from '../model/reach.js';

/** click_days: clicks per post and day (db/015), added to in the same batches as click_counts. */
export class ClickDaysTable {
  private readonly addStmt: Statement;

  constructor(db: Database) {
    this.addStmt = db.prepare(`INSERT INTO click_days (day, link_id, article_id, subscription_id, clicks) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (day, link_id) DO UPDATE SET clicks = clicks + excluded.clicks`);
  }

  /** Counts per hour, added to their days. */
  add(counts: readonly ClickCount[]): void {
    for (const c of counts) this.addStmt.run(Math.floor(c.hour / 24), c.linkId, c.articleId, c.subscriptionId, c.clicks);
  }
}
