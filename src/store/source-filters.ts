import { Table } from './table.js';
import { parseJsonArray, toJson } from './rows.js';

/** subscription_source_filters: a filter for one (subscription, source), same syntax as a subscription's topics. */
export class SourceFiltersTable extends Table {
  private readonly putStmt =
    this.db.prepare(`INSERT INTO subscription_source_filters (subscription_id, source_id, topics, updated_at)
    VALUES (?, ?, ?, ?) ON CONFLICT (subscription_id, source_id) DO UPDATE SET topics = excluded.topics, updated_at = excluded.updated_at`);
  private readonly deleteStmt = this.db.prepare(
    'DELETE FROM subscription_source_filters WHERE subscription_id = ? AND source_id = ?',
  );
  private readonly bySubscription = this.db.prepare(
    'SELECT source_id, topics FROM subscription_source_filters WHERE subscription_id = ? ORDER BY source_id',
  );
  private readonly bySource = this.db.prepare(
    'SELECT subscription_id, topics FROM subscription_source_filters WHERE source_id = ?',
  );

  /** Sets the filter; an empty one removes it (the subscription's own filter applies alone). */
  set(subscriptionId: number, sourceId: number, topics: string[], now = Date.now()): void {
    if (topics.length === 0) this.deleteStmt.run(subscriptionId, sourceId);
    else this.putStmt.run(subscriptionId, sourceId, toJson(topics), now);
  }

  forSubscription(subscriptionId: number): Array<{ sourceId: number; topics: string[] }> {
    return (this.bySubscription.all(subscriptionId) as Array<{ source_id: number; topics: string }>).map((r) => ({
      sourceId: r.source_id,
      topics: parseJsonArray(r.topics),
    }));
  }

  /** Every subscription's filter for one source, by subscription id: what routing an article from it needs. */
  forSource(sourceId: number): Map<number, string[]> {
    const rows = this.bySource.all(sourceId) as Array<{ subscription_id: number; topics: string }>;
    return new Map(rows.map((r) => [r.subscription_id, parseJsonArray(r.topics)]));
  }
}
