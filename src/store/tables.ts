import { ArticlesTable } from './articles.js';
import { AuditLog, EditorsTable } from './editors.js';
import { BroadcastsTable } from './broadcasts.js';
import { ClickChatDaysTable } from './click-chat-days.js';
import { ClickCountsTable } from './click-counts.js';
import { ClickHoursTable } from './click-hours.js';
import { ClickLinksTable } from './click-links.js';
import { ClickStoryDaysTable } from './click-story-days.js';
import { DeliverySettingsTable } from './delivery-settings.js';
import { DemoRows } from './demo.js';
import { DeskEditorsTable } from './desk-editors.js';
import { DeskSessionsTable } from './desk-sessions.js';
import { DeskViews } from './desk-views.js';
import { DigestsTable } from './digests.js';
import { FullReadsTable } from './full-reads.js';
import { JobsTable } from './jobs.js';
import { LeasesTable, SendCounters } from './leases.js';
import { OutletsTable } from './outlets.js';
import { PlatformStatusTable } from './platform-status.js';
import { PushTable } from './push.js';
import { ReachViews } from './reach-views.js';
import { ReactionsTable } from './reactions.js';
import { ReviewMessagesTable, ReviewsTable } from './reviews.js';
import { RevisionsTable } from './revisions.js';
import { SourceFiltersTable } from './source-filters.js';
import { SourcesTable } from './sources.js';
import { SubscriptionTemplatesTable } from './templates.js';
import { SubscriptionsTable } from './subscriptions.js';
import { Table } from './table.js';

/** Every table of the database, each on the connection the store opened (the store adds what spans several). */
export class Tables extends Table {
  readonly articles = new ArticlesTable(this.db);
  readonly subscriptions = new SubscriptionsTable(this.db);
  /** The outbox: every post, digest message, edit and delete (db/013_outbox.sql). */
  readonly jobs = new JobsTable(this.db);
  readonly deliverySettings = new DeliverySettingsTable(this.db);
  readonly digests = new DigestsTable(this.db);
  readonly sources = new SourcesTable(this.db);
  readonly broadcasts = new BroadcastsTable(this.db);
  readonly editors = new EditorsTable(this.db);
  readonly audit = new AuditLog(this.db);
  readonly leases = new LeasesTable(this.db);
  readonly counters = new SendCounters(this.db);
  readonly reviews = new ReviewsTable(this.db);
  readonly reviewMessages = new ReviewMessagesTable(this.db);
  readonly deskEditors = new DeskEditorsTable(this.db);
  readonly deskSessions = new DeskSessionsTable(this.db);
  /** The outlets' registry and desk memberships (db/020_outlets.sql): read in the first outlet's database only. */
  readonly outlets = new OutletsTable(this.db);
  readonly desk = new DeskViews(this.db);
  readonly platformStatus = new PlatformStatusTable(this.db);
  readonly revisions = new RevisionsTable(this.db);
  readonly templates = new SubscriptionTemplatesTable(this.db);
  readonly sourceFilters = new SourceFiltersTable(this.db);
  readonly push = new PushTable(this.db);
  /** Reactions to sent posts (db/015_reactions.sql). */
  readonly reactions = new ReactionsTable(this.db);
  readonly demoRows = new DemoRows(this.db);
  /** The full story's reads per article and its link key (db/017_full_story.sql). */
  readonly fullReads = new FullReadsTable(this.db);
  /** Clicks on posts' links (db/019_clicks.sql): each link's code, and the counts per post and hour, story and day,
   * chat and day, and hour. */
  readonly clickLinks = new ClickLinksTable(this.db);
  readonly clickCounts = new ClickCountsTable(this.db);
  readonly clickStoryDays = new ClickStoryDaysTable(this.db);
  readonly clickChatDays = new ClickChatDaysTable(this.db);
  readonly clickHours = new ClickHoursTable(this.db);
  /** The reach read model's sums. */
  readonly reach = new ReachViews(this.db);
}
