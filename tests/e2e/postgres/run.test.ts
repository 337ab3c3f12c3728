/** `nashra run` on PostgreSQL: the newcomer's demo, then the run's lease and counters as several processes share them. */
import { describe, expect, it } from 'vitest';
import { WriteBehindCounters } from '../../../src/app/run-database.js';
import { runCliInProcess } from '../../helpers/cli.js';
import { freshPostgresDatabase, freshPostgresPorts, postgresUrl } from '../../helpers/postgres.js';

describe.skipIf(postgresUrl() === '')('nashra run on PostgreSQL', () => {
  it('runs the embedded demo once: its summaries printed, nothing twice on the next run', async () => {
    const env = { DATABASE_URL: await freshPostgresDatabase() };
    const first = await runCliInProcess(['run', '--once'], { env });
    expect(first.stderr).not.toMatch(/unexpected error|not on PostgreSQL/);
    expect(first.code).toBe(0);
    const queued = Number(/Demo: (\d+) sample articles queued/.exec(first.stdout)?.[1]);
    expect(queued).toBeGreaterThan(0);
    const printed = first.stdout.match(/^──── /gm) ?? [];
    expect(printed).toHaveLength(queued);
    const second = await runCliInProcess(['run', '--once'], { env });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('The demo already ran on this database (postgres://');
    expect(second.stdout).toContain('point DATABASE_URL at a new, empty database');
    expect(second.stdout).not.toMatch(/delete postgres/);
    expect(second.stdout.match(/^──── /gm) ?? []).toHaveLength(0);
  });

  it('a day counter answers at once and counts on from what an earlier process stored', async () => {
    const ports = await freshPostgresPorts();
    const earlier = new WriteBehindCounters(ports.runtime.counters);
    expect(earlier.get('whatsapp', '2026-12-07')).toBe(0);
    for (let i = 1; i <= 5; i++) expect(earlier.increment('whatsapp', '2026-12-07')).toBe(i);
    await expect.poll(() => ports.runtime.counters.get('whatsapp', '2026-12-07')).toBe(5);
    const restarted = new WriteBehindCounters(ports.runtime.counters);
    restarted.get('whatsapp', '2026-12-07');
    await expect.poll(() => restarted.get('whatsapp', '2026-12-07')).toBe(5);
    expect(restarted.increment('whatsapp', '2026-12-07')).toBe(6);
    expect(restarted.get('whatsapp', '2026-12-08')).toBe(0);
  });
});
