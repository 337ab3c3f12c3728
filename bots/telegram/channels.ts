import { Composer, GrammyError, type Context } from 'grammy';
import { subscribe } from '../../src/newsroom/index.js';
import { actorOf, commandArgs, isEditor, PLATFORM, t, type BotDeps } from './context.js';
import type { Messages } from './i18n.js';

type ChannelCheck = { ok: true; id: number; title: string } | { ok: false; why: string };

/** The bot must be a channel administrator allowed to post; says plainly which of the two is missing. */
export async function checkChannel(ctx: Context, ref: string, m: Messages): Promise<ChannelCheck> {
  const target = /^-?\d+$/.test(ref) ? Number(ref) : ref.startsWith('@') ? ref : `@${ref}`;
  try {
    const chat = await ctx.api.getChat(target);
    if (chat.type !== 'channel') return { ok: false, why: m.channelNotFound(ref) };
    const member = await ctx.api.getChatMember(chat.id, ctx.me.id);
    if (member.status !== 'administrator') return { ok: false, why: m.channelNotAdmin(ref) };
    if (!member.can_post_messages) return { ok: false, why: m.channelNoPost(ref) };
    return { ok: true, id: chat.id, title: chat.title };
  } catch (err) {
    if (err instanceof GrammyError && (err.error_code === 400 || err.error_code === 403))
      return { ok: false, why: m.channelNotFound(ref) };
    throw err;
  }
}

/** /addchannel @name (editors, private chat) and the «تأكيد» button sent when the bot is made a channel admin. */
export function channels(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();

  /** Subscribing a channel is an editor's decision (the newsroom checks it); the bot first checks it may post there. */
  const subscribeChannel = async (ctx: Context, ref: string): Promise<string> => {
    const check = await checkChannel(ctx, ref, t(ctx));
    if (!check.ok) return check.why;
    await subscribe(deps.newsroom, actorOf(ctx), {
      platform: PLATFORM,
      chatId: String(check.id),
      kind: 'channel',
      title: check.title,
    });
    return t(ctx).channelAdded(check.title);
  };

  c.command('addchannel', async (ctx) => {
    if (!(await isEditor(deps, ctx))) return void (await ctx.reply(t(ctx).notEditor));
    if (ctx.chat.type !== 'private') return void (await ctx.reply(t(ctx).privateOnly));
    const ref = commandArgs(ctx).split(/\s+/)[0];
    if (!ref) return void (await ctx.reply(t(ctx).addChannelUsage));
    await ctx.reply(await subscribeChannel(ctx, ref));
  });

  c.callbackQuery(/^ch:(-?\d+)$/, async (ctx) => {
    if (!(await isEditor(deps, ctx)))
      return void (await ctx.answerCallbackQuery({ text: t(ctx).notEditor, show_alert: true }));
    const text = await subscribeChannel(ctx, ctx.match[1]!);
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(text);
  });
  return c;
}
