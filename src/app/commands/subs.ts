import { UserError } from '../../errors.js';
import type { ChatKind } from '../../model/subscription.js';
import type { Config } from '../../config.js';
import { effectiveTemplate } from '../../format/render.js';
import { catalogue, type Catalogue } from '../../i18n/index.js';
import type { LinkPreview, TemplateChange, TemplateField } from '../../model/template.js';
import {
  allSubscriptions,
  changeSubscription,
  CLI_OPERATOR,
  deliveryOf,
  describeDelivery,
  describeFilter,
  setDelivery,
  subscribe,
  subscriptionByChat,
  subscriptionById,
  subscriptionSettings,
  unsubscribe,
  type SubscriptionSettings,
} from '../../newsroom/index.js';
import { deliveryPatchFrom, type DeliveryOptions } from './subscription-options.js';
import type { CommandContext } from '../context.js';

/** `nashra subs add <platform> <chat-id>`: subscribes, or changes what it receives, keeping what is not given. */
export async function subsAdd(
  [platform, chatId]: string[],
  options: { topics?: string; exclude?: string; kind?: ChatKind; thread?: number } & DeliveryOptions,
  ctx: CommandContext,
): Promise<void> {
  const list = (raw: string | undefined) =>
    (raw ?? '')
      .split(/[,،]/)
      .map((t) => t.trim())
      .filter(Boolean);
  // Each option replaces its own half of the filter: --exclude alone keeps the topics the chat had, and the reverse.
  const had = (await subscriptionByChat(await ctx.newsroom(), platform!, chatId!))?.topics ?? [];
  const include = options.topics === undefined ? had.filter((t) => !t.startsWith('-')) : list(options.topics);
  const exclude =
    options.exclude === undefined
      ? had.filter((t) => t.startsWith('-'))
      : list(options.exclude).map((t) => `-${t.replace(/^-+/, '')}`);
  const topics = options.topics === undefined && options.exclude === undefined ? undefined : [...include, ...exclude];
  const r = await subscribe(await ctx.newsroom(), CLI_OPERATOR, {
    platform: platform!,
    chatId: chatId!,
    kind: options.kind,
    threadId: options.thread,
    topics,
  });
  const s = r.subscription;
  const patch = deliveryPatchFrom(options);
  const delivery = patch && (await setDelivery(await ctx.newsroom(), CLI_OPERATOR, { subscriptionId: s.id }, patch));
  const changes = [
    ...(r.kind === 'subscribed' || r.kind === 'already' ? [] : r.changes),
    ...(delivery?.kind === 'updated' ? delivery.changes : []),
  ];
  const words = ctx.words.cli.subs;
  const what =
    r.kind === 'subscribed'
      ? words.subscribed
      : r.kind === 'already' && changes.length === 0
        ? words.already
        : words.changed(r.kind === 'reactivated', changes);
  ctx.out(`${s.id}\t${s.platform}\t${s.chatId}\t${s.kind}\t${s.topics.join(',') || words.allNews}\t${what}`);
  if (patch)
    ctx.out(words.delivery(describeDelivery(await deliveryOf(await ctx.newsroom(), s.id), ctx.words.delivery)));
}

export async function subsList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const words = ctx.words.cli.subs;
  const subs = await allSubscriptions(await ctx.newsroom());
  if (subs.length === 0) return ctx.out(words.none);
  ctx.out(words.heading.join('\t'));
  for (const s of subs) {
    const state = s.active ? words.active : words.inactive(s.deactivatedReason ?? '');
    const delivery = describeDelivery(await deliveryOf(await ctx.newsroom(), s.id), ctx.words.delivery);
    ctx.out(
      `${s.id}\t${s.platform}\t${s.chatId}${s.threadId ? `#${s.threadId}` : ''}\t${s.kind}\t${s.topics.join(',') || words.allNews}\t${state}\t${delivery}`,
    );
  }
}

/** Deactivated, not deleted: its delivery history keeps a later re-subscription from receiving anything twice. */
export async function subsRemove([id]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const existing = await subscriptionById(await ctx.newsroom(), Number(id));
  const r = await unsubscribe(await ctx.newsroom(), CLI_OPERATOR, { subscriptionId: Number(id) });
  const words = ctx.words.cli.subs;
  if (r.kind === 'not-subscribed') throw new UserError(existing ? words.alreadyInactive(id!) : words.noSuch(id!));
  ctx.out(words.removed(id!, r.subscription.platform, r.subscription.chatId, r.cancelled));
}

/** Template fields by their CLI names (`--default hashtags,link-preview`). */
const FIELD_NAMES: Record<string, TemplateField> = {
  header: 'headerMark',
  footer: 'footer',
  hashtags: 'showHashtags',
  'source-line': 'showSource',
  date: 'showDate',
  photo: 'leadPhoto',
  'link-preview': 'linkPreview',
  'full-story': 'fullStory',
  'full-story-in-group': 'fullStoryInGroup',
};

export interface SubsSetOptions {
  topics?: string;
  exclude?: string;
  source?: number;
  header?: string | false;
  footer?: string | false;
  hashtags?: boolean;
  sourceLine?: boolean;
  date?: boolean;
  photo?: boolean;
  linkPreview?: LinkPreview;
  fullStory?: boolean;
  fullStoryInGroup?: boolean;
  default?: string;
}

/**
 * `nashra subs set <id>`: changes what an existing subscription receives (its filter, or with --source one source's
 * filter) and how (its template), through the same newsroom action as Telegram's /topics and /settings and the desk.
 */
