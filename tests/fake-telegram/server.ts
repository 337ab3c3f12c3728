// biome-ignore-all lint/suspicious/noExplicitAny: the fake reads whatever JSON a bot sends and tests read its fields loosely; typing Call.params (grammY's shapes) takes 75 changes over 12 test files, left for after the parallel work
/**
 * A fake Telegram Bot API on 127.0.0.1 speaking the real wire format (`/bot<token>/<method>`, JSON, form or multipart
 * bodies, `{ok, result}` / `{ok:false, error_code, description, parameters}` answers). It records every call, enforces
 * the Bot API's rate limits with real 429s, and can be told to fail for given chats.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InputRichBlock, RichText } from 'grammy/types';

export interface FakeLimits {
  globalPerSecond: number;
  perChatPerSecond: number;
  perGroupPerMinute: number;
  /** Overall ceiling for sends carrying `allow_paid_broadcast` (default 1,000/s); free sends keep `globalPerSecond`. */
  paidPerSecond?: number;
}
export interface Call {
  method: string;
  params: Record<string, any>;
  at: number;
  status: 'ok' | number;
}
export type Failure =
  | { kind: 'blocked' }
  | { kind: 'not_found' }
  | { kind: 'migrate'; to: number }
  | { kind: 'too_long' }
  | { kind: 'cant_parse' }
  | { kind: 'server_error' }
  | { kind: 'photo_invalid' }
  /** An answer that is not Telegram's (an emulator, a proxy's error page): this status and body, for `method` or every send. */
  | { kind: 'raw'; status: number; body: string; contentType?: string; method?: string };

/** A raw HTTP answer, written as it is instead of the Bot API's JSON. */
interface RawAnswer {
  raw: { status: number; body: string; contentType: string };
}

const SEND_METHODS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendRichMessage',
  'editMessageText',
  'editMessageReplyMarkup',
  'editMessageCaption',
  'copyMessage',
  'forwardMessage',
]);

// ----- strict rate limits (issue 14): rolling windows, as Telegram may enforce them -----

/**
 * The times of the requests a window let through, oldest first. "At most `limit` in any rolling `windowMs`" holds
 * exactly: a request is refused while the limit-th most recent one is less than `windowMs` old. A bucket refilled
 * at each second's boundary (or a token bucket with a second's capacity) lets two bursts meet across it.
 */
class RollingWindow {
  private times: number[] = [];
  private head = 0;
  constructor(private readonly windowMs: number) {}
  /** 0 when one more may pass at `now` under `limit`, else the ms until it may. */
  wait(now: number, limit: number): number {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 1024) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    if (this.times.length - this.head < limit) return 0;
    return this.times[this.times.length - limit]! + this.windowMs - now;
  }
  record(now: number): void {
    this.times.push(now);
  }
  /** True once nothing it holds can refuse a request any more (the window can be forgotten). */
  idle(now: number): boolean {
    return this.times.length === 0 || this.times[this.times.length - 1]! <= now - this.windowMs;
  }
}

