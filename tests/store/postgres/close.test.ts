/**
 * Closing the PostgreSQL store while work waits for one of its connections (a crash simulated by closing it, `nashra
 * run` stopping): what waits fails at once, what has its connection runs to its end, and close() returns. pg-pool
 * serves no request queued for a connection once the pool is ending, so without PostgresPorts' own signal such a
 * request, and every unit queued behind it, waited for ever (tests/e2e/outbox-property.test.ts hung 600 s in CI).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../../src/store/postgres/database.js';
import { newPostgresDatabase, postgresUrl } from '../../helpers/postgres.js';

describe.skipIf(postgresUrl() === '')('closing the PostgreSQL store while work waits for a connection', () => {
  it('fails the queued read and the queued unit, lets the unit that holds the connection finish, and returns', async () => {
    const { url, drop } = await newPostgresDatabase({ migrated: true });
    try {
      // One connection: a unit holding it makes every other statement wait in pg-pool's queue.
      const ports = await openPostgres(url, { max: 1 });
      let inside!: () => void;
      const holding = new Promise<void>((resolve) => {
        inside = resolve;
      });
      let letGo!: () => void;
      const gate = new Promise<void>((resolve) => {
        letGo = resolve;
      });
      const unit = ports.run(async (tx) => {
        const sources = await tx.sources.list();
        inside();
        await gate;
        return sources.length;
      });
      await holding;
      const queuedRead = ports.repos.sources.list();
      const queuedUnit = ports.repos.sources.add({ url: 'https://late.example/feed', kind: 'rss', name: 'متأخر' }, 0);
      // Each settles (or not) as it will; their outcome is read below.
      const settled = Promise.allSettled([queuedRead, queuedUnit]);

      const closing = ports.close();
      const [read, write] = await settled;
      expect(read).toMatchObject({
        status: 'rejected',
        reason: { message: 'the database was closed (the run stopped)' },
      });
      expect(write).toMatchObject({
        status: 'rejected',
        reason: { message: 'the database was closed (the run stopped)' },
      });
      letGo();
      expect(await unit).toBe(0);
      await closing;
      expect(ports.isOpen()).toBe(false);

      // The queued unit wrote nothing; the connection the first unit held went back and was closed.
      const reader = new pg.Client({ connectionString: url });
      await reader.connect();
      const { rows } = await reader.query<{ n: string }>('SELECT count(*) AS n FROM sources');
      const others = await reader.query<{ n: string }>(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      await reader.end();
      expect(Number(rows[0]!.n)).toBe(0);
      expect(Number(others.rows[0]!.n)).toBe(0);
    } finally {
      await drop();
    }
  });
});
