import type { Config } from '../config.js';
import type { Markup } from '../format/post.js';
import { renderArticle } from '../format/render.js';
import { buildFullStory, type StoryBlock } from '../story/full-story.js';
import type { StoredArticle } from '../model/article.js';
import type { AuditEntry } from '../model/audit.js';
import type { Broadcast, ScheduledBroadcast } from '../model/broadcast.js';
import { localDateTime, parseSendTime } from '../text/schedule.js';
import type { CorrectionTally } from '../model/correction.js';
import type { PlatformReactions } from '../model/reaction.js';
import type { Source } from '../model/source.js';
import type { Subscription } from '../model/subscription.js';
import {
  formatInterval,
  type AddSourceResult,
  type ArticleDelivery,
  type BroadcastStatus,
  type ChatWaits,
  type CorrectionPreview,
  type DeliveryCounts,
  type HourSuggestion,
  type InDoubtDelivery,
  type PostCounts,
  type QueueDepth,
  type SubscriptionSettings,
} from '../newsroom/index.js';
import { catalogue } from '../i18n/index.js';
import { barChart, type Series } from './charts.js';
import { formatAge, formatTime } from './format.js';
import { html, safeHref, type Html } from './html.js';
import { t } from './i18n.js';
import { csrfField, managesOutlet, page, type PageContext } from './layout.js';
import { messageHtml } from './preview.js';

/** A platform as the desk shows it: its markup for the previews, its name for editors, where its posts live. */
export interface DeskPlatform {
  name: string;
  markup: Markup;
  label?: { ar: string; en: string };
  /** The public address of a sent post (a public channel's message), when the platform has one. */
  postUrl?(chat: { chatId: string; kind: string }, messageId: string): string | undefined;
  /** The configuration turns it on: it is previewed and offered as an audience (an off one only names past posts). */
  on: boolean;
}
type RenderConfig = Pick<Config, 'timeZone' | 'template'>;

const STATES = ['queued', 'held', 'sending', 'sent', 'failed', 'skipped', 'in_doubt'] as const;
const isUrgent = (a: StoredArticle) => a.urgent;

/** Per platform: "تيليغرام: 3 أُرسل · 1 فشل", or nothing sent. */
function countsLine(ctx: PageContext, counts: DeliveryCounts | undefined): Html {
  const w = t(ctx.lang);
  const platforms = Object.entries(counts ?? {});
  if (platforms.length === 0) return html`<span class="muted">${w.today.notSent}</span>`;
  return html`${platforms.map(([platform, states]) => html`<span class="counts"><b>${ctx.platformLabel(platform)}</b> ${STATES.filter((s) => states[s]).map((s) => html`<span class="state state-${s}">${states[s]} ${w.today.states[s]}</span>`)}</span>`)}`;
}

export interface TodayView {
  articles: StoredArticle[];
  counts: Map<number, DeliveryCounts>;
  sources: Source[];
  topics: string[];
  filter: { q?: string; source?: number; topic?: string; state?: string; backlog?: '0' | '1' };
  olderHref?: string;
  /** How many times each story's full text was read in the chats. */
  fullReads: Map<number, number>;
}

export function todayPage(ctx: PageContext, config: RenderConfig, v: TodayView): Html {
  const w = t(ctx.lang);
  const selected = (on: boolean) => (on ? html` selected` : '');
  const filters = html`
<form method="get" action="/" class="filters" role="search">
  <label class="grow">${w.today.search}<input type="search" name="q" value="${v.filter.q ?? ''}" placeholder="${w.today.searchPlaceholder}" maxlength="200"></label>
  <label>${w.today.source}<select name="source"><option value="">${w.today.any}</option>${v.sources.map((s) => html`<option value="${s.id}"${selected(v.filter.source === s.id)}>${s.name}</option>`)}</select></label>
  <label>${w.today.topic}<select name="topic"><option value="">${w.today.any}</option>${v.topics.map((tag) => html`<option value="${tag}"${selected(v.filter.topic === tag)}>${tag}</option>`)}</select></label>
  <label>${w.today.state}<select name="state"><option value="">${w.today.any}</option>${(['none', ...STATES] as const).map((s) => html`<option value="${s}"${selected(v.filter.state === s)}>${w.today.states[s]}</option>`)}</select></label>
  <label>${w.today.backlog}<select name="backlog"><option value="">${w.today.any}</option><option value="0"${selected(v.filter.backlog === '0')}>${w.today.withoutBacklog}</option><option value="1"${selected(v.filter.backlog === '1')}>${w.today.onlyBacklog}</option></select></label>
  <button type="submit">${w.today.filter}</button>
</form>`;
  const list =
    v.articles.length === 0
      ? html`<p class="notice">${w.today.none}</p>`
      : html`<ol class="stories">${v.articles.map(
          (a) => html`
<li class="story${isUrgent(a) ? ' urgent' : ''}">
  <article>
    <h2><a href="/articles/${a.id}">${isUrgent(a) ? html`<span class="mark">${w.today.urgent}</span> ` : ''}${a.title}</a></h2>
    <p class="meta"><span>${a.source}</span> · <time datetime="${(a.publishedAt ?? a.createdAt).toISOString()}">${formatTime(a.publishedAt ?? a.createdAt, ctx.lang, a.timeZone ?? config.timeZone)}</time>${a.edit ? html` · <span class="edited">${w.today.edited}</span>` : ''}${a.seenOnly ? html` · <span class="backlog" title="${w.today.backlogHelp}">${w.today.backlogMark}</span>` : ''}</p>
    <div class="summary">${a.summary.map((s) => html`<p>${s}</p>`)}</div>
    ${a.hashtags.length ? html`<p class="tags">${a.hashtags.map((h) => html`<span>${h}</span> `)}</p>` : ''}
    <p class="deliveries">${countsLine(ctx, v.counts.get(a.id))}${v.fullReads.get(a.id) ? html` <span class="counts full-reads">${w.today.fullReads(v.fullReads.get(a.id)!)}</span>` : ''}</p>
  </article>
</li>`,
        )}</ol>`;
  return page(
    ctx,
    w.today.title,
    'today',
    html`${filters}${list}${v.olderHref ? html`<p class="more"><a href="${v.olderHref}">${w.today.older}</a></p>` : ''}`,
  );
}

