/**
 * Desk accounts and sessions as newsroom actions, through their two front doors: `nashra editors` (the built CLI, a
 * child process on the same database) and the desk over HTTP. Every action is read back from the database (either
 * adapter): the account,
 * the session, and exactly one audit entry.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditAction, AuditEntry } from '../../src/model/audit.js';
import { ROOT, runCliInProcess } from '../helpers/cli.js';
import { csrfOf, deskPerTest, get, jar, PASSWORD, post, signIn, startDesk, type DeskFixture } from '../helpers/desk.js';

const setup = deskPerTest();

/** One action's audit entries, newest first as the desk's log lists them (no port reads the log back). */
const entries = async (f: DeskFixture, action: AuditAction): Promise<AuditEntry[]> =>
  (
    await f.db.sql(
      'SELECT id, at, platform, actor, action, detail FROM audit_log WHERE action = ? ORDER BY id DESC',
      action,
    )
  ).map((e) => ({
    id: e.id as number,
    at: new Date(e.at as number),
    platform: e.platform as string,
    actor: e.actor as string,
    action: e.action as AuditAction,
    detail: JSON.parse(e.detail as string) as Record<string, unknown>,
  }));
const editors =
  (f: DeskFixture, ...args: string[]) =>
  (input?: string) =>
    runCliInProcess(['editors', ...args], { env: f.db.env, input });

describe('nashra editors and the desk share the account actions', () => {
  it('add, passwd and remove each write the account and one audit entry, and the desk follows at once', async () => {
    const { app, f } = await setup({}, { editor: false });
    const add = await editors(f, 'add', 'rana', '--password-stdin')(`${PASSWORD}\n`);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(await entries(f, 'editor.add')).toEqual([
      expect.objectContaining({
        platform: 'cli',
        actor: 'cli',
        detail: { username: 'rana', outlet: 'main', role: 'editor' },
      }),
    ]);

    const j = jar();
    expect((await signIn(app, j, PASSWORD, 'rana')).statusCode).toBe(303);
    expect(await entries(f, 'session.login')).toEqual([
      expect.objectContaining({ platform: 'desk', actor: 'rana', detail: { address: '127.0.0.1' } }),
    ]);
    expect((await get(app, j, '/')).statusCode).toBe(200);

    // A new password ends every session: the open page sends the editor back to sign in, the old password no longer works.
    expect((await editors(f, 'passwd', 'RANA', '--password-stdin')('a new password 42\n')).code).toBe(0);
    expect(await entries(f, 'editor.passwd')).toEqual([
      expect.objectContaining({ platform: 'cli', detail: { username: 'rana', signedOut: 1 } }),
    ]);
    expect((await get(app, j, '/')).headers.location).toBe('/login?expired=1');
    expect((await signIn(app, jar(), PASSWORD, 'rana')).statusCode).toBe(401);
    const again = jar();
    expect((await signIn(app, again, 'a new password 42', 'rana')).statusCode).toBe(303);
    expect(await entries(f, 'session.login')).toHaveLength(2);

    // Removed: its session ends at its next request, and its name signs in no more, whatever the password.
    const listed = await editors(f, 'list')();
    expect(listed.stdout).toMatch(/^rana\t/m);
    expect(listed.stdout).not.toContain('scrypt');
    expect((await editors(f, 'remove', 'rana')()).code).toBe(0);
    expect(await entries(f, 'editor.remove')).toEqual([
      expect.objectContaining({ platform: 'cli', detail: { username: 'rana' } }),
    ]);
    expect((await get(app, again, '/')).headers.location).toBe('/login?expired=1');
    expect((await signIn(app, jar(), 'a new password 42', 'rana')).statusCode).toBe(401);
    expect((await entries(f, 'session.refused')).map((e) => e.actor)).toEqual(['rana', 'rana']);
    expect((await editors(f, 'list')()).stdout).toContain('no desk editors yet');
    // A second remove and a passwd of a removed account change nothing and write nothing.
    expect((await editors(f, 'remove', 'rana')()).stderr).toContain('no desk editor "rana"');
    expect((await editors(f, 'passwd', 'rana', '--password-stdin')('a third password 43\n')).code).toBe(1);
    expect(await entries(f, 'editor.remove')).toHaveLength(1);
    expect(await entries(f, 'editor.passwd')).toHaveLength(1);
  });

  it('a name mixing look-alike scripts is refused; signing in by one never reaches the account it imitates', async () => {
    const { app, f } = await setup({}, { editor: false });
    expect((await editors(f, 'add', 'admin', '--password-stdin')(PASSWORD)).code).toBe(0);
    const spoof = 'аdmin'; // U+0430 CYRILLIC SMALL LETTER A, then Latin
    const refused = await editors(f, 'add', spoof, '--password-stdin')(PASSWORD);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('mixes Latin, Cyrillic or Greek letters');
    expect((await editors(f, 'add', 'αdmin', '--password-stdin')(PASSWORD)).code).toBe(1); // Greek alpha
    expect(await entries(f, 'editor.add')).toHaveLength(1);
    // Other scripts together confuse nobody, and one script alone is any name.
    expect((await editors(f, 'add', 'ali_علي', '--password-stdin')(PASSWORD)).code).toBe(0);
    expect((await editors(f, 'add', 'ирина', '--password-stdin')(PASSWORD)).code).toBe(0);

    // Signing in by the look-alike name, with the right password of «admin»: refused, audited under the name typed.
    expect((await signIn(app, jar(), PASSWORD, spoof)).statusCode).toBe(401);
    expect((await entries(f, 'session.refused')).map((e) => e.actor)).toEqual([spoof]);
    // ASCII case and surrounding spaces are the same name; so is an Arabic name in another Unicode form (NFD).
    expect((await signIn(app, jar(), PASSWORD, ' ADMIN ')).statusCode).toBe(303);
    expect((await editors(f, 'add', 'ا\u0654حمد', '--password-stdin')(PASSWORD)).code).toBe(0); // «ا» + combining hamza
    expect((await editors(f, 'list')()).stdout).toMatch(/^أحمد\t/m); // stored as NFC «أ»
    expect((await signIn(app, jar(), PASSWORD, 'أحمد'.normalize('NFD'))).statusCode).toBe(303);
    expect((await entries(f, 'session.login')).map((e) => e.actor)).toEqual(['أحمد', 'admin']);
    // A name that is not one at all: no lookup, the same refusal.
    for (const username of ['', '\u0000admin', 'admin\u202e', 'x'.repeat(5000)]) {
      expect((await signIn(app, jar(), PASSWORD, username)).statusCode, JSON.stringify(username.slice(0, 10))).toBe(
        401,
      );
    }
    expect((await entries(f, 'session.refused')).map((e) => e.actor.length).every((n) => n <= 60)).toBe(true);
  });

  it('an oversized password is refused like a wrong one, never cut down to a shorter one that matches, and never stored', async () => {
    const { app, f } = await setup();
    for (const password of [`${PASSWORD}${'x'.repeat(200)}`, 'x'.repeat(201), 'ب'.repeat(5_000), 'x'.repeat(60_000)]) {
      const res = await signIn(app, jar(), password);
      expect(res.statusCode, String(password.length)).toBe(401);
      expect(res.headers['set-cookie'] ?? '').not.toMatch(/nashra_session/);
    }
    expect(await entries(f, 'session.refused')).toHaveLength(4);
    // Beyond the form's limit (64 KB) the body is not read at all: no sign-in, nothing audited.
    expect((await signIn(app, jar(), 'x'.repeat(70_000))).statusCode).toBe(413);
    expect(await entries(f, 'session.refused')).toHaveLength(4);
    const long = await editors(f, 'passwd', 'mona', '--password-stdin')(`${'x'.repeat(201)}\n`);
    expect(long.code).toBe(1);
    expect(long.stderr).toContain('at most 200 characters');
    expect(await entries(f, 'editor.passwd')).toHaveLength(0);
    expect((await signIn(app, jar())).statusCode).toBe(303);
  });
});

