import { UserError } from '../../errors.js';
import type { ChatKind, SubscriptionPlatform } from '../../store/index.js';
import { optionInt, optionString, parseArgs } from '../args.js';
import type { CommandContext } from '../context.js';

const USAGE = 'usage: nashra subs add <telegram|whatsapp|console> <chat-id> [--topics t1,t2] [--kind channel|group|private] [--thread N] | subs list | subs remove <id>';

/** `nashra subs add|list|remove`. */
export async function subsCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const [action, ...rest] = argv;
  if (action === 'add') return add(rest, ctx);
  if (action === 'list') return list(rest, ctx);
  if (action === 'remove') return remove(rest, ctx);
  throw new UserError(action ? `unknown subs action "${action}"; ${USAGE}` : USAGE);
}

function add(argv: string[], ctx: CommandContext): void {
  const args = parseArgs(argv, { values: ['topics', 'kind', 'thread'] });
  const [platform, chatId] = args.positionals;
  if (!platform || !chatId || args.positionals.length > 2) throw new UserError(USAGE);
  if (!['telegram', 'whatsapp', 'console'].includes(platform)) throw new UserError(`platform must be telegram, whatsapp or console, not "${platform}"`);
  validateChatId(platform as SubscriptionPlatform, chatId);
  const kind = optionString(args, 'kind') ?? guessKind(platform as SubscriptionPlatform, chatId);
  if (!['channel', 'group', 'private'].includes(kind)) throw new UserError(`--kind must be channel, group or private, not "${kind}"`);
  const topics = (optionString(args, 'topics') ?? '').split(/[,،]/).map((t) => t.trim()).filter(Boolean);
  const sub = ctx.store().subscriptions.subscribe({
    platform: platform as SubscriptionPlatform, chatId, kind: kind as ChatKind, topics,
    threadId: optionInt(args, 'thread', 1, 2 ** 31), createdBy: 'cli',
  });
  ctx.store().audit.record('cli', 'cli', 'subscription.add', { id: sub.id, platform, chatId, topics });
  ctx.out(`${sub.id}\t${sub.platform}\t${sub.chatId}\t${sub.kind}\t${sub.topics.join(',') || '(all news)'}`);
}

function validateChatId(platform: SubscriptionPlatform, chatId: string): void {
  if (platform === 'telegram' && !/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/.test(chatId)) {
    throw new UserError(`"${chatId}" is not a Telegram chat id (a number such as -1001234567890, or @channelname)`);
  }
  if (platform === 'whatsapp' && !/^\d{5,20}(-\d+)?@(g\.us|c\.us|newsletter)$/.test(chatId)) {
    throw new UserError(`"${chatId}" is not a WhatsApp chat id (…@g.us for a group, …@newsletter for a channel, …@c.us for a person)`);
  }
}

function guessKind(platform: SubscriptionPlatform, chatId: string): ChatKind {
  if (platform === 'telegram') return chatId.startsWith('-100') || chatId.startsWith('@') ? 'channel' : chatId.startsWith('-') ? 'group' : 'private';
  if (platform === 'whatsapp') return chatId.endsWith('@newsletter') ? 'channel' : chatId.endsWith('@g.us') ? 'group' : 'private';
  return 'private';
}

function list(argv: string[], ctx: CommandContext): void {
  parseArgs(argv, {});
  const subs = ctx.store().subscriptions.list();
  if (subs.length === 0) return ctx.out('no subscriptions yet: nashra subs add telegram <chat-id>');
  ctx.out('id\tplatform\tchat\tkind\ttopics\tstate');
  for (const s of subs) {
    const state = s.active ? 'active' : `inactive: ${s.deactivatedReason ?? ''}`;
    ctx.out(`${s.id}\t${s.platform}\t${s.chatId}${s.threadId ? `#${s.threadId}` : ''}\t${s.kind}\t${s.topics.join(',') || '(all)'}\t${state}`);
  }
}

function remove(argv: string[], ctx: CommandContext): void {
  const args = parseArgs(argv, {});
  const id = Number(args.positionals[0]);
  if (!Number.isInteger(id) || id <= 0) throw new UserError('usage: nashra subs remove <id> (see nashra subs list)');
  const store = ctx.store();
  const sub = store.subscriptions.get(id);
  if (!sub) throw new UserError(`no subscription with id ${id}`);
  // Deactivated, not deleted: its delivery history keeps a later re-subscription from receiving anything twice.
  if (!store.subscriptions.deactivate(id, 'removed with nashra subs remove')) throw new UserError(`subscription ${id} is already inactive`);
  const dropped = store.deliveries.failQueuedForSubscription(id, 'subscription removed');
  store.audit.record('cli', 'cli', 'subscription.remove', { id });
  ctx.out(`removed subscription ${id} (${sub.platform} ${sub.chatId})${dropped ? `; ${dropped} queued deliveries cancelled` : ''}`);
}
