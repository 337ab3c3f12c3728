/**
 * Delivery throughput against the strict fake Bot API (rolling windows: at most `rate` messages in any rolling second,
 * 1 per chat per rolling second, answered with 429 beyond): `articles` items to `chats` private chats through the
 * real DeliveryWorker and Telegram transport. Free: the fake allows 30/s and Nashra is configured for 30/s. Paid: the
 * fake allows 1,000/s for sends with allow_paid_broadcast (30/s without), and the broadcast is marked paid with
 * TELEGRAM_PAID_BROADCAST_RATE=1000. The fake runs in its own process (bench/fake-process.ts).
 *
 * The figure is achieved ÷ allowed: the rate at which the fake accepted messages (from the first to the last, as
 * the fake timed them) ÷ the allowed rate. Nashra paces its requests, letting out at most 100 ms' worth at once
 * after a pause (bots/telegram/limiter.ts), the start of the broadcast included: that head start shortens the
 * span, so the paid figure can read up to 1.02 over 5,000 messages while no rolling second at the fake holds more
 * than the limit (the 429 count shows it). Target ≥ 0.95 with 0 × 429.
 * CPU time per delivery is this process's (Nashra's) user + system time over the sending, ÷ deliveries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from 'grammy';
import { createTelegramTransport, installLimits } from '../bots/telegram/transport.js';
import { loadAppConfig } from '../src/app/platforms.js';
import type { TelegramSettings } from '../bots/telegram/config.js';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { createLogger } from '../src/logger.js';
import { queueAudienceIn, storeArticleIn } from '../tests/helpers/articles.js';
import { openStore } from '../src/store/index.js';
import { startFakeProcess } from './fake-process.js';

const TOKEN = '123456789:AAHbenchTokenForNashra_abcdefghijkXYZ';
const FREE_RATE = 30;

export interface DeliveryFigure {
  chats: number;
  articles: number;
  paid: boolean;
  allowedRate: number;
  achievedRate: number;
  ratio: number;
  rateLimited429: number;
  duplicates: number;
  seconds: number;
  cpuMsPerDelivery: number;
}

export async function benchDelivery(
  opts: { chats?: number; articles?: number; paid?: boolean; paidRate?: number; during?: () => Promise<unknown> } = {},
): Promise<DeliveryFigure> {
  const chats = opts.chats ?? 300;
  const articles = opts.articles ?? 2;
  const paid = opts.paid ?? false;
  const paidRate = opts.paidRate ?? 1000;
  const allowedRate = paid ? paidRate : FREE_RATE;
  const fake = await startFakeProcess(TOKEN, {
    globalPerSecond: FREE_RATE,
    perChatPerSecond: 1,
    perGroupPerMinute: 20,
    paidPerSecond: paidRate,
  });
  const dir = mkdtempSync(join(tmpdir(), 'nashra-bench-'));
  const store = openStore(join(dir, 'bench.db'));
  try {
    const config = loadAppConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
      DATABASE_PATH: store.path,
      TELEGRAM_RATE_PER_SECOND: String(FREE_RATE),
      TELEGRAM_RATE_PER_CHAT_PER_SECOND: '1',
      TELEGRAM_RATE_PER_GROUP_PER_MINUTE: '20',
      ...(paid ? { TELEGRAM_PAID_BROADCAST_RATE: String(paidRate) } : {}),
    });
    const logger = createLogger({ level: 'error', write: () => {} });
    const api = new Api(TOKEN, { apiRoot: fake.apiRoot });
    const telegram = config.platforms.telegram as TelegramSettings;
    installLimits(api, telegram.rate, telegram.paidBroadcast?.ratePerSecond);
    const transport = createTelegramTransport({ api, config: { ...config, telegram }, logger });
    for (let i = 0; i < chats; i++)
      store.subscriptions.subscribe({ platform: 'telegram', chatId: String(100_000 + i), kind: 'private' });
    for (let n = 0; n < articles; n++) {
      const stored = await storeArticleIn(store, {
        url: `https://example.com/bench-${n}`,
        title: `خبر عاجل للقياس ${n}`,
        source: 'SY24',
        language: 'ar',
        categories: [],
        paragraphs: [
          `أعلنت الحكومة اليوم عن خطة جديدة رقم ${n} لدعم الاقتصاد المحلي في عدة محافظات.`,
          'وقال مسؤول إن الخطة تبدأ الشهر المقبل.',
        ],
      });
      if (stored.status !== 'new') throw new Error('bench article was a duplicate');
      const broadcast = store.broadcasts.create({
        articleId: stored.article.id,
        platform: 'cli',
        editorId: 'bench',
        urgent: false,
        audience: { kind: 'all' },
        paid,
      });
      store.broadcasts.transition(broadcast.id, 'preview', 'queued');
      await queueAudienceIn(store, stored.article, { kind: 'all' }, { broadcastId: broadcast.id });
    }

    const worker = new DeliveryWorker(store.ports(), [transport], logger, { pollMs: 20 });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const [result] = await Promise.all([worker.drain(600_000), opts.during?.()]);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const total = chats * articles;
    if (result.sent !== total) throw new Error(`bench: sent ${result.sent} of ${total} (failed ${result.failed})`);
    const s = await fake.stats();
    const span = (s.lastAt - s.firstAt) / 1000;
    const achievedRate = (s.sent - 1) / Math.max(span, 1e-3);
    return {
      chats,
      articles,
      paid,
      allowedRate,
      achievedRate: round(achievedRate),
      ratio: round(achievedRate / allowedRate, 3),
      rateLimited429: s.rateLimited429,
      duplicates: s.duplicates,
      seconds: round(seconds, 3),
      cpuMsPerDelivery: round((used.user + used.system) / 1000 / total, 3),
    };
  } finally {
    store.close();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

if (import.meta.url === `file://${process.argv[1]}`) {
  const [chats, articles, paid] = process.argv.slice(2);
  console.log(
    JSON.stringify(
      await benchDelivery({
        chats: Number(chats) || undefined,
        articles: Number(articles) || undefined,
        paid: paid === 'paid',
      }),
    ),
  );
}
