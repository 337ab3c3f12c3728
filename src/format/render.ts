import type { Config } from '../config.js';
import { DEFAULT_TEMPLATE, formatPost, type Markup, type Template } from './post.js';
import { toPost } from '../newsroom/pipeline.js';
import type { StoredArticle } from '../store/index.js';

type RenderConfig = Pick<Config, 'timeZone' | 'template'>;

/**
 * A broadcast renders the same stored article for every chat: keep the last few renderings per configuration.
 * A stored article changes only when an editor edits it, so (configuration, id, edit time, platform, caption)
 * identifies the text.
 */
const renderings = new WeakMap<RenderConfig, Map<string, string>>();
const RENDERINGS_KEPT = 64;

/** The message for one platform, with the configured template (header mark, footer) and time zone. */
export function renderArticle(article: StoredArticle, markup: Markup, config: RenderConfig, options: { caption?: boolean; template?: Partial<Template> } = {}): string {
  if (article.id <= 0 || options.template) return render(article, markup, config, options);
  let cache = renderings.get(config);
  if (!cache) renderings.set(config, (cache = new Map()));
  const key = `${article.id}:${article.edit?.at.getTime() ?? 0}:${markup.name}:${options.caption ? 1 : 0}`;
  let text = cache.get(key);
  if (text === undefined) {
    text = render(article, markup, config, options);
    if (cache.size >= RENDERINGS_KEPT) cache.delete(cache.keys().next().value!);
    cache.set(key, text);
  }
  return text;
}

function render(article: StoredArticle, markup: Markup, config: RenderConfig, options: { caption?: boolean; template?: Partial<Template> }): string {
  const template = { ...DEFAULT_TEMPLATE, ...definedOnly(config.template), ...urgentTemplate(article), ...definedOnly(options.template ?? {}) };
  const post = toPost(article, config.timeZone);
  // An urgent alert's text is its title: its "summary" would only repeat it.
  if (article.url.startsWith(URGENT_URL_PREFIX)) post.summary = post.summary.filter((s) => !article.title.includes(s.trim()));
  return formatPost(post, markup, { template, caption: options.caption });
}

/** URL scheme of an editor's urgent alert (`/urgent <text>`): it has no page to link to. */
export const URGENT_URL_PREFIX = 'urgent:';

/** An urgent alert shows the «عاجل» mark and no link (its URL is only a unique key). */
function urgentTemplate(article: StoredArticle): Partial<Template> {
  return article.url.startsWith(URGENT_URL_PREFIX) ? { headerMark: 'عاجل', showLink: false, showSource: false } : {};
}

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
