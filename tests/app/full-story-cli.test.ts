/** The «النص الكامل» button as a chat's setting from the CLI (`nashra subs set`), as a child process, rows read back. */
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { freshDatabase, type RawDatabase } from '../helpers/raw-db.js';

describe('nashra subs set --full-story', () => {
  let db: RawDatabase;
  const at = (...args: string[]) => runCliInProcess(args, { env: db.env });
  const column = () =>
    db.sql('SELECT subscription_id, full_story FROM subscription_templates ORDER BY subscription_id');

  it("shows the chat kind's default (on in a channel, off in a private chat), sets it either way and goes back to the default", async () => {
    db = await freshDatabase();
    expect((await at('subs', 'add', 'telegram', '-1007')).code).toBe(0);
    expect((await at('subs', 'add', 'telegram', '5005')).code).toBe(0);
    expect((await at('subs', 'set', '1')).stdout).toMatch(/^«النص الكامل» button: on \(default\)$/m);
    expect((await at('subs', 'set', '2')).stdout).toMatch(/^«النص الكامل» button: off \(default\)$/m);

    const on = await at('subs', 'set', '2', '--full-story');
    expect(on.stdout).toMatch(/updated \(changed: fullStory\)/);
    expect(on.stdout).toMatch(/^«النص الكامل» button: on$/m);
    expect((await at('subs', 'set', '1', '--no-full-story')).stdout).toMatch(/^«النص الكامل» button: off$/m);
    expect(await column()).toEqual([
      { subscription_id: 1, full_story: 0 },
      { subscription_id: 2, full_story: 1 },
    ]);

    expect((await at('subs', 'set', '1', '--default', 'full-story')).stdout).toMatch(
      /^«النص الكامل» button: on \(default\)$/m,
    );
    expect(await column()).toEqual([{ subscription_id: 2, full_story: 1 }]);
  });
});
