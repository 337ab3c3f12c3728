import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { run, type RunnerHandle } from '@grammyjs/runner';
import { GrammyError, HttpError, webhookCallback, type Bot } from 'grammy';
import { ConfigValueError } from '../../src/config.js';
import type { Transport } from '../../src/delivery/platform.js';
import type { AdapterContext, PlatformAdapter } from '../../src/delivery/platform.js';
import { createBot, describe, registerCommands, type BotOptions } from './bot.js';
import { PLATFORM } from './context.js';
import type { TelegramSettings } from './config.js';
import { describeAnswer } from './requests.js';
import { createTelegramTransport } from './transport.js';
import { askEditorsToReview } from './review.js';
import type { StoredArticle } from '../../src/model/article.js';
import type { Review } from '../../src/model/review.js';
import { flushFullReads } from '../../src/newsroom/index.js';

/**
 * The updates the bot asks for. Telegram leaves `message_reaction` and `message_reaction_count` out unless they are
 * named here (bots/telegram/reactions.ts), and keeps the last list given for the next getUpdates or webhook.
 */
export const ALLOWED_UPDATES = [
  'message',
  'callback_query',
  'my_chat_member',
  'channel_post',
  'message_reaction',
  'message_reaction_count',
] as const;

/** Telegram for `nashra run`: the bot (long polling with grammY's runner, or a webhook) and the worker's transport. */
export class TelegramAdapter implements PlatformAdapter {
  readonly name = PLATFORM;
  readonly transport: Transport;
  readonly bot: Bot;
  private runner?: RunnerHandle;
  private server?: Server;
  private connected = false;
  /** False after a request found the Bot API unreachable (network error or 5xx), until the next answer. */
  private reachable = true;
  /** Aborts a start still waiting for the Bot API (grammY retries getMe forever) when a stop is asked for. */
  private readonly starting = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();

  private readonly logger: AdapterContext['logger'];

  constructor(
    private readonly settings: TelegramSettings,
    private readonly ctx: AdapterContext,
    options: BotOptions & { pollTimeoutSeconds?: number } = {},
  ) {
    this.logger = ctx.logger;
    this.bot = createBot({ ...ctx, settings }, { ...options, timers: this.timers });
    this.transport = createTelegramTransport({
      api: this.bot.api,
      config: { ...ctx.config, telegram: settings },
      logger: ctx.logger,
      isReady: () => this.connected,
      fullStory: {
        newsroom: ctx.newsroom,
        username: () => (this.bot.isInited() ? this.bot.botInfo.username : undefined),
      },
    });
    this.bot.api.config.use(async (prev, method, payload, signal) => {
      try {
        const answer = await prev(method, payload, signal);
        this.setReachable(answer.ok || answer.error_code < 500, method, answer.ok ? undefined : describeAnswer(answer));
        return answer;
      } catch (err) {
        if (err instanceof HttpError && !signal?.aborted) this.setReachable(false, method, describe(err));
        throw err;
      }
    });
    this.pollTimeoutSeconds = options.pollTimeoutSeconds ?? 30;
  }

  private readonly pollTimeoutSeconds: number;

  async start(): Promise<void> {
    const tg = this.settings;
    try {
      await this.bot.init(this.starting.signal as Parameters<Bot['init']>[0]); // getMe: a wrong token fails here, plainly; no network is retried
    } catch (err) {
      if (this.starting.signal.aborted) throw err;
      if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
        throw new ConfigValueError('TELEGRAM_BOT_TOKEN', {
          kind: 'token-refused',
          issuer: '@BotFather',
          method: 'getMe',
          code: err.error_code,
          description: err.description,
        });
      }
      throw new Error(`telegram: cannot start the bot (getMe failed: ${describe(err)})`);
    }
    await registerCommands(this.bot, this.logger);
    if (tg.webhookUrl) await this.startWebhook(tg.webhookUrl, tg.webhookPort ?? 8443);
    else await this.startPolling();
    this.connected = true;
    this.logger.info('telegram bot started', {
      bot: this.bot.botInfo.username,
      mode: tg.webhookUrl ? 'webhook' : 'long polling',
    });
  }

  private async startPolling(): Promise<void> {
    await this.bot.api
      .deleteWebhook()
      .catch((err) => this.logger.warn('telegram deleteWebhook refused', { error: describe(err) }));
    this.runner = run(this.bot, {
      runner: { fetch: { timeout: this.pollTimeoutSeconds, allowed_updates: ALLOWED_UPDATES }, silent: true },
    });
  }

  /**
   * Webhook mode. Telegram sends the secret in a header on every call and grammY refuses a request without it, so
   * a stranger who finds the port cannot post forged updates (an "editor" pressing «إرسال»). The secret is derived
   * from the bot token, so it survives restarts and needs no extra setting.
   */
  private async startWebhook(url: string, port: number): Promise<void> {
    const secretToken = webhookSecret(this.settings.token);
    const handle = webhookCallback(this.bot, 'http', { secretToken });
    this.server = createServer((req, res) => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      handle(req, res).catch((err) => {
        this.logger.error('telegram webhook update failed', { error: describe(err) });
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    // On the desk's address (NASHRA_WEB_HOST, loopback unless told otherwise): Telegram reaches it through the
    // newsroom's HTTPS reverse proxy, as it does the desk; every other interface stays closed.
    const host = this.ctx.config.web.host;
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(port, host, resolve));
    await this.bot.api.setWebhook(url, { allowed_updates: ALLOWED_UPDATES, secret_token: secretToken });
  }

  async stop(): Promise<void> {
    this.starting.abort();
    this.connected = false;
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    if (this.runner?.isRunning()) await this.runner.stop();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    // The full reads counted in memory (bots/telegram/full-story.ts) are written before the database closes.
    await flushFullReads(this.ctx.newsroom).catch((err) =>
      this.logger.warn('full reads not written at stop', { error: describe(err) }),
    );
  }

  /** Tells every editor (TELEGRAM_EDITOR_IDS and the store's) something in a private message; used by other platforms. */
  async notifyEditors(text: string): Promise<void> {
    for (const id of await this.ctx.newsroom.editors.on(PLATFORM)) {
      await this.bot.api
        .sendMessage(id, text)
        .catch((err) => this.logger.warn('editor notice not sent on Telegram', { editor: id, error: describe(err) }));
    }
  }

  /** An item held for review: each editor gets the post with «نشر» / «تجاهل» (bots/telegram/review.ts). */
  askEditorsToReview(article: StoredArticle, review: Review): Promise<void> {
    return askEditorsToReview(this.ctx, this.bot.api, article, review);
  }

  /** Logs only the changes, so an outage is one warning and its end one line, not one per request. */
  private setReachable(reachable: boolean, method: string, error?: string): void {
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    if (reachable) this.logger.info('telegram Bot API reachable again', { method });
    else this.logger.warn('telegram Bot API unreachable; retrying', { method, error });
  }

  notReadyReason(): string | undefined {
    if (!this.connected) return 'the Telegram bot has not started (getMe failed?)';
    return this.reachable ? undefined : 'the Bot API is not reachable; retrying';
  }

  isConnected(): boolean {
    return this.connected && this.reachable && (this.server !== undefined || (this.runner?.isRunning() ?? false));
  }
}

/** Telegram allows 1–256 characters of A–Z, a–z, 0–9, _ and -. */
export function webhookSecret(token: string): string {
  return createHmac('sha256', token).update('nashra-webhook').digest('hex');
}
