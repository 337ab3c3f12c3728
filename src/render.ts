import type { Config } from './config.js';
import { DEFAULT_TEMPLATE, formatPost, type Platform } from './format.js';
import { toPost } from './pipeline.js';
import type { StoredArticle } from './store/index.js';

/** The message for one platform, with the configured template (header mark, footer) and time zone. */
export function renderArticle(article: StoredArticle, platform: Platform, config: Pick<Config, 'timeZone' | 'template'>, options: { caption?: boolean } = {}): string {
  const template = { ...DEFAULT_TEMPLATE, ...definedOnly(config.template) };
  return formatPost(toPost(article, config.timeZone), platform, { template, caption: options.caption });
}

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
