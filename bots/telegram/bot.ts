import { sequentialize } from '@grammyjs/runner';
import { Bot, GrammyError, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { channels } from './channels.js';
import { corrections } from './correct-command.js';
import { chatSettings } from './chat-settings.js';
import type { BotDeps } from './context.js';
import { deliveryCommands } from './delivery-settings.js';
import { editors } from './editors.js';
import { fullStory, FullStorySender } from './full-story.js';
import { COMMANDS, DESCRIPTION, langOf, messages } from './i18n.js';
import { membership } from './membership.js';
import { opmlImport } from './opml.js';
import { commandLimiter, readers } from './readers.js';
import { reactions } from './reactions.js';
import { review } from './review.js';
import { subscriptions } from './subscribe.js';
import { scheduledSends } from './scheduled.js';
import { describeTelegramError } from './requests.js';
import { installLimits } from './transport.js';
import type { TelegramSettings } from './config.js';
import { topicChoices, type NewsroomDeps } from '../../src/newsroom/index.js';

export interface BotOptions {
  topics?: string[];
  progressIntervalMs?: number;
  /** Interval timers the bot starts (progress messages); the adapter clears them on stop. */
  timers?: Set<NodeJS.Timeout>;
  /** Commands per user per window before the bot stops answering them for the rest of the window. */
  commandLimit?: { limit: number; windowMs: number };
  botInfo?: UserFromGetMe;
}

/** What the bot is built from: the run's context (src/delivery/platform.ts) and Telegram's settings. */
export interface TelegramDeps {
  config: Config;
  settings: TelegramSettings;
  logger: Logger;
  newsroom: NewsroomDeps;
}

/** The Nashra bot: one Composer per feature, the Bot API's limits installed on its Api (shared with the transport). */
export function createBot(d: TelegramDeps, options: BotOptions = {}): Bot {
  const tg = d.settings;
  const { logger } = d;
  logger.addSecret(tg.token);
  const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot }, botInfo: options.botInfo });
  installLimits(bot.api, tg.rate, tg.paidBroadcast?.ratePerSecond);
  const deps: BotDeps = {
    config: { ...d.config, telegram: tg },
    logger,
    newsroom: d.newsroom,
    topics: async () => options.topics ?? topicChoices(d.newsroom, d.config.topics),
    progressIntervalMs: options.progressIntervalMs ?? 3000,
    timers: options.timers ?? new Set(),
  };
  // Updates of one chat are handled in order (subscription state); different chats concurrently.
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  // Commands are never taken from a channel's posts: anyone who can post there is not thereby an editor, and an
  // answer would be published to every subscriber of the channel.
  bot.use((ctx, next) => (ctx.channelPost || ctx.editedChannelPost ? undefined : next()));
  bot.use(commandLimiter(deps, options.commandLimit?.limit, options.commandLimit?.windowMs));
  bot.use(
    membership(deps),
    fullStory(deps, new FullStorySender(bot.api, logger)),
    readers(deps),
    subscriptions(deps),
    deliveryCommands(deps),
    chatSettings(deps),
    channels(deps),
    editors(deps),
    scheduledSends(deps),
    corrections(deps),
    review(deps),
    opmlImport(deps),
    reactions(deps),
  );
  // In a private chat, a message no feature took (a greeting, an unknown /command) gets a pointer to /help; in groups
  // the bot speaks only when spoken to by a command.
  bot.chatType('private').on('message:text', (ctx) => ctx.reply(messages(langOf(ctx.from.language_code)).notACommand));
  // A button no feature recognised (forged or stale data): answer it, so the client stops spinning, and do nothing.
  bot.on('callback_query', (ctx) => ctx.answerCallbackQuery());
  bot.catch((err) => {
    logger.error('telegram update failed', {
      update: err.ctx.update.update_id,
      chat: err.ctx.chat?.id,
      error: describe(err.error),
    });
    void err.ctx.reply(messagesFor(err.ctx)).catch(() => undefined);
  });
  return bot;
}

const messagesFor = (ctx: Context) => messages(langOf(ctx.from?.language_code)).error;

/** grammY errors name the method and Telegram's answer; never the request URL, which holds the token. */
export function describe(err: unknown): string {
  if (err instanceof GrammyError) return `${err.method}: ${describeTelegramError(err)}`;
  return describeTelegramError(err);
}

/**
 * Start-up conveniences: the command menus (Arabic default, English for language_code "en") and the description.
 * A server that refuses them does not stop the bot.
 */
export async function registerCommands(bot: Bot, logger: Logger): Promise<void> {
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['setMyCommands', () => bot.api.setMyCommands(COMMANDS.ar)],
    ['setMyCommands(en)', () => bot.api.setMyCommands(COMMANDS.en, { language_code: 'en' })],
    ['setMyDescription', () => bot.api.setMyDescription(DESCRIPTION.ar)],
    ['setMyDescription(en)', () => bot.api.setMyDescription(DESCRIPTION.en, { language_code: 'en' })],
  ];
  for (const [name, call] of calls) {
    try {
      await call();
    } catch (err) {
      logger.warn(`telegram ${name} refused; carrying on without it`, { error: describe(err) });
    }
  }
}
