import { join } from 'node:path';
import { telegramMarkup } from '../bots/telegram/markup.js';
import { whatsappMarkup } from '../bots/whatsapp/markup.js';
import { DEFAULT_DELIVERY } from '../src/model/subscription.js';
import { digestCloser } from '../src/newsroom/digests.js';
import { storeArticleIn, routeArticleIn } from '../tests/helpers/articles.js';
import { openStore } from '../src/store/index.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { msSince, newsArticles } from './common.js';

const SUBSCRIPTIONS = 1000;
/** Telegram and WhatsApp in the proportion of a newsroom that started on Telegram. */
const WHATSAPP_SHARE = 0.3;
const config = { timeZone: 'Asia/Damascus', template: {} };
const DAY = 86_400_000;

export interface DigestBench {
  subscriptions: number;
  articles: number;
  closeMs: number;
  /** This process's CPU time for the closing: the figure a machine shared with other work does not inflate. */
  closeCpuMs: number;
  perSubscriptionMs: number;
  messages: number;
  messagesPerDigest: number;
  routeMs: number;
}

/**
 * The morning's work of a daily digest: 1,000 subscriptions with a digest at 08:00 (Asia/Damascus), the 200
 * SaudiNewsNet articles of the evaluation held for each of them (200,000 held deliveries), then the closing at
 * 08:00: every digest built (split at each platform's limit) and queued in the digest outbox, one transaction per
 * subscription. The sending that follows is the platforms' pace, measured by the delivery bench.
 */
export async function benchDigest(): Promise<DigestBench> {
  const tmp = tempDir();
  const store = openStore(join(tmp.dir, 'digest.db'));
  try {
    const since = Date.now() - DAY;
    store.transaction(() => {
      for (let i = 0; i < SUBSCRIPTIONS; i++) {
        const whatsapp = i < SUBSCRIPTIONS * WHATSAPP_SHARE;
        const sub = store.subscriptions.subscribe(
          whatsapp
            ? { platform: 'whatsapp', chatId: `1203630000${String(i).padStart(8, '0')}@g.us`, kind: 'group' }
            : { platform: 'telegram', chatId: String(-1_001_000_000_000 - i), kind: 'channel' },
          since,
        );
        store.deliverySettings.set(sub.id, { ...DEFAULT_DELIVERY, mode: 'daily', digestAt: 8 * 60 });
      }
    });
    const news = newsArticles();
    const routeStart = process.hrtime.bigint();
    let articles = 0;
    for (const a of news) {
      const r = await storeArticleIn(store, {
        url: a.url,
        title: a.title,
        source: 'SaudiNewsNet',
        language: 'ar',
        categories: [],
        paragraphs: a.content.split(/\n+/).filter((p) => p.trim()),
      });
      if (r.status !== 'new') continue;
      await routeArticleIn(store, r.article);
      articles++;
    }
    const routeMs = msSince(routeStart);
    const markups = new Map([
      [telegramMarkup.name, telegramMarkup],
      [whatsappMarkup.name, whatsappMarkup],
    ]);
    const closer = digestCloser(store.ports(), (p) => markups.get(p), config);
    // Tomorrow at 08:00:30 in Damascus (UTC+3): one period ends for every subscription.
    const at = Math.ceil(Date.now() / DAY) * DAY + 5 * 3600_000 + 30_000;
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const messages = await closer.close(at);
    const closeMs = msSince(start);
    const { user, system } = process.cpuUsage(cpu);
    return {
      subscriptions: SUBSCRIPTIONS,
      articles,
      closeMs,
      closeCpuMs: (user + system) / 1000,
      perSubscriptionMs: closeMs / SUBSCRIPTIONS,
      messages,
      messagesPerDigest: messages / SUBSCRIPTIONS,
      routeMs,
    };
  } finally {
    store.close();
    tmp.cleanup();
  }
}
