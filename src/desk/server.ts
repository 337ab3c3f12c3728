import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { PermissionError, UserError } from '../errors.js';
import type { DeskPlatform } from './pages.js';
import {
  addFirstDeskEditor,
  deskOutlet,
  deskSession,
  deskSignIn,
  deskSignOut,
  hasDeskEditors,
  normalUsername,
  OutletAdminError,
  platformRefusal,
  switchDeskOutlet,
  type NewsroomDeps,
  type OpenedSession,
} from '../newsroom/index.js';
import { projectRoot } from '../paths.js';
import { html, type Html } from './html.js';
import { t } from './i18n.js';
import { csrfField, page, type PageContext } from './layout.js';
import { sameOriginPath } from './redirect.js';
import { formPageOf, KeptDrafts, typedFields, type KeptFields } from './kept.js';
import { registerPages } from './routes.js';
import { PUSH_ROUTES, registerPush } from './push-routes.js';
import { CLICK_ROUTES, registerClicks } from './click-routes.js';
import { ClickCounter } from '../newsroom/clicks.js';
import { refusalIn } from '../refusal.js';
import { MAIN_OUTLET } from '../model/outlet.js';
import type { ContextOf, DeskDeps } from './deps.js';

export type { ContextOf, DeskDeps, SignedIn } from './deps.js';

export interface DeskHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const SESSION_COOKIE = 'nashra_session';
const LANG_COOKIE = 'nashra_lang';
/** Forms are a few kilobytes; the longest is an edited summary. */
const BODY_LIMIT = 64 * 1024;
/** Sign-in attempts: per address (a newsroom behind one NAT still has room), and per username (slow guessing). */
const LOGIN_PER_ADDRESS = { max: 20, timeWindow: 60_000 };
const LOGIN_PER_USERNAME = { max: 10, timeWindow: 15 * 60_000 };

/** Routes anyone may reach: everything else needs a signed-in desk editor. */
const PUBLIC = new Set(['/login', '/setup/:token', '/static/*', '/lang', ...PUSH_ROUTES]);
/** Machine endpoints authenticated by their own secrets (src/ingest/push.ts), not by a session and its CSRF token. */
const NO_CSRF = new Set(PUSH_ROUTES);
/** Posts' links: no session, no cookie (see the onRequest hook). */
const CLICKS = new Set(CLICK_ROUTES);

export async function startDesk(deps: DeskDeps, listen: { port: number; host: string }): Promise<DeskHandle> {
  const app = await buildDesk(deps);
  try {
    await app.listen({ port: listen.port, host: listen.host });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const shownHost = listen.host.includes(':')
    ? `[${listen.host}]`
    : listen.host === '0.0.0.0'
      ? '127.0.0.1'
      : listen.host;
  const url = `http://${shownHost}:${port}`;
  await announceSetup(deps, app, url);
  return { url, port, close: () => app.close() };
}

/** The Fastify app, not listening: startDesk listens; tests may also use app.inject. */
export async function buildDesk(deps: DeskDeps): Promise<FastifyInstance> {
  // Accounts, sessions and the installation's keys are the first outlet's (its database holds the registry).
  const main = deps.outlets.main;
  const { config, logger } = main;
  const now = deps.now ?? Date.now;
  const ctxOf = contextOf(deps.platforms, main.platforms);
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: true,
    trustProxy: config.web.trustProxy,
  });

  await registerPlugins(app, deps);
  decorateRequests(app);
  const drafts = new KeptDrafts();

  registerSessionHooks(app, deps, ctxOf, now);
  registerErrorPages(app, ctxOf, logger);

  registerSignIn(app, deps, ctxOf, drafts, now);
  registerSetup(app, deps, ctxOf, now);

  await registerPages(app, deps, ctxOf, drafts);
  if (deps.push) {
    const push = deps.push;
    // Given one PushIngest (tests, the bench): `main`'s only.
    await registerPush(app, typeof push === 'function' ? push : (slug) => (slug === MAIN_OUTLET ? push : undefined));
  }
  // Posts' links count in their outlet's database, where the worker stored their codes: `main`'s counter at once
  // (when it counts clicks), another outlet's made on its first link, for an outlet that counts them.
  const mainCounter = config.clicks.track ? (deps.clicks ?? new ClickCounter(main)) : undefined;
  const counters = new Map<string, Promise<ClickCounter | undefined>>();
  let closed = false;
  registerClicks(app, (slug) => {
    if (slug === undefined || slug === MAIN_OUTLET) return mainCounter;
    let counter = counters.get(slug);
    if (!counter) {
      counter = deps.outlets
        .of(slug)
        .then((n) => (n?.config.clicks.track && !closed ? new ClickCounter(n) : undefined))
        .catch((err: unknown) => {
          logger.warn("an outlet's post links cannot be answered now", { outlet: slug, error: err });
          return undefined;
        });
      counters.set(slug, counter);
      // Not an outlet (a forged name, one removed) or one that failed to open: not remembered, asked again next time.
      void counter.then((c) => {
        if (!c) counters.delete(slug);
      });
    }
    return counter;
  });
  // The counts kept in memory are written before the server (and then the databases) close.
  app.addHook('onClose', async () => {
    closed = true;
    const all = await Promise.all(counters.values());
    await Promise.all([mainCounter, ...all].map((c) => c?.close()));
  });
  return app;
}

