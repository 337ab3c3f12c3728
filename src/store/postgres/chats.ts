/**
 * The chats' ports on PostgreSQL: the sources' push bookkeeping, the subscriptions (with their delivery settings,
 * templates and per-source filters), the audit log, the editors, the desk's accounts and sessions. The statements
 * of src/store/push.ts, subscriptions.ts, delivery-settings.ts, templates.ts, source-filters.ts, editors.ts,
 * desk-editors.ts, desk-sessions.ts (and the two of jobs.ts the subscriptions reach), with their row mappers.
 *
 * Text is ordered and compared as SQLite does whatever the database's locale: `COLLATE "C"` (bytes, SQLite's
 * BINARY) where a list is ordered by text, and usernames folded by `lower(… COLLATE "C")`, ASCII only, as SQLite's
 * NOCASE (the unique index is on the same expression, src/store/postgres/schema.ts). A NUL in a text argument,
 * which TEXT cannot hold, becomes U+FFFD on both adapters (src/store/rows.ts withoutNul).
 */
import type {
  AuditRepository,
  DeskAccountRepository,
  EditorRepository,
  PushRepository,
  SessionRepository,
  SubscriptionRepository,
} from '../../ports/index.js';
import type { MessageTemplate } from '../../model/template.js';
import { deliverySettingsFromRow, deliveryValues, UPSERT_DELIVERY } from '../delivery-settings.js';
import { deskEditorFromRow } from '../desk-editors.js';
import { deskSessionFromRow } from '../desk-sessions.js';
import { webSubFromRow } from '../push.js';
import { parseJsonArray, toJson } from '../rows.js';
import { subscriptionFromRow } from '../subscriptions.js';
import { templateFromRow, templateValues, UPSERT_TEMPLATE } from '../templates.js';
import { statement, type Sql } from './sql.js';

// The SQLite tables' rows (the store exports no row type: src/store returns domain types).
type WebSubRow = Parameters<typeof webSubFromRow>[0];
type SubscriptionRow = Parameters<typeof subscriptionFromRow>[0];
type SettingsRow = Parameters<typeof deliverySettingsFromRow>[0];
type TemplateRow = Parameters<typeof templateFromRow>[0];
type DeskEditorRow = NonNullable<Parameters<typeof deskEditorFromRow>[0]>;
type DeskSessionRow = Parameters<typeof deskSessionFromRow>[0];

// ── push (src/store/push.ts) ──
const SECRET_GET = statement('SELECT hook_secret FROM sources WHERE id = ?');
const SECRET_SET = statement('UPDATE sources SET hook_secret = ? WHERE id = ?');
const SEEN_PRUNE = statement('DELETE FROM push_seen WHERE seen_at < ?');
const SEEN_INSERT = statement(
  'INSERT INTO push_seen (source_id, nonce, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
);
const SUB_GET = statement('SELECT * FROM websub WHERE source_id = ?');
// A hub or topic that changed starts over (a new secret, a new subscription).
const SUB_INSERT =
  statement(`INSERT INTO websub (source_id, hub, topic, secret, state, updated_at) VALUES (@sourceId, @hub, @topic, @secret, 'subscribe', @now)
  ON CONFLICT (source_id) DO UPDATE SET hub = excluded.hub, topic = excluded.topic, secret = excluded.secret, state = 'subscribe',
    lease_seconds = NULL, expires_at = NULL, last_error = NULL, updated_at = excluded.updated_at
  WHERE websub.hub <> excluded.hub OR websub.topic <> excluded.topic`);
const SUB_STATE = statement(
  'UPDATE websub SET state = @state, requested_at = COALESCE(@requestedAt, requested_at), last_error = @error, updated_at = @now WHERE source_id = @sourceId',
);
const SUB_ACTIVE =
  statement(`UPDATE websub SET state = 'active', lease_seconds = @leaseSeconds, expires_at = @expiresAt, last_error = NULL, requested_at = NULL, updated_at = @now
  WHERE source_id = @sourceId AND state IN ('pending', 'active') AND requested_at IS NOT NULL`);