/** One preview per platform, with its length against the limit: the Article page, the send page, and live updates. */
export function previews(
  ctx: Pick<PageContext, 'lang' | 'platformLabel'>,
  config: RenderConfig,
  article: StoredArticle,
  platforms: readonly DeskPlatform[],
): Html {
  const w = t(ctx.lang);
  return html`<div class="previews" id="previews">${platforms
    .filter((p) => p.on)
    .map(({ name, markup }) => {
      const text = renderArticle(article, markup, config);
      const limit = markup.limit(false);
      const over = Number.isFinite(limit) && text.length >= limit;
      return html`<section class="preview preview-${name}" aria-label="${ctx.platformLabel(name)}">
  <h3>${ctx.platformLabel(name)} <span class="length${over ? ' over' : ''}" data-length="${text.length}">${text.length}${Number.isFinite(limit) ? html` ${w.article.chars} ${limit}` : ''}</span></h3>
  <div class="bubble" dir="rtl" lang="ar">${messageHtml(markup, text)}</div>
  ${over ? html`<p class="notice warn">${w.article.overLimit}</p>` : ''}
</section>`;
    })}</div>`;
}

export interface ArticleView {
  article: StoredArticle;
  counts: DeliveryCounts;
  deliveries: ArticleDelivery[];
  broadcasts: Array<Pick<Broadcast, 'id' | 'state' | 'editorId' | 'platform' | 'urgent' | 'createdAt'>>;
  subscriptions: Subscription[];
  platforms: string[];
  saved: boolean;
  /** What became of the posts after a correction or the retraction, per platform. */
  corrections: CorrectionTally[];
  /** A platform offers paid broadcasts: the send form has the paid checkbox. */
  paidOffered?: boolean;
  /** Reactions to its posts, per platform and emoji. */
  reactions?: PlatformReactions[];
  /** What the editor typed into the edit form after the session had ended, back in the form, not saved yet. */
  kept?: { title: string; summary: string; hashtags: string };
  /** How many times its full story was read in the chats. */
  fullReads: number;
  /** Its posts, clicks and click-through per platform (src/desk/reach-page.ts). */
  reach?: Html;
}

export function articlePage(
  ctx: PageContext,
  config: RenderConfig,
  platforms: readonly DeskPlatform[],
  v: ArticleView,
): Html {
  const w = t(ctx.lang);
  const c = w.corrections;
  const a = v.article;
  const tz = a.timeZone ?? config.timeZone;
  const head = html`
<p class="meta"><a href="/">${w.article.back}</a> · ${w.article.source}: ${a.source} · ${w.article.published}: <time>${formatTime(a.publishedAt ?? a.createdAt, ctx.lang, tz)}</time>
${a.url && /^https?:/i.test(a.url) ? html` · <a href="${safeHref(a.url)}" rel="noopener noreferrer" target="_blank" dir="ltr">${w.article.link}</a>` : ''}</p>
${v.saved ? html`<p class="notice ok" role="status">${w.article.saved}</p>` : ''}
${a.seenOnly ? html`<p class="notice" id="backlog">${w.today.backlogHelp}</p>` : ''}
${v.kept ? html`<p class="notice warn" role="status" id="restored">${w.article.restored}</p>` : ''}`;
  const edit = html`
<section class="card" aria-labelledby="edit-h">
  <h2 id="edit-h">${w.article.edit}</h2>
  ${
    a.edit
      ? html`<p class="muted">${w.article.editedBy} ${a.edit.by} · ${formatTime(a.edit.at, ctx.lang, config.timeZone)}</p>
  <details><summary>${w.article.showOriginal}</summary><p><b>${a.edit.original.title}</b></p>${a.edit.original.summary.map((s) => html`<p>${s}</p>`)}<p class="tags">${a.edit.original.hashtags.join(' ')}</p></details>`
      : ''
  }
  <form method="post" action="/articles/${a.id}/edit" id="edit" data-preview="/articles/${a.id}/preview">
    ${csrfField(ctx)}
    <label>${w.article.titleField}<input name="title" value="${v.kept?.title ?? a.title}" required maxlength="500" dir="auto"></label>
    <label>${w.article.summaryField}<textarea name="summary" rows="6" maxlength="4000" dir="auto">${v.kept?.summary ?? a.summary.join('\n')}</textarea></label>
    <label>${w.article.hashtagsField}<input name="hashtags" value="${v.kept?.hashtags ?? a.hashtags.join(' ')}" maxlength="500" dir="auto"></label>
    <button type="submit">${w.article.save}</button>
    ${a.retracted ? '' : html`<button type="submit" formaction="/articles/${a.id}/correct" id="correct-sent">${c.correctSent}</button>`}
  </form>
</section>`;
  const corrections = html`
<section class="card" aria-labelledby="corr-h">
  <h2 id="corr-h">${c.title}</h2>
  ${a.retracted ? html`<p class="notice warn" role="status">${c.retracted} · ${a.retracted.by} · ${formatTime(a.retracted.at, ctx.lang, config.timeZone)}</p>` : ''}
  ${v.corrections.length ? html`<h3>${c.report}</h3>${tallyList(ctx, v.corrections)}` : ''}
  ${a.retracted ? '' : html`<p><a class="button danger" href="/articles/${a.id}/retract" id="retract">${c.retract}</a></p>`}
</section>`;
  const send = html`
<section class="card" aria-labelledby="send-h">
  <h2 id="send-h">${w.article.send}</h2>
  <form method="post" action="/articles/${a.id}/broadcast" id="send">
    ${csrfField(ctx)}
    <fieldset><legend>${w.article.audience}</legend>
      <label class="choice"><input type="radio" name="audience" value="matching" checked> ${w.article.audienceMatching}</label>
      <label class="choice"><input type="radio" name="audience" value="all"> ${w.article.audienceAll}</label>
      ${
        v.platforms.length
          ? html`<label class="choice"><input type="radio" name="audience" value="platform"> ${w.article.audiencePlatform}
        <select name="platform" aria-label="${w.subs.platform}">${v.platforms.map((p) => html`<option value="${p}">${ctx.platformLabel(p)}</option>`)}</select></label>`
          : ''
      }
      ${
        v.subscriptions.length
          ? html`<label class="choice"><input type="radio" name="audience" value="chats"> ${w.article.audienceChats}</label>
      <div class="chats">${v.subscriptions.map((s) => html`<label class="choice"><input type="checkbox" name="chat" value="${s.id}"> ${ctx.platformLabel(s.platform)} · ${s.title ?? s.chatId}</label>`)}</div>`
          : ''
      }
    </fieldset>
    ${v.paidOffered ? html`<label class="choice"><input type="checkbox" name="paid" value="1" id="paid"> ${w.article.paid}</label>` : ''}
    <button type="submit" class="primary">${w.article.previewSend}</button>
  </form>
</section>`;
  const where = html`
<section class="card" aria-labelledby="where-h">
  <h2 id="where-h">${w.article.where}</h2>
  <p>${countsLine(ctx, v.counts)}</p>
  <p id="full-reads">${w.article.fullReads(v.fullReads)}</p>
  ${reactionsLine(ctx, v.reactions ?? [])}
  ${Object.values(v.counts).some((states) => states.failed) ? html`<form method="post" action="/articles/${a.id}/resend" class="inline">${csrfField(ctx)}<button type="submit" id="resend">${w.article.resendFailed}</button></form>` : ''}
  ${v.broadcasts.length ? html`<h3>${w.article.broadcasts}</h3><ul>${v.broadcasts.map((b) => html`<li><a href="/broadcasts/${b.id}">#${b.id}</a> · ${w.broadcast.states[b.state]} · ${b.editorId} · ${formatTime(b.createdAt, ctx.lang, config.timeZone)}</li>`)}</ul>` : ''}
  ${
    v.deliveries.length === 0
      ? html`<p class="muted">${w.article.noDeliveries}</p>`
      : html`<div class="table-wrap"><table>
    <thead><tr><th>${w.subs.platform}</th><th>${w.subs.kind}</th><th>${w.subs.stateCol}</th><th></th></tr></thead>
    <tbody>${v.deliveries.map((d) => {
      const link = postLink(platforms, d);
      return html`<tr><td>${ctx.platformLabel(d.platform)}</td><td>${d.chatTitle ?? d.chatId}</td><td><span class="state state-${d.state}">${w.today.states[d.state]}</span>${d.lastError ? html` <span class="muted">${d.lastError}</span>` : ''}</td><td>${link ? html`<a href="${link}" rel="noopener noreferrer" target="_blank">${w.article.openPost}</a>` : ''}</td></tr>`;
    })}</tbody></table></div>`
  }
</section>`;
  return page(
    ctx,
    a.title,
    'today',
    html`${head}
<div class="columns">
  <div>${edit}${a.retracted ? '' : send}${corrections}</div>
  <div><h2>${w.article.preview}</h2>${previews(ctx, config, a, platforms)}${fullStorySection(ctx, config, a)}${where}${v.reach ?? ''}</div>
</div>`,
  );
}

