import { Composer, GrammyError, type Context } from 'grammy';
import { PermissionError, UserError } from '../../src/errors.js';
import {
  ARABIC_DELIVERY_WORDS,
  DeliveryWordsError,
  deliveryOf,
  deliveryPatchFromWords,
  describeDelivery,
  ENGLISH_DELIVERY_WORDS,
  findSubscription,
  setDelivery,
} from '../../src/newsroom/index.js';
import { actorOf, commandArgs, PLATFORM, t, type BotDeps } from './context.js';
import { langOf } from './i18n.js';
import { mayManageChat } from './subscribe.js';

/** A channel as an editor names it: @username or its -100… id. */
const CHANNEL_REF = /^(@[A-Za-z]\w{3,}|-100\d+)$/;

/** The channel's chat id (what its subscription is stored under); undefined when Telegram does not know it. */
async function channelId(ctx: Context, ref: string): Promise<string | undefined> {
  if (ref.startsWith('-')) return ref;
  try {
    return String((await ctx.api.getChat(ref)).id);
  } catch (err) {
    if (err instanceof GrammyError && (err.error_code === 400 || err.error_code === 403)) return undefined;
    throw err;
  }
}

/**
 * /digest and /quiet: when and how a subscribed chat receives (its admins, or the person in a private chat).
 * `/digest 08:00 عاجل` — a daily digest at 8, urgent alerts at once; `/digest كل ساعة`; `/digest فوري`.
 * `/quiet 00:00-07:00 انتظار` — held until 7; `/quiet 00:00-07:00` — silently (no notification); `/quiet إيقاف`.
 * Without words, each shows the chat's current settings and the examples. An editor names a channel first, in a
 * private chat: `/digest @channel 08:00`.
 */
export function deliveryCommands(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  const words = (ctx: Context) =>
    langOf(ctx.from?.language_code) === 'en' ? ENGLISH_DELIVERY_WORDS : ARABIC_DELIVERY_WORDS;
  for (const command of ['digest', 'quiet'] as const) {
    c.command(command, async (ctx) => {
      const args = commandArgs(ctx).split(/\s+/).filter(Boolean);
      // An editor sets a channel's from a private chat: «/digest @channel 08:00» (a channel cannot take commands).
      const channel = ctx.chat.type === 'private' && args[0] && CHANNEL_REF.test(args[0]) ? args.shift()! : undefined;
      const chatId = channel ? await channelId(ctx, channel) : String(ctx.chat.id);
      if (chatId === undefined) return void (await ctx.reply(t(ctx).channelNotFound(channel!)));
      const sub = await findSubscription(deps.newsroom, { platform: PLATFORM, chatId });
      if (!sub?.active) return void (await ctx.reply(t(ctx).deliveryNeedsSubscription));
      if (args.length === 0) {
        return void (await ctx.reply(
          `${t(ctx).deliveryNow(describeDelivery(await deliveryOf(deps.newsroom, sub.id), words(ctx)))}\n\n${t(ctx).deliveryUsage}`,
        ));
      }
      try {
        const patch = deliveryPatchFromWords(command, args);
        // A channel's settings are an editor's (the newsroom checks); a group's, its admins'; a private chat's, its person's.
        const authority = channel ? {} : { managesChat: await mayManageChat(ctx) };
        const r = await setDelivery(deps.newsroom, actorOf(ctx), { subscriptionId: sub.id }, patch, authority);
        if (r.kind === 'not-subscribed') return void (await ctx.reply(t(ctx).deliveryNeedsSubscription));
        await ctx.reply(t(ctx).deliveryNow(describeDelivery(r.settings, words(ctx))));
      } catch (err) {
        if (err instanceof PermissionError)
          return void (await ctx.reply(channel ? t(ctx).notEditor : t(ctx).adminsOnly));
        // What was wrong first («25:00» is no time of day), then the examples.
        if (err instanceof DeliveryWordsError)
          return void (await ctx.reply(`${words(ctx).problem(err.problem)}\n\n${t(ctx).deliveryUsage}`));
        if (err instanceof UserError) return void (await ctx.reply(t(ctx).deliveryUsage));
        throw err;
      }
    });
  }
  return c;
}
