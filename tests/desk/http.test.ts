/** The desk over HTTP (Fastify's inject): signing in, sessions, CSRF, and everything hostile. */
import { describe, expect, it } from 'vitest';
import { startFeedServer } from '../helpers/feed-server.js';
import {
  addDeskAccount,
  buildDesk,
  csrfOf,
  deskPerTest,
  EDITOR,
  get,
  jar,
  PASSWORD,
  post,
  signIn,
} from '../helpers/desk.js';
import type { AuditAction } from '../../src/model/audit.js';
import { jobsOf, queuePosts } from '../helpers/raw-db.js';

const setup = deskPerTest();

/** The hidden fields of a page's sign-in form, as a browser would post them back. */
function hiddenFields(body: string): Record<string, string> {
  const unescapeHtml = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&#96;/g, '`')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const form = /<form method="post" action="\/login"[\s\S]*?<\/form>/.exec(body)?.[0] ?? '';
  return Object.fromEntries(
    [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      m[1]!,
      unescapeHtml(m[2]!),
    ]),
  );
}

describe('signing in', () => {
  it('redirects a visitor without a session to /login, and signs an editor in and out', async () => {
    const { app, f } = await setup();
    const j = jar();
    const first = await get(app, j, '/');
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/login');
    const login = await signIn(app, j);
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/nashra_session=[^;]+;.*HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    const today = await get(app, j, '/');
    expect(today.statusCode).toBe(200);
    expect(today.body).toContain('<html lang="ar" dir="rtl">');
    expect(today.body).toContain(f.article.title);
    const out = await post(app, j, '/logout', { _csrf: csrfOf(today.body) });
    expect(out.statusCode).toBe(303);
    expect((await get(app, j, '/')).headers.location).toBe('/login');
    expect((await f.data.repos.reads.audit({ limit: 5 })).map((e) => e.action)).toEqual(
      expect.arrayContaining(['session.login', 'session.logout']),
    );
  });
});

