import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { consolePlatform } from '../../bots/console/platform.js';
import { telegramPlatform } from '../../bots/telegram/platform.js';
import { whatsappPlatform } from '../../bots/whatsapp/platform.js';
import { ConfigValueError, loadConfig, pluginModules, type Config } from '../config.js';
import type { AdapterContext, DayCounters, PlatformAdapter, PlatformDescriptor } from '../delivery/platform.js';
import type { Logger } from '../logger.js';
// The editors' directory from its own module: the newsroom's index would load every slice (the feed parser, the
// HTML reader) into every command, `--help` included.
import { EditorDirectory } from '../newsroom/actor.js';
import type { NewsroomDeps } from '../newsroom/deps.js';
import type { DataPorts } from '../ports/index.js';
import type { Store } from '../store/index.js';
import { urlPasswords } from '../store/postgres/url-password.js';

/**
 * The platforms Nashra knows: one folder each under bots/, plus plug-ins. This file is the only place that names
 * them; everything else iterates the registry.
 */
export const BUILT_IN_PLATFORMS: readonly PlatformDescriptor[] = [
  telegramPlatform,
  whatsappPlatform,
  consolePlatform,
] as PlatformDescriptor[];

/**
 * The built-in platforms and the plug-ins named in NASHRA_PLUGINS (comma-separated module paths, relative to the
 * working directory, or package names), each exporting its descriptor as `platform`.
 */
export async function loadRegistry(
  env: Record<string, string | undefined> = process.env,
): Promise<PlatformDescriptor[]> {
  const registry = [...BUILT_IN_PLATFORMS];
  for (const spec of pluginModules(env)) {
    const url = existsSync(resolve(spec)) ? pathToFileURL(resolve(spec)).href : spec;
    let module: { platform?: PlatformDescriptor };
    try {
      module = (await import(url)) as { platform?: PlatformDescriptor };
    } catch (err) {
      throw new ConfigValueError('NASHRA_PLUGINS', {
        kind: 'plugin-unloadable',
        spec,
        why: err instanceof Error ? err.message.split('\n')[0]! : String(err),
      });
    }
    const p = module.platform;
    if (
      !p ||
      typeof p.name !== 'string' ||
      typeof p.createAdapter !== 'function' ||
      typeof p.classifyChat !== 'function' ||
      !p.markup
    ) {
      throw new ConfigValueError('NASHRA_PLUGINS', { kind: 'plugin-not-platform', spec });
    }
    if (registry.some((r) => r.name === p.name))
      throw new ConfigValueError('NASHRA_PLUGINS', { kind: 'plugin-duplicate', spec, name: p.name });
    registry.push(p);
  }
  return registry;
}

/**
 * The newsroom's dependencies for this configuration: one editor list built from every platform's settings. The
 * database is the SQLite store (its ports) or another adapter's ports (PostgreSQL).
 */
export function newsroomDeps(
  registry: readonly PlatformDescriptor[],
  config: Config,
  database: Store | DataPorts,
  logger: Logger,
  onQueued: () => void = () => {},
): NewsroomDeps {
  const data = 'ports' in database ? database.ports() : database;
  const configured = new Map(
    registry.map((p) => {
      const settings = config.platforms[p.name];
      return [p.name, settings !== undefined ? (p.editors?.(settings) ?? []) : []] as const;
    }),
  );
  return { data, config, logger, editors: new EditorDirectory(data.repos, configured), platforms: registry, onQueued };
}

/** Secrets of every configured platform, and the database's password, for the logger to mask. */
export function configuredSecrets(registry: readonly PlatformDescriptor[], config: Config): string[] {
  const platforms = registry.flatMap((p) =>
    config.platforms[p.name] !== undefined ? (p.secrets?.(config.platforms[p.name]) ?? []) : [],
  );
  return config.databaseUrl === undefined ? platforms : [...platforms, ...urlPasswords(config.databaseUrl)];
}

/**
 * Adapters for the platforms the configuration turns on, in registry order. A platform's trouble (a WhatsApp
 * logout) is told to the editors on the others. Adapters load their libraries lazily, so a CLI command that sends
 * nothing never pays for grammY or puppeteer at start-up. Each gets the store's day counters (WhatsApp's
 * daily cap), the one table a platform keeps itself.
 */
export async function createPlatforms(
  registry: readonly PlatformDescriptor[],
  ctx: Omit<AdapterContext, 'notifyOtherEditors' | 'sendCounters'>,
  sendCounters: DayCounters,
): Promise<PlatformAdapter[]> {
  const adapters: PlatformAdapter[] = [];
  for (const p of registry) {
    const settings = ctx.config.platforms[p.name];
    if (settings === undefined) continue;
    const notifyOtherEditors = async (text: string) => {
      for (const other of adapters) if (other.name !== p.name) await other.notifyEditors?.(text);
    };
    adapters.push(await p.createAdapter(settings, { ...ctx, sendCounters, notifyOtherEditors }));
  }
  return adapters;
}

/** True when every configured platform only prints on this machine: the embedded demo then runs. */
export function onlyLocalPlatforms(registry: readonly PlatformDescriptor[], config: Config): boolean {
  return registry.every((p) => p.local || config.platforms[p.name] === undefined);
}

/** The configuration with the built-in platforms' settings: what tests and benches start from. */
export const loadAppConfig = (env: Record<string, string | undefined>): Config => loadConfig(env, BUILT_IN_PLATFORMS);

/** An adapter's context outside `nashra run` (tests and benches that build one platform's adapter themselves). */
export function adapterContext(
  config: Config,
  store: Store,
  logger: Logger,
  options: {
    onQueued?: () => void;
    out?: (text: string) => void;
    notifyOtherEditors?: (text: string) => Promise<void>;
  } = {},
): AdapterContext {
  return {
    config,
    sendCounters: store.counters,
    logger,
    newsroom: newsroomDeps(BUILT_IN_PLATFORMS, config, store, logger, options.onQueued),
    out: options.out ?? ((text) => process.stdout.write(`${text}\n`)),
    notifyOtherEditors: options.notifyOtherEditors ?? (async () => {}),
  };
}