export async function subsSet(
  [id]: string[],
  options: SubsSetOptions & DeliveryOptions,
  ctx: CommandContext,
): Promise<void> {
  const deps = await ctx.newsroom();
  const subscriptionId = Number(id);
  const current = await subscriptionSettings(deps, subscriptionId);
  const template: TemplateChange = {};
  for (const name of (options.default ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const fields = name === 'all' ? Object.values(FIELD_NAMES) : [FIELD_NAMES[name]];
    if (fields[0] === undefined)
      throw new UserError(ctx.words.cli.subs.notAField(name, Object.keys(FIELD_NAMES).join(', ')));
    for (const f of fields) template[f!] = null;
  }
  if (options.header !== undefined) template.headerMark = options.header === false ? '' : options.header;
  if (options.footer !== undefined) template.footer = options.footer === false ? '' : options.footer;
  if (options.hashtags !== undefined) template.showHashtags = options.hashtags;
  if (options.sourceLine !== undefined) template.showSource = options.sourceLine;
  if (options.date !== undefined) template.showDate = options.date;
  if (options.photo !== undefined) template.leadPhoto = options.photo;
  if (options.linkPreview !== undefined) template.linkPreview = options.linkPreview;
  if (options.fullStory !== undefined) template.fullStory = options.fullStory;
  if (options.fullStoryInGroup !== undefined) template.fullStoryInGroup = options.fullStoryInGroup;

  const had =
    options.source === undefined
      ? current.subscription.topics
      : (current.sourceFilters.find((f) => f.sourceId === options.source)?.topics ?? []);
  const topics = mergeFilter(had, options.topics, options.exclude);
  const r = await changeSubscription(deps, CLI_OPERATOR, subscriptionId, {
    topics: options.source === undefined ? topics : undefined,
    sourceFilter:
      options.source !== undefined && topics !== undefined ? { sourceId: options.source, topics } : undefined,
    template: Object.keys(template).length ? template : undefined,
  });
  const s = r.subscription;
  const patch = deliveryPatchFrom(options);
  const delivery = patch && (await setDelivery(deps, CLI_OPERATOR, { subscriptionId }, patch));
  const changes = [...r.changes, ...(delivery?.kind === 'updated' ? delivery.changes : [])];
  const words = ctx.words.cli.subs;
  ctx.out(words.set(s.id, s.platform, s.chatId, changes));
  ctx.out(describeSettings(r, ctx.config, words.settings).join('\n'));
  ctx.out(words.delivery(describeDelivery(await deliveryOf(deps, subscriptionId), ctx.words.delivery)));
}

/** Each option replaces its own half of a filter: --exclude alone keeps the words included, and the reverse. */
function mergeFilter(had: string[], topics: string | undefined, exclude: string | undefined): string[] | undefined {
  if (topics === undefined && exclude === undefined) return undefined;
  const list = (raw: string) =>
    raw
      .split(/[,،]/)
      .map((t) => t.trim())
      .filter(Boolean);
  const include = topics === undefined ? had.filter((t) => !t.startsWith('-')) : list(topics);
  const excluded =
    exclude === undefined ? had.filter((t) => t.startsWith('-')) : list(exclude).map((t) => `-${t.replace(/^-+/, '')}`);
  return [...include, ...excluded];
}

/** The settings in words, one per line; «(default)» marks what comes from the environment. */
function describeSettings(
  r: SubscriptionSettings,
  config: Pick<Config, 'template'>,
  words: Catalogue['cli']['subs']['settings'],
): string[] {
  const t = effectiveTemplate(config, r.template);
  const mark = (field: TemplateField) => (r.template[field] === undefined ? words.byDefault : '');
  const onOff = (v: boolean | undefined) => (v === false ? words.off : words.on);
  const line = (text: string | undefined) => (text ? `«${text}»` : words.none);
  const previews: Record<LinkPreview, string> = words.previews;
  return [
    words.filter(r.subscription.topics.length ? describeFilter(r.subscription.topics, words.filterWords) : ''),
    ...r.sourceFilters.map((f) =>
      words.sourceFilter(f.sourceId, f.sourceName, describeFilter(f.topics, words.filterWords)),
    ),
    words.header(`${line(t.headerMark)}${mark('headerMark')}`),
    words.footer(`${line(t.footer)}${mark('footer')}`),
    words.hashtags(`${onOff(t.showHashtags)}${mark('showHashtags')}`),
    words.sourceLine(`${onOff(t.showSource)}${mark('showSource')}`),
    words.date(`${onOff(t.showDate)}${mark('showDate')}`),
    words.photo(`${onOff(t.leadPhoto)}${mark('leadPhoto')}`),
    words.preview(t.linkPreview ? previews[t.linkPreview] + mark('linkPreview') : words.platformPreview),
    // The default is the chat kind's (src/story offersFullStory): on in channels and groups, off in a private chat.
    // The button as a chat shows it: posts are Arabic (catalogue('ar')), whatever the CLI's language.
    words.fullStory(
      catalogue('ar').post.fullStoryButton,
      `${onOff(t.fullStory ?? r.subscription.kind !== 'private')}${mark('fullStory')}`,
    ),
    ...(r.subscription.kind === 'group'
      ? [words.fullStoryInGroup(`${onOff(t.fullStoryInGroup === true)}${mark('fullStoryInGroup')}`)]
      : []),
  ];
}
