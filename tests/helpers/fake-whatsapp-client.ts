import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  WaChat,
  WaClient,
  WaClientInfo,
  WaGroupNotification,
  WaMessage,
  WaMessageId,
  WaParticipant,
  WaQuotedMessage,
  WaReaction,
  WaSendOptions,
  WaSentMessage,
  WaStoredMessage,
} from '../../bots/whatsapp/types.js';

/**
 * A stand-in for whatsapp-web.js's Client with the same surface Nashra uses (an EventEmitter with initialize, destroy,
 * sendMessage, getChatById, getChats, info), and a "world" shared by the successive clients of one adapter, so a
 * reconnection keeps the chats and the list of what was sent.
 */

export const BOT_NUMBER = '963900000001';
export const BOT_ID = `${BOT_NUMBER}@c.us`;

export interface SentRecord {
  chatId: string;
  content: string | object;
  options?: WaSendOptions;
  at: number;
  client: number;
  id: string;
  /** The message this one replies to (quotes). */
  quoted?: string;
}

/** WhatsApp's windows, as whatsapp-web.js meets them: an edit for 15 minutes, a delete for everyone for 60 hours. */
export const FAKE_EDIT_WINDOW_MS = 15 * 60 * 1000;
export const FAKE_REVOKE_WINDOW_MS = 60 * 3600 * 1000;

export class FakeWhatsAppWorld {
  readonly chats = new Map<string, WaChat>();
  readonly sent: SentRecord[] = [];
  readonly typing: Array<{ chatId: string; at: number }> = [];
  readonly clients: FakeWhatsAppClient[] = [];
  /** Called before each sendMessage is recorded; may throw or emit events (a disconnection mid-send). */
  beforeSend?: (client: FakeWhatsAppClient, chatId: string, attempt: number) => void;
  private sendAttempts = 0;
  constructor(readonly now: () => number = Date.now) {}

  /** The adapter's createClient: each call is a new connection. */
  readonly createClient = (): FakeWhatsAppClient => {
    const client = new FakeWhatsAppClient(this, this.clients.length + 1);
    this.clients.push(client);
    return client;
  };

  get latest(): FakeWhatsAppClient {
    return this.clients[this.clients.length - 1]!;
  }

  addGroup(
    id: string,
    name: string,
    members: Array<{ number: string; admin?: boolean }>,
    opts: { withBot?: boolean; announce?: boolean } = {},
  ): WaChat {
    const participants: WaParticipant[] = members.map((m) => participant(`${m.number}@c.us`, m.admin ?? false));
    if (opts.withBot ?? true) participants.push(participant(BOT_ID, false));
    const chat: WaChat = {
      id: wid(id),
      name,
      isGroup: true,
      isReadOnly: opts.announce ?? false,
      participants,
      sendStateTyping: async () => {
        this.typing.push({ chatId: id, at: this.now() });
      },
    };
    this.chats.set(id, chat);
    return chat;
  }

  addChannel(id: string, name: string, role: string): WaChat {
    const chat: WaChat = {
      id: wid(id),
      name,
      isGroup: false,
      isChannel: true,
      isReadOnly: role === 'subscriber',
      channelMetadata: { membershipType: role },
    };
    this.chats.set(id, chat);
    return chat;
  }

  recordSend(
    client: FakeWhatsAppClient,
    chatId: string,
    content: string | object,
    options?: WaSendOptions,
    quoted?: string,
  ): WaSentMessage {
    this.beforeSend?.(client, chatId, ++this.sendAttempts);
    // As whatsapp-web.js serialises a message this account sent: in a group, the sender follows the id.
    const id = `true_${chatId}_3EB0${String(this.sent.length + 1).padStart(16, '0')}${chatId.endsWith('@g.us') ? `_${BOT_ID}` : ''}`;
    this.sent.push({
      chatId,
      content,
      options,
      at: this.now(),
      client: client.index,
      id,
      ...(quoted ? { quoted } : {}),
    });
    this.posts.set(id, {
      id,
      chatId,
      body: typeof content === 'string' ? content : String(options?.caption ?? ''),
      hasMedia: typeof content !== 'string',
      sentAt: this.now(),
      edits: [],
      revoked: false,
      deletedForMe: false,
    });
    return { id: { _serialized: id } };
  }

