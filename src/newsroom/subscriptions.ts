import { PermissionError, UserError } from '../errors.js';
import type { ChatKind, Subscription } from '../model/subscription.js';
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