describe('hostile requests', () => {
  it('refuses a state-changing request without a session with 403, and changes nothing', async () => {
    const { app, f } = await setup();
    const j = jar();
    const login = await get(app, j, '/login');
    const before = (await f.data.repos.articles.get(f.article.id))!;
    const res = await post(app, j, `/articles/${f.article.id}/edit`, {
      _csrf: csrfOf(login.body),
      title: 'hijacked',
      summary: 'x',
      hashtags: '',
    });
    expect(res.statusCode).toBe(403);
    expect((await f.data.repos.articles.get(f.article.id))!.title).toBe(before.title);
  });

  it('an expired session sends the editor back to sign in, and its POSTs are refused', async () => {
    let clock = Date.now();
    const { app, f } = await setup({ NASHRA_WEB_SESSION_IDLE_HOURS: '1' });
    await app.close();
    const timed = await buildDesk({ ...f.deps, now: () => clock });
    const j = jar();
    await signIn(timed, j);
    const today = await get(timed, j, '/');
    expect(today.statusCode).toBe(200);
    clock += 3600_000 + 1;
    const later = await get(timed, j, '/');
    expect(later.statusCode).toBe(303);
    expect(later.headers.location).toBe('/login?expired=1');
    const late = await post(timed, j, `/articles/${f.article.id}/edit`, { _csrf: csrfOf(today.body), title: 'late' });
    expect(late.statusCode).toBe(401);
    expect(late.body).toContain('انتهت جلستك');
    expect((await f.data.repos.articles.get(f.article.id))!.edit).toBeUndefined();
    await timed.close();
  });

  it('refuses a missing or wrong CSRF token, and one from another session', async () => {
    const { app, f } = await setup();
    const j = jar();
    await signIn(app, j);
    const page = await get(app, j, `/articles/${f.article.id}`);
    const token = csrfOf(page.body);
    const form = { title: 'changed', summary: 'one', hashtags: '' };
    expect((await post(app, j, `/articles/${f.article.id}/edit`, form)).statusCode).toBe(403);
    expect(
      (await post(app, j, `/articles/${f.article.id}/edit`, { ...form, _csrf: token.slice(0, -2) + 'xx' })).statusCode,
    ).toBe(403);
    // A token made for a signed-out visitor (the sign-in page) is not valid for a signed-in editor.
    const other = jar();
    const anonymous = csrfOf((await get(app, other, '/login')).body);
    other.cookies.set('nashra_session', j.cookies.get('nashra_session')!);
    expect((await post(app, other, `/articles/${f.article.id}/edit`, { ...form, _csrf: anonymous })).statusCode).toBe(
      403,
    );
    expect((await f.data.repos.articles.get(f.article.id))!.edit).toBeUndefined();
    const ok = await post(app, j, `/articles/${f.article.id}/edit`, { ...form, _csrf: token });
    expect(ok.statusCode).toBe(303);
    expect((await f.data.repos.articles.get(f.article.id))!.title).toBe('changed');
  });

  it('a removed editor is signed out at once (not an editor any more): pages redirect, actions are refused', async () => {
    const { app, f } = await setup();
    const j = jar();
    await signIn(app, j);
    const page = await get(app, j, `/articles/${f.article.id}`);
    await f.data.repos.deskAccounts.remove(EDITOR);
    expect((await get(app, j, '/')).statusCode).toBe(303);
    expect(
      (await post(app, j, `/articles/${f.article.id}/edit`, { _csrf: csrfOf(page.body), title: 'x' })).statusCode,
    ).toBe(401);
    expect((await f.data.repos.articles.get(f.article.id))!.edit).toBeUndefined();
    // Signing in again as the removed editor is refused like any unknown name.
    expect((await signIn(app, jar())).statusCode).toBe(401);
  });

  it('an edit saved after the session ended (password changed) says so, signs in again, and puts the typed text back in the form', async () => {
    const { app, f } = await setup();
    const j = jar();
    await signIn(app, j);
    const page = await get(app, j, `/articles/${f.article.id}`);
    const before = (await f.data.repos.articles.get(f.article.id))!;
    // Meanwhile, `nashra editors passwd`: every session of the editor ends.
    const { hashPassword } = await import('../../src/newsroom/password.js');
    const editor = (await f.data.repos.deskAccounts.find(EDITOR))!;
    await f.data.repos.deskAccounts.setPassword(EDITOR, await hashPassword('a new password 42'), Date.now());
    await f.data.repos.sessions.removeAllFor(editor.id);
    const typed = {
      title: 'عنوان كتبه المحرر "بعناية" <b>',
      summary: 'جملة أولى كتبها المحرر.\nجملة ثانية & أخيرة.',
      hashtags: '#حمص #درعا',
    };
    const late = await post(app, j, `/articles/${f.article.id}/edit`, { _csrf: csrfOf(page.body), ...typed });
    expect(late.statusCode).toBe(401);
    expect(late.body).toContain('انتهت جلستك');
    expect(late.body).toContain('action="/login"');
    expect(late.body).toContain('id="kept"'); // shown to copy, escaped
    expect(late.body).toContain('عنوان كتبه المحرر &quot;بعناية&quot; &lt;b&gt;');
    expect(late.body).not.toContain('<b>');
    expect((await f.data.repos.articles.get(f.article.id))!.title).toBe(before.title);
    // The sign-in form carries the text: a wrong password keeps carrying it, the right one leads back to the article.
    const form = hiddenFields(late.body);
    expect(form.resume).toBe(`/articles/${f.article.id}`);
    // A forged way back is only ever a path on the desk.
    for (const resume of ['//evil.example', '/\t/evil.example', 'https://evil.example/']) {
      const other = jar();
      const elsewhere = await post(app, other, '/login', {
        _csrf: csrfOf((await get(app, other, '/login')).body),
        resume,
        username: EDITOR,
        password: 'a new password 42',
      });
      expect(elsewhere.statusCode, resume).toBe(303);
      expect(elsewhere.headers.location, resume).toBe('/');
    }
    const wrong = await post(app, j, '/login', { ...form, username: EDITOR, password: PASSWORD });
    expect(wrong.statusCode).toBe(401);
    expect(hiddenFields(wrong.body).kept_summary).toBe(typed.summary);
    const back = await post(app, j, '/login', {
      ...hiddenFields(wrong.body),
      username: EDITOR,
      password: 'a new password 42',
    });
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toBe(`/articles/${f.article.id}`);
    const restored = await get(app, j, `/articles/${f.article.id}`);
    expect(restored.body).toContain('id="restored"');
    expect(restored.body).toContain(`value="${'عنوان كتبه المحرر &quot;بعناية&quot; &lt;b&gt;'}"`);
    expect(restored.body).toContain('جملة أولى كتبها المحرر.\nجملة ثانية &amp; أخيرة.</textarea>');
    expect(restored.body).toContain('value="#حمص #درعا"');
    expect((await f.data.repos.articles.get(f.article.id))!.title).toBe(before.title); // nothing applied without the editor
    const saved = await post(app, j, `/articles/${f.article.id}/edit`, { _csrf: csrfOf(restored.body), ...typed });
    expect(saved.statusCode).toBe(303);
    expect((await f.data.repos.articles.get(f.article.id))!.title).toBe(typed.title);
    expect((await f.data.repos.articles.get(f.article.id))!.summary).toEqual([
      'جملة أولى كتبها المحرر.',
      'جملة ثانية & أخيرة.',
    ]);
    // Once: the page opened again shows what is stored, without the notice.
    expect((await get(app, j, `/articles/${f.article.id}`)).body).not.toContain('id="restored"');
  });

  it("keeps nothing from a post whose token is not the ended session's own: forged, missing, or from another page", async () => {
    const { app, f } = await setup();
    const j = jar();
    await signIn(app, j);
    const page = await get(app, j, '/urgent');
    await f.data.repos.sessions.removeAllFor((await f.data.repos.deskAccounts.find(EDITOR))!.id);
    const anonymous = csrfOf((await get(app, jar(), '/login')).body);
    for (const token of [undefined, 'forged', anonymous, csrfOf(page.body).slice(0, -3) + 'abc']) {
      const res = await post(app, j, '/urgent', { ...(token === undefined ? {} : { _csrf: token }), text: 'نص مزروع' });
      expect(res.statusCode, String(token)).toBe(403);
      expect(res.body).not.toContain('نص مزروع');
    }
    // No session cookie at all (a cross-site post: SameSite=Strict keeps the cookie home): refused, nothing echoed.
    const stranger = await post(app, jar(), '/urgent', { _csrf: anonymous, text: 'نص مزروع' });
    expect(stranger.statusCode).toBe(403);
    expect(stranger.body).not.toContain('نص مزروع');
    // The editor's own page: kept, and back in the urgent form after signing in.
    const own = await post(app, j, '/urgent', { _csrf: csrfOf(page.body), text: 'عاجل: نص كتبه المحرر' });
    expect(own.statusCode).toBe(401);
    const back = await post(app, j, '/login', { ...hiddenFields(own.body), username: EDITOR, password: PASSWORD });
    expect(back.headers.location).toBe('/urgent');
    const urgent = await get(app, j, '/urgent');
    expect(urgent.body).toContain('عاجل: نص كتبه المحرر</textarea>');
    expect(await f.data.repos.broadcasts.get(1)).toBeUndefined();
  });

  it('forged and malformed article ids are 404s', async () => {
    const { app } = await setup();
    const j = jar();
    await signIn(app, j);
    const hostile = [
      '999999',
      '0',
      '-1',
      '1e3',
      '1.5',
      'abc',
      '0x10',
      '%D9%A1',
      '1%20OR%201=1',
      '99999999999999999999',
    ];
    for (const id of hostile) {
      expect((await get(app, j, `/articles/${id}`)).statusCode, id).toBe(404);
      expect((await get(app, j, `/broadcasts/${id}`)).statusCode, id).toBe(404);
    }
  });

  it('escapes HTML and script in every field on every page, including the live preview', async () => {
    const { app, f } = await setup();
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'`';
    const source = await f.data.repos.sources.add(
      { url: 'https://evil.example/feed', kind: 'rss', name: evil },
      Date.now(),
    );
    await f.data.repos.sources.recordFetch(source.id, { status: evil, error: evil, nextFetchAt: 0 }, Date.now());
    const { storeArticleIn } = await import('../helpers/articles.js');
    const stored = await storeArticleIn(
      f.data,
      {
        url: 'https://evil.example/a?x="><script>alert(3)</script>',
        title: `عنوان ${evil}`,
        source: evil,
        paragraphs: [`فقرة أولى ${evil} طويلة بما يكفي لتكون جملة.`, `فقرة ثانية ${evil}.`],
        categories: [evil],
        language: 'ar',
      },
      { sourceId: source.id },
    );
    if (stored.status !== 'new') throw new Error('not stored');
    const sub = await f.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1001', kind: 'channel', title: evil, topics: [evil] },
      Date.now(),
    );
    await f.data.repos.subscriptions.deactivate(sub.id, evil, Date.now());
    await f.data.repos.audit.record('desk', evil, evil as AuditAction, { evil }, Date.now());
    const j = jar();
    await signIn(app, j);
    const edit = await get(app, j, `/articles/${stored.article.id}`);
    await post(app, j, `/articles/${f.article.id}/edit`, {
      _csrf: csrfOf(edit.body),
      title: evil,
      summary: `${evil}\n${evil}`,
      hashtags: evil,
    });
    const q = new URLSearchParams({ title: evil, summary: evil, hashtags: evil });
    const pages = [
      '/',
      `/?q=${encodeURIComponent(evil)}`,
      `/articles/${stored.article.id}`,
      `/articles/${f.article.id}`,
      `/articles/${f.article.id}/preview?${q}`,
      '/sources',
      '/subscriptions',
      '/queue',
      '/activity',
      '/stats',
      '/urgent',
    ];
    for (const url of pages) {
      const res = await get(app, j, url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toMatch(/<script>alert|<img src=x|onerror=alert\(2\)>|javascript:/i);
    }
    const article = await get(app, j, `/articles/${f.article.id}`);
    expect(article.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('answers an oversized form with 413 and changes nothing', async () => {
    const { app, f } = await setup();
    const j = jar();
    await signIn(app, j);
    const page = await get(app, j, `/articles/${f.article.id}`);
    const res = await post(app, j, `/articles/${f.article.id}/edit`, {
      _csrf: csrfOf(page.body),
      title: 'x',
      summary: 'ب'.repeat(200_000),
    });
    expect(res.statusCode).toBe(413);
    expect((await f.data.repos.articles.get(f.article.id))!.edit).toBeUndefined();
  });

  it('limits sign-in attempts per address and per username', async () => {
    const { app, f } = await setup();
    const flood = jar();
    const token = csrfOf((await get(app, flood, '/login')).body);
    const codes: number[] = [];
    for (let i = 0; i < 22; i++)
      codes.push(
        (
          await post(
            app,
            flood,
            '/login',
            { _csrf: token, username: `u${i}`, password: 'wrong password' },
            { remoteAddress: '10.0.0.1' },
          )
        ).statusCode,
      );
    expect(codes.slice(0, 20).every((c) => c === 401)).toBe(true);
    expect(codes.slice(20)).toEqual([429, 429]);
    // Another address may still sign in; the same username from many addresses is limited on its own.
    const guesses: number[] = [];
    for (let i = 0; i < 11; i++)
      guesses.push(
        (
          await post(
            app,
            flood,
            '/login',
            { _csrf: token, username: EDITOR, password: `guess ${i} wrong` },
            { remoteAddress: `10.0.1.${i}` },
          )
        ).statusCode,
      );
    expect(guesses.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(guesses[10]).toBe(429);
    const blocked = await post(
      app,
      flood,
      '/login',
      { _csrf: token, username: EDITOR, password: PASSWORD },
      { remoteAddress: '10.0.2.1' },
    );
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toContain('<form method="post" action="/login"');
    expect(
      (await f.data.repos.reads.audit({ limit: 50 })).filter((e) => e.action === 'session.refused').length,
    ).toBeGreaterThanOrEqual(30);
    // 34 sign-ins, each a 100 ms scrypt: 4 s on a quiet machine, past 30 s on a loaded 2-core one.
  }, 120_000);

  it('limits sign-in per account however its name is spelled: NFC, case and spaces share one limit', async () => {
    const { app, f } = await setup();
    const hamza = 'أحمد'; // U+0623: the spelling stored
    await addDeskAccount(f.data, hamza, (await f.data.repos.deskAccounts.find(EDITOR))!.passwordHash);
    const combining = 'ا\u0654حمد'; // «ا» + combining hamza above: the same name after NFC
    expect(combining).not.toBe(hamza);
    expect(combining.normalize('NFC')).toBe(hamza);
    const j = jar();
    const token = csrfOf((await get(app, j, '/login')).body);
    const spellings = [hamza, combining, ` ${combining} `, `${hamza}\t`, 'ا\u0654حمد'.normalize('NFD')];
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) {
      const username = spellings[i % spellings.length]!;
      codes.push(
        (
          await post(
            app,
            j,
            '/login',
            { _csrf: token, username, password: `guess ${i} wrong` },
            { remoteAddress: `10.0.3.${i}` },
          )
        ).statusCode,
      );
    }
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429, 429, 429]);
    // The right password in yet another spelling is limited too; the ASCII name's case folds the same way.
    expect(
      (
        await post(
          app,
          j,
          '/login',
          { _csrf: token, username: combining, password: PASSWORD },
          { remoteAddress: '10.0.4.1' },
        )
      ).statusCode,
    ).toBe(429);
    const latin: number[] = [];
    for (let i = 0; i < 11; i++)
      latin.push(
        (
          await post(
            app,
            j,
            '/login',
            { _csrf: token, username: i % 2 ? EDITOR.toUpperCase() : ` ${EDITOR}`, password: `x ${i} wrong` },
            { remoteAddress: `10.0.5.${i}` },
          )
        ).statusCode,
      );
    expect(latin.at(-1)).toBe(429);
    // 26 sign-ins, each a 100 ms scrypt (the limit above).
  }, 120_000);

  it('the language switch goes back only to a path on the desk: hostile «back» values land on /', async () => {
    const { app } = await setup();
    const j = jar();
    const token = csrfOf((await get(app, j, '/login')).body);
    const hostile = [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      '/\u0000/evil.example',
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\/evil.example',
      '/\\/evil.example',
      'https://evil.example/',
      'http:/evil.example',
      'evil.example',
      '/%09/evil.example',
      '/%2F/evil.example',
      '/%2f%2fevil.example',
      '/%5Cevil.example',
      '/%5c%5cevil.example',
      '/%0a/evil.example',
      '/.//evil.example',
      '/..//evil.example',
      '/%2e%2e//evil.example',
      '/a/../..//evil.example',
      ' /evil',
      '',
      'javascript:alert(1)',
      '/%E0%A4%A',
      `/${'a'.repeat(3000)}`,
    ];
    for (const back of hostile) {
      const res = await post(app, j, '/lang', { _csrf: token, lang: 'en', back });
      expect(res.statusCode, JSON.stringify(back)).toBe(303);
      expect(res.headers.location, JSON.stringify(back)).toBe('/');
    }
    // What the desk's own pages send back is kept, query and all.
    for (const back of [
      '/articles/3',
      '/?q=%D8%A7%D9%84%D8%B1%D9%82%D8%A9&state=sent',
      '/activity?actor=mona&before=12',
      '/sources',
    ]) {
      expect((await post(app, j, '/lang', { _csrf: token, lang: 'ar', back })).headers.location).toBe(back);
    }
  });

  it('a wrong password is refused with the same answer as an unknown username', async () => {
    const { app } = await setup();
    const wrong = await signIn(app, jar(), 'not the password');
    const unknown = await signIn(app, jar(), PASSWORD, 'nobody');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.headers['set-cookie'] ?? '').not.toMatch(/nashra_session/);
    const strip = (s: string) => s.replace(/value="[^"]*"/g, '');
    expect(strip(wrong.body).replace(EDITOR, 'nobody')).toBe(strip(unknown.body));
  });

  it('marks cookies Secure with NASHRA_WEB_SECURE_COOKIES=1 and sends security headers', async () => {
    const { app } = await setup({ NASHRA_WEB_SECURE_COOKIES: '1' });
    const res = await signIn(app, jar());
    expect(String(res.headers['set-cookie'])).toMatch(/nashra_session=[^;]+;.*Secure/);
    const page = await get(app, jar(), '/login');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBeDefined();
  });
});

