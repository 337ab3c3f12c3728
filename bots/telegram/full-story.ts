/**
 * «النص الكامل» on Telegram (issue 26): a button under a post gives the reader the whole article in the bot's private
 * chat, as a rich message (sendRichMessage: heading, paragraphs, photo, quotations, `is_rtl`).
 *
 * - Channels and groups: a URL button, the deep link `https://t.me/<bot>?start=full_<code>`; pressing it opens the
 *   private chat and sends `/start full_<code>`. A private subscription: a callback button (`fs:<code>`) answered in
 *   place. The code is the newsroom's (an HMAC of the article id: src/newsroom/full-story.ts), so a reader can neither
 *   make one for another article nor learn anything from a forged one: unknown, unpublished and forged all get the
 *   same polite line; a retracted story gets «سُحب هذا الخبر» and nothing else.
 * - A story longer than one rich message (32,768 characters, 500 blocks, a quotation counting two: a blockquote and
 *   its paragraph) goes as parts that each stand alone (src/story/full-story.ts).
 * - A server that does not know sendRichMessage (an older Bot API server, a local one not updated: 404 "Not Found",
 *   or a 400 naming the method unknown) gets plain text messages split at paragraph ends (4,096 characters), and the
 *   bot remembers it for as long as it runs (in memory: a restart asks the server again, once).
 */
import { Composer, GrammyError, type Api, type Context } from 'grammy';
import type { InlineKeyboardMarkup, InputRichBlock } from 'grammy/types';
import { RETRACTION_NOTICE } from '../../src/delivery/platform.js';
import type { Logger } from '../../src/logger.js';
import type { StoredArticle } from '../../src/model/article.js';
import {
  articleOfCode,
  countFullReadSoon,
  fullStoryCode,
  fullStoryOf,
  type FullStoryRead,
  type NewsroomDeps,
} from '../../src/newsroom/index.js';
import {
  offersFullStory,
  splitStory,
  type FullStory,
  type SplitLimits,
  type StoryBlock,
} from '../../src/story/full-story.js';
import type { BotDeps } from './context.js';
import { catalogue } from '../../src/i18n/index.js';
import { langOf, messages } from './i18n.js';
import { describeTelegramError } from './requests.js';

/** The button under a post (a post's words are Arabic, whoever reads it). */
export const FULL_STORY_BUTTON = catalogue('ar').post.fullStoryButton;

/** One rich message, as the Bot API limits it (rich.d.ts: 32,768 characters, 500 blocks counting nested ones). */
export const RICH_LIMITS: SplitLimits = {
  maxChars: 32_768,
  maxBlocks: 500,
  blockCost: (b) => (b.kind === 'quote' ? 2 : 1),
};

/**
 * One plain text message: 4,096 characters, less what the rendering adds to the blocks' text: a blank line and a
 * right-to-left mark per block (3) and «: » before a link's address (2). At most 50 blocks, so 50 × 3 + 2 = 152 of
 * the 4,096 are the rendering's.
 */
const TEXT_LIMITS: SplitLimits = { maxChars: 4096 - 160, maxBlocks: 50 };

/** The start parameter's form: `full_` and a code of at most 64 characters (Telegram's own limit is 64 in all). */
const START = /^full_([A-Za-z0-9_-]{1,64})$/;
const CALLBACK = /^fs:([A-Za-z0-9_-]{1,60})$/;

/** What the transport and the corrector need to put the button under a post. */
export interface FullStoryLinks {
  /** The bot's username once getMe answered (the deep link names it); undefined before. */
  username(): string | undefined;
  newsroom: Pick<NewsroomDeps, 'data'>;
}

/**
 * The button under a post, or undefined when the chat does not offer it (src/story offersFullStory) or the bot's
 * username is not known yet (a deep link needs it; a private chat's callback button does not).
 */