describe('desk sessions', () => {
  it('a forged, copied or replayed session cookie signs nobody in and changes nothing', async () => {
    const { app, f } = await setup();
    const j = jar();
    await signIn(app, j);
    const page = await get(app, j, `/articles/${f.article.id}`);
    const cookie = j.cookies.get('nashra_session')!;
    const edit = { _csrf: csrfOf(page.body), title: 'hijacked', summary: 'x', hashtags: '' };
    const withCookie = (value: string) => {
      const other = jar();
      for (const [k, v] of j.cookies) other.cookies.set(k, v);
      other.cookies.set('nashra_session', value);
      return other;
    };

    // Forged values, and the stored hash itself (a copy of the database signs nobody in).
    const stored = (await f.db.sql('SELECT id FROM desk_sessions')).map((r) => r.id as string);
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toBe(cookie);
    const forged = [
      stored[0]!,
      cookie.slice(0, -1) + (cookie.endsWith('A') ? 'B' : 'A'),
      'A'.repeat(43),
      '%FF%FE%00',
      'x'.repeat(4000),
    ];
    for (const value of forged) {
      const other = withCookie(value);
      const res = await get(app, other, '/');
      expect(res.statusCode, value.slice(0, 12)).toBe(303);
      expect(res.headers.location).toBe('/login?expired=1');
      // Its form post is checked against the forged session: the editor's token does not match it.
      expect((await post(app, other, `/articles/${f.article.id}/edit`, edit)).statusCode, value.slice(0, 12)).toBe(403);
    }

    // Signed out: the same cookie, replayed, is an ended session; its page's form does nothing.
    expect((await post(app, j, '/logout', { _csrf: csrfOf(page.body) })).headers.location).toBe('/login');
    expect(await entries(f, 'session.logout')).toEqual([expect.objectContaining({ platform: 'desk', actor: 'mona' })]);
    const replay = withCookie(cookie);
    expect((await get(app, replay, '/')).headers.location).toBe('/login?expired=1');
    const late = await post(app, replay, `/articles/${f.article.id}/edit`, edit);
    expect(late.statusCode).toBe(401);
    expect((await post(app, withCookie(cookie), '/logout', { _csrf: csrfOf(page.body) })).headers.location).toBe(
      '/login',
    );
    expect(await entries(f, 'session.logout')).toHaveLength(1);

    expect((await f.data.repos.articles.get(f.article.id))!.title).not.toBe('hijacked');
    expect(await entries(f, 'article.edit')).toHaveLength(0);
    expect(await entries(f, 'session.login')).toHaveLength(1);
  });

  it('the first-run setup creates one account (one audit entry) and signs it in; two tabs racing create one', async () => {
    const { f, app } = await setup({}, { editor: false });
    await app.close();
    const desk = await startDesk(f.deps, { port: 0, host: '127.0.0.1' });
    try {
      const link = f.lines.map((l) => /(http:\/\/\S+\/setup\/\S+)/.exec(l)?.[1]).find(Boolean)!;
      const form = await fetch(link);
      const cookies = form.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const csrf = csrfOf(await form.text());
      const submit = (username: string, password: string) =>
        fetch(link, {
          method: 'POST',
          redirect: 'manual',
          body: new URLSearchParams({ _csrf: csrf, username, password, password2: password }),
          headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
        });
      const spoof = await submit('аdmin', PASSWORD);
      expect(spoof.status).toBe(400);
      // The setup page speaks Arabic: the newsroom's refusals in Arabic too.
      expect(await spoof.text()).toContain('«аdmin» يخلط حروفًا لاتينية أو سيريلية أو يونانية يشبه بعضها بعضًا');
      const long = await submit('first', 'x'.repeat(201));
      expect(long.status).toBe(400);
      const longPage = await long.text();
      expect(longPage).toContain('لا تزيد كلمة المرور على 200 حرف');
      expect(longPage).not.toContain('at most 200 characters');
      expect(await entries(f, 'editor.add')).toHaveLength(0);

      const raced = await Promise.all([submit('first', PASSWORD), submit('second', PASSWORD)]);
      expect(raced.map((r) => r.status).sort()).toEqual([303, 404]);
      const won = raced.find((r) => r.status === 303)!;
      const added = await entries(f, 'editor.add');
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({
        platform: 'desk',
        detail: { via: 'first-run setup', outlet: 'main', role: 'admin' },
      });
      const listed = (await editors(f, 'list')()).stdout.split('\n').filter((l) => /\t/.test(l));
      expect(listed).toHaveLength(2); // the header and one account
      // The installation's first account runs it: admin of main.
      expect(listed[1]).toMatch(/^\S+\tmain:admin\t/);
      // The winner is signed in by the cookie it was given.
      const session = won.headers
        .getSetCookie()
        .find((c) => c.startsWith('nashra_session='))!
        .split(';')[0]!;
      const today = await fetch(`${desk.url}/`, { headers: { cookie: session }, redirect: 'manual' });
      expect(today.status).toBe(200);
      expect(await today.text()).toContain(added[0]!.actor);
      expect((await fetch(link)).status).toBe(404);
    } finally {
      await desk.close();
    }
  });
});

