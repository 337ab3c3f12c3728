import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { projectRoot } from '../../src/paths.js';

/** The project root and its built CLI, whether this file runs from tests/ (vitest) or dist/tests/ (bench). */
export const ROOT = projectRoot();
export const CLI = join(ROOT, 'dist/src/app/cli.js');

/** Node's flags as `npm start` and the `nashra` command pass them (package.json, the first line of src/app/cli.ts). */
export const NODE_FLAGS = ['--max-old-space-size=128'];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, in a clean environment (no .env, no tokens unless given). */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number } = {},
): CliResult {
  const res = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 30_000,
    env: cleanEnv(opts.env),
  });
  return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

/** The environment a test's command runs with: nothing of this process's, no .env, tokens only when given. */
const cleanEnv = (env: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  LOG_LEVEL: 'warn',
  ...env,
});

/**
 * The CLI called in this process (src/app/cli.ts `main`), for tests where a child process is not the point: the same
 * result as runCli, in milliseconds rather than the two seconds a `node` start costs on a loaded machine. The
 * environment is `env` alone (as runCli's), standard input is `input`; the working directory is this process's
 * (the project root under vitest). A fake server in this process keeps answering while the command runs.
 */
export async function runCliInProcess(
  args: string[],
  opts: { env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  // Loaded on first use: bench/footprint.ts and the child-process helpers import this file and must not pay for it.
  const { main } = await import('../../src/app/cli.js');
  const code = await main(args, {
    env: cleanEnv(opts.env),
    stdin: Readable.from(opts.input ? [Buffer.from(opts.input)] : []),
    stdout: sink((t) => {
      stdout += t;
    }),
    stderr: sink((t) => {
      stderr += t;
    }),
  });
  return { code, stdout, stderr };
}

/** The same, asynchronously: a fake server in this process keeps answering while the command runs. */
export async function runCliAsync(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
