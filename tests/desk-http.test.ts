/** The desk over HTTP (Fastify's inject): signing in, sessions, CSRF, and everything hostile. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildDesk, deskFixture, EDITOR, PASSWORD, type DeskFixture } from './helpers/desk.js';

interface Jar { cookies: Map<string, string> }
const jar = (): Jar => ({ cookies: new Map() });
const cookieHeader = (j: Jar) => [...j.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
function keep(j: Jar, res: { headers: Record<string, unknown> }): void {
  const set = res.headers['set-cookie'];
  for (const c of (Array.isArray(set) ? set : set ? [set] : []) as string[]) {
    const [pair] = c.split(';');
    const [k, ...v] = pair!.split('=');
    if (/Expires=Thu, 01 Jan 1970/i.test(c)) j.cookies.delete(k!); else j.cookies.set(k!, v.join('='));
  }
}

async function get(app: FastifyInstance, j: Jar, url: string, extra: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(j), ...extra } });
  keep(j, res);
  return res;
}
async function post(app: FastifyInstance, j: Jar, url: string, form: Record<string, string>, extra: { remoteAddress?: string } = {}) {
  const res = await app.inject({
    method: 'POST', url, payload: new URLSearchParams(form).toString(), remoteAddress: extra.remoteAddress,
    headers: { cookie: cookieHeader(j), 'content-type': 'application/x-www-form-urlencoded' },
  });
  keep(j, res);
  return res;
}
const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

async function signIn(app: FastifyInstance, j: Jar, password = PASSWORD, username = EDITOR) {
  const page = await get(app, j, '/login');
  return post(app, j, '/login', { _csrf: csrfOf(page.body), username, password });
}

let f: DeskFixture | undefined;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  f?.cleanup();
  app = undefined;
  f = undefined;
});

async function setup(env: Record<string, string> = {}, opts: { editor?: boolean } = {}) {
  f = await deskFixture(env, opts);
  app = await buildDesk(f.deps);
  return { f, app };
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
    expect(f.store.audit.recent(5).map((e) => e.action)).toEqual(expect.arrayContaining(['desk.login', 'desk.logout']));
  });
});