  /** Every message the account sent, as the chats show it now (edits, deletions). */
  readonly posts = new Map<string, FakePost>();

  sentTo(chatId: string): SentRecord[] {
    return this.sent.filter((s) => s.chatId === chatId);
  }
}

export class FakeWhatsAppClient extends EventEmitter implements WaClient {
  info?: WaClientInfo;
  destroyed = false;
  initialized = false;
  /** Emit `ready` right after initialize() (a saved session); false to sit at the QR stage. */
  autoReady = true;

  constructor(
    private readonly world: FakeWhatsAppWorld,
    readonly index: number,
  ) {
    super();
  }

  async initialize(): Promise<void> {
    this.initialized = true;
    if (!this.autoReady) {
      setImmediate(() => this.emit('qr', '2@fake-qr-ref'));
      return;
    }
    this.info = { wid: wid(BOT_ID), pushname: 'Nashra' };
    setImmediate(() => {
      this.emit('authenticated');
      this.emit('ready');
    });
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }

  async sendMessage(chatId: string, content: string | object, options?: WaSendOptions): Promise<WaSentMessage> {
    if (this.destroyed)
      throw new Error('Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed.');
    // A person's chat (…@c.us) always exists; a group or channel only if the account is in it.
    if (!this.world.chats.has(chatId) && !chatId.endsWith('@c.us')) throw new Error(`Chat ${chatId} not found`);
    return this.world.recordSend(this, chatId, content, options, options?.quotedMessageId);
  }

  async getChatById(chatId: string): Promise<WaChat | undefined> {
    if (this.destroyed) throw new Error('Protocol error: Session closed.');
    return this.world.chats.get(chatId);
  }

  async getChats(): Promise<WaChat[]> {
    return [...this.world.chats.values()];
  }

  async getMessageById(messageId: string): Promise<WaStoredMessage | null> {
    if (this.destroyed) throw new Error('Protocol error: Session closed.');
    const post = this.world.posts.get(messageId);
    return post && !post.revoked ? new FakeStoredMessage(this.world, this, post) : null;
  }

  /**
   * A message arriving from `from` (a group id, or a person's id in a private chat); `author` is the sender in a group.
   * `quoting`: the serialised id of the message it replies to (one the account sent, or anyone's), as WhatsApp shows it.
   */
  receive(from: string, body: string, author?: string, opts: { quoting?: string } = {}): FakeMessage {
    const msg = new FakeMessage(this.world, from, body, author, opts.quoting);
    this.emit('message', msg);
    return msg;
  }

  /**
   * Someone reacts to a message (`reaction` '' takes it back), as whatsapp-web.js's `message_reaction` event says it:
   * the message's key, the reaction's own key, the sender's id. Returns the event, to emit it again (a resync).
   */
  react(messageId: string, sender: string, reaction: string, opts: { at?: number } = {}): WaReaction {
    const event = this.reactionEvent(messageId, sender, reaction, opts);
    this.emit('message_reaction', event);
    return event;
  }

  /** The event `react` emits, not emitted (to forge one from it). */
  reactionEvent(messageId: string, sender: string, reaction: string, opts: { at?: number } = {}): WaReaction {
    const [fromMe, remote, id] = messageId.split('_');
    const own = `${remote}_${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}_${sender}`;
    const event: WaReaction = {
      id: {
        fromMe: sender === BOT_ID,
        remote: remote!,
        id: own.split('_')[1]!,
        _serialized: `${sender === BOT_ID}_${own}`,
      },
      msgId: { fromMe: fromMe === 'true', remote: remote!, id: id!, _serialized: messageId },
      reaction,
      senderId: sender,
      timestamp: Math.floor((opts.at ?? this.world.now()) / 1000),
      orphan: 0,
      read: false,
      ack: 1,
    };
    return event;
  }

  /** The bot (or someone) removed from a group. */
  groupLeave(chatId: string, removed: string, by: string): void {
    const n: WaGroupNotification = {
      chatId,
      author: by,
      recipientIds: [removed],
      type: removed === by ? 'leave' : 'remove',
      reply: async () => ({ id: { _serialized: 'x' } }),
    };
    this.emit('group_leave', n);
  }
}

