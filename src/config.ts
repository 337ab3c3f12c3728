import { ConfigError } from './errors.js';
import { catalogue, type Catalogue, type SaidByMeaning } from './i18n/index.js';
import type { ConfigProblem } from './i18n/values.js';
import type { LogLevel } from './logger.js';
import type { InDoubtPolicy } from './model/delivery.js';
import { LINK_PREVIEWS, type MessageTemplate } from './model/template.js';

/**
 * A variable whose value is wrong, by meaning: the CLI says `problem` in its language (the catalogue's `cli.config`);
 * the message is the English one, for the logs and every other place that starts Nashra.
 */
export class ConfigValueError extends ConfigError implements SaidByMeaning {
  constructor(
    variable: string,
    readonly problem: ConfigProblem,
  ) {
    super(variable, catalogue('en').cli.config(problem));
  }
  said(words: Catalogue): string {
    return `${this.variable}: ${words.cli.config(this.problem)}`;
  }
}

/** Everything Nashra reads from the environment, parsed once. See .env.example for what each one means. */
export interface Config {
  databasePath: string;
  /** A PostgreSQL database (postgres://…) instead of the SQLite file; its password is masked in every log line. */
  databaseUrl?: string;
  logLevel: LogLevel;
  logFormat: 'text' | 'json';
  timeZone: string;
  /** The language of what the CLI prints (NASHRA_CLI_LANGUAGE): English unless the operator asks for Arabic. */
  cliLanguage: 'en' | 'ar';
  summary: { sentences: number; minSentences: number; maxChars: number };
  /** Every chat's template unless it chose otherwise (subscription_templates); unset fields: the formatter's defaults. */
  template: MessageTemplate;
  /** Topics offered to subscribers as buttons, beside the categories the sources used lately. */
  topics: string[];
  inDoubtPolicy: InDoubtPolicy;
  /** How long after first publication a source's changed item corrects the posts already sent; 0: never. */
  correctionWindowMs: number;
  healthPort?: number;
  /** The editors' web desk: served when `port` is set (and by `npm start` on `defaultPort` with no platform). */
  web: {
    port?: number;
    defaultPort: number;
    host: string;
    secureCookies: boolean;
    trustProxy: boolean;
    sessionIdleMs: number;
  };
  fetch: {
    allowPrivate: boolean;
    timeoutMs: number;
    maxBytes: number;
    userAgent: string;
    concurrency: number;
    /** On PostgreSQL (several runs): a run's poll of a source is handed to another run this long after it began, if not done. */
    pollExpirySeconds: number;
  };
  /**
   * Push ingest: `publicUrl` is where WebSub hubs and publish hooks reach the desk's server (NASHRA_PUBLIC_URL; no
   * WebSub subscriptions without it); a source its hub pushes is still polled, `safetyPollFactor` times less often.
   */
  push: { publicUrl?: string; safetyPollFactor: number };
  /**
   * Clicks on posts' links (NASHRA_TRACK_CLICKS, off by default): each post links to `<publicUrl>/r/<code>`, which
   * the desk's server answers with a redirect to the article and counts per post and hour (src/newsroom/clicks.ts).
   * `publicUrl` is NASHRA_PUBLIC_URL, required when tracking is on.
   */
  clicks: { track: boolean; publicUrl?: string };
  /** Plug-in platforms' modules (NASHRA_PLUGINS), loaded by src/app/platforms.ts before the rest is read. */
  plugins: string[];
  /** Each configured platform's own settings, by name, as its descriptor parsed them (bots/<platform>/platform.ts). */
  platforms: Record<string, unknown>;
  /** Said once at start-up: unknown variables (with the closest known name). */
  warnings: string[];
}

export type Env = Record<string, string | undefined>;

/** What loadConfig needs of a platform: how it reads its variables (the rest of its descriptor is in src/delivery/platform.ts). */
export interface PlatformSettingsParser {
  readonly name: string;
  /**
   * Its settings, or undefined when it is off; every variable it reads is checked even then. The variables it
   * reads from an empty environment are its known variables (knownVariables), so it reads each of them then.
   */
  parseSettings(env: Env): unknown;
  /**
   * Variables of the machine rather than of an account (a browser's path, the API's address): an outlet's platform
   * reads them from the unprefixed environment when its prefix does not set them. Never a secret or an account's
   * setting: an outlet's token, session and editors come from its own prefix alone.
   */
  readonly machineVariables?: readonly string[];
}

