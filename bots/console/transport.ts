import type { Config } from '../../src/config.js';
import type { Transport } from '../../src/delivery/platform.js';
import { renderArticle } from '../../src/format/render.js';
import type { ChatTarget } from '../../src/model/delivery.js';
import type { StoredArticle } from '../../src/model/article.js';
import type { PendingDelivery } from '../../src/model/delivery.js';
import { plainMarkup } from '../../src/format/post.js';

/**
 * The platform used when no token is configured: prints each message as plain text and marks it sent, so a newcomer
 * (and `npm start` on a fresh machine) sees real summaries without any account.
 */
export function createConsoleTransport(
  out: (text: string) => void,
  config: Pick<Config, 'timeZone' | 'template'>,
): Transport {
  return {
    platform: 'console',
    concurrency: 1,
    isReady: () => true,
    async send(delivery: PendingDelivery, article: StoredArticle) {
      out(`──── ${delivery.chatId} · #${article.id} ────\n${renderArticle(article, plainMarkup, config)}\n`);
      return { messageId: `console-${delivery.id}` };
    },
    async sendText(target: ChatTarget, text: string) {
      out(`──── ${target.chatId} ────\n${text}\n`);
      return { messageId: `console-digest-${Date.now()}` };
    },
  };
}
