/**
 * WhatsApp figures: memory of `nashra run` with WhatsApp off and on (the whole process tree, Chromium included), and
 * the wait from a queued delivery to sendMessage under the default pacing, measured on a fake clock through the real
 * worker, transport and store. Run: npx tsc -p tsconfig.json && node dist/bench/whatsapp.js
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WhatsAppAdapter } from '../bots/whatsapp/index.js';
import type { WhatsAppSettings } from '../bots/whatsapp/config.js';
import { adapterContext, loadAppConfig } from '../src/app/platforms.js';
import type { WaChat, WaClient } from '../bots/whatsapp/types.js';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { createLogger } from '../src/logger.js';
import { storeArticleIn, routeArticleIn } from '../tests/helpers/articles.js';
import { openStore } from '../src/store/index.js';

export interface WhatsAppBench {
  rssMb: {
    whatsappOff: number;
    whatsappOn: number;
    pssOff: number;
    pssOn: number;
    chromiumProcesses: number;
    sampledSeconds: number;
  };
  pacing: {
    messages: number;
    modelExpectedWaitMs: number;
    meanIntervalMs: number;
    firstMessageWaitMs: number;
    meanQueuedToSendMs: number;
    lastMessageWaitMs: number;
  };
}

export async function benchWhatsApp(opts: { seconds?: number; messages?: number } = {}): Promise<WhatsAppBench> {
  const seconds = opts.seconds ?? 20;
  const off = await runRss({ WHATSAPP_ENABLED: '0' }, seconds);
  const on = await runRss(
    { WHATSAPP_ENABLED: '1', CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium' },
    seconds,
  );
  return {
    rssMb: {
      whatsappOff: off.peakMb,
      whatsappOn: on.peakMb,
      pssOff: off.pssMb,
      pssOn: on.pssMb,
      chromiumProcesses: on.processes - 1,
      sampledSeconds: seconds,
    },
    pacing: await pacingOnFakeClock(opts.messages ?? 50),
  };
}

// -- memory -----------------------------------------------------------------------------------------

/** Starts `nashra run` on a fresh database, samples the RSS of its process tree every 500 ms, keeps the peak. */
async function runRss(
  env: Record<string, string>,
  seconds: number,
): Promise<{ peakMb: number; pssMb: number; processes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'nashra-bench-wa-'));
  const cli = resolve(fileURLToPath(import.meta.url), '../../src/cli.js');
  const child = spawn(process.execPath, [cli, 'run'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_PATH: join(dir, 'db.sqlite'),
      WHATSAPP_SESSION_DIR: join(dir, 'session'),
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: 'ignore',
  });
  let peak = { kb: 0, pssKb: 0, processes: 0 };
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const tree = treeRssKb(child.pid!);
    if (tree.kb > peak.kb) peak = tree;
  }
  child.kill('SIGTERM');
  await new Promise((r) => {
    child.once('exit', r);
    setTimeout(() => {
      child.kill('SIGKILL');
      r(undefined);
    }, 10_000);
  });
  rmSync(dir, { recursive: true, force: true });
  return {
    peakMb: Math.round(peak.kb / 102.4) / 10,
    pssMb: Math.round(peak.pssKb / 102.4) / 10,
    processes: peak.processes,
  };
}

/** Sum of RSS (counts memory shared between Chromium's processes once per process) and of PSS (shares it out). */
function treeRssKb(root: number): { kb: number; pssKb: number; processes: number } {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const inTree = (pid: number): boolean => pid === root || (parent.has(pid) && pid > 1 && inTree(parent.get(pid)!));
  let kb = 0;
  let pssKb = 0;
  let processes = 0;
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) {
        kb += Number(m[1]);
        processes++;
      }
      const p = /Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (p) pssKb += Number(p[1]);
    } catch {
      /* gone */
    }
  }
  return { kb, pssKb, processes };
}

// -- pacing -----------------------------------------------------------------------------------------

async function pacingOnFakeClock(messages: number): Promise<WhatsAppBench['pacing']> {
  let t = Date.now();
  const clock = {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
  const group = '120363000000000001@g.us';
  const chat: WaChat = {
    id: { _serialized: group, user: '120363000000000001' },
    name: 'bench',
    isGroup: true,
    sendStateTyping: async () => undefined,
  };
  const sentAt: number[] = [];
  const client = Object.assign(new EventEmitter(), {
    info: { wid: { _serialized: '963900000001@c.us', user: '963900000001' } },
    initialize: async () => {
      setImmediate(() => client.emit('ready'));
    },
    destroy: async () => undefined,
    sendMessage: async () => {
      sentAt.push(t);
      return { id: { _serialized: `m${sentAt.length}` } };
    },
    getChatById: async () => chat,
    getChats: async () => [chat],
  }) satisfies WaClient;

  const store = openStore(':memory:');
  const config = loadAppConfig({ WHATSAPP_ENABLED: '1', WHATSAPP_DAILY_CAP: String(messages + 1) }); // default pacing
  const logger = createLogger({ level: 'silent' });
  const settings = config.platforms.whatsapp as WhatsAppSettings;
  const adapter = new WhatsAppAdapter(settings, adapterContext(config, store, logger), {
    createClient: () => client,
    clock,
    loadMedia: null,
  });
  store.subscriptions.subscribe({ platform: 'whatsapp', chatId: group, kind: 'group' }, t - 60_000);
  for (let i = 0; i < messages; i++) {
    const r = await storeArticleIn(
      store,
      {
        url: `https://example.org/${i}`,
        title: `خبر رقم ${'أ'.repeat(i + 1)}`,
        source: 'bench',
        categories: [],
        language: 'ar',
        paragraphs: [`نص الخبر ${'ب'.repeat(i + 1)} في المدينة اليوم.`, 'وقال مسؤولون إن العمل مستمر.'],
      },
      { now: t },
    );
    if (r.status === 'new') await routeArticleIn(store, r.article);
  }
  const queuedAt = t;
  await adapter.start();
  while (!adapter.isConnected()) await new Promise((r) => setTimeout(r, 1));
  const worker = new DeliveryWorker(store.ports(), [adapter.transport], logger, { pollMs: 1 });
  await worker.drain(120_000);
  await adapter.stop();
  store.close();

  const waits = sentAt.map((s) => s - queuedAt);
  const intervals = sentAt.slice(1).map((s, i) => s - sentAt[i]!);
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
  const { minDelayMs, maxDelayMs } = settings;
  return {
    messages: sentAt.length,
    modelExpectedWaitMs: (minDelayMs + maxDelayMs) / 2 + (settings.typing ? 1500 : 0),
    meanIntervalMs: mean(intervals),
    firstMessageWaitMs: waits[0] ?? 0,
    meanQueuedToSendMs: mean(waits),
    lastMessageWaitMs: waits[waits.length - 1] ?? 0,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchWhatsApp({ seconds: Number(process.env.BENCH_SECONDS ?? 20) }), null, 2));
}
