import type { DeskRole } from '../model/outlet.js';
import { html, type Html, type Interpolation } from './html.js';
import { t, type Lang } from './i18n.js';

export interface PageContext {
  lang: Lang;
  /** The signed-in editor, or undefined on the sign-in and setup pages. */
  editor?: string;
  csrf: string;
  /** The outlet the page shows, the editor's role there, and every outlet the editor works in (the switcher's). */
  outlet?: { slug: string; role: DeskRole; all: string[] };
  /** The current path, for the language switch to come back to. */
  path: string;
  /** A platform's name as editors know it, in the page's language (the desk itself names no platform). */
  platformLabel: (name: string) => string;
  /** A platform's own refusal in Arabic, when its descriptor knows it (the correction report's reasons). */
  platformRefusal: (name: string, reason: string) => string | undefined;
}

type NavKey = keyof ReturnType<typeof t>['nav'];
const NAV: Array<[NavKey, string]> = [
  ['today', '/'],
  ['urgent', '/urgent'],
  ['scheduled', '/scheduled'],
  ['sources', '/sources'],
  ['subscriptions', '/subscriptions'],
  ['queue', '/queue'],
  ['activity', '/activity'],
  ['stats', '/stats'],
  ['reach', '/reach'],
];

/**
 * Whether the page offers the outlet's management (sources, chats and their settings): its admins only. The
 * newsroom actions refuse an editor anyway (403); an editor is not shown buttons that would be refused.
 */
export const managesOutlet = (ctx: PageContext): boolean => ctx.outlet?.role !== 'editor';

/** A hidden field with the CSRF token: every form that changes something carries one. */
export const csrfField = (ctx: PageContext): Html => html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;

/** The page shell: Arabic right-to-left by default, a skip link, the navigation, the language switch. */
export function page(ctx: PageContext, title: string, active: NavKey | undefined, body: Interpolation): Html {
  const w = t(ctx.lang);
  const dir = ctx.lang === 'ar' ? 'rtl' : 'ltr';
  return html`<!doctype html>
<html lang="${ctx.lang}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${w.appName}</title>
<link rel="stylesheet" href="/static/desk.css">
<script type="module" src="/static/desk.js"></script>
</head>
<body>
<a class="skip" href="#main">${w.skip}</a>
<header class="top">
  <a class="brand" href="/">${w.appName}</a>
  ${ctx.editor ? html`<nav aria-label="${w.appName}"><ul>${NAV.map(([key, href]) => html`<li><a href="${href}"${key === active ? html` aria-current="page"` : ''}>${w.nav[key]}</a></li>`)}</ul></nav>` : ''}
  <div class="who">
    <form method="post" action="/lang" class="inline">${csrfField(ctx)}<input type="hidden" name="lang" value="${ctx.lang === 'ar' ? 'en' : 'ar'}"><input type="hidden" name="back" value="${ctx.path}"><button type="submit" class="link" lang="${ctx.lang === 'ar' ? 'en' : 'ar'}">${w.switchLang}</button></form>
    ${ctx.outlet ? outletSwitch(ctx, ctx.outlet) : ''}
    ${
      ctx.editor
        ? html`<span class="editor">${w.signedInAs}: <b>${ctx.editor}</b></span>
    <form method="post" action="/logout" class="inline">${csrfField(ctx)}<button type="submit" class="link" id="logout">${w.logout}</button></form>`
        : ''
    }
  </div>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** The outlet shown and the editor's role there; a switcher (a form, with its CSRF token) when there are several. */
function outletSwitch(ctx: PageContext, outlet: NonNullable<PageContext['outlet']>): Html {
  const w = t(ctx.lang).outlet;
  const role = html`<span class="role">(${w.roles[outlet.role]})</span>`;
  if (outlet.all.length < 2)
    return html`<span class="outlet">${w.label}: <b dir="ltr">${outlet.slug}</b> ${role}</span>`;
  return html`<form method="post" action="/outlet" class="inline outlet" id="outlet-switch">${csrfField(ctx)}
    <label>${w.label}: <select name="outlet" dir="ltr">${outlet.all.map((slug) => html`<option value="${slug}"${slug === outlet.slug ? html` selected` : ''}>${slug}</option>`)}</select></label>
    ${role}<button type="submit" class="link">${w.switch}</button></form>`;
}
