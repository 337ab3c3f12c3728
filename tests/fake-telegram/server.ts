/**
 * A fake Telegram Bot API on 127.0.0.1 speaking the real wire format (`/bot<token>/<method>`, JSON, form or multipart
 * bodies, `{ok, result}` / `{ok:false, error_code, description, parameters}` answers). It records every call, enforces
 * the Bot API's rate limits with real 429s, and can be told to fail for given chats.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeLimits { globalPerSecond: number; perChatPerSecond: number; perGroupPerMinute: number }
export interface Call { method: string; params: Record<string, any>; at: number; status: 'ok' | number }
export type Failure =
  | { kind: 'blocked' } | { kind: 'not_found' } | { kind: 'migrate'; to: number }
  | { kind: 'too_long' } | { kind: 'cant_parse' } | { kind: 'server_error' } | { kind: 'photo_invalid' }
  /** An answer that is not Telegram's (an emulator, a proxy's error page): this status and body, for `method` or every send. */
  | { kind: 'raw'; status: number; body: string; contentType?: string; method?: string };

/** A raw HTTP answer, written as it is instead of the Bot API's JSON. */
interface RawAnswer { raw: { status: number; body: string; contentType: string } }

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'editMessageText', 'editMessageReplyMarkup', 'editMessageCaption', 'copyMessage', 'forwardMessage']);

/** A token bucket: `capacity` requests at once, refilled at `perMs` per ms. Telegram publishes no algorithm; this one is fair. */
class Bucket {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly capacity: number, private readonly perMs: number) { this.tokens = capacity; }
  take(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
    if (this.tokens >= 1) { this.tokens -= 1; return 0; }
    return Math.ceil((1 - this.tokens) / this.perMs);
  }
}

export class FakeTelegram {
  readonly calls: Call[] = [];
  readonly botId = 777000111;
  readonly botUsername = 'nashra_test_bot';
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
  private global!: Bucket;
  private chats = new Map<string, Bucket>();
  private groups = new Map<string, Bucket>();
  private members = new Map<string, any>();
  private chatInfo = new Map<string, any>();
  apiRoot = '';

  constructor(readonly token: string, private limits: FakeLimits = { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 }) {
    this.setLimits(limits);
  }

  setLimits(limits: FakeLimits): void {
    this.limits = limits;
    // Capacity of one second's worth overall; a little burst per chat (a real server's clock is not ours).
    this.global = new Bucket(limits.globalPerSecond, limits.globalPerSecond / 1000);
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
    await new Promise<void>((resolve) => this.server ? this.server.close(() => resolve()) : resolve());
  }

  // ----- what tests tell it -----
  pushUpdate(update: Record<string, unknown>): number {
    const id = this.nextUpdateId++;
    this.updates.push({ update_id: id, ...update });
    for (const wake of this.waiters) wake();
    return id;
  }
  failFor(chatId: string | number, failure: Failure | undefined): void {
    if (failure) this.failures.set(String(chatId), failure); else this.failures.delete(String(chatId));
  }
  refuse(method: string): void { this.refused.add(method); }
  /**
   * Messages to this chat are received (recorded, as Telegram would post them) but not answered until the returned
   * function is called: a process killed meanwhile never learns that they arrived.
   */
  hold(chatId: string | number): () => void {
    let release!: () => void;
    this.held.set(String(chatId), new Promise<void>((r) => { release = r; }));
    return () => { this.held.delete(String(chatId)); release(); };
  }
  /** Answers 429 to every send for `ms`. */
  storm(ms: number): void { this.stormUntil = Date.now() + ms; }
  setMember(chatId: string | number, userId: number, member: Record<string, unknown>): void {
    this.members.set(`${chatId}:${userId}`, { user: { id: userId, is_bot: userId === this.botId, first_name: 'u' }, ...member });
  }
  setChat(ref: string | number, chat: Record<string, unknown>): void { this.chatInfo.set(String(ref), chat); }

  // ----- what tests read -----
  sent(method?: string): Call[] {
    return this.calls.filter((c) => c.status === 'ok' && (method ? c.method === method : SEND_METHODS.has(c.method)));
  }
  sentTo(chatId: string | number): Call[] {
    return this.sent().filter((c) => String(c.params.chat_id) === String(chatId));
  }

