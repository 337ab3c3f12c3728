import { Table } from './table.js';

/**
 * The embedded demo's rows (src/app/run.ts seeds them on a fresh database with no platform): its console
 * subscription and the sample articles it was sent. Once a real platform is configured they leave the newsroom,
 * once (the audit log's `demo.end` entry records it): readers' /latest and the desk's Today are the newsroom's own.
 */
export class DemoRows extends Table {
  private readonly endedStmt = this.db.prepare("SELECT 1 FROM audit_log WHERE action = 'demo.end' LIMIT 1").pluck();
  private readonly subscriptionsStmt = this.db
    .prepare('SELECT id FROM subscriptions WHERE created_by = ? AND active = 1')
    .pluck();
  // A bundled sample (by its content, or its title should the reading of the file have changed since), stored
  // with no source, that was sent to the demo's subscriptions only: one an editor also sent to a real chat stays.
  // Its jobs, revisions and search terms go with it (ON DELETE CASCADE, the article_terms trigger).
  private readonly deleteSampleStmt = this.db.prepare(`DELETE FROM articles AS a
    WHERE (a.content_hash = @contentHash OR a.title = @title) AND a.source_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM jobs d JOIN subscriptions s ON s.id = d.subscription_id
        WHERE d.article_id = a.id AND d.kind = 'post' AND s.created_by IS NOT @createdBy)`);

  ended(): boolean {
    return this.endedStmt.get() !== undefined;
  }

  /** The demo's subscriptions still active (created by `createdBy`). */
  activeSubscriptions(createdBy: string): number[] {
    return this.subscriptionsStmt.all(createdBy) as number[];
  }

  /** Not ended yet, and a subscription of the demo's is still active. */
  pending(createdBy: string): boolean {
    return !this.ended() && this.activeSubscriptions(createdBy).length > 0;
  }

  /** Deletes the stored copies of the bundled samples that only the demo's subscriptions were sent; returns how many. */
  deleteSamples(createdBy: string, samples: ReadonlyArray<{ contentHash: string; title: string }>): number {
    let deleted = 0;
    for (const s of samples)
      deleted += this.deleteSampleStmt.run({ createdBy, contentHash: s.contentHash, title: s.title }).changes;
    return deleted;
  }
}
