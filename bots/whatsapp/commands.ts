import { normalizeArabic } from '../../src/text/arabic.js';
import type { Config } from '../../src/config.js';
import { errorMessage, PermissionError, UserError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import {
  ARABIC_DELIVERY_WORDS,
  cancelBroadcast,
  scheduleBroadcast,
  SendTimeError,
  changeSubscription,
  DeliveryWordsError,
  subscriptionByChat,
  confirmBroadcast,
  deliveryPatchFromWords,
  describeDelivery,
  describeFilter,
  latestArticles,
  parseTopicFilter,
  previewBroadcast,
  setDelivery,
  subscribe,
  subscriptionLost,
  unsubscribe,
  type Actor,
  type ChatAuthority,
  type DeliveryPatch,
  type NewsroomDeps,
} from '../../src/newsroom/index.js';
import { catalogue } from '../../src/i18n/index.js';
import { refusalIn } from '../../src/refusal.js';
import { localDateTime, MAX_SCHEDULE_AHEAD_MS } from '../../src/text/schedule.js';
import { renderArticle } from '../../src/format/render.js';
import { WHATSAPP_PRACTICAL_LIMIT, whatsappMarkup } from './markup.js';
import { actorOf, isChannelId, isGroupId, resolveIdentity, type Identity } from './identity.js';
import type { Clock } from './pacing.js';
import type { WaChat, WaClient, WaGroupNotification, WaMessage } from './types.js';
import { WhatsAppCorrections } from './correct-command.js';
import { DIGEST_WORD, LATEST_WORDS, OFF_WORDS, ON_WORDS, YES } from './input-words.js';
import type { WhatsAppFullStory } from './full-story.js';

export interface CommandDeps {
  config: Pick<Config, 'timeZone' | 'template'>;
  logger: Logger;
  /** The newsroom actions' dependencies: every subscriber and editor action goes through them. */
  newsroom: NewsroomDeps;
  clock: Clock;
  /** How long «نعم» confirms a broadcast preview. */
  confirmWindowMs?: number;
  /** «المزيد» in reply to a post (full-story.ts). */
  fullStory?: WhatsAppFullStory;
}

const CONFIRM_WINDOW_MS = 5 * 60_000;
const LATEST_DEFAULT = 3;
const LATEST_MAX = 5;
const PLATFORM = 'whatsapp';

/** What the bot says in a chat: the catalogue's words for a chat answered in words (src/i18n). */
export const REPLIES = catalogue('ar').replies.commands;

type Parsed =
  | { name: 'latest'; count: number }
  | { name: 'subscribe'; digest: boolean; target?: string; topics?: string[] }
  | { name: 'unsubscribe'; target?: string }
  | { name: 'digest' | 'quiet'; target?: string; words: string[] }
  | { name: 'broadcast'; ref?: string }
  | { name: 'fulltext'; on?: boolean };

/** Commands start with / or ! («!latest» is what people type where / opens a menu); «آخر الأخبار» works too. */
export function parseCommand(body: string): Parsed | undefined {
  const text = body.trim().replace(/\s+/g, ' ');
  if (simplifyArabic(text) === LATEST_WORDS) return { name: 'latest', count: LATEST_DEFAULT };
  const m = /^[/!]([a-z]+)(?:@\S+)?(?: (.*))?$/i.exec(text);
  if (!m) return undefined;
  const name = m[1]!.toLowerCase();
  const rest = (m[2] ?? '').trim();
  const words = rest ? rest.split(' ') : [];
  const isDigestWord = (w: string) => simplifyArabic(w) === DIGEST_WORD || w.toLowerCase() === 'digest';
  switch (name) {
    case 'latest': {
      const n = Number(words[0]);
      return { name, count: Number.isInteger(n) && n >= 1 ? Math.min(n, LATEST_MAX) : LATEST_DEFAULT };
    }
    case 'subscribe':
      return {
        name,
        digest: words.some(isDigestWord),
        target: words.find((w) => isChannelId(w) || isGroupId(w)),
        // The rest is the filter: «/subscribe الرقة -رياضة» (nothing: keep the filter the group had).
        topics: nonEmpty(
          parseTopicFilter(words.filter((w) => !isDigestWord(w) && !isChannelId(w) && !isGroupId(w)).join(' ')),
        ),
      };
    case 'unsubscribe':
      return { name, target: words.find((w) => isChannelId(w) || isGroupId(w)) };
    case 'digest':
    case 'quiet':
      // «/digest 08:00 عاجل», «/quiet 00:00-07:00 انتظار»; a channel is named by its id, from an editor's private chat.
      return { name, target: words.find((w) => isChannelId(w)), words: words.filter((w) => !isChannelId(w)) };
    case 'broadcast':
      return { name, ref: words[0] };
    case 'fulltext': {
      const word = simplifyArabic(words[0] ?? '').toLowerCase();
      return { name, on: ON_WORDS.includes(word) ? true : OFF_WORDS.includes(word) ? false : undefined };
    }
    default:
      return undefined;
  }
}

/**
 * Normalised Arabic (core rules: «آخر» = «اخر», tashkeel and tatweel off) without trailing punctuation, for matching
 * words: «آخر الأخبار» and «اخر الاخبار» are the same.
 */
function simplifyArabic(s: string): string {
  return normalizeArabic(s)
    .replace(/[.!؟?،]+$/u, '')
    .trim();
}

const nonEmpty = (list: string[]): string[] | undefined => (list.length ? list : undefined);

const isYes = (body: string) => simplifyArabic(body.trim()) === YES;

/** «جدولة 18:00» (or «جدولة 2026-12-08 18:00») after a preview: the time it names; undefined for any other reply. */
const scheduleWordsOf = (body: string): string | undefined =>
  /^\s*(?:جدولة|جدوله|schedule)\s+(.{1,40})$/iu.exec(body)?.[1]?.trim();

/** A time the newsroom refused, in the editor's words. */
function timeRefusal(err: SendTimeError, now: number): string {
  const text = err.text.slice(0, 40);
  if (err.reason === 'past') return REPLIES.timePast(text, localDateTime(now, err.timeZone), err.timeZone);
  if (err.reason === 'too-far') return REPLIES.timeTooFar(text, MAX_SCHEDULE_AHEAD_MS / 86_400_000);
  return REPLIES.timeMalformed(text, err.timeZone);
}

/**
 * Turns WhatsApp messages into newsroom actions. Groups: /subscribe, /unsubscribe, /digest, /quiet (admins and editors),
 * /latest for anyone. Private chat with an editor: /broadcast, confirmed by «نعم». Anything else is ignored: the bot
 * never chats in groups.
 */
export class WhatsAppCommands {
  /** Broadcast previews waiting for «نعم», by the editor's chat. */
  private readonly pending = new Map<string, { broadcastId: number; token: string; expiresAt: number }>();

  /** /correct, /retract and /corrections (bots/whatsapp/correct-command.ts): an editor's, in a private chat. */
  private readonly corrections: WhatsAppCorrections;

  constructor(private readonly deps: CommandDeps) {
    this.corrections = new WhatsAppCorrections(deps);
  }

  async handleMessage(client: WaClient, msg: WaMessage): Promise<void> {
    if (msg.fromMe || msg.from === 'status@broadcast' || msg.from.endsWith('@broadcast') || isChannelId(msg.from))
      return;
    const inGroup = isGroupId(msg.from);
    if (!inGroup && this.pending.has(msg.from)) {
      await this.decideBroadcast(client, msg);
      return;
    }
    if (!inGroup && (await this.corrections.handle(client, msg))) return;
    if (await this.deps.fullStory?.handle(client, msg)) return;
    const command = parseCommand(msg.body ?? '');
    if (!command) return;
    const sender = await resolveIdentity(client, msg.author ?? msg.from);
    try {
      switch (command.name) {
        case 'latest':
          await this.latest(msg, command.count);
          break;
        case 'subscribe':
          if (inGroup) await this.subscribeGroup(msg, sender, command.digest, command.topics);
          else await this.subscribeChannel(client, msg, sender, command);
          break;
        case 'digest':
        case 'quiet':
          await this.changeDelivery(msg, sender, inGroup, command);
          break;
        case 'unsubscribe':
          if (inGroup) await this.unsubscribeGroup(msg, sender);
          else await this.unsubscribeChannel(msg, sender, command.target);
          break;
        case 'broadcast':
          await this.startBroadcast(msg, sender, inGroup, command.ref);
          break;
        case 'fulltext':
          if (inGroup) await this.fullTextInGroup(msg, sender, command.on);
          break;
      }
    } catch (err) {
      if (err instanceof PermissionError) {
        // Subscribing a group is for its admins; everything else here is for editors.
        await msg
          .reply(inGroup && command.name !== 'broadcast' ? REPLIES.adminsOnly : REPLIES.editorsOnly)
          .catch(() => undefined);
        return;
      }
      this.deps.logger.error('whatsapp command failed', {
        command: command.name,
        chat: msg.from,
        error: errorMessage(err),
      });
      await msg.reply(REPLIES.failed).catch(() => undefined);
    }
  }

  /** The bot was removed from (or left) a group: its subscription stops, with the reason kept. */
  async handleGroupLeave(client: WaClient, notification: WaGroupNotification): Promise<boolean> {
    const me = await this.myIds(client);
    if (!notification.recipientIds.some((id) => me.includes(id))) return false;
    const reason =
      notification.type === 'leave' || me.includes(notification.author)
        ? 'the bot left the group'
        : `the bot was removed from the group by ${notification.author}`;
    return subscriptionLost(this.deps.newsroom, { platform: PLATFORM, chatId: notification.chatId }, reason);
  }

  /** Added to a group: one short hello that says how to subscribe (and nothing more, ever, unless asked). */
  async handleGroupJoin(client: WaClient, notification: WaGroupNotification): Promise<void> {
    const me = await this.myIds(client);
    if (!notification.recipientIds.some((id) => me.includes(id))) return;
    this.deps.logger.info('added to a whatsapp group', { chat: notification.chatId });
    await notification
      .reply(REPLIES.welcome)
      .catch((err) =>
        this.deps.logger.warn('welcome message not sent', { chat: notification.chatId, error: errorMessage(err) }),
      );
  }

  // -- anyone ---------------------------------------------------------------------------------------

  private async latest(msg: WaMessage, count: number): Promise<void> {
    const articles = await latestArticles(this.deps.newsroom, count);
    if (articles.length === 0) {
      await msg.reply(REPLIES.noArticles);
      return;
    }
    const separator = '\n\n━━━━━━━━\n\n';
    let text = '';
    for (const article of articles) {
      const next = text
        ? text + separator + renderArticle(article, whatsappMarkup, this.deps.config)
        : renderArticle(article, whatsappMarkup, this.deps.config);
      if (next.length > WHATSAPP_PRACTICAL_LIMIT) break;
      text = next;
    }
    await msg.reply(text, undefined, { linkPreview: false });
  }

  // -- groups ---------------------------------------------------------------------------------------

  private async subscribeGroup(
    msg: WaMessage,
    sender: Identity,
    digest: boolean,
    topics: string[] | undefined,
  ): Promise<void> {
    const chat = await msg.getChat();
    const authority = { managesChat: isGroupAdmin(chat, sender) };
    const r = await subscribe(
      this.deps.newsroom,
      actorOf(sender),
      {
        platform: PLATFORM,
        chatId: chat.id._serialized,
        kind: 'group',
        title: chat.name,
        topics,
      },
      authority,
    );
    // «ملخص»: an hourly digest from the one digest engine (it folded what was queued as it went out, before).
    const digestChanged =
      digest &&
      (
        await setDelivery(
          this.deps.newsroom,
          actorOf(sender),
          { subscriptionId: r.subscription.id },
          { digest: { mode: 'hourly' } },
          authority,
        )
      ).kind === 'updated';
    if (r.kind === 'already' && !digestChanged) return void (await msg.reply(REPLIES.alreadySubscribed));
    this.deps.logger.info('whatsapp group subscribed', { chat: r.subscription.chatId, digest, result: r.kind });
    const filter = r.subscription.topics.length
      ? REPLIES.topics(describeFilter(r.subscription.topics, catalogue('ar').chat.filterWords))
      : '';
    await msg.reply((digest ? REPLIES.subscribedDigest : REPLIES.subscribed) + filter);
  }

  /** «/fulltext on|off»: whether «المزيد» gets the full story in the group itself (template.fullStoryInGroup). */
  private async fullTextInGroup(msg: WaMessage, sender: Identity, on: boolean | undefined): Promise<void> {
    if (on === undefined) return void (await msg.reply(REPLIES.fullTextUsage));
    const chat = await msg.getChat();
    const sub = await subscriptionByChat(this.deps.newsroom, PLATFORM, chat.id._serialized);
    if (!sub?.active) return void (await msg.reply(REPLIES.notSubscribed));
    await changeSubscription(
      this.deps.newsroom,
      actorOf(sender),
      sub.id,
      { template: { fullStoryInGroup: on } },
      { managesChat: isGroupAdmin(chat, sender) },
    );
    await msg.reply(on ? REPLIES.fullTextOn : REPLIES.fullTextOff);
  }

  private async unsubscribeGroup(msg: WaMessage, sender: Identity): Promise<void> {
    const chat = await msg.getChat();
    const r = await unsubscribe(
      this.deps.newsroom,
      actorOf(sender),
      { platform: PLATFORM, chatId: chat.id._serialized },
      { managesChat: isGroupAdmin(chat, sender) },
    );
    await msg.reply(r.kind === 'unsubscribed' ? REPLIES.unsubscribed : REPLIES.notSubscribed);
  }

  // -- channels (from an editor's private chat) -------------------------------------------------------

  private async subscribeChannel(
    client: WaClient,
    msg: WaMessage,
    sender: Identity,
    command: { digest: boolean; target?: string },
  ): Promise<void> {
    if (!(await this.isEditor(sender))) {
      await msg.reply(REPLIES.editorsOnly);
      return;
    }
    if (!command.target || !isChannelId(command.target)) {
      await msg.reply(REPLIES.channelUsage);
      return;
    }
    const chat = await client.getChatById(command.target).catch(() => undefined);
    if (!chat || !isAdminOfChannel(chat)) {
      await msg.reply(REPLIES.channelNotAdmin);
      return;
    }
    const r = await subscribe(this.deps.newsroom, actorOf(sender), {
      platform: PLATFORM,
      chatId: command.target,
      kind: 'channel',
      title: chat.name,
    });
    if (command.digest)
      await setDelivery(
        this.deps.newsroom,
        actorOf(sender),
        { subscriptionId: r.subscription.id },
        { digest: { mode: 'hourly' } },
      );
    await msg.reply(REPLIES.channelSubscribed(chat.name));
  }

  // -- digests and quiet hours (a group's admins; a channel from an editor's private chat) ----------------------

  private async changeDelivery(
    msg: WaMessage,
    sender: Identity,
    inGroup: boolean,
    command: { name: 'digest' | 'quiet'; target?: string; words: string[] },
  ): Promise<void> {
    let chatId: string;
    let authority: ChatAuthority = {};
    if (inGroup) {
      const chat = await msg.getChat();
      chatId = chat.id._serialized;
      authority = { managesChat: isGroupAdmin(chat, sender) };
      // «/digest» in a group that is not subscribed yet subscribes it, as before.
      if (command.name === 'digest')
        await subscribe(
          this.deps.newsroom,
          actorOf(sender),
          { platform: PLATFORM, chatId, kind: 'group', title: chat.name },
          authority,
        );
    } else {
      if (!(await this.isEditor(sender))) return void (await msg.reply(REPLIES.editorsOnly));
      if (!command.target) return void (await msg.reply(REPLIES.channelUsage));
      chatId = command.target;
    }
    let patch: DeliveryPatch;
    try {
      // A bare «/digest» is the hourly «ملخص», as it always was here.
      patch = deliveryPatchFromWords(
        command.name,
        command.name === 'digest' && command.words.length === 0 ? ['hourly'] : command.words,
      );
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      // What was wrong («25:00» is no time of day) in place of «لم أفهم الطلب.», then the examples.
      const usage =
        err instanceof DeliveryWordsError
          ? REPLIES.deliveryUsage.replace(/^[^\n]*/, ARABIC_DELIVERY_WORDS.problem(err.problem))
          : REPLIES.deliveryUsage;
      return void (await msg.reply(usage));
    }
    const r = await setDelivery(this.deps.newsroom, actorOf(sender), { platform: PLATFORM, chatId }, patch, authority);
    if (r.kind === 'not-subscribed')
      return void (await msg.reply(inGroup ? REPLIES.notSubscribed : REPLIES.channelNotSubscribed));
    await msg.reply(REPLIES.deliveryNow(describeDelivery(r.settings, ARABIC_DELIVERY_WORDS)));
  }

  private async unsubscribeChannel(msg: WaMessage, sender: Identity, target: string | undefined): Promise<void> {
    if (!(await this.isEditor(sender))) {
      await msg.reply(REPLIES.editorsOnly);
      return;
    }
    if (!target) {
      await msg.reply(REPLIES.channelUsage);
      return;
    }
    const r = await unsubscribe(this.deps.newsroom, actorOf(sender), { platform: PLATFORM, chatId: target });
    await msg.reply(r.kind === 'unsubscribed' ? REPLIES.channelUnsubscribed : REPLIES.channelNotSubscribed);
  }

  // -- broadcast ------------------------------------------------------------------------------------

  private async startBroadcast(
    msg: WaMessage,
    sender: Identity,
    inGroup: boolean,
    ref: string | undefined,
  ): Promise<void> {
    if (inGroup && (await this.isEditor(sender))) {
      await msg.reply(REPLIES.broadcastInPrivate);
      return;
    }
    if (!ref && (await this.isEditor(sender))) {
      await msg.reply(REPLIES.broadcastUsage);
      return;
    }
    let preview: Awaited<ReturnType<typeof previewBroadcast>>;
    try {
      preview = await previewBroadcast(this.deps.newsroom, actorOf(sender), ref ?? '');
    } catch (err) {
      if (err instanceof PermissionError) return void (await msg.reply(REPLIES.editorsOnly));
      if (!(err instanceof UserError)) throw err;
      await msg.reply(REPLIES.notFound(refusalIn('ar', err)));
      return;
    }
    const { broadcast, article, audience } = preview;
    if (audience.willReceive === 0) {
      await cancelBroadcast(this.deps.newsroom, actorOf(sender), broadcast.id, broadcast.token);
      return void (await msg.reply(REPLIES.broadcastNobody));
    }
    this.pending.set(msg.from, {
      broadcastId: broadcast.id,
      token: broadcast.token,
      expiresAt: this.deps.clock.now() + (this.deps.confirmWindowMs ?? CONFIRM_WINDOW_MS),
    });
    const text = renderArticle(article, whatsappMarkup, this.deps.config);
    await msg.reply(REPLIES.preview(text, audience.willReceive, audience.alreadyHave, audience.failedBefore));
  }

  /** The editor's next message after a preview: «نعم» in time queues it; anything else cancels. */
  private async decideBroadcast(client: WaClient, msg: WaMessage): Promise<void> {
    const pending = this.pending.get(msg.from)!;
    this.pending.delete(msg.from);
    const actor = actorOf(await resolveIdentity(client, msg.from));
    const expired = this.deps.clock.now() > pending.expiresAt;
    const when = expired ? undefined : scheduleWordsOf(msg.body ?? '');
    try {
      if (when !== undefined) return await this.scheduleBroadcast(msg, actor, pending, when);
      if (expired || !isYes(msg.body ?? '')) {
        await cancelBroadcast(
          this.deps.newsroom,
          actor,
          pending.broadcastId,
          pending.token,
          expired ? 'expired' : 'cancelled',
        );
        return void (await msg.reply(expired ? REPLIES.expired : REPLIES.cancelled));
      }
      // The compare-and-set in the newsroom makes a repeated «نعم» (or a second device) queue it once.
      const r = await confirmBroadcast(this.deps.newsroom, actor, pending.broadcastId, pending.token);
      if (r.kind === 'already-decided') return;
      await msg.reply(REPLIES.queued(r.queued));
    } catch (err) {
      if (err instanceof PermissionError) return void (await msg.reply(REPLIES.editorsOnly));
      throw err;
    }
  }

  /** «جدولة <time>» after a preview: scheduled through the outbox; a time refused keeps the preview open to try again. */
  private async scheduleBroadcast(
    msg: WaMessage,
    actor: Actor,
    pending: { broadcastId: number; token: string; expiresAt: number },
    when: string,
  ): Promise<void> {
    const now = this.deps.clock.now();
    try {
      const r = await scheduleBroadcast(this.deps.newsroom, actor, pending.broadcastId, pending.token, when, now);
      if (r.kind === 'already-decided') return;
      const zone = this.deps.config.timeZone;
      await msg.reply(
        REPLIES.scheduled(r.broadcast.id, localDateTime(r.broadcast.sendAt.getTime(), zone), zone, r.queued),
      );
    } catch (err) {
      if (!(err instanceof SendTimeError)) throw err;
      this.pending.set(msg.from, pending);
      await msg.reply(timeRefusal(err, now));
    }
  }

  // -------------------------------------------------------------------------------------------------

  private async isEditor(sender: Identity): Promise<boolean> {
    return sender.phone !== undefined && (await this.deps.newsroom.editors.isEditor(actorOf(sender)));
  }

  private async myIds(client: WaClient): Promise<string[]> {
    const wid = client.info?.wid._serialized;
    return wid ? (await resolveIdentity(client, wid)).ids : [];
  }
}

/** An admin of this group (the newsroom accepts a group's admins as managing its subscription). */
function isGroupAdmin(chat: WaChat, sender: Identity): boolean {
  const participant = chat.participants?.find((p) => sender.ids.includes(p.id._serialized));
  return Boolean(participant && (participant.isAdmin || participant.isSuperAdmin));
}

/** A Channel the account owns or administers (only those can post to it). */
export function isAdminOfChannel(chat: WaChat): boolean {
  const role = chat.channelMetadata?.membershipType;
  return Boolean(chat.isChannel) && (role === undefined || role === 'owner' || role === 'admin');
}
