/** The desk's Reach page and the article page's reach section (src/newsroom/reach.ts is the read model). */
import type { ReachReport, StoryReach } from '../newsroom/index.js';
import { barChart } from './charts.js';
import { html, type Html } from './html.js';
import { t } from './i18n.js';
import { page, type PageContext } from './layout.js';

/** The windows the page offers (any other `?since=` the read model accepts works too). */
export const REACH_WINDOWS = ['24h', '7d', '28d'] as const;

const number = (n: number | null, lang: string): string =>
  n === null
    ? '—'
    : new Intl.NumberFormat(lang === 'ar' ? 'ar-SY-u-nu-latn' : 'en-GB', { maximumFractionDigits: 2 }).format(n);

export function reachPage(ctx: PageContext, v: { report: ReachReport; window: string; tracking: boolean }): Html {
  const w = t(ctx.lang).reach;
  const rtl = ctx.lang === 'ar';
  const r = v.report;
  const n = (x: number | null) => number(x, ctx.lang);
  const stories = (id: string, title: string, list: StoryReach[]) => html`
<section class="card" aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2>${
    list.length === 0
      ? html`<p class="muted">${w.noData}</p>`
      : html`<div class="table-wrap"><table id="${id}">
<thead><tr><th>${w.story}</th><th>${w.inWindow}</th><th>${w.posts}</th><th>${w.clicks}</th><th>${w.clickThrough}</th><th>${w.fullReads}</th><th>${w.perPlatform}</th></tr></thead>
<tbody>${list.map(
          (
            s,
          ) => html`<tr><td dir="auto"><a href="/articles/${s.articleId}">${s.title}</a></td><td>${n(s.clicksInWindow)}</td><td>${n(s.posts)}</td><td>${n(s.clicks)}</td><td>${n(s.clickThrough)}</td><td>${n(s.fullReads)}</td>
<td>${s.platforms.map((p) => html`<span class="nowrap">${ctx.platformLabel(p.platform)}: ${n(p.clicks)}/${n(p.posts)}</span> `)}${reactions(ctx, s.reactions)}</td></tr>`,
        )}</tbody></table></div>`
  }</section>`;
  return page(
    ctx,
    w.title,
    'reach',
    html`
<p class="notice" id="views-note">${w.note}</p>
${v.tracking ? '' : html`<p class="notice warn" id="tracking-off">${w.off}</p>`}
<form method="get" action="/reach" class="filters"><label>${w.window} <select name="since">${REACH_WINDOWS.map((k) => html`<option value="${k}"${k === v.window ? ' selected' : ''}>${w.windows[k]}</option>`)}</select></label>
<button type="submit">${w.show}</button> <a class="button" href="/reach.csv?since=${v.window}" id="csv" download>${w.csv}</a></form>
<section class="card" aria-labelledby="platforms-h"><h2 id="platforms-h">${w.perPlatform}</h2>${
      r.platforms.length === 0
        ? html`<p class="muted">${w.noData}</p>`
        : html`<div class="table-wrap"><table id="platforms">
<thead><tr><th></th><th>${w.posts}</th><th>${w.clicks}</th><th>${w.clickThrough}</th></tr></thead>
<tbody>${r.platforms.map((p) => html`<tr><td>${ctx.platformLabel(p.platform)}</td><td>${n(p.posts)}</td><td>${n(p.clicks)}</td><td>${n(p.clickThrough)}</td></tr>`)}</tbody></table></div>`
    }</section>
${stories('top-day', w.topDay, r.topDay)}
${stories('top-week', w.topWeek, r.topWeek)}
<section class="card" aria-labelledby="hours-h"><h2 id="hours-h">${w.byHour}</h2>${
      r.clicks === 0
        ? html`<p class="muted">${w.noData}</p>`
        : barChart({
            title: w.byHour,
            labels: r.byHourOfDay.map((_, h) => String(h).padStart(2, '0')),
            series: [{ name: w.clicks, values: r.byHourOfDay }],
            rtl,
          })
    }</section>
<section class="card" aria-labelledby="days-h"><h2 id="days-h">${w.byDay}</h2>${
      r.clicks === 0
        ? html`<p class="muted">${w.noData}</p>`
        : barChart({ title: w.byDay, labels: w.days, series: [{ name: w.clicks, values: r.byDayOfWeek }], rtl })
    }</section>
<section class="card" aria-labelledby="chats-h"><h2 id="chats-h">${w.perChat}</h2>${
      r.chats.length === 0
        ? html`<p class="muted">${w.noData}</p>`
        : html`<div class="table-wrap"><table id="chats">
<thead><tr><th>${w.chat}</th><th>${w.posts}</th><th>${w.clicks}</th><th>${w.clickThrough}</th></tr></thead>
<tbody>${r.chats.map((c) => html`<tr><td dir="auto">${ctx.platformLabel(c.platform)} · ${c.title ?? c.chatId}</td><td>${n(c.posts)}</td><td>${n(c.clicks)}</td><td>${n(c.clickThrough)}</td></tr>`)}</tbody></table></div>`
    }</section>`,
  );
}

function reactions(ctx: PageContext, counts: Record<string, number>): Html | string {
  if (Object.keys(counts).length === 0) return '';
  return html`<span class="reactions" title="${t(ctx.lang).reach.reactions}">${Object.entries(counts).map(([emoji, count]) => html`<span class="nowrap">${emoji} ${number(count, ctx.lang)}</span> `)}</span>`;
}

/** The article page's section: its posts, clicks and click-through per platform (all time). */
export function articleReachSection(ctx: PageContext, reach: Omit<StoryReach, 'title' | 'clicksInWindow'>): Html {
  const w = t(ctx.lang).reach;
  const n = (x: number | null) => number(x, ctx.lang);
  return html`
<section class="card" aria-labelledby="reach-h" id="reach">
  <h2 id="reach-h">${w.article}</h2>
  <ul class="reach-lines">${reach.platforms.map((p) => html`<li>${ctx.platformLabel(p.platform)}: ${w.posts} ${n(p.posts)} · ${w.clicks} ${n(p.clicks)} · ${w.clickThrough} ${n(p.clickThrough)}</li>`)}
    <li><b>∑: ${w.posts} ${n(reach.posts)} · ${w.clicks} ${n(reach.clicks)} · ${w.clickThrough} ${n(reach.clickThrough)} · ${w.fullReads} ${n(reach.fullReads)}</b></li></ul>
  ${reactions(ctx, reach.reactions)}
  <p class="muted">${w.note}</p>
</section>`;
}
