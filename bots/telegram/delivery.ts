import { Composer, type Context } from 'grammy';
import { PermissionError, UserError } from '../../src/errors.js';
import {
  ARABIC_DELIVERY_WORDS, deliveryOf, deliveryPatchFromWords, describeDelivery, ENGLISH_DELIVERY_WORDS, setDelivery,
} from '../../src/newsroom/index.js';
import { actorOf, commandArgs, PLATFORM, t, type BotDeps } from './context.js';
import { langOf } from './i18n.js';
import { mayManageChat } from './subscribe.js';

/**
 * /digest and /quiet: when and how a subscribed chat receives (its admins, or the person in a private chat).
 * `/digest 08:00 عاجل` — a daily digest at 8, urgent alerts at once; `/digest كل ساعة`; `/digest فوري`.
 * `/quiet 00:00-07:00 انتظار` — held until 7; `/quiet 00:00-07:00` — silently (no notification); `/quiet إيقاف`.
 * Without words, each shows the chat's current settings and the examples.
 */
export function deliveryCommands(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  const words = (ctx: Context) => (langOf(ctx.from?.language_code) === 'en' ? ENGLISH_DELIVERY_WORDS : ARABIC_DELIVERY_WORDS);
  for (const command of ['digest', 'quiet'] as const) {
    c.command(command, async (ctx) => {
      const sub = deps.store.subscriptions.findByChat(PLATFORM, String(ctx.chat.id));
      if (!sub?.active) return void (await ctx.reply(t(ctx).deliveryNeedsSubscription));
      const args = commandArgs(ctx).split(/\s+/).filter(Boolean);
      if (args.length === 0) {
        return void (await ctx.reply(`${t(ctx).deliveryNow(describeDelivery(deliveryOf(deps.newsroom, sub.id), words(ctx)))}\n\n${t(ctx).deliveryUsage}`));
      }
      try {
        const patch = deliveryPatchFromWords(command, args);
        const r = setDelivery(deps.newsroom, actorOf(ctx), { subscriptionId: sub.id }, patch, { managesChat: await mayManageChat(ctx) });
        if (r.kind === 'not-subscribed') return void (await ctx.reply(t(ctx).deliveryNeedsSubscription));
        await ctx.reply(t(ctx).deliveryNow(describeDelivery(r.settings, words(ctx))));
      } catch (err) {
        if (err instanceof PermissionError) return void (await ctx.reply(t(ctx).adminsOnly));
        if (err instanceof UserError) return void (await ctx.reply(t(ctx).deliveryUsage));
        throw err;
      }
    });
  }
  return c;
}
