import { PermissionError, UserError } from '../errors.js';
import type { ChatKind, Subscription } from '../model/subscription.js';
import { LINK_PREVIEWS, TEMPLATE_FIELDS, type MessageTemplate, type TemplateChange } from '../model/template.js';
import { audit, SYSTEM, type Actor } from './actor.js';
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
export function subscribe(deps: NewsroomDeps, actor: Actor, req: SubscribeRequest, authority: ChatAuthority = {}): SubscribeResult {
  mayManage(deps, actor, 'subscribe', authority);
  const kind = req.kind ?? rulesFor(deps, req.platform).classifyChat(req.chatId);
  if (req.kind) rulesFor(deps, req.platform).classifyChat(req.chatId); // an explicit kind does not excuse a malformed id
  const topics = req.topics === undefined ? undefined : cleanTopics(req.topics);
  const { store } = deps;
  return store.transaction((): SubscribeResult => {
    const before = store.subscriptions.findByChat(req.platform, req.chatId);
    const subscription = store.subscriptions.subscribe({
      platform: req.platform, chatId: req.chatId, kind, topics, threadId: req.threadId,
      title: req.title, language: req.language, createdBy: actor.id,
    });
    const changes = before ? changed(before, subscription) : [];
    const result: SubscribeResult = !before ? { kind: 'subscribed', subscription }
      : !before.active ? { kind: 'reactivated', subscription, changes }
        : changes.length > 0 ? { kind: 'updated', subscription, changes }
          : { kind: 'already', subscription };
    if (result.kind !== 'already') {
      audit(store, actor, before?.active ? 'subscription.update' : 'subscription.add', {
        subscription: subscription.id, platform: req.platform, chat: req.chatId, topics: subscription.topics, changes,
      });
    }
    return result;
  });
}

export type UnsubscribeResult =
  | { kind: 'unsubscribed'; subscription: Subscription; cancelled: number }
  | { kind: 'not-subscribed' };

/** Deactivates the subscription (its history stays, so a later re-subscription never receives anything twice) and cancels what is queued for it. */
export function unsubscribe(deps: NewsroomDeps, actor: Actor, target: ChatRef | { subscriptionId: number }, authority: ChatAuthority = {}): UnsubscribeResult {
  mayManage(deps, actor, 'unsubscribe', authority);
  const { store } = deps;
  const sub = 'subscriptionId' in target ? store.subscriptions.get(target.subscriptionId) : store.subscriptions.findByChat(target.platform, target.chatId);
  if (!sub?.active) return { kind: 'not-subscribed' };
  return store.transaction(() => {
    const { deactivated, cancelled } = store.deactivateSubscription(sub.id, `unsubscribed by ${actor.platform}:${actor.id}`);
    if (!deactivated) return { kind: 'not-subscribed' as const };
    audit(store, actor, 'subscription.remove', { subscription: sub.id, platform: sub.platform, chat: sub.chatId, cancelled });
    return { kind: 'unsubscribed' as const, subscription: store.subscriptions.get(sub.id)!, cancelled };
  });
}

/** The topics of an active subscription (the /topics buttons). */
export function setTopics(deps: NewsroomDeps, actor: Actor, subscriptionId: number, topics: string[], authority: ChatAuthority = {}): Subscription {
  mayManage(deps, actor, 'topics', authority);
  const { store } = deps;
  return store.transaction(() => {
    const sub = store.subscriptions.get(subscriptionId);
    if (!sub?.active) throw new UserError(`subscription ${subscriptionId} is not active`);
    const clean = cleanTopics(topics);
    store.subscriptions.setTopics(subscriptionId, clean);
    audit(store, actor, 'subscription.update', { subscription: subscriptionId, topics: clean, changes: ['topics'] });
    return store.subscriptions.get(subscriptionId)!;
  });
}

/**
 * The platform says the chat is gone for Nashra (the bot was blocked, removed from the group, the chat deleted):
 * deactivated with the reason and what is queued cancelled, audited as Nashra's own doing.
 */
export function subscriptionLost(deps: Pick<NewsroomDeps, 'store' | 'logger'>, chat: ChatRef, reason: string): boolean {
  const { store } = deps;
  const sub = store.subscriptions.findByChat(chat.platform, chat.chatId);
  if (!sub) return false;
  return store.transaction(() => {
    const { deactivated, cancelled } = store.deactivateSubscription(sub.id, reason);
    if (!deactivated) return false;
    audit(store, SYSTEM, 'subscription.lost', { subscription: sub.id, platform: chat.platform, chat: chat.chatId, reason, cancelled });
    deps.logger.warn('subscription deactivated', { platform: chat.platform, chat: chat.chatId, reason, cancelled });
    return true;
  });
}

export function mayManage(deps: NewsroomDeps, actor: Actor, action: string, authority: ChatAuthority): void {
  if (authority.managesChat || deps.editors.isEditor(actor)) return;
  audit(deps.store, actor, 'refused', { action });
  throw new PermissionError(`${action}: only the chat's admins and editors may change its subscription`);
}

