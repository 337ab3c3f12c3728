import type { Markup } from '../format/post.js';
import { escapeHtml, safeHref, unsafeRaw, type Html } from './html.js';

/**
 * A platform's message shown in the page as the subscriber sees it, told apart by what its markup makes of bold
 * (the desk names no platform). The formatter's output is never trusted as HTML: an HTML markup is re-parsed
 * (only b/i/u/s/code/pre/blockquote and http(s) links survive, every text run is decoded and escaped again);
 * a *star* markup has its *bold* _italic_ ~strike~ applied to escaped text; anything else is plain text.
 */
export function messageHtml(markup: Markup, text: string): Html {
  const bold = markup.bold('x');
  if (bold === '<b>x</b>') return unsafeRaw(htmlSubset(text));
  if (bold === '*x*') return unsafeRaw(starMarks(escapeHtml(text)));
  return unsafeRaw(escapeHtml(text));
}

const HTML_TAGS = new Map([
  ['b', 'b'],
  ['strong', 'b'],
  ['i', 'i'],
  ['em', 'i'],
  ['u', 'u'],
  ['ins', 'u'],
  ['s', 's'],
  ['strike', 's'],
  ['del', 's'],
  ['code', 'code'],
  ['pre', 'pre'],
  ['blockquote', 'blockquote'],
]);

function htmlSubset(source: string): string {
  let out = '';
  const open: string[] = [];
  for (const part of source.split(/(<[^<>]*>)/)) {
    const tag = /^<(\/?)([a-z-]+)(?:\s+href="([^"]*)")?\s*>$/i.exec(part);
    if (!tag) {
      out += escapeHtml(decodeEntities(part));
      continue;
    }
    const [, closing, rawName, href] = tag;
    const name = rawName!.toLowerCase();
    const mapped = name === 'a' ? 'a' : HTML_TAGS.get(name);
    if (!mapped) {
      out += escapeHtml(decodeEntities(part));
    } else if (closing) {
      if (open.at(-1) === mapped) {
        open.pop();
        out += `</${mapped}>`;
      }
    } else if (mapped === 'a') {
      const url = safeHref(decodeEntities(href ?? ''));
      open.push('a');
      out += `<a href="${escapeHtml(url)}" rel="noopener noreferrer" target="_blank">`;
    } else {
      open.push(mapped);
      out += `<${mapped}>`;
    }
  }
  while (open.length) out += `</${open.pop()}>`;
  return out;
}

function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|#(\d+)|#x([0-9a-f]+));/gi, (m, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" } as Record<string, string>)[name.toLowerCase()] ?? m;
  });
}

/** Star markup's rules, simplified: a marker pair on one line, not touching spaces on the inside. */
function starMarks(escaped: string): string {
  return escaped
    .replace(/(^|[\s(])\*(\S(?:[^*\n]*\S)?)\*(?=$|[\s).,:;!?،])/gm, '$1<b>$2</b>')
    .replace(/(^|[\s(])_(\S(?:[^_\n]*\S)?)_(?=$|[\s).,:;!?،])/gm, '$1<i>$2</i>')
    .replace(/(^|[\s(])~(\S(?:[^~\n]*\S)?)~(?=$|[\s).,:;!?،])/gm, '$1<s>$2</s>');
}