/** The variables read while configuring: the only list of known variables, so it cannot drift from the code. */
function recording(env: Env, read: Set<string>): Env {
  return new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
}

/**
 * Every variable Nashra reads: those the core and each platform's parseSettings ask for from an empty environment,
 * where every default is taken and so every fallback (CHROME_PATH, then PUPPETEER_EXECUTABLE_PATH) is read.
 */
export function knownVariables(platforms: readonly PlatformSettingsParser[] = []): string[] {
  const read = new Set<string>();
  readConfig(recording({}, read), platforms);
  return [...read].sort();
}

export function loadConfig(env: Env = process.env, platforms: readonly PlatformSettingsParser[] = []): Config {
  const read = new Set<string>();
  const config = readConfig(recording(env, read), platforms);
  // What this environment made the code read (a plug-in reading a variable only once another is set) counts too.
  const known = [...new Set([...knownVariables(platforms), ...read])];
  config.warnings = unknownVariables(env, known, ['NASHRA_', ...platforms.map((p) => `${p.name.toUpperCase()}_`)]);
  return config;
}

/**
 * What one process has whatever the outlets it serves: where the databases are, the logs, the health server and the
 * desk (served once per process), the plug-ins, the public address of that server, and the CLI's language. An
 * outlet's prefix never changes them.
 */
const PROCESS_WIDE =
  /^(DATABASE_(PATH|URL)|LOG_(LEVEL|FORMAT)|NASHRA_HEALTH_PORT|NASHRA_WEB_[A-Z_]+|NASHRA_PLUGINS|NASHRA_PUBLIC_URL|NASHRA_CLI_LANGUAGE)$/;

/**
 * An outlet's configuration (issue 24 §4), for an outlet other than `main` (whose configuration is loadConfig's):
 * the general settings as `main` reads them, each overridden by the same variable under the outlet's prefix
 * (`SY24_NASHRA_TIME_ZONE`), except the process's own (PROCESS_WIDE); its platforms from the prefixed variables
 * alone (`SY24_TELEGRAM_BOT_TOKEN`), so `main`'s token is never another outlet's, and an outlet without its own
 * has that platform off. A platform's machineVariables fall back to the unprefixed ones.
 */
export function loadOutletConfig(env: Env, platforms: readonly PlatformSettingsParser[], envPrefix: string): Config {
  const prefixed = (name: string) => `${envPrefix}${name}`;
  const general = new Proxy(env, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      return !PROCESS_WIDE.test(name) && str(target, prefixed(name)) !== undefined
        ? target[prefixed(name)]
        : target[name];
    },
  });
  const platformEnvs = new Map(platforms.map((p) => [p.name, outletPlatformEnv(env, p, envPrefix)]));
  let config: Config;
  try {
    config = readConfig(general, platforms, (p) => platformEnvs.get(p.name)!);
  } catch (err) {
    // The variable the operator sets is the prefixed one (or, for a general setting it did not override, the plain one).
    if (err instanceof ConfigError && str(env, prefixed(err.variable)) !== undefined) {
      if (err instanceof ConfigValueError) throw new ConfigValueError(prefixed(err.variable), err.problem);
      throw new ConfigError(prefixed(err.variable), err.message.slice(err.variable.length + 2));
    }
    throw err;
  }
  config.warnings = unknownVariables(
    env,
    knownVariables(platforms)
      .filter((v) => !PROCESS_WIDE.test(v))
      .map(prefixed),
    [envPrefix],
  );
  return config;
}

/**
 * What an outlet's platform reads as its environment: each variable under the outlet's prefix (prefix stripped), and
 * only its machine variables from the unprefixed environment when the prefix does not set them.
 */
export function outletPlatformEnv(
  env: Env,
  platform: Pick<PlatformSettingsParser, 'machineVariables'>,
  envPrefix: string,
): Env {
  return new Proxy(env, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      const own = `${envPrefix}${name}`;
      return str(target, own) === undefined && platform.machineVariables?.includes(name) ? target[name] : target[own];
    },
  });
}