/**
 * The article's reactions, per platform, most given first: a named reaction in words (Telegram's Stars; custom
 * emoji, which only the platform can draw, together). Reach is counted without views, and the line says why.
 */
function reactionsLine(ctx: PageContext, reactions: PlatformReactions[]): Html {
  const w = t(ctx.lang).article;
  const shown = (p: PlatformReactions) => {
    const custom = p.reactions.filter((r) => r.emoji.startsWith('custom:')).reduce((n, r) => n + r.count, 0);
    const items = p.reactions
      .filter((r) => !r.emoji.startsWith('custom:'))
      .map((r) => ({ label: r.emoji === 'paid' ? `⭐ ${w.paidReaction}` : r.emoji, count: r.count }));
    if (custom > 0) items.push({ label: w.customEmoji, count: custom });
    return items.sort((a, b) => b.count - a.count);
  };
  return html`<div id="reactions"><h3>${w.reactions}</h3>${
    reactions.length === 0
      ? html`<p class="muted">${w.noReactions}</p>`
      : html`<ul>${reactions.map(
          (p) => html`
    <li>${ctx.platformLabel(p.platform)}: ${shown(p).map((r, i) => html`${i > 0 ? ' · ' : ''}<span class="reaction">${r.label} <bdi>${r.count}</bdi></span>`)}</li>`,
        )}</ul>`
  }
  <p class="muted">${w.viewsNote}</p></div>`;
}

/**
 * The full story as a reader gets it in the chat (src/story: the article as corrected, cleaned as posts are), beside
 * the posts' previews. Every text is escaped; a link or photo only with an http(s) address, and a photo is named by
 * its address, not loaded (the desk's pages load nothing from elsewhere).
 */
function fullStorySection(ctx: PageContext, config: RenderConfig, article: StoredArticle): Html {
  const w = t(ctx.lang).article;
  const story = buildFullStory(article, { timeZone: config.timeZone });
  const link = (url: string, text: string) =>
    html`<a href="${safeHref(url)}" rel="noopener noreferrer" target="_blank">${text}</a>`;
  const block = (b: StoryBlock): Html => {
    switch (b.kind) {
      case 'heading':
        return html`<h3>${b.text}</h3>`;
      case 'byline':
        return html`<p class="muted">${b.text}</p>`;
      case 'photo':
        return html`<p>🖼 ${w.photo}: <span dir="ltr">${link(b.url, b.url)}</span></p>`;
      case 'paragraph':
        return html`<p>${b.text}</p>`;
      case 'quote':
        return html`<blockquote>${b.text}</blockquote>`;
      case 'link':
        return html`<p>${link(b.url, b.text)}</p>`;
    }
  };
  return html`<section class="card" id="full-story" aria-labelledby="full-story-h">
  <details><summary><h2 id="full-story-h">${w.fullStory}</h2></summary>
  ${'retracted' in story ? html`<p class="notice warn">${w.fullStoryRetracted}</p>` : html`<div class="full-story" dir="rtl" lang="ar">${story.blocks.map(block)}</div>`}
  </details>
</section>`;
}

/** Per platform and kind: what was done, what could not be, and why. */
function tallyList(ctx: PageContext, tallies: CorrectionTally[]): Html {
  const c = t(ctx.lang).corrections;
  const report = catalogue(ctx.lang).report;
  return html`<ul class="tallies">${tallies.map((x) => {
    // The platforms called by their labels; in Arabic the counts agree with «منشور» and the reasons are Arabic.
    const reasons = report.reasons(x, ctx.platformLabel, ctx.platformRefusal);
    return html`<li><b>${ctx.platformLabel(x.platform)}</b> (${report.kind[x.kind]}): ${report.parts(x).join(' · ')}
      ${reasons ? html`<br><span class="muted">${c.reasons}: ${reasons}</span>` : ''}</li>`;
  })}</ul>`;
}

/** «تيليغرام: 3 · واتساب: 1 (1 غير مؤكدة)». */
function postsLine(ctx: PageContext, posts: PostCounts[]): Html {
  const c = t(ctx.lang).corrections;
  const sent = posts.filter((p) => p.sent + p.inDoubt > 0);
  if (sent.length === 0) return html`<span class="muted">${c.noneSent}</span>`;
  return html`${sent.map((p) => html`<span class="counts"><b>${ctx.platformLabel(p.platform)}</b>: <span id="posts-${p.platform}">${p.sent}</span>${p.inDoubt ? ` (${p.inDoubt} ${c.inDoubt})` : ''}</span> `)}`;
}

