import { Table } from './table.js';
import type { ClickCount } from '../model/reach.js';

/** click_story_days: clicks per story and day (db/019), added to in the same batches as click_counts. */
export class ClickStoryDaysTable extends Table {
  private readonly addStmt = this.db.prepare(`INSERT INTO click_story_days (day, article_id, clicks) VALUES (?, ?, ?)
    ON CONFLICT (day, article_id) DO UPDATE SET clicks = clicks + excluded.clicks`);

  /** A batch's counts per hour, summed per story and day first. */
  add(counts: readonly ClickCount[]): void {
    for (const [key, clicks] of sumBy(counts, (c) => `${Math.floor(c.hour / 24)}:${c.articleId}`)) {
      const [day, id] = key.split(':');
      this.addStmt.run(Number(day), Number(id), clicks);
    }
  }
}

/** Clicks summed by a key of each count. */
export function sumBy(counts: readonly ClickCount[], key: (c: ClickCount) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of counts) out.set(key(c), (out.get(key(c)) ?? 0) + c.clicks);
  return out;
}
