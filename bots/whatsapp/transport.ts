import type { Config } from '../../src/config.js';
import type { Transport } from '../../src/delivery/platform.js';
import {
  CORRECTION_PREFIX,
  RETRACTION_NOTICE,
  type CorrectionResult,
  type PostCorrector,
} from '../../src/delivery/platform.js';
import type { PendingCorrection } from '../../src/model/correction.js';
import { errorMessage, PermanentDeliveryError, TemporaryDeliveryError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { effectiveTemplate, renderArticle } from '../../src/format/render.js';
import type { ChatTarget } from '../../src/model/delivery.js';
import type { MessageTemplate } from '../../src/model/template.js';
import type { StoredArticle } from '../../src/model/article.js';
import type { PendingDelivery } from '../../src/model/delivery.js';
import { whatsappMarkup } from './markup.js';
import { isAdminOfChannel } from './commands.js';
import { isChannelId, isGroupId, resolveIdentity } from './identity.js';
import type { Clock, Pacer } from './pacing.js';
import type { SeriesMessage, WaChat, WaClient, WaMedia, WaSentMessage, WaStoredMessage } from './types.js';

/** The adapter's connection as the transport sees it. */
export interface WhatsAppConnection {
  client(): WaClient | undefined;
  /** Connected, logged in and `ready`. */
  ready(): boolean;
}

export interface WhatsAppTransportDeps {
  config: Pick<Config, 'timeZone' | 'template'>;
  logger: Logger;
  pacer: Pacer;
  clock: Clock;
  connection: WhatsAppConnection;
  /** The lead image as media (MessageMedia.fromUrl); without it, articles go as text with a link preview. */
  loadMedia?: (url: string) => Promise<WaMedia>;
}

/** WhatsApp's caption limit: a longer message goes as text with a link preview instead of an image. */
const CAPTION_LIMIT = 1024;
const METHOD = 'sendMessage';

/**
 * WhatsApp lets the sender edit a message for 15 minutes after sending it, and delete it for everyone for about
 * two days and twelve hours (60 hours, since August 2022). whatsapp-web.js asks WhatsApp Web whether an edit is
 * still allowed (Message.edit resolves with null when not), but Message.delete(true) past the window quietly
 * deletes on this device only: so the age is checked here, with a margin for the clocks.
 */
export const EDIT_WINDOW_MS = 15 * 60 * 1000;
export const REVOKE_WINDOW_MS = 60 * 3600 * 1000;
const WINDOW_MARGIN_MS = 60 * 1000;

/**
 * Sends to WhatsApp groups and channels, paced (see pacing.ts): one message at a time, newest article first, a random
 * pause between messages, "typing…" before each, and a daily cap. While any of these says wait, isReady() is false
 * and the worker leaves the queue as it is.
 */
export class WhatsAppTransport implements Transport {
  readonly platform = 'whatsapp';
  readonly concurrency = 1;
  readonly order = 'newest' as const;
  private capLoggedFor?: string;

  /** Corrections and retractions, paced like sends (each edit, reply or delete counts toward the gap and the cap). */
  readonly posts: PostCorrector;

  constructor(private readonly deps: WhatsAppTransportDeps) {
    this.posts = {
      edit: (post, article) => this.correct(post, article),
      remove: (post, article) => this.retract(post, article),
    };
  }

  /** Within the edit window, the post itself is edited; after it (or for a digest), a reply starting «تصحيح:». */
  private async correct(
    post: PendingCorrection & { messageId: string },
    article: StoredArticle,
  ): Promise<CorrectionResult> {
    return this.onPost(post, 'edit', async (msg, age) => {
      const caption = msg.hasMedia === true;
      const template = post.template;
      const text = renderArticle(article, whatsappMarkup, this.deps.config, { caption, template });
      if (!post.digest && age < EDIT_WINDOW_MS - WINDOW_MARGIN_MS) {
        const edited = await msg.edit(text, {
          linkPreview: !caption && effectiveTemplate(this.deps.config, template).linkPreview !== 'none',
        });
        if (edited) return { outcome: 'edited' };
      }
      const reply = await msg.reply(
        `${CORRECTION_PREFIX}\n${renderArticle(article, whatsappMarkup, this.deps.config, { template })}`,
        undefined,
        { linkPreview: false },
      );
      return { outcome: 'replied', answer: reply.id._serialized };
    });
  }

  /**
   * Deleted for everyone while WhatsApp allows it; after that (or for a digest, which other articles share), a reply
   * with the notice: the post itself can no longer be changed.
   */
  private async retract(
    post: PendingCorrection & { messageId: string },
    article: StoredArticle,
  ): Promise<CorrectionResult> {
    return this.onPost(post, 'delete', async (msg, age) => {
      if (!post.digest && age < REVOKE_WINDOW_MS - WINDOW_MARGIN_MS) {
        await msg.delete(true);
        return { outcome: 'deleted' };
      }
      const why = post.digest
        ? 'a digest shared with other articles'
        : "past WhatsApp's 60-hour window for deleting for everyone";
      await msg.reply(`${RETRACTION_NOTICE}: ${article.title}`, undefined, { linkPreview: false });
      return { outcome: 'notice', answer: `${why}: the notice was posted as a reply` };
    });
  }

  private async onPost(
    post: PendingCorrection & { messageId: string },
    method: string,
    act: (msg: WaStoredMessage, ageMs: number) => Promise<CorrectionResult>,
  ): Promise<CorrectionResult> {
    const client = this.deps.connection.client();
    if (!client || !this.deps.connection.ready()) throw notConnected(post.chatId);
    if (!client.getMessageById)
      throw new PermanentDeliveryError('this WhatsApp client cannot look up sent messages', {
        method,
        chatId: post.chatId,
        deactivate: false,
      });
    try {
      const msg = await client.getMessageById(post.messageId);
      if (!msg)
        throw new PermanentDeliveryError(
          `WhatsApp post ${post.messageId} is no longer in the chat (deleted there, or WhatsApp Web does not have it)`,
          { method, chatId: post.chatId, deactivate: false },
        );
      const sentAt = msg.timestamp !== undefined ? msg.timestamp * 1000 : (post.sentAt?.getTime() ?? 0);
      return await this.deps.pacer.turn(async () => {
        const result = await act(msg, this.deps.clock.now() - sentAt);
        this.deps.pacer.sent();
        return result;
      });
    } catch (err) {
      if (err instanceof PermanentDeliveryError || err instanceof TemporaryDeliveryError) throw err;
      if (!this.deps.connection.ready()) throw notConnected(post.chatId, err);
      throw new TemporaryDeliveryError(
        `WhatsApp ${method} of ${post.messageId} failed: ${errorMessage(err)}`,
        { method, chatId: post.chatId },
        { cause: err },
      );
    }
  }

  isReady(): boolean {
    if (!this.deps.connection.ready() || this.deps.pacer.waiting) return false;
    if (this.deps.pacer.capReached()) {
      const day = this.deps.pacer.today();
      if (this.capLoggedFor !== day) {
        this.capLoggedFor = day;
        this.deps.logger.warn('whatsapp daily cap reached: the queue waits until tomorrow', {
          day,
          sent: this.deps.pacer.sentToday(),
        });
      }
      return false;
    }
    return true;
  }

  async send(delivery: PendingDelivery, article: StoredArticle): Promise<{ messageId?: string }> {
    const client = this.deps.connection.client();
    if (!client || !this.deps.connection.ready()) throw notConnected(delivery.chatId);
    return this.paced(
      client,
      delivery.chatId,
      (c) => this.sendArticle(c, delivery.chatId, article, delivery.template),
      { article: article.id },
    );
  }

  /**
   * A digest (src/newsroom/digests.ts), paced like any message. WhatsApp has no silent messages: inside quiet
   * hours set to «silent» it is sent as usual («wait» holds it in the core).
   */
  async sendText(target: ChatTarget, text: string): Promise<{ messageId?: string }> {
    const client = this.deps.connection.client();
    if (!client || !this.deps.connection.ready()) throw notConnected(target.chatId);
    return this.paced(client, target.chatId, (c) => c.sendMessage(target.chatId, text, { linkPreview: false }), {
      digest: true,
    });
  }

  /** How many more messages the daily cap allows today. */
  leftToday(): number {
    return this.deps.pacer.leftToday();
  }

  /**
   * A reader's full text (full-story.ts): consecutive messages to the chat where it was asked (a group, or the
   * reader's private chat), each waiting its turn and the pause like any message, "typing…" first, counted toward
   * the daily cap; the first quotes the request. A photo that cannot be loaded is left out. Stops at the first
   * failure (a lost connection, a refused message): how many went.
   */
  async sendSeries(chat: WaChat, messages: readonly SeriesMessage[], quote?: string): Promise<number> {
    const chatId = chat.id._serialized;
    let sent = 0;
    for (const message of messages) {
      const client = this.deps.connection.client();
      if (!client || !this.deps.connection.ready()) break;
      let content: string | WaMedia = 'text' in message ? message.text : '';
      if ('photo' in message) {
        const media =
          this.deps.loadMedia &&
          (await this.deps.loadMedia(message.photo).catch((err) => {
            this.deps.logger.info('full text: photo not loaded; left out', { chat: chatId, error: errorMessage(err) });
            return undefined;
          }));
        if (!media) continue;
        content = media;
      }
      try {
        await this.deps.pacer.turn(async () => {
          await this.showTyping(chat);
          await client.sendMessage(chatId, content, {
            linkPreview: false,
            ...(sent === 0 && quote ? { quotedMessageId: quote } : {}),
          });
          this.deps.pacer.sent();
        });
      } catch (err) {
        this.deps.logger.warn('full text: a message failed; the rest is not sent', {
          chat: chatId,
          sent,
          of: messages.length,
          error: errorMessage(err),
        });
        break;
      }
      sent++;
    }
    return sent;
  }

  private async paced(
    client: WaClient,
    chatId: string,
    send: (client: WaClient) => Promise<WaSentMessage>,
    what: Record<string, unknown>,
  ): Promise<{ messageId?: string }> {
    const chat = await this.reachableChat(client, chatId);
    try {
      return await this.deps.pacer.turn(async () => {
        await this.showTyping(chat);
        const sent = await send(client);
        const { countToday } = this.deps.pacer.sent();
        this.deps.logger.debug('whatsapp message sent', { chat: chatId, ...what, today: countToday });
        return { messageId: sent.id._serialized };
      });
    } catch (err) {
      if (err instanceof PermanentDeliveryError || err instanceof TemporaryDeliveryError) throw err;
      if (!this.deps.connection.ready()) throw notConnected(chatId, err);
      throw new TemporaryDeliveryError(
        `WhatsApp ${METHOD} to ${chatId} failed: ${errorMessage(err)}`,
        { method: METHOD, chatId },
        { cause: err },
      );
    }
  }

  /** Only groups the account is in and channels it administers: anything else would fail, or look like spam. */
  private async reachableChat(client: WaClient, chatId: string): Promise<WaChat> {
    const refuse = (why: string) =>
      new PermanentDeliveryError(`WhatsApp chat ${chatId}: ${why}`, { method: METHOD, chatId });
    if (!isGroupId(chatId) && !isChannelId(chatId))
      throw refuse('Nashra sends only to groups (@g.us) and channels (@newsletter)');
    let chat: WaChat | undefined;
    try {
      chat = await client.getChatById(chatId);
    } catch (err) {
      if (!this.deps.connection.ready()) throw notConnected(chatId, err);
      throw new TemporaryDeliveryError(
        `WhatsApp getChatById(${chatId}) failed: ${errorMessage(err)}`,
        { method: 'getChatById', chatId },
        { cause: err },
      );
    }
    if (!chat) throw refuse('the account is not in this chat (removed, or the chat was deleted)');
    if (isChannelId(chatId)) {
      if (!isAdminOfChannel(chat)) throw refuse('the account is not an admin of this channel');
      return chat;
    }
    const me = client.info?.wid._serialized;
    if (me && chat.participants && chat.participants.length > 0) {
      const myIds = (await resolveIdentity(client, me)).ids;
      const mine = chat.participants.find((p) => myIds.includes(p.id._serialized));
      if (!mine) throw refuse('the account is no longer a member of this group');
      if (chat.isReadOnly && !mine.isAdmin && !mine.isSuperAdmin)
        throw refuse('only admins may send in this group; make the bot number an admin');
    }
    return chat;
  }

  private async showTyping(chat: WaChat): Promise<void> {
    const ms = this.deps.pacer.typingMs();
    if (ms <= 0 || !chat.sendStateTyping || isChannelId(chat.id._serialized)) return;
    await chat.sendStateTyping().catch(() => undefined); // cosmetic: never a reason to fail a delivery
    await this.deps.clock.sleep(ms);
  }

  /**
   * With the lead image and the summary as its caption where that works (and the chat's template wants the photo);
   * otherwise text, with a link preview unless the chat chose none (WhatsApp's preview is on or off).
   */
  private async sendArticle(
    client: WaClient,
    chatId: string,
    article: StoredArticle,
    own: MessageTemplate = {},
  ): Promise<WaSentMessage> {
    const { config, loadMedia, logger } = this.deps;
    const template = effectiveTemplate(config, own);
    if (article.imageUrl && loadMedia && template.leadPhoto !== false) {
      const caption = renderArticle(article, whatsappMarkup, config, { caption: true, template: own });
      if (caption.length <= CAPTION_LIMIT) {
        const media = await loadMedia(article.imageUrl).catch((err) => {
          logger.info('lead image not loaded; sending text', { article: article.id, error: errorMessage(err) });
          return undefined;
        });
        if (media) return client.sendMessage(chatId, media, { caption });
      }
    }
    return client.sendMessage(chatId, renderArticle(article, whatsappMarkup, config, { template: own }), {
      linkPreview: template.linkPreview !== 'none',
    });
  }
}

const notConnected = (chatId: string, cause?: unknown) =>
  new TemporaryDeliveryError(
    'WhatsApp is not connected; the delivery waits for the reconnection',
    { method: METHOD, chatId, retryAfterMs: 0 },
    { cause },
  );
