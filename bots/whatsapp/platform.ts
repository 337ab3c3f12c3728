import type { PlatformDescriptor } from '../../src/delivery/platform.js';
import { RefusedError } from '../../src/refusal.js';
import { doctorCommand, loginCommand } from './cli-commands.js';
import { isChannelId, isGroupId } from './identity.js';
import { WHATSAPP_LABEL } from './label.js';
import { whatsappMarkup } from './markup.js';
import { parseWhatsAppSettings, type WhatsAppSettings } from './config.js';

/** WhatsApp, as the registry sees it (src/app/platforms.ts). */
export const whatsappPlatform: PlatformDescriptor<WhatsAppSettings> = {
  name: 'whatsapp',
  markup: whatsappMarkup,
  label: WHATSAPP_LABEL,
  enableHint: 'WHATSAPP_ENABLED is off (run nashra whatsapp login, then set WHATSAPP_ENABLED=1)',
  parseSettings: parseWhatsAppSettings,
  // The browser is the machine's; the session, the number's editors and its cap are each outlet's own.
  machineVariables: ['CHROME_PATH', 'PUPPETEER_EXECUTABLE_PATH'],
  editors: (s) => s.editorNumbers,
  classifyChat(chatId) {
    if (!/^\d{5,20}(-\d+)?@(g\.us|c\.us|newsletter)$/.test(chatId)) {
      throw new RefusedError({
        kind: 'chat-id',
        chatId,
        platform: WHATSAPP_LABEL,
        forms: [
          { shape: 'group', example: '…@g.us' },
          { shape: 'channel', example: '…@newsletter' },
          { shape: 'person', example: '…@c.us' },
        ],
      });
    }
    return isChannelId(chatId) ? 'channel' : isGroupId(chatId) ? 'group' : 'private';
  },
  async createAdapter(settings, ctx) {
    const { WhatsAppAdapter } = await import('./index.js');
    return new WhatsAppAdapter(settings, ctx);
  },
  commands: [loginCommand, doctorCommand],
};
