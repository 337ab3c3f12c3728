import { Composer, type Context } from 'grammy';
import type { ReactionType } from 'grammy/types';
import { errorMessage } from '../../src/errors.js';
import { recordReactions } from '../../src/newsroom/index.js';
import { PLATFORM, type BotDeps } from './context.js';

/**
 * Reactions to Nashra's posts (issue 25, section 2). Telegram sends them only to a bot that is an administrator of
 * the chat and that asks for them by name in `allowed_updates` (bots/telegram/index.ts):
 * - `message_reaction_count`: a channel's (anonymous) reactions, the message's whole current count per reaction,
 *   grouped and delayed by up to a few minutes;
 * - `message_reaction`: in a group, one user's old and new reactions; only the difference is passed on, never the
 *   user (nor `actor_chat`).
 * The newsroom finds the post by chat and message id and ignores what is not one of Nashra's posts.
 */
export function reactions(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  // A failure is logged here, not passed to the bot's error handler: that one answers in the chat, which for a
  // channel's reaction would be a post to every subscriber.
  c.on(['message_reaction_count', 'message_reaction'], async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      deps.logger.error('telegram reaction not recorded', {
        update: ctx.update.update_id,
        chat: ctx.chat?.id,
        error: errorMessage(err),
      });
    }
  });
  c.on('message_reaction_count', async (ctx) => {
    const u = ctx.messageReactionCount;
    // A list that is not one (a forged or broken update) goes on as it is, for the newsroom to refuse whole: read as
    // empty, it would wipe the post's counts.
    const counts = Array.isArray(u.reactions)
      ? u.reactions.flatMap((r) => {
          const emoji = reactionKey(r?.type);
          return emoji === undefined ? [] : [{ emoji, count: r.total_count }];
        })
      : u.reactions;
    await recordReactions(deps.newsroom, {
      kind: 'counts',
      platform: PLATFORM,
      chatId: String(u.chat?.id),
      messageId: String(u.message_id),
      at: u.date * 1000,
      counts,
    });
  });
  c.on('message_reaction', async (ctx) => {
    const u = ctx.messageReaction;
    const keys = (list: ReactionType[] | undefined) =>
      (Array.isArray(list) ? list : []).map(reactionKey).filter((k): k is string => k !== undefined);
    await recordReactions(deps.newsroom, {
      kind: 'change',
      platform: PLATFORM,
      chatId: String(u.chat?.id),
      messageId: String(u.message_id),
      at: u.date * 1000,
      removed: keys(u.old_reaction),
      added: keys(u.new_reaction),
      // Telegram's update id: the same change delivered twice (a restart before the offset was confirmed, a webhook
      // retried) carries the same one.
      event: String(ctx.update.update_id),
    });
  });
  return c;
}

/** An emoji as it is; a custom emoji by its id; Telegram Stars as `paid`; a type the Bot API adds later: undefined. */
export function reactionKey(type: ReactionType | undefined): string | undefined {
  switch (type?.type) {
    case 'emoji':
      return typeof type.emoji === 'string' ? type.emoji : undefined;
    case 'custom_emoji':
      return typeof type.custom_emoji_id === 'string' ? `custom:${type.custom_emoji_id}` : undefined;
    case 'paid':
      return 'paid';
    default:
      return undefined;
  }
}
