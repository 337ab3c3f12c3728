import { UserError } from '../../errors.js';
import type { ChatKind } from '../../model/subscription.js';
import { CLI_OPERATOR, deliveryOf, describeDelivery, ENGLISH_DELIVERY_WORDS, setDelivery, subscribe, unsubscribe } from '../../newsroom/index.js';
import { deliveryPatchFrom, type DeliveryOptions } from './subscription-options.js';
import type { CommandContext } from '../context.js';

/** `nashra subs add <platform> <chat-id>`: subscribes, or changes what it receives, keeping what is not given. */
export async function subsAdd([platform, chatId]: string[], options: { topics?: string; exclude?: string; kind?: ChatKind; thread?: number } & DeliveryOptions, ctx: CommandContext): Promise<void> {
  const list = (raw: string | undefined) => (raw ?? '').split(/[,،]/).map((t) => t.trim()).filter(Boolean);
  // Each option replaces its own half of the filter: --exclude alone keeps the topics the chat had, and the reverse.
  const had = ctx.store().subscriptions.findByChat(platform!, chatId!)?.topics ?? [];
  const include = options.topics === undefined ? had.filter((t) => !t.startsWith('-')) : list(options.topics);
  const exclude = options.exclude === undefined ? had.filter((t) => t.startsWith('-')) : list(options.exclude).map((t) => `-${t.replace(/^-+/, '')}`);
  const topics = options.topics === undefined && options.exclude === undefined ? undefined : [...include, ...exclude];
  const r = subscribe(ctx.newsroom(), CLI_OPERATOR, {
    platform: platform!, chatId: chatId!, kind: options.kind, threadId: options.thread,
    topics,
  });
  const s = r.subscription;
  const patch = deliveryPatchFrom(options);
  const delivery = patch && setDelivery(ctx.newsroom(), CLI_OPERATOR, { subscriptionId: s.id }, patch);
  const changes = [...(r.kind === 'subscribed' || r.kind === 'already' ? [] : r.changes), ...(delivery?.kind === 'updated' ? delivery.changes : [])];
  const what = r.kind === 'subscribed' ? 'subscribed' : r.kind === 'already' && changes.length === 0 ? 'already subscribed, nothing changed'
    : `${r.kind === 'reactivated' ? 'reactivated' : 'updated'}${changes.length ? ` (changed: ${changes.join(', ')})` : ''}`;
  ctx.out(`${s.id}\t${s.platform}\t${s.chatId}\t${s.kind}\t${s.topics.join(',') || '(all news)'}\t${what}`);
  if (patch) ctx.out(`delivery: ${describeDelivery(deliveryOf(ctx.newsroom(), s.id), ENGLISH_DELIVERY_WORDS)}`);
}

export async function subsList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const subs = ctx.store().subscriptions.list();
  if (subs.length === 0) return ctx.out('no subscriptions yet: nashra subs add telegram <chat-id>');
  ctx.out('id\tplatform\tchat\tkind\ttopics\tstate\tdelivery');
  for (const s of subs) {
    const state = s.active ? 'active' : `inactive: ${s.deactivatedReason ?? ''}`;
    const delivery = describeDelivery(deliveryOf(ctx.newsroom(), s.id), ENGLISH_DELIVERY_WORDS);
    ctx.out(`${s.id}\t${s.platform}\t${s.chatId}${s.threadId ? `#${s.threadId}` : ''}\t${s.kind}\t${s.topics.join(',') || '(all)'}\t${state}\t${delivery}`);
  }
}

/** Deactivated, not deleted: its delivery history keeps a later re-subscription from receiving anything twice. */
export async function subsRemove([id]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const existing = ctx.store().subscriptions.get(Number(id));
  const r = unsubscribe(ctx.newsroom(), CLI_OPERATOR, { subscriptionId: Number(id) });
  if (r.kind === 'not-subscribed') throw new UserError(existing ? `subscription ${id} is already inactive` : `no subscription with id ${id}`);
  ctx.out(`removed subscription ${id} (${r.subscription.platform} ${r.subscription.chatId})${r.cancelled ? `; ${r.cancelled} queued deliveries cancelled` : ''}`);
}