  // ----- the wire -----
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
      if (!res.writableEnded) res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body);
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
    if (SEND_METHODS.has(method)) await this.held.get(String(p.chat_id));
    if (SEND_METHODS.has(method)) {
      const limited = this.limit(String(p.chat_id));
      if (limited) return limited;
      const failure = this.failures.get(String(p.chat_id));
      if (failure) {
        const refusal = this.refusal(failure, method, p);
        if (refusal) return refusal;
      }
    }
    switch (method) {
      case 'getMe':
        return ok({ id: this.botId, is_bot: true, first_name: 'Nashra', username: this.botUsername, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'getUpdates': return ok(await this.getUpdates(p));
      case 'sendMessage': case 'sendPhoto': {
        const message: any = { message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), chat: this.chatOf(p.chat_id) };
        if (method === 'sendMessage') message.text = p.text; else { message.caption = p.caption; message.photo = [{ file_id: 'f', file_unique_id: 'u', width: 1, height: 1 }]; }
        if (p.message_thread_id !== undefined) message.message_thread_id = Number(p.message_thread_id);
        if (p.reply_markup) message.reply_markup = typeof p.reply_markup === 'string' ? JSON.parse(p.reply_markup) : p.reply_markup;
        return ok(message);
      }
      case 'editMessageText':
        return ok({ message_id: Number(p.message_id), date: Math.floor(Date.now() / 1000), chat: this.chatOf(p.chat_id), text: p.text });
      case 'editMessageCaption':
        return ok({ message_id: Number(p.message_id), date: Math.floor(Date.now() / 1000), chat: this.chatOf(p.chat_id), caption: p.caption });
      case 'editMessageReplyMarkup':
        return ok({ message_id: Number(p.message_id), date: Math.floor(Date.now() / 1000), chat: this.chatOf(p.chat_id) });
      case 'getChatMember':
        return ok(this.members.get(`${p.chat_id}:${p.user_id}`) ?? { status: 'member', user: { id: Number(p.user_id), is_bot: false, first_name: 'u' } });
      case 'getChat': {
        const chat = this.chatInfo.get(String(p.chat_id));
        return chat ? ok(chat) : this.error(400, 'Bad Request: chat not found');
      }
      case 'getFile': return this.getFile(p);
      case 'answerCallbackQuery': case 'setMyCommands': case 'setMyDescription': case 'deleteWebhook':
      case 'setWebhook': case 'sendChatAction': case 'deleteMessage':
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

  addFile(fileId: string, body: string | Buffer, name = 'file.bin'): { file_id: string; file_unique_id: string; file_size: number } {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    this.files.set(fileId, { path: `documents/${this.files.size + 1}-${name}`, body: data });
    return { file_id: fileId, file_unique_id: `u-${fileId}`, file_size: data.length };
  }

  private getFile(p: Record<string, any>): any {
    const f = this.files.get(String(p.file_id));
    if (!f) return this.error(400, 'Bad Request: invalid file_id');
    return ok({ file_id: String(p.file_id), file_unique_id: `u-${p.file_id}`, file_size: f.body.length, file_path: f.path });
  }

  /** GET /file/bot<token>/<file_path>: the file's bytes; true when the request was for a file. */
  private serveFile(req: IncomingMessage, res: ServerResponse): boolean {
    const m = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url?.split('?')[0] ?? '');
    if (!m) return false;
    const path = decodeURIComponent(m[2]!);
    const file = m[1] === this.token ? [...this.files.values()].find((f) => f.path === path) : undefined;
    this.downloads.push(path);
    if (!file) res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.body.length }).end(file.body);
    return true;
  }
  // ----- end of files -------------------------------------------------------------------------------------------

  private chatOf(chatId: unknown) {
    const id = Number(chatId);
    return id > 0 ? { id, type: 'private', first_name: 'u' } : { id, type: 'supergroup', title: 'g' };
  }

  private refusal(f: Failure, method: string, p: Record<string, any>): any {
    switch (f.kind) {
      case 'blocked': return this.error(403, 'Forbidden: bot was blocked by the user');
      case 'not_found': return this.error(400, 'Bad Request: chat not found');
      case 'migrate': return this.error(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: f.to });
      case 'too_long': return p.parse_mode ? this.error(400, 'Bad Request: message is too long') : undefined;
      case 'cant_parse': return p.parse_mode ? this.error(400, "Bad Request: can't parse entities: Unsupported start tag") : undefined;
      case 'server_error': return this.error(502, 'Bad Gateway');
      case 'photo_invalid': return method === 'sendPhoto' ? this.error(400, 'Bad Request: wrong file identifier/HTTP URL specified') : undefined;
      case 'raw': return f.method === undefined || f.method === method
        ? { raw: { status: f.status, body: f.body, contentType: f.contentType ?? 'application/json' } } satisfies RawAnswer : undefined;
    }
  }

  /** 429 with retry_after when a limit is passed (or during a storm). */
  private limit(chatId: string): any {
    const now = Date.now();
    const tooMany = (ms: number) => {
      this.rateLimited429++;
      const retryAfter = Math.max(1, Math.ceil(ms / 1000));
      return this.error(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    };
    if (now < this.stormUntil) return tooMany(this.stormUntil - now);
    const isGroup = Number(chatId) < 0;
    let chat = this.chats.get(chatId);
    if (!chat) this.chats.set(chatId, chat = new Bucket(2, this.limits.perChatPerSecond / 1000));
    let wait = chat.take(now);
    if (!wait && isGroup) {
      let group = this.groups.get(chatId);
      if (!group) this.groups.set(chatId, group = new Bucket(this.limits.perGroupPerMinute, this.limits.perGroupPerMinute / 60_000));
      wait = group.take(now);
    }
    if (!wait) wait = this.global.take(now);
    return wait ? tooMany(wait) : undefined;
  }

  private async getUpdates(p: Record<string, any>): Promise<any[]> {
    const offset = Number(p.offset ?? 0);
    const limit = Number(p.limit ?? 100);
    const deadline = Date.now() + Number(p.timeout ?? 0) * 1000;
    for (;;) {
      this.updates = this.updates.filter((u) => u.update_id >= offset);
      if (this.updates.length > 0 || Date.now() >= deadline || !this.server?.listening) return this.updates.slice(0, limit);
      await new Promise<void>((resolve) => {
        const wake = () => { clearTimeout(timer); this.waiters.delete(wake); resolve(); };
        const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
        this.waiters.add(wake);
      });
    }
  }
}

const ok = (result: unknown) => ({ ok: true, result });

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
    for (const [k, v] of Object.entries(params)) if (typeof v === 'string' && /^[{[]/.test(v)) { try { params[k] = JSON.parse(v); } catch { /* a plain string */ } }
    return params;
  }
  return {};
}
