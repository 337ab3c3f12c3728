import { existsSync } from 'node:fs';
import { loadConfig, loadOutletConfig, type Config } from '../config.js';
import type { PlatformDescriptor } from '../delivery/platform.js';
import { catalogue, type Catalogue } from '../i18n/index.js';
import { createLogger, type Logger } from '../logger.js';
import type { NewsroomDeps } from '../newsroom/index.js';
import type { DataPorts } from '../ports/index.js';
import { openStore, type Store } from '../store/index.js';
import type { CopyResult } from '../store/postgres/copy.js';
import { urlPasswords } from '../store/postgres/url-password.js';
import type { PostgresPorts } from '../store/postgres/ports.js';
import { MAIN_OUTLET, type Outlet } from '../model/outlet.js';
import { chooseOutlet, outletFile, outletSchema } from './outlets.js';
import { defaultEnvPrefix } from '../newsroom/outlets.js';
import { newsroomDeps, configuredSecrets } from './platforms.js';
import { postgresRunDatabase, sqliteRunDatabase, type RunDatabase } from './run-database.js';

/** What every command gets: parsed configuration, a logger that masks secrets, and (lazily) the store. */
export interface CommandContext {
  config: Config;
  /** The catalogue in the CLI's language (NASHRA_CLI_LANGUAGE): every sentence a command prints comes from it. */
  words: Catalogue;
  /** A platform as the words name it: its descriptor's label in the CLI's language (the name when it has none). */
  label(platform: string): string;
  logger: Logger;
  /** Every platform this installation knows (built in, and plug-ins). */
  registry: readonly PlatformDescriptor[];
  /** Opens the first outlet's SQLite database on first use, at --db or DATABASE_PATH. */
  store(): Store;
  /** The outlet the command acts on: --outlet, else the only one (src/app/outlets.ts chooseOutlet). */
  outlet(): Promise<Outlet>;
  /** Every outlet in the registry, `main` first. */
  outlets(): Promise<Outlet[]>;
  /**
   * The chosen outlet's configuration (or the one named's): `config` for `main`, else its prefixed variables'
   * (loadOutletConfig); its platforms' secrets are masked in every log line once it is loaded.
   */
  outletConfig(slug?: string): Promise<Config>;
  /**
   * The newsroom actions' dependencies, on the chosen outlet's database (DATABASE_URL, else the SQLite file), or on
   * the outlet named.
   */
  newsroom(slug?: string): Promise<NewsroomDeps>;
  /** The first outlet's (`main`): the registry of outlets and the desk's accounts are there. */
  mainNewsroom(): Promise<NewsroomDeps>;
  /** What `nashra run` needs of the chosen outlet's database (or the outlet named) beside the ports. */
  runDatabase(slug?: string): Promise<RunDatabase>;
  /**
   * `nashra db copy`: an outlet's SQLite database (main's: --db or DATABASE_PATH; another's: its file beside it)
   * copied into its schema of the new PostgreSQL database at `url` (src/store/postgres/copy.ts); the URL's password
   * is masked in every line from then on.
   */
  copyDatabase(url: string, slug?: string): Promise<CopyResult>;
  /**
   * The outlets `nashra db copy` copies, from the SQLite database's own registry (DATABASE_URL may already name the
   * target): `main`, then every other one; `main` alone when the file is not there (the copy then says it is missing).
   */
  copySources(): Promise<string[]>;
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

export const processIo = (): CliIo => ({
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});

export function createContext(
  registry: readonly PlatformDescriptor[],
  options: { db?: string; outlet?: string },
  io: CliIo = processIo(),
  words?: Catalogue,
): CommandContext {
  const config = loadConfig(io.env, registry);
  config.databasePath = options.db ?? config.databasePath;
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    secrets: configuredSecrets(registry, config),
    write: (line) => io.stderr.write(line + '\n'),
  });
  for (const warning of config.warnings) logger.warn(warning);
  // Each outlet's database opened once, on first use (src/app/outlets.ts says where each one is).
  const stores = new Map<string, Store>();
  const postgres = new Map<string, Promise<PostgresPorts>>();
  const newsrooms = new Map<string, Promise<NewsroomDeps>>();
  const configs = new Map<string, Promise<Config>>([[MAIN_OUTLET, Promise.resolve(config)]]);
  let chosen: Promise<Outlet> | undefined;
  let registered: Promise<Outlet[]> | undefined;
  const { databaseUrl } = config;
  const storeOf = (slug: string): Store => {
    let store = stores.get(slug);
    if (!store) {
      store = openStore(outletFile(config.databasePath, slug));
      stores.set(slug, store);
    }
    return store;
  };
  // Another outlet's pool is smaller: N runs × (10 + 4 per other outlet) connections (README: Scaling out). The
  // adapter is loaded here, on use: on SQLite no command pays for PostgreSQL's client (pg: 40 modules).
  const postgresOf = (url: string, slug: string): Promise<PostgresPorts> => {
    let ports = postgres.get(slug);
    if (!ports) {
      ports = import('../store/postgres/database.js').then(({ openPostgres }) =>
        openPostgres(url, { schema: outletSchema(slug), max: slug === MAIN_OUTLET ? 10 : 4 }),
      );
      postgres.set(slug, ports);
    }
    return ports;
  };
  const data = async (slug: string): Promise<DataPorts> =>
    databaseUrl === undefined ? storeOf(slug).ports() : postgresOf(databaseUrl, slug);
  const slugOf = async (slug: string | undefined): Promise<string> => slug ?? (await ctx.outlet()).slug;
  const cliWords = words ?? catalogue(config.cliLanguage);
  const ctx: CommandContext = {
    config,
    words: cliWords,
    label: (platform) => cliWords.chat.platform(registry.find((p) => p.name === platform)?.label, platform),
    logger,
    registry,
    store: () => storeOf(MAIN_OUTLET),
    outlets: () =>
      (registered ??= data(MAIN_OUTLET)
        .then((ports) => ports.repos.outlets.list())
        .then((outlets) => [
          ...outlets.filter((o) => o.slug === MAIN_OUTLET),
          ...outlets.filter((o) => o.slug !== MAIN_OUTLET),
        ])),
    outlet: () =>
      (chosen ??= ctx.outlets().then((outlets) => chooseOutlet(outlets, options.outlet, cliWords.cli.outlet))),
    outletConfig: async (named) => {
      const slug = await slugOf(named);
      let outletConfig = configs.get(slug);
      if (!outletConfig) {
        outletConfig = ctx.outlets().then((outlets) => {
          const outlet = chooseOutlet(outlets, slug, cliWords.cli.outlet);
          const own = loadOutletConfig(io.env, registry, outlet.envPrefix ?? defaultEnvPrefix(slug));
          own.databasePath = config.databasePath;
          for (const secret of configuredSecrets(registry, own)) logger.addSecret(secret);
          for (const warning of own.warnings) logger.warn(warning);
          return own;
        });
        configs.set(slug, outletConfig);
      }
      return outletConfig;
    },
    // No delivery worker runs in a CLI process: `nashra run` (another process) finds what was queued on its next look.
    newsroom: async (named) => {
      const slug = await slugOf(named);
      let newsroom = newsrooms.get(slug);
      if (!newsroom) {
        newsroom = Promise.all([ctx.outletConfig(slug), data(slug)]).then(([own, ports]) => ({
          ...newsroomDeps(registry, own, ports, logger),
          outlet: slug,
        }));
        newsrooms.set(slug, newsroom);
      }
      return newsroom;
    },
    mainNewsroom: () => ctx.newsroom(MAIN_OUTLET),
    runDatabase: async (named) => {
      const slug = await slugOf(named);
      return databaseUrl === undefined
        ? sqliteRunDatabase(storeOf(slug))
        : postgresRunDatabase(await postgresOf(databaseUrl, slug), logger.redact(databaseUrl));
    },
    // Loaded on use: the other commands do not pay for PostgreSQL's client.
    copyDatabase: async (url, slug = MAIN_OUTLET) => {
      for (const password of urlPasswords(url)) logger.addSecret(password);
      return (await import('../store/postgres/copy.js')).copyToPostgres(outletFile(config.databasePath, slug), url, {
        schema: outletSchema(slug),
      });
    },
    copySources: async () => {
      const registered = existsSync(config.databasePath) ? await storeOf(MAIN_OUTLET).ports().repos.outlets.list() : [];
      return [MAIN_OUTLET, ...registered.map((o) => o.slug).filter((slug) => slug !== MAIN_OUTLET)];
    },
    out: (line) => io.stdout.write(logger.redact(line) + '\n'),
    io,
    close: async () => {
      for (const store of stores.values()) store.close();
      for (const ports of postgres.values()) await (await ports.catch(() => undefined))?.close();
    },
  };
  return ctx;
}
