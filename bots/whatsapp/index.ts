import { resolve } from 'node:path';
import { errorMessage } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { AdapterContext, PlatformAdapter } from '../../src/delivery/platform.js';
import { catalogue } from '../../src/i18n/index.js';
import { WhatsAppCommands } from './commands.js';
import { WhatsAppFullStory } from './full-story.js';
import { Pacer, systemClock, type Clock, type Random } from './pacing.js';
import { WhatsAppReactions } from './reactions.js';
import type { WhatsAppSettings } from './config.js';
import { WhatsAppTransport } from './transport.js';
import type { WaClient, WaGroupNotification, WaMedia, WaMessage, WaReaction } from './types.js';
import { WHATSAPP_LABEL } from './label.js';

/** What editors are told when the account cannot send, the platform named by its descriptor's label. */
const ACCOUNT = catalogue('ar').replies.account;
const LABEL = WHATSAPP_LABEL;
const LOGIN = 'nashra whatsapp login';

export interface WhatsAppAdapterOptions {
  /** Builds a fresh client for each connection attempt; default: the real whatsapp-web.js Client (client.ts). */
  createClient?: () => WaClient | Promise<WaClient>;
  clock?: Clock;
  random?: Random;
  /** Reconnect backoff after a disconnection: initial delay, doubled per failure, capped. */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Lead images as media; default MessageMedia.fromUrl. Pass null to always send text. */
  loadMedia?: ((url: string) => Promise<WaMedia>) | null;
}

type State = 'stopped' | 'connecting' | 'ready' | 'waiting-for-login' | 'logged-out';

/**
 * The WhatsApp platform: one whatsapp-web.js client at a time, rebuilt with capped backoff after a disconnection.
 * A logout (or a failed session restore) stops sending for good: the queue is left intact, the log says so loudly,
 * and the editors are told, until someone runs `nashra whatsapp login` and restarts.
 */
export class WhatsAppAdapter implements PlatformAdapter {
  readonly name = 'whatsapp';
  /** One Chromium per session folder: on a database several runs share, only one of them starts it (src/app/senders.ts). */
  readonly pin: string;
  readonly transport: WhatsAppTransport;
  readonly commands: WhatsAppCommands;
  /** Reactions to Nashra's posts in groups (bots/whatsapp/reactions.ts): kept across reconnections, not restarts. */
  readonly reactions: WhatsAppReactions;
  private current?: WaClient;
  private state: State = 'stopped';
  private failures = 0;
  private generation = 0;
  private readonly clock: Clock;
  private readonly random: Random;

  private readonly logger: Logger;

  constructor(
    private readonly settings: WhatsAppSettings,
    private readonly ctx: AdapterContext,
    private readonly options: WhatsAppAdapterOptions = {},
  ) {
    const { config, logger } = ctx;
    this.logger = logger;
    this.pin = resolve(settings.sessionDir);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    const pacer = new Pacer({ ...settings, timeZone: config.timeZone }, ctx.sendCounters, this.clock, this.random);
    this.reactions = new WhatsAppReactions({ newsroom: ctx.newsroom, logger });
    const transport = new WhatsAppTransport({
      config,
      logger,
      pacer,
      clock: this.clock,
      connection: { client: () => this.current, ready: () => this.state === 'ready' },
      loadMedia: options.loadMedia === null ? undefined : (options.loadMedia ?? defaultLoadMedia),
    });
    this.transport = transport;
    const fullStory = new WhatsAppFullStory({
      newsroom: ctx.newsroom,
      logger,
      sendSeries: (chat, messages, quote) => transport.sendSeries(chat, messages, quote),
      leftToday: () => transport.leftToday(),
    });
    this.commands = new WhatsAppCommands({ config, logger, newsroom: ctx.newsroom, clock: this.clock, fullStory });
  }

  get status(): State {
    return this.state;
  }

  /** The client of the current connection (tests drive its events). */
  get client(): WaClient | undefined {
    return this.current;
  }

