/**
 * Desk sign-in, sign-out, sessions and account changes at the same time, as a busy desk and an operator at the
 * shell make them: each action is one unit of work, so whatever order they interleave in (a sign-in's 100 ms
 * scrypt runs outside its unit), the sessions left in the database and the audit entries agree with each other.
 * Each pass runs them on its adapter (SQLite in `npm test`, PostgreSQL in `npm run test:postgres`), directly and
 * through the desk's HTTP.
 */
import { describe, expect, it } from 'vitest';
import { loadAppConfig } from '../../src/app/platforms.js';
import { createLogger } from '../../src/logger.js';
import {
  changeDeskPassword,
  CLI_OPERATOR,
  deskSession,
  deskSignIn,
  deskSignOut,
  EditorDirectory,
  removeDeskEditor,
  type SignInResult,
} from '../../src/newsroom/index.js';
import { hashPassword } from '../../src/newsroom/password.js';
import { rawAdapters, type RawDatabase } from '../helpers/raw-db.js';
import { csrfOf, deskPerTest, EDITOR, get, jar, PASSWORD, post, type DeskFixture } from '../helpers/desk.js';

const setup = deskPerTest();

/** What the desk's database holds (this pass's adapter), read on a connection of its own. */
async function rows(f: DeskFixture) {
  const sessions = (await f.db.sql(
    'SELECT s.id, e.username FROM desk_sessions s JOIN desk_editors e ON e.id = s.editor_id',
  )) as Array<{ id: string; username: string }>;
  const audit = (await f.db.sql('SELECT action, actor, detail FROM audit_log ORDER BY id')).map((e) => ({
    action: e.action as string,
    actor: e.actor as string,
    detail: JSON.parse(e.detail as string) as Record<string, unknown>,
  }));
  return { sessions, audit };
}

const count = async (f: DeskFixture, action: string) => (await rows(f)).audit.filter((e) => e.action === action).length;

describe('desk sessions when actions interleave', () => {
  it('two sign-ins of one editor at once (and a wrong password beside them) open two sessions, each audited once', async () => {
    const { app, f } = await setup();
    const jars = [jar(), jar(), jar()];
    const pages = await Promise.all(jars.map((j) => get(app, j, '/login')));
    const passwords = [PASSWORD, PASSWORD, 'not the password 1'];
    const answers = await Promise.all(
      jars.map((j, i) =>
        post(app, j, '/login', { _csrf: csrfOf(pages[i]!.body), username: EDITOR, password: passwords[i]! }),
      ),
    );
    expect(answers.map((r) => r.statusCode)).toEqual([303, 303, 401]);
    const { sessions } = await rows(f);
    expect(sessions).toHaveLength(2);
    expect(new Set(sessions.map((s) => s.id)).size).toBe(2);
    expect(await count(f, 'session.login')).toBe(2);
    expect(await count(f, 'session.refused')).toBe(1);
    // Each browser is signed in on its own session.
    for (const j of jars.slice(0, 2)) expect((await get(app, j, '/')).statusCode).toBe(200);
    expect((await get(app, jars[2]!, '/')).headers.location).toBe('/login');
  });

  it("a sign-out racing the same session's requests ends it once: no request fails, and none after it is signed in", async () => {
    const { app, f } = await setup();
    const j = jar();
    const page = await get(app, j, '/login');
    expect(
      (await post(app, j, '/login', { _csrf: csrfOf(page.body), username: EDITOR, password: PASSWORD })).statusCode,
    ).toBe(303);
    const home = await get(app, j, '/');
    expect(home.statusCode).toBe(200);
    const stolen = { cookies: new Map(j.cookies) };
    const copies = Array.from({ length: 6 }, () => ({ cookies: new Map(j.cookies) }));
    const [out, ...raced] = await Promise.all([
      post(app, j, '/logout', { _csrf: csrfOf(home.body) }),
      ...copies.map((c) => get(app, c, '/')),
    ]);
    expect(out!.statusCode).toBe(303);
    expect(out!.headers.location).toBe('/login');
    // Each request ran before the sign-out (signed in) or after it (sent to sign in again): never half of each.
    for (const r of raced) expect([200, 303]).toContain(r.statusCode);
    for (const r of raced.filter((x) => x.statusCode === 303)) expect(r.headers.location).toBe('/login?expired=1');
    expect((await rows(f)).sessions).toEqual([]);
    expect(await count(f, 'session.logout')).toBe(1);
    expect((await get(app, stolen, '/')).headers.location).toBe('/login?expired=1');
  });
});

