/** What the SQLite adapter's repositories (src/store/sqlite-ports.ts and ports-*.ts) are made of. */
import type { ArticlesTable } from './articles.js';
import type { JobsTable } from './jobs.js';
import type { AuditLog } from './editors.js';
import type { DeliverySettingsTable } from './delivery-settings.js';
import type { PushTable } from './push.js';
import type { SourceFiltersTable } from './source-filters.js';
import type { SourcesTable } from './sources.js';
import type { SubscriptionsTable } from './subscriptions.js';
import type { SubscriptionTemplatesTable } from './templates.js';

/** How a repository runs a statement: at once, behind the units queued before it, or inside its unit. */
export type Gate = <T>(statement: () => T) => Promise<T>;

/** The tables the converted slices use (sources, push, article look-ups, audit, subscriptions and their settings). */
export interface SqliteTables {
  sources: SourcesTable;
  push: PushTable;
  articles: ArticlesTable;
  audit: AuditLog;
  subscriptions: SubscriptionsTable;
  deliverySettings: DeliverySettingsTable;
  templates: SubscriptionTemplatesTable;
  sourceFilters: SourceFiltersTable;
  /** The outbox's few calls the converted slices make (its own port comes with its slice). */
  jobs: Pick<JobsTable, 'countSubscriptionsForSource' | 'releaseHeld' | 'enqueue' | 'enqueueAudience' | 'countAudience' | 'subscriptionsWith'
    | 'next' | 'hasQueued' | 'failCorrectionsOn' | 'markSending' | 'markSent' | 'retryLater' | 'postpone' | 'markFailed' | 'markSkipped' | 'recoverInterrupted'>;
  /** Deactivates a subscription and fails what is queued for it (Store.deactivateSubscription). */
  deactivateSubscription(id: number, reason: string, now: number): { deactivated: boolean; cancelled: number };
}