/** Telegram's ceiling for a bot with paid broadcasts (`allow_paid_broadcast`), instead of the free 30/s. */
export const PAID_BROADCAST_PER_SECOND = 1000;

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interfaces below declare the methods each later section puts on the prototype (one section per Bot API feature)
export class FakeTelegram {
  readonly calls: Call[] = [];
  readonly botId: number;
  readonly botUsername: string;
  rateLimited429 = 0;
  private server?: Server;
  private updates: any[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1000;
  private waiters = new Set<() => void>();
  private failures = new Map<string, Failure>();
  private refused = new Set<string>();
  private held = new Map<string, Promise<void>>();
  private stormUntil = 0;
  private global = new RollingWindow(1000);
  private chats = new Map<string, RollingWindow>();
  private groups = new Map<string, RollingWindow>();
  /** Sends that carried `allow_paid_broadcast` and were let through above the free rate. */
  paidSent = 0;
  private members = new Map<string, any>();
  private chatInfo = new Map<string, any>();
  apiRoot = '';

  constructor(
    readonly token: string,
    private limits: FakeLimits = { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 },
    bot: { id: number; username: string } = { id: 777000111, username: 'nashra_test_bot' },
  ) {
    this.botId = bot.id;
    this.botUsername = bot.username;
    this.setLimits(limits);
  }

  setLimits(limits: FakeLimits): void {
    this.limits = limits;
    this.global = new RollingWindow(1000);
    this.chats.clear();
    this.groups.clear();
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.apiRoot = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.apiRoot;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters) wake();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ----- what tests tell it -----
  pushUpdate(update: Record<string, unknown>): number {
    const id = this.nextUpdateId++;
    this.updates.push({ update_id: id, ...update });
    for (const wake of this.waiters) wake();
    return id;
  }
  failFor(chatId: string | number, failure: Failure | undefined): void {
    if (failure) this.failures.set(String(chatId), failure);
    else this.failures.delete(String(chatId));
  }
  refuse(method: string): void {
    this.refused.add(method);
  }
  /**
   * Messages to this chat are received (recorded, as Telegram would post them) but not answered until the returned
   * function is called: a process killed meanwhile never learns that they arrived.
   */
  hold(chatId: string | number): () => void {
    let release!: () => void;
    this.held.set(
      String(chatId),
      new Promise<void>((r) => {
        release = r;
      }),
    );
    return () => {
      this.held.delete(String(chatId));
      release();
    };
  }
  /** Answers 429 to every send for `ms`. */
  storm(ms: number): void {
    this.stormUntil = Date.now() + ms;
  }
  setMember(chatId: string | number, userId: number, member: Record<string, unknown>): void {
    this.members.set(`${chatId}:${userId}`, {
      user: { id: userId, is_bot: userId === this.botId, first_name: 'u' },
      ...member,
    });
  }
  setChat(ref: string | number, chat: Record<string, unknown>): void {
    this.chatInfo.set(String(ref), chat);
  }

  // ----- what tests read -----
  sent(method?: string): Call[] {
    return this.calls.filter((c) => c.status === 'ok' && (method ? c.method === method : SEND_METHODS.has(c.method)));
  }
  sentTo(chatId: string | number): Call[] {
    return this.sent().filter((c) => String(c.params.chat_id) === String(chatId));
  }

  // ----- the wire -----
  /** One request for this bot (its own server's, or a FakeTelegramHub's that routed it here by its token). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.serveFile(req, res)) return;
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url?.split('?')[0] ?? '');
    const params = await readBody(req);
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== this.token) return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = match[2]!;
    const call: Call = { method, params, at: Date.now(), status: 'ok' };
    this.calls.push(call);
    const answer = await this.answer(method, params);
    if ((answer as RawAnswer).raw) {
      const { status, body, contentType } = (answer as RawAnswer).raw;
      call.status = status;
      if (!res.writableEnded)
        res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    if (!answer.ok) call.status = answer.error_code;
    send(res, answer.ok ? 200 : answer.error_code, answer);
  }

  private error(code: number, description: string, parameters?: Record<string, unknown>) {
    return { ok: false as const, error_code: code, description, ...(parameters ? { parameters } : {}) };
  }

  private async answer(method: string, p: Record<string, any>): Promise<any> {
    if (this.refused.has(method)) return this.error(400, `Bad Request: ${method} refused by the test`);
    // An older Bot API server knows no sendRichMessage: api.telegram.org answers any unknown method 404 "Not Found".
    if (method === 'sendRichMessage' && this.richUnsupported) return this.error(404, 'Not Found');
    if (SEND_METHODS.has(method)) await this.held.get(String(p.chat_id));
    if (SEND_METHODS.has(method)) {
      const limited = this.limit(
        String(p.chat_id),
        p.allow_paid_broadcast === true || p.allow_paid_broadcast === 'true',
      );
      if (limited) return limited;
      const failure = this.failures.get(String(p.chat_id));
      if (failure) {
        const refusal = this.refusal(failure, method, p);
        if (refusal) return refusal;
      }
    }
    const corrected = this.answerCorrection(method, p);
    if (corrected) return corrected;
    if (method === 'sendRichMessage') return this.answerRich(p);
    switch (method) {
      case 'getMe':
        return ok({
          id: this.botId,
          is_bot: true,
          first_name: 'Nashra',
          username: this.botUsername,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case 'getUpdates':
        this.allow(p.allowed_updates);
        return ok(this.optedIn(await this.getUpdates(p)));
      case 'sendMessage':
      case 'sendPhoto': {
        const message: any = {
          message_id: this.nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: this.chatOf(p.chat_id),
        };
        if (method === 'sendMessage') message.text = p.text;
        else {
          message.caption = p.caption;
          message.photo = [{ file_id: 'f', file_unique_id: 'u', width: 1, height: 1 }];
        }
        if (p.message_thread_id !== undefined) message.message_thread_id = Number(p.message_thread_id);
        if (p.reply_markup)
          message.reply_markup = typeof p.reply_markup === 'string' ? JSON.parse(p.reply_markup) : p.reply_markup;
        this.remember(message);
        return ok(message);
      }
      case 'editMessageText':
        return ok({
          message_id: Number(p.message_id),
          date: Math.floor(Date.now() / 1000),
          chat: this.chatOf(p.chat_id),
          text: p.text,
        });
      case 'editMessageCaption':
        return ok({
          message_id: Number(p.message_id),
          date: Math.floor(Date.now() / 1000),
          chat: this.chatOf(p.chat_id),
          caption: p.caption,
        });
      case 'editMessageReplyMarkup':
        return ok({
          message_id: Number(p.message_id),
          date: Math.floor(Date.now() / 1000),
          chat: this.chatOf(p.chat_id),
        });
      case 'getChatMember':
        return ok(
          this.members.get(`${p.chat_id}:${p.user_id}`) ?? {
            status: 'member',
            user: { id: Number(p.user_id), is_bot: false, first_name: 'u' },
          },
        );
      case 'getChat': {
        const chat = this.chatInfo.get(String(p.chat_id));
        return chat ? ok(chat) : this.error(400, 'Bad Request: chat not found');
      }
      case 'getFile':
        return this.getFile(p);
      case 'setWebhook':
        this.allow(p.allowed_updates);
        this.webhookSecret = p.secret_token;
        return ok(true);
      case 'answerCallbackQuery':
      case 'setMyCommands':
      case 'setMyDescription':
      case 'deleteWebhook':
      case 'sendChatAction':
      case 'deleteMessage':
        return ok(true);
      default:
        return this.error(404, `Not Found: method ${method} is not faked`);
    }
  }

  // ----- files: getFile and the download endpoint (issue 12: an OPML file sent to the bot) -----------------------
  // A test registers a file under a file_id (`addFile`) and sends a message whose document carries that id; the bot
  // asks getFile for its file_path and downloads GET /file/bot<token>/<file_path>, as from api.telegram.org.
  private files = new Map<string, { path: string; body: Buffer }>();
  /** Downloads made, by file_path (a test can check that nothing was fetched). */
  readonly downloads: string[] = [];

  addFile(
    fileId: string,
    body: string | Buffer,
    name = 'file.bin',
  ): { file_id: string; file_unique_id: string; file_size: number } {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    this.files.set(fileId, { path: `documents/${this.files.size + 1}-${name}`, body: data });
    return { file_id: fileId, file_unique_id: `u-${fileId}`, file_size: data.length };
  }

  private getFile(p: Record<string, any>): any {
    const f = this.files.get(String(p.file_id));
    if (!f) return this.error(400, 'Bad Request: invalid file_id');
    return ok({
      file_id: String(p.file_id),
      file_unique_id: `u-${p.file_id}`,
      file_size: f.body.length,
      file_path: f.path,
    });
  }

  /** GET /file/bot<token>/<file_path>: the file's bytes; true when the request was for a file. */
  private serveFile(req: IncomingMessage, res: ServerResponse): boolean {
    const m = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url?.split('?')[0] ?? '');
    if (!m) return false;
    const path = decodeURIComponent(m[2]!);
    const file = m[1] === this.token ? [...this.files.values()].find((f) => f.path === path) : undefined;
    this.downloads.push(path);
    if (!file) res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    else
      res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.body.length })
        .end(file.body);
    return true;
  }
  // ----- end of files -------------------------------------------------------------------------------------------

  private chatOf(chatId: unknown) {
    const id = Number(chatId);
    return id > 0 ? { id, type: 'private', first_name: 'u' } : { id, type: 'supergroup', title: 'g' };
  }

  private refusal(f: Failure, method: string, p: Record<string, any>): any {
    switch (f.kind) {
      case 'blocked':
        return this.error(403, 'Forbidden: bot was blocked by the user');
      case 'not_found':
        return this.error(400, 'Bad Request: chat not found');
      case 'migrate':
        return this.error(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
          migrate_to_chat_id: f.to,
        });
      case 'too_long':
        return p.parse_mode ? this.error(400, 'Bad Request: message is too long') : undefined;
      case 'cant_parse':
        return p.parse_mode ? this.error(400, "Bad Request: can't parse entities: Unsupported start tag") : undefined;
      case 'server_error':
        return this.error(502, 'Bad Gateway');
      case 'photo_invalid':
        return method === 'sendPhoto' || (method === 'sendRichMessage' && richHasPhoto(p))
          ? this.error(400, 'Bad Request: wrong file identifier/HTTP URL specified')
          : undefined;
      case 'raw':
        return f.method === undefined || f.method === method
          ? ({
              raw: { status: f.status, body: f.body, contentType: f.contentType ?? 'application/json' },
            } satisfies RawAnswer)
          : undefined;
    }
  }

  // ----- strict rate limits (issue 14) -----
  /**
   * 429 with retry_after when a rolling limit would be passed (or during a storm): at most `globalPerSecond` sends in
   * any rolling second overall (`paidPerSecond` for a send with `allow_paid_broadcast`, counting every send),
   * `perChatPerSecond` in any rolling second per chat, `perGroupPerMinute` in any rolling minute per group (a
   * negative chat id). A refused send counts in no window. Windows of chats idle for their span are forgotten.
   */
  private limit(chatId: string, paid: boolean): any {
    const now = performance.now();
    const tooMany = (ms: number) => {
      this.rateLimited429++;
      const retryAfter = Math.max(1, Math.ceil(ms / 1000));
      return this.error(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    };
    if (Date.now() < this.stormUntil) return tooMany(this.stormUntil - Date.now());
    this.forgetIdleChats(now);
    const isGroup = Number(chatId) < 0;
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = new RollingWindow(1000);
      this.chats.set(chatId, chat);
    }
    let group = isGroup ? this.groups.get(chatId) : undefined;
    if (isGroup && !group) {
      group = new RollingWindow(60_000);
      this.groups.set(chatId, group);
    }
    const free = this.global.wait(now, this.limits.globalPerSecond);
    const overall = paid ? this.global.wait(now, this.limits.paidPerSecond ?? PAID_BROADCAST_PER_SECOND) : free;
    const wait = Math.max(
      chat.wait(now, this.limits.perChatPerSecond),
      group?.wait(now, this.limits.perGroupPerMinute) ?? 0,
      overall,
    );
    if (wait > 0) return tooMany(wait);
    if (paid && free > 0) this.paidSent++;
    chat.record(now);
    group?.record(now);
    this.global.record(now);
    return undefined;
  }

  private lastForget = 0;
  private forgetIdleChats(now: number): void {
    if (now - this.lastForget < 5000) return;
    this.lastForget = now;
    for (const [id, w] of this.chats) if (w.idle(now)) this.chats.delete(id);
    for (const [id, w] of this.groups) if (w.idle(now)) this.groups.delete(id);
  }
  // ----- end of strict rate limits -----

  private async getUpdates(p: Record<string, any>): Promise<any[]> {
    const offset = Number(p.offset ?? 0);
    const limit = Number(p.limit ?? 100);
    const deadline = Date.now() + Number(p.timeout ?? 0) * 1000;
    for (;;) {
      this.updates = this.updates.filter((u) => u.update_id >= offset);
      if (this.updates.length > 0 || Date.now() >= deadline || !this.server?.listening)
        return this.updates.slice(0, limit);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
        this.waiters.add(wake);
      });
    }
  }
}

