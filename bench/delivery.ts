/**
 * Delivery throughput against the Bot API's limits: a broadcast to `chats` private chats through the real
 * DeliveryWorker and Telegram transport, against the fake Bot API with its overall limit scaled to `ratePerSecond`
 * (the transport configured to the same limit). Target: achieved ÷ allowed ≥ 0.95 with no 429.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from 'grammy';
import { createTelegramTransport, installLimits } from '../bots/telegram/transport.js';
import { loadAppConfig } from '../src/app/platforms.js';
import type { TelegramSettings } from '../bots/telegram/settings.js';
import { queueAudience } from '../src/newsroom/audience.js';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { createLogger } from '../src/logger.js';
import { storeArticle } from '../src/newsroom/pipeline.js';
import { openStore } from '../src/store/index.js';
import { FakeTelegram } from '../tests/fake-telegram/server.js';

const TOKEN = '123456789:AAHbenchTokenForNashra_abcdefghijkXYZ';

export async function benchDelivery(opts: { chats?: number; ratePerSecond?: number } = {}): Promise<{
  chats: number; allowedRate: number; achievedRate: number; ratio: number; rateLimited429: number; seconds: number;
}> {
  const chats = opts.chats ?? 1000;
  const rate = opts.ratePerSecond ?? 300;
  const limits = { globalPerSecond: rate, perChatPerSecond: 1, perGroupPerMinute: 20 };
  const fake = new FakeTelegram(TOKEN, limits);
  const apiRoot = await fake.start();
  const dir = mkdtempSync(join(tmpdir(), 'nashra-bench-'));
  const store = openStore(join(dir, 'bench.db'));
  try {
    const config = loadAppConfig({
      TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: store.path,
      TELEGRAM_RATE_PER_SECOND: String(rate), TELEGRAM_RATE_PER_CHAT_PER_SECOND: '1', TELEGRAM_RATE_PER_GROUP_PER_MINUTE: '20',
    });
    const logger = createLogger({ level: 'error', write: () => {} });
    const api = new Api(TOKEN, { apiRoot });
    const telegram = config.platforms.telegram as TelegramSettings;
    installLimits(api, telegram.rate);
    const transport = createTelegramTransport({ api, config: { ...config, telegram }, logger });
    for (let i = 0; i < chats; i++) store.subscriptions.subscribe({ platform: 'telegram', chatId: String(100_000 + i), kind: 'private' });
    const stored = storeArticle(store, {
      url: 'https://example.com/bench', title: 'خبر عاجل للقياس', source: 'SY24', language: 'ar', categories: [],
      paragraphs: ['أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد المحلي في عدة محافظات.', 'وقال مسؤول إن الخطة تبدأ الشهر المقبل.'],
    });
    if (stored.status !== 'new') throw new Error('bench article was a duplicate');
    queueAudience(store, stored.article, { kind: 'matching' });

    const worker = new DeliveryWorker(store, [transport], logger, { pollMs: 20 });
    const started = performance.now();
    const result = await worker.drain(120_000);
    const seconds = (performance.now() - started) / 1000;
    if (result.sent !== chats) throw new Error(`bench: sent ${result.sent} of ${chats} (failed ${result.failed})`);
    const achievedRate = chats / seconds;
    return {
      chats, allowedRate: rate, achievedRate: round(achievedRate), ratio: round(achievedRate / rate, 3),
      rateLimited429: fake.rateLimited429, seconds: round(seconds, 3),
    };
  } finally {
    if (process.env.DEBUG_CALLS) (globalThis as any).calls = fake.calls;
    store.close();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