function rulesFor(deps: NewsroomDeps, platform: string) {
  const rules = deps.platforms.find((p) => p.name === platform);
  if (!rules) throw new UserError(`unknown platform "${platform}" (known: ${deps.platforms.map((p) => p.name).join(', ')})`);
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

export function subscriptionSettings(deps: Pick<NewsroomDeps, 'store'>, subscriptionId: number): SubscriptionSettings {
  const { store } = deps;
  const subscription = store.subscriptions.get(subscriptionId);
  if (!subscription) throw new UserError(`no subscription with id ${subscriptionId} (see nashra subs list)`);
  return {
    subscription,
    template: store.templates.get(subscriptionId),
    sourceFilters: store.sourceFilters.forSubscription(subscriptionId).map((f) => ({ ...f, sourceName: store.sources.get(f.sourceId)?.name })),
  };
}

/** Header marks and footers are one line each: a longer one would crowd the caption's 1,024 characters. */
const TEMPLATE_LINE_MAX = 120;

/** Changes an active subscription's filter, template or per-source filter in one transaction, audited once. */
export function changeSubscription(deps: NewsroomDeps, actor: Actor, subscriptionId: number, change: SubscriptionChange, authority: ChatAuthority = {}): SubscriptionSettings & { changes: string[] } {
  mayManage(deps, actor, 'settings', authority);
  const { store } = deps;
  const template = change.template && checkTemplate(change.template);
  return store.transaction(() => {
    const before = subscriptionSettings(deps, subscriptionId);
    if (!before.subscription.active) throw new UserError(`subscription ${subscriptionId} is not active`);
    const changes: string[] = [];
    if (change.topics !== undefined) {
      const clean = cleanTopics(change.topics);
      if (clean.join('\n') !== before.subscription.topics.join('\n')) changes.push('topics');
      store.subscriptions.setTopics(subscriptionId, clean);
    }
    if (template) {
      const next: MessageTemplate = { ...before.template };
      for (const field of TEMPLATE_FIELDS) {
        const value = template[field];
        if (value === undefined) continue;
        if (value === null) delete next[field]; else (next as Record<string, unknown>)[field] = value;
        if (next[field] !== before.template[field]) changes.push(field);
      }
      store.templates.put(subscriptionId, next);
    }
    if (change.sourceFilter) {
      const { sourceId } = change.sourceFilter;
      if (!store.sources.get(sourceId)) throw new UserError(`no source #${sourceId} (see nashra sources list)`);
      const clean = cleanTopics(change.sourceFilter.topics);
      const had = before.sourceFilters.find((f) => f.sourceId === sourceId)?.topics ?? [];
      if (clean.join('\n') !== had.join('\n')) changes.push(`source #${sourceId}`);
      store.sourceFilters.set(subscriptionId, sourceId, clean);
    }
    const after = subscriptionSettings(deps, subscriptionId);
    if (changes.length > 0) {
      audit(store, actor, 'subscription.update', {
        subscription: subscriptionId, changes, topics: after.subscription.topics, template: after.template,
        ...(change.sourceFilter ? { source: change.sourceFilter.sourceId, sourceTopics: after.sourceFilters.find((f) => f.sourceId === change.sourceFilter!.sourceId)?.topics ?? [] } : {}),
      });
    }
    return { ...after, changes };
  });
}

function checkTemplate(t: TemplateChange): TemplateChange {
  for (const field of ['headerMark', 'footer'] as const) {
    const v = t[field];
    if (typeof v === 'string' && (v.length > TEMPLATE_LINE_MAX || /[\r\n]/.test(v))) {
      throw new UserError(`the ${field === 'headerMark' ? 'header mark' : 'footer'} is one line of at most ${TEMPLATE_LINE_MAX} characters`);
    }
  }
  if (t.linkPreview != null && !LINK_PREVIEWS.includes(t.linkPreview)) {
    throw new UserError(`link preview "${String(t.linkPreview)}" is not one of ${LINK_PREVIEWS.join(', ')}`);
  }
  return t;
}

/** A chat's subscription (active or not), by the chat or by its id; undefined when there is none. */
export function findSubscription(deps: Pick<NewsroomDeps, 'store'>, ref: ChatRef | number): Subscription | undefined {
  return typeof ref === 'number' ? deps.store.subscriptions.get(ref) : deps.store.subscriptions.findByChat(ref.platform, ref.chatId);
}

/** One platform's active subscriptions. */
export function activeSubscriptions(deps: Pick<NewsroomDeps, 'store'>, platform: string): Subscription[] {
  return deps.store.subscriptions.active().filter((s) => s.platform === platform);
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
export function migrateChat(deps: NewsroomDeps, from: ChatRef, toChatId: string): MigrationResult {
  const { store } = deps;
  let toKind: ChatKind;
  try {
    toKind = rulesFor(deps, from.platform).classifyChat(toChatId);
  } catch (err) {
    if (err instanceof UserError) return { kind: 'refused', reason: err.message };
    throw err;
  }
  if (toKind === 'private') return { kind: 'refused', reason: `${toChatId} is a private chat, not a group` };
  return store.transaction((): MigrationResult => {
    const sub = store.subscriptions.findByChat(from.platform, from.chatId);
    if (!sub) return { kind: 'none' };
    if (sub.kind !== 'group') return { kind: 'refused', reason: `${from.chatId} is a ${sub.kind} chat, not a group` };
    if (!store.subscriptions.migrateChat(from.platform, from.chatId, toChatId)) return { kind: 'refused', reason: `${toChatId} has a subscription already` };
    audit(store, SYSTEM, 'subscription.migrate', { subscription: sub.id, platform: from.platform, from: from.chatId, to: toChatId });
    deps.logger.info('group moved to a new chat id; its subscription follows it', { platform: from.platform, from: from.chatId, to: toChatId });
    return { kind: 'migrated', subscription: store.subscriptions.get(sub.id)! };
  });
}