function readConfig(
  env: Env,
  platforms: readonly PlatformSettingsParser[],
  platformEnv: (p: PlatformSettingsParser) => Env = () => env,
): Config {
  const summary = {
    sentences: int(env, 'NASHRA_SUMMARY_SENTENCES', 3, 1, 10),
    minSentences: int(env, 'NASHRA_SUMMARY_MIN_SENTENCES', 2, 1, 10),
    maxChars: int(env, 'NASHRA_SUMMARY_MAX_CHARS', 600, 80, 3000),
  };
  if (summary.minSentences > summary.sentences) {
    throw new ConfigValueError('NASHRA_SUMMARY_MIN_SENTENCES', {
      kind: 'more-than',
      value: summary.minSentences,
      other: 'NASHRA_SUMMARY_SENTENCES',
      otherValue: summary.sentences,
    });
  }
  const settings: Record<string, unknown> = {};
  for (const p of platforms) {
    const parsed = p.parseSettings(platformEnv(p));
    if (parsed !== undefined) settings[p.name] = parsed;
  }
  return {
    databasePath: str(env, 'DATABASE_PATH') ?? './data/nashra.db',
    databaseUrl: databaseUrl(env),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['text', 'json'] as const, 'text'),
    timeZone: timeZone(env, 'NASHRA_TIME_ZONE', 'Asia/Damascus'),
    cliLanguage: cliLanguage(env),
    summary,
    template: {
      headerMark: str(env, 'NASHRA_HEADER_MARK'),
      footer: str(env, 'NASHRA_FOOTER'),
      showHashtags: optionalBool(env, 'NASHRA_SHOW_HASHTAGS'),
      showSource: optionalBool(env, 'NASHRA_SHOW_SOURCE'),
      showDate: optionalBool(env, 'NASHRA_SHOW_DATE'),
      leadPhoto: optionalBool(env, 'NASHRA_LEAD_PHOTO'),
      linkPreview:
        str(env, 'NASHRA_LINK_PREVIEW') === undefined
          ? undefined
          : oneOf(env, 'NASHRA_LINK_PREVIEW', LINK_PREVIEWS, 'small'),
    },
    topics: (str(env, 'NASHRA_TOPICS') ?? '')
      .split(/[,،]/)
      .map((t) => t.trim())
      .filter(Boolean),
    inDoubtPolicy: oneOf(env, 'NASHRA_IN_DOUBT_POLICY', ['hold', 'resend'] as const, 'hold'),
    correctionWindowMs: duration(env, 'NASHRA_CORRECTION_WINDOW', 48 * 3600 * 1000),
    healthPort: optionalInt(env, 'NASHRA_HEALTH_PORT', 1, 65535),
    web: {
      port: optionalInt(env, 'NASHRA_WEB_PORT', 1, 65535),
      defaultPort: 8080,
      host: str(env, 'NASHRA_WEB_HOST') ?? '127.0.0.1',
      secureCookies: bool(env, 'NASHRA_WEB_SECURE_COOKIES', false),
      trustProxy: bool(env, 'NASHRA_WEB_TRUST_PROXY', false),
      sessionIdleMs: int(env, 'NASHRA_WEB_SESSION_IDLE_HOURS', 12, 1, 24 * 30) * 3600 * 1000,
    },
    fetch: {
      allowPrivate: bool(env, 'NASHRA_ALLOW_PRIVATE_FETCH', false),
      timeoutMs: int(env, 'NASHRA_FETCH_TIMEOUT_MS', 15000, 100),
      // At most 1 GiB: a body is held in one Buffer (at most 4 GiB in Node 20), and no feed or page comes near.
      maxBytes: int(env, 'NASHRA_FETCH_MAX_BYTES', 5 * 1024 * 1024, 1024, 1024 ** 3),
      userAgent:
        str(env, 'NASHRA_USER_AGENT') ?? 'Nashra/0.1 (+https://github.com/nashra-news/nashra; news summary bot)',
      concurrency: int(env, 'NASHRA_FETCH_CONCURRENCY', 8, 1, 64),
      // 5 min: a poll is a feed (≤ 15 s) and its new items' pages, 3 at a time (each ≤ 15 s), then storing them.
      pollExpirySeconds: int(env, 'NASHRA_POLL_EXPIRY_SECONDS', 300, 2, 86_400),
    },
    push: {
      publicUrl: str(env, 'NASHRA_PUBLIC_URL') === undefined ? undefined : url(env, 'NASHRA_PUBLIC_URL', ''),
      safetyPollFactor: int(env, 'NASHRA_PUSH_POLL_FACTOR', 6, 1, 1000),
    },
    clicks: clickSettings(env),
    plugins: pluginModules(env),
    platforms: settings,
    warnings: [],
  };
}

