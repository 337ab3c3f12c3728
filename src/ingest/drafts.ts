/**
 * Feed items as Articles with the feed's own text (no page fetched), and the fingerprint a later poll compares: pure
 * functions of the item, so a large feed's items are drafted on the feed thread (src/ingest/feed-thread.ts) where
 * they were parsed, and only the drafts cross to the main thread.
 */
import { createHash } from 'node:crypto';
import type { Article } from '../model/article.js';
import type { Source } from '../model/source.js';
import { detectLanguage } from '../text/language.js';
import { notTextReason } from '../text/safety.js';
import { canonicalUrl } from '../text/url.js';
import type { FeedItem } from './feeds.js';
import { htmlToParagraphs, htmlToText, looksLikeExcerpt, stripTruncation } from './html-text.js';

/** Dates further ahead than this are clock or time-zone mistakes: clamped to the fetch time. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** What drafting needs of the source (a plain object, so it crosses to the feed thread). */
export type DraftSource = Pick<Source, 'name' | 'category'>;

/**
 * An item as its source publishes it: title, text (white space folded) and the source's modification date. A poll
 * compares it with the stored one to notice a change without fetching the article page again; a changed tracking
 * parameter or white space does not change it (the link is not part of it, the URL is matched canonical).
 */
export function feedHash(item: { title: string; paragraphs: string[]; modified?: string }): string {
  const text = [item.title, ...item.paragraphs]
    .join('\n')
    .replace(/[ \t\u00a0]+/g, ' ')
    .trim();
  return createHash('sha256')
    .update(`${text}\n${item.modified ?? ''}`)
    .digest('hex');
}

/** The start of a skipped item's title for the log line, or nothing when the title itself is binary junk. */
export async function loggableTitle(title: string | undefined): Promise<string | undefined> {
  if (!title) return undefined;
  if (notTextReason(title)) return undefined;
  return (await htmlToText(title)).slice(0, 80) || undefined;
}

/** pageUrl: the link as the feed gave it (canonical URLs drop WordPress's trailing slash, which costs a redirect). */
export interface Draft {
  article: Article;
  excerptOnly: boolean;
  pageUrl: string;
  feedHash: string;
}

/** A feed item as an Article with the feed's text; a string says why the item is skipped. */
export async function draftFrom(
  item: FeedItem,
  source: DraftSource,
  base: string,
  now: number,
): Promise<Draft | string> {
  // Checked on the raw fields: cleaning would remove the control characters that give binary data away.
  const notText = notTextReason([item.title, item.contentHtml ?? item.excerptHtml].filter(Boolean).join('\n'));
  if (notText) return `not text (${notText})`;
  const title = await htmlToText(item.title);
  if (!title) return 'no title';
  if (!item.link) return 'no link';
  let url: string;
  let pageUrl: string;
  try {
    const absolute = new URL(item.link, base);
    if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:')
      return `link is not http(s): ${absolute.protocol}`;
    pageUrl = absolute.href;
    url = canonicalUrl(pageUrl);
  } catch {
    return 'link is not a URL';
  }
  const content = await htmlToParagraphs(item.contentHtml);
  const excerpt = await htmlToParagraphs(item.excerptHtml);
  const paragraphs = content.length > 0 ? content : excerpt;
  const author = await htmlToText(item.author);
  const categories = (await Promise.all(item.categories.map(htmlToText))).filter(Boolean);
  const imageUrl = safeImage(item.imageUrl, base);
  const published = publishedAt(item.published, now);
  const article: Article = {
    url,
    title,
    source: source.name,
    ...(author && author !== source.name ? { author } : {}),
    ...(published ? { publishedAt: published } : {}),
    paragraphs,
    categories: withCategory(categories, source.category),
    ...(imageUrl ? { imageUrl } : {}),
    language: detectLanguage([title, ...paragraphs].join('\n')),
    ...(item.guid ? { guid: scopedGuid(item.guid, base) } : {}),
    ...(excerpt.length > 0 ? { excerpt: stripTruncation(excerpt).join(' ') } : {}),
  };
  return {
    article,
    excerptOnly: looksLikeExcerpt(paragraphs),
    pageUrl,
    feedHash: feedHash({ title, paragraphs, modified: item.modified }),
  };
}

/**
 * Dates in the future are clamped to the fetch time. A missing or unparseable one stays unknown: the fetch time
 * shown as the publication time would tell readers an old story was just published.
 */
export function publishedAt(raw: string | undefined, now: number): Date | undefined {
  const t = raw ? Date.parse(raw) : NaN;
  if (Number.isNaN(t)) return undefined;
  return new Date(t > now + FUTURE_TOLERANCE_MS ? now : t);
}

/** A GUID like "123" is only unique within its feed; URIs (WordPress "…?p=123", Atom tag:) are global. */
function scopedGuid(guid: string, feedUrl: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(guid) ? guid : `${new URL(feedUrl).host}#${guid}`;
}

function safeImage(raw: string | undefined, base: string): string | undefined {
  if (!raw) return undefined;
  try {
    const u = new URL(raw, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function withCategory(categories: string[], category: string | undefined): string[] {
  const all = category ? [...categories, category] : categories;
  return [...new Set(all)];
}
