import { catalogue } from '../i18n/index.js';
import type { Config } from '../config.js';
import type { Post, StoredArticle } from '../model/article.js';
import type { MessageTemplate } from '../model/template.js';
import { DEFAULT_TEMPLATE, formatPost, type Markup, type Template } from './post.js';

type RenderConfig = Pick<Config, 'timeZone' | 'template'>;

export interface RenderOptions {
  /** A photo's caption: the platform's caption limit. */
  caption?: boolean;
  /**
   * A chat's own template (subscription_templates) or a message kind's (a digest item): over the configured one,
   * field by field; fields it leaves undefined keep the configuration's.
   */
  template?: Partial<Template> | MessageTemplate;
  /** A tighter limit than the platform's (one item of a digest). */
  maxLength?: number;
}

/**
 * A broadcast renders the same stored article for every chat: keep the last few renderings per configuration.
 * A stored article changes only when an editor edits it or a correction revises it, so (configuration, id, revision,
 * edit time, platform, caption, the chat's template, the link) identifies the text: 10,000 chats with a handful of
 * distinct templates render a handful of times. The link is each chat's own when clicks are counted (a code per post,
 * src/newsroom/clicks.ts): then every chat's post is rendered for it.
 */
const renderings = new WeakMap<RenderConfig, Map<string, string>>();
const RENDERINGS_KEPT = 64;

/**
 * The one rendering path for every message kind (a delivery, a preview, /latest, a digest item): the configured
 * template (header mark, footer) and time zone, and for an urgent alert the «عاجل» mark without source or link.
 */
export function renderArticle(
  article: StoredArticle,
  markup: Markup,
  config: RenderConfig,
  options: RenderOptions = {},
): string {
  if (article.id <= 0 || options.maxLength !== undefined) return render(article, markup, config, options);
  let cache = renderings.get(config);
  if (!cache) {
    cache = new Map();
    renderings.set(config, cache);
  }
  const own = options.template ? JSON.stringify(textFields(options.template)) : '';
  const key = `${article.id}:${article.revision}:${article.edit?.at.getTime() ?? 0}:${markup.name}:${options.caption ? 1 : 0}:${article.url ?? ''}:${own}`;
  let text = cache.get(key);
  if (text === undefined) {
    text = render(article, markup, config, options);
    if (cache.size >= RENDERINGS_KEPT) cache.delete(cache.keys().next().value!);
    cache.set(key, text);
  }
  return text;
}

function render(article: StoredArticle, markup: Markup, config: RenderConfig, options: RenderOptions): string {
  // An urgent alert keeps its mark whatever the caller's template (a digest drops the configured header mark).
  const template: Template = {
    ...DEFAULT_TEMPLATE,
    ...textFields(config.template),
    ...textFields(options.template ?? {}),
    ...(article.urgent ? URGENT_TEMPLATE : {}),
  };
  const post = toPost(article, config.timeZone);
  // An urgent alert's text is its title: its "summary" would only repeat it.
  if (article.urgent) post.summary = post.summary.filter((s) => !article.title.includes(s.trim()));
  return formatPost(post, markup, { template, caption: options.caption, maxLength: options.maxLength });
}

/** An article without a date shows none: the time it was stored is not its publication time. */
function toPost(article: StoredArticle, defaultTimeZone: string): Post {
  return {
    // Only a public web address is ever shown: not a local file's path, not an internal identifier.
    title: article.title,
    summary: article.summary,
    source: article.source,
    url: article.url && /^https?:\/\//i.test(article.url) ? article.url : undefined,
    publishedAt: article.publishedAt,
    hashtags: article.hashtags,
    imageUrl: article.imageUrl,
    timeZone: article.timeZone ?? defaultTimeZone,
  };
}

/** An urgent alert shows the «🔴 عاجل» mark and neither source nor link: it is the newsroom's own word. */
const URGENT_TEMPLATE: Partial<Template> = {
  headerMark: catalogue('ar').post.urgentMark,
  showLink: false,
  showSource: false,
};

/** The fields that shape the text (leadPhoto and linkPreview are the transport's), those that are set. */
function textFields(t: Partial<Template> | MessageTemplate): Partial<Template> {
  const picked: Partial<Template> = {
    headerMark: t.headerMark,
    footer: t.footer,
    showHashtags: t.showHashtags,
    showSource: t.showSource,
    showDate: t.showDate,
    showLink: 'showLink' in t ? t.showLink : undefined,
  };
  return Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined)) as Partial<Template>;
}

/**
 * A chat's template over the configured one, field by field, including what only the transport uses (lead photo,
 * link preview): what a platform's transport asks before it sends.
 */
export function effectiveTemplate(config: Pick<Config, 'template'>, own: MessageTemplate | undefined): MessageTemplate {
  const set = (t: MessageTemplate) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
  return { ...set(config.template), ...set(own ?? {}) };
}
