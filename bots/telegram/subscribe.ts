import { Composer, InlineKeyboard, type Context } from 'grammy';
import type { ChatKind, Subscription } from '../../src/store/index.js';
import { normalizeTopics } from '../../src/newsroom/topics.js';
import { commandArgs, t, userId, type BotDeps } from './context.js';

/** Telegram's chat type as our subscription kind. */
export const chatKind = (type: string): ChatKind => (type === 'channel' ? 'channel' : type === 'private' ? 'private' : 'group');

/** In a group only its admins (or an anonymous admin posting as the group) may change its subscription. */
export async function mayManageChat(ctx: Context): Promise<boolean> {
  const chat = ctx.chat;
  if (!chat || chat.type === 'private') return true;
  if (ctx.senderChat?.id === chat.id) return true; // anonymous admin
  if (!ctx.from) return false;
  const member = await ctx.api.getChatMember(chat.id, ctx.from.id);
  return member.status === 'creator' || member.status === 'administrator';
}

const parseTopics = (text: string): string[] => text.split(/[,،\n]+|\s+/u).map((s) => s.trim()).filter(Boolean);
const sameTopic = (a: string, b: string) => normalizeTopics([a])[0] === normalizeTopics([b])[0];
/** Callback data is at most 64 bytes: topics longer than that get no button. */
const fitsButton = (topic: string) => Buffer.byteLength(`tp:${topic}`) <= 64;

function topicsKeyboard(deps: BotDeps, sub: Subscription): InlineKeyboard {
  const offered = [...deps.topics];
  for (const own of sub.topics) if (!offered.some((o) => sameTopic(o, own))) offered.push(own);
  const kb = new InlineKeyboard();
  offered.filter(fitsButton).forEach((topic, i) => {
    const on = sub.topics.some((s) => sameTopic(s, topic));
    kb.text(`${on ? '✅ ' : ''}${topic}`, `tp:${topic}`);
    if (i % 2 === 1) kb.row();
  });
  return kb;
}

/** /subscribe [topics], /unsubscribe, /topics with inline toggles. */
export function subscriptions(deps: BotDeps): Composer<Context> {
  const { store, logger } = deps;
  const c = new Composer<Context>();
  const guard = async (ctx: Context): Promise<boolean> => {
    if (await mayManageChat(ctx)) return true;
    await ctx.reply(t(ctx).adminsOnly);
    return false;
  };

  c.command('subscribe', async (ctx) => {
    if (!(await guard(ctx))) return;
    const topics = parseTopics(commandArgs(ctx));
    const msg = ctx.msg;
    const threadId = msg.is_topic_message ? msg.message_thread_id : undefined;
    const chat = ctx.chat;
    const sub = store.subscriptions.subscribe({
      platform: 'telegram', chatId: String(chat.id), kind: chatKind(chat.type), topics, threadId,
      title: 'title' in chat ? chat.title : undefined, language: ctx.from?.language_code, createdBy: userId(ctx),
    });
    logger.info('telegram subscription', { chat: sub.chatId, kind: sub.kind, thread: threadId, topics: topics.join(',') });
    await ctx.reply(topics.length ? t(ctx).subscribedTopics(topics.join('، ')) : t(ctx).subscribed);
  });

  c.command('unsubscribe', async (ctx) => {
    if (!(await guard(ctx))) return;
    const sub = store.subscriptions.findByChat('telegram', String(ctx.chat.id));
    const done = sub !== undefined && store.subscriptions.deactivate(sub.id, `unsubscribed by ${userId(ctx) ?? 'an admin'}`);
    await ctx.reply(done ? t(ctx).unsubscribed : t(ctx).notSubscribed);
  });

  c.command('topics', async (ctx) => {
    const sub = store.subscriptions.findByChat('telegram', String(ctx.chat.id));
    if (!sub?.active) return void (await ctx.reply(t(ctx).topicsNeedSubscription));
    await ctx.reply(t(ctx).topicsTitle, { reply_markup: topicsKeyboard(deps, sub) });
  });

  c.callbackQuery(/^tp:(.+)$/s, async (ctx) => {
    const chat = ctx.chat;
    const sub = chat && store.subscriptions.findByChat('telegram', String(chat.id));
    if (!sub?.active) return void (await ctx.answerCallbackQuery({ text: t(ctx).topicsNeedSubscription }));
    if (!(await mayManageChat(ctx))) return void (await ctx.answerCallbackQuery({ text: t(ctx).adminsOnly, show_alert: true }));
    const topic = ctx.match[1]!;
    const on = sub.topics.some((s) => sameTopic(s, topic));
    const topics = on ? sub.topics.filter((s) => !sameTopic(s, topic)) : [...sub.topics, topic];
    store.subscriptions.setTopics(sub.id, topics);
    await ctx.answerCallbackQuery({ text: t(ctx).topicsSaved });
    await ctx.editMessageReplyMarkup({ reply_markup: topicsKeyboard(deps, { ...sub, topics }) });
  });
  return c;
}