export async function fullStoryMarkup(
  links: FullStoryLinks | undefined,
  article: StoredArticle,
  chatKind: string,
  choice: boolean | undefined,
): Promise<InlineKeyboardMarkup | undefined> {
  if (!links || !offersFullStory(article, chatKind, choice)) return undefined;
  const code = await fullStoryCode(links.newsroom, article.id);
  if (chatKind === 'private') return { inline_keyboard: [[{ text: FULL_STORY_BUTTON, callback_data: `fs:${code}` }]] };
  const username = links.username();
  return username
    ? { inline_keyboard: [[{ text: FULL_STORY_BUTTON, url: `https://t.me/${username}?start=full_${code}` }]] }
    : undefined;
}

/** How a rich message failed, as the rest of this file acts on it; undefined: any other failure (thrown on). */
type RichFailure = 'unsupported' | 'photo';

/**
 * The Bot API's answers mapped once: a server without the method answers 404 "Not Found" (api.telegram.org for any
 * unknown method) or a 400 naming it unknown; a photo it cannot fetch, a 400 about the file or URL.
 */
function richFailure(err: unknown): RichFailure | undefined {
  if (!(err instanceof GrammyError)) return undefined;
  const description = String(err.description ?? '');
  if (err.error_code === 404) return 'unsupported';
  if (
    err.error_code === 400 &&
    /method (?:is )?(?:not found|unknown|not supported)|unknown method|not implemented/i.test(description)
  )
    return 'unsupported';
  if (
    err.error_code === 400 &&
    /wrong file identifier|HTTP URL|failed to get|PHOTO_|IMAGE_PROCESS|wrong type of the web page content/i.test(
      description,
    )
  )
    return 'photo';
  return undefined;
}

/** Right-to-left when its letters are mostly Arabic-script (or Hebrew): an English article reads left to right. */
function isRtl(story: FullStory): boolean {
  const text = story.blocks.map((b) => ('text' in b ? b.text : '')).join(' ');
  const rtl = text.match(/[\p{Script=Arabic}\p{Script=Hebrew}]/gu)?.length ?? 0;
  const ltr = text.match(/[\p{Script=Latin}\p{Script=Cyrillic}]/gu)?.length ?? 0;
  return rtl >= ltr;
}

/** A story block as a rich block: plain strings (never parsed as markup), a quotation as a blockquote. */
function richBlock(b: StoryBlock): InputRichBlock {
  switch (b.kind) {
    case 'heading':
      return { type: 'heading', text: b.text, size: 1 };
    case 'byline':
      return { type: 'paragraph', text: { type: 'italic', text: b.text } };
    case 'photo':
      return { type: 'photo', photo: { type: 'photo', media: b.url } };
    case 'paragraph':
      return { type: 'paragraph', text: b.text };
    case 'quote':
      return { type: 'blockquote', blocks: [{ type: 'paragraph', text: b.text }] };
    case 'link':
      return { type: 'paragraph', text: { type: 'url', text: b.text, url: b.url } };
  }
}

/** A part as one plain message: each block its paragraph, a right-to-left mark first where the story reads so. */
function plainText(part: StoryBlock[], rtl: boolean): string {
  const mark = rtl ? '\u200F' : '';
  return part
    .flatMap((b) => {
      switch (b.kind) {
        case 'photo':
          return [];
        case 'quote':
          return [`${mark}«${b.text}»`];
        case 'link':
          return [`${mark}${b.text}: ${b.url}`];
        default:
          return [`${mark}${b.text}`];
      }
    })
    .join('\n\n');
}

export interface FullStorySent {
  as: 'rich' | 'text';
  messages: number;
}

/** Sends full stories for one bot, remembering whether its server takes rich messages. */
export class FullStorySender {
  /** Set when the server refused sendRichMessage as unknown: plain text from then on (until the process restarts). */
  private richRefused = false;

  constructor(
    private readonly api: Api,
    private readonly logger: Logger,
  ) {}

  get usesPlainText(): boolean {
    return this.richRefused;
  }