/** What every page template needs: language, editor, a fresh CSRF token bound to this session, platform names. */
/** Security headers, cookies, forms, the CSRF token bound to the session, rate limits and the static files. */
async function registerPlugins(app: FastifyInstance, deps: DeskDeps): Promise<void> {
  const main = deps.outlets.main;
  const secure = main.config.web.secureCookies;
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Behind a TLS proxy only: HSTS on plain http://127.0.0.1 would lock a browser out of the local desk.
    strictTransportSecurity: secure,
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: BODY_LIMIT });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure },
    // Tokens are bound to the session: one taken from another editor's page (or from before signing in) is refused.
    // A form posted after its session ended is checked against that session, so that only the editor's own page can
    // have its text kept (see the session-ended answer below).
    getUserInfo: (req: FastifyRequest) => req.editor?.sessionHash ?? req.staleSession ?? 'signed-out',
    // Signed with a key of the installation's (in the database), not of this process: several `nashra run` on one
    // database each serve the desk, and a form one of them rendered may be posted to another.
    csrfOpts: {
      hmacKey: createHmac('sha256', await main.data.repos.fullStory.linkKey())
        .update('nashra desk csrf')
        .digest(),
    },
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyStatic, {
    root: join(projectRoot(), 'src', 'desk', 'public'),
    prefix: '/static/',
    maxAge: 3600_000,
  });
}

/** What each request carries once the session hook has read it. */
function decorateRequests(app: FastifyInstance): void {
  app.decorateRequest('editor', undefined);
  app.decorateRequest('outlet', undefined);
  app.decorateRequest('newsroom', undefined as unknown as NewsroomDeps);
  app.decorateRequest('lang', 'ar');
  app.decorateRequest('sessionExpired', false);
  app.decorateRequest('staleSession', undefined);
}

/** The session behind each request (its outlet read again), the CSRF check, and a form posted after its session ended. */
function registerSessionHooks(app: FastifyInstance, deps: DeskDeps, ctxOf: ContextOf, now: () => number): void {
  const main = deps.outlets.main;
  app.addHook('onRequest', async (req, reply) => {
    // A post's link: no session looked up (a reader who is also an editor would cost a read and a write), no cookie.
    if (CLICKS.has(req.routeOptions.url ?? '')) return;
    req.lang = req.cookies[LANG_COOKIE] === 'en' ? 'en' : 'ar';
    const raw = req.cookies[SESSION_COOKIE];
    const lookup = raw ? await deskSession(main, raw, now()) : undefined;
    let noOutlet = false;
    if (lookup?.kind === 'active') {
      // The outlet this request works in, its membership read again now: revoked, the desk moves to another of the
      // editor's outlets; none left, the session ends here. Never the session's word alone.
      const outlet = await deskOutlet(deps.outlets, lookup.session);
      if (outlet) {
        req.editor = { ...lookup.session, outletId: outlet.membership.outletId };
        req.outlet = outlet;
        req.newsroom = outlet.newsroom;
      } else {
        await deskSignOut(main, lookup.session, now());
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        noOutlet = true;
      }
    } else if (lookup) req.sessionExpired = true;
    if (req.editor || PUBLIC.has(req.routeOptions.url ?? '')) return;
    if (req.method === 'GET' || req.method === 'HEAD') {
      return reply.redirect(noOutlet ? '/login?outlets=0' : req.sessionExpired ? '/login?expired=1' : '/login', 303);
    }
    if (lookup?.kind === 'ended' && !NO_CSRF.has(req.routeOptions.url ?? '')) {
      req.staleSession = lookup.sessionHash;
      return;
    }
    return reply
      .code(403)
      .type('text/html; charset=utf-8')
      .send(errorPage(ctxOf(req, reply), 403, t(req.lang).errors.forbidden).value);
  });

  // Every state-changing request carries the CSRF token, signed in or not (the sign-in form too).
  app.addHook('preHandler', (req, reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD' || NO_CSRF.has(req.routeOptions.url ?? '')) return done();
    app.csrfProtection(req, reply, done);
  });

  // A form from the editor's own page (its token matched the ended session) posted after the session ended: nothing
  // is done; the answer says so, signs in again on the spot, and carries what was typed back to the form (KeptDrafts).
  app.addHook('preHandler', async (req, reply) => {
    if (req.editor || !req.staleSession) return;
    if (req.routeOptions.url === '/logout') return reply.redirect('/login', 303);
    const kept = { path: formPageOf(req.url), fields: typedFields(req.body) };
    return sendHtml(reply.code(401), loginPage(ctxOf(req, reply), t(req.lang).login.sessionEnded, '', kept));
  });
}

