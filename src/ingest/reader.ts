/**
 * Readers: raw input (scraped plain text or an HTML page) → Article.
 *
 * Both readers share one junk filter (share buttons, «اقرأ أيضاً» blocks, datelines), so an article
 * reads the same whichever way it arrived. Every string that leaves here went through cleanText.
 */
import { catalogue } from '../i18n/index.js';
import { createHash } from 'node:crypto';
import type { Article } from '../model/article.js';
import { splitSentences } from '../text/arabic.js';
import { detectLanguage } from '../text/language.js';
import { cleanText } from '../text/safety.js';
import { stripSiteTrailers } from '../text/site-trailers.js';
import { canonicalUrl } from '../text/url.js';
import { htmlLibraries } from './parsers.js';

export { canonicalUrl } from '../text/url.js';

/** The input is empty or holds no article (no title, no body text); the message says which. */
export class NotAnArticleError extends Error {
  override name = 'NotAnArticleError';
}

export const DEFAULT_SOURCE = catalogue('ar').post.defaultSource;

// ---------------------------------------------------------------------------------------------
// Junk shared by both readers

/** Share-button labels that scrapers keep as lines of their own (compared lower-cased). */
const SHARE_WORDS = new Set([
  'facebook',
  'twitter',
  'x',
  'whatsapp',
  'telegram',
  'messenger',
  'pinterest',
  'linkedin',
  'reddit',
  'email',
  'e-mail',
  'print',
  'share',
  'tweet',
  'طباعة',
  'مشاركة',
  'شارك',
  'فيسبوك',
  'تويتر',
  'واتساب',
  'تلغرام',
  'تيليغرام',
  'تليجرام',
  'ماسنجر',
]);
/** Multi-word labels, matched as a whole line. */
const SHARE_PHRASES = new Set(['copy link', 'نسخ الرابط', 'فيس بوك', 'واتس اب', 'شارك الخبر', 'شارك المقال']);
const SHARE_SEPARATORS = /[\s|·•,،/]+/;

/** Tashkeel and tatweel, and the alef variants, so «إقرأ أيضاً» and «اقرا ايضا» compare equal. */
function normaliseArabic(text: string): string {
  return text.replace(/[\u064B-\u0652\u0670\u0640]/g, '').replace(/[أإآٱ]/g, 'ا');
}

function isShareLine(line: string): boolean {
  const label = line
    .toLowerCase()
    .replace(/[:：]$/, '')
    .trim();
  if (SHARE_PHRASES.has(label)) return true;
  return label.split(SHARE_SEPARATORS).every((word) => SHARE_WORDS.has(word));
}

/** «اقرأ أيضاً», «إقرأ أيضا», «شاهد أيضاً», «طالع أيضاً», alone or followed by a linked title. */
const READ_ALSO = /^(?:ا?قرا|شاهد|طالع)\s+ايضا(?:$|[\s:：–—-])/;

function isReadAlsoMarker(line: string): boolean {
  return READ_ALSO.test(normaliseArabic(line));
}

