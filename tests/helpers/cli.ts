import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';

/** The project root and its built CLI, whether this file runs from tests/ (vitest) or dist/tests/ (bench). */
export const ROOT = projectRoot();
export const CLI = join(ROOT, 'dist/src/app/cli.js');

/** Node's flags as `npm start` and the `nashra` command pass them (package.json, the first line of src/app/cli.ts). */
export const NODE_FLAGS = ['--max-old-space-size=128'];

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs the built CLI as a user would, in a clean environment (no .env, no tokens unless given). */
export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number } = {}): CliResult {
  const res = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 30_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...opts.env },
  });
  return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

/** The same, asynchronously: a fake server in this process keeps answering while the command runs. */
export async function runCliAsync(args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
