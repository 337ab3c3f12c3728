/** The desk on a temp database with one editor and a few articles, for the HTTP and browser tests. */
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { deskPlatforms } from '../../src/app/desk.js';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../src/app/platforms.js';
import type { Config } from '../../src/config.js';
import { hashPassword } from '../../src/newsroom/password.js';
import { buildDesk, startDesk, type DeskDeps, type DeskHandle } from '../../src/desk/server.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { outletFile, outletSchema } from '../../src/app/outlets.js';
import type { DeskRole } from '../../src/model/outlet.js';
import { outletNewsrooms, type NewsroomDeps, type OutletNewsrooms } from '../../src/newsroom/index.js';
import { openPostgres } from '../../src/store/postgres/database.js';
import { storeArticleIn } from './articles.js';
import type { DataPorts } from '../../src/ports/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createDatabase, type RawDatabase } from './raw-db.js';
import type { StoredArticle } from '../../src/model/article.js';
import { sy24Article } from './sy24.js';

export const EDITOR = 'mona';
export const PASSWORD = 'correct horse battery';
const DESK_TOKEN = '123456789:AAHdeskTokenForNashraTests_abcdefXYZ';

/**
 * The editor's password hashed once per process (a real scrypt hash, production's parameters), not once per fixture:
 * each hash is about 100 ms of CPU, and 52 fixtures a run made one. Signing in still verifies it at full cost.
 */
let editorHash: Promise<string> | undefined;

export interface DeskFixture {
  /** This pass's database (tests/helpers/raw-db.ts): its ports, and rows through `db.sql`. */
  data: DataPorts;
  db: RawDatabase;
  /** SQLite's Store (a file not converted to `data` yet, or a SQLite-only test); throws in the PostgreSQL pass. */
  readonly store: Store;
  config: Config;
  deps: DeskDeps;
  lines: string[];
  article: StoredArticle;
  cleanup(): Promise<void>;
}

/**
 * A desk account, as `nashra editors add` makes it: a member of `main` (id 1, db/020) with a role, admin unless said.
 * The store's own add makes an account of no outlet, which the desk signs out at its first request.
 */
export async function addDeskAccount(
  data: DataPorts,
  username: string,
  passwordHash: string,
  role: DeskRole = 'admin',
): Promise<number> {
  const added = await data.repos.deskAccounts.add(username, passwordHash, Date.now());
  if (!added) throw new Error(`desk account ${username} not added`);
  await data.repos.outlets.setMembership(added.id, 1, role, Date.now());
  return added.id;
}

/**
 * The desk's outlets over a test's database (the minimal builder: `nashra run` builds the run's own): `main` is the
 * given newsroom; any outlet added to its registry is opened beside it (src/app/outlets.ts: a SQLite file beside
 * main's, or a schema of DATABASE_URL's database), with the same configuration; `close` closes every one.
 */
export function storeOutlets(
  config: Config,
  main: NewsroomDeps,
  logger: Logger,
): { outlets: OutletNewsrooms; close(): Promise<void> } {
  const stores = new Map<string, Store>();
  const pools: Array<{ close(): Promise<void> }> = [];
  const outlets = outletNewsrooms(main, async (slug) => {
    if (config.databaseUrl !== undefined) {
      const ports = await openPostgres(config.databaseUrl, { schema: outletSchema(slug), max: 2 });
      pools.push(ports);
      return newsroomDeps(BUILT_IN_PLATFORMS, config, ports, logger);
    }
    const store = openStore(outletFile(config.databasePath, slug));
    stores.set(slug, store);
    return newsroomDeps(BUILT_IN_PLATFORMS, config, store, logger);
  });
  const close = async () => {
    for (const s of stores.values()) s.close();
    for (const p of pools) await p.close();
  };
  return { outlets, close };
}

export async function deskFixture(
  env: Record<string, string> = {},
  opts: { editor?: boolean; onQueued?: () => void } = {},
): Promise<DeskFixture> {
  const db = await createDatabase();
  const data = db.ports;
  // Telegram is on, as in a newsroom (a token the tests never use: the desk sends nothing itself).
  const config = loadAppConfig({ ...db.env, TELEGRAM_BOT_TOKEN: DESK_TOKEN, ...env });
  const lines: string[] = [];
  if (opts.editor !== false) {
    editorHash ??= hashPassword(PASSWORD);
    await addDeskAccount(data, EDITOR, await editorHash);
  }
  const sy24 = sy24Article();
  const result = await storeArticleIn(data, {
    url: 'https://www.sy24.org/badia',
    title: sy24.title,
    source: 'SY24',
    paragraphs: sy24.paragraphs,
    categories: ['الرّقة'],
    language: 'ar',
    publishedAt: new Date(),
  });
  if (result.status !== 'new') throw new Error('fixture article not stored');
  const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });
  const { outlets, close } = storeOutlets(
    config,
    newsroomDeps(BUILT_IN_PLATFORMS, config, data, logger, opts.onQueued),
    logger,
  );
  const deps: DeskDeps = {
    outlets,
    platforms: deskPlatforms(BUILT_IN_PLATFORMS, config, false),
    announceSetup: (l) => lines.push(l),
  };
  return {
    data,
    db,
    get store() {
      return db.sqliteStore();
    },
    config,
    deps,
    lines,
    article: result.article,
    cleanup: async () => {
      await close();
      await db.close();
    },
  };
}

export { buildDesk, startDesk, type DeskHandle };

/** A browser's cookie jar, so that a test signs in and posts forms as an editor does. */
export interface Jar {
  cookies: Map<string, string>;
}
export const jar = (): Jar => ({ cookies: new Map() });
const cookieHeader = (j: Jar) => [...j.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
function keep(j: Jar, res: { headers: Record<string, unknown> }): void {
  const set = res.headers['set-cookie'];
  for (const c of (Array.isArray(set) ? set : set ? [set] : []) as string[]) {
    const [pair] = c.split(';');
    const [k, ...v] = pair!.split('=');
    if (/Expires=Thu, 01 Jan 1970/i.test(c)) j.cookies.delete(k!);
    else j.cookies.set(k!, v.join('='));
  }
}

export async function get(app: FastifyInstance, j: Jar, url: string, extra: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(j), ...extra } });
  keep(j, res);
  return res;
}
export async function post(
  app: FastifyInstance,
  j: Jar,
  url: string,
  form: Record<string, string>,
  extra: { remoteAddress?: string } = {},
) {
  const res = await app.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams(form).toString(),
    remoteAddress: extra.remoteAddress,
    headers: { cookie: cookieHeader(j), 'content-type': 'application/x-www-form-urlencoded' },
  });
  keep(j, res);
  return res;
}
export const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

export async function signIn(app: FastifyInstance, j: Jar, password = PASSWORD, username = EDITOR) {
  const page = await get(app, j, '/login');
  return post(app, j, '/login', { _csrf: csrfOf(page.body), username, password });
}

/**
 * A desk for each test of the calling file: the returned `setup` builds it on a fresh database, and after the test
 * it is closed and the database removed.
 */
export function deskPerTest(): (
  env?: Record<string, string>,
  opts?: { editor?: boolean },
) => Promise<{ f: DeskFixture; app: FastifyInstance }> {
  let fixture: DeskFixture | undefined;
  let desk: FastifyInstance | undefined;
  afterEach(async () => {
    await desk?.close();
    await fixture?.cleanup();
    desk = undefined;
    fixture = undefined;
  });
  return async (env = {}, opts = {}) => {
    fixture = await deskFixture(env, opts);
    desk = await buildDesk(fixture.deps);
    return { f: fixture, app: desk };
  };
}