/** Errors and unknown pages, said in the editor's language. */
function registerErrorPages(
  app: FastifyInstance,
  ctxOf: ContextOf,
  logger: DeskDeps['outlets']['main']['logger'],
): void {
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    // An editor asking for an admin's action: refused and audited by the newsroom action; said politely.
    if (err instanceof OutletAdminError)
      return reply
        .code(403)
        .type('text/html; charset=utf-8')
        .send(errorPage(ctxOf(req, reply), 403, t(req.lang).errors.adminOnly).value);
    if (err instanceof PermissionError)
      return reply
        .code(403)
        .type('text/html; charset=utf-8')
        .send(errorPage(ctxOf(req, reply), 403, t(req.lang).errors.forbidden).value);
    if (err instanceof UserError)
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(errorPage(ctxOf(req, reply), 400, refusalIn(req.lang, err)).value);
    const status = err.statusCode ?? 500;
    if (status === 429 && req.routeOptions.url === '/login') {
      return reply
        .code(429)
        .type('text/html; charset=utf-8')
        .send(loginPage(ctxOf(req, reply), t(req.lang).login.tooMany).value);
    }
    if (status >= 500)
      logger.error('desk request failed', { method: req.method, url: req.routeOptions.url, error: err });
    const w = t(req.lang).errors;
    const message =
      status === 403 ? w.forbidden : status === 404 ? w.notFound : status >= 500 ? w.generic : err.message;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(errorPage(ctxOf(req, reply), status, message).value);
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(errorPage(ctxOf(req, reply), 404, t(req.lang).errors.notFound).value),
  );
}

