/**
 * WhatsApp text formatting: `*bold*` for the headline, nothing else.
 *
 * WhatsApp has no escape character, so article text containing `* _ ~ \`` could pair up into bold,
 * italic, strike-through or monospace by accident. Each of those characters in article text is
 * replaced with a look-alike that WhatsApp does not parse: ∗ (U+2217 ASTERISK OPERATOR),
 * ＿ (U+FF3F FULLWIDTH LOW LINE), ∼ (U+223C TILDE OPERATOR), ˋ (U+02CB MODIFIER LETTER GRAVE ACCENT);
 * a `>` opening a line (quote syntax) becomes › (U+203A). Zero-width separators were rejected: they are
 * stripped by cleanText elsewhere and break copy-paste and search. The link is left untouched, since
 * WhatsApp recognises a URL before it looks for formatting and a changed URL would break.
 */
import type { Markup } from '../../src/format/post.js';

/** WhatsApp accepts 65,536 characters; a message longer than a Telegram one is unreadable on a phone anyway. */
export const WHATSAPP_PRACTICAL_LIMIT = 4096;

const LOOK_ALIKES: Record<string, string> = { '*': '∗', _: '＿', '~': '∼', '`': 'ˋ' };

/** Most article lines hold none of these: one test, instead of two replace passes over each line. */
const MAY_NEED_LOOK_ALIKE = /[*_~`>]/;

export function neutralizeWhatsAppMarkup(text: string): string {
  if (!MAY_NEED_LOOK_ALIKE.test(text)) return text;
  return text.replace(/[*_~`]/g, (character) => LOOK_ALIKES[character] ?? character).replace(/^>/gm, '›');
}

export const whatsappMarkup: Markup = {
  name: 'whatsapp',
  // WhatsApp has no hashtags: «#البادية_السورية» would be a dead symbol and a look-alike underscore. The topics stay
  // as words («البادية السورية · داعش»): they tell the reader what the story is about, and WhatsApp's search finds them.
  topics: 'words',
  text: neutralizeWhatsAppMarkup,
  bold: (text) => `*${text}*`,
  link: (url) => url,
  limit: () => WHATSAPP_PRACTICAL_LIMIT,
};