describe('first run', () => {
  it('offers a one-time setup link only while no editor account exists', async () => {
    const { f, app } = await setup({}, { editor: false });
    await app.close();
    const { startDesk } = await import('../../src/desk/server.js');
    const desk = await startDesk(f.deps, { port: 0, host: '127.0.0.1' });
    try {
      const link = f.lines.map((l) => /(http:\/\/\S+\/setup\/\S+)/.exec(l)?.[1]).find(Boolean)!;
      expect(link).toBeDefined();
      const path = new URL(link).pathname;
      expect((await fetch(`${desk.url}/setup/guessed-token`)).status).toBe(404);
      const form = await fetch(link);
      expect(form.status).toBe(200);
      const cookies = form.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const body = new URLSearchParams({
        _csrf: csrfOf(await form.text()),
        username: 'first',
        password: PASSWORD,
        password2: PASSWORD,
      });
      const created = await fetch(link, {
        method: 'POST',
        body,
        headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
        redirect: 'manual',
      });
      expect(created.status).toBe(303);
      expect(created.headers.getSetCookie().join()).toMatch(/nashra_session=/);
      expect((await f.data.repos.deskAccounts.list()).map((e) => e.username)).toEqual(['first']);
      expect((await fetch(`${desk.url}${path}`)).status).toBe(404);
    } finally {
      await desk.close();
    }
  });
});

