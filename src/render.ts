import type { Config } from './config.js';
import { DEFAULT_TEMPLATE, formatPost, type Platform, type Template } from './format.js';
import { toPost } from './pipeline.js';
import type { StoredArticle } from './store/index.js';

/** The message for one platform, with the configured template (header mark, footer) and time zone. */
export function renderArticle(article: StoredArticle, platform: Platform, config: Pick<Config, 'timeZone' | 'template'>, options: { caption?: boolean; template?: Partial<Template> } = {}): string {
  const template = { ...DEFAULT_TEMPLATE, ...definedOnly(config.template), ...urgentTemplate(article), ...definedOnly(options.template ?? {}) };
  const post = toPost(article, config.timeZone);
  // An urgent alert's text is its title: its "summary" would only repeat it.
  if (article.url.startsWith(URGENT_URL_PREFIX)) post.summary = post.summary.filter((s) => !article.title.includes(s.trim()));
  return formatPost(post, platform, { template, caption: options.caption });
}

/** URL scheme of an editor's urgent alert (`/urgent <text>`): it has no page to link to. */
export const URGENT_URL_PREFIX = 'urgent:';

/** An urgent alert shows the «عاجل» mark and no link (its URL is only a unique key). */
function urgentTemplate(article: StoredArticle): Partial<Template> {
  return article.url.startsWith(URGENT_URL_PREFIX) ? { headerMark: 'عاجل', showLink: false, showSource: false } : {};
}

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
