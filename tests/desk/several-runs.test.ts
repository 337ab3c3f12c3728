/**
 * The desk on several `nashra run` over one database (issue 24 §3), behind a proxy that may send each request to any
 * of them: a form a page of one run rendered is accepted by another. Its sessions are in the database; the CSRF
 * tokens were signed with a key made per process, so a sign-in page from one run and its form posted to another
 * was refused 403.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildDesk, csrfOf, deskFixture, get, jar, post, EDITOR, PASSWORD, type DeskFixture } from '../helpers/desk.js';

let fixture: DeskFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe('the desk served by several runs over one database', () => {
  it('a form rendered by one run is accepted by another: sign-in, then a form after it', async () => {
    fixture = await deskFixture();
    const one = await buildDesk(fixture.deps);
    const two = await buildDesk(fixture.deps);
    try {
      const j = jar();
      const login = await get(one, j, '/login');
      const signedIn = await post(two, j, '/login', {
        _csrf: csrfOf(login.body),
        username: EDITOR,
        password: PASSWORD,
      });
      expect(signedIn.statusCode).toBe(303);
      const today = await get(two, j, '/');
      expect(today.statusCode).toBe(200);
      const lang = await post(one, j, '/lang', { _csrf: csrfOf(today.body), lang: 'en', back: '/' });
      expect(lang.statusCode).toBe(303);
      // A token still has to be the session's own: one made up is refused by either.
      expect((await post(two, j, '/lang', { _csrf: 'forged', lang: 'ar', back: '/' })).statusCode).toBe(403);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