/** Signing in (rate-limited per address and per username) and out, the outlet switcher and the language switch. */
function registerSignIn(
  app: FastifyInstance,
  deps: DeskDeps,
  ctxOf: ContextOf,
  drafts: KeptDrafts,
  now: () => number,
): void {
  const main = deps.outlets.main;
  const secure = main.config.web.secureCookies;
  // The address limit runs as the route's own limit; the username one is checked by hand after the body is parsed
  // (the plugin runs one limit hook per request).
  const perUsername = app.createRateLimit({
    ...LOGIN_PER_USERNAME,
    // The name as the lookup reads it (the column compares without case): one key per account, however it is spelled.
    keyGenerator: (req) =>
      `user:${normalUsername((req.body as Record<string, unknown> | undefined)?.username)
        .toLowerCase()
        .slice(0, 60)}`,
  });
  const usernameLimit = async (req: FastifyRequest, reply: FastifyReply) => {
    const limit = await perUsername(req);
    if (!limit.isAllowed && limit.isExceeded) {
      reply.header('retry-after', limit.ttlInSeconds);
      throw Object.assign(new Error('too many sign-in attempts'), { statusCode: 429 });
    }
  };

  app.get('/login', async (req, reply) => {
    if (req.editor) return reply.redirect('/', 303);
    const q = req.query as Record<string, string | undefined>;
    return sendHtml(
      reply,
      loginPage(
        ctxOf(req, reply),
        q.outlets === '0' ? t(req.lang).login.noOutlet : q.expired ? t(req.lang).login.expired : undefined,
      ),
    );
  });

  app.post(
    '/login',
    {
      config: { rateLimit: { ...LOGIN_PER_ADDRESS, keyGenerator: (req: FastifyRequest) => `ip:${req.ip}` } },
      preHandler: usernameLimit,
    },
    async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      // A form whose session had ended: signing in leads back to it, with what was typed.
      const kept =
        typeof body.resume === 'string'
          ? { path: sameOriginPath(body.resume), fields: typedFields(body, 'kept_') }
          : undefined;
      const result = await deskSignIn(
        main,
        { username: body.username, password: body.password, address: req.ip },
        now(),
      );
      if (result.kind === 'refused') {
        reply.code(401);
        return sendHtml(
          reply,
          loginPage(ctxOf(req, reply), t(req.lang).login.wrong, normalUsername(body.username), kept),
        );
      }
      setSessionCookie(reply, result.opened, secure);
      if (kept) drafts.put(result.opened.session.sessionHash, kept.path, kept.fields, now());
      return reply.redirect(kept?.path ?? '/', 303);
    },
  );

  app.post('/logout', async (req, reply) => {
    await deskSignOut(main, req.editor!, now());
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  /**
   * The outlet switcher (in the layout when the editor works in several): the session shows the outlet chosen from
   * now on. Not a member there (a forged form): refused, audited, the session keeps its outlet. Back to Today, not
   * to the page it was on: that page's ids are the other outlet's.
   */
  app.post('/outlet', async (req, reply) => {
    const slug = (req.body as Record<string, unknown> | undefined)?.outlet;
    await switchDeskOutlet(deps.outlets, req.editor!, typeof slug === 'string' ? slug : '', now());
    return reply.redirect('/', 303);
  });

  app.post('/lang', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang = body.lang === 'en' ? 'en' : 'ar';
    reply.setCookie(LANG_COOKIE, lang, { path: '/', sameSite: 'strict', httpOnly: true, secure, maxAge: 365 * 86400 });
    return reply.redirect(sameOriginPath(body.back), 303);
  });
}

/** First run: one account, through a link printed on the console. */
function registerSetup(app: FastifyInstance, deps: DeskDeps, ctxOf: ContextOf, now: () => number): void {
  const main = deps.outlets.main;
  const secure = main.config.web.secureCookies;
  app.get('/setup/:token', async (req, reply) => {
    if (!(await setupAllowed(app, deps, (req.params as { token: string }).token))) return reply.callNotFound();
    return sendHtml(reply, setupPage(ctxOf(req, reply), req.url));
  });

  app.post('/setup/:token', async (req, reply) => {
    if (!(await setupAllowed(app, deps, (req.params as { token: string }).token))) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const password = typeof body.password === 'string' ? body.password : '';
    if (password !== body.password2)
      return sendHtml(reply.code(400), setupPage(ctxOf(req, reply), req.url, t(req.lang).setup.differ));
    let opened: OpenedSession | undefined;
    try {
      // The newsroom creates it only while no account exists: two tabs racing on the same link create one account.
      opened = await addFirstDeskEditor(main, typeof body.username === 'string' ? body.username : '', password, now());
    } catch (err) {
      if (err instanceof UserError)
        return sendHtml(reply.code(400), setupPage(ctxOf(req, reply), req.url, refusalIn(req.lang, err)));
      throw err;
    }
    if (!opened) return reply.callNotFound();
    setupTokens.delete(app);
    setSessionCookie(reply, opened, secure);
    return reply.redirect('/', 303);
  });
}

function setSessionCookie(reply: FastifyReply, opened: OpenedSession, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, opened.token, { path: '/', httpOnly: true, sameSite: 'strict', secure });
}

function contextOf(platforms: readonly DeskPlatform[], known: NewsroomDeps['platforms']): ContextOf {
  return (req, reply) => ({
    lang: req.lang,
    editor: req.editor?.username,
    path: req.url.slice(0, 500),
    outlet: req.outlet && {
      slug: req.outlet.membership.slug,
      role: req.outlet.membership.role,
      all: req.outlet.memberships.map((m) => m.slug),
    },
    // A platform the desk does not show (the demo's console) still has its label in a report.
    platformLabel: (name) =>
      (platforms.find((p) => p.name === name) ?? known.find((p) => p.name === name))?.label?.[req.lang] ?? name,
    platformRefusal: platformRefusal(known),
    csrf: reply.generateCsrf({ userInfo: req.editor?.sessionHash ?? 'signed-out' } as Parameters<
      FastifyReply['generateCsrf']
    >[0]),
  });
}