/** A sent message as the chat shows it. */
export interface FakePost {
  id: string;
  chatId: string;
  body: string;
  hasMedia: boolean;
  sentAt: number;
  edits: string[];
  /** Deleted for everyone. */
  revoked: boolean;
  /** Deleted on the account's device only (what delete(true) does past the window). */
  deletedForMe: boolean;
}

/** whatsapp-web.js's Message for a sent post: edit within 15 minutes (else null), delete, reply. */
class FakeStoredMessage implements WaStoredMessage {
  readonly fromMe = true;
  readonly id: { _serialized: string };
  readonly timestamp: number;
  readonly hasMedia: boolean;
  constructor(
    private readonly world: FakeWhatsAppWorld,
    private readonly client: FakeWhatsAppClient,
    private readonly post: FakePost,
  ) {
    this.id = { _serialized: post.id };
    this.timestamp = Math.floor(post.sentAt / 1000);
    this.hasMedia = post.hasMedia;
  }

  async edit(content: string): Promise<WaSentMessage | null> {
    if (this.world.now() - this.post.sentAt > FAKE_EDIT_WINDOW_MS) return null;
    this.post.edits.push(content);
    this.post.body = content;
    return { id: this.id };
  }

  async delete(everyone?: boolean): Promise<void> {
    if (everyone && this.world.now() - this.post.sentAt <= FAKE_REVOKE_WINDOW_MS) this.post.revoked = true;
    else this.post.deletedForMe = true;
  }

  async reply(content: string, chatId?: string, options?: WaSendOptions): Promise<WaSentMessage> {
    return this.world.recordSend(this.client, chatId ?? this.post.chatId, content, options, this.post.id);
  }
}

let received = 0;

export class FakeMessage implements WaMessage {
  readonly fromMe = false;
  readonly replies: Array<{ text: string; options?: WaSendOptions }> = [];
  readonly id: WaMessageId;
  readonly hasQuotedMsg: boolean;
  constructor(
    private readonly world: FakeWhatsAppWorld,
    readonly from: string,
    readonly body: string,
    readonly author?: string,
    private readonly quoting?: string,
  ) {
    const own = `A${String(++received).padStart(19, '0')}`;
    this.id = {
      fromMe: false,
      remote: from,
      id: own,
      _serialized: `false_${from}_${own}${author ? `_${author}` : ''}`,
    };
    this.hasQuotedMsg = quoting !== undefined;
  }

  /** What whatsapp-web.js rebuilds from the quote: the id's parts, and whether this account sent it. */
  async getQuotedMessage(): Promise<WaQuotedMessage | undefined> {
    if (this.quoting === undefined) return undefined;
    const id = parseMessageId(this.quoting);
    return { id, fromMe: id.fromMe };
  }

  async getChat(): Promise<WaChat> {
    return this.world.chats.get(this.from) ?? { id: wid(this.from), name: this.from, isGroup: false };
  }

  async reply(content: string, _chatId?: string, options?: WaSendOptions): Promise<WaSentMessage> {
    this.replies.push({ text: content, options });
    return { id: { _serialized: `reply_${this.replies.length}` } };
  }

  /** Resolves when the bot has replied (handlers run asynchronously, as with the real client). */
  async replied(timeoutMs = 2000): Promise<string> {
    await until(() => this.replies.length > 0, timeoutMs, `a reply to "${this.body}"`);
    return this.replies[0]!.text;
  }
}

export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 2000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Fake time: sleep() returns at once and moves the clock forward, recording how long each sleep was. */
export class FakeClock {
  readonly sleeps: number[] = [];
  constructor(public t = Date.now()) {}
  readonly now = (): number => this.t;
  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}

/** `true_<chat>_<id>` or `false_<chat>_<id>_<sender>`, as whatsapp-web.js serialises a MessageId. */
export function parseMessageId(serialized: string): WaMessageId {
  const m = /^(true|false)_([^_]+@[a-z.]+)_([^_]+)/.exec(serialized);
  if (!m) throw new Error(`not a WhatsApp message id: ${serialized}`);
  return { fromMe: m[1] === 'true', remote: m[2]!, id: m[3]!, _serialized: serialized };
}

function wid(serialized: string) {
  const [user, server] = serialized.split('@');
  return { _serialized: serialized, user: user!, server };
}

function participant(id: string, admin: boolean): WaParticipant {
  return { id: wid(id), isAdmin: admin, isSuperAdmin: false };
}