/** The newsroom's desk actions over either adapter, with one editor, and what the database then holds. */
async function newsroom(s: RawDatabase) {
  const config = loadAppConfig({ DATABASE_PATH: ':memory:' });
  const deps = {
    data: s.ports,
    config,
    logger: createLogger({ level: 'silent' }),
    editors: new EditorDirectory(s.ports.repos, new Map()),
    platforms: [],
    onQueued: () => {},
  };
  await s.ports.repos.deskAccounts.add(EDITOR, await hashPassword(PASSWORD), Date.now());
  const rows = async () => ({
    sessions: await s.sql('SELECT s.id, e.username FROM desk_sessions s JOIN desk_editors e ON e.id = s.editor_id'),
    audit: (await s.sql('SELECT action, actor, detail FROM audit_log ORDER BY id')).map((e) => ({
      action: e.action as string,
      actor: e.actor as string,
      detail: JSON.parse(e.detail as string) as Record<string, unknown>,
    })),
  });
  const count = async (action: string) => (await rows()).audit.filter((e) => e.action === action).length;
  return { deps, rows, count };
}

describe.each(rawAdapters())('desk accounts and sessions when actions interleave, on $name', ({ open }) => {
  it('a password change racing sign-ins with the old password leaves none of their sessions, and says how many it ended', async () => {
    const { deps, rows, count } = await newsroom(await open());
    let password = PASSWORD;
    for (let round = 0; round < 3; round++) {
      const before = { login: await count('session.login'), refused: await count('session.refused') };
      const next = `a new password ${round}0`;
      const attempt = { username: EDITOR, password, address: '127.0.0.1' };
      // Two sign-ins start before the change (their scrypt ends first: they sign in, and the change ends their
      // sessions); two more once the change has found the account and begun hashing (its password is asked then):
      // they read the old hash, and their scrypt ends after the change's, so their unit must read the account again.
      const early = [deskSignIn(deps, attempt), deskSignIn(deps, attempt)];
      let late: Promise<Array<SignInResult>> | undefined;
      const changed = await changeDeskPassword(deps, CLI_OPERATOR, EDITOR, async () => {
        late = new Promise((resolve) =>
          setImmediate(() => resolve(Promise.all([deskSignIn(deps, attempt), deskSignIn(deps, attempt)]))),
        );
        return next;
      });
      const signIns = [...(await Promise.all(early)), ...(await late!)];
      const logins = (await count('session.login')) - before.login;
      expect(logins + (await count('session.refused')) - before.refused).toBe(4);
      expect(signIns.filter((r) => r.kind === 'signed-in')).toHaveLength(logins);
      // A session opened with the old password before the change committed was ended by it; none opened after.
      expect((await rows()).sessions).toEqual([]);
      expect(changed.signedOut).toBe(logins);
      for (const r of signIns)
        if (r.kind === 'signed-in') expect(await deskSession(deps, r.opened.token)).toMatchObject({ kind: 'ended' });
      password = next;
    }
    expect((await deskSignIn(deps, { username: EDITOR, password, address: '127.0.0.1' })).kind).toBe('signed-in');
  });

  it('an account removed while it signs in and signs out keeps no session, and its audit tells each step once', async () => {
    const { deps, rows } = await newsroom(await open());
    const first = await deskSignIn(deps, { username: EDITOR, password: PASSWORD, address: '127.0.0.1' });
    if (first.kind !== 'signed-in') throw new Error('not signed in');
    const [signIn, removed] = await Promise.all([
      deskSignIn(deps, { username: EDITOR, password: PASSWORD, address: '127.0.0.1' }),
      removeDeskEditor(deps, CLI_OPERATOR, EDITOR),
      deskSignOut(deps, first.opened.session),
    ]);
    expect(removed.username).toBe(EDITOR);
    expect((await rows()).sessions).toEqual([]);
    const actions = (await rows()).audit
      .map((e) => e.action)
      .filter((a) => a.startsWith('session.') || a.startsWith('editor.'));
    expect(actions.filter((a) => a === 'editor.remove')).toHaveLength(1);
    expect(actions.filter((a) => a === 'session.logout')).toHaveLength(1);
    // The sign-in read the account before its scrypt and again in its unit: it signed in only if it came first.
    if (signIn.kind === 'signed-in') {
      expect(actions.filter((a) => a === 'session.login')).toHaveLength(2);
      expect(actions.lastIndexOf('session.login')).toBeLessThan(actions.indexOf('editor.remove'));
      expect(await deskSession(deps, signIn.opened.token)).toMatchObject({ kind: 'ended' });
    } else {
      expect(actions.indexOf('session.refused')).toBeGreaterThan(actions.indexOf('editor.remove'));
    }
  });
});
