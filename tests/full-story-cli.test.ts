/** The «النص الكامل» button as a chat's setting from the CLI (`nashra subs set`), as a child process, rows read back. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('nashra subs set --full-story', () => {
  const db = join(tmp.dir, 'full.db');
  const at = (...args: string[]) => runCliInProcess([...args, '--db', db]);
  const column = () => {
    const d = new Database(db, { readonly: true });
    try { return d.prepare('SELECT subscription_id, full_story FROM subscription_templates ORDER BY subscription_id').all(); } finally { d.close(); }
  };

  it('shows the chat kind\'s default (on in a channel, off in a private chat), sets it either way and goes back to the default', async () => {
    expect((await at('subs', 'add', 'telegram', '-1007')).code).toBe(0);
    expect((await at('subs', 'add', 'telegram', '5005')).code).toBe(0);
    expect((await at('subs', 'set', '1')).stdout).toMatch(/^«النص الكامل» button: on \(default\)$/m);
    expect((await at('subs', 'set', '2')).stdout).toMatch(/^«النص الكامل» button: off \(default\)$/m);

    const on = await at('subs', 'set', '2', '--full-story');
    expect(on.stdout).toMatch(/updated \(changed: fullStory\)/);
    expect(on.stdout).toMatch(/^«النص الكامل» button: on$/m);
    expect((await at('subs', 'set', '1', '--no-full-story')).stdout).toMatch(/^«النص الكامل» button: off$/m);
    expect(column()).toEqual([{ subscription_id: 1, full_story: 0 }, { subscription_id: 2, full_story: 1 }]);

    expect((await at('subs', 'set', '1', '--default', 'full-story')).stdout).toMatch(/^«النص الكامل» button: on \(default\)$/m);
    expect(column()).toEqual([{ subscription_id: 2, full_story: 1 }]);
  });
});