const SUB_VERIFIED = statement(`DELETE FROM websub WHERE source_id = ? AND state = 'unsubscribing'`);
const SUB_DENIED =
  statement(`UPDATE websub SET state = 'pending', requested_at = NULL, last_error = @error, updated_at = @now
  WHERE source_id = @sourceId AND state IN ('pending', 'active') AND requested_at IS NOT NULL`);
const SUB_FAILED = statement('UPDATE websub SET last_error = ?, updated_at = ? WHERE source_id = ?');
const SUB_DUE = statement(`SELECT * FROM websub WHERE state IN ('subscribe', 'unsubscribe')
    OR (state IN ('pending', 'unsubscribing') AND requested_at < @retryBefore)
    OR (state = 'pending' AND requested_at IS NULL AND updated_at < @deniedBefore)
    OR (state = 'active' AND (expires_at IS NULL OR expires_at > @latestEnd OR expires_at - GREATEST(60000, COALESCE(lease_seconds, 0) * 100) < @now)
        AND (requested_at IS NULL OR requested_at < @retryBefore))
  ORDER BY source_id`);
const SUB_ORPHANS = statement(`UPDATE websub SET state = 'unsubscribe', updated_at = ?
  WHERE state NOT IN ('unsubscribe', 'unsubscribing') AND source_id NOT IN (SELECT id FROM sources WHERE active = 1)`);
const SUB_ACTIVE_FOR = statement(
  `SELECT 1 AS one FROM websub WHERE source_id = ? AND state = 'active' AND (expires_at IS NULL OR expires_at > ?)`,
);

export function pushRepository(sql: Sql): PushRepository {
  return {
    hookSecret: async (sourceId) =>
      (await sql.get<{ hook_secret: string | null }>(SECRET_GET, [sourceId]))?.hook_secret ?? undefined,
    setHookSecret: async (sourceId, secret) => (await sql.run(SECRET_SET, [secret ?? null, sourceId])).changes > 0,
    firstSeen: (sourceId, key, windowMs, now) =>
      sql.atomic(async (s) => {
        await s.run(SEEN_PRUNE, [now - windowMs]);
        return (await s.run(SEEN_INSERT, [sourceId, key, now])).changes > 0;
      }),
    websub: async (sourceId) => {
      const row = await sql.get<WebSubRow>(SUB_GET, [sourceId]);
      return row && webSubFromRow(row);
    },
    discovered: async (sourceId, hub, topic, secret, now) => {
      await sql.run(SUB_INSERT, { sourceId, hub, topic, secret, now });
    },
    setWebSubState: async (sourceId, state, opts, now) => {
      await sql.run(SUB_STATE, {
        sourceId,
        state,
        requestedAt: opts.requestedAt ?? null,
        error: opts.error ?? null,
        now,
      });
    },
    webSubActive: async (sourceId, leaseSeconds, expiresAt, now) =>
      (await sql.run(SUB_ACTIVE, { sourceId, leaseSeconds, expiresAt, now })).changes > 0,
    webSubGone: async (sourceId) => (await sql.run(SUB_VERIFIED, [sourceId])).changes > 0,
    webSubDenied: async (sourceId, error, now) => (await sql.run(SUB_DENIED, { sourceId, error, now })).changes > 0,
    webSubFailed: async (sourceId, error, now) => {
      await sql.run(SUB_FAILED, [error, now, sourceId]);
    },
    webSubDue: (now, opts) =>
      sql.atomic(async (s) => {
        await s.run(SUB_ORPHANS, [now]);
        const rows = await s.all<WebSubRow>(SUB_DUE, {
          now,
          retryBefore: now - opts.retryAfterMs,
          deniedBefore: now - opts.deniedRetryAfterMs,
          latestEnd: now + opts.maxLeaseMs,
        });
        return rows.map(webSubFromRow);
      }),
    webSubIsActive: async (sourceId, now) => (await sql.get(SUB_ACTIVE_FOR, [sourceId, now])) !== undefined,
  };
}

