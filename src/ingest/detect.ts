/**
 * What an editor's URL is: a feed, a WordPress site (REST API preferred, then its feed), or one article page.
 */
import { fetchText, type FetchedText, type FetchOptions } from './http.js';
import { NotAnArticleError, readHtml } from './reader.js';
import type { SourceKind } from '../model/source.js';
import { FeedParseError, looksLikeFeed, parseFeedText, type ParsedFeed } from './feeds.js';
import { htmlToText } from './html-text.js';
import { htmlLibraries } from './parsers.js';

export interface Detection {
  kind: SourceKind;
  /** What is polled. */
  feedUrl: string;
  name: string;
  /** One line for the editor: what was found and what will be polled. */
  description: string;
  /** The response already fetched from feedUrl, so the first poll does not fetch it again. */
  response: FetchedText;
  /** Another address of the same feed: its self link, or the RSS feed of a site whose REST API is polled. */
  altFeedUrl?: string;
  /** The site's page. */
  siteUrl?: string;
}

/** The URL is reachable but is neither a feed, a WordPress site nor an article page. */
export class NotASourceError extends Error {
  override name = 'NotASourceError';
}

const MIN_ARTICLE_CHARS = 200;

const KIND_LABEL: Record<SourceKind, string> = {
  rss: 'RSS feed',
  atom: 'Atom feed',
  json: 'JSON Feed',
  wordpress: 'WordPress site',
  page: 'Article page',
};

export async function detectSource(url: string, fetch: FetchOptions): Promise<Detection> {
  const res = await fetchText(url, fetch);
  const asFeed = await tryFeed(res);
  // A document that is a feed but a broken one is reported as polling would report it (the XML error and its line),
  // not as "not a feed".
  if (asFeed instanceof FeedParseError) throw new NotASourceError(`${res.url}: ${asFeed.message}`);
  if (asFeed) return { ...found(asFeed.kind, res, asFeed.feed.title), ...addresses(asFeed.feed, res.url) };

  const { parseHTML } = await htmlLibraries();
  const { document } = parseHTML(res.text);
  const siteName =
    (await htmlToText(document.querySelector('meta[property="og:site_name"]')?.getAttribute('content') ?? '')) ||
    (await htmlToText(document.querySelector('title')?.textContent ?? '')) ||
    undefined;

  const apiRoot = document.querySelector('link[rel="https://api.w.org/"]')?.getAttribute('href');
  const feedHref = [...document.querySelectorAll('link[rel~="alternate"]')]
    .filter((l) => /application\/(rss|atom)\+xml|application\/feed\+json/i.test(l.getAttribute('type') ?? ''))
    .map((l) => l.getAttribute('href') ?? '')
    .find((href) => href && !/\/comments\/feed|comments/i.test(href));
  const feedUrl = feedHref ? httpAddress(feedHref, res.url) : undefined;
  if (apiRoot) {
    const endpoint = wordpressPostsUrl(apiRoot, res.url);
    const api = await fetchText(endpoint, fetch).catch(() => undefined);
    const parsed = api && (await tryFeed(api));
    if (api && parsed && !(parsed instanceof FeedParseError) && parsed.kind === 'wordpress') {
      return {
        ...found('wordpress', api, siteName),
        altFeedUrl: feedUrl ?? wordpressFeedUrl(api.url),
        siteUrl: res.url,
      };
    }
  }
  if (feedUrl) {
    const feedRes = await fetchText(feedUrl, fetch);
    const parsed = await tryFeed(feedRes);
    if (!parsed || parsed instanceof FeedParseError) {
      throw new NotASourceError(
        `${url}: the page links to a feed at ${feedUrl}, but that is not a readable feed${parsed ? ` (${parsed.message})` : ''}`,
      );
    }
    const detection = found(
      apiRoot ? 'wordpress' : parsed.kind,
      feedRes,
      siteName ?? parsed.feed.title,
      apiRoot ? 'WordPress site (its feed; the REST API did not answer)' : undefined,
    );
    return { ...detection, altFeedUrl: addresses(parsed.feed, feedRes.url).altFeedUrl, siteUrl: res.url };
  }
  try {
    const article = await readHtml(res.text, res.url);
    // Readability finds "content" on almost any page; an article has at least a few sentences of it.
    if (article.paragraphs.join(' ').length >= MIN_ARTICLE_CHARS) return found('page', res, article.source);
  } catch (err) {
    if (!(err instanceof NotAnArticleError)) throw err;
  }
  throw new NotASourceError(
    `${url}: not a feed (RSS, Atom, JSON Feed), a WordPress site or an article page` +
      (res.contentType ? ` (content type ${res.contentType.split(';')[0]})` : ''),
  );
}

function found(kind: SourceKind, response: FetchedText, name: string | undefined, label = KIND_LABEL[kind]): Detection {
  return {
    kind,
    feedUrl: response.url,
    response,
    name: name?.trim() || new URL(response.url).hostname,
    description: `${label}: polling ${response.url}`,
  };
}

/** The addresses a feed gives for itself and its site, absolute, http(s) only. */
function addresses(feed: ParsedFeed, base: string): Pick<Detection, 'altFeedUrl' | 'siteUrl'> {
  return {
    altFeedUrl: feed.selfUrl && httpAddress(feed.selfUrl, base),
    siteUrl: feed.siteUrl && httpAddress(feed.siteUrl, base),
  };
}

function httpAddress(href: string, base: string): string | undefined {
  try {
    const u = new URL(href, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** The feed; undefined when the document does not look like one; the parse error when it looks like one but is broken. */
async function tryFeed(res: FetchedText): Promise<{ kind: SourceKind; feed: ParsedFeed } | FeedParseError | undefined> {
  const text = res.text.trimStart();
  const jsonArray = text.startsWith('[') && /json/i.test(res.contentType);
  if (!jsonArray && !looksLikeFeed(text, res.contentType)) return undefined;
  try {
    const feed = await parseFeedText(text);
    return { kind: feed.format, feed };
  } catch (err) {
    if (err instanceof FeedParseError) return err;
    throw err;
  }
}

/** https://site/wp-json/ → https://site/wp-json/wp/v2/posts?_embed (and the ?rest_route=/ form). */
export function wordpressPostsUrl(apiRoot: string, pageUrl: string): string {
  const root = new URL(apiRoot, pageUrl);
  if (root.searchParams.has('rest_route')) {
    root.searchParams.set('rest_route', '/wp/v2/posts');
    root.searchParams.set('_embed', '1');
    return root.href;
  }
  if (!root.pathname.endsWith('/')) root.pathname += '/';
  const posts = new URL('wp/v2/posts', root);
  posts.searchParams.set('_embed', '1');
  return posts.href;
}

/** True for a WordPress REST API posts URL (wordpressPostsUrl's output, either form). */
export function isWordPressApiUrl(url: string): boolean {
  const u = new URL(url);
  return u.searchParams.has('rest_route') || /\/wp-json\/wp\/v2\/posts\/?$/.test(u.pathname);
}

/**
 * A WordPress site's RSS feed from its posts API URL, for a site whose pages did not name it: <root>/feed/ with
 * pretty permalinks (the /wp-json/ form), <root>/?feed=rss2 without (the ?rest_route= form).
 */
export function wordpressFeedUrl(postsUrl: string): string {
  const u = new URL(postsUrl);
  if (u.searchParams.has('rest_route')) {
    u.search = '?feed=rss2';
    return u.href;
  }
  return new URL(u.pathname.replace(/wp-json\/wp\/v2\/posts\/?$/, 'feed/'), u).href;
}