/**
 * The CLI's language: English by default (terminals lay out right-to-left text badly, and ops read the output in
 * logs), Arabic when NASHRA_CLI_LANGUAGE=ar. One variable rather than LANG/LC_ALL: a server's locale is often
 * C.UTF-8 or en_US whatever its operators read, and a wrong value here is refused, not guessed at.
 */
export function cliLanguage(env: Env): 'en' | 'ar' {
  return oneOf(env, 'NASHRA_CLI_LANGUAGE', ['en', 'ar'] as const, 'en');
}

function clickSettings(env: Env): Config['clicks'] {
  const track = bool(env, 'NASHRA_TRACK_CLICKS', false);
  const publicUrl = str(env, 'NASHRA_PUBLIC_URL') === undefined ? undefined : url(env, 'NASHRA_PUBLIC_URL', '');
  if (track && publicUrl === undefined) {
    throw new ConfigValueError('NASHRA_TRACK_CLICKS', { kind: 'clicks-without-public-url' });
  }
  return { track, publicUrl };
}

/**
 * A misspelled variable (NASHRA_TIMEZONE for NASHRA_TIME_ZONE) would otherwise be ignored without a word: every
 * variable with one of Nashra's prefixes that Nashra does not read is named, with the closest one it does.
 */
function unknownVariables(env: Env, known: readonly string[], prefixes: readonly string[]): string[] {
  const knownSet = new Set(known);
  return Object.keys(env)
    .filter((name) => prefixes.some((p) => name.startsWith(p)) && !knownSet.has(name))
    .sort()
    .map((name) => {
      const closest = known.map((k) => ({ k, d: editDistance(name, k) })).sort((a, b) => a.d - b.d)[0];
      return closest && closest.d <= Math.max(3, Math.floor(name.length / 4))
        ? `${name} is not a Nashra variable; did you mean ${closest.k}?`
        : `${name} is not a Nashra variable (see .env.example); it is ignored`;
    });
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** NASHRA_PLUGINS: comma-separated module paths or package names. */
export function pluginModules(env: Env): string[] {
  return list(env, 'NASHRA_PLUGINS');
}

export function str(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

export function int(env: Env, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const v = str(env, name);
  if (v === undefined) return fallback;
  // Digits only, as written: Number() also reads «1e3» and «0x10».
  const n = /^-?\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigValueError(name, { kind: 'whole-number', value: v, min, max });
  }
  return n;
}

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `48h`, `90m`, `2d` or `30s`; a bare number is hours (`0` switches the feature off). */
export function duration(env: Env, name: string, fallbackMs: number): number {
  const v = str(env, name);
  if (v === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/i.exec(v);
  if (!m) throw new ConfigValueError(name, { kind: 'duration', value: v });
  return Math.round(Number(m[1]) * DURATION_UNITS[(m[2] || 'h').toLowerCase()]!);
}

export function optionalInt(env: Env, name: string, min: number, max: number): number | undefined {
  return str(env, name) === undefined ? undefined : int(env, name, 0, min, max);
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = str(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigValueError(name, { kind: 'boolean', value: v });
}

/** Undefined when unset: the default is decided further on (a chat's template, then the formatter's). */
export function optionalBool(env: Env, name: string): boolean | undefined {
  return str(env, name) === undefined ? undefined : bool(env, name, true);
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const v = str(env, name);
  if (v === undefined) return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new ConfigValueError(name, { kind: 'one-of', value: v, allowed });
}

export function list(env: Env, name: string): string[] {
  return (str(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function url(env: Env, name: string, fallback: string): string {
  const v = str(env, name) ?? fallback;
  try {
    return new URL(v).toString().replace(/\/$/, '');
  } catch {
    throw new ConfigValueError(name, { kind: 'url', value: v });
  }
}

export function timeZone(env: Env, name: string, fallback: string): string {
  const v = str(env, name) ?? fallback;
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return v;
  } catch {
    throw new ConfigValueError(name, { kind: 'time-zone', value: v });
  }
}

/** DATABASE_URL: unset (SQLite at DATABASE_PATH) or a PostgreSQL URL; anything else is a mistake said at start-up. */
function databaseUrl(env: Env): string | undefined {
  const url = str(env, 'DATABASE_URL');
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigValueError('DATABASE_URL', { kind: 'database-url' });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigValueError('DATABASE_URL', {
      kind: 'database-protocol',
      protocol: parsed.protocol.replace(/:$/, ''),
    });
  }
  return url;
}