// ── subscriptions (src/store/subscriptions.ts, delivery-settings.ts, templates.ts, source-filters.ts) ──
// Re-subscribing reactivates the same row (its delivery history kept: nothing is sent twice), moves active_since
// forward, and keeps the settings the request does not mention. (The casts: a bare parameter in CASE WHEN must be
// a boolean to PostgreSQL; SQLite takes 1 and 0.)
const SUBSCRIBE = statement(`INSERT INTO subscriptions
    (platform, chat_id, thread_id, kind, title, topics, language, active, active_since, created_by, created_at)
  VALUES (@platform, @chatId, @threadId, @kind, @title, @topics, @language, 1, @now, @createdBy, @now)
  ON CONFLICT (platform, chat_id) DO UPDATE SET
    thread_id = CASE WHEN @keepThread::bigint = 1 THEN subscriptions.thread_id ELSE excluded.thread_id END, kind = excluded.kind,
    title = COALESCE(excluded.title, subscriptions.title),
    topics = CASE WHEN @keepTopics::bigint = 1 THEN subscriptions.topics ELSE excluded.topics END,
    language = COALESCE(excluded.language, subscriptions.language),
    active_since = CASE WHEN subscriptions.active = 1 THEN subscriptions.active_since ELSE excluded.active_since END,
    active = 1, deactivated_reason = NULL, deactivated_at = NULL
  RETURNING *`);
const SUBSCRIPTION = statement('SELECT * FROM subscriptions WHERE id = ?');
const BY_CHAT = statement('SELECT * FROM subscriptions WHERE platform = ? AND chat_id = ?');
const LIST = statement('SELECT * FROM subscriptions ORDER BY id');
const ACTIVE = statement('SELECT * FROM subscriptions WHERE active = 1 ORDER BY id');
const DEACTIVATE = statement(
  'UPDATE subscriptions SET active = 0, deactivated_reason = ?, deactivated_at = ? WHERE id = ? AND active = 1',
);
// jobs.ts failQueuedForSubscription: the posts still waiting for a deactivated chat fail with its reason.
const FAIL_QUEUED = statement(`UPDATE jobs SET state = 'failed', last_error = ?, finished_at = ?
  WHERE subscription_id = ? AND kind = 'post' AND state IN ('queued', 'held')`);
const MIGRATE = statement('UPDATE subscriptions SET chat_id = ?, kind = ? WHERE platform = ? AND chat_id = ?');
const TOPICS = statement('UPDATE subscriptions SET topics = ? WHERE id = ?');
const DELIVERY = statement('SELECT * FROM delivery_settings WHERE subscription_id = ?');
const SET_DELIVERY = statement(UPSERT_DELIVERY);
// jobs.ts releaseHeld: back to immediate, what a digest held (and no digest message carries) is queued.
const RELEASE_HELD = statement(
  `UPDATE jobs SET state = 'queued' WHERE subscription_id = ? AND state = 'held' AND carried_by IS NULL`,
);
const TEMPLATE = statement('SELECT * FROM subscription_templates WHERE subscription_id = ?');
const SET_TEMPLATE = statement(UPSERT_TEMPLATE);
const DELETE_TEMPLATE = statement('DELETE FROM subscription_templates WHERE subscription_id = ?');
const SOURCE_FILTERS = statement(
  'SELECT source_id, topics FROM subscription_source_filters WHERE subscription_id = ? ORDER BY source_id',
);
const SET_SOURCE_FILTER =
  statement(`INSERT INTO subscription_source_filters (subscription_id, source_id, topics, updated_at)
  VALUES (?, ?, ?, ?) ON CONFLICT (subscription_id, source_id) DO UPDATE SET topics = excluded.topics, updated_at = excluded.updated_at`);
const DELETE_SOURCE_FILTER = statement(
  'DELETE FROM subscription_source_filters WHERE subscription_id = ? AND source_id = ?',
);