describe('nashra ingest', () => {
  it('is a newsroom action: one audit entry per input, new or duplicate, with what was queued', async () => {
    const { f } = await setup();
    const sub = await f.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1001', kind: 'channel' },
      Date.now(),
    );
    const file = join(ROOT, 'samples/easc-topic3.txt');
    const ingest = () => runCliInProcess(['ingest', file], { env: f.db.env });
    const first = await ingest();
    expect(first.stderr).toBe('');
    const id = Number(/^(\d+)\tnew\t.*\(queued for 1 subscription\)$/m.exec(first.stdout)?.[1]);
    expect((await ingest()).stdout).toMatch(new RegExp(`^${id}\\tduplicate \\(guid\\)`, 'm'));
    expect((await entries(f, 'article.ingest')).reverse()).toEqual([
      expect.objectContaining({ platform: 'cli', actor: 'cli', detail: { article: id, queued: 1 } }),
      expect.objectContaining({ platform: 'cli', actor: 'cli', detail: { article: id, duplicate: 'guid' } }),
    ]);
    expect(
      (await f.db.sql(`SELECT subscription_id FROM jobs WHERE article_id = ? AND kind = 'post'`, id)).map(
        (d) => d.subscription_id,
      ),
    ).toEqual([sub.id]);
  });
});