const ok = (result: unknown) => ({ ok: true, result });

// ===== Reactions (issue 25): message_reaction_count and message_reaction, and the allowed_updates they need =====
// Telegram sends these two (and chat_member) only to a bot that named them in `allowed_updates`, and remembers the
// last list a bot gave (getUpdates or setWebhook) for the calls that give none. The fake does the same: an update of
// these kinds that the bot did not ask for is dropped, not delivered; other kinds are delivered as before.

/** The update kinds Telegram leaves out unless the bot asks for them by name. */
export const OPT_IN_UPDATES = ['chat_member', 'message_reaction', 'message_reaction_count'] as const;

export type FakeReaction =
  | { type: 'emoji'; emoji: string }
  | { type: 'custom_emoji'; custom_emoji_id: string }
  | { type: 'paid' }
  | Record<string, unknown>;

export interface FakeTelegram {
  /** The last `allowed_updates` the bot gave (undefined: never, Telegram's default). */
  allowedUpdates?: string[];
  /** Updates dropped because the bot had not asked for their kind. */
  droppedUpdates?: any[];
  webhookSecret?: string;
  allow(list: unknown): void;
  optedIn(updates: any[]): any[];
  /** A channel post's reactions as Telegram reports them: the whole current count per reaction. */
  pushReactionCount(
    chat: { id: number; type?: string; title?: string },
    messageId: number,
    reactions: Array<{ type: FakeReaction; total_count: unknown }>,
    date?: number,
  ): number;
  /** One user's change of reactions to a message in a group. */
  pushReaction(
    chat: { id: number; type?: string; title?: string },
    messageId: number,
    userId: number,
    oldReaction: FakeReaction[],
    newReaction: FakeReaction[],
    date?: number,
  ): number;
  /**
   * Delivers an update to a webhook server as Telegram would (POST with the secret header setWebhook registered),
   * unless its kind was not asked for ('dropped'). The status of the answer.
   */
  deliverWebhook(url: string, update: Record<string, unknown>): Promise<number | 'dropped'>;
}