export function subscriptionRepository(sql: Sql): SubscriptionRepository {
  return {
    get: async (id) => {
      const row = await sql.get<SubscriptionRow>(SUBSCRIPTION, [id]);
      return row && subscriptionFromRow(row);
    },
    findByChat: async (platform, chatId) => {
      const row = await sql.get<SubscriptionRow>(BY_CHAT, [platform, chatId]);
      return row && subscriptionFromRow(row);
    },
    list: async () => (await sql.all<SubscriptionRow>(LIST)).map(subscriptionFromRow),
    active: async () => (await sql.all<SubscriptionRow>(ACTIVE)).map(subscriptionFromRow),
    subscribe: async (input, now) => {
      const { rows } = await sql.run<SubscriptionRow>(SUBSCRIBE, {
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
      });
      return subscriptionFromRow(rows[0]!);
    },
    setTopics: async (id, topics) => {
      await sql.run(TOPICS, [toJson(topics), id]);
    },
    deactivate: (id, reason, now) => deactivateSubscription(sql, id, reason, now),
    migrateChat: (platform, fromChatId, toChatId) =>
      sql.atomic(async (s) => {
        if (await s.get(BY_CHAT, [platform, toChatId])) return false;
        return (await s.run(MIGRATE, [toChatId, 'group', platform, fromChatId])).changes > 0;
      }),
    delivery: async (id) => {
      const row = await sql.get<SettingsRow>(DELIVERY, [id]);
      return row && deliverySettingsFromRow(row);
    },
    setDelivery: async (id, s, now) => {
      await sql.run(SET_DELIVERY, deliveryValues(id, s, now));
    },
    releaseHeld: async (id) => (await sql.run(RELEASE_HELD, [id])).changes,
    template: async (id) => {
      const row = await sql.get<TemplateRow>(TEMPLATE, [id]);
      return row ? templateFromRow(row) : {};
    },
    setTemplate: async (id, t: MessageTemplate, now) => {
      if (Object.values(t).every((v) => v === undefined)) {
        await sql.run(DELETE_TEMPLATE, [id]);
        return;
      }
      await sql.run(SET_TEMPLATE, templateValues(id, t, now));
    },
    sourceFilters: async (id) =>
      (await sql.all<{ source_id: number; topics: string }>(SOURCE_FILTERS, [id])).map((r) => ({
        sourceId: r.source_id,
        topics: parseJsonArray(r.topics),
      })),
    setSourceFilter: async (id, sourceId, topics, now) => {
      if (topics.length === 0) await sql.run(DELETE_SOURCE_FILTER, [id, sourceId]);
      else await sql.run(SET_SOURCE_FILTER, [id, sourceId, toJson(topics), now]);
    },
  };
}

/** Store.deactivateSubscription: the subscription and its queued posts in one transaction (also the demo's end). */
export function deactivateSubscription(
  sql: Sql,
  id: number,
  reason: string,
  now: number,
): Promise<{ deactivated: boolean; cancelled: number }> {
  return sql.atomic(async (s) => {
    if ((await s.run(DEACTIVATE, [reason, now, id])).changes === 0) return { deactivated: false, cancelled: 0 };
    return {
      deactivated: true,
      cancelled: (await s.run(FAIL_QUEUED, [`subscription deactivated: ${reason}`, now, id])).changes,
    };
  });
}

// ── audit and editors (src/store/editors.ts) ──
const AUDIT = statement('INSERT INTO audit_log (at, platform, actor, action, detail) VALUES (?, ?, ?, ?, ?)');
const IS_EDITOR = statement('SELECT 1 AS one FROM editors WHERE platform = ? AND user_id = ?');
const EDITORS_ON = statement('SELECT user_id FROM editors WHERE platform = ? ORDER BY user_id COLLATE "C"');

export function auditRepository(sql: Sql): AuditRepository {
  return {
    record: async (platform, actor, action, detail, now) => {
      await sql.run(AUDIT, [now, platform, actor, action, JSON.stringify(detail)]);
    },
  };
}

export function editorRepository(sql: Sql): EditorRepository {
  return {
    isEditor: async (platform, userId) => (await sql.get(IS_EDITOR, [platform, userId])) !== undefined,
    onPlatform: async (platform) => (await sql.all<{ user_id: string }>(EDITORS_ON, [platform])).map((r) => r.user_id),
  };
}

