/**
 * The full story: a stored article read whole in the chat (issue 26), as a platform-free document of blocks that
 * each platform turns into its own messages (Telegram's rich message, WhatsApp's consecutive messages, the desk's
 * page). The core never names a platform: limits come in as numbers.
 *
 * - What is shown is the article as it stands now: its current revision (a source's correction rewrote title and
 *   paragraphs in place) and an editor's version (the title, and the summary sentences the body repeats, replaced by
 *   the editor's). A retracted article yields `{ retracted: true }`, never text.
 * - Every text goes through the formatter's own cleaning (articleText: bidi controls, zero-width and control
 *   characters out, zalgo tamed, leftover character references decoded once), and blocks carry plain text: the
 *   platform escapes for its own markup, or sends plain strings (Telegram's rich blocks are never parsed), so an
 *   article's HTML or markdown reaches the reader as the characters it is made of.
 * - Only http(s) addresses become a photo or a link (no javascript:, no local path).
 */
import { catalogue } from '../i18n/index.js';
import type { StoredArticle } from '../model/article.js';
import { articleText } from '../format/post.js';
import { DEFAULT_TIME_ZONE, formatArabicDate } from '../text/arabic-date.js';

export type StoryBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'byline'; text: string }
  | { kind: 'photo'; url: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'quote'; text: string }
  | { kind: 'link'; url: string; text: string };

export interface FullStory {
  articleId: number;
  revision: number;
  title: string;
  blocks: StoryBlock[];
}

export interface SplitLimits {
  /** Characters per part (UTF-16 code units, which never undercount Telegram's characters). */
  maxChars: number;
  /** Blocks per part. */
  maxBlocks: number;
  /**
   * How many of the platform's blocks one story block costs (Telegram: a quotation is a blockquote holding a
   * paragraph, two of its 500); 1 when absent.
   */
  blockCost?: (block: StoryBlock) => number;
}

/** The link line's words: where the reader goes for the original. */
export const ORIGINAL_LINK_TEXT = catalogue('ar').post.originalLink;

/**
 * An article has more than its summary when its body runs at least this many characters beyond it: about half a
 * median news sentence (180 characters, see README), so a body that only repeats the summary offers no button.
 */
const MORE_THAN_SUMMARY_CHARS = 90;

/** A public web address, or nothing: the only kind a photo or a link may carry. */
const isWebUrl = (url: string | undefined): url is string => !!url && /^https?:\/\/[^\s]+$/i.test(url.trim());

/** True when the article's body says more than its summary: the «النص الكامل» button is worth offering. */
export function hasMoreThanSummary(article: Pick<StoredArticle, 'paragraphs' | 'summary'>): boolean {
  // Lengths as stored, white space included: asked once per post sent, and folding the white space first cost
  // 100 µs an article (a tenth of a delivery's CPU); stored text has its runs of spaces folded already.
  let size = 0;
  for (const p of article.paragraphs) size += p.length;
  for (const s of article.summary) size -= s.length;
  return size >= MORE_THAN_SUMMARY_CHARS;
}

/**
 * Whether a post offers its full story: the chat's choice (`fullStory` in its template over the configured one);
 * without one, channels and groups do (their readers cannot ask the bot by themselves) and private chats do not;
 * either way only for an article whose body says more than its summary, and never for a retracted one.
 */
export function offersFullStory(
  article: Pick<StoredArticle, 'paragraphs' | 'summary' | 'retracted'>,
  chatKind: string,
  choice: boolean | undefined,
): boolean {
  if (article.retracted || !hasMoreThanSummary(article)) return false;
  return choice ?? (chatKind === 'channel' || chatKind === 'group');
}

export function buildFullStory(
  article: StoredArticle,
  options: { timeZone?: string },
): FullStory | { retracted: true } {
  if (article.retracted) return { retracted: true };
  const title = articleText(article.title);
  const blocks: StoryBlock[] = [];
  blocks.push({ kind: 'heading', text: title });
  // An urgent alert keeps its mark, as its post does.
  if (article.urgent) blocks.push({ kind: 'byline', text: catalogue('ar').post.urgentMark });
  const byline = bylineOf(article, options.timeZone);
  if (byline) blocks.push({ kind: 'byline', text: byline });
  if (isWebUrl(article.imageUrl)) blocks.push({ kind: 'photo', url: article.imageUrl.trim() });
  for (const raw of correctedParagraphs(article)) {
    const text = articleText(raw);
    if (!text) continue;
    const quoted = quotation(text);
    blocks.push(quoted ? { kind: 'quote', text: quoted } : { kind: 'paragraph', text });
  }
  if (!article.urgent && isWebUrl(article.url))
    blocks.push({ kind: 'link', url: article.url.trim(), text: ORIGINAL_LINK_TEXT });
  return { articleId: article.id, revision: article.revision, title, blocks };
}

