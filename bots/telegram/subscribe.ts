import { Composer, InlineKeyboard, type Context } from 'grammy';
import { PermissionError } from '../../src/errors.js';
import {
  describeFilter,
  findSubscription,
  parseTopicFilter,
  setTopics,
  subscribe,
  unsubscribe,
} from '../../src/newsroom/index.js';
import type { ChatKind, Subscription } from '../../src/model/subscription.js';
import { normalizeTopics } from '../../src/newsroom/topics.js';
import { actorOf, commandArgs, PLATFORM, t, type BotDeps } from './context.js';

/** Telegram's chat type as our subscription kind. */
export const chatKind = (type: string): ChatKind =>
  type === 'channel' ? 'channel' : type === 'private' ? 'private' : 'group';

/** In a group only its admins (or an anonymous admin posting as the group) may change its subscription. */
export async function mayManageChat(ctx: Context): Promise<boolean> {
  const chat = ctx.chat;
  if (!chat || chat.type === 'private') return true;
  if (ctx.senderChat?.id === chat.id) return true; // anonymous admin
  if (!ctx.from) return false;
  const member = await ctx.api.getChatMember(chat.id, ctx.from.id);
  return member.status === 'creator' || member.status === 'administrator';
}

const sameTopic = (a: string, b: string) => normalizeTopics([a])[0] === normalizeTopics([b])[0];
/** Callback data is at most 64 bytes: topics longer than that get no button. */
const fitsButton = (topic: string) => Buffer.byteLength(`tp:${topic}`) <= 64;

async function topicsKeyboard(deps: BotDeps, sub: Subscription): Promise<InlineKeyboard> {
  const offered = await deps.topics();
  // Exclusions («-رياضة») are typed, not toggled: they keep their place in the filter but get no button.
  for (const own of sub.topics) if (!own.startsWith('-') && !offered.some((o) => sameTopic(o, own))) offered.push(own);
  const kb = new InlineKeyboard();
  offered.filter(fitsButton).forEach((topic, i) => {
    const on = sub.topics.some((s) => sameTopic(s, topic));
    kb.text(`${on ? '✅ ' : ''}${topic}`, `tp:${topic}`);
    if (i % 2 === 1) kb.row();
  });
  return kb;
}

/** /subscribe [topics], /unsubscribe, /topics with inline toggles: the newsroom's subscription actions. */
export function subscriptions(deps: BotDeps): Composer<Context> {
  const { logger } = deps;
  const c = new Composer<Context>();
  /** What the newsroom cannot check itself: whether the sender manages this chat (its admin, or the person in a private chat). */
  const authority = async (ctx: Context) => ({ managesChat: await mayManageChat(ctx) });
  const refused = async (ctx: Context, err: unknown) => {
    if (!(err instanceof PermissionError)) throw err;
    await ctx.reply(t(ctx).adminsOnly);
  };

  c.command('subscribe', async (ctx) => {
    const words = parseTopicFilter(commandArgs(ctx));
    const msg = ctx.msg;
    const chat = ctx.chat;
    try {
      const r = await subscribe(
        deps.newsroom,
        actorOf(ctx),
        {
          platform: PLATFORM,
          chatId: String(chat.id),
          kind: chatKind(chat.type),
          // Only what the command says changes: a bare /subscribe keeps the topics chosen before.
          topics: words.length ? words : undefined,
          threadId: msg.is_topic_message ? msg.message_thread_id : null,
          title: 'title' in chat ? chat.title : undefined,
          language: ctx.from?.language_code,
        },
        await authority(ctx),
      );
      logger.info('telegram subscription', { chat: r.subscription.chatId, kind: r.subscription.kind, result: r.kind });
      const m = t(ctx);
      if (r.kind === 'already') return void (await ctx.reply(m.subscribedAlready));
      if (r.kind === 'updated')
        return void (await ctx.reply(
          r.subscription.topics.length
            ? `${m.subscriptionUpdated} ${m.subscribedTopics(describeFilter(r.subscription.topics, m.filterWords))}`
            : m.subscriptionUpdated,
        ));
      await ctx.reply(
        r.subscription.topics.length
          ? m.subscribedTopics(describeFilter(r.subscription.topics, m.filterWords))
          : m.subscribed,
      );
    } catch (err) {
      await refused(ctx, err);
    }
  });

  c.command('unsubscribe', async (ctx) => {
    try {
      const r = await unsubscribe(
        deps.newsroom,
        actorOf(ctx),
        { platform: PLATFORM, chatId: String(ctx.chat.id) },
        await authority(ctx),
      );
      await ctx.reply(r.kind === 'unsubscribed' ? t(ctx).unsubscribed : t(ctx).notSubscribed);
    } catch (err) {
      await refused(ctx, err);
    }
  });

  /** The filter in words, and how to change it. */
  const current = (ctx: Context, sub: Subscription) =>
    sub.topics.length ? t(ctx).topicsCurrent(describeFilter(sub.topics, t(ctx).filterWords)) : t(ctx).topicsAll;

  /** The message with the topic buttons: the filter in words above them, rewritten at every press. */
  const topicsPanel = (ctx: Context, sub: Subscription) =>
    `${current(ctx, sub)}\n${t(ctx).topicsHowTo}\n\n${t(ctx).topicsTitle}`;

  /** /topics: the filter in words with the suggested topics as buttons; /topics <filter> replaces it (/topics الكل: everything). */
  c.command('topics', async (ctx) => {
    const sub = await findSubscription(deps.newsroom, { platform: PLATFORM, chatId: String(ctx.chat.id) });
    if (!sub?.active) return void (await ctx.reply(t(ctx).topicsNeedSubscription));
    const typed = commandArgs(ctx);
    if (typed) {
      try {
        const topics = /^(الكل|كل الأخبار|all|\*)$/i.test(typed) ? [] : parseTopicFilter(typed);
        const updated = await setTopics(deps.newsroom, actorOf(ctx), sub.id, topics, await authority(ctx));
        return void (await ctx.reply(current(ctx, updated)));
      } catch (err) {
        return void (await refused(ctx, err));
      }
    }
    const keyboard = await topicsKeyboard(deps, sub);
    if (keyboard.inline_keyboard.flat().length === 0)
      return void (await ctx.reply(`${current(ctx, sub)}\n${t(ctx).topicsHowTo}`));
    await ctx.reply(topicsPanel(ctx, sub), { reply_markup: keyboard });
  });

  c.callbackQuery(/^tp:(.+)$/s, async (ctx) => {
    const chat = ctx.chat;
    const sub = chat && (await findSubscription(deps.newsroom, { platform: PLATFORM, chatId: String(chat.id) }));
    if (!sub?.active) return void (await ctx.answerCallbackQuery({ text: t(ctx).topicsNeedSubscription }));
    const topic = ctx.match[1]!;
    const on = sub.topics.some((s) => sameTopic(s, topic));
    const topics = on ? sub.topics.filter((s) => !sameTopic(s, topic)) : [...sub.topics, topic];
    try {
      const updated = await setTopics(deps.newsroom, actorOf(ctx), sub.id, topics, await authority(ctx));
      await ctx.answerCallbackQuery({ text: t(ctx).topicsSaved });
      // The text says the filter too: a press that changed the buttons alone left «كل الأخبار» above «✅ حلب».
      await ctx.editMessageText(topicsPanel(ctx, updated), { reply_markup: await topicsKeyboard(deps, updated) });
    } catch (err) {
      if (!(err instanceof PermissionError)) throw err;
      await ctx.answerCallbackQuery({ text: t(ctx).adminsOnly, show_alert: true });
    }
  });
  return c;
}