  async send(chatId: number | string, story: FullStory): Promise<FullStorySent> {
    const rtl = isRtl(story);
    if (!this.richRefused) {
      const parts = splitStory(story, RICH_LIMITS);
      let sent = 0;
      try {
        for (const part of parts) {
          await this.sendRich(chatId, part, rtl);
          sent++;
        }
        return { as: 'rich', messages: sent };
      } catch (err) {
        // Only a refusal of the method itself, and only before any part went: a later failure is not the server's age.
        if (sent > 0 || richFailure(err) !== 'unsupported') throw err;
        this.richRefused = true;
        this.logger.warn(
          'telegram: the Bot API server does not know sendRichMessage; full stories go as plain text from now on',
          {
            error: describeTelegramError(err),
          },
        );
      }
    }
    const parts = splitStory(story, TEXT_LIMITS);
    for (const part of parts) {
      await this.api.sendMessage(chatId, plainText(part, rtl), { link_preview_options: { is_disabled: true } });
    }
    return { as: 'text', messages: parts.length };
  }

  /** One part; a lead photo the server cannot fetch is left out and the part sent again without it. */
  private async sendRich(chatId: number | string, part: StoryBlock[], rtl: boolean): Promise<void> {
    const send = (blocks: StoryBlock[]) =>
      this.api.sendRichMessage(chatId, { blocks: blocks.map(richBlock), is_rtl: rtl, skip_entity_detection: true });
    try {
      await send(part);
    } catch (err) {
      if (richFailure(err) !== 'photo' || !part.some((b) => b.kind === 'photo')) throw err;
      this.logger.warn("telegram: the full story's photo was refused; sending it without", {
        chat: chatId,
        error: describeTelegramError(err),
      });
      await send(part.filter((b) => b.kind !== 'photo'));
    }
  }
}

/** `/start full_<code>` in the private chat, and the private subscription's «النص الكامل» callback button. */
export function fullStory(deps: BotDeps, sender: FullStorySender): Composer<Context> {
  const c = new Composer<Context>();
  const unknown = (ctx: Context) => messages(langOf(ctx.from?.language_code)).fullStoryUnknown;

  const answer = async (ctx: Context, chatId: number, code: string | undefined): Promise<void> => {
    const id = code === undefined ? undefined : await articleOfCode(deps.newsroom, code);
    const read: FullStoryRead = id === undefined ? { status: 'unknown' } : await fullStoryOf(deps.newsroom, id);
    if (read.status === 'retracted') return void (await ctx.api.sendMessage(chatId, RETRACTION_NOTICE));
    if (read.status === 'unknown') return void (await ctx.api.sendMessage(chatId, unknown(ctx)));
    await sender.send(chatId, read.story);
    // Counted once the story went out, written with the others of the second (a commit waits for the disk).
    countFullReadSoon(deps.newsroom, read.story.articleId);
  };

  // Before the readers' /start: a deep link's parameter is for this feature; a bare /start goes on to the greeting.
  c.chatType('private').command('start', async (ctx, next) => {
    const arg = typeof ctx.match === 'string' ? ctx.match.trim() : '';
    if (!arg.startsWith('full_')) return next();
    await answer(ctx, ctx.chat.id, START.exec(arg)?.[1]);
  });

  c.callbackQuery(CALLBACK, async (ctx) => {
    // Only a private subscription carries this button; pressed elsewhere (forged data), nothing is sent to the chat.
    if (ctx.chat?.type !== 'private')
      return void (await ctx.answerCallbackQuery({ text: unknown(ctx), show_alert: true }));
    await ctx.answerCallbackQuery();
    await answer(ctx, ctx.chat.id, ctx.match[1]);
  });
  // Data that is not a code (cut, oversized): answered the same way, nothing read.
  c.callbackQuery(/^fs:/, (ctx) => ctx.answerCallbackQuery({ text: unknown(ctx), show_alert: true }));
  return c;
}