FakeTelegram.prototype.allow = function (this: FakeTelegram, list: unknown): void {
  const parsed = typeof list === 'string' ? (JSON.parse(list) as unknown) : list;
  if (Array.isArray(parsed) && parsed.length > 0) this.allowedUpdates = parsed.map(String);
};

const kindOf = (update: Record<string, unknown>) => Object.keys(update).find((k) => k !== 'update_id')!;
const asked = (fake: FakeTelegram, update: Record<string, unknown>) =>
  !(OPT_IN_UPDATES as readonly string[]).includes(kindOf(update)) ||
  (fake.allowedUpdates ?? []).includes(kindOf(update));

FakeTelegram.prototype.optedIn = function (this: FakeTelegram, updates: any[]): any[] {
  const dropped = updates.filter((u) => !asked(this, u));
  if (dropped.length === 0) return updates;
  this.droppedUpdates ??= [];
  this.droppedUpdates.push(...dropped);
  // Telegram never queued them: gone for good.
  const queue = this as unknown as { updates: any[] };
  queue.updates = queue.updates.filter((u) => !dropped.includes(u));
  return updates.filter((u) => asked(this, u));
};

const reactionChat = (chat: { id: number; type?: string; title?: string }) => ({
  type: chat.id < 0 ? 'channel' : 'private',
  title: 'c',
  ...chat,
});