// ── the desk's accounts and sessions (src/store/desk-editors.ts, desk-sessions.ts) ──
const ACCOUNT_COUNT = statement('SELECT COUNT(*) AS n FROM desk_editors');
const ACCOUNT = statement('SELECT * FROM desk_editors WHERE id = ?');
const ACCOUNT_BY_NAME = statement(
  'SELECT * FROM desk_editors WHERE lower(username COLLATE "C") = lower(? COLLATE "C")',
);
const ACCOUNTS = statement('SELECT * FROM desk_editors ORDER BY lower(username COLLATE "C")');
// A name taken (without case: the unique index) inserts nothing and returns no row.
const ACCOUNT_ADD =
  statement(`INSERT INTO desk_editors (username, password_hash, created_at, password_changed_at) VALUES (@username, @hash, @now, @now)
  ON CONFLICT DO NOTHING RETURNING *`);
const ACCOUNT_PASSWORD = statement(
  'UPDATE desk_editors SET password_hash = ?, password_changed_at = ? WHERE lower(username COLLATE "C") = lower(? COLLATE "C")',
);
const ACCOUNT_REMOVE = statement('DELETE FROM desk_editors WHERE lower(username COLLATE "C") = lower(? COLLATE "C")');
const SESSION_ADD = statement(
  'INSERT INTO desk_sessions (id, editor_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)',
);
const SESSION = statement(`SELECT s.editor_id, s.created_at, s.last_seen_at, s.outlet_id, e.username
  FROM desk_sessions s JOIN desk_editors e ON e.id = s.editor_id WHERE s.id = ?`);
const SESSION_TOUCH = statement('UPDATE desk_sessions SET last_seen_at = ? WHERE id = ?');
const SESSION_REMOVE = statement('DELETE FROM desk_sessions WHERE id = ?');
const SESSION_OUTLET = statement('UPDATE desk_sessions SET outlet_id = ? WHERE id = ?');
const SESSIONS_OF = statement('DELETE FROM desk_sessions WHERE editor_id = ?');
const SESSIONS_IDLE = statement('DELETE FROM desk_sessions WHERE last_seen_at < ?');

export function deskAccountRepository(sql: Sql): DeskAccountRepository {
  return {
    count: async () => (await sql.get<{ n: number }>(ACCOUNT_COUNT))?.n ?? 0,
    get: async (id) => deskEditorFromRow(await sql.get<DeskEditorRow>(ACCOUNT, [id])),
    find: async (username) => deskEditorFromRow(await sql.get<DeskEditorRow>(ACCOUNT_BY_NAME, [username])),
    list: async () => (await sql.all<DeskEditorRow>(ACCOUNTS)).map((r) => deskEditorFromRow(r)!),
    add: async (username, hash, now) =>
      deskEditorFromRow((await sql.run<DeskEditorRow>(ACCOUNT_ADD, { username, hash, now })).rows[0]),
    setPassword: async (username, hash, now) => (await sql.run(ACCOUNT_PASSWORD, [hash, now, username])).changes > 0,
    remove: async (username) => (await sql.run(ACCOUNT_REMOVE, [username])).changes > 0,
  };
}

export function sessionRepository(sql: Sql): SessionRepository {
  return {
    create: async (hash, editorId, now) => {
      await sql.run(SESSION_ADD, [hash, editorId, now, now]);
    },
    // A read, and a write only for an idle session or a last use over a minute old: a page's assets cost one
    // round trip each.
    use: async (hash, idleMs, now) => {
      const row = await sql.get<DeskSessionRow>(SESSION, [hash]);
      if (!row) return undefined;
      if (now - row.last_seen_at > idleMs) {
        await sql.run(SESSION_REMOVE, [hash]);
        return undefined;
      }
      if (now - row.last_seen_at > 60_000) await sql.run(SESSION_TOUCH, [now, hash]);
      return deskSessionFromRow(row, now);
    },
    setOutlet: async (hash, outletId) => {
      await sql.run(SESSION_OUTLET, [outletId, hash]);
    },
    remove: async (hash) => {
      await sql.run(SESSION_REMOVE, [hash]);
    },
    removeAllFor: async (editorId) => (await sql.run(SESSIONS_OF, [editorId])).changes,
    expire: async (idleMs, now) => (await sql.run(SESSIONS_IDLE, [now - idleMs])).changes,
  };
}
