/**
 * The desk over HTTP with several outlets (issue 24 §4): an editor sees and acts on the outlets they are a member of,
 * one at a time, and never on another's rows (its ids answer 404, its rows read back unchanged); the switcher takes
 * only a member's outlet and a CSRF token; a revoked membership stops at the next request; an editor (not an admin)
 * is refused the outlet's management. On SQLite (a file per outlet) and PostgreSQL (a schema per outlet).
 */
import type { FastifyInstance } from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../src/app/platforms.js';
import { deskPlatforms } from '../../src/app/desk.js';
import { outletFile, outletSchema } from '../../src/app/outlets.js';
import { createLogger } from '../../src/logger.js';
import {
  addDeskEditor,
  addOutlet,
  articleById,
  auditEntries,
  broadcastById,
  CLI_OPERATOR,
  ingestArticle,
  outletNewsrooms,
  previewBroadcast,
  previewCorrection,
  removeDeskMembership,
  revisionById,
  setDeskMembership,
  sourceById,
  subscribe,
  subscriptionById,
  subscriptionSettings,
  type NewsroomDeps,
} from '../../src/newsroom/index.js';
import type { DataPorts } from '../../src/ports/index.js';
import { openStore } from '../../src/store/index.js';
import { openPostgres } from '../../src/store/postgres/database.js';
import type { DeskRole } from '../../src/model/outlet.js';
import { bridgeArticle } from '../helpers/articles.js';
import { buildDesk, csrfOf, get, jar, PASSWORD, post, signIn, type Jar } from '../helpers/desk.js';
import { adapters, freshPostgresDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

const TOKEN = '123456789:AAHdeskTokenForNashraTests_abcdefXYZ';

interface World {
  app: FastifyInstance;
  main: NewsroomDeps;
  a: NewsroomDeps;
  b: NewsroomDeps;
  /** b's ids that a has none of (b holds more of each). */
  bIds: {
    article: number;
    source: number;
    chat: number;
    broadcast: number;
    broadcastToken: string;
    correction: number;
  };
}

/**
 * `main`, `aa` and `bb` (a and b below), each a database of its own (a file; a schema), with articles, sources, chats, a broadcast and a
 * correction draft; b holds more of each, so its ids beyond a's are ids a does not have. Every account is made as
 * `nashra editors add`/`grant` makes it.
 */
async function world(
  adapter: 'sqlite' | 'postgres',
  accounts: Array<[string, Array<[string, DeskRole]>]>,
): Promise<World> {
  const { dir, cleanup } = tempDir('nashra-outlets-desk-');
  onTestFinished(cleanup);
  const config = loadAppConfig({ DATABASE_PATH: `${dir}/n.db`, TELEGRAM_BOT_TOKEN: TOKEN });
  const logger = createLogger({ level: 'error', write: () => {} });
  const url = adapter === 'postgres' ? await freshPostgresDatabase() : '';
  const open = async (slug: string): Promise<DataPorts> => {
    if (adapter === 'sqlite') {
      const store = openStore(outletFile(config.databasePath, slug));
      onTestFinished(() => store.close());
      return store.ports();
    }
    const ports = await openPostgres(url, { schema: outletSchema(slug), max: 4 });
    onTestFinished(() => ports.close());
    return ports;
  };
  const main = newsroomDeps(BUILT_IN_PLATFORMS, config, await open('main'), logger);
  for (const slug of ['aa', 'bb'])
    await addOutlet(main, CLI_OPERATOR, { slug, name: slug.toUpperCase(), envPrefix: `${slug.toUpperCase()}_` });
  const a = newsroomDeps(BUILT_IN_PLATFORMS, config, await open('aa'), logger);
  const b = newsroomDeps(BUILT_IN_PLATFORMS, config, await open('bb'), logger);
  for (const [name, memberships] of accounts) {
    const [[first, role], ...rest] = memberships as [[string, DeskRole], ...Array<[string, DeskRole]>];
    await addDeskEditor(main, CLI_OPERATOR, name, PASSWORD, { outlet: first, role });
    for (const [slug, r] of rest) await setDeskMembership(main, CLI_OPERATOR, name, slug, r);
  }

  const seed = async (deps: NewsroomDeps, word: string, n: number) => {
    const ids = { article: 0, source: 0, chat: 0 };
    for (let i = 1; i <= n; i++) {
      const r = await ingestArticle(
        deps,
        CLI_OPERATOR,
        bridgeArticle(i, {
          url: `https://${word}.example/news/${i}`,
          title: `${word} افتتاح الجسر رقم ${i} في مدينة حمص`,
          paragraphs: [
            `أعلنت السلطات ${word} افتتاح الجسر رقم ${i} بعد أشهر من العمل المتواصل في المدينة.`,
            `وقال مسؤولون إن الجسر رقم ${i} سيخدم آلاف السكان.`,
          ],
        }),
      );
      if (r.status !== 'new') throw new Error('seed article not new');
      ids.article = r.article.id;
      ids.source = (
        await deps.data.repos.sources.add(
          { url: `https://${word}.example/feed${i}.xml`, kind: 'rss', name: `${word} source ${i}` },
          Date.now(),
        )
      ).id;
      const sub = await subscribe(deps, CLI_OPERATOR, {
        platform: 'telegram',
        chatId: `${word === 'alphaword' ? 12345 : 98765}${i}`,
        kind: 'private',
      });
      if (sub.kind !== 'subscribed') throw new Error(`seed chat: ${sub.kind}`);
      ids.chat = sub.subscription.id;
    }
    return ids;
  };
  await seed(a, 'alphaword', 1);
  const bSeed = await seed(b, 'bravoword', 3);
  const broadcast = await previewBroadcast(b, CLI_OPERATOR, String(bSeed.article), { audience: { kind: 'all' } });
  const correction = await previewCorrection(b, CLI_OPERATOR, String(bSeed.article), {
    title: 'bravoword corrected title',
  });

  const outlets = outletNewsrooms(main, async (slug) => ({ aa: a, bb: b })[slug as 'aa' | 'bb']);
  const app = await buildDesk({
    outlets,
    platforms: deskPlatforms(BUILT_IN_PLATFORMS, config, false),
    announceSetup: () => {},
  });
  onTestFinished(() => app.close());
  return {
    app,
    main,
    a,
    b,
    bIds: {
      ...bSeed,
      broadcast: broadcast.broadcast.id,
      broadcastToken: broadcast.broadcast.token,
      correction: correction.draft.id,
    },
  };
}

/** Everything of b's the requests could touch, read back through b's own newsroom. */
async function snapshot(w: World): Promise<string> {
  const { b } = w;
  const rows: unknown[] = [];
  for (let id = 1; id <= 3; id++) {
    rows.push(await articleById(b, id), await sourceById(b, id), await subscriptionById(b, id));
    if (await subscriptionById(b, id)) rows.push(await subscriptionSettings(b, id));
  }
  rows.push(
    await broadcastById(b, w.bIds.broadcast),
    await revisionById(b, w.bIds.correction),
    await auditEntries(b, { limit: 500 }),
  );
  return JSON.stringify(rows);
}

async function signedIn(app: FastifyInstance, username: string): Promise<{ j: Jar; csrf: string }> {
  const j = jar();
  expect((await signIn(app, j, PASSWORD, username)).statusCode).toBe(303);
  const today = await get(app, j, '/');
  expect(today.statusCode).toBe(200);
  return { j, csrf: csrfOf(today.body) };
}

describe.each(adapters())('the desk with several outlets ($name)', ({ name }) => {
  it("an editor of a asking for b's ids gets 404 on every page and action, and b's rows read back unchanged", async () => {
    const w = await world(name, [['alia', [['aa', 'admin']]]]);
    const { app, bIds } = w;
    const { j, csrf } = await signedIn(app, 'alia');
    const before = await snapshot(w);

    const gets = [
      `/articles/${bIds.article}`,
      `/articles/${bIds.article}/preview?title=x`,
      `/articles/${bIds.article}/retract`,
      `/broadcasts/${bIds.broadcast}`,
      `/broadcasts/${bIds.broadcast}/events`,
      `/corrections/${bIds.correction}`,
      `/subscriptions/${bIds.chat}/settings`,
    ];
    for (const url of gets) expect([url, (await get(app, j, url)).statusCode]).toEqual([url, 404]);
    const posts: Array<[string, Record<string, string>]> = [
      [`/articles/${bIds.article}/edit`, { title: 'hijacked', summary: 'hijacked', hashtags: '' }],
      [`/articles/${bIds.article}/broadcast`, { audience: 'all' }],
      [`/articles/${bIds.article}/correct`, { title: 'hijacked' }],
      [`/articles/${bIds.article}/retract`, {}],
      [`/articles/${bIds.article}/resend`, {}],
      [`/broadcasts/${bIds.broadcast}/confirm`, { token: bIds.broadcastToken }],
      [`/broadcasts/${bIds.broadcast}/stop`, { token: bIds.broadcastToken }],
      [`/broadcasts/${bIds.broadcast}/cancel`, { token: bIds.broadcastToken }],
      [`/broadcasts/${bIds.broadcast}/schedule`, { token: bIds.broadcastToken, at: '2099-01-01T10:00' }],
      [`/corrections/${bIds.correction}/confirm`, { token: 'x' }],
      [`/corrections/${bIds.correction}/cancel`, { token: 'x' }],
      [`/sources/${bIds.source}/pause`, {}],
      [`/sources/${bIds.source}/remove`, {}],
      [`/sources/${bIds.source}/poll`, {}],
      [`/subscriptions/${bIds.chat}/deactivate`, {}],
      [`/subscriptions/${bIds.chat}/settings`, { topics: 'hijacked', header_mode: 'text', header: 'hijacked' }],
    ];
    for (const [url, form] of posts)
      expect([url, (await post(app, j, url, { _csrf: csrf, ...form })).statusCode]).toEqual([url, 404]);
    // A scheduled send is named by id and token alone: b's, asked in a, is not found there (a note), nothing moves.
    expect(
      (await post(app, j, `/scheduled/${bIds.broadcast}/cancel`, { _csrf: csrf, token: bIds.broadcastToken }))
        .statusCode,
    ).toBe(303);

    // The lists, search, reach and its CSV show a's rows and never b's.
    for (const url of [
      '/',
      '/?q=bravoword',
      '/sources',
      '/subscriptions',
      '/reach',
      '/reach.csv',
      '/activity',
      '/stats',
      '/queue',
      '/scheduled',
    ]) {
      const res = await get(app, j, url);
      expect([url, res.statusCode]).toEqual([url, 200]);
      expect([url, /bravoword (افتتاح|source)|98765[123]/.test(res.body)]).toEqual([url, false]);
    }
    expect((await get(app, j, '/?q=alphaword')).body).toContain('alphaword افتتاح الجسر');
    // An admin is offered the outlet's management.
    expect((await get(app, j, '/sources')).body).toContain('id="add-source"');
    expect((await get(app, j, '/subscriptions')).body).toContain('/deactivate"');
    expect((await get(app, j, '/subscriptions/1/settings')).body).toContain('>حفظ</button>');
    // An id both outlets have is a's own row in a.
    const shared = await get(app, j, '/articles/1');
    expect(shared.body).toContain('alphaword');
    expect(shared.body).not.toContain('bravoword');

    expect(await snapshot(w)).toBe(before);
  });

  it("switches outlets only with a CSRF token and only to a member's outlet; a revoked membership stops at the next request", async () => {
    const w = await world(name, [
      [
        'both',
        [
          ['aa', 'admin'],
          ['bb', 'editor'],
        ],
      ],
    ]);
    const { app, bIds } = w;
    const { j, csrf } = await signedIn(app, 'both');
    // A new session shows its editor's first outlet (not a member of main).
    let today = await get(app, j, '/');
    expect(today.body).toContain('alphaword');
    expect(today.body).toMatch(/<form method="post" action="\/outlet"[^>]*id="outlet-switch">/);
    expect(today.body).toContain('<option value="bb">bb</option>');

    // No token, or another session's: refused, the session stays in a.
    expect((await post(app, j, '/outlet', { outlet: 'bb' })).statusCode).toBe(403);
    const other = await signedIn(app, 'both');
    expect((await post(app, j, '/outlet', { outlet: 'bb', _csrf: other.csrf })).statusCode).toBe(403);
    expect((await get(app, j, `/articles/${bIds.article}`)).statusCode).toBe(404);

    const switched = await post(app, j, '/outlet', { outlet: 'bb', _csrf: csrf });
    expect(switched.statusCode).toBe(303);
    expect(switched.headers.location).toBe('/');
    today = await get(app, j, '/');
    expect(today.body).toContain('bravoword');
    expect(today.body).not.toContain('alphaword');
    expect((await get(app, j, `/articles/${bIds.article}`)).statusCode).toBe(200);
    // The other session kept its own outlet.
    expect((await get(app, other.j, '/')).body).toContain('alphaword');

    // A forged switch to an outlet the editor is not a member of: 403, audited in main, still in b.
    const forged = await post(app, j, '/outlet', { outlet: 'main', _csrf: csrf });
    expect(forged.statusCode).toBe(403);
    expect((await auditEntries(w.main, { action: 'refused', limit: 10 })).map((e) => e.detail)).toEqual([
      { action: 'outlet.switch', outlet: 'main' },
    ]);
    expect((await get(app, j, '/')).body).toContain('bravoword');
    // Hostile values: another spelling, a path, an oversized name, NUL, a repeated field. Each refused, still in b.
    for (const outlet of ['AA', ' aa', 'aa/../main', 'x'.repeat(20_000), 'a\u0000a']) {
      expect((await post(app, j, '/outlet', { outlet, _csrf: csrf })).statusCode).toBe(403);
    }
    const repeated = await app.inject({
      method: 'POST',
      url: '/outlet',
      payload: `outlet=aa&outlet=bb&_csrf=${encodeURIComponent(csrf)}`,
      headers: {
        cookie: [...j.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
    expect(repeated.statusCode).toBe(403);
    expect(
      (await auditEntries(w.main, { action: 'refused', limit: 10 })).every((e) => String(e.detail.outlet).length <= 40),
    ).toBe(true);
    expect((await get(app, j, '/')).body).toContain('bravoword');

    // Revoked in b (from the shell): the next request is served in a, never in b.
    await removeDeskMembership(w.main, CLI_OPERATOR, 'both', 'bb');
    expect((await get(app, j, `/articles/${bIds.article}`)).statusCode).toBe(404);
    today = await get(app, j, '/');
    expect(today.body).toContain('alphaword');
    expect(today.body).not.toContain('id="outlet-switch"');
    expect((await post(app, j, '/outlet', { outlet: 'bb', _csrf: csrf })).statusCode).toBe(403);

    // Revoked in a too: no outlet left, signed out at the next request.
    await removeDeskMembership(w.main, CLI_OPERATOR, 'both', 'aa');
    const gone = await get(app, j, '/');
    expect(gone.statusCode).toBe(303);
    expect(gone.headers.location).toBe('/login?outlets=0');
    expect(j.cookies.has('nashra_session')).toBe(false);
    expect((await get(app, j, '/login?outlets=0')).body).toContain('لم يعد حسابك عضواً في أي مؤسسة');
    const late = await post(app, other.j, `/articles/1/edit`, {
      _csrf: other.csrf,
      title: 'late',
      summary: 'late',
      hashtags: '',
    });
    expect(late.statusCode).toBe(403);
    expect((await articleById(w.a, 1))!.title).toContain('alphaword');
  });

  it("an editor-role account works on items but is refused the outlet's management: 403, audited, nothing changed", async () => {
    const w = await world(name, [['edna', [['aa', 'editor']]]]);
    const { app, a } = w;
    const { j, csrf } = await signedIn(app, 'edna');
    expect((await get(app, j, '/')).body).toContain('(محرر)');
    // The pages do not offer what would be refused: no add form, pause, remove, deactivate or save; polling stays.
    const sources = (await get(app, j, '/sources')).body;
    expect(sources).not.toContain('id="add-source"');
    expect(sources).not.toMatch(/action="\/sources\/1\/(pause|remove)"/);
    expect(sources).toContain('action="/sources/1/poll"');
    expect(sources).toContain('لمديري المؤسسة');
    expect((await get(app, j, '/subscriptions')).body).not.toContain('/deactivate"');
    const settings = (await get(app, j, '/subscriptions/1/settings')).body;
    expect(settings).toContain('لمديري المؤسسة');
    expect(settings).not.toContain('>حفظ</button>');
    const before = JSON.stringify([
      await sourceById(a, 1),
      await sourceById(a, 2),
      await subscriptionById(a, 1),
      await subscriptionSettings(a, 1),
    ]);
    const refusals: Array<[string, Record<string, string>, string]> = [
      ['/sources', { url: 'https://example.org/feed.xml', name: 'new' }, 'source.add'],
      ['/sources/1/pause', {}, 'source.pause'],
      ['/sources/1/remove', {}, 'source.remove'],
      ['/subscriptions/1/settings', { topics: 'رياضة', header_mode: 'text', header: 'x' }, 'settings'],
      ['/subscriptions/1/deactivate', {}, 'unsubscribe'],
    ];
    for (const [url, form, action] of refusals) {
      const res = await post(app, j, url, { _csrf: csrf, ...form });
      expect([url, res.statusCode]).toEqual([url, 403]);
      expect(res.body).toContain('إدارة المؤسسة');
      expect((await auditEntries(a, { action: 'refused', limit: 1 }))[0]).toMatchObject({
        actor: 'edna',
        detail: { action },
      });
    }
    expect(
      JSON.stringify([
        await sourceById(a, 1),
        await sourceById(a, 2),
        await subscriptionById(a, 1),
        await subscriptionSettings(a, 1),
      ]),
    ).toBe(before);
    expect(await auditEntries(a, { action: 'refused', limit: 10 })).toHaveLength(refusals.length);

    // Items are an editor's work: fix a summary, preview a broadcast, poll a source.
    expect(
      (
        await post(app, j, '/articles/1/edit', {
          _csrf: csrf,
          title: 'alphaword عنوان المحرر',
          summary: 'جملة أولى.',
          hashtags: '',
        })
      ).statusCode,
    ).toBe(303);
    expect((await articleById(a, 1))!.title).toBe('alphaword عنوان المحرر');
    const broadcast = await post(app, j, '/articles/1/broadcast', { _csrf: csrf, audience: 'all' });
    expect(broadcast.statusCode).toBe(303);
    expect(broadcast.headers.location).toMatch(/^\/broadcasts\/\d+$/);
    expect((await post(app, j, '/sources/1/poll', { _csrf: csrf })).statusCode).toBe(303);
  });
});
