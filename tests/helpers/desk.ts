/** The desk on a temp database with one editor and a few articles, for the HTTP and browser tests. */
import { deskPlatforms } from '../../src/app/desk.js';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../src/app/platforms.js';
import type { Config } from '../../src/config.js';
import { hashPassword } from '../../src/desk/password.js';
import { buildDesk, startDesk, type DeskDeps, type DeskHandle } from '../../src/desk/server.js';
import { createLogger } from '../../src/logger.js';
import { storeArticle } from '../../src/newsroom/pipeline.js';
import { openStore, type Store, type StoredArticle } from '../../src/store/index.js';
import { sy24Article } from './sy24.js';
import { tempDir } from './tmp.js';

export const EDITOR = 'mona';
export const PASSWORD = 'correct horse battery';

export interface DeskFixture {
  store: Store; config: Config; deps: DeskDeps; lines: string[]; article: StoredArticle; cleanup(): void;
}

export async function deskFixture(env: Record<string, string> = {}, opts: { editor?: boolean; onQueued?: () => void } = {}): Promise<DeskFixture> {
  const { dir, cleanup } = tempDir('nashra-desk-');
  const config = loadAppConfig({ DATABASE_PATH: `${dir}/n.db`, ...env });
  const store = openStore(config.databasePath);
  const lines: string[] = [];
  if (opts.editor !== false) store.deskEditors.add(EDITOR, await hashPassword(PASSWORD), Date.now());
  const sy24 = sy24Article();
  const result = storeArticle(store, {
    url: 'https://www.sy24.org/badia', title: sy24.title, source: 'SY24', paragraphs: sy24.paragraphs, categories: ['الرّقة'],
    language: 'ar', publishedAt: new Date(),
  });
  if (result.status !== 'new') throw new Error('fixture article not stored');
  const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });
  const deps: DeskDeps = {
    newsroom: newsroomDeps(BUILT_IN_PLATFORMS, config, store, logger, opts.onQueued),
    platforms: deskPlatforms(BUILT_IN_PLATFORMS, false),
    out: (l) => lines.push(l),
  };
  return { store, config, deps, lines, article: result.article, cleanup: () => { store.close(); cleanup(); } };
}

export { buildDesk, startDesk, type DeskHandle };
