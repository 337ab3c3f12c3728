import type { PlatformDescriptor } from '../../src/delivery/platform.js';
import { RefusedError } from '../../src/refusal.js';
import { TELEGRAM_LABEL } from './label.js';
import { telegramMarkup } from './markup.js';
import { arabicTelegramReason } from './refusals.js';
import { PAID_BROADCAST_UNIT, parseTelegramSettings, type TelegramSettings } from './config.js';

/** Telegram, as the registry sees it (src/app/platforms.ts). */
export const telegramPlatform: PlatformDescriptor<TelegramSettings> = {
  name: 'telegram',
  markup: telegramMarkup,
  label: TELEGRAM_LABEL,
  arabicReason: arabicTelegramReason,
  /** A public channel's post: t.me/<name>/<message>, or t.me/c/<id>/<message> (for its members). */
  postUrl(chat, messageId) {
    if (!/^\d+$/.test(messageId)) return undefined;
    if (/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(chat.chatId)) return `https://t.me/${chat.chatId.slice(1)}/${messageId}`;
    if (chat.kind === 'channel' && /^-100\d+$/.test(chat.chatId))
      return `https://t.me/c/${chat.chatId.slice(4)}/${messageId}`;
    return undefined;
  },
  enableHint: 'no TELEGRAM_BOT_TOKEN (set it to the token from @BotFather)',
  parseSettings: parseTelegramSettings,
  // The Bot API server (a local one, or a test's): the machine's, shared by every outlet's bot unless its prefix sets one.
  machineVariables: ['TELEGRAM_API_ROOT'],
  paidBroadcast: (s) =>
    s.paidBroadcast && {
      ratePerSecond: s.paidBroadcast.ratePerSecond,
      pricePerMessage: s.paidBroadcast.starsPerMessage,
      unit: PAID_BROADCAST_UNIT,
      urgent: s.paidBroadcast.urgent,
    },
  secrets: (s) => [s.token],
  editors: (s) => s.editorIds,
  classifyChat(chatId) {
    if (!/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/.test(chatId)) {
      throw new RefusedError({
        kind: 'chat-id',
        chatId,
        platform: TELEGRAM_LABEL,
        forms: [
          { shape: 'number', example: '-1001234567890' },
          { shape: 'handle', example: '@channelname' },
        ],
      });
    }
    // Channels and supergroups are -100…; basic groups are other negative ids; users are positive.
    return chatId.startsWith('-100') || chatId.startsWith('@')
      ? 'channel'
      : chatId.startsWith('-')
        ? 'group'
        : 'private';
  },
  async createAdapter(settings, ctx) {
    const { TelegramAdapter } = await import('./index.js');
    return new TelegramAdapter(settings, ctx);
  },
};