FakeTelegram.prototype.pushReactionCount = function (
  this: FakeTelegram,
  chat,
  messageId,
  reactions,
  date = Math.floor(Date.now() / 1000),
) {
  return this.pushUpdate({
    message_reaction_count: { chat: reactionChat(chat), message_id: messageId, date, reactions },
  });
};

FakeTelegram.prototype.pushReaction = function (
  this: FakeTelegram,
  chat,
  messageId,
  userId,
  oldReaction,
  newReaction,
  date = Math.floor(Date.now() / 1000),
) {
  return this.pushUpdate({
    message_reaction: {
      chat: reactionChat({ type: 'supergroup', ...chat }),
      message_id: messageId,
      date,
      user: { id: userId, is_bot: false, first_name: `u${userId}` },
      old_reaction: oldReaction,
      new_reaction: newReaction,
    },
  });
};

FakeTelegram.prototype.deliverWebhook = async function (
  this: FakeTelegram,
  url: string,
  update: Record<string, unknown>,
) {
  if (!asked(this, update)) {
    this.droppedUpdates ??= [];
    this.droppedUpdates.push(update);
    return 'dropped';
  }
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(this.webhookSecret ? { 'x-telegram-bot-api-secret-token': this.webhookSecret } : {}),
    },
    body: JSON.stringify(update),
  });
  await res.arrayBuffer();
  return res.status;
};
// ===== end of reactions =====

// ===== Corrections and retractions: editMessageText, editMessageCaption, deleteMessage, deleteMessages =====
// Kept apart from the rest of the fake (the rate-limit code above changes on its own). The answers are the Bot
// API's own words (400 Bad Request): "message is not modified: …", "message to edit not found", "there is no text
// in the message to edit", "there is no caption in the message to edit", "message can't be edited", "message to
// delete not found", "message can't be deleted" (older than 48 hours, or no right to delete).

/** A message the fake sent, as the chat now shows it. */
export interface FakeMessage {
  chatId: string;
  messageId: number;
  date: number;
  text?: string;
  caption?: string;
  photo: boolean;
  replyMarkup?: string;
  deleted: boolean;
  edits: number;
}

/** How a chat refuses corrections (a channel where the bot lost its rights, a post an admin removed). */
export interface CorrectionRefusal {
  delete?: boolean;
  edit?: boolean;
}

/** The Bot API lets a bot delete a message for 48 hours after it was sent. */
export const DELETE_WINDOW_MS = 48 * 3600 * 1000;
const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
/** Message ids the fake hands out start here; lower ones were invented by a test (a button press) and are accepted as they were. */
const FIRST_MESSAGE_ID = 1000;

export interface FakeTelegram {
  /** Messages the fake sent, by `chat:id`. */
  messages: Map<string, FakeMessage>;
  correctionRefusals: Map<string, CorrectionRefusal>;
  remember(message: any): void;
  answerCorrection(method: string, p: Record<string, any>): any;
  /** The message as its chat shows it now (undefined: never sent). */
  message(chatId: string | number, messageId: number | string): FakeMessage | undefined;
  /** Makes every message sent so far `ms` older (the 48-hour delete window). */
  ageMessages(ms: number): void;
  refuseCorrections(chatId: string | number, refusal: CorrectionRefusal | undefined): void;
}

FakeTelegram.prototype.remember = function (this: FakeTelegram, message: any): void {
  this.messages ??= new Map();
  const chatId = String(message.chat.id);
  this.messages.set(`${chatId}:${message.message_id}`, {
    chatId,
    messageId: message.message_id,
    date: Date.now(),
    text: message.text,
    caption: message.caption,
    photo: message.photo !== undefined,
    replyMarkup: markupKey(message.reply_markup),
    deleted: false,
    edits: 0,
  });
};

FakeTelegram.prototype.message = function (this: FakeTelegram, chatId, messageId) {
  return this.messages?.get(`${chatId}:${messageId}`);
};

FakeTelegram.prototype.ageMessages = function (this: FakeTelegram, ms: number): void {
  for (const m of this.messages?.values() ?? []) m.date -= ms;
};

FakeTelegram.prototype.refuseCorrections = function (this: FakeTelegram, chatId, refusal): void {
  this.correctionRefusals ??= new Map();
  if (refusal) this.correctionRefusals.set(String(chatId), refusal);
  else this.correctionRefusals.delete(String(chatId));
};

