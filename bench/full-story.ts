/**
 * «النص الكامل»: from a reader's press (the `/start full_<code>` update the deep link makes, handed to the bot as
 * Telegram hands it: a long-polled getUpdates) to the rich message at the fake Bot API, at 20 presses a second, each
 * from another reader, for the 200 SaudiNewsNet articles in turn (a real article's length: 1–3 KB of text). The real
 * bot as `nashra run` starts it (grammY's runner, the Bot API's limits at Telegram's own 30/s overall and 1/s per
 * chat, the newsroom's read through the ports on a SQLite file), the fake on 127.0.0.1.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TelegramAdapter } from '../bots/telegram/index.js';
import type { TelegramSettings } from '../bots/telegram/settings.js';
import { adapterContext, loadAppConfig } from '../src/app/platforms.js';
import { createLogger } from '../src/logger.js';
import { fullStoryCode } from '../src/newsroom/index.js';
import { openStore } from '../src/store/index.js';
import { FakeTelegram } from '../tests/fake-telegram/server.js';
import { storeArticleIn } from '../tests/helpers/articles.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { newsArticles } from './common.js';

const TOKEN = '123456789:AAHbenchTokenForNashra_abcdefghijkXYZ';
const PRESSES_PER_SECOND = 20;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export interface FullStoryBench {
  presses: number; perSecond: number; p50Ms: number; p99Ms: number; maxMs: number; richMessages: number;
  /** CPU per press of the one process (bot and fake together), and the event loop's longest stall: what load cannot inflate. */
  cpuMsPerPress: number; loopDelayP99Ms: number;
}

export async function benchFullStory(seconds = 15): Promise<FullStoryBench> {
  const { dir, cleanup } = tempDir('nashra-bench-full-story-');
  const fake = new FakeTelegram(TOKEN, { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 });
  const apiRoot = await fake.start();
  const config = loadAppConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: join(dir, 'full-story.db') });
  const store = openStore(config.databasePath);
  const logger = createLogger({ level: 'error', write: () => {} });
  const context = adapterContext(config, store, logger);
  const adapter = new TelegramAdapter(config.platforms.telegram as TelegramSettings, context, { pollTimeoutSeconds: 30 });
  try {
    const codes: string[] = [];
    for (const a of newsArticles()) {
      const r = await storeArticleIn(store, {
        url: a.url, title: a.title, source: 'SaudiNewsNet', categories: [], language: 'ar',
        paragraphs: a.content.split(/\n+|(?<=[.!؟])\s{2,}/).map((p) => p.trim()).filter(Boolean),
      });
      if (r.status === 'new') codes.push(await fullStoryCode(context.newsroom, r.article.id));
    }
    await adapter.start();
    const presses = seconds * PRESSES_PER_SECOND;
    const pressedAt = new Map<string, number>();
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const cpu = process.cpuUsage();
    const start = Date.now();
    for (let i = 0; i < presses; i++) {
      const due = start + (i * 1000) / PRESSES_PER_SECOND;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const reader = 900_000 + i;
      pressedAt.set(String(reader), Date.now());
      fake.pushUpdate({
        message: {
          message_id: i + 1, date: Math.floor(Date.now() / 1000), chat: { id: reader, type: 'private', first_name: 'r' },
          from: { id: reader, is_bot: false, first_name: 'r', language_code: 'ar' }, text: `/start full_${codes[i % codes.length]}`,
          entities: [{ type: 'bot_command', offset: 0, length: 6 }],
        },
      });
    }
    const rich = () => fake.calls.filter((c) => c.method === 'sendRichMessage' && c.status === 'ok');
    const deadline = Date.now() + 30_000;
    while (new Set(rich().map((c) => String(c.params.chat_id))).size < presses) {
      if (Date.now() > deadline) throw new Error(`bench full story: ${rich().length} of ${presses} rich messages arrived`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const used = process.cpuUsage(cpu);
    loop.disable();
    const first = new Map<string, number>();
    for (const c of rich()) if (!first.has(String(c.params.chat_id))) first.set(String(c.params.chat_id), c.at);
    const latencies = [...pressedAt].map(([chat, at]) => first.get(chat)! - at);
    return {
      presses, perSecond: PRESSES_PER_SECOND, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: Math.max(...latencies),
      richMessages: rich().length, cpuMsPerPress: Math.round((used.user + used.system) / presses / 10) / 100,
      loopDelayP99Ms: Math.round(loop.percentile(99) / 1e4) / 100,
    };
  } finally {
    await adapter.stop();
    await fake.stop();
    store.close();
    cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchFullStory(Number(process.argv[2] ?? 15)).then((r) => console.log(JSON.stringify(r)));
}