/** «المصدر: SY24 · فلان · 25 تشرين الثاني 2026، 15:05», as the post's source line, with the author when known. */
function bylineOf(article: StoredArticle, timeZone: string | undefined): string | undefined {
  const source = articleText(article.source);
  const author = article.author ? articleText(article.author) : '';
  const date = article.publishedAt
    ? formatArabicDate(article.publishedAt, article.timeZone ?? timeZone ?? DEFAULT_TIME_ZONE)
    : '';
  const parts = [source && catalogue('ar').post.source(source), author && author !== source ? author : '', date].filter(
    Boolean,
  );
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/**
 * The body as the editor corrected it. An editor's correction rewrites the title and the summary; the summary's
 * sentences are (mostly) the body's own, so where the body still holds an original summary sentence word for word,
 * the editor's sentence at the same place replaces it (extra original sentences go, extra corrected ones follow the
 * last replaced). When the body holds none of them (the summary was cut or rephrased), the corrected summary leads
 * the body: the reader must not read a wording the editor took back without the correction.
 */
function correctedParagraphs(article: StoredArticle): string[] {
  const edit = article.edit;
  if (!edit) return article.paragraphs;
  const before = edit.original.summary.map((s) => s.trim()).filter(Boolean);
  const after = article.summary.map((s) => s.trim()).filter(Boolean);
  if (before.join('\n') === after.join('\n')) return article.paragraphs;
  let replaced = 0;
  const paragraphs = article.paragraphs.map((p) => {
    let text = p;
    before.forEach((sentence, i) => {
      if (!text.includes(sentence)) return;
      const last = i === before.length - 1;
      const instead = last ? after.slice(i).join(' ') : (after[i] ?? '');
      text = text.replace(sentence, instead);
      replaced++;
    });
    return text.replace(/\s{2,}/g, ' ').trim();
  });
  return replaced > 0
    ? paragraphs.filter(Boolean)
    : [...(after.length > 0 ? [after.join(' ')] : []), ...article.paragraphs];
}

/** The words of a paragraph that is wholly one quotation «…» or “…” (no other quotation mark inside), else undefined. */
function quotation(text: string): string | undefined {
  const m = /^«([^«»]+)»$/.exec(text) ?? /^“([^“”]+)”$/.exec(text);
  const words = m?.[1]?.trim();
  return words || undefined;
}

/** Characters a block counts against a part's limit: its text, and a link's address too. */
export function blockChars(block: StoryBlock): number {
  switch (block.kind) {
    case 'photo':
      return 0;
    case 'link':
      return block.text.length + block.url.length;
    default:
      return block.text.length;
  }
}

/**
 * Splits a story into parts that each stand alone: every part opens with the headline (numbered «· 2/3» when there
 * are several), the byline and photo stay in the first, the link closes the last. Parts end only at paragraph ends;
 * a paragraph longer than a part is cut at sentence ends (a sentence longer than a part, at a word, and a word
 * longer than a part, anywhere). Each part holds at most `maxChars` characters and `maxBlocks` blocks.
 */
export function splitStory(story: FullStory, limits: SplitLimits): StoryBlock[][] {
  const cost = limits.blockCost ?? (() => 1);
  // The numbered heading's room, held back in every part: the numbers of a story of up to 999 parts.
  const headingRoom = story.title.length + ' · 999/999'.length;
  const headingBlocks = cost({ kind: 'heading', text: story.title });
  const room = limits.maxChars - headingRoom;
  if (room < 1 || limits.maxBlocks - headingBlocks < 1) throw new RangeError('a part cannot hold the headline');
  // buildFullStory puts the headline first; every part gets its own.
  const body = story.blocks[0]?.kind === 'heading' ? story.blocks.slice(1) : story.blocks;
  const pieces = body.flatMap((b) =>
    blockChars(b) > room && (b.kind === 'paragraph' || b.kind === 'quote')
      ? cutText(b.text, room).map((text) => ({ ...b, text }))
      : [b],
  );
  const parts: StoryBlock[][] = [];
  let current: StoryBlock[] = [];
  let chars = 0;
  let blocks = headingBlocks;
  for (const piece of pieces) {
    const c = blockChars(piece);
    const n = cost(piece);
    if (c > room || n > limits.maxBlocks - headingBlocks)
      throw new RangeError(`a ${piece.kind} block cannot fit in a part`);
    if (current.length > 0 && (chars + c > room || blocks + n > limits.maxBlocks)) {
      parts.push(current);
      current = [];
      chars = 0;
      blocks = headingBlocks;
    }
    current.push(piece);
    chars += c;
    blocks += n;
  }
  if (current.length > 0 || parts.length === 0) parts.push(current);
  return parts.map((part, i) => [
    {
      kind: 'heading',
      text: parts.length > 1 ? `${story.title} · ${i + 1}/${parts.length}` : story.title,
    } satisfies StoryBlock,
    ...part,
  ]);
}

/**
 * Text cut into pieces of at most `max` characters, at sentence ends (after . ! ? ؟ … and a closing quote), then at
 * spaces, then anywhere (a surrogate pair kept whole). The pieces joined with one space give the text back, white
 * space at the cuts folded.
 */
export function cutText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const cut = lastBreak(rest, max, /[.!?؟…]+["»”')]*\s+/g) ?? lastBreak(rest, max, /\s+/g);
    if (cut) {
      pieces.push(rest.slice(0, cut.end).trim());
      rest = rest.slice(cut.next).trim();
    } else {
      const at = /[\uD800-\uDBFF]/.test(rest[max - 1]!) ? max - 1 : max;
      pieces.push(rest.slice(0, at));
      rest = rest.slice(at).trim();
    }
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** The last break (end of the kept text, start of the rest) whose kept text fits in `max` characters. */
function lastBreak(text: string, max: number, pattern: RegExp): { end: number; next: number } | undefined {
  let found: { end: number; next: number } | undefined;
  for (const m of text.matchAll(pattern)) {
    const end = m.index + m[0].trimEnd().length;
    if (end > max) break;
    if (end > 0) found = { end, next: m.index + m[0].length };
  }
  return found;
}
