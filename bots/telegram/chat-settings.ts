import { Composer, GrammyError, InlineKeyboard, type Context } from 'grammy';
import { PermissionError, UserError } from '../../src/errors.js';
import { effectiveTemplate } from '../../src/format/render.js';
import type { LinkPreview, MessageTemplate, TemplateChange } from '../../src/model/template.js';
import {
  activeSubscriptions,
  changeSubscription,
  describeFilter,
  findSubscription,
  parseTopicFilter,
  subscriptionSettings,
  type SubscriptionSettings,
} from '../../src/newsroom/index.js';
import type { Subscription } from '../../src/model/subscription.js';
import { actorOf, commandArgs, isEditor, PLATFORM, refusal, t, type BotDeps } from './context.js';
import { langOf, messages } from './i18n.js';
import { DEFAULT_WORD, FOOTER_WORD, HEADER_WORD, SOURCE_WORD } from './input-words.js';

/**
 * /settings: how a chat's messages look (header mark, footer, hashtag line, source line, date, lead photo) and its
 * link preview, with buttons. A channel has no chat to talk in, so its settings are made in the private chat with
 * the bot: an editor (or an administrator of that channel) sends /settings, picks the channel, and presses buttons;
 * header and footer are typed (`/settings 12 header 🔴 عاجل`). In a group its admins use /settings in the group; in a
 * private chat a subscriber sets their own. Every change is the newsroom's changeSubscription (permission, audit).
 */

const words = (ctx: Context) => messages(langOf(ctx.from?.language_code)).settings;

/** The link preview buttons go round: automatic → none → small → large → automatic. */
const NEXT_PREVIEW: Record<LinkPreview | 'default', LinkPreview | null> = {
  default: 'none',
  none: 'small',
  small: 'large',
  large: null,
};

/** Toggles, by the one letter their callback data carries (`ts:<subscription>:<letter>`: well under 64 bytes). */
const TOGGLES = { h: 'showHashtags', s: 'showSource', d: 'showDate', p: 'leadPhoto' } as const;

/** The «النص الكامل» button's default is the chat kind's (src/story offersFullStory): on for channels and groups. */
const fullStoryOn = (template: MessageTemplate, sub: Subscription): boolean =>
  template.fullStory ?? sub.kind !== 'private';

const MAX_LISTED = 40;

