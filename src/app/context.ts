import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { openStore, type Store } from '../store/index.js';
import { optionString, type ParsedArgs } from './args.js';

/** What every command gets: parsed configuration, a logger that masks secrets, and (lazily) the store. */
export interface CommandContext {
  config: Config;
  logger: Logger;
  /** Opens the database on first use, at --db or DATABASE_PATH. */
  store(): Store;
  out: (line: string) => void;
  close(): void;
}

export function createContext(args: ParsedArgs, env: Record<string, string | undefined> = process.env): CommandContext {
  const config = loadConfig(env);
  const dbPath = optionString(args, 'db') ?? config.databasePath;
  config.databasePath = dbPath;
  const logger = createLogger({
    level: config.logLevel, format: config.logFormat,
    secrets: [config.telegram?.token ?? ''].filter(Boolean),
  });
  let store: Store | undefined;
  return {
    config,
    logger,
    store: () => (store ??= openStore(dbPath)),
    out: (line) => process.stdout.write(logger.redact(line) + '\n'),
    close: () => store?.close(),
  };
}
