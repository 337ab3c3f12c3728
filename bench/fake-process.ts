/**
 * The strict fake Bot API in a process of its own, for the delivery figures: sharing Nashra's event loop, the fake's
 * own work (about half the CPU of each delivery) capped the rate near 600/s and blurred Nashra's CPU time per
 * delivery. The parent reads what it let through (count, first and last acceptance (epoch ms), 429s) over IPC; calls are counted
 * and dropped as they come, so memory stays flat.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FakeTelegram, type FakeLimits } from '../tests/fake-telegram/server.js';

export interface FakeStats {
  /** Messages the fake accepted (sendMessage, sendPhoto), and when the first and last were accepted (epoch ms). */
  sent: number;
  firstAt: number;
  lastAt: number;
  rateLimited429: number;
  paidSent: number;
  /** Accepted sends per chat id that received more than one (a duplicate check for the benches). */
  duplicates: number;
}

type Request = { kind: 'stats' } | { kind: 'reset' };

export interface FakeProcess {
  apiRoot: string;
  stats(): Promise<FakeStats>;
  reset(): Promise<FakeStats>;
  stop(): Promise<void>;
}

export async function startFakeProcess(token: string, limits: FakeLimits): Promise<FakeProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [token, JSON.stringify(limits)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const apiRoot = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve(String((m as { apiRoot: string }).apiRoot)));
    child.once('exit', (code) => reject(new Error(`fake Bot API process exited with ${code}`)));
  });
  const ask = (req: Request) =>
    new Promise<FakeStats>((resolve) => {
      child.once('message', (m) => resolve(m as FakeStats));
      child.send(req);
    });
  return {
    apiRoot,
    stats: () => ask({ kind: 'stats' }),
    reset: () => ask({ kind: 'reset' }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function serve(token: string, limits: FakeLimits): Promise<void> {
  const fake = new FakeTelegram(token, limits);
  const apiRoot = await fake.start();
  const perChat = new Map<string, number>();
  let stats: FakeStats = { sent: 0, firstAt: 0, lastAt: 0, rateLimited429: 0, paidSent: 0, duplicates: 0 };
  const count = () => {
    for (const c of fake.calls.splice(0)) {
      if (c.status !== 'ok' || (c.method !== 'sendMessage' && c.method !== 'sendPhoto')) continue;
      const at = c.at;
      if (stats.sent === 0) stats.firstAt = at;
      stats.lastAt = Math.max(stats.lastAt, at);
      stats.sent++;
      const key = `${c.params.chat_id}:${String(c.params.text ?? c.params.caption ?? '').slice(0, 80)}`;
      const n = (perChat.get(key) ?? 0) + 1;
      perChat.set(key, n);
      if (n > 1) stats.duplicates++;
    }
    stats.rateLimited429 = fake.rateLimited429;
    stats.paidSent = fake.paidSent;
  };
  const timer = setInterval(count, 100);
  process.on('message', (req: Request) => {
    count();
    process.send!(stats);
    if (req.kind === 'reset') {
      stats = { sent: 0, firstAt: 0, lastAt: 0, rateLimited429: 0, paidSent: 0, duplicates: 0 };
      fake.rateLimited429 = 0;
      fake.paidSent = 0;
      perChat.clear();
    }
  });
  process.once('SIGTERM', () => {
    clearInterval(timer);
    void fake.stop().then(() => process.exit(0));
  });
  process.send!({ apiRoot });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  void serve(process.argv[2]!, JSON.parse(process.argv[3]!) as FakeLimits);
}
