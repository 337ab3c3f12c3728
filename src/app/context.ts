import { loadConfig, type Config } from '../config.js';
import type { PlatformDescriptor } from '../delivery/platform.js';
import { createLogger, type Logger } from '../logger.js';
import type { NewsroomDeps } from '../newsroom/index.js';
import type { DataPorts } from '../ports/index.js';
import { openStore, type Store } from '../store/index.js';
import type { CopyResult } from '../store/postgres/copy.js';
import { openPostgres } from '../store/postgres/database.js';
import type { PostgresPorts } from '../store/postgres/ports.js';
import { newsroomDeps, configuredSecrets } from './platforms.js';
import { postgresRunDatabase, sqliteRunDatabase, type RunDatabase } from './run-database.js';

/** What every command gets: parsed configuration, a logger that masks secrets, and (lazily) the store. */
export interface CommandContext {
  config: Config;
  logger: Logger;
  /** Every platform this installation knows (built in, and plug-ins). */
  registry: readonly PlatformDescriptor[];
  /** Opens the SQLite database on first use, at --db or DATABASE_PATH. */
  store(): Store;
  /** The newsroom actions' dependencies, on the database configured (DATABASE_URL, else the SQLite file). */
  newsroom(): Promise<NewsroomDeps>;
  /** What `nashra run` needs of the same database beside the ports. */
  runDatabase(): Promise<RunDatabase>;
  /**
   * `nashra db copy`: the database at --db or DATABASE_PATH copied into the new PostgreSQL database at `url`
   * (src/store/postgres/copy.ts); the URL's password is masked in every line from then on.
   */
  copyDatabase(url: string): Promise<CopyResult>;
  out: (line: string) => void;
  /** The environment and standard streams the command runs with: the process's own, or a test's. */
  io: CliIo;
  close(): Promise<void>;
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
    level: config.logLevel, format: config.logFormat, secrets: configuredSecrets(registry, config), write: (line) => io.stderr.write(line + '\n'),
  });
  for (const warning of config.warnings) logger.warn(warning);
  let store: Store | undefined;
  let postgres: Promise<PostgresPorts> | undefined;
  let newsroom: Promise<NewsroomDeps> | undefined;
  const { databaseUrl } = config;
  const data = async (): Promise<DataPorts> => (databaseUrl === undefined ? ctx.store().ports() : (postgres ??= openPostgres(databaseUrl)));
  const ctx: CommandContext = {
    config,
    logger,
    registry,
    store: () => (store ??= openStore(config.databasePath)),
    // No delivery worker runs in a CLI process: `nashra run` (another process) finds what was queued on its next look.
    newsroom: () => (newsroom ??= data().then((ports) => newsroomDeps(registry, config, ports, logger))),
    runDatabase: async () => (databaseUrl === undefined
      ? sqliteRunDatabase(ctx.store())
      : postgresRunDatabase(await (postgres ??= openPostgres(databaseUrl)), logger.redact(databaseUrl))),
    // Loaded on use: the other commands do not pay for PostgreSQL's client.
    copyDatabase: async (url) => {
      const password = passwordOf(url);
      if (password) logger.addSecret(password);
      return (await import('../store/postgres/copy.js')).copyToPostgres(config.databasePath, url);
    },
    out: (line) => io.stdout.write(logger.redact(line) + '\n'),
    io,
    close: async () => {
      store?.close();
      await (await postgres?.catch(() => undefined))?.close();
    },
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
