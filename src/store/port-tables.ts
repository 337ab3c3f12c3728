import type { ClickCount } from '../model/reach.js';

/** What the SQLite adapter's repositories (src/store/sqlite-ports.ts and ports-*.ts) are made of. */
import type { ArticlesTable } from './articles.js';
import type { BroadcastsTable } from './broadcasts.js';
import type { ClickCountsTable } from './click-counts.js';
import type { ClickChatDaysTable } from './click-chat-days.js';
import type { ClickStoryDaysTable } from './click-story-days.js';
import type { ClickHoursTable } from './click-hours.js';
import type { ClickLinksTable } from './click-links.js';
import type { DeliverySettingsTable } from './delivery-settings.js';
import type { DeskEditorsTable } from './desk-editors.js';
import type { DeskSessionsTable } from './desk-sessions.js';
import type { DeskViews } from './desk-views.js';
import type { DigestsTable } from './digests.js';
import type { AuditLog, EditorsTable } from './editors.js';
import type { JobsTable } from './jobs.js';
import type { LeasesTable } from './leases.js';
import type { PlatformStatusTable } from './platform-status.js';
import type { PushTable } from './push.js';
import type { ReachViews } from './reach-views.js';
import type { ReviewMessagesTable, ReviewsTable } from './reviews.js';
import type { RevisionsTable } from './revisions.js';
import type { SourceFiltersTable } from './source-filters.js';
import type { SourcesTable } from './sources.js';
import type { SubscriptionsTable } from './subscriptions.js';
import type { SubscriptionTemplatesTable } from './templates.js';

/** How a repository runs a statement: at once, behind the units queued before it, or inside its unit. */
export type Gate = <T>(statement: () => T) => Promise<T>;

/** The tables the repositories are made of, and the two store calls that are more than one table's. */
export interface SqliteTables {
  sources: SourcesTable;
  push: PushTable;
  articles: ArticlesTable;
  audit: AuditLog;
  subscriptions: SubscriptionsTable;
  deliverySettings: DeliverySettingsTable;
  templates: SubscriptionTemplatesTable;
  sourceFilters: SourceFiltersTable;
  revisions: RevisionsTable;
  broadcasts: BroadcastsTable;
  /** The outbox (the worker's own port is over it too). */
  jobs: JobsTable;
  reviews: ReviewsTable;
  reviewMessages: ReviewMessagesTable;
  editors: EditorsTable;
  deskEditors: DeskEditorsTable;
  deskSessions: DeskSessionsTable;
  /** The read-only queries behind the front doors' lists and pages (the reads port). */
  desk: DeskViews;
  digests: DigestsTable;
  leases: LeasesTable;
  platformStatus: PlatformStatusTable;
  clickLinks: ClickLinksTable;
  clickCounts: ClickCountsTable;
  clickStoryDays: ClickStoryDaysTable;
  clickChatDays: ClickChatDaysTable;
  clickHours: ClickHoursTable;
  /** The reach read model's sums. */
  reach: ReachViews;
  /** Deactivates a subscription and fails what is queued for it (Store.deactivateSubscription). */
  deactivateSubscription(id: number, reason: string, now: number): { deactivated: boolean; cancelled: number };
  /** A batch of click counts into their four tables, not fsynced (Store.addClickCounts). */
  addClickCounts(counts: readonly ClickCount[]): void;
  /** A consistent copy of the database file while it is in use (Store.backup). */
  backup(destination: string): Promise<void>;
}
