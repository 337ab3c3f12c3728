import { errorMessage } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { countFullRead, storyForReply, type NewsroomDeps } from '../../src/newsroom/index.js';
import { splitStory, type FullStory, type StoryBlock } from '../../src/story/full-story.js';
import { normalizeArabic } from '../../src/text/arabic.js';
import { catalogue } from '../../src/i18n/index.js';
import { isGroupId, resolveIdentity } from './identity.js';
import { FULL_STORY_ASKS } from './input-words.js';
import { neutralizeWhatsAppMarkup, WHATSAPP_PRACTICAL_LIMIT } from './markup.js';
import type { SeriesMessage, WaChat, WaClient, WaMessage } from './types.js';

/** What the full story's replies say: the catalogue's words (src/i18n). */
export const FULL_STORY_REPLIES = catalogue('ar').replies.fullStory;

/** What a reader writes (input-words.ts), whatever the diacritics and tatweel. */
const ASKS = new Set(FULL_STORY_ASKS);

export function asksForFullStory(body: string): boolean {
  if (body.length > 40) return false;
  // normalizeArabic folds tashkeel, tatweel and alef forms; punctuation, emoji and direction marks go after it.
  const words = normalizeArabic(body)
    .replace(/[^\p{L}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return ASKS.has(words);
}

/**
 * At most this many text messages per story: 8 × ~4,000 characters holds what one Telegram rich message holds
 * (32,768); a longer article is sent as far as fits, then says where to read on, with its link. At WhatsApp's pace
 * (4–10 s apart) the eight take about a minute, and one hostile 1 MB article cannot eat the daily cap (300).
 */
const MAX_PARTS = 8;
/** Blocks per message: a part's markup (*, >, the blank lines between blocks) costs up to 4 characters a block. */
const MAX_BLOCKS = 40;
const MARKUP_PER_BLOCK = 4;
const LIMITS = { maxChars: WHATSAPP_PRACTICAL_LIMIT - MARKUP_PER_BLOCK * MAX_BLOCKS, maxBlocks: MAX_BLOCKS };

/**
 * A story as WhatsApp messages: the lead photo first (as media, where it loads), then the text in parts that each
 * stand alone (splitStory: the headline in bold, numbered «· 2/3»). Every text of the article goes through
 * neutralizeWhatsAppMarkup, so its own *, _, ~, ``` and a leading > show as look-alikes and format nothing; the only
 * markup is Nashra's: the headline's *bold*, a quotation's «> ».
 */
export function storyMessages(story: FullStory): SeriesMessage[] {
  const photo = story.blocks.find((b): b is Extract<StoryBlock, { kind: 'photo' }> => b.kind === 'photo');
  const link = story.blocks.find((b): b is Extract<StoryBlock, { kind: 'link' }> => b.kind === 'link');
  const text = { ...story, blocks: story.blocks.filter((b) => b.kind !== 'photo') };
  let parts = splitStory(text, LIMITS);
  if (parts.length > MAX_PARTS) {
    // What the first parts held, less a block at a time until the notice and the link fit too: the numbers then
    // count the parts that are sent («· 8/8»).
    const body = parts
      .slice(0, MAX_PARTS)
      .flatMap((part) => part.slice(1))
      .filter((b) => b.kind !== 'link');
    const tail: StoryBlock[] = [{ kind: 'paragraph', text: FULL_STORY_REPLIES.cut }, ...(link ? [link] : [])];
    do {
      body.pop();
      parts = splitStory({ ...text, blocks: [{ kind: 'heading', text: story.title }, ...body, ...tail] }, LIMITS);
    } while (parts.length > MAX_PARTS);
  }
  return [
    ...(photo ? [{ photo: photo.url }] : []),
    ...parts.map((part) => ({ text: part.map(blockText).join('\n\n') })),
  ];
}

function blockText(block: StoryBlock): string {
  const clean = (s: string) => neutralizeWhatsAppMarkup(s.replace(/\s*\n\s*/g, ' '));
  switch (block.kind) {
    case 'heading':
      return `*${clean(block.text)}*`;
    case 'byline':
      return clean(block.text);
    case 'quote':
      return `> ${clean(block.text)}`;
    case 'link':
      return `${clean(block.text)}: ${block.url}`;
    case 'paragraph':
      return clean(block.text);
    case 'photo':
      return '';
  }
}

export interface FullStoryDeps {
  newsroom: NewsroomDeps;
  logger: Logger;
  /** The transport's paced series (WhatsAppTransport.sendSeries) and what the daily cap still allows. */
  sendSeries(chat: WaChat, messages: readonly SeriesMessage[], quote?: string): Promise<number>;
  leftToday(): number;
}

/**
 * «المزيد» in reply to a post: the story's full text, as consecutive messages at WhatsApp's pace.
 *
 * - In a group, only where the group chose it (template.fullStoryInGroup, off by default: `nashra subs set --full-story-in-group`, the
 *   desk), since every member receives the several long messages; elsewhere the request is ignored, as the bot never
 *   chats in groups. A reader may always «Reply privately» to the group's post: the private chat gets the story, once
 *   the reader is found among the group's members (a quote's ids come from the reader's own client).
 * - In a group, «المزيد» that quotes no post of Nashra's (a member asking another for more) is ignored; in a private
 *   chat, the reader is told how to ask.
 * - One story at a time per chat: a second request while one is going is refused once, politely (later ones, until
 *   it ends, are ignored, so a flood of requests cannot become a flood of refusals).
 */
export class WhatsAppFullStory {
  /** Chats a story is going to, and whether its one refusal was given. */
  private readonly going = new Map<string, { refused: boolean }>();

  constructor(private readonly deps: FullStoryDeps) {}

  /** True when the message asked for a full story (answered or deliberately ignored). */
  async handle(client: WaClient, msg: WaMessage): Promise<boolean> {
    if (!asksForFullStory(msg.body ?? '')) return false;
    const inGroup = isGroupId(msg.from);
    const quoted =
      msg.hasQuotedMsg && msg.getQuotedMessage ? await msg.getQuotedMessage().catch(() => undefined) : undefined;
    if (!quoted) {
      if (!inGroup) await this.answer(msg, FULL_STORY_REPLIES.notAReply);
      return true;
    }
    const post = quoted.id;
    // Only this account's own messages in a group can be posts a reader replies to (a channel takes no replies).
    if (!quoted.fromMe || !post.fromMe || !isGroupId(post.remote)) {
      if (!inGroup) await this.answer(msg, FULL_STORY_REPLIES.notAStory);
      return true;
    }
    if (inGroup && post.remote !== msg.from) return true;
    if (!inGroup && !(await this.isMember(client, post.remote, msg.from))) {
      await this.answer(msg, FULL_STORY_REPLIES.notAStory);
      return true;
    }
    const busy = this.going.get(msg.from);
    if (busy) {
      if (!busy.refused) {
        busy.refused = true;
        await this.answer(msg, FULL_STORY_REPLIES.busy);
      }
      return true;
    }
    this.going.set(msg.from, { refused: false });
    try {
      await this.tell(msg, { chatId: post.remote, messageKey: `true_${post.remote}_${post.id}` }, inGroup);
    } finally {
      this.going.delete(msg.from);
    }
    return true;
  }

  private async tell(msg: WaMessage, ref: { chatId: string; messageKey: string }, inGroup: boolean): Promise<void> {
    const found = await storyForReply(this.deps.newsroom, { platform: 'whatsapp', ...ref }, { inPlace: inGroup });
    switch (found.status) {
      case 'not-here':
        return;
      case 'none':
        if (!inGroup) await this.answer(msg, FULL_STORY_REPLIES.notAStory);
        return;
      case 'several':
        return void (await this.answer(msg, FULL_STORY_REPLIES.several));
      case 'retracted':
        return void (await this.answer(msg, FULL_STORY_REPLIES.retracted));
      case 'story': {
        const messages = storyMessages(found.story);
        if (this.deps.leftToday() < messages.length)
          return void (await this.answer(msg, FULL_STORY_REPLIES.capReached));
        const chat = await msg.getChat();
        const sent = await this.deps.sendSeries(chat, messages, msg.id?._serialized);
        this.deps.logger.info('whatsapp full text sent', {
          chat: msg.from,
          article: found.story.articleId,
          messages: sent,
          of: messages.length,
        });
        // A read once the story went out (its first message at least), so the count's commit waits for no reader.
        if (sent > 0) await countFullRead(this.deps.newsroom, found.story.articleId);
      }
    }
  }

  /** The reader is among the group's members (under any of their ids). */
  private async isMember(client: WaClient, groupId: string, reader: string): Promise<boolean> {
    if (!isGroupId(groupId)) return false;
    const group = await client.getChatById(groupId).catch(() => undefined);
    if (!group?.participants) return false;
    const ids = (await resolveIdentity(client, reader)).ids;
    return group.participants.some((p) => ids.includes(p.id._serialized));
  }

  private async answer(msg: WaMessage, text: string): Promise<void> {
    await msg
      .reply(text)
      .catch((err) =>
        this.deps.logger.warn('whatsapp full text: reply not sent', { chat: msg.from, error: errorMessage(err) }),
      );
  }
}