  /** Starts connecting and returns: the first connection (Chromium, WhatsApp Web) can take a minute. */
  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'connecting';
    void this.connect();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.generation++;
    await this.dropClient();
  }

  isConnected(): boolean {
    return this.state === 'ready';
  }

  notReadyReason(): string | undefined {
    switch (this.state) {
      case 'ready':
        return undefined;
      case 'waiting-for-login':
        return 'WhatsApp is not logged in (run nashra whatsapp login, then restart)';
      case 'logged-out':
        return 'WhatsApp logged out (run nashra whatsapp login, then restart)';
      case 'connecting':
        return 'WhatsApp is connecting';
      case 'stopped':
        return 'WhatsApp is stopped';
    }
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    let client: WaClient;
    try {
      client = await (this.options.createClient ?? defaultCreateClient(this.settings))();
    } catch (err) {
      this.logger.error('whatsapp client could not be built', { error: errorMessage(err) });
      return this.scheduleReconnect(generation);
    }
    if (generation !== this.generation) return;
    this.current = client;
    this.attach(client, generation);
    try {
      await client.initialize();
    } catch (err) {
      if (generation !== this.generation || this.state === 'logged-out') return;
      this.logger.error('whatsapp client did not start (see nashra whatsapp doctor)', { error: errorMessage(err) });
      await this.dropClient();
      this.scheduleReconnect(generation);
    }
  }

  private attach(client: WaClient, generation: number): void {
    const live = () => generation === this.generation && this.current === client;
    client.on('qr', () => {
      if (!live() || this.state === 'waiting-for-login') return;
      this.state = 'waiting-for-login';
      this.logger.error(
        'whatsapp is not logged in: nothing will be sent until someone runs `nashra whatsapp login` and restarts',
        { sessionDir: this.settings.sessionDir },
      );
      void this.tellEditors(ACCOUNT.notLoggedIn(LABEL.ar, LABEL.en, LOGIN));
    });
    client.on('ready', () => {
      if (!live()) return;
      this.state = 'ready';
      this.failures = 0;
      this.logger.info('whatsapp connected', { number: client.info?.wid.user });
    });
    client.on('auth_failure', (message: unknown) => {
      if (!live()) return;
      this.loggedOut(`the saved session was rejected (${String(message)})`);
    });
    client.on('disconnected', (reason: unknown) => {
      if (!live()) return;
      if (String(reason) === 'LOGOUT')
        return this.loggedOut('the account was logged out (from the phone, or by WhatsApp)');
      this.logger.warn('whatsapp disconnected; reconnecting', { reason: String(reason) });
      this.state = 'connecting';
      void this.dropClient().then(() => this.scheduleReconnect(generation));
    });
    client.on('message', (msg: WaMessage) => {
      if (!live()) return;
      this.commands
        .handleMessage(client, msg)
        .catch((err) => this.logger.error('whatsapp message handling failed', { error: errorMessage(err) }));
    });
    client.on('message_reaction', (r: WaReaction) => {
      if (!live()) return;
      void this.reactions.handle(client, r);
    });
    client.on('group_leave', (n: WaGroupNotification) => {
      if (!live()) return;
      this.commands
        .handleGroupLeave(client, n)
        .catch((err) => this.logger.error('whatsapp group_leave handling failed', { error: errorMessage(err) }));
    });
    client.on('group_join', (n: WaGroupNotification) => {
      if (!live()) return;
      this.commands
        .handleGroupJoin(client, n)
        .catch((err) => this.logger.error('whatsapp group_join handling failed', { error: errorMessage(err) }));
    });
  }

  private loggedOut(why: string): void {
    this.state = 'logged-out';
    this.logger.error(
      `WHATSAPP LOGGED OUT: ${why}. Nothing is sent to WhatsApp; the queue is kept. Run \`nashra whatsapp login\`, then restart nashra.`,
    );
    void this.tellEditors(ACCOUNT.loggedOut(LABEL.ar, LABEL.en, why, LOGIN));
    void this.dropClient();
  }

  private scheduleReconnect(generation: number): void {
    if (generation !== this.generation || this.state === 'stopped' || this.state === 'logged-out') return;
    const initial = this.options.reconnect?.initialMs ?? 2_000;
    const max = this.options.reconnect?.maxMs ?? 5 * 60_000;
    const delay = Math.min(max, initial * 2 ** this.failures) * (0.8 + 0.4 * this.random());
    this.failures++;
    this.logger.info('whatsapp reconnect scheduled', { inMs: Math.round(delay), attempt: this.failures });
    void this.clock.sleep(delay).then(() => {
      if (generation === this.generation && this.state !== 'stopped' && this.state !== 'logged-out')
        void this.connect();
    });
  }

  private async dropClient(): Promise<void> {
    const client = this.current;
    this.current = undefined;
    if (!client) return;
    client.removeAllListeners();
    await client.destroy().catch(() => undefined); // the library may already have closed the browser
  }

  /** WhatsApp itself is what failed, so its editors hear it on the other platforms (Telegram). */
  private async tellEditors(text: string): Promise<void> {
    await this.ctx
      .notifyOtherEditors(text)
      .catch((err) => this.logger.warn('could not tell the editors', { error: errorMessage(err) }));
  }
}

const defaultCreateClient = (settings: WhatsAppSettings) => async (): Promise<WaClient> =>
  (await import('./client.js')).buildClient(settings);

const defaultLoadMedia = async (url: string): Promise<WaMedia> => (await import('./client.js')).loadMediaFromUrl(url);
