import { Table } from './table.js';
import type { ChatKind, SubscribeInput, Subscription } from '../model/subscription.js';
import { parseJsonArray, toDate, toJson } from './rows.js';

export type { ChatKind, SubscribeInput, Subscription } from '../model/subscription.js';

/** A subscription as routing matches it: who, where, and its filter. */
export interface FilterTarget {
  id: number;
  platform: string;
  topics: string[];
}

export class SubscriptionsTable extends Table {
  // Re-subscribing reactivates the same row (and so keeps its delivery history: nothing is sent twice),
  // moves active_since forward so what was missed while it was off is not sent, and keeps the settings the
  // request does not mention (undefined topics or thread).
  private readonly upsertStmt = this.db
    .prepare(`INSERT INTO subscriptions
      (platform, chat_id, thread_id, kind, title, topics, language, active, active_since, created_by, created_at)
    VALUES (@platform, @chatId, @threadId, @kind, @title, @topics, @language, 1, @now, @createdBy, @now)
    ON CONFLICT (platform, chat_id) DO UPDATE SET
      thread_id = CASE WHEN @keepThread THEN thread_id ELSE excluded.thread_id END, kind = excluded.kind,
      title = COALESCE(excluded.title, title),
      topics = CASE WHEN @keepTopics THEN topics ELSE excluded.topics END,
      language = COALESCE(excluded.language, language),
      active_since = CASE WHEN active = 1 THEN active_since ELSE excluded.active_since END,
      active = 1, deactivated_reason = NULL, deactivated_at = NULL
    RETURNING id`)
    .pluck();
  private readonly byId = this.db.prepare('SELECT * FROM subscriptions WHERE id = ?');
  private readonly byChat = this.db.prepare('SELECT * FROM subscriptions WHERE platform = ? AND chat_id = ?');
  private readonly listStmt = this.db.prepare('SELECT * FROM subscriptions ORDER BY id');
  private readonly activeStmt = this.db.prepare('SELECT * FROM subscriptions WHERE active = 1 ORDER BY id');
  private readonly deactivateStmt =
    this.db.prepare(`UPDATE subscriptions SET active = 0, deactivated_reason = ?, deactivated_at = ?
    WHERE id = ? AND active = 1`);
  private readonly migrateStmt = this.db.prepare(
    'UPDATE subscriptions SET chat_id = ?, kind = ? WHERE platform = ? AND chat_id = ?',
  );
  private readonly topicsStmt = this.db.prepare('UPDATE subscriptions SET topics = ? WHERE id = ?');
  private readonly filteredStmt = this.db.prepare(`SELECT id, platform, topics FROM subscriptions
    WHERE active = 1 AND active_since <= @activeBefore AND topics <> '[]'
    UNION ALL SELECT s.id, s.platform, s.topics FROM subscription_source_filters f JOIN subscriptions s ON s.id = f.subscription_id
    WHERE f.source_id = @sourceId AND s.active = 1 AND s.active_since <= @activeBefore AND s.topics = '[]'`);
  private readonly countStmt = this.db.prepare(
    'SELECT platform, active, COUNT(*) AS n FROM subscriptions GROUP BY platform, active',
  );

  subscribe(input: SubscribeInput, now = Date.now()): Subscription {
    const id = this.upsertStmt.get({
      platform: input.platform,
      chatId: input.chatId,
      threadId: input.threadId ?? null,
      kind: input.kind,
      title: input.title ?? null,
      topics: toJson(input.topics ?? []),
      language: input.language ?? null,
      createdBy: input.createdBy ?? null,
      now,
      keepTopics: input.topics === undefined ? 1 : 0,
      keepThread: input.threadId === undefined ? 1 : 0,
    }) as number;
    return this.get(id)!;
  }

  get(id: number): Subscription | undefined {
    const row = this.byId.get(id) as SubscriptionRow | undefined;
    return row && subscriptionFromRow(row);
  }

  findByChat(platform: string, chatId: string): Subscription | undefined {
    const row = this.byChat.get(platform, chatId) as SubscriptionRow | undefined;
    return row && subscriptionFromRow(row);
  }

  list(): Subscription[] {
    return (this.listStmt.all() as SubscriptionRow[]).map(subscriptionFromRow);
  }

  active(): Subscription[] {
    return (this.activeStmt.all() as SubscriptionRow[]).map(subscriptionFromRow);
  }

  /**
   * Active subscriptions that filter (by topic, or for this source), active since before `activeBefore`: only what
   * matching needs, since routing reads them for every article (the full rows of 6,000 filters cost 40 ms, these 8).
   * The rest get everything and are queued in SQL.
   */
  filterTargets(sourceId: number | undefined, activeBefore = Number.MAX_SAFE_INTEGER): FilterTarget[] {
    return (
      this.filteredStmt.all({ sourceId: sourceId ?? null, activeBefore }) as Array<{
        id: number;
        platform: string;
        topics: string;
      }>
    ).map((r) => ({ id: r.id, platform: r.platform, topics: r.topics === '[]' ? [] : parseJsonArray(r.topics) }));
  }

  /** Returns false when it was not active (so callers can say "already unsubscribed"). */
  deactivate(id: number, reason: string, now = Date.now()): boolean {
    return this.deactivateStmt.run(reason, now, id).changes > 0;
  }

  setTopics(id: number, topics: string[]): void {
    this.topicsStmt.run(toJson(topics), id);
  }

  /** A Telegram group that became a supergroup: the subscription follows the new chat id. */
  migrateChat(platform: string, fromChatId: string, toChatId: string): boolean {
    if (this.findByChat(platform, toChatId)) return false;
    return this.migrateStmt.run(toChatId, 'group', platform, fromChatId).changes > 0;
  }

  counts(): Array<{ platform: string; active: number; inactive: number }> {
    const byPlatform = new Map<string, { platform: string; active: number; inactive: number }>();
    for (const r of this.countStmt.all() as Array<{ platform: string; active: number; n: number }>) {
      const entry = byPlatform.get(r.platform) ?? { platform: r.platform, active: 0, inactive: 0 };
      if (r.active === 1) entry.active += r.n;
      else entry.inactive += r.n;
      byPlatform.set(r.platform, entry);
    }
    return [...byPlatform.values()];
  }
}

interface SubscriptionRow {
  id: number;
  platform: string;
  chat_id: string;
  thread_id: number | null;
  kind: ChatKind;
  title: string | null;
  topics: string;
  language: string | null;
  active: number;
  deactivated_reason: string | null;
  deactivated_at: number | null;
  active_since: number;
  created_by: string | null;
  created_at: number;
}

export function subscriptionFromRow(r: SubscriptionRow): Subscription {
  return {
    id: r.id,
    platform: r.platform,
    chatId: r.chat_id,
    threadId: r.thread_id ?? undefined,
    kind: r.kind,
    title: r.title ?? undefined,
    topics: parseJsonArray(r.topics),
    language: r.language ?? undefined,
    active: r.active === 1,
    deactivatedReason: r.deactivated_reason ?? undefined,
    deactivatedAt: toDate(r.deactivated_at),
    activeSince: new Date(r.active_since),
    createdBy: r.created_by ?? undefined,
    createdAt: new Date(r.created_at),
  };
}