/** Linked titles under «اقرأ أيضاً» are short and, unlike body paragraphs, do not end a sentence. */
const MAX_LINK_TITLE_WORDS = 20;
const SENTENCE_END = /[.!?؟…][”"»)\]]*$/;

function isHeadlineLike(line: string): boolean {
  return !SENTENCE_END.test(line) && line.split(/\s+/).length <= MAX_LINK_TITLE_WORDS;
}

const DASH = '[-–—‒―]';
const EXCLUSIVE = 'خاص|حصري';
const MAX_SOURCE_WORDS = 5;
const BYLINE_PATTERNS = [
  new RegExp(`^(?:${EXCLUSIVE})\\s*${DASH}\\s*(.+)$`), // «خاص – SY24»
  new RegExp(`^(.+?)\\s*${DASH}\\s*(?:${EXCLUSIVE})$`), // «SY24 – خاص»
  /^(?:المصدر|مصدر الخبر)\s*[:：]\s*(.+)$/, // «المصدر: سانا»
];
/** «دمشق – SY24»: only trusted as the first line of the body, where datelines stand. */
const DATELINE = new RegExp(`^\\S+(?:\\s\\S+)?\\s*${DASH}\\s*(.+?)\\s*[:：]?$`);

/** The source a byline/dateline line names, or undefined when the line is not one. */
function parseByline(line: string, isFirstBodyLine: boolean): string | undefined {
  const patterns = isFirstBodyLine ? [...BYLINE_PATTERNS, DATELINE] : BYLINE_PATTERNS;
  for (const pattern of patterns) {
    const source = pattern.exec(line)?.[1]?.trim();
    if (source && isPlausibleSource(source)) return source;
  }
  return undefined;
}

function isPlausibleSource(name: string): boolean {
  return name.split(/\s+/).length <= MAX_SOURCE_WORDS && !SENTENCE_END.test(name);
}

interface Body {
  paragraphs: string[];
  /** Source named by a byline or dateline inside the text. */
  source?: string;
}

/** Body paragraphs from cleaned lines: share labels, «اقرأ أيضاً» blocks, bylines and site trailers removed. */
function extractBody(lines: string[], title: string): Body {
  const paragraphs: string[] = [];
  let source: string | undefined;
  let inReadAlsoBlock = false;
  for (const rawLine of lines) {
    const line = stripSiteTrailers(rawLine);
    if (!line || line === title || isShareLine(line)) continue;
    if (isReadAlsoMarker(line)) {
      inReadAlsoBlock = true;
      continue;
    }
    if (inReadAlsoBlock && isHeadlineLike(line)) continue;
    inReadAlsoBlock = false;
    const byline = parseByline(line, paragraphs.length === 0);
    if (byline !== undefined) {
      source ??= byline;
      continue;
    }
    paragraphs.push(line);
  }
  return { paragraphs, source };
}

function requireArticleText(title: string, paragraphs: string[]): void {
  if (!title) throw new NotAnArticleError('no title found');
  if (paragraphs.length === 0) throw new NotAnArticleError('no article text found (0 paragraphs)');
}

function hostOf(url: string): string | undefined {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' || protocol === 'https:' ? hostname : undefined;
}

// ---------------------------------------------------------------------------------------------
// Plain text

export interface PlainTextOptions {
  /** The article's public URL, when it has one. Without one, a hash of the text is its GUID (the same text de-duplicates). */
  url?: string;
  /** Source name known to the caller; takes precedence over a byline found in the text. */
  source?: string;
}

/**
 * An article scraped as plain text, one paragraph per line (the SY24 fixture's shape): leading share
 * labels, then the title, a dateline such as «خاص – SY24», then the paragraphs.
 */
export function readPlainText(text: string, options: PlainTextOptions = {}): Article {
  const lines = text.split('\n').map(cleanText);
  const titleIndex = lines.findIndex((line) => line && !isShareLine(line));
  if (titleIndex < 0) throw new NotAnArticleError('empty input: no text lines');
  const first = lines[titleIndex]!;
  const after = extractBody(lines.slice(titleIndex + 1), first);
  let title = first;
  let body = after;
  if (after.paragraphs.length === 0) {
    // One paragraph and no headline above it is an article too: the paragraph is its text, its first sentence its
    // title. A paragraph ends a sentence; a headline alone does not, and has no text to summarise.
    const sentences = splitSentences(first);
    if (sentences.length < 2 && !SENTENCE_END.test(first))
      throw new NotAnArticleError('only a headline: no article text under it');
    title = sentences[0] ?? first;
    body = { ...after, paragraphs: [first] };
  }
  requireArticleText(title, body.paragraphs);
  const url = options.url ? canonicalUrl(options.url) : undefined;
  return {
    ...(url ? { url } : { guid: contentUrn(text) }),
    title,
    source: cleanText(options.source ?? '') || body.source || (url && hostOf(url)) || DEFAULT_SOURCE,
    paragraphs: body.paragraphs,
    categories: [],
    language: detectLanguage([title, ...body.paragraphs].join('\n')),
  };
}

/** A stable identifier for text without a URL, so that the same text de-duplicates. */
export function contentUrn(text: string): string {
  return `urn:sha256:${createHash('sha256').update(text).digest('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// HTML

/**
 * An article page: the body comes from Readability (over linkedom's DOM), the metadata from the page's
 * Open Graph / article: meta tags, JSON-LD and links, read before Readability rewrites the document.
 */
export async function readHtml(html: string, url: string): Promise<Article> {
  if (!html.trim()) throw new NotAnArticleError('empty input: no HTML');
  const { parseHTML, Readability } = await htmlLibraries();
  const document = parseDocument(parseHTML, html);
  const page = readPageMetadata(document, url);
  const parsed = new Readability<Node>(document, { serializer: (node) => node }).parse();
  if (!parsed?.content) throw new NotAnArticleError('no article text found (Readability found no content)');

  const siteName = cleanText(page.siteName ?? parsed.siteName ?? '');
  const title = stripSiteName(cleanText(page.title ?? parsed.title ?? ''), siteName);
  const body = extractBody(blockTexts(parsed.content as Element), title);
  requireArticleText(title, body.paragraphs);

  const articleUrl = canonicalUrl(page.canonicalUrl ?? url);
  const source = siteName || body.source || hostOf(articleUrl) || DEFAULT_SOURCE;
  const author = cleanText(parsed.byline ?? '');
  return {
    url: articleUrl,
    title,
    source,
    ...(author && author !== source && isPlausibleSource(author) ? { author } : {}),
    ...(page.publishedAt ? { publishedAt: page.publishedAt } : {}),
    paragraphs: body.paragraphs,
    categories: page.categories,
    ...(page.imageUrl ? { imageUrl: page.imageUrl } : {}),
    language: detectLanguage([title, ...body.paragraphs].join('\n')),
  };
}

/** linkedom leaves a bare fragment without a documentElement, which Readability refuses. */
function parseDocument(parseHTML: (html: string) => { document: unknown }, html: string): Document {
  const document = parseHTML(html).document as Document;
  if (document.documentElement) return document;
  return parseHTML(`<!DOCTYPE html><html><body>${html}</body></html>`).document as Document;
}

const BLOCKS = 'p, li, blockquote';

/**
 * Text of the innermost paragraph-like blocks of Readability's output. Blocks that are nothing but a
 * link are navigation or related-post lists, not prose. Content without any such block (text in
 * bare divs) falls back to its lines.
 */
function blockTexts(content: Element): string[] {
  const blocks = [...content.querySelectorAll(BLOCKS)].filter((block) => !block.querySelector(BLOCKS));
  if (blocks.length === 0) return (content.textContent ?? '').split('\n').map(cleanText);
  return blocks.filter((block) => !isOnlyLinks(block)).map((block) => cleanText(collapseSpaces(block.textContent)));
}

function isOnlyLinks(block: Element): boolean {
  const linkText = withoutSpaces([...block.querySelectorAll('a')].map((link) => link.textContent).join(''));
  return linkText.length > 0 && linkText.length === withoutSpaces(block.textContent).length;
}

function collapseSpaces(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ');
}

function withoutSpaces(text: string | null): string {
  return (text ?? '').replace(/\s+/g, '');
}

/** «العنوان – اسم الموقع» or «اسم الموقع | العنوان» → «العنوان», only when the name is the page's site name. */
function stripSiteName(title: string, siteName: string): string {
  if (!siteName || title === siteName) return title;
  const separator = /^[\s\-–—|:·«»]+|[\s\-–—|:·«»]+$/g;
  if (title.endsWith(siteName)) return title.slice(0, -siteName.length).replace(separator, '') || title;
  if (title.startsWith(siteName)) return title.slice(siteName.length).replace(separator, '') || title;
  return title;
}

interface PageMetadata {
  title?: string;
  siteName?: string;
  publishedAt?: Date;
  categories: string[];
  imageUrl?: string;
  canonicalUrl?: string;
}

function readPageMetadata(document: Document, pageUrl: string): PageMetadata {
  const jsonLd = findJsonLdArticle(document);
  const published =
    metaContent(document, 'article:published_time') ??
    stringValue(jsonLd?.['datePublished']) ??
    document.querySelector('time[datetime]')?.getAttribute('datetime') ??
    undefined;
  const canonical = document.querySelector('link[rel="canonical"]')?.getAttribute('href');
  const image = metaContent(document, 'og:image');
  return {
    title: metaContent(document, 'og:title') ?? (document.querySelector('title')?.textContent || undefined),
    siteName: metaContent(document, 'og:site_name'),
    publishedAt: parseDate(published),
    categories: readCategories(document, jsonLd),
    imageUrl: image ? absoluteHttpUrl(image, pageUrl) : undefined,
    canonicalUrl: canonical ? absoluteHttpUrl(canonical, pageUrl) : undefined,
  };
}

function metaContent(document: Document, property: string): string | undefined {
  const meta = document.querySelector(`meta[property="${property}"], meta[name="${property}"]`);
  return meta?.getAttribute('content')?.trim() || undefined;
}

function metaContents(document: Document, property: string): string[] {
  return [...document.querySelectorAll(`meta[property="${property}"], meta[name="${property}"]`)].map(
    (meta) => meta.getAttribute('content') ?? '',
  );
}

/** `article:section`, `article:tag`, JSON-LD articleSection/keywords and rel=tag links, cleaned and de-duplicated. */
function readCategories(document: Document, jsonLd: JsonObject | undefined): string[] {
  const candidates = [
    ...metaContents(document, 'article:section'),
    ...metaContents(document, 'article:tag'),
    ...listValue(jsonLd?.['articleSection']),
    ...listValue(jsonLd?.['keywords']),
    ...[...document.querySelectorAll('a[rel~="tag"]')].map((link) => link.textContent ?? ''),
  ];
  return [...new Set(candidates.map(cleanText).filter(Boolean))];
}

type JsonObject = Record<string, unknown>;

/** The first JSON-LD object typed as an article (NewsArticle, BlogPosting, …), looking inside arrays and @graph. */
function findJsonLdArticle(document: Document): JsonObject | undefined {
  for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
    const found = jsonLdObjects(parseJson(script.textContent ?? '')).find(isArticleType);
    if (found) return found;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // a broken JSON-LD block is common and must not cost the article
  }
}

function jsonLdObjects(value: unknown): JsonObject[] {
  if (Array.isArray(value)) return value.flatMap(jsonLdObjects);
  if (!value || typeof value !== 'object') return [];
  const object = value as JsonObject;
  return [object, ...jsonLdObjects(object['@graph'])];
}

function isArticleType(object: JsonObject): boolean {
  return listValue(object['@type']).some((type) => /Article|BlogPosting|Report/.test(type));
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : undefined;
}

/** A JSON-LD value that may be a comma-separated string or an array of strings. */
function listValue(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[,،]/);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

function parseDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Resolves a possibly relative link against the page; only http(s) results are kept. */
function absoluteHttpUrl(href: string, base: string): string | undefined {
  try {
    const resolved = new URL(href.trim(), base);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.href : undefined;
  } catch {
    return undefined;
  }
}