export function sendHtml(reply: FastifyReply, body: Html): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body.value);
}

function errorPage(ctx: PageContext, status: number, message: string): Html {
  return page(
    ctx,
    String(status),
    undefined,
    html`<p class="notice error" role="alert">${message}</p><p><a href="/">${t(ctx.lang).nav.today}</a></p>`,
  );
}

function loginPage(
  ctx: PageContext,
  message?: string,
  username = '',
  kept?: { path: string; fields: KeptFields },
): Html {
  const w = t(ctx.lang).login;
  // Shown to copy: the text fields, under the names their forms give them (choices such as the audience are not shown).
  const all = t(ctx.lang);
  const labels: Record<string, string> = {
    title: all.article.titleField,
    summary: all.article.summaryField,
    hashtags: all.article.hashtagsField,
    text: all.urgent.text,
    url: all.sources.url,
    name: all.sources.name,
    topics: all.settings.filter,
    header: all.settings.header,
    footer: all.settings.footer,
  };
  const typed = kept
    ? Object.entries(kept.fields).filter(
        ([name, value]) => value.trim() !== '' && (labels[name] || /^source_\d+$/.test(name)),
      )
    : [];
  return page(
    ctx,
    w.title,
    undefined,
    html`
<form method="post" action="/login" class="card narrow" id="login">
  ${message ? html`<p class="notice error" role="alert">${message}</p>` : ''}
  ${csrfField(ctx)}
  ${kept ? html`<input type="hidden" name="resume" value="${kept.path}">${Object.entries(kept.fields).map(([name, value]) => html`<input type="hidden" name="kept_${name}" value="${value}">`)}` : ''}
  <label>${w.username}<input name="username" autocomplete="username" required maxlength="60" value="${username}" autofocus></label>
  <label>${w.password}<input name="password" type="password" autocomplete="current-password" required maxlength="200"></label>
  <button type="submit" class="primary">${w.submit}</button>
</form>
${
  typed.length
    ? html`<section class="card narrow" id="kept" aria-labelledby="kept-h"><h2 id="kept-h">${w.kept}</h2>
  ${typed.map(([name, value]) => html`<label>${labels[name] ?? all.settings.source}<textarea readonly rows="${Math.min(8, value.split('\n').length + 1)}" dir="auto">${value}</textarea></label>`)}
</section>`
    : ''
}`,
  );
}

function setupPage(ctx: PageContext, action: string, message?: string): Html {
  const w = t(ctx.lang);
  return page(
    ctx,
    w.setup.title,
    undefined,
    html`
<form method="post" action="${action}" class="card narrow">
  <p>${w.setup.intro}</p>
  ${message ? html`<p class="notice error" role="alert">${message}</p>` : ''}
  ${csrfField(ctx)}
  <label>${w.login.username}<input name="username" autocomplete="username" required maxlength="40"></label>
  <label>${w.login.password}<input name="password" type="password" autocomplete="new-password" required minlength="10" maxlength="200"></label>
  <label>${w.setup.again}<input name="password2" type="password" autocomplete="new-password" required minlength="10" maxlength="200"></label>
  <button type="submit" class="primary">${w.setup.submit}</button>
</form>`,
  );
}

/** The one-time setup token of each running desk, while no editor account exists. */
const setupTokens = new WeakMap<FastifyInstance, string>();

async function setupAllowed(app: FastifyInstance, deps: DeskDeps, token: string): Promise<boolean> {
  const expected = setupTokens.get(app);
  if (!expected || (await hasDeskEditors(deps.outlets.main))) return false;
  const a = Buffer.from(token);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function announceSetup(deps: DeskDeps, app: FastifyInstance, url: string): Promise<void> {
  if (await hasDeskEditors(deps.outlets.main)) return;
  const token = randomBytes(24).toString('base64url');
  setupTokens.set(app, token);
  deps.announceSetup(`${url}/setup/${token}`);
}