describe('pages and actions', () => {
  it('searches on normalised Arabic: «الرقة» finds «الرّقة»', async () => {
    const { app, f } = await setup();
    const { storeArticleIn } = await import('../helpers/articles.js');
    await storeArticleIn(f.data, {
      url: 'https://example.org/raqqa',
      title: 'اشتباكات في الرّقة',
      source: 'مصدر',
      language: 'ar',
      categories: [],
      paragraphs: ['شهدت مدينة الرّقة اشتباكات عنيفة صباح اليوم بين فصيلين.', 'وقال سكان إن الأسواق أغلقت.'],
    });
    const j = jar();
    await signIn(app, j);
    const found = await get(app, j, `/?q=${encodeURIComponent('الرقة')}`);
    expect(found.body).toContain('اشتباكات في الرّقة');
    expect(found.body).toContain(f.article.title); // its category is «الرّقة»
    const none = await get(app, j, `/?q=${encodeURIComponent('زلزال')}`);
    expect(none.body).not.toContain('اشتباكات في الرّقة');
    expect(none.body).not.toContain(f.article.title);
  });

  it("every action goes through the newsroom and is audited with the editor's username", async () => {
    const { app, f } = await setup();
    const j = jar();
    await signIn(app, j);
    const sub = await f.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1001', kind: 'channel' },
      Date.now(),
    );
    const source = await f.data.repos.sources.add(
      { url: 'https://feeds.example.org/rss', kind: 'rss', name: 'Feed' },
      Date.now(),
    );
    const token = async (url: string) => csrfOf((await get(app, j, url)).body);

    // Urgent: compose, preview for everyone, confirm.
    const urgent = await post(app, j, '/urgent', {
      _csrf: await token('/urgent'),
      text: 'عاجل: انقطاع الكهرباء في دمشق',
    });
    expect(urgent.statusCode).toBe(303);
    const broadcastUrl = String(urgent.headers.location);
    const preview = await get(app, j, broadcastUrl);
    expect(preview.body).toMatch(/id="will-receive">1</);
    const bToken = /name="token" value="([^"]+)"/.exec(preview.body)![1]!;
    expect(
      (await post(app, j, `${broadcastUrl}/confirm`, { _csrf: csrfOf(preview.body), token: 'forged' })).statusCode,
    ).toBe(303);
    expect(
      await jobsOf(f.db, (await f.data.repos.broadcasts.get(Number(broadcastUrl.split('/').pop())))!.articleId),
    ).toHaveLength(0);
    await post(app, j, `${broadcastUrl}/confirm`, { _csrf: csrfOf(preview.body), token: bToken });
    await post(app, j, `${broadcastUrl}/confirm`, { _csrf: csrfOf(preview.body), token: bToken });
    const b = (await f.data.repos.broadcasts.get(Number(broadcastUrl.split('/').pop())))!;
    expect(await jobsOf(f.db, b.articleId)).toHaveLength(1);

    await f.data.repos.sources.recordFetch(
      source.id,
      { status: 'HTTP 200', nextFetchAt: Date.now() + 600_000 },
      Date.now(),
    );
    const sourcesPage = await get(app, j, '/sources');
    expect(sourcesPage.body).toContain(`action="/sources/${source.id}/poll"`);
    await post(app, j, `/sources/${source.id}/poll`, { _csrf: csrfOf(sourcesPage.body) });
    expect((await f.data.repos.sources.get(source.id))!.nextFetchAt.getTime()).toBe(0); // due now: the running poller takes it
    await post(app, j, `/sources/${source.id}/pause`, { _csrf: await token('/sources') });
    expect((await f.data.repos.sources.get(source.id))!.active).toBe(false);
    await post(app, j, `/sources/${source.id}/resume`, { _csrf: await token('/sources') });
    await post(app, j, `/sources/${source.id}/remove`, { _csrf: await token('/sources') });
    expect(await f.data.repos.sources.get(source.id)).toBeUndefined();

    // In doubt: a delivery interrupted by a crash, marked as sent from the Queue page.
    const [d] = await jobsOf(f.db, b.articleId);
    await f.data.repos.jobs.markSending(d!.id, Date.now());
    await f.data.repos.jobs.recoverInterrupted('hold', Date.now());
    const queue = await get(app, j, '/queue');
    expect(queue.body).toContain(`/queue/${d!.id}/resolve`);
    await post(app, j, `/queue/${d!.id}/resolve`, { _csrf: csrfOf(queue.body), how: 'mark-sent' });
    expect((await f.data.repos.outbox.job(d!.id))!.state).toBe('sent');
    // The same list and the same buttons for every kind: an edit of that post interrupted by a crash is sent again.
    expect(await f.data.repos.corrections.queueEdits(b.articleId, 2, Date.now())).toBe(1);
    const [edit] = await jobsOf(f.db, b.articleId, ['edit']);
    await f.data.repos.jobs.markSending(edit!.id, Date.now());
    await f.data.repos.jobs.recoverInterrupted('hold', Date.now());
    const queued = await get(app, j, '/queue');
    expect(queued.body).toContain(`/queue/${edit!.id}/resolve`);
    expect(queued.body).toMatch(/تعديل خبر <a href="\/articles\/\d+">/);
    await post(app, j, `/queue/${edit!.id}/resolve`, { _csrf: csrfOf(queued.body), how: 'send-again' });
    expect(await f.data.repos.outbox.job(edit!.id)).toMatchObject({ kind: 'edit', state: 'queued', waitsFor: d!.id });

    // A delivery that failed for a temporary reason: «أعد إرسال ما فشل» on the article queues it again.
    const failedArticle = f.article.id;
    await queuePosts(f.data, failedArticle, [sub.id]);
    const [fd] = await jobsOf(f.db, failedArticle);
    await f.data.repos.jobs.markFailed(fd!.id, 'Bot API unreachable', { retryable: true }, Date.now());
    const articlePage = await get(app, j, `/articles/${failedArticle}`);
    expect(articlePage.body).toContain('id="resend"');
    await post(app, j, `/articles/${failedArticle}/resend`, { _csrf: csrfOf(articlePage.body) });
    expect((await f.data.repos.outbox.job(fd!.id))!.state).toBe('queued');

    await f.data.repos.subscriptions.setDelivery(
      sub.id,
      {
        mode: 'daily',
        digestAt: 480,
        urgentNow: false,
        timeZone: 'Asia/Damascus',
        quiet: { start: 0, end: 420 },
        quietMode: 'wait',
        quietUrgent: true,
      },
      Date.now(),
    );
    expect((await get(app, j, '/subscriptions')).body).toContain(
      'ملخص يومي الساعة 08:00؛ ساعات الهدوء 00:00–07:00: تُؤجَّل إلى نهايتها (إلا العاجل) (Asia/Damascus)',
    );
    await post(app, j, `/subscriptions/${sub.id}/deactivate`, { _csrf: await token('/subscriptions') });
    expect((await f.data.repos.subscriptions.get(sub.id))!.active).toBe(false);

    const actions = (await f.data.repos.reads.audit({ limit: 50 }))
      .filter((e) => e.platform === 'desk' && e.actor === EDITOR)
      .map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'urgent.compose',
        'broadcast.confirm',
        'source.poll',
        'source.pause',
        'source.resume',
        'source.remove',
        'delivery.mark_sent',
        'correction.send_again',
        'delivery.resend_failed',
        'subscription.remove',
        'session.login',
      ]),
    );
    expect(actions.filter((a) => a === 'broadcast.confirm')).toHaveLength(1);
    const activity = await get(app, j, `/activity?actor=${EDITOR}&action=source.pause`);
    expect(activity.body).toContain('<td dir="ltr">source.pause</td>');
    expect(activity.body).not.toContain('<td dir="ltr">source.resume</td>');
    expect((await get(app, j, '/stats')).body).toContain('<svg');
  });

  it("reaches a source's backlog: Today lists it (marked, with a filter), its page opens, it can be edited, sent and retracted", async () => {
    const { app, f } = await setup();
    const { storeArticleIn } = await import('../helpers/articles.js');
    const source = await f.data.repos.sources.add(
      { url: 'https://backlog.example/feed', kind: 'rss', name: 'مصدر جديد' },
      Date.now(),
    );
    const stored = await storeArticleIn(
      f.data,
      {
        url: 'https://backlog.example/old',
        title: 'خبر من الأرشيف عن حمص',
        source: 'مصدر جديد',
        language: 'ar',
        categories: [],
        paragraphs: ['كان هذا الخبر في الخلاصة يوم أُضيف المصدر، فعُلّم مقروءاً.', 'وفقرة ثانية.'],
        publishedAt: new Date(Date.now() - 60_000),
      },
      { sourceId: source.id, seenOnly: true },
    );
    if (stored.status !== 'new') throw new Error('not stored');
    const id = stored.article.id;
    expect((await f.data.repos.articles.get(id))!.seenOnly).toBe(true);
    const sub = await f.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1004', kind: 'channel' },
      Date.now(),
    );
    const j = jar();
    await signIn(app, j);
    const today = (await get(app, j, '/')).body;
    expect(today).toContain(`href="/articles/${id}"`);
    expect(today).toContain(f.article.title);
    expect(today).toContain('class="backlog"');
    const only = (await get(app, j, '/?backlog=1')).body;
    expect(only).toContain(`href="/articles/${id}"`);
    expect(only).not.toContain(`href="/articles/${f.article.id}"`);
    const without = (await get(app, j, '/?backlog=0')).body;
    expect(without).not.toContain(`href="/articles/${id}"`);
    expect(without).toContain(`href="/articles/${f.article.id}"`);
    expect((await get(app, j, `/?source=${source.id}`)).body).toContain(`href="/articles/${id}"`);

    const page = await get(app, j, `/articles/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="backlog"');
    expect(
      (
        await post(app, j, `/articles/${id}/edit`, {
          _csrf: csrfOf(page.body),
          title: 'خبر من الأرشيف عن حمص (محدَّث)',
          summary: 'جملة أولى.',
          hashtags: '#حمص',
        })
      ).statusCode,
    ).toBe(303);
    expect((await f.data.repos.articles.get(id))!.title).toBe('خبر من الأرشيف عن حمص (محدَّث)');
    // Sent to a chosen chat, then tracked on its page; then retracted.
    const sent = await post(app, j, `/articles/${id}/broadcast`, {
      _csrf: csrfOf(page.body),
      audience: 'chats',
      chat: String(sub.id),
    });
    expect(sent.statusCode).toBe(303);
    const preview = await get(app, j, String(sent.headers.location));
    expect(preview.body).toMatch(/id="will-receive">1</);
    await post(app, j, `${sent.headers.location}/confirm`, {
      _csrf: csrfOf(preview.body),
      token: /name="token" value="([^"]+)"/.exec(preview.body)![1]!,
    });
    expect(await jobsOf(f.db, id)).toHaveLength(1);
    const tracked = await get(app, j, `/articles/${id}`);
    expect(tracked.body).toContain(`href="/broadcasts/`);
    expect((await get(app, j, `/articles/${id}/retract`)).statusCode).toBe(200);
    expect((await post(app, j, `/articles/${id}/retract`, { _csrf: csrfOf(tracked.body) })).statusCode).toBe(303);
    expect((await f.data.repos.articles.get(id))!.retracted).toBeDefined();
  });

  it("says what the add-source form did, from the newsroom's result: the backlog marked seen, a feed already followed, a refusal", async () => {
    const { startFeedServer } = await import('../helpers/feed-server.js');
    const server = await startFeedServer({
      '/feed.rss': { file: 'feeds/content-encoded.rss', contentType: 'application/rss+xml' },
      '/page.html': { body: '<html><body><p>لا خلاصة هنا</p></body></html>', contentType: 'text/html' },
    });
    try {
      const { app, f } = await setup({ NASHRA_ALLOW_PRIVATE_FETCH: '1' });
      const j = jar();
      await signIn(app, j);
      const form = async () => csrfOf((await get(app, j, '/sources')).body);
      const url = `${server.base}/feed.rss`;
      const added = await post(app, j, '/sources', { _csrf: await form(), url, name: '', interval: '15m' });
      expect(added.statusCode).toBe(303);
      expect(added.headers.location).toBe('/sources');
      const source = (await f.data.repos.sources.list()).find((s) => s.feedUrl === url || s.url === url)!;
      const page = (await get(app, j, '/sources')).body;
      const note = /<div class="notice ok" role="status" id="source-added">([\s\S]*?)<\/div>/.exec(page)?.[1] ?? '';
      expect(note).toContain(`أُضيف المصدر #${source.id}: ${source.name}`);
      expect(note).toContain('يُجلب كل 15m');
      expect(note).toContain('polling'); // what the URL turned out to be, as the CLI prints it
      expect(note).toContain('الأرشيف');
      expect(note).toContain(': 3 مواد'); // the feed's three items, marked seen
      expect(note).not.toContain('أُرسل من الخلاصة'); // no backfill from the desk's form: nothing went out
      // Once: the page opened again has no note.
      expect((await get(app, j, '/sources')).body).not.toContain('id="source-added"');
      // The same feed again: said as such, with what was typed still in the form.
      const again = await post(app, j, '/sources', {
        _csrf: await form(),
        url,
        name: 'اسم كتبه المحرر',
        interval: '30m',
      });
      expect(again.statusCode).toBe(400);
      expect(again.body).toContain(`هذا المصدر متابَع من قبل: المصدر #${source.id}`);
      expect(again.body).toContain('value="اسم كتبه المحرر"');
      expect(again.body).toContain('<option value="30m" selected>');
      // Not a feed: the newsroom's reason, on the Sources page, not a bare error page.
      const refused = await post(app, j, '/sources', {
        _csrf: await form(),
        url: `${server.base}/page.html`,
        name: '',
        interval: '10m',
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('id="source-refused"');
      expect(refused.body).toContain(`تعذّرت إضافة ${server.base}/page.html: `);
      expect(refused.body).not.toContain('cannot add');
      expect(refused.body).toContain('id="add-source"');
      expect(await f.data.repos.sources.list()).toHaveLength(1);
      // In English, counted in English.
      await post(app, j, '/lang', { _csrf: await form(), lang: 'en', back: '/sources' });
      server.route('/other.rss', { file: 'feeds/wp-excerpt.rss', contentType: 'application/rss+xml' });
      await post(app, j, '/sources', {
        _csrf: await form(),
        url: `${server.base}/other.rss`,
        name: 'Other',
        interval: '10m',
      });
      const en = (await get(app, j, '/sources')).body;
      expect(en).toMatch(/Source #\d+ added: Other/);
      expect(en).toContain('Backlog');
      expect(en).toMatch(/: 5 items/);
    } finally {
      await server.close();
    }
  });

  it("says the newsroom's refusals in the desk's language: Arabic on an Arabic desk, English on an English one", async () => {
    const { app, f } = await setup();
    const j = jar();
    await signIn(app, j);
    const sourcesForm = async () => csrfOf((await get(app, j, '/sources')).body);
    const articleForm = async () => csrfOf((await get(app, j, `/articles/${f.article.id}`)).body);
    const badInterval = async () =>
      post(app, j, '/sources', { _csrf: await sourcesForm(), url: 'https://example.com/feed', interval: '5s' });
    const emptyTitle = async () =>
      post(app, j, `/articles/${f.article.id}/edit`, { _csrf: await articleForm(), title: '  ', summary: 'جملة.' });
    const refusedNote = (body: string) => /id="source-refused"[^>]*>([\s\S]*?)<\/p>/.exec(body)?.[1] ?? '';

    const interval = await badInterval();
    expect(interval.statusCode).toBe(400);
    expect(refusedNote(interval.body)).toBe(
      'يجب أن تكون مدة --interval بين دقيقة (1m) و24 ساعة (24h)، مثل 10m أو 90s أو 1h، لا &quot;5s&quot;',
    );
    const title = await emptyTitle();
    expect(title.statusCode).toBe(400);
    expect(title.body).toContain('لا يكون العنوان فارغًا');
    expect(title.body).not.toContain('the title cannot be empty');

    await post(app, j, '/lang', { _csrf: await sourcesForm(), lang: 'en', back: '/sources' });
    expect(refusedNote((await badInterval()).body)).toBe(
      '--interval must be between 1m and 24h (e.g. 10m, 90s, 1h), not &quot;5s&quot;',
    );
    const english = await emptyTitle();
    expect(english.statusCode).toBe(400);
    expect(english.body).toContain('the title cannot be empty');
    expect(english.body).not.toContain('لا يكون العنوان فارغًا');
    // Refused: nothing changed.
    expect(await f.data.repos.sources.list()).toHaveLength(0);
    expect((await f.data.repos.articles.get(f.article.id))?.title).toBe(f.article.title);
  });

  it('offers only the platforms that are on: no WhatsApp preview, audience or chat while WhatsApp is off', async () => {
    for (const whatsapp of [false, true]) {
      const { app, f } = await setup(whatsapp ? { WHATSAPP_ENABLED: '1' } : {});
      await f.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: '-1003', kind: 'channel', title: 'قناة تيليغرام' },
        Date.now(),
      );
      await f.data.repos.subscriptions.subscribe(
        { platform: 'whatsapp', chatId: '120363000000000009@g.us', kind: 'group', title: 'مجموعة واتساب' },
        Date.now(),
      );
      const j = jar();
      await signIn(app, j);
      const page = (await get(app, j, `/articles/${f.article.id}`)).body;
      expect(page, `whatsapp ${whatsapp}`).toContain('class="preview preview-telegram"');
      expect(page).toContain('<option value="telegram">');
      expect(page).toContain('قناة تيليغرام');
      expect(page.includes('class="preview preview-whatsapp"'), `whatsapp ${whatsapp}`).toBe(whatsapp);
      expect(page.includes('<option value="whatsapp">'), `whatsapp ${whatsapp}`).toBe(whatsapp);
      expect(page.includes('مجموعة واتساب'), `whatsapp ${whatsapp}`).toBe(whatsapp);
      // The live preview of a draft follows the same list.
      const live = (
        await get(
          app,
          j,
          `/articles/${f.article.id}/preview?${new URLSearchParams({ title: 'عنوان', summary: 'جملة.', hashtags: '' })}`,
        )
      ).body;
      expect(live).toContain('preview-telegram');
      expect(live.includes('preview-whatsapp')).toBe(whatsapp);
      if (!whatsapp) {
        await app.close();
        await f.cleanup();
      } // the second desk is closed after the test
    }
  });

  it('escapes HTML in the send preview too, and refuses an unknown platform audience', async () => {
    const { app, f } = await setup();
    await f.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: '-1002', kind: 'channel' }, Date.now());
    const j = jar();
    await signIn(app, j);
    const page = await get(app, j, `/articles/${f.article.id}`);
    await post(app, j, `/articles/${f.article.id}/edit`, {
      _csrf: csrfOf(page.body),
      title: '<script>alert(1)</script>',
      summary: '<b onmouseover=alert(2)>x</b>',
      hashtags: '<i>',
    });
    const sent = await post(app, j, `/articles/${f.article.id}/broadcast`, {
      _csrf: csrfOf(page.body),
      audience: 'matching',
    });
    const preview = await get(app, j, String(sent.headers.location));
    expect(preview.statusCode).toBe(200);
    expect(preview.body).not.toMatch(/<script>alert|<b onmouseover|<i>/);
    expect(preview.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const bad = await post(app, j, `/articles/${f.article.id}/broadcast`, {
      _csrf: csrfOf(page.body),
      audience: 'platform',
      platform: '<svg>',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('<svg>');
  });

  it('the add-source form answers a declared 5 GiB body and an already followed feed in one line (issue 21, items 10 and 12)', async () => {
    // Before: the 5 GiB Content-Length with an unknown encoding threw a RangeError, and the form answered 500.
    const feeds = await startFeedServer({
      '/huge.rss': {
        handler: (_req, res) =>
          void res
            .writeHead(200, {
              'content-type': 'application/rss+xml',
              'content-encoding': 'x-nashra-unknown',
              'content-length': String(5 * 1024 ** 3),
            })
            .flushHeaders(),
      },
      '/feed/': {
        body: '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>مرصد</title><link>{{BASE}}/</link><atom:link href="{{BASE}}/feed/" rel="self"/></channel></rss>',
        contentType: 'application/rss+xml; charset=UTF-8',
      },
    });
    try {
      const { app, f } = await setup({ NASHRA_ALLOW_PRIVATE_FETCH: '1' });
      const j = jar();
      await signIn(app, j);
      const add = async (url: string) =>
        post(app, j, '/sources', { _csrf: csrfOf((await get(app, j, '/sources')).body), url });
      const huge = await add(`${feeds.base}/huge.rss`);
      expect(huge.statusCode).toBe(400);
      expect(huge.body).toContain(
        `the server announces ${5 * 1024 ** 3} bytes, more than the 5242880-byte limit (NASHRA_FETCH_MAX_BYTES)`,
      );
      expect((await add(`${feeds.base}/feed/`)).statusCode).toBe(303);
      const again = await add(`http://localhost:${new URL(feeds.base).port}/feed/`);
      expect(again.statusCode).toBe(400);
      expect(again.body).toContain(
        `هذا المصدر متابَع من قبل: المصدر #${(await f.data.repos.sources.list())[0]!.id} (مرصد).`,
      );
      expect(await f.data.repos.sources.list()).toHaveLength(1);
    } finally {
      await feeds.close();
    }
  });
});
