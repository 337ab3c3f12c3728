/**
 * «النص الكامل»: from a reader's press (the `/start full_<code>` update the deep link makes, handed to the bot as
 * Telegram hands it: a long-polled getUpdates) to the rich message at the fake Bot API, at 20 presses a second, each
 * from another reader, for the 200 SaudiNewsNet articles in turn (a real article's length: 1–3 KB of text). The real
 * bot as `nashra run` starts it (grammY's runner, the Bot API's limits at Telegram's own 30/s overall and 1/s per
 * chat, the newsroom's read through the ports on a SQLite file). The fake and the presses run in a process of their
 * own (as in bench/fake-process.ts): sharing the bot's event loop, the fake's work (serving getUpdates, checking each
 * rich message) stood in the bot's way and counted in its CPU. Both ends of each latency are read on the fake's clock.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TelegramAdapter } from '../bots/telegram/index.js';
import type { TelegramSettings } from '../bots/telegram/config.js';
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
const LIMITS = { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 };

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export interface FullStoryBench {
  presses: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  richMessages: number;
  /** The bot's process only: CPU per press, and its event loop's 99th-percentile stall (what load inflates). */
  cpuMsPerPress: number;
  loopDelayP99Ms: number;
}

/** What the fake's process reports: each press's latency (ms) and how many rich messages it accepted. */
interface PressReport {
  latencies: number[];
  richMessages: number;
}

export async function benchFullStory(seconds = 15): Promise<FullStoryBench> {
  const { dir, cleanup } = tempDir('nashra-bench-full-story-');
  const child = fork(fileURLToPath(import.meta.url), ['--fake'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (m) => resolve(m as T));
      child.once('exit', (code) => reject(new Error(`the fake Bot API process exited with ${code}`)));
    });
  const { apiRoot } = await next<{ apiRoot: string }>();
  const config = loadAppConfig({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    DATABASE_PATH: join(dir, 'full-story.db'),
  });
  const store = openStore(config.databasePath);
  const logger = createLogger({ level: 'error', write: () => {} });
  const context = adapterContext(config, store, logger);
  const adapter = new TelegramAdapter(config.platforms.telegram as TelegramSettings, context, {
    pollTimeoutSeconds: 30,
  });
  try {
    const codes: string[] = [];
    for (const a of newsArticles()) {
      const r = await storeArticleIn(store, {
        url: a.url,
        title: a.title,
        source: 'SaudiNewsNet',
        categories: [],
        language: 'ar',
        paragraphs: a.content
          .split(/\n+|(?<=[.!؟])\s{2,}/)
          .map((p) => p.trim())
          .filter(Boolean),
      });
      if (r.status === 'new') codes.push(await fullStoryCode(context.newsroom, r.article.id));
    }
    await adapter.start();
    const presses = seconds * PRESSES_PER_SECOND;
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const cpu = process.cpuUsage();
    const report = next<PressReport>();
    child.send({ codes, presses });
    const { latencies, richMessages } = await report;
    const used = process.cpuUsage(cpu);
    loop.disable();
    return {
      presses,
      perSecond: PRESSES_PER_SECOND,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      richMessages,
      cpuMsPerPress: Math.round((used.user + used.system) / presses / 10) / 100,
      loopDelayP99Ms: Math.round(loop.percentile(99) / 1e4) / 100,
    };
  } finally {
    await adapter.stop();
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    store.close();
    cleanup();
  }
}

/** The fake's process: serves the Bot API, presses at 20 a second when told, reports each press's latency. */
async function fakeProcess(): Promise<void> {
  const fake = new FakeTelegram(TOKEN, LIMITS);
  const apiRoot = await fake.start();
  process.on('message', async ({ codes, presses }: { codes: string[]; presses: number }) => {
    const pressedAt = new Map<string, number>();
    const start = Date.now();
    for (let i = 0; i < presses; i++) {
      const due = start + (i * 1000) / PRESSES_PER_SECOND;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const reader = 900_000 + i;
      pressedAt.set(String(reader), Date.now());
      fake.pushUpdate({
        message: {
          message_id: i + 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: reader, type: 'private', first_name: 'r' },
          from: { id: reader, is_bot: false, first_name: 'r', language_code: 'ar' },
          text: `/start full_${codes[i % codes.length]}`,
          entities: [{ type: 'bot_command', offset: 0, length: 6 }],
        },
      });
    }
    const rich = () => fake.calls.filter((c) => c.method === 'sendRichMessage' && c.status === 'ok');
    const deadline = Date.now() + 30_000;
    while (new Set(rich().map((c) => String(c.params.chat_id))).size < presses && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const first = new Map<string, number>();
    for (const c of rich()) if (!first.has(String(c.params.chat_id))) first.set(String(c.params.chat_id), c.at);
    if (first.size < presses) throw new Error(`bench full story: ${first.size} of ${presses} rich messages arrived`);
    process.send!({
      latencies: [...pressedAt].map(([chat, at]) => first.get(chat)! - at),
      richMessages: rich().length,
    } satisfies PressReport);
  });
  process.once('SIGTERM', () => void fake.stop().then(() => process.exit(0)));
  process.send!({ apiRoot });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--fake' && process.send) void fakeProcess();
  else console.log(JSON.stringify(await benchFullStory(Number(process.argv[2] ?? 15))));
}
