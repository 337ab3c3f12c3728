import type { PlatformDescriptor } from '../../src/delivery/platform.js';
import { plainMarkup } from '../../src/format/post.js';
import { RefusedError } from '../../src/refusal.js';
import { createConsoleTransport } from './transport.js';

/**
 * The platform used when no token is configured: prints each message as plain text on the run's output, so a
 * newcomer (and `npm start` on a fresh machine) sees real summaries without any account. Always on.
 */
export const consolePlatform: PlatformDescriptor<Record<string, never>> = {
  name: 'console',
  markup: plainMarkup,
  label: { ar: 'الطرفية', en: 'Console' },
  local: true,
  parseSettings: () => ({}),
  classifyChat(chatId) {
    if (!/^[\w.-]{1,64}$/.test(chatId)) throw new RefusedError({ kind: 'console-target', name: chatId });
    return 'private';
  },
  async createAdapter(_settings, ctx) {
    const transport = createConsoleTransport(ctx.out, ctx.config);
    return { name: 'console', transport, start: async () => {}, stop: async () => {}, isConnected: () => true };
  },
};
