/** Runs the real bot (runner) and the real DeliveryWorker against the fake Bot API, on a temp database. */
import { TelegramAdapter } from '../../bots/telegram/index.js';
import type { BotOptions } from '../../bots/telegram/bot.js';
import type { Config } from '../../src/config.js';
import { loadAppConfig } from '../../src/app/platforms.js';
import { adapterContextOn } from '../helpers/context.js';
import type { DataPorts } from '../../src/ports/index.js';
import { createDatabase, type RawDatabase } from '../helpers/raw-db.js';
import type { TelegramSettings } from '../../bots/telegram/config.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { storeArticleIn } from '../helpers/articles.js';
import { digestCloser } from '../../src/newsroom/digests.js';
import { migrateChat } from '../../src/newsroom/subscriptions.js';
import { telegramMarkup } from '../../bots/telegram/markup.js';
import type { Store } from '../../src/store/index.js';
import type { StoredArticle } from '../../src/model/article.js';
import { FakeTelegram, type FakeLimits } from './server.js';

export const TOKEN = '123456789:AAHfakeTokenForNashraTests_abcdefXYZ';
export const EDITOR = 5550001;

export interface Harness {
  fake: FakeTelegram;
  /** This pass's database (tests/helpers/raw-db.ts): its ports, and rows through `db.sql`. */
  data: DataPorts;
  db: RawDatabase;
  /** SQLite's Store (a file not converted to `data` yet, or a SQLite-only test); throws in the PostgreSQL pass. */
  readonly store: Store;
  config: Config;
  logger: Logger;
  lines: string[];
  adapter: TelegramAdapter;
  worker: DeliveryWorker;
  close(): Promise<void>;
}

export async function startHarness(
  opts: {
    limits?: FakeLimits;
    env?: Record<string, string>;
    before?: (fake: FakeTelegram) => void;
    bot?: BotOptions;
    /** The worker's clock for digests and quiet hours, and whether it closes digests (checked on every loop). */
    clock?: () => number;
    digests?: boolean;
  } = {},
): Promise<Harness> {
  const limits = opts.limits ?? { globalPerSecond: 200, perChatPerSecond: 5, perGroupPerMinute: 200 };
  const fake = new FakeTelegram(TOKEN, limits);
  opts.before?.(fake);
  const apiRoot = await fake.start();
  const db = await createDatabase();
  const config = loadAppConfig({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_EDITOR_IDS: String(EDITOR),
    ...db.env,
    TELEGRAM_RATE_PER_SECOND: String(limits.globalPerSecond),
    TELEGRAM_RATE_PER_CHAT_PER_SECOND: String(limits.perChatPerSecond),
    TELEGRAM_RATE_PER_GROUP_PER_MINUTE: String(limits.perGroupPerMinute),
    ...opts.env,
  });
  const data = db.ports;
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
  let worker: DeliveryWorker | undefined;
  const context = adapterContextOn(config, db, logger, { onQueued: () => worker?.notify() });
  const adapter = new TelegramAdapter(config.platforms.telegram as TelegramSettings, context, {
    progressIntervalMs: 150,
    pollTimeoutSeconds: 2,
    ...opts.bot,
  });
  worker = new DeliveryWorker(data, [adapter.transport], logger, {
    // As `nashra run` wires it: a migrated group's subscription follows it through the newsroom's action.
    migrateChat: (platform, from, to) => migrateChat(context.newsroom, { platform, chatId: from }, to),
    pollMs: 50,
    backoffMs: 200,
    now: opts.clock,
    digestCheckMs: 0,
    digests: opts.digests
      ? digestCloser(data, (p) => (p === 'telegram' ? telegramMarkup : undefined), config)
      : undefined,
  });
  await adapter.start();
  worker.start();
  return {
    fake,
    data,
    db,
    get store() {
      return db.sqliteStore();
    },
    config,
    logger,
    lines,
    adapter,
    worker,
    async close() {
      await worker.stop(1000);
      await adapter.stop();
      await fake.stop();
      await db.close();
    },
  };
}

let messageId = 1;
type Chat = { id: number; type: 'private' | 'group' | 'supergroup' | 'channel'; title?: string; is_forum?: boolean };
export const privateChat = (id: number): Chat => ({ id, type: 'private' });
export const user = (id: number, language_code = 'ar') => ({ id, is_bot: false, first_name: `u${id}`, language_code });

/** A message update as Telegram sends it, with the bot_command entity when the text starts with "/". */
export function message(chat: Chat, fromId: number, text: string, extra: Record<string, unknown> = {}, lang = 'ar') {
  const command = /^\/\S+/.exec(text)?.[0];
  return {
    message: {
      message_id: messageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { first_name: 'x', ...chat },
      from: user(fromId, lang),
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
      ...extra,
    },
  };
}

export function callback(fromId: number, data: string, chatId = fromId, msgId = 1) {
  return {
    callback_query: {
      id: String(Math.random()).slice(2),
      from: user(fromId),
      chat_instance: 'ci',
      data,
      message: {
        message_id: msgId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: 'x' },
        text: 'preview',
      },
    },
  };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, ms = 8000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every message the bot sent to one chat, in order (what a user in that chat has read). */
export const repliesTo = (h: Harness, chat: number) =>
  h.fake.sent('sendMessage').filter((c) => String(c.params.chat_id) === String(chat));

let articleN = 0;
export async function addArticle(
  store: Store | DataPorts,
  extra: Partial<{ title: string; paragraphs: string[]; imageUrl: string; categories: string[] }> = {},
): Promise<StoredArticle> {
  articleN++;
  const result = await storeArticleIn(store, {
    url: `https://example.com/news/${Date.now()}-${articleN}`,
    title: extra.title ?? `خبر رقم ${articleN} عن دمشق والاقتصاد`,
    source: 'SY24',
    language: 'ar',
    categories: extra.categories ?? [],
    imageUrl: extra.imageUrl,
    paragraphs: extra.paragraphs ?? [
      `أعلنت الحكومة في دمشق اليوم عن خطة جديدة رقم ${articleN} لدعم الاقتصاد المحلي.`,
      `وقال مسؤول إن الخطة ${articleN} تشمل مشاريع في عدة محافظات.`,
    ],
  });
  if (result.status !== 'new') throw new Error('test article was a duplicate');
  return result.article;
}