/** An editor's correction waiting for «تأكيد التصحيح»: before and after, and the posts it will edit. */
export function correctionPage(
  ctx: PageContext,
  config: RenderConfig,
  platforms: readonly DeskPlatform[],
  p: CorrectionPreview,
): Html {
  const c = t(ctx.lang).corrections;
  const action = (name: string, label: string, cls = '') =>
    html`<form method="post" action="/corrections/${p.draft.id}/${name}" class="inline">${csrfField(ctx)}<input type="hidden" name="token" value="${p.draft.token}"><button type="submit" class="${cls}" id="${name}-correction">${label}</button></form>`;
  return page(
    ctx,
    `${c.correctTitle}: ${p.before.title}`,
    'today',
    html`<p class="meta"><a href="/articles/${p.before.id}">${p.before.title}</a></p>
<section class="card">
  <p><b>${c.willEdit}:</b> ${postsLine(ctx, p.posts)}</p>
  ${p.changed ? html`<p class="actions">${action('confirm', c.confirmCorrect, 'primary')} ${action('cancel', c.cancel)}</p>` : html`<p class="notice warn">${c.unchanged}</p>`}
</section>
<div class="columns">
  <div><h2>${c.before}</h2>${previews(ctx, config, p.before, platforms)}</div>
  <div><h2>${c.after}</h2>${previews(ctx, config, { ...p.after, id: 0 }, platforms)}</div>
</div>`,
  );
}

/** «سحب الخبر»: what it will do per platform, then «تأكيد السحب». */
export function retractionPage(ctx: PageContext, article: StoredArticle, posts: PostCounts[]): Html {
  const c = t(ctx.lang).corrections;
  const queued = posts.reduce((n, p) => n + p.queued, 0);
  return page(
    ctx,
    `${c.retractTitle}: ${article.title}`,
    'today',
    html`<p class="meta"><a href="/articles/${article.id}">${article.title}</a></p>
<section class="card">
  <h2>${c.retractTitle}</h2>
  <p><b>${c.willDelete}:</b> ${postsLine(ctx, posts)}</p>
  ${queued ? html`<p>${c.queued}: <span id="queued">${queued}</span></p>` : ''}
  <p>${c.never}</p>
  <p class="actions"><form method="post" action="/articles/${article.id}/retract" class="inline">${csrfField(ctx)}<button type="submit" class="primary danger" id="confirm-retract">${c.confirmRetract}</button></form>
  <a href="/articles/${article.id}">${c.cancel}</a></p>
</section>`,
  );
}

/** The sent post's public address, when its platform has one (only http(s) is ever linked). */
function postLink(platforms: readonly DeskPlatform[], d: ArticleDelivery): string | undefined {
  if (d.state !== 'sent' || !d.messageId) return undefined;
  const url = platforms
    .find((p) => p.name === d.platform)
    ?.postUrl?.({ chatId: d.chatId, kind: d.chatKind }, d.messageId);
  return url && /^https?:\/\//.test(url) ? url : undefined;
}

export interface BroadcastView {
  broadcast: Broadcast;
  article: StoredArticle;
  status: BroadcastStatus;
  audience?: { willReceive: number; alreadyHave: number };
  /** A paid broadcast's most it can cost, per platform. */
  paid?: Array<{ platform: string; messages: number; pricePerMessage: number; cost: number; unit: string }>;
  /** The time typed in «جدولة» was refused, and why. */
  refused?: ScheduleNote;
  /** The hour whose posts got the most clicks per post for this audience (four weeks), where there is the history. */
  suggestion?: HourSuggestion;
  now: number;
}

/** What became of a scheduling form: a time refused, or a scheduled broadcast moved, cancelled or refused. */
export type ScheduleNote =
  | 'malformed'
  | 'past'
  | 'too-far'
  | 'moved'
  | 'cancelled'
  | 'not-scheduled'
  | 'started'
  | 'gone';

function scheduleNote(ctx: PageContext, note: ScheduleNote | undefined): Html | string {
  if (!note) return '';
  const w = t(ctx.lang).schedule;
  const ok = note === 'moved' || note === 'cancelled';
  const said = note === 'malformed' || note === 'past' || note === 'too-far' ? w.refused[note] : w.notes[note];
  return html`<p class="notice ${ok ? '' : 'error'}" role="${ok ? 'status' : 'alert'}" id="schedule-note" data-note="${note}">${said}</p>`;
}

/** A time as the desk's datetime-local field shows and sends it: the newsroom's local date and time. */
const localInput = (at: number, zone: string) => localDateTime(at, zone).replace(' ', 'T');

/** The next time the newsroom's clock shows `hour`:00 (the hour scheduling suggests). */
function nextLocalHour(hour: number, now: number, zone: string): number {
  const next = parseSendTime(`${String(hour).padStart(2, '0')}:00`, zone, now);
  return next.ok ? next.at : now + 3_600_000 - (now % 3_600_000);
}

export function broadcastPage(
  ctx: PageContext,
  config: RenderConfig,
  platforms: readonly DeskPlatform[],
  v: BroadcastView,
): Html {
  const w = t(ctx.lang);
  const b = v.broadcast;
  const action = (name: string, label: string, cls = '') =>
    html`<form method="post" action="/broadcasts/${b.id}/${name}" class="inline">${csrfField(ctx)}<input type="hidden" name="token" value="${b.token}"><button type="submit" class="${cls}" id="${name}">${label}</button></form>`;
  const body =
    b.state === 'preview'
      ? html`
<section class="card">
  <p class="audience"><b>${w.broadcast.willReceive}: <span id="will-receive">${v.audience?.willReceive ?? 0}</span></b> · ${w.broadcast.alreadyHave}: ${v.audience?.alreadyHave ?? 0}</p>
  ${v.audience?.willReceive === 0 ? html`<p class="notice warn">${w.broadcast.nobody}</p>` : ''}
  ${v.paid?.length ? html`<p class="notice" id="paid-cost">${w.broadcast.paidCost}: ${v.paid.map((e) => `${ctx.platformLabel(e.platform)} ${e.cost} ${e.unit} (${e.messages} × ${e.pricePerMessage})`).join(' · ')}</p>` : ''}
  <p class="actions">${action('confirm', w.broadcast.confirm, 'primary')} ${action('cancel', w.broadcast.cancel)}</p>
  ${
    v.audience?.willReceive === 0
      ? ''
      : html`${scheduleNote(ctx, v.refused)}<form method="post" action="/broadcasts/${b.id}/schedule" class="inline" id="schedule-form">${csrfField(ctx)}<input type="hidden" name="token" value="${b.token}">
    <label>${w.schedule.or} ${w.schedule.at} (${w.schedule.zone(config.timeZone)}) <input type="datetime-local" name="at" id="schedule-at" required value="${localInput(v.suggestion ? nextLocalHour(v.suggestion.hour, v.now, config.timeZone) : v.now + 3_600_000 - (v.now % 3_600_000), config.timeZone)}"></label>
    <button type="submit" id="schedule">${w.schedule.submit}</button></form>${v.suggestion ? html`<p class="notice" id="best-hour">${w.schedule.suggested(v.suggestion.hour, v.suggestion.clicksPerPost, v.suggestion.posts)}</p>` : ''}<p class="muted">${w.schedule.help}</p>`
  }
</section>
${previews(ctx, config, v.article, platforms)}`
      : progressSection(ctx, config, v, action);
  return page(
    ctx,
    `${w.broadcast.title} #${b.id}: ${v.article.title}`,
    'today',
    html`<p class="meta"><a href="/articles/${v.article.id}">${v.article.title}</a></p>${body}`,
  );
}

