/**
 * Feed documents (RSS 2.0, RSS 1.0, Atom, JSON Feed through feedsmith; WordPress REST posts by hand) → FeedItem,
 * one shape whatever the format. Values are raw here (HTML, unparsed dates); the poller turns them into Articles.
 */
import { feedLibraries } from './parsers.js';

export type FeedFormat = 'rss' | 'atom' | 'json' | 'wordpress';

export interface FeedItem {
  title?: string;
  link?: string;
  guid?: string;
  published?: string;
  /** When the source last changed the item (Atom updated, JSON Feed date_modified, WordPress modified_gmt). */
  modified?: string;
  author?: string;
  categories: string[];
  /** Summary / description / excerpt (HTML). */
  excerptHtml?: string;
  /** Full content (content:encoded, Atom content, content_html, WordPress content.rendered). */
  contentHtml?: string;
  imageUrl?: string;
}

/**
 * `selfUrl`: the address the feed gives as its own (RSS atom:link rel=self, Atom link rel=self, JSON Feed feed_url);
 * `siteUrl`: the site it belongs to (RSS <link>, Atom's alternate link, JSON Feed home_page_url). Both as written.
 */
export interface ParsedFeed {
  format: FeedFormat;
  title?: string;
  items: FeedItem[];
  selfUrl?: string;
  siteUrl?: string;
}

/** The document is not a feed, or not a well-formed one; the message says which. */
export class FeedParseError extends Error {
  override name = 'FeedParseError';
}

/* Loose views of feedsmith's output: only the fields read here, every one optional. */
type Text = string | { value?: string } | undefined;
interface Loose {
  [key: string]: unknown;
}
/** A plain string, Atom's { value }, or WordPress REST's { rendered }. */
const textOf = (t: unknown): string | undefined => {
  if (typeof t === 'string') return t;
  if (typeof t !== 'object' || t === null) return undefined;
  const o = t as { value?: unknown; rendered?: unknown };
  return typeof o.value === 'string' ? o.value : typeof o.rendered === 'string' ? o.rendered : undefined;
};
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const obj = (v: unknown): Loose => (typeof v === 'object' && v !== null ? (v as Loose) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** Newest first by date when every item has one; otherwise the feed's order, which is newest first by convention. */
export function newestFirst(items: FeedItem[]): FeedItem[] {
  const times = items.map((i) => (i.published ? Date.parse(i.published) : NaN));
  if (times.some((t) => Number.isNaN(t))) return items;
  return items
    .map((item, i) => ({ item, t: times[i]!, i }))
    .sort((a, b) => b.t - a.t || a.i - b.i)
    .map((x) => x.item);
}

/** Parses a feed from its text; throws FeedParseError for HTML, malformed XML or unknown JSON. */
export async function parseFeedText(text: string): Promise<ParsedFeed> {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJsonDocument(trimmed);
  if (/^(<!doctype html|<html)/i.test(trimmed)) throw new FeedParseError('an HTML page, not a feed');
  const { XMLValidator, parseFeed } = await feedLibraries();
  // feedsmith is lenient (an unclosed element still yields items); a broken document is reported, not half-read.
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) throw new FeedParseError(`malformed feed: ${describeXmlError(valid.err)}`);
  let parsed: { format: string; feed: unknown };
  try {
    parsed = parseFeed(trimmed) as { format: string; feed: unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new FeedParseError(
      /unrecognized/i.test(reason) ? 'not an RSS, Atom or JSON feed' : `malformed feed (${reason})`,
    );
  }
  const feed = obj(parsed.feed);
  if (parsed.format === 'atom') {
    const links = arr<Loose>(feed.links);
    return {
      format: 'atom',
      title: textOf(feed.title),
      items: arr<Loose>(feed.entries).map(atomItem),
      selfUrl: str(links.find((l) => l.rel === 'self')?.href),
      siteUrl: str(links.find((l) => (l.rel ?? 'alternate') === 'alternate')?.href),
    };
  }
  if (parsed.format === 'json') return jsonFeed(feed);
  // RSS 2.0 and RSS 1.0 (RDF) share the item vocabulary.
  return {
    format: 'rss',
    title: textOf(feed.title),
    items: arr<Loose>(feed.items).map(rssItem),
    selfUrl: str(arr<Loose>(obj(feed.atom).links).find((l) => l.rel === 'self')?.href),
    siteUrl: str(feed.link),
  };
}

function jsonFeed(d: Loose): ParsedFeed {
  return {
    format: 'json',
    title: str(d.title),
    items: arr<Loose>(d.items).map(jsonFeedItem),
    selfUrl: str(d.feed_url),
    siteUrl: str(d.home_page_url),
  };
}

/**
 * The validator's error in words. Elements left open at the end (a feed cut off in transfer or by its CMS) come as
 * «Invalid '[    "rss",    "channel",    "item",    "title"]' found.»: they are named as a reader would see them.
 */
function describeXmlError(err: { code: string; msg: string; line: number }): string {
  const open = /^Invalid '(\[.*\])' found\.$/s.exec(err.msg);
  const names = open ? (JSON.parse(open[1]!) as string[]) : /^Unclosed tag '([^']+)'\.$/.exec(err.msg)?.slice(1);
  if (names?.length)
    return `it ends inside ${names.map((n) => `<${n}>`).join('')}, never closed (the feed was cut off)`;
  return `XML error at line ${err.line}: ${err.msg}`;
}

