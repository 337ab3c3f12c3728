/**
 * What `nashra run` costs a server: peak RSS idle and during a 10,000-chat broadcast (Telegram against the loopback
 * fake Bot API, WhatsApp off), and the CLI's cold start (`nashra latest`), each measured on the real built process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';
import { queueAudienceIn, storeArticleIn } from '../tests/helpers/articles.js';
import { openStore } from '../src/store/index.js';
import { FakeTelegram } from '../tests/fake-telegram/server.js';
import { NODE_FLAGS } from '../tests/helpers/cli.js';
import { median } from './common.js';
import { tempDir } from '../tests/helpers/tmp.js';

const TOKEN = '123456789:AAHbenchTokenForNashra_abcdefghijkXYZ';
const CHATS = 10_000;
const RATE = 3000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) / 1024 : 0;
  } catch {
    return 0;
  }
}

export async function benchFootprint(): Promise<{
  idleRssMb: number;
  broadcastPeakRssMb: number;
  broadcastSeconds: number;
  coldStartMs: number;
}> {
  const tmp = tempDir();
  const dbPath = join(tmp.dir, 'footprint.db');
  const fake = new FakeTelegram(TOKEN, { globalPerSecond: RATE, perChatPerSecond: 1, perGroupPerMinute: 20 });
  const apiRoot = await fake.start();
  const cli = join(projectRoot(), 'dist/src/app/cli.js');
  const store = openStore(dbPath);
  let child: ReturnType<typeof spawn> | undefined;
  try {
    for (let i = 0; i < CHATS; i++)
      store.subscriptions.subscribe({ platform: 'telegram', chatId: String(200_000 + i), kind: 'private' });
    const stored = await storeArticleIn(store, {
      url: 'https://example.com/footprint',
      title: 'خبر للقياس',
      source: 'SY24',
      language: 'ar',
      categories: [],
      paragraphs: [
        'أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد المحلي في عدة محافظات.',
        'وقال مسؤول إن الخطة تبدأ الشهر المقبل.',
      ],
    });
    if (stored.status !== 'new') throw new Error('footprint article was a duplicate');

    const coldStartMs = coldStart(cli, dbPath);
    // Started the way `npm start` and the nashra command start it (package.json, the CLI's first line).
    child = spawn(process.execPath, [...NODE_FLAGS, cli, 'run'], {
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_PATH: dbPath,
        LOG_LEVEL: 'error',
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: apiRoot,
        TELEGRAM_RATE_PER_SECOND: String(RATE),
      },
    });
    const pid = child.pid!;
    await sleep(4000);
    let idle = 0;
    for (let i = 0; i < 10; i++, await sleep(100)) idle = Math.max(idle, rssMb(pid));

    await queueAudienceIn(store, stored.article, { kind: 'matching' });
    const started = performance.now();
    let peak = idle;
    while (fake.sent().length < CHATS && performance.now() - started < 120_000) {
      peak = Math.max(peak, rssMb(pid));
      await sleep(100);
    }
    if (fake.sent().length < CHATS) throw new Error(`footprint: only ${fake.sent().length} of ${CHATS} sent in 120 s`);
    return {
      idleRssMb: round(idle),
      broadcastPeakRssMb: round(peak),
      broadcastSeconds: round((performance.now() - started) / 1000),
      coldStartMs: round(coldStartMs),
    };
  } finally {
    child?.kill('SIGTERM');
    await sleep(500);
    store.close();
    await fake.stop();
    tmp.cleanup();
  }
}

/** Median wall time of `nashra latest 5` over 10 runs (after one warm-up for the OS file cache). */
function coldStart(cli: string, dbPath: string): number {
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, [cli, 'latest', '5', '--db', dbPath], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    if (r.status !== 0) throw new Error(`nashra latest failed: ${r.stderr}`);
    if (i > 0) times.push(performance.now() - start);
  }
  return median(times);
}

const round = (n: number) => Math.round(n * 10) / 10;
