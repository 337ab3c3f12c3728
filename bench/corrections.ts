/**
 * Corrections against Telegram's limits: a story already posted to `channels` channels changes at its source; the
 * time from the changed item being polled (the real poller, a feed on 127.0.0.1) to the last channel post edited
 * (the real DeliveryWorker and Telegram corrector, against the fake Bot API with Telegram's limits: 30 requests a
 * second overall, 1 a second per chat, 20 a minute per group or channel). The floor those limits allow is
 * channels ÷ 30 per second: each channel has one post, so only the overall limit binds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from 'grammy';
import { createTelegramTransport, installLimits } from '../bots/telegram/transport.js';
import type { TelegramSettings } from '../bots/telegram/config.js';
import { loadAppConfig } from '../src/app/platforms.js';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { pollSource } from '../src/ingest/poller.js';
import { createLogger } from '../src/logger.js';
import { openStore } from '../src/store/index.js';
import { FakeTelegram } from '../tests/fake-telegram/server.js';
import { startFeedServer } from '../tests/helpers/feed-server.js';
import { pollDeps } from '../src/newsroom/intake.js';

const TOKEN = '123456789:AAHbenchTokenForNashra_abcdefghijkXYZ';
/** Telegram's published limits for bots. */
const LIMITS = { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 };

const feed = (title: string, base: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>bench</title>
<item><title>${title}</title><link>${base}/news/1</link><guid isPermaLink="false">bench-1</guid><pubDate>${new Date().toUTCString()}</pubDate>
<content:encoded><![CDATA[<p>${title.replace('مصرع', 'لقي').replace('في', 'حتفهم في')} بحسب ما أعلنت فرق الدفاع المدني صباح اليوم في بيان رسمي.</p>
<p>وقالت الفرق إن عمليات البحث عن مفقودين ما زالت مستمرة تحت الأنقاض، وإن الحصيلة قد ترتفع خلال الساعات المقبلة.</p>
<p>وتشهد المنطقة منذ أسابيع تصعيداً متواصلاً أدى إلى نزوح آلاف العائلات نحو المخيمات القريبة من الحدود.</p>]]></content:encoded>
</item></channel></rss>`;

export async function benchCorrections(opts: { channels?: number } = {}): Promise<{
  channels: number;
  seconds: number;
  floorSeconds: number;
  ratio: number;
  edited: number;
  rateLimited429: number;
}> {
  const channels = opts.channels ?? 1000;
  const fake = new FakeTelegram(TOKEN, LIMITS);
  const apiRoot = await fake.start();
  const feeds = await startFeedServer();
  const dir = mkdtempSync(join(tmpdir(), 'nashra-bench-corr-'));
  const store = openStore(join(dir, 'bench.db'));
  try {
    const config = loadAppConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      DATABASE_PATH: store.path,
      NASHRA_ALLOW_PRIVATE_FETCH: '1',
      TELEGRAM_RATE_PER_SECOND: String(LIMITS.globalPerSecond),
      TELEGRAM_RATE_PER_CHAT_PER_SECOND: String(LIMITS.perChatPerSecond),
      TELEGRAM_RATE_PER_GROUP_PER_MINUTE: String(LIMITS.perGroupPerMinute),
    });
    const logger = createLogger({ level: 'error', write: () => {} });
    const api = new Api(TOKEN, { apiRoot });
    const telegram = config.platforms.telegram as TelegramSettings;
    installLimits(api, telegram.rate);
    const transport = createTelegramTransport({ api, config: { ...config, telegram }, logger });
    const hourAgo = Date.now() - 3600_000;
    for (let i = 0; i < channels; i++)
      store.subscriptions.subscribe(
        { platform: 'telegram', chatId: `-100${1_000_000_000 + i}`, kind: 'channel' },
        hourAgo,
      );
    const source = store.sources.add({
      url: `${feeds.base}/feed`,
      feedUrl: `${feeds.base}/feed`,
      kind: 'rss',
      name: 'bench',
    });
    store.sources.markPrimed(source.id, hourAgo);
    feeds.route('/feed', {
      body: feed('مصرع 10 أشخاص في قصف على بلدة بريف إدلب', feeds.base),
      contentType: 'application/rss+xml',
    });
    const first = await pollSource(
      pollDeps({ config, store, data: store.ports(), logger }),
      store.sources.get(source.id)!,
    );
    if (first.queued !== channels) throw new Error(`bench: queued ${first.queued} of ${channels}`);
    // The posts as already sent: recorded in the store with the ids the fake knows (sending them first would cost
    // another channels ÷ 30 s and measure nothing new).
    for (const d of store.jobs.next('telegram', channels)) {
      store.jobs.markSending(d.id);
      const messageId = 5000 + d.id;
      fake.remember({ message_id: messageId, chat: { id: Number(d.chatId) }, text: 'the post as first sent' });
      store.jobs.markSent(d.id, String(messageId));
    }

    feeds.route('/feed', {
      body: feed('مصرع 12 شخصاً في قصف على بلدة بريف إدلب', feeds.base),
      contentType: 'application/rss+xml',
    });
    const worker = new DeliveryWorker(store.ports(), [transport], logger, { pollMs: 20 });
    const started = Date.now();
    const changed = await pollSource(
      pollDeps({ config, store, data: store.ports(), logger }),
      store.sources.get(source.id)!,
    );
    if (changed.corrections !== channels)
      throw new Error(`bench: ${changed.corrections} corrections queued of ${channels}`);
    const result = await worker.drain(600_000);
    const edits = fake.sent('editMessageText');
    const last = Math.max(...edits.map((c) => c.at));
    const seconds = (last - started) / 1000;
    const floorSeconds = channels / LIMITS.globalPerSecond;
    return {
      channels,
      seconds: round(seconds, 2),
      floorSeconds: round(floorSeconds, 2),
      ratio: round(seconds / floorSeconds, 3),
      edited: result.corrected,
      rateLimited429: fake.rateLimited429,
    };
  } finally {
    store.close();
    await fake.stop();
    await feeds.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchCorrections({ channels: Number(process.argv[2] ?? 1000) }));
}
