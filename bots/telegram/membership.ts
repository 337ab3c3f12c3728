import { Composer, InlineKeyboard, type Context } from 'grammy';
import { migrateChat, subscriptionLost } from '../../src/newsroom/index.js';
import { PLATFORM, type BotDeps } from './context.js';
import { messages } from './i18n.js';

/**
 * The bot's own membership: removed or blocked → the subscription is deactivated with the reason; made a channel's
 * admin → the editors are asked to confirm; a group that became a supergroup → the subscription follows it.
 */
export function membership(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();

  c.on('my_chat_member', async (ctx) => {
    const update = ctx.myChatMember;
    const chat = update.chat;
    const status = update.new_chat_member.status;
    if (status === 'kicked' || status === 'left') {
      const reason =
        chat.type === 'private' ? 'the user blocked the bot' : `the bot was removed from the ${chat.type} (${status})`;
      await subscriptionLost(deps.newsroom, { platform: PLATFORM, chatId: String(chat.id) }, reason);
      return;
    }
    if (chat.type === 'channel' && status === 'administrator') {
      await notifyEditors(deps, ctx, chat.id, chat.title);
    }
  });

  c.on('message:migrate_to_chat_id', async (ctx) => {
    const r = await migrateChat(
      deps.newsroom,
      { platform: PLATFORM, chatId: String(ctx.chat.id) },
      String(ctx.msg.migrate_to_chat_id),
    );
    if (r.kind === 'refused')
      deps.logger.warn('telegram chat migration not followed', { from: ctx.chat.id, reason: r.reason });
  });
  return c;
}

/** Private message to every configured editor, with a «تأكيد» button that subscribes the channel. */
async function notifyEditors(deps: BotDeps, ctx: Context, channelId: number, title: string): Promise<void> {
  const editors = await deps.newsroom.editors.on(PLATFORM);
  const text = messages('ar').channelJoined(title);
  for (const editor of editors) {
    try {
      await ctx.api.sendMessage(editor, text, {
        reply_markup: new InlineKeyboard().text(messages('ar').confirm, `ch:${channelId}`),
      });
    } catch (err) {
      deps.logger.warn('could not tell an editor about a new channel', {
        editor,
        channel: channelId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  if (editors.length === 0)
    deps.logger.warn('the bot was made a channel admin but no editor is configured to confirm it', {
      channel: channelId,
    });
}