/** The answer to one of the four methods, or undefined to let the rest of the fake answer (other methods). */
FakeTelegram.prototype.answerCorrection = function (this: FakeTelegram, method: string, p: Record<string, any>): any {
  if (!['editMessageText', 'editMessageCaption', 'deleteMessage', 'deleteMessages'].includes(method)) return undefined;
  const chatId = String(p.chat_id);
  const refusal = this.correctionRefusals?.get(chatId) ?? {};
  const error = (description: string) => ({ ok: false, error_code: 400, description });
  if (method === 'deleteMessage' || method === 'deleteMessages') {
    const limited = (this as any).limit(chatId);
    if (limited) return limited;
    const ids: number[] = method === 'deleteMessage' ? [Number(p.message_id)] : parseIds(p.message_ids);
    if (method === 'deleteMessages' && (ids.length === 0 || ids.length > 100))
      return error('Bad Request: message identifiers are not specified');
    const found = ids
      .map((id) => this.message(chatId, id))
      .filter((m): m is FakeMessage => m !== undefined && !m.deleted);
    if (method === 'deleteMessage' && found.length === 0) return error('Bad Request: message to delete not found');
    const deletable = found.filter((m) => !refusal.delete && Date.now() - m.date < DELETE_WINDOW_MS);
    // deleteMessages skips what it cannot find; like deleteMessage it refuses when none of them may be deleted.
    if (deletable.length === 0 && found.length > 0) return error("Bad Request: message can't be deleted");
    for (const m of deletable) m.deleted = true;
    return ok(true);
  }
  const id = Number(p.message_id);
  const m = this.message(chatId, id);
  if (!m) return id < FIRST_MESSAGE_ID ? undefined : error('Bad Request: message to edit not found');
  if (m.deleted) return error('Bad Request: message to edit not found');
  if (refusal.edit) return error("Bad Request: message can't be edited");
  const field = method === 'editMessageText' ? 'text' : 'caption';
  if (method === 'editMessageText' && m.photo) return error('Bad Request: there is no text in the message to edit');
  if (method === 'editMessageCaption' && !m.photo)
    return error('Bad Request: there is no caption in the message to edit');
  const value = String(p[field] ?? '');
  const markup = markupKey(typeof p.reply_markup === 'string' ? JSON.parse(p.reply_markup) : p.reply_markup);
  if (value === (m[field] ?? '') && markup === m.replyMarkup) return error(NOT_MODIFIED);
  m[field] = value;
  m.replyMarkup = markup;
  m.edits++;
  const result: any = {
    message_id: id,
    date: Math.floor(m.date / 1000),
    edit_date: Math.floor(Date.now() / 1000),
    chat: { id: Number(chatId) },
  };
  result[field] = value;
  return ok(result);
};

const markupKey = (markup: unknown): string | undefined => {
  const rows = (markup as { inline_keyboard?: unknown[] } | undefined)?.inline_keyboard;
  return rows && rows.length > 0 ? JSON.stringify(markup) : undefined;
};

const parseIds = (raw: unknown): number[] =>
  (Array.isArray(raw) ? raw : typeof raw === 'string' ? JSON.parse(raw) : []).map(Number);
// ===== end of corrections =====

// ===== Rich messages (issue 26): sendRichMessage, checked against grammY's types (@grammyjs/types rich.d.ts) =====
// The blocks form only is checked in depth (html and markdown are parsed by Telegram; Nashra sends blocks): every
// block's type and required fields, every RichText, and the limits rich.d.ts states: 32,768 characters of text, 500
// blocks counting nested ones (a blockquote and its paragraph are two), 16 levels of nesting, 50 media. A bad shape
// is a 400 with the reason, as the real server answers malformed requests. `richUnsupported` makes it an older
// server that does not know the method (404 "Not Found").

export const RICH_MAX_CHARS = 32_768;
export const RICH_MAX_BLOCKS = 500;
const RICH_MAX_DEPTH = 16;
const RICH_MAX_MEDIA = 50;

/**
 * InputRichBlock's types, as a record keyed by grammY's own union: a type grammY adds or drops fails the typecheck
 * here, so the fake cannot drift from the types the bot is compiled against.
 */
const RICH_BLOCK_TYPE_RECORD: Record<InputRichBlock['type'], true> = {
  paragraph: true,
  heading: true,
  pre: true,
  footer: true,
  divider: true,
  mathematical_expression: true,
  anchor: true,
  list: true,
  blockquote: true,
  expandable_blockquote: true,
  pullquote: true,
  collage: true,
  slideshow: true,
  table: true,
  details: true,
  map: true,
  animation: true,
  audio: true,
  document: true,
  photo: true,
  video: true,
  voice_note: true,
  buttons: true,
  thinking: true,
};
const RICH_BLOCK_TYPES = new Set(Object.keys(RICH_BLOCK_TYPE_RECORD));
const RICH_MEDIA = new Set(['animation', 'audio', 'document', 'photo', 'video', 'voice_note']);
/** RichText's object types (keyed by grammY's union, as above) and the field each requires beside `text`. */
const RICH_TEXT_TYPES: Record<Exclude<RichText, string | RichText[]>['type'], string | undefined> = {
  bold: undefined,
  italic: undefined,
  underline: undefined,
  strikethrough: undefined,
  spoiler: undefined,
  subscript: undefined,
  superscript: undefined,
  marked: undefined,
  code: undefined,
  date_time: 'unix_time',
  text_mention: 'user',
  url: 'url',
  email_address: 'email_address',
  phone_number: 'phone_number',
  bank_card_number: 'bank_card_number',
  mention: 'username',
  hashtag: 'hashtag',
  cashtag: 'cashtag',
  bot_command: 'bot_command',
  button: 'button',
  anchor: 'name',
  anchor_link: 'anchor_name',
  reference: 'name',
  reference_link: 'reference_name',
  custom_emoji: 'custom_emoji_id',
  mathematical_expression: 'expression',
};