function progressSection(
  ctx: PageContext,
  config: RenderConfig,
  v: BroadcastView,
  action: (name: string, label: string, cls?: string) => Html,
): Html {
  const w = t(ctx.lang);
  const p = v.status;
  const total = p.sent + p.failed + p.skipped + p.inDoubt + p.remaining + p.waiting;
  const done = total - p.remaining - p.waiting;
  const sendAt = v.broadcast.sendAt;
  const scheduled =
    sendAt && v.broadcast.state === 'queued' && sendAt.getTime() > v.now
      ? html`<p class="notice" role="status" id="bc-scheduled">${w.schedule.scheduledFor} <time datetime="${sendAt.toISOString()}">${formatTime(sendAt, ctx.lang, config.timeZone)}</time> · <a href="/scheduled">${w.schedule.list}</a></p>`
      : '';
  return html`${scheduled}<section class="card" id="progress" data-events="/broadcasts/${v.broadcast.id}/events">
  <p class="state-line">${w.broadcast.progress}: <b id="bc-state" data-state="${v.broadcast.state}" data-words="${JSON.stringify(w.broadcast.states)}">${w.broadcast.states[v.broadcast.state]}</b></p>
  <progress id="bc-meter" max="${Math.max(total, 1)}" value="${done}">${done}/${total}</progress>
  <dl class="figures">
    <div><dt>${w.broadcast.sent}</dt><dd id="bc-sent">${p.sent}</dd></div>
    <div><dt>${w.broadcast.waiting}</dt><dd id="bc-waiting">${p.remaining}</dd></div>
    <div><dt>${w.broadcast.forChats}</dt><dd><span id="bc-for-chats">${p.waiting}</span>${p.waitingUntil ? ` · ${w.broadcast.until(formatTime(p.waitingUntil, ctx.lang, config.timeZone))}` : ''}</dd></div>
    <div><dt>${w.broadcast.failed}</dt><dd id="bc-failed">${p.failed}</dd></div>
    <div><dt>${w.broadcast.skipped}</dt><dd id="bc-skipped">${p.skipped}</dd></div>
    <div><dt>${w.broadcast.inDoubt}</dt><dd id="bc-in-doubt">${p.inDoubt}</dd></div>
  </dl>
  ${v.broadcast.state === 'queued' ? html`<p class="actions" id="stop-wrap">${action('stop', w.broadcast.stop, 'danger')}</p>` : ''}
</section>`;
}

/** «المجدول»: what is scheduled and has not gone, soonest first, each with a form to move it and one to cancel it. */
export function scheduledPage(
  ctx: PageContext,
  config: RenderConfig,
  items: readonly ScheduledBroadcast[],
  note?: ScheduleNote,
): Html {
  const w = t(ctx.lang);
  const zone = config.timeZone;
  const form = (
    b: ScheduledBroadcast['broadcast'],
    name: 'move' | 'cancel',
    inner: Html | string,
    label: string,
    cls = '',
  ) =>
    html`<form method="post" action="/scheduled/${b.id}/${name}" class="inline">${csrfField(ctx)}<input type="hidden" name="token" value="${b.token}">${inner}<button type="submit" class="${cls}" id="${name}-${b.id}">${label}</button></form>`;
  const rows = items.map(
    ({ broadcast: b, title, posts }) => html`<tr id="scheduled-${b.id}">
  <td><time datetime="${b.sendAt.toISOString()}">${formatTime(b.sendAt, ctx.lang, zone)}</time></td>
  <td><a href="/broadcasts/${b.id}">#${b.id}</a> ${b.urgent ? html`<span class="state state-failed">${w.schedule.urgent}</span> ` : ''}<a href="/articles/${b.articleId}" dir="auto">${title}</a></td>
  <td>${posts}</td>
  <td>${form(b, 'move', html`<input type="datetime-local" name="at" id="at-${b.id}" aria-label="${w.schedule.at}" required value="${localInput(b.sendAt.getTime(), zone)}"> `, w.schedule.move)}
    ${form(b, 'cancel', '', w.schedule.cancel, 'danger')}</td>
</tr>`,
  );
  return page(
    ctx,
    w.schedule.title,
    'scheduled',
    html`${scheduleNote(ctx, note)}<p class="muted">${w.schedule.zone(zone)} · ${w.schedule.help}</p>
${
  items.length === 0
    ? html`<p id="scheduled-none">${w.schedule.none}</p>`
    : html`<table class="card" id="scheduled"><thead><tr><th>${w.schedule.at}</th><th>${w.schedule.article}</th><th>${w.schedule.posts}</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`
}`,
  );
}

export function urgentPage(ctx: PageContext, text = '', restored = false): Html {
  const w = t(ctx.lang);
  return page(
    ctx,
    w.urgent.title,
    'urgent',
    html`${restored ? html`<p class="notice warn" role="status" id="restored">${w.article.restored}</p>` : ''}<form method="post" action="/urgent" class="card" id="urgent">
  <p>${w.urgent.intro}</p>
  ${csrfField(ctx)}
  <label>${w.urgent.text}<textarea name="text" rows="4" required maxlength="1000" dir="auto">${text}</textarea></label>
  <button type="submit" class="primary">${w.urgent.preview}</button>
</form>`,
  );
}

/**
 * What became of the add-source form, from the newsroom's result (what `nashra sources add` prints): added, with the
 * backlog marked seen, what went out as backfill or waits for review; or refused, with the reason and what was typed.
 */
export type SourceNote =
  | { added: AddSourceResult }
  | { refused: string; existing?: Pick<Source, 'id' | 'name'>; typed: { url: string; name: string; interval: string } };