export function chatSettings(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  const { config } = deps;

  /**
   * Who may change a subscription's settings: editors (the newsroom checks), the person in a private chat for their
   * own, and an administrator of the group or channel (asked of Telegram at every command and button press).
   */
  const managesChat = async (ctx: Context, sub: Subscription): Promise<boolean> => {
    if (!ctx.from) return false;
    if (sub.kind === 'private') return sub.chatId === String(ctx.from.id);
    if (ctx.chat?.id !== undefined && String(ctx.chat.id) === sub.chatId && ctx.senderChat?.id === ctx.chat.id)
      return true; // anonymous admin
    try {
      const member = await ctx.api.getChatMember(sub.chatId, ctx.from.id);
      return member.status === 'creator' || member.status === 'administrator';
    } catch (err) {
      if (err instanceof GrammyError) return false; // the chat is gone or hides its members: editors only
      throw err;
    }
  };

  const panel = (ctx: Context, s: SubscriptionSettings): { text: string; keyboard: InlineKeyboard } => {
    const w = words(ctx);
    const own = s.template;
    const eff: MessageTemplate = effectiveTemplate(config, own);
    const dflt = (field: keyof MessageTemplate) => (own[field] === undefined ? w.byDefault : '');
    const line = (v: string | undefined) => (v ? `«${v}»` : w.none);
    const sub = s.subscription;
    const text = [
      w.title(sub.title ?? sub.chatId),
      `${w.filter}: ${sub.topics.length ? describeFilter(sub.topics, t(ctx).filterWords) : w.all}`,
      ...s.sourceFilters.map(
        (f) => `#${f.sourceId} ${f.sourceName ?? ''}: ${describeFilter(f.topics, t(ctx).filterWords)}`,
      ),
      `${w.header}: ${line(eff.headerMark)}${dflt('headerMark')}`,
      `${w.footer}: ${line(eff.footer)}${dflt('footer')}`,
      '',
      w.usage(sub.id),
    ].join('\n');
    const mark = (on: boolean | undefined) => (on === false ? '❌' : '✅');
    const preview = eff.linkPreview ?? 'default';
    const keyboard = new InlineKeyboard()
      .text(`${mark(eff.showHashtags)} ${w.hashtags}`, `ts:${sub.id}:h`)
      .text(`${mark(eff.showSource)} ${w.source}`, `ts:${sub.id}:s`)
      .row()
      .text(`${mark(eff.showDate)} ${w.date}`, `ts:${sub.id}:d`)
      .text(`${mark(eff.leadPhoto)} ${w.photo}`, `ts:${sub.id}:p`)
      .row()
      .text(`${mark(fullStoryOn(eff, sub))} ${w.fullStory}${dflt('fullStory')}`, `ts:${sub.id}:f`)
      .row()
      .text(`🔗 ${w.preview}: ${w.previews[preview]}${dflt('linkPreview')}`, `ts:${sub.id}:l`)
      .row()
      .text(w.reset, `ts:${sub.id}:r`);
    return { text, keyboard };
  };

  const change = async (ctx: Context, sub: Subscription, template: TemplateChange): Promise<SubscriptionSettings> =>
    changeSubscription(deps.newsroom, actorOf(ctx), sub.id, { template }, { managesChat: await managesChat(ctx, sub) });

  c.command('settings', async (ctx) => {
    const w = words(ctx);
    const [ref, field, ...rest] = commandArgs(ctx).split(/\s+/).filter(Boolean);
    // In a group: its own settings. In a private chat: the chat named, or a list to choose from.
    const own = await findSubscription(deps.newsroom, { platform: PLATFORM, chatId: String(ctx.chat.id) });
    const named = ref && /^\d+$/.test(ref) ? await findSubscription(deps.newsroom, Number(ref)) : undefined;
    const sub = ctx.chat.type === 'private' ? named : own;
    if (ctx.chat.type === 'private' && !ref) {
      const listed = (
        (await isEditor(deps, ctx))
          ? (await activeSubscriptions(deps.newsroom, PLATFORM)).filter((s) => s.kind !== 'private')
          : []
      ).slice(0, MAX_LISTED);
      if (own?.active) listed.unshift(own);
      if (listed.length === 0) return void (await ctx.reply(w.nothing));
      const kb = new InlineKeyboard();
      for (const s of listed) kb.text(s.title ?? s.chatId, `ts:${s.id}:o`).row();
      return void (await ctx.reply(w.pick, { reply_markup: kb }));
    }
    if (!sub?.active || sub.platform !== PLATFORM) return void (await ctx.reply(w.gone));
    try {
      if (ctx.chat.type === 'private' && field && (field.toLowerCase() === 'source' || field === SOURCE_WORD)) {
        // `/settings 12 source 7 سوريا -رياضة`: the filter for one source (nothing after the id removes it).
        const [sourceRef, ...filter] = rest;
        if (!sourceRef || !/^\d+$/.test(sourceRef)) return void (await ctx.reply(w.usage(sub.id)));
        await changeSubscription(
          deps.newsroom,
          actorOf(ctx),
          sub.id,
          { sourceFilter: { sourceId: Number(sourceRef), topics: parseTopicFilter(filter.join(' ')) } },
          { managesChat: await managesChat(ctx, sub) },
        );
      } else if (ctx.chat.type === 'private' && field) {
        const key =
          field.toLowerCase() === 'header' || field === HEADER_WORD
            ? 'headerMark'
            : field.toLowerCase() === 'footer' || field === FOOTER_WORD
              ? 'footer'
              : undefined;
        if (!key) return void (await ctx.reply(w.usage(sub.id)));
        const value = rest.join(' ');
        await change(ctx, sub, {
          [key]:
            value === '-' || value === ''
              ? ''
              : value.toLowerCase() === 'default' || value === DEFAULT_WORD
                ? null
                : value,
        });
      } else if (!(await managesChat(ctx, sub)) && !(await isEditor(deps, ctx))) {
        return void (await ctx.reply(w.notAllowed));
      }
      const p = panel(ctx, await subscriptionSettings(deps.newsroom, sub.id));
      await ctx.reply(p.text, { reply_markup: p.keyboard });
    } catch (err) {
      if (err instanceof PermissionError) return void (await ctx.reply(w.notAllowed));
      if (err instanceof UserError) return void (await ctx.reply(t(ctx).sourcesRefused(refusal(ctx, err))));
      throw err;
    }
  });

  c.callbackQuery(/^ts:(\d+):([hsdpflro])$/, async (ctx) => {
    const w = words(ctx);
    const sub = await findSubscription(deps.newsroom, Number(ctx.match[1]));
    if (!sub?.active || sub.platform !== PLATFORM)
      return void (await ctx.answerCallbackQuery({ text: w.gone, show_alert: true }));
    const letter = ctx.match[2]!;
    try {
      let settings: SubscriptionSettings;
      if (letter === 'o') {
        if (!(await managesChat(ctx, sub)) && !(await isEditor(deps, ctx)))
          return void (await ctx.answerCallbackQuery({ text: w.notAllowed, show_alert: true }));
        settings = await subscriptionSettings(deps.newsroom, sub.id);
      } else {
        const eff = effectiveTemplate(config, (await subscriptionSettings(deps.newsroom, sub.id)).template);
        const template: TemplateChange =
          letter === 'r'
            ? {
                headerMark: null,
                footer: null,
                showHashtags: null,
                showSource: null,
                showDate: null,
                leadPhoto: null,
                linkPreview: null,
                fullStory: null,
              }
            : letter === 'f'
              ? { fullStory: !fullStoryOn(eff, sub) }
              : letter === 'l'
                ? { linkPreview: NEXT_PREVIEW[eff.linkPreview ?? 'default'] }
                : { [TOGGLES[letter as keyof typeof TOGGLES]]: eff[TOGGLES[letter as keyof typeof TOGGLES]] === false };
        settings = await change(ctx, sub, template);
      }
      await ctx.answerCallbackQuery(letter === 'o' ? undefined : { text: w.saved });
      const p = panel(ctx, settings);
      if (letter === 'o') await ctx.editMessageText(p.text, { reply_markup: p.keyboard });
      else await ctx.editMessageText(p.text, { reply_markup: p.keyboard }).catch(ignoreUnchanged);
    } catch (err) {
      if (!(err instanceof PermissionError)) throw err;
      await ctx.answerCallbackQuery({ text: w.notAllowed, show_alert: true });
    }
  });
  return c;
}

/** A button pressed twice fast: Telegram refuses an edit that changes nothing, which is not an error here. */
const ignoreUnchanged = (err: unknown) => {
  if (err instanceof GrammyError && /message is not modified/i.test(err.description)) return;
  throw err;
};
