/**
 * HTML from feeds reduced to plain text before anything else sees it: a feed's markup never reaches a message,
 * only the text of its paragraphs (cleaned of invisible and spoofing characters by cleanText).
 */
import { htmlLibraries } from './parsers.js';
import { cleanText } from '../text/safety.js';
import { withoutSiteTrailers } from '../text/site-trailers.js';

const DROP =
  'script, style, noscript, iframe, object, embed, form, button, svg, figcaption, .sharedaddy, .jp-relatedposts';
const BLOCKS = 'p, li, blockquote, h2, h3, h4, h5, h6, pre, dd';

/**
 * Paragraph texts of an HTML fragment (innermost blocks; loose text split on <br> and blank lines), without site
 * trailers such as "The post … appeared first on …" that feeds append to content:encoded and excerpts.
 */
export async function htmlToParagraphs(html: string | undefined): Promise<string[]> {
  return withoutSiteTrailers(await paragraphsOfHtml(html));
}

async function paragraphsOfHtml(html: string | undefined): Promise<string[]> {
  if (!html?.trim()) return [];
  if (!/[<&]/.test(html)) return splitLines(html);
  const { parseHTML } = await htmlLibraries();
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${html}</body></html>`);
  const body = document.body;
  for (const el of [...body.querySelectorAll(DROP)]) el.remove();
  for (const br of [...body.querySelectorAll('br')]) br.replaceWith(document.createTextNode('\n'));
  const blocks = [...body.querySelectorAll(BLOCKS)].filter((b) => !b.querySelector(BLOCKS));
  if (blocks.length === 0) return splitLines(body.textContent ?? '');
  return blocks.flatMap((b) => splitLines(b.textContent ?? ''));
}

/** One line of text from HTML or entity-encoded text (titles, author names). */
export async function htmlToText(html: string | undefined): Promise<string> {
  if (!html) return '';
  if (!/[<&]/.test(html)) return cleanText(html.replace(/\s+/g, ' '));
  const { parseHTML } = await htmlLibraries();
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${html}</body></html>`);
  for (const el of [...document.body.querySelectorAll(DROP)]) el.remove();
  return cleanText((document.body.textContent ?? '').replace(/\s+/g, ' '));
}

function splitLines(text: string): string[] {
  return text
    .split(/\n\s*\n|\n/)
    .map((line) => cleanText(line.replace(/\s+/g, ' ')))
    .filter(Boolean);
}

/** WordPress excerpts end in «[…]», «[&hellip;]» or «Read more»; Arabic themes add «اقرأ المزيد». */
const TRUNCATION =
  /(\[\s*(?:…|\.\.\.|&hellip;|&#8230;)\s*\]|…|\.\.\.|read more|continue reading|اقرأ المزيد|اقرا المزيد|المزيد|أكمل القراءة|تابع القراءة)\s*$/i;

/** Below this many characters a feed's text is an excerpt, not the article. */
export const EXCERPT_MAX_CHARS = 600;

/** True when the feed's text is an excerpt: truncated with an ellipsis marker, or much shorter than an article. */
export function looksLikeExcerpt(paragraphs: string[]): boolean {
  if (paragraphs.length === 0) return true;
  const last = paragraphs[paragraphs.length - 1]!;
  if (TRUNCATION.test(last)) return true;
  return paragraphs.join(' ').length < EXCERPT_MAX_CHARS;
}

/** The excerpt without its truncation marker. */
export function stripTruncation(paragraphs: string[]): string[] {
  const out = [...paragraphs];
  const last = out.pop();
  if (last === undefined) return out;
  const trimmed = last.replace(TRUNCATION, '').trim();
  return trimmed ? [...out, trimmed] : out;
}
