import { PermissionError, UserError } from '../errors.js';
import type { ChatKind, Subscription } from '../model/subscription.js';
import { LINK_PREVIEWS, TEMPLATE_FIELDS, type MessageTemplate, type TemplateChange } from '../model/template.js';
import type { Repositories } from '../ports/index.js';
import { RefusedError } from '../refusal.js';
import { recordAudit, requireOutletAdmin, SYSTEM, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';
import { normalizeTopics } from './topics.js';

/** A chat, as every front door names it. */
export interface ChatRef {
  platform: string;
  chatId: string;
}

export interface SubscribeRequest extends ChatRef {
  /** Default: what the platform's rules say the id is. */
  kind?: ChatKind;
  /** undefined keeps the current topics (a new subscription: everything). */
  topics?: string[];
  /** A forum topic; null: the main thread; undefined: keep. */
  threadId?: number | null;
  title?: string;
  language?: string;
}

/**
 * Who may change a chat's subscription: an editor, or someone the front door has checked manages that chat (an
 * admin of the group, the person in a private chat). The newsroom cannot ask the platform; the front door can.
 */
export interface ChatAuthority {
  managesChat?: boolean;
}

export type SubscribeResult =
  | { kind: 'subscribed'; subscription: Subscription }
  /** It was inactive and is active again; `changes` lists the settings that differ from before. */
  | { kind: 'reactivated'; subscription: Subscription; changes: string[] }
  | { kind: 'updated'; subscription: Subscription; changes: string[] }
  /** Already active with exactly these settings: nothing changed. */
  | { kind: 'already'; subscription: Subscription };

/** Subscribes a chat, or changes what it receives; settings the request does not mention are kept. */
export async function subscribe(
  deps: NewsroomDeps,
  actor: Actor,
  req: SubscribeRequest,
  authority: ChatAuthority = {},
): Promise<SubscribeResult> {
  await mayManage(deps, actor, 'subscribe', authority);
  // Classified even when the front door names the kind: an explicit kind does not excuse a malformed id.
  const classified = rulesFor(deps, req.platform).classifyChat(req.chatId);
  const kind = req.kind ?? classified;
  const topics = req.topics === undefined ? undefined : cleanTopics(req.topics);
  return deps.data.uow.run(async (tx): Promise<SubscribeResult> => {
    const now = Date.now();
    const before = await tx.subscriptions.findByChat(req.platform, req.chatId);
    const subscription = await tx.subscriptions.subscribe(
      {
        platform: req.platform,
        chatId: req.chatId,
        kind,
        topics,
        threadId: req.threadId,
        title: req.title,
        language: req.language,
        createdBy: actor.id,
      },
      now,
    );
    const changes = before ? changed(before, subscription) : [];
    const result: SubscribeResult = !before
      ? { kind: 'subscribed', subscription }
      : !before.active
        ? { kind: 'reactivated', subscription, changes }
        : changes.length > 0
          ? { kind: 'updated', subscription, changes }
          : { kind: 'already', subscription };
    if (result.kind !== 'already') {
      await recordAudit(
        tx,
        actor,
        before?.active ? 'subscription.update' : 'subscription.add',
        {
          subscription: subscription.id,
          platform: req.platform,
          chat: req.chatId,
          topics: subscription.topics,
          changes,
        },
        now,
      );
    }
    return result;
  });
}

export type UnsubscribeResult =
  | { kind: 'unsubscribed'; subscription: Subscription; cancelled: number }
  | { kind: 'not-subscribed' };

/** Deactivates the subscription (its history stays, so a later re-subscription never receives anything twice) and cancels what is queued for it. */
export async function unsubscribe(
  deps: NewsroomDeps,
  actor: Actor,
  target: ChatRef | { subscriptionId: number },
  authority: ChatAuthority = {},
): Promise<UnsubscribeResult> {
  await mayManage(deps, actor, 'unsubscribe', authority);
  // Looked up in the unit that deactivates: a subscribe of the same chat from another front door, asked meanwhile,
  // is either wholly before (and undone here) or wholly after (and stands).
  return deps.data.uow.run(async (tx): Promise<UnsubscribeResult> => {
    const now = Date.now();
    const sub = await subscriptionOf(tx, target);
    if (!sub?.active) return { kind: 'not-subscribed' };
    const { deactivated, cancelled } = await tx.subscriptions.deactivate(
      sub.id,
      `unsubscribed by ${actor.platform}:${actor.id}`,
      now,
    );
    if (!deactivated) return { kind: 'not-subscribed' };
    await recordAudit(
      tx,
      actor,
      'subscription.remove',
      { subscription: sub.id, platform: sub.platform, chat: sub.chatId, cancelled },
      now,
    );
    return { kind: 'unsubscribed', subscription: (await tx.subscriptions.get(sub.id))!, cancelled };
  });
}

/** The subscription a front door names, by its id or by its chat. */
export function subscriptionOf(
  repos: Pick<Repositories, 'subscriptions'>,
  target: ChatRef | { subscriptionId: number },
): Promise<Subscription | undefined> {
  return 'subscriptionId' in target
    ? repos.subscriptions.get(target.subscriptionId)
    : repos.subscriptions.findByChat(target.platform, target.chatId);
}

/** The topics of an active subscription (the /topics buttons). */
export async function setTopics(
  deps: NewsroomDeps,
  actor: Actor,
  subscriptionId: number,
  topics: string[],
  authority: ChatAuthority = {},
): Promise<Subscription> {
  await mayManage(deps, actor, 'topics', authority);
  return deps.data.uow.run(async (tx) => {
    const sub = await tx.subscriptions.get(subscriptionId);
    if (!sub?.active) throw new RefusedError({ kind: 'subscription-inactive', id: subscriptionId });
    const clean = cleanTopics(topics);
    await tx.subscriptions.setTopics(subscriptionId, clean);
    await recordAudit(tx, actor, 'subscription.update', {
      subscription: subscriptionId,
      topics: clean,
      changes: ['topics'],
    });
    return (await tx.subscriptions.get(subscriptionId))!;
  });
}

/**
 * The platform says the chat is gone for Nashra (the bot was blocked, removed from the group, the chat deleted):
 * deactivated with the reason and what is queued cancelled, audited as Nashra's own doing.
 */
export async function subscriptionLost(
  deps: Pick<NewsroomDeps, 'data' | 'logger'>,
  chat: ChatRef,
  reason: string,
): Promise<boolean> {
  const lost = await deps.data.uow.run(async (tx) => {
    const now = Date.now();
    const sub = await tx.subscriptions.findByChat(chat.platform, chat.chatId);
    if (!sub) return undefined;
    const { deactivated, cancelled } = await tx.subscriptions.deactivate(sub.id, reason, now);
    if (!deactivated) return undefined;
    await recordAudit(
      tx,
      SYSTEM,
      'subscription.lost',
      { subscription: sub.id, platform: chat.platform, chat: chat.chatId, reason, cancelled },
      now,
    );
    return { cancelled };
  });
  if (!lost) return false;
  deps.logger.warn('subscription deactivated', {
    platform: chat.platform,
    chat: chat.chatId,
    reason,
    cancelled: lost.cancelled,
  });
  return true;
}

/** The chat's admins and editors only: anyone else is refused (and the refusal audited), with nothing changed. */
export async function mayManage(
  deps: Pick<NewsroomDeps, 'data' | 'editors'>,
  actor: Actor,
  action: string,
  authority: ChatAuthority,
): Promise<void> {
  // A chat's subscription and its settings are the outlet's to manage: on the desk, its admins only.
  await requireOutletAdmin(deps, actor, action);
  if (authority.managesChat || (await deps.editors.isEditor(actor))) return;
  await recordAudit(deps.data.repos, actor, 'refused', { action });
  throw new PermissionError(`${action}: only the chat's admins and editors may change its subscription`);
}

function rulesFor(deps: NewsroomDeps, platform: string) {
  const rules = deps.platforms.find((p) => p.name === platform);
  if (!rules) throw new RefusedError({ kind: 'unknown-platform', platform, known: deps.platforms.map((p) => p.name) });
  return rules;
}

/** As typed, trimmed, without repeats (compared as they are matched: normalised Arabic). */
function cleanTopics(topics: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of topics.map((x) => x.trim()).filter(Boolean)) {
    const key = normalizeTopics([t])[0];
    if (key && !seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  }
  return out;
}

function changed(before: Subscription, after: Subscription): string[] {
  const changes: string[] = [];
  if (before.topics.join('\n') !== after.topics.join('\n')) changes.push('topics');
  if (before.threadId !== after.threadId) changes.push('thread');
  if (before.kind !== after.kind) changes.push('kind');
  return changes;
}

/** What a chat receives and how, in one view: its filter, its own template, and its filters per source. */
export interface SubscriptionSettings {
  subscription: Subscription;
  /** The chat's own choices; what it leaves undefined comes from the environment (Config.template). */
  template: MessageTemplate;
  sourceFilters: Array<{ sourceId: number; sourceName?: string; topics: string[] }>;
}

/**
 * A change to an existing subscription (`nashra subs set`, Telegram /topics and /settings, the desk). Each part
 * that is undefined stays as it is.
 *
 * Filters per source are per (subscription, source), not per source: sources are the newsroom's, followed once for
 * every chat, while what a chat wants of a general site is the chat's own choice (one channel wants only the Syria
 * stories of a pan-Arab site, another its economy pages). An article from that source must pass both the
 * subscription's filter and the source's; an editor's broadcast to everyone ignores both, as it ignores topics.
 */
export interface SubscriptionChange {
  /** The whole filter: words and phrases to include, «-word» to exclude ([]: everything). */
  topics?: string[];
  /** Field by field: a value sets it, null returns it to the environment's default. */
  template?: TemplateChange;
  /** The filter for one source ([]: none, the subscription's own filter applies alone). */
  sourceFilter?: { sourceId: number; topics: string[] };
}

export function subscriptionSettings(
  deps: Pick<NewsroomDeps, 'data'>,
  subscriptionId: number,
): Promise<SubscriptionSettings> {
  return settingsOf(deps.data.repos, subscriptionId);
}

async function settingsOf(
  repos: Pick<Repositories, 'subscriptions' | 'sources'>,
  subscriptionId: number,
): Promise<SubscriptionSettings> {
  const subscription = await repos.subscriptions.get(subscriptionId);
  if (!subscription) throw new RefusedError({ kind: 'no-subscription', id: subscriptionId });
  const filters = await repos.subscriptions.sourceFilters(subscriptionId);
  const sourceFilters = [];
  for (const f of filters) sourceFilters.push({ ...f, sourceName: (await repos.sources.get(f.sourceId))?.name });
  return { subscription, template: await repos.subscriptions.template(subscriptionId), sourceFilters };
}

/** Header marks and footers are one line each: a longer one would crowd the caption's 1,024 characters. */
const TEMPLATE_LINE_MAX = 120;

/** Changes an active subscription's filter, template or per-source filter in one transaction, audited once. */
export async function changeSubscription(
  deps: NewsroomDeps,
  actor: Actor,
  subscriptionId: number,
  change: SubscriptionChange,
  authority: ChatAuthority = {},
): Promise<SubscriptionSettings & { changes: string[] }> {
  await mayManage(deps, actor, 'settings', authority);
  const template = change.template && checkTemplate(change.template);
  return deps.data.uow.run(async (tx) => {
    const now = Date.now();
    const before = await settingsOf(tx, subscriptionId);
    if (!before.subscription.active) throw new RefusedError({ kind: 'subscription-inactive', id: subscriptionId });
    const changes: string[] = [];
    if (change.topics !== undefined) {
      const clean = cleanTopics(change.topics);
      if (clean.join('\n') !== before.subscription.topics.join('\n')) changes.push('topics');
      await tx.subscriptions.setTopics(subscriptionId, clean);
    }
    if (template) {
      const next: MessageTemplate = { ...before.template };
      for (const field of TEMPLATE_FIELDS) {
        const value = template[field];
        if (value === undefined) continue;
        if (value === null) delete next[field];
        else (next as Record<string, unknown>)[field] = value;
        if (next[field] !== before.template[field]) changes.push(field);
      }
      await tx.subscriptions.setTemplate(subscriptionId, next, now);
    }
    if (change.sourceFilter) {
      const { sourceId } = change.sourceFilter;
      if (!(await tx.sources.get(sourceId))) throw new RefusedError({ kind: 'no-source', id: sourceId });
      const clean = cleanTopics(change.sourceFilter.topics);
      const had = before.sourceFilters.find((f) => f.sourceId === sourceId)?.topics ?? [];
      if (clean.join('\n') !== had.join('\n')) changes.push(`source #${sourceId}`);
      await tx.subscriptions.setSourceFilter(subscriptionId, sourceId, clean, now);
    }
    const after = await settingsOf(tx, subscriptionId);
    if (changes.length > 0) {
      await recordAudit(
        tx,
        actor,
        'subscription.update',
        {
          subscription: subscriptionId,
          changes,
          topics: after.subscription.topics,
          template: after.template,
          ...(change.sourceFilter
            ? {
                source: change.sourceFilter.sourceId,
                sourceTopics:
                  after.sourceFilters.find((f) => f.sourceId === change.sourceFilter!.sourceId)?.topics ?? [],
              }
            : {}),
        },
        now,
      );
    }
    return { ...after, changes };
  });
}

function checkTemplate(t: TemplateChange): TemplateChange {
  for (const field of ['headerMark', 'footer'] as const) {
    const v = t[field];
    if (typeof v === 'string' && (v.length > TEMPLATE_LINE_MAX || /[\r\n]/.test(v))) {
      throw new RefusedError({ kind: 'template-line', field, max: TEMPLATE_LINE_MAX });
    }
  }
  if (t.linkPreview != null && !LINK_PREVIEWS.includes(t.linkPreview)) {
    throw new RefusedError({ kind: 'link-preview', value: String(t.linkPreview), allowed: LINK_PREVIEWS });
  }
  return t;
}

/** A chat's subscription (active or not), by the chat or by its id; undefined when there is none. */
export function findSubscription(
  deps: Pick<NewsroomDeps, 'data'>,
  ref: ChatRef | number,
): Promise<Subscription | undefined> {
  return subscriptionOf(deps.data.repos, typeof ref === 'number' ? { subscriptionId: ref } : ref);
}

/** One platform's active subscriptions. */
export async function activeSubscriptions(deps: Pick<NewsroomDeps, 'data'>, platform: string): Promise<Subscription[]> {
  return (await deps.data.repos.subscriptions.active()).filter((s) => s.platform === platform);
}

export type MigrationResult =
  | { kind: 'migrated'; subscription: Subscription }
  /** The old chat has no subscription: nothing to follow. */
  | { kind: 'none' }
  /** Not a group's move, a new id that is not a group's, or one that has a subscription of its own: nothing changed. */
  | { kind: 'refused'; reason: string };

/**
 * The platform says a group moved to a new chat id (Telegram: a group became a supergroup) and its subscription
 * follows it, settings and all. Nashra's own doing, audited as such. Only a group moves, and only to an id the
 * platform's rules take for a group or channel that no subscription uses yet: an update naming a private chat, a
 * malformed id or another subscriber's chat takes nothing over.
 */
export async function migrateChat(deps: NewsroomDeps, from: ChatRef, toChatId: string): Promise<MigrationResult> {
  let toKind: ChatKind;
  try {
    toKind = rulesFor(deps, from.platform).classifyChat(toChatId);
  } catch (err) {
    if (err instanceof UserError) return { kind: 'refused', reason: err.message };
    throw err;
  }
  if (toKind === 'private') return { kind: 'refused', reason: `${toChatId} is a private chat, not a group` };
  const result = await deps.data.uow.run(async (tx): Promise<MigrationResult> => {
    const sub = await tx.subscriptions.findByChat(from.platform, from.chatId);
    if (!sub) return { kind: 'none' };
    if (sub.kind !== 'group') return { kind: 'refused', reason: `${from.chatId} is a ${sub.kind} chat, not a group` };
    if (!(await tx.subscriptions.migrateChat(from.platform, from.chatId, toChatId)))
      return { kind: 'refused', reason: `${toChatId} has a subscription already` };
    await recordAudit(tx, SYSTEM, 'subscription.migrate', {
      subscription: sub.id,
      platform: from.platform,
      from: from.chatId,
      to: toChatId,
    });
    return { kind: 'migrated', subscription: (await tx.subscriptions.get(sub.id))! };
  });
  if (result.kind === 'migrated')
    deps.logger.info('group moved to a new chat id; its subscription follows it', {
      platform: from.platform,
      from: from.chatId,
      to: toChatId,
    });
  return result;
}
