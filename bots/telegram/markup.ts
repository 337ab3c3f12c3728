/**
 * Telegram Bot API, parse_mode "HTML": the markup the formatter emits for Telegram.
 *
 * Only <b> and <a href> are produced, both on the Bot API's allowed list. Article text is escaped
 * (& < >, and " inside attribute values), so nothing from an article can open a tag or an entity.
 */
import type { Markup } from '../../src/format/post.js';
import { cleanText } from '../../src/text/safety.js';

/** Message text limit; stricter than Telegram's rule (counted after entity parsing), we count the HTML itself. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;

/** Tags Telegram accepts in HTML parse mode (span only as span class="tg-spoiler"). */
export const TELEGRAM_ALLOWED_TAGS = [
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
] as const;

/** Most article lines hold none of these: one test, instead of three replace passes over each line. */
const HTML_SPECIAL = /[&<>]/;

export function escapeHtml(text: string): string {
  if (!HTML_SPECIAL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeHtmlAttribute(text: string): string {
  const escaped = escapeHtml(text);
  return escaped.includes('"') ? escaped.replace(/"/g, '&quot;') : escaped;
}

/**
 * The link as an anchor whose text is the readable (percent-decoded) URL, so an Arabic slug shows as
 * Arabic. Only http(s) URLs become anchors: Telegram rejects other schemes, and javascript: must never be one.
 */
function telegramLink(url: string): string {
  if (!/^https?:\/\//i.test(url)) return escapeHtml(url);
  return `<a href="${escapeHtmlAttribute(url)}">${escapeHtml(readableUrl(url))}</a>`;
}

function readableUrl(url: string): string {
  try {
    return cleanText(decodeURI(url)) || url;
  } catch {
    return url; // malformed percent-encoding: show it as it is
  }
}

export const telegramMarkup: Markup = {
  name: 'telegram',
  text: escapeHtml,
  bold: (html) => `<b>${html}</b>`,
  link: telegramLink,
  limit: (caption) => (caption ? TELEGRAM_CAPTION_LIMIT : TELEGRAM_MESSAGE_LIMIT),
};