function parseJsonDocument(text: string): ParsedFeed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FeedParseError(`malformed JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (Array.isArray(data)) return { format: 'wordpress', items: data.map((p) => wordpressItem(obj(p))) };
  const d = obj(data);
  if (typeof d.version === 'string' && d.version.includes('jsonfeed.org')) return jsonFeed(d);
  throw new FeedParseError('JSON that is neither a JSON Feed nor a WordPress posts list');
}

function rssItem(i: Loose): FeedItem {
  const dc = obj(i.dc);
  const media = obj(i.media);
  const guid = obj(i.guid);
  return {
    title: str(i.title) ?? str(arr<string>(dc.titles)[0]) ?? str(dc.title),
    link: str(i.link) ?? (guid.isPermaLink !== false ? str(guid.value) : undefined),
    guid: str(guid.value) ?? str(i.guid),
    published: str(i.pubDate) ?? str(arr<string>(dc.dates)[0]) ?? str(dc.date),
    author: str(arr<string>(dc.creators)[0]) ?? str(dc.creator) ?? str(i.author),
    categories: [...arr<Loose>(i.categories).map((c) => str(c.name)), ...arr<string>(dc.subjects)].filter(
      (c): c is string => !!c,
    ),
    excerptHtml: str(i.description),
    contentHtml: str(obj(i.content).encoded),
    imageUrl:
      mediaImage(media) ??
      (arr<Loose>(i.enclosures).find((e) => /^image\//.test(String(e.type ?? '')))?.url as string | undefined),
  };
}

function mediaImage(media: Loose): string | undefined {
  const contents = [...arr<Loose>(media.contents), ...arr<Loose>(media.groups).flatMap((g) => arr<Loose>(g.contents))];
  const image = contents.find((c) => c.medium === 'image' || /^image\//.test(String(c.type ?? ''))) ?? contents[0];
  return str(image?.url) ?? str(arr<Loose>(media.thumbnails)[0]?.url);
}

function atomItem(e: Loose): FeedItem {
  const links = arr<Loose>(e.links);
  const alternate =
    links.find((l) => (l.rel ?? 'alternate') === 'alternate' && !/^image\//.test(String(l.type ?? ''))) ?? links[0];
  return {
    title: str(textOf(e.title)),
    link: str(alternate?.href),
    guid: str(e.id),
    published: str(e.published) ?? str(e.updated),
    modified: str(e.updated),
    author: str(arr<Loose>(e.authors)[0]?.name),
    categories: arr<Loose>(e.categories)
      .map((c) => str(c.label) ?? str(c.term))
      .filter((c): c is string => !!c),
    excerptHtml: str(textOf(e.summary as Text)),
    contentHtml: str(textOf(e.content as Text)),
    imageUrl:
      mediaImage(obj(e.media)) ??
      str(links.find((l) => l.rel === 'enclosure' && /^image\//.test(String(l.type ?? '')))?.href),
  };
}

function jsonFeedItem(i: Loose): FeedItem {
  return {
    title: str(i.title),
    link: str(i.url) ?? str(i.external_url),
    guid: i.id === undefined ? undefined : String(i.id),
    published: str(i.date_published) ?? str(i.date_modified),
    modified: str(i.date_modified),
    author: str(arr<Loose>(i.authors)[0]?.name) ?? str(obj(i.author).name),
    categories: arr<string>(i.tags).filter((t) => typeof t === 'string'),
    excerptHtml: str(i.summary),
    contentHtml: str(i.content_html) ?? escapeText(str(i.content_text)),
    imageUrl: str(i.image) ?? str(i.banner_image),
  };
}

const escapeText = (t: string | undefined) =>
  t
    ?.replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .split(/\n+/)
    .map((p) => `<p>${p}</p>`)
    .join('');

/** A post from /wp-json/wp/v2/posts?_embed: rendered HTML fields, GMT date, embedded author, media and terms. */
function wordpressItem(p: Loose): FeedItem {
  const embedded = obj(p._embedded);
  const media = obj(arr<Loose>(embedded['wp:featuredmedia'])[0]);
  const terms = arr<unknown>(embedded['wp:term']).flatMap((group) => arr<Loose>(group));
  const gmt = str(p.date_gmt);
  return {
    title: str(textOf(p.title)),
    link: str(p.link),
    guid: str(textOf(p.guid)),
    published: gmt ? `${gmt.replace(/Z$/, '')}Z` : str(p.date),
    modified: str(p.modified_gmt) ?? str(p.modified),
    author: str(arr<Loose>(embedded.author)[0]?.name),
    categories: terms.map((t) => str(t.name)).filter((c): c is string => !!c),
    excerptHtml: str(textOf(p.excerpt)),
    contentHtml: str(textOf(p.content)),
    imageUrl: str(media.source_url),
  };
}

/** True when the text looks like a feed document (for detection: a feed URL versus a page). */
export function looksLikeFeed(text: string, contentType: string): boolean {
  const head = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 2000);
  if (/(rss|atom|feed)\+(xml|json)/i.test(contentType)) return true;
  if (/^\{/.test(head)) return /jsonfeed\.org/.test(head);
  return /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<\?xml-stylesheet[^>]*>\s*)*<(rss|feed|rdf:RDF)[\s>]/i.test(head);
}
