import { loadConfig, type Config } from '../config.js';
import type { PlatformDescriptor } from '../delivery/platform.js';
import { createLogger, type Logger } from '../logger.js';
import type { NewsroomDeps } from '../newsroom/index.js';
import { openStore, type Store } from '../store/index.js';
import type { CopyResult } from '../store/postgres/copy.js';
import { newsroomDeps, platformSecrets } from './platforms.js';

/** What every command gets: parsed configuration, a logger that masks secrets, and (lazily) the store. */
export interface CommandContext {
  config: Config;
  logger: Logger;
  /** Every platform this installation knows (built in, and plug-ins). */
  registry: readonly PlatformDescriptor[];
  /** Opens the database on first use, at --db or DATABASE_PATH. */
  store(): Store;
  /** The newsroom actions' dependencies, with the CLI's store. */
  newsroom(): NewsroomDeps;
  /**
   * `nashra db copy`: the database at --db or DATABASE_PATH copied into the new PostgreSQL database at `url`
   * (src/store/postgres/copy.ts); the URL's password is masked in every line from then on.
   */
  copyDatabase(url: string): Promise<CopyResult>;
  out: (line: string) => void;
  /** The environment and standard streams the command runs with: the process's own, or a test's. */
  io: CliIo;
  close(): void;
}

/**
 * What a CLI command reads and writes besides its database: `nashra` gets the process's own, a test calling the CLI
 * in-process gives its own (the configuration then comes from `env` alone, and nothing process-wide is touched).
 */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const processIo = (): CliIo => ({ env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

export function createContext(registry: readonly PlatformDescriptor[], options: { db?: string }, io: CliIo = processIo()): CommandContext {
  const config = loadConfig(io.env, registry);
  config.databasePath = options.db ?? config.databasePath;
  const logger = createLogger({
    level: config.logLevel, format: config.logFormat, secrets: platformSecrets(registry, config), write: (line) => io.stderr.write(line + '\n'),
  });
  for (const warning of config.warnings) logger.warn(warning);
  let store: Store | undefined;
  let newsroom: NewsroomDeps | undefined;
  const ctx: CommandContext = {
    config,
    logger,
    registry,
    store: () => (store ??= openStore(config.databasePath)),
    // No delivery worker runs in a CLI process: `nashra run` (another process) finds what was queued on its next look.
    newsroom: () => (newsroom ??= newsroomDeps(registry, config, ctx.store(), logger)),
    // Loaded on use: the other commands do not pay for PostgreSQL's client.
    copyDatabase: async (url) => {
      const password = passwordOf(url);
      if (password) logger.addSecret(password);
      return (await import('../store/postgres/copy.js')).copyToPostgres(config.databasePath, url);
    },
    out: (line) => io.stdout.write(logger.redact(line) + '\n'),
    io,
    close: () => store?.close(),
  };
  return ctx;
}

/** A URL's password (decoded); undefined when it has none or is not a URL. */
function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