function sourceNote(ctx: PageContext, note: SourceNote): Html {
  const w = t(ctx.lang).sources;
  if ('refused' in note) {
    return html`<p class="notice error" role="alert" id="source-refused" dir="auto">${note.existing ? w.already(note.existing.id, note.existing.name) : note.refused}</p>`;
  }
  const { source, description, firstPoll } = note.added;
  const detected = html`<p class="muted" dir="ltr">${description}</p>`;
  if (!firstPoll.ok)
    return html`<div class="notice warn" role="status" id="source-added"><p>${w.addedButFailed(source.id, source.name, firstPoll.error)}</p>${detected}</div>`;
  const lines = [
    w.backlog(firstPoll.seen),
    ...(source.review
      ? [w.held(firstPoll.held)]
      : firstPoll.sent || firstPoll.queued
        ? [w.backfill(firstPoll.sent, firstPoll.queued)]
        : []),
    ...(firstPoll.skipped ? [w.skipped(firstPoll.skipped)] : []),
  ];
  return html`<div class="notice ok" role="status" id="source-added">
  <p><b>${w.added(source.id, source.name)}</b> ${w.every(formatInterval(source.intervalSeconds))}${source.category ? html` · ${source.category}` : ''}</p>
  ${detected}<ul>${lines.map((line) => html`<li>${line}</li>`)}</ul>
</div>`;
}

export function sourcesPage(
  ctx: PageContext,
  config: RenderConfig,
  sources: Source[],
  now: number,
  note?: SourceNote,
): Html {
  const w = t(ctx.lang);
  const tz = config.timeZone;
  const typed = note && 'typed' in note ? note.typed : undefined;
  const act = (s: Source, name: string, label: string, cls = '') =>
    html`<form method="post" action="/sources/${s.id}/${name}" class="inline"${name === 'remove' ? html` data-confirm="${w.sources.confirmRemove}"` : ''}>${csrfField(ctx)}<button type="submit" class="${cls}">${label}</button></form>`;
  return page(
    ctx,
    w.sources.title,
    'sources',
    html`
${note ? sourceNote(ctx, note) : ''}
${
  managesOutlet(ctx)
    ? html`<form method="post" action="/sources" class="card filters" id="add-source">
  <h2 class="full">${w.sources.add}</h2>
  ${csrfField(ctx)}
  <label class="grow">${w.sources.url}<input name="url" type="url" required maxlength="2000" dir="ltr" placeholder="https://" value="${typed?.url ?? ''}"></label>
  <label>${w.sources.name}<input name="name" maxlength="100" value="${typed?.name ?? ''}"></label>
  <label>${w.sources.interval}<select name="interval">${['5m', '10m', '15m', '30m', '1h'].map((i) => html`<option value="${i}"${i === (typed?.interval ?? '10m') ? html` selected` : ''}>${i}</option>`)}</select></label>
  <button type="submit" class="primary">${w.sources.add}</button>
</form>`
    : html`<p class="notice">${w.outlet.adminsOnly}</p>`
}
${
  sources.length === 0
    ? html`<p class="notice">${w.sources.none}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th>${w.today.source}</th><th>${w.sources.lastFetch}</th><th>${w.sources.status}</th><th>${w.sources.errors}</th><th>${w.sources.articles}</th><th>${w.sources.nextPoll}</th><th></th></tr></thead>
<tbody>${sources.map(
        (s) => html`<tr class="${s.failingSince ? 'failing' : ''}">
  <td><b>${s.name}</b>${s.active ? '' : html` <span class="state state-skipped">${w.sources.paused}</span>`}<br><a href="${safeHref(s.url)}" dir="ltr" class="url" rel="noopener noreferrer" target="_blank">${s.url}</a></td>
  <td>${formatTime(s.lastFetchAt, ctx.lang, tz)}</td>
  <td>${s.lastStatus ?? '—'}${s.lastError ? html`<br><span class="muted">${s.lastError}</span>` : ''}${s.failingSince ? html`<br><span class="state state-failed">${w.sources.failing} ${formatTime(s.failingSince, ctx.lang, tz)}</span>` : ''}</td>
  <td>${s.errorCount}</td><td>${s.articlesFound}</td>
  <td>${s.active ? formatAge(Math.max(0, s.nextFetchAt.getTime() - now), ctx.lang) : '—'}</td>
  <td class="row-actions">${!managesOutlet(ctx) ? (s.active ? act(s, 'poll', w.sources.pollNow) : '') : s.active ? html`${act(s, 'poll', w.sources.pollNow)} ${act(s, 'pause', w.sources.pause)}` : act(s, 'resume', w.sources.resume)}${managesOutlet(ctx) ? html` ${act(s, 'remove', w.sources.remove, 'danger')}` : ''}</td>
</tr>`,
      )}</tbody></table></div>`
}`,
  );
}

export function subscriptionsPage(
  ctx: PageContext,
  config: RenderConfig,
  subs: Subscription[],
  filter: { platform?: string; kind?: string; active?: string },
  platforms: string[],
  delivery: (s: Subscription) => string,
): Html {
  const w = t(ctx.lang);
  const sel = (on: boolean) => (on ? html` selected` : '');
  return page(
    ctx,
    w.subs.title,
    'subscriptions',
    html`
<form method="get" action="/subscriptions" class="filters">
  <label>${w.subs.platform}<select name="platform"><option value="">${w.today.any}</option>${platforms.map((p) => html`<option value="${p}"${sel(filter.platform === p)}>${ctx.platformLabel(p)}</option>`)}</select></label>
  <label>${w.subs.kind}<select name="kind"><option value="">${w.today.any}</option>${(['channel', 'group', 'private'] as const).map((k) => html`<option value="${k}"${sel(filter.kind === k)}>${w.subs.kinds[k]}</option>`)}</select></label>
  <label>${w.subs.stateCol}<select name="active"><option value="">${w.today.any}</option><option value="1"${sel(filter.active === '1')}>${w.subs.active}</option><option value="0"${sel(filter.active === '0')}>${w.subs.inactive}</option></select></label>
  <button type="submit">${w.today.filter}</button>
</form>
${
  subs.length === 0
    ? html`<p class="notice">${w.subs.none}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th>${w.subs.platform}</th><th>${w.subs.kind}</th><th>${w.subs.topics}</th><th>${w.subs.stateCol}</th><th></th></tr></thead>
<tbody>${subs.map(
        (s) => html`<tr>
  <td>${ctx.platformLabel(s.platform)}<br><span class="muted" dir="ltr">${s.title ?? s.chatId}</span></td>
  <td>${w.subs.kinds[s.kind]}<br><span class="muted">${delivery(s)}</span></td>
  <td>${s.topics.length ? s.topics.join('، ') : html`<span class="muted">${w.subs.allTopics}</span>`}</td>
  <td>${s.active ? html`<span class="state state-sent">${w.subs.active}</span>` : html`<span class="state state-failed">${w.subs.inactive}</span> <span class="muted">${s.deactivatedReason ?? ''} · ${formatTime(s.deactivatedAt, ctx.lang, config.timeZone)}</span>`}</td>
  <td class="row-actions">${s.active ? html`<a href="/subscriptions/${s.id}/settings">${w.subs.settings}</a>${managesOutlet(ctx) ? html` <form method="post" action="/subscriptions/${s.id}/deactivate" class="inline">${csrfField(ctx)}<button type="submit" class="danger">${w.subs.deactivate}</button></form>` : ''}` : ''}</td>
</tr>`,
      )}</tbody></table></div>`
}`,
  );
}

