/**
 * The part of whatsapp-web.js that Nashra uses, as structural types: the real `Client` satisfies them, and so does
 * the fake in tests/helpers/fake-whatsapp-client.ts. Names and shapes follow the library's index.d.ts (v1.34).
 */

export interface WaId {
  _serialized: string;
  user: string;
  server?: string;
}

export interface WaParticipant {
  id: WaId;
  isAdmin: boolean;
  isSuperAdmin: boolean;
}

export interface WaChat {
  id: WaId;
  name: string;
  isGroup: boolean;
  /** Present on Channel objects (…@newsletter). */
  isChannel?: boolean;
  isReadOnly?: boolean;
  /** GroupChat only. */
  participants?: WaParticipant[];
  /** Channel only: the account's role is in membershipType ('owner', 'admin', 'subscriber', …). */
  channelMetadata?: { membershipType?: string } & Record<string, unknown>;
  sendStateTyping?(): Promise<unknown>;
  clearState?(): Promise<unknown>;
}

export interface WaSentMessage {
  id: { _serialized: string };
}

/**
 * A message as client.getMessageById returns it (whatsapp-web.js Message): what corrections and retractions use.
 * edit() resolves with null when WhatsApp no longer allows the edit (its 15-minute window, or not ours);
 * delete(true) deletes for everyone only while WhatsApp allows it, and otherwise, silently, only on this device.
 */
export interface WaStoredMessage extends WaSentMessage {
  /** Seconds since the epoch. */
  timestamp?: number;
  fromMe: boolean;
  hasMedia?: boolean;
  edit(content: string, options?: { linkPreview?: boolean }): Promise<WaSentMessage | null>;
  delete(everyone?: boolean): Promise<void>;
  reply(content: string, chatId?: string, options?: WaSendOptions): Promise<WaSentMessage>;
}

/** whatsapp-web.js's MessageId: who sent it (this account or not), the chat, the id, and all of it as one string. */
export interface WaMessageId {
  fromMe: boolean;
  remote: string;
  id: string;
  _serialized: string;
}

/** The message a reply quotes, as Message.getQuotedMessage() returns it: its id tells whether this account sent it. */
export interface WaQuotedMessage {
  id: WaMessageId;
  fromMe: boolean;
}

export interface WaMessage {
  /** Absent only in tests' hand-made messages. */
  id?: WaMessageId;
  from: string;
  /** The sender in a group; undefined in a private chat. */
  author?: string;
  body: string;
  fromMe: boolean;
  /** The message is a reply quoting another (WhatsApp's "reply", or "reply privately" to a group's message). */
  hasQuotedMsg?: boolean;
  getQuotedMessage?(): Promise<WaQuotedMessage | undefined>;
  getChat(): Promise<WaChat>;
  reply(content: string, chatId?: string, options?: WaSendOptions): Promise<WaSentMessage>;
}

/** A message's key (whatsapp-web.js MessageId): `<fromMe>_<chat>_<id>[_<participant>]` serialised. */
export interface WaMessageKey {
  fromMe: boolean;
  remote: string | { _serialized: string };
  id: string;
  _serialized: string;
}

/**
 * whatsapp-web.js's Reaction, as its `message_reaction` event passes it: given, changed or taken back (`reaction`
 * is then the empty string). One reaction per sender and message: a new one replaces the sender's previous one.
 */
export interface WaReaction {
  /** The reaction's own key. */
  id: WaMessageKey;
  /** The message reacted to. */
  msgId: WaMessageKey;
  reaction: string;
  /** The person who reacted (a phone number's id, or a LID). */
  senderId: string;
  /** Seconds since the epoch. */
  timestamp: number;
  orphan?: number;
  read?: boolean;
  ack?: number;
}

export interface WaGroupNotification {
  chatId: string;
  author: string;
  recipientIds: string[];
  type: string;
  reply(content: string): Promise<WaSentMessage>;
}

export interface WaSendOptions {
  linkPreview?: boolean;
  caption?: string;
  sendSeen?: boolean;
  /** Sent as a reply quoting this message (its serialised id). */
  quotedMessageId?: string;
}

export interface WaClientInfo {
  wid: WaId;
  pushname?: string;
}

/** Media content as MessageMedia.fromUrl returns it; opaque to Nashra. */
export type WaMedia = object;

export interface WaClient {
  info?: WaClientInfo;
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  sendMessage(chatId: string, content: string | WaMedia, options?: WaSendOptions): Promise<WaSentMessage>;
  getChatById(chatId: string): Promise<WaChat | undefined>;
  getChats(): Promise<WaChat[]>;
  /** A sent message by its serialised id (corrections and retractions); null when WhatsApp Web no longer has it. */
  getMessageById?(messageId: string): Promise<WaStoredMessage | null | undefined>;
  getContactLidAndPhone?(userIds: string[]): Promise<Array<{ lid?: string; pn?: string }>>;
  // biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own listener type, which the client and the fake inherit (unknown[] or never[] here refuses them)
  on(event: string, listener: (...args: any[]) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** One message of a reader's full text: text, or a photo (its address; sent as media where media can be loaded). */
export type SeriesMessage = { text: string } | { photo: string };
