/**
 * Push ingest's latency: from a publish-hook notification reaching Nashra to the first message at the fake Bot API,
 * for 100 articles one after another, including fetching and reading each article's page from a loopback site,
 * summarising, storing and routing it, and the delivery worker sending it. Everything runs as `nashra run` wires it
 * (the desk's server with the push endpoints, the poller's paths, the worker and Telegram transport), on 127.0.0.1.
 * Polling's expected delay beside it: half the poll interval (10 minutes by default) on average.
 */
import { join } from 'node:path';
import { Api } from 'grammy';
import type { TelegramSettings } from '../bots/telegram/config.js';
import { createTelegramTransport, installLimits } from '../bots/telegram/transport.js';
import { deskPlatforms } from '../src/app/desk.js';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../src/app/platforms.js';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { startDesk } from '../src/desk/server.js';
import { hookSignature, PushIngest } from '../src/ingest/push.js';
import { createLogger } from '../src/logger.js';
import {
  CLI_OPERATOR,
  outletNewsrooms,
  sourceHook,
  type NewsroomDeps,
  type OutletNewsrooms,
} from '../src/newsroom/index.js';
import { openStore } from '../src/store/index.js';
import { FakeTelegram } from '../tests/fake-telegram/server.js';
import { startFeedServer } from '../tests/helpers/feed-server.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { pollDeps } from '../src/newsroom/intake.js';

const TOKEN = '123456789:AAHbenchTokenForNashra_abcdefghijkXYZ';
const PLACES = ['حلب', 'حمص', 'دير الزور', 'الرقة', 'إدلب', 'درعا', 'اللاذقية', 'طرطوس', 'الحسكة', 'السويداء'];

/** A news page whose text is its own (the dedup would otherwise fold 100 copies of one story into one). */
function articlePage(n: number): string {
  const place = PLACES[n % PLACES.length]!;
  const paragraphs = [
    `أعلنت السلطات المحلية في ${place} اليوم عن افتتاح مشروع رقم ${n} لإعادة تأهيل شبكة المياه في ${n + 3} أحياء من المدينة.`,
    `وقال مسؤول في المجلس المحلي إن المشروع يخدم نحو ${(n + 1) * 1200} نسمة، ويستمر العمل فيه ${(n % 9) + 2} أشهر بتمويل من منظمات دولية.`,
    `وأضاف أن المرحلة الأولى تشمل استبدال الأنابيب القديمة في الأحياء الشرقية، على أن تبدأ المرحلة الثانية مطلع العام المقبل.`,
    `ويعاني سكان ${place} منذ سنوات من انقطاع المياه لفترات طويلة بسبب تضرر البنية التحتية وارتفاع تكاليف التشغيل.`,
  ];
  return (
    `<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>مشروع المياه ${n} في ${place}</title></head>` +
    `<body><article><h1>مشروع المياه ${n} في ${place}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`
  );
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export async function benchPush(
  articles = 100,
): Promise<{ articles: number; p50Ms: number; p95Ms: number; maxMs: number; pollingExpectedMs: number }> {
  const { dir, cleanup } = tempDir('nashra-bench-push-');
  // Latency, not limits: the fake's per-chat limit is opened up so 100 articles to one chat need not wait 100 s.
  const fake = new FakeTelegram(TOKEN, { globalPerSecond: 1000, perChatPerSecond: 1000, perGroupPerMinute: 1000 });
  const apiRoot = await fake.start();
  const site = await startFeedServer();
  const config = loadAppConfig({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    DATABASE_PATH: join(dir, 'push.db'),
    NASHRA_ALLOW_PRIVATE_FETCH: '1',
    TELEGRAM_RATE_PER_SECOND: '1000',
    TELEGRAM_RATE_PER_CHAT_PER_SECOND: '1000',
    TELEGRAM_RATE_PER_GROUP_PER_MINUTE: '1000',
  });
  const store = openStore(config.databasePath);
  const logger = createLogger({ level: 'error', write: () => {} });
  const telegram = config.platforms.telegram as TelegramSettings;
  const api = new Api(TOKEN, { apiRoot });
  installLimits(api, telegram.rate);
  const worker = new DeliveryWorker(
    store.ports(),
    [createTelegramTransport({ api, config: { ...config, telegram }, logger })],
    logger,
  );
  const push = new PushIngest({
    ...pollDeps({ config, store, data: store.ports(), logger }),
    onQueued: () => worker.notify(),
  });
  const newsroom = newsroomDeps(BUILT_IN_PLATFORMS, config, store, logger, () => worker.notify());
  const desk = await startDesk(
    {
      outlets: onlyMain(newsroom),
      platforms: deskPlatforms(BUILT_IN_PLATFORMS, config, false),
      announceSetup: () => {},
      push,
    },
    { port: 0, host: '127.0.0.1' },
  );
  try {
    config.push.publicUrl = desk.url;
    site.route('/feed.xml', {
      body: '<?xml version="1.0"?><rss version="2.0"><channel><title>site</title></channel></rss>',
      contentType: 'application/rss+xml',
    });
    for (let n = 0; n < articles; n++)
      site.route(`/news/${n}`, { body: articlePage(n), contentType: 'text/html; charset=utf-8' });
    store.subscriptions.subscribe({ platform: 'telegram', chatId: '777', kind: 'private' });
    const source = store.sources.add({ url: `${site.base}/feed.xml`, kind: 'rss', name: 'الموقع' });
    store.sources.markPrimed(source.id, Date.now());
    const { secret } = await sourceHook(newsroom, CLI_OPERATOR, source.id);
    worker.start();
    const latencies: number[] = [];
    for (let n = 0; n < articles; n++) {
      const body = JSON.stringify({ url: `${site.base}/news/${n}` });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const before = fake.sent().length;
      const started = performance.now();
      const res = await fetch(`${desk.url}/hooks/publish/${source.id}`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-nashra-timestamp': timestamp,
          'x-nashra-signature': hookSignature(secret!, timestamp, body),
        },
      });
      if (res.status !== 202) throw new Error(`bench push: the hook answered ${res.status}: ${await res.text()}`);
      const deadline = Date.now() + 30_000;
      while (fake.sent().length === before) {
        if (Date.now() > deadline) throw new Error(`bench push: article ${n} never reached the fake Bot API`);
        await new Promise((r) => setImmediate(r));
      }
      latencies.push(performance.now() - started);
    }
    const round = (x: number) => Math.round(x * 10) / 10;
    return {
      articles,
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      maxMs: round(Math.max(...latencies)),
      pollingExpectedMs: (source.intervalSeconds * 1000) / 2,
    };
  } finally {
    await push.settle();
    await worker.stop(1000);
    await desk.close();
    await site.close();
    await fake.stop();
    store.close();
    cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchPush()));
}

/** The desk over the bench's one database: `main` alone (no other outlet is added here). */
function onlyMain(newsroom: NewsroomDeps): OutletNewsrooms {
  return outletNewsrooms(newsroom, (slug) => Promise.reject(new Error(`the bench has no outlet ${slug}`)));
}