export function queuePage(
  ctx: PageContext,
  config: RenderConfig,
  depth: QueueDepth[],
  forChats: Map<string, ChatWaits>,
  inDoubt: InDoubtDelivery[],
  now: number,
): Html {
  const w = t(ctx.lang);
  // What waits for its chat's quiet hours or digest is shown apart, with its time: it is neither being sent nor a retry.
  const rows = [...new Set([...depth.map((d) => d.platform), ...forChats.keys()])].sort().map((platform) => {
    const d = depth.find((q) => q.platform === platform);
    const c = forChats.get(platform);
    return {
      platform,
      waiting: (d?.waiting ?? 0) - (c?.queued ?? 0),
      oldest: d?.oldestQueuedAt,
      retries: (d?.retriesScheduled ?? 0) - (c?.postponed ?? 0),
      forChats: c,
    };
  });
  const resolve = (d: InDoubtDelivery, how: 'mark-sent' | 'send-again', label: string) =>
    html`<form method="post" action="/queue/${d.id}/resolve" class="inline">${csrfField(ctx)}<input type="hidden" name="how" value="${how}"><button type="submit">${label}</button></form>`;
  return page(
    ctx,
    w.queue.title,
    'queue',
    html`
${
  rows.length === 0
    ? html`<p class="notice">${w.queue.empty}</p>`
    : html`<div class="table-wrap"><table id="queue-depth">
<thead><tr><th>${w.subs.platform}</th><th>${w.queue.depth}</th><th>${w.queue.oldest}</th><th>${w.queue.retries}</th><th>${w.queue.forChats}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${ctx.platformLabel(r.platform)}</td><td>${r.waiting}</td><td>${formatAge(r.oldest ? now - r.oldest.getTime() : undefined, ctx.lang)}</td><td>${r.retries}</td><td>${r.forChats ? `${r.forChats.count} · ${w.broadcast.until(formatTime(r.forChats.until, ctx.lang, config.timeZone))}` : '0'}</td></tr>`)}</tbody>
</table></div>`
}
<section class="card"><h2>${w.queue.inDoubt}</h2>
${
  inDoubt.length === 0
    ? html`<p class="muted">${w.queue.noneInDoubt}</p>`
    : html`<p>${w.queue.inDoubtIntro}</p><ul class="in-doubt">${inDoubt.map(
        (d) => html`<li>
  ${w.queue.kinds[d.kind]}${d.articleId === undefined ? '' : html` <a href="/articles/${d.articleId}">${d.title ?? ''}</a>`} → ${ctx.platformLabel(d.platform)} <span dir="ltr">${d.chatTitle ?? d.chatId}</span> · ${formatTime(d.since, ctx.lang, config.timeZone)}
  <div class="actions">${resolve(d, 'mark-sent', w.queue.markSent)} ${resolve(d, 'send-again', w.queue.sendAgain)}</div></li>`,
      )}</ul>`
}
</section>`,
  );
}

export function activityPage(
  ctx: PageContext,
  config: RenderConfig,
  entries: AuditEntry[],
  choices: { actors: string[]; actions: string[] },
  filter: { actor?: string; action?: string },
  olderHref?: string,
): Html {
  const w = t(ctx.lang);
  const sel = (on: boolean) => (on ? html` selected` : '');
  return page(
    ctx,
    w.activity.title,
    'activity',
    html`
<form method="get" action="/activity" class="filters">
  <label>${w.activity.editor}<select name="actor"><option value="">${w.today.any}</option>${choices.actors.map((a) => html`<option value="${a}"${sel(filter.actor === a)}>${a}</option>`)}</select></label>
  <label>${w.activity.action}<select name="action"><option value="">${w.today.any}</option>${choices.actions.map((a) => html`<option value="${a}"${sel(filter.action === a)}>${a}</option>`)}</select></label>
  <button type="submit">${w.today.filter}</button>
</form>
${
  entries.length === 0
    ? html`<p class="notice">${w.activity.none}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th>${w.activity.at}</th><th>${w.activity.editor}</th><th>${w.activity.action}</th><th>${w.activity.detail}</th></tr></thead>
<tbody>${entries.map((e) => html`<tr><td>${formatTime(e.at, ctx.lang, config.timeZone)}</td><td>${e.actor} <span class="muted">${ctx.platformLabel(e.platform)}</span></td><td dir="ltr">${e.action}</td><td dir="ltr" class="detail">${JSON.stringify(e.detail)}</td></tr>`)}</tbody>
</table></div>`
}
${olderHref ? html`<p class="more"><a href="${olderHref}">${w.today.older}</a></p>` : ''}`,
  );
}

export interface StatsView {
  perHour: Array<{ platform: string; hour: number; count: number }>;
  perDay: Array<{ source: string; day: number; count: number }>;
  failures: Array<{ platform: string; reason: string; count: number }>;
  now: number;
}

export function statsPage(ctx: PageContext, config: RenderConfig, v: StatsView): Html {
  const w = t(ctx.lang);
  const rtl = ctx.lang === 'ar';
  const nowHour = Math.floor(v.now / 3600000);
  const hours = Array.from({ length: 48 }, (_, i) => nowHour - 47 + i);
  const hourSeries: Series[] = [...new Set(v.perHour.map((r) => r.platform))].map((p) => ({
    name: ctx.platformLabel(p),
    values: hours.map((h) => v.perHour.find((r) => r.platform === p && r.hour === h)?.count ?? 0),
  }));
  const hourLabels = hours.map((h) => formatTime(new Date(h * 3600000), ctx.lang, config.timeZone, false));
  const today = Math.floor(v.now / 86400000);
  const days = Array.from({ length: 14 }, (_, i) => today - 13 + i);
  const bySource = new Map<string, number>();
  for (const r of v.perDay) bySource.set(r.source, (bySource.get(r.source) ?? 0) + r.count);
  const topSources = [...bySource.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([s]) => s);
  const daySeries: Series[] = topSources.map((s) => ({
    name: s,
    values: days.map((d) => v.perDay.find((r) => r.source === s && r.day === d)?.count ?? 0),
  }));
  const dayLabels = days.map((d) =>
    new Intl.DateTimeFormat(rtl ? 'ar-SY-u-nu-latn' : 'en-GB', {
      day: 'numeric',
      month: 'numeric',
      timeZone: 'UTC',
    }).format(new Date(d * 86400000)),
  );
  return page(
    ctx,
    w.stats.title,
    'stats',
    html`
<section class="card"><h2>${w.stats.perHour}</h2>${hourSeries.length ? barChart({ title: w.stats.perHour, labels: hourLabels, series: hourSeries, rtl }) : html`<p class="muted">${w.stats.noData}</p>`}</section>
<section class="card"><h2>${w.stats.perDay}</h2>${daySeries.length ? barChart({ title: w.stats.perDay, labels: dayLabels, series: daySeries, rtl }) : html`<p class="muted">${w.stats.noData}</p>`}</section>
<section class="card"><h2>${w.stats.failures}</h2>${
      v.failures.length
        ? html`<div class="table-wrap"><table><thead><tr><th>${w.subs.platform}</th><th>${w.stats.reason}</th><th>${w.stats.count}</th></tr></thead>
<tbody>${v.failures.map((f) => html`<tr><td>${ctx.platformLabel(f.platform)}</td><td dir="auto">${f.reason}</td><td>${f.count}</td></tr>`)}</tbody></table></div>`
        : html`<p class="muted">${w.stats.noData}</p>`
    }</section>`,
  );
}

/**
 * One subscription's filter, template and per-source filters, as a form (POST /subscriptions/:id/settings, through
 * the newsroom's changeSubscription like `nashra subs set` and Telegram's /settings). Each template field offers
 * «default» (the environment's value, shown beside it), or the chat's own choice.
 */
export function subscriptionSettingsPage(
  ctx: PageContext,
  config: Pick<Config, 'template'>,
  s: SubscriptionSettings,
  sources: Source[],
  saved: boolean,
): Html {
  const w = t(ctx.lang);
  const ws = w.settings;
  const own = s.template;
  const sub = s.subscription;
  const sel = (on: boolean) => (on ? html` selected` : '');
  const env = config.template;
  const shown = (v: boolean | undefined) => (v === false ? ws.off : ws.on);
  const line = (name: 'header' | 'footer', value: string | undefined, fallback: string | undefined) => html`
  <label>${name === 'header' ? ws.header : ws.footer} ${ws.defaults(fallback ? `«${fallback}»` : ws.none)}
    <select name="${name}_mode">
      <option value="default"${sel(value === undefined)}>${ws.byDefault}</option>
      <option value="none"${sel(value === '')}>${ws.none}</option>
      <option value="text"${sel(!!value)}>${ws.own}</option>
    </select>
    <input name="${name}" value="${value ?? ''}" maxlength="120"></label>`;
  const flag = (name: string, label: string, value: boolean | undefined, fallback: boolean | undefined) => html`
  <label>${label} ${ws.defaults(shown(fallback))}<select name="${name}">
    <option value="default"${sel(value === undefined)}>${ws.byDefault}</option>
    <option value="on"${sel(value === true)}>${ws.on}</option>
    <option value="off"${sel(value === false)}>${ws.off}</option>
  </select></label>`;
  const filters = new Map(s.sourceFilters.map((f) => [f.sourceId, f.topics]));
  const quoted = (topics: string[]) =>
    topics.map((x) => (/\s/.test(x) ? (x.startsWith('-') ? `-"${x.slice(1)}"` : `"${x}"`) : x)).join(' ');
  return page(
    ctx,
    ws.title(sub.title ?? sub.chatId),
    'subscriptions',
    html`
${saved ? html`<p class="notice">${ws.saved}</p>` : ''}
<p class="muted">${ctx.platformLabel(sub.platform)} · ${w.subs.kinds[sub.kind]} · <span dir="ltr">${sub.chatId}</span></p>
<form method="post" action="/subscriptions/${sub.id}/settings" class="stack">
  ${csrfField(ctx)}
  <fieldset><legend>${ws.filter}</legend>
    <label>${ws.filter}<input name="topics" value="${quoted(sub.topics)}" dir="auto"></label>
    <p class="muted">${ws.filterHelp}</p>
  </fieldset>
  <fieldset><legend>${ws.template}</legend>
    ${line('header', own.headerMark, env.headerMark)}
    ${line('footer', own.footer, env.footer)}
    ${flag('hashtags', ws.hashtags, own.showHashtags, env.showHashtags)}
    ${flag('source_line', ws.sourceLine, own.showSource, env.showSource)}
    ${flag('date', ws.date, own.showDate, env.showDate)}
    ${flag('photo', ws.photo, own.leadPhoto, env.leadPhoto)}
    ${flag('full_story', ws.fullStory, own.fullStory, sub.kind !== 'private')}
    <label>${ws.preview} ${ws.defaults(env.linkPreview ? ws.previews[env.linkPreview] : ws.byDefault)}<select name="link_preview">
      <option value="default"${sel(own.linkPreview === undefined)}>${ws.byDefault}</option>
      ${(['none', 'small', 'large'] as const).map((p) => html`<option value="${p}"${sel(own.linkPreview === p)}>${ws.previews[p]}</option>`)}
    </select></label>
    ${
      sub.kind === 'group'
        ? html`<label>${ws.fullStoryInGroup} ${ws.defaults(ws.notAllowed)}<select name="full_story_in_group">
      <option value="default"${sel(own.fullStoryInGroup === undefined)}>${ws.byDefault}</option>
      <option value="on"${sel(own.fullStoryInGroup === true)}>${ws.allowed}</option>
      <option value="off"${sel(own.fullStoryInGroup === false)}>${ws.notAllowed}</option>
    </select></label>`
        : ''
    }
  </fieldset>
  ${
    sources.length
      ? html`<fieldset><legend>${ws.sources}</legend>
    <p class="muted">${ws.sourcesHelp}</p>
    ${sources.map((src) => html`<label>${src.name}<input name="source_${src.id}" value="${quoted(filters.get(src.id) ?? [])}" dir="auto"></label>`)}
  </fieldset>`
      : ''
  }
  ${managesOutlet(ctx) ? html`<button type="submit">${ws.save}</button>` : html`<p class="notice">${w.outlet.adminsOnly}</p>`}
</form>`,
  );
}
