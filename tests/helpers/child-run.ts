/**
 * `nashra run` as a real child process (the built dist/src/cli.js), for tests that kill it, signal it or run two
 * at once. Its output is collected line by line; nothing of the test process's environment leaks in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT } from './cli.js';

/** A token of the right shape for the fake Bot API (never a real one). */
export const CHILD_TOKEN = '987654321:AAEchildRunTokenForNashraTests_0123456789';

export interface ChildRun {
  child: ChildProcess;
  pid: number;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Sends a signal; resolves when it exited. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  output(): string;
}

/** The environment for a child run against the fake Bot API at `apiRoot`, on the database at `dbPath`. */
export function childEnv(apiRoot: string, dbPath: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: CHILD_TOKEN, TELEGRAM_API_ROOT: apiRoot, DATABASE_PATH: dbPath, LOG_LEVEL: 'warn',
    TELEGRAM_RATE_PER_SECOND: '1000', TELEGRAM_RATE_PER_CHAT_PER_SECOND: '50', TELEGRAM_RATE_PER_GROUP_PER_MINUTE: '1000',
    ...extra,
  };
}

export function spawnRun(env: Record<string, string>, args: string[] = []): ChildRun {
  const child = spawn(process.execPath, [CLI, 'run', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  collectLines(child.stdout!, stdout);
  collectLines(child.stderr!, stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  return {
    child, pid: child.pid!, stdout, stderr, exited,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    output: () => [...stdout, ...stderr].join('\n'),
  };
}

function collectLines(stream: NodeJS.ReadableStream, into: string[]): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    into.push(...parts);
  });
  stream.on('end', () => { if (rest) into.push(rest); });
}

/** Waits until `cond` holds, polling every 20 ms. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** mulberry32: a small seeded PRNG, so a failing run can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