class RichShapeError extends Error {}

interface RichCount {
  chars: number;
  blocks: number;
  media: number;
}

export interface FakeTelegram {
  /** Set: the server is older than rich messages and answers sendRichMessage 404 "Not Found". */
  richUnsupported?: boolean;
  answerRich(p: Record<string, any>): any;
}

FakeTelegram.prototype.answerRich = function (this: FakeTelegram, p: Record<string, any>): any {
  const error = (description: string) => ({ ok: false, error_code: 400, description });
  const rich = typeof p.rich_message === 'string' ? safeJson(p.rich_message) : p.rich_message;
  try {
    const count = checkRichMessage(rich);
    if (count.chars > RICH_MAX_CHARS) return error('Bad Request: rich message is too long');
    if (count.blocks > RICH_MAX_BLOCKS) return error('Bad Request: too many blocks in the rich message');
    if (count.media > RICH_MAX_MEDIA) return error('Bad Request: too many media in the rich message');
  } catch (err) {
    if (err instanceof RichShapeError) return error(`Bad Request: ${err.message}`);
    throw err;
  }
  const message: any = {
    message_id: (this as any).nextMessageId++,
    date: Math.floor(Date.now() / 1000),
    chat: (this as any).chatOf(p.chat_id),
    rich_message: { blocks: rich.blocks, ...(rich.is_rtl === true ? { is_rtl: true } : {}) },
  };
  this.remember(message);
  return ok(message);
};

const safeJson = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};

/** The message's counts; throws RichShapeError for a shape rich.d.ts does not allow. */
function checkRichMessage(rich: any): RichCount {
  if (!rich || typeof rich !== 'object' || Array.isArray(rich))
    throw new RichShapeError('rich_message must be an InputRichMessage object');
  const forms = ['blocks', 'html', 'markdown'].filter((f) => rich[f] !== undefined);
  if (forms.length !== 1) throw new RichShapeError('exactly one of blocks, html or markdown must be used');
  for (const flag of ['is_rtl', 'skip_entity_detection']) {
    if (rich[flag] !== undefined && typeof rich[flag] !== 'boolean')
      throw new RichShapeError(`${flag} must be a Boolean`);
  }
  const count: RichCount = { chars: 0, blocks: 0, media: 0 };
  if (rich.blocks === undefined) {
    const source = rich.html ?? rich.markdown;
    if (typeof source !== 'string' || !source.trim()) throw new RichShapeError('message text is empty');
    count.chars = [...source].length;
    return count;
  }
  if (!Array.isArray(rich.blocks) || rich.blocks.length === 0)
    throw new RichShapeError('blocks must be a non-empty array');
  for (const block of rich.blocks) checkBlock(block, 1, count);
  return count;
}

function checkBlock(b: any, depth: number, count: RichCount): void {
  if (depth > RICH_MAX_DEPTH) throw new RichShapeError('too deep nesting of blocks');
  if (!b || typeof b !== 'object' || !RICH_BLOCK_TYPES.has(b.type))
    throw new RichShapeError(`unsupported block type "${String(b?.type)}"`);
  count.blocks++;
  const text = (field: string, required = true) => {
    if (b[field] === undefined && !required) return;
    count.chars += checkRichText(b[field], depth + 1, `${b.type}.${field}`);
  };
  const nested = (field: string) => {
    if (!Array.isArray(b[field]) || b[field].length === 0)
      throw new RichShapeError(`${b.type}.${field} must be a non-empty array of blocks`);
    for (const inner of b[field]) checkBlock(inner, depth + 1, count);
  };
  switch (b.type) {
    case 'paragraph':
    case 'footer':
    case 'pre':
    case 'thinking':
      text('text');
      break;
    case 'heading':
      text('text');
      if (![1, 2, 3, 4, 5, 6].includes(b.size)) throw new RichShapeError('heading.size must be 1-6');
      break;
    case 'expandable_blockquote':
    case 'pullquote':
      text('text');
      text('credit', false);
      break;
    case 'blockquote':
      nested('blocks');
      text('credit', false);
      break;
    case 'details':
      text('summary');
      nested('blocks');
      break;
    case 'collage':
    case 'slideshow':
      nested('blocks');
      break;
    case 'list':
      if (!Array.isArray(b.items) || b.items.length === 0)
        throw new RichShapeError('list.items must be a non-empty array');
      for (const item of b.items) {
        count.blocks++;
        if (!Array.isArray(item?.blocks)) throw new RichShapeError('list item must have blocks');
        for (const inner of item.blocks) checkBlock(inner, depth + 2, count);
      }
      break;
    case 'divider':
      break;
    case 'anchor':
      if (typeof b.name !== 'string' || !b.name) throw new RichShapeError('anchor.name must be a non-empty string');
      break;
    case 'mathematical_expression':
      if (typeof b.expression !== 'string') throw new RichShapeError('expression must be a string');
      count.chars += [...String(b.expression)].length;
      break;
    default:
      if (RICH_MEDIA.has(b.type)) {
        const media = b[b.type];
        if (!media || media.type !== b.type || typeof media.media !== 'string')
          throw new RichShapeError(`${b.type}.${b.type} must be an InputMedia of type "${b.type}"`);
        if (!/^https?:\/\//i.test(media.media) && !/^attach:\/\//.test(media.media) && /[:/]/.test(media.media)) {
          throw new RichShapeError('media blocks support only HTTP and HTTPS URLs');
        }
        count.media++;
      }
  }
}

