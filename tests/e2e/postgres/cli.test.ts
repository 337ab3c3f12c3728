/** The CLI on PostgreSQL (DATABASE_URL), as an operator meets it: the same commands, the same answers. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliInProcess } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { expectUserError } from '../../helpers/user-error.js';
import { freshPostgresDatabase, postgresUrl } from '../../helpers/postgres.js';

describe('DATABASE_URL', () => {
  it('refuses what is not a PostgreSQL URL, naming the variable', async () => {
    for (const url of ['not a url', 'mysql://root@127.0.0.1/nashra', 'file:///tmp/nashra.db']) {
      const r = await runCliInProcess(['latest'], { env: { DATABASE_URL: url } });
      expect(r.code, url).toBe(78);
      expect(r.stderr).toMatch(/DATABASE_URL: (is not a URL|names a \w+ database)/);
    }
  });

  it('says which server it could not reach, with its password masked everywhere', async () => {
    const r = await runCliInProcess(['latest'], {
      env: { DATABASE_URL: 'postgres://nashra:s3cr%40t-pw@127.0.0.1:1/nashra' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot open the PostgreSQL database');
    expect(r.stderr + r.stdout).not.toMatch(/s3cr/);
  });

  describe.skipIf(postgresUrl() === '')('on a live cluster', () => {
    it('adds a subscription and lists it back', async () => {
      const env = { DATABASE_URL: await freshPostgresDatabase() };
      const added = await runCliInProcess(['subs', 'add', 'telegram', '-1001234', '--topics', 'سوريا,اقتصاد'], { env });
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      const listed = await runCliInProcess(['subs', 'list'], { env });
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('-1001234');
      expect(listed.stdout).toContain('سوريا');
    });

    it('backs up with pg_dump, a file pg_restore reads', async () => {
      const env = { DATABASE_URL: await freshPostgresDatabase() };
      const { dir, cleanup } = tempDir('nashra-pg-backup-');
      try {
        const target = join(dir, 'nashra.dump');
        const r = await runCliInProcess(['backup', target], { env });
        expect(r.stderr).toBe('');
        expect(r.stdout).toContain('backed up the PostgreSQL database');
        expect(readFileSync(target).subarray(0, 5).toString()).toBe('PGDMP');
        expectUserError(
          await runCliInProcess(['backup', target], { env }),
          /exists; choose another file or add --force/,
        );
      } finally {
        cleanup();
      }
    });
  });
});