/** A RichText's characters (code points, as Telegram counts UTF-8 characters); throws for a shape not allowed. */
function checkRichText(t: any, depth: number, where: string): number {
  if (depth > RICH_MAX_DEPTH + 1) throw new RichShapeError('too deep nesting of formatting');
  if (typeof t === 'string') return [...t].length;
  if (Array.isArray(t)) return t.reduce((n: number, part: any) => n + checkRichText(part, depth + 1, where), 0);
  if (!t || typeof t !== 'object' || !Object.hasOwn(RICH_TEXT_TYPES, String(t.type)))
    throw new RichShapeError(`${where}: unsupported rich text "${String(t?.type ?? typeof t)}"`);
  const required = RICH_TEXT_TYPES[t.type as keyof typeof RICH_TEXT_TYPES];
  if (required && t[required] === undefined) throw new RichShapeError(`${where}: ${t.type} needs ${required}`);
  if (t.type === 'url' && !/^(https?|tg|mailto|tel):/i.test(String(t.url)))
    throw new RichShapeError(`${where}: unsupported URL protocol`);
  if (t.type === 'custom_emoji') return [...String(t.alternative_text ?? '')].length;
  if (t.type === 'mathematical_expression') return [...String(t.expression)].length;
  return checkRichText(t.text, depth + 1, where);
}

function richHasPhoto(p: Record<string, any>): boolean {
  const rich = typeof p.rich_message === 'string' ? safeJson(p.rich_message) : p.rich_message;
  const has = (blocks: unknown): boolean =>
    Array.isArray(blocks) && blocks.some((b: any) => b?.type === 'photo' || has(b?.blocks));
  return has((rich as any)?.blocks);
}
// ===== end of rich messages =====

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readBody(req: IncomingMessage): Promise<Record<string, any>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (!raw) return Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  if (type.includes('application/json')) return JSON.parse(raw);
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (boundary) {
    const params: Record<string, any> = {};
    for (const part of raw.split(`--${boundary[1] ?? boundary[2]}`)) {
      const name = /name="([^"]+)"/.exec(part)?.[1];
      if (!name) continue;
      const value = part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
      params[name] = /filename=/.test(part) ? '[file]' : value;
    }
    for (const [k, v] of Object.entries(params))
      if (typeof v === 'string' && /^[{[]/.test(v)) {
        try {
          params[k] = JSON.parse(v);
        } catch {
          /* a plain string */
        }
      }
    return params;
  }
  return {};
}

/**
 * Several bots behind one Bot API address, as api.telegram.org serves every token: each token its own FakeTelegram
 * (its updates, calls, messages and limits), so a test reads which token sent what. A token no bot has is 401.
 */
export class FakeTelegramHub {
  readonly bots = new Map<string, FakeTelegram>();
  apiRoot = '';
  private server?: Server;

  /** A bot for `token`, with its own id and username (both must differ between bots, as Telegram's do). */
  add(token: string, bot: { id: number; username: string }, limits?: FakeLimits): FakeTelegram {
    const fake = new FakeTelegram(token, limits, bot);
    fake.apiRoot = this.apiRoot;
    this.bots.set(token, fake);
    return fake;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const token = /^\/(?:file\/)?bot([^/]+)\//.exec(req.url ?? '')?.[1];
      const bot = token === undefined ? undefined : this.bots.get(token);
      if (bot) return void bot.handle(req, res);
      req.resume();
      send(
        res,
        token === undefined ? 404 : 401,
        token === undefined
          ? { ok: false, error_code: 404, description: 'Not Found' }
          : { ok: false, error_code: 401, description: 'Unauthorized' },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.apiRoot = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    // Each bot's long polls wait while the hub's server listens: with no server of its own, a bot answered every
    // getUpdates at once, and each run's bot polled in a loop (a core's worth of requests in the scale bench).
    for (const bot of this.bots.values()) Object.assign(bot, { apiRoot: this.apiRoot, server: this.server });
    return this.apiRoot;
  }

  async stop(): Promise<void> {
    for (const bot of this.bots.values()) await bot.stop();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
