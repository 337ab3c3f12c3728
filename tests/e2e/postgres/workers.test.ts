/**
 * Several `nashra run` on one PostgreSQL database (issue 24 §3, §6): real child processes (the built CLI, `npm run
 * build` first) against the fake Bot API, one bot token. One run at a time drives the token; a SIGKILLed holder's
 * token is taken over by another run within 10 s, and what it left on the wire is in doubt, never sent twice. The
 * issue's full kill test (3 runs, 20 kills, 10,000 deliveries) is `npm run bench -- kill-pg`; here a seeded smaller one.
 * A holder frozen (SIGSTOP) until another run took the token over, then thawed, three times: before the sender's
 * fence (src/app/senders.ts) it sent one message twice in about one run of four under load; the window itself, made
 * deterministic in one process, is tests/store/postgres/sender-fence.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { describeKill, killTest, type KillFigures } from '../../../bench/kill-pg.js';
import { transportConcurrency } from '../../../bots/telegram/transport.js';
import { freshPostgresDatabase, postgresUrl } from '../../helpers/postgres.js';

const RATE = 100;

function expectExactlyOnce(f: KillFigures): void {
  expect(f.duplicates).toBe(0);
  expect(f.lost).toBe(0);
  expect(f.sent + f.inDoubt).toBe(f.deliveries);
  // In doubt: only what the holder had on the wire when it was killed (a non-holder's kill leaves nothing).
  expect(f.inDoubt).toBeLessThanOrEqual(f.onWireAtHolderKills.reduce((a, b) => a + b, 0));
  for (const n of f.onWireAtHolderKills) expect(n).toBeLessThanOrEqual(transportConcurrency(RATE));
  for (const ms of f.takeoverMs) expect(ms).toBeLessThanOrEqual(10_000);
  // One run sends at a time: the runs' limiters, each at the fake's own limit, never add up past it.
  expect(f.rateLimited429).toBe(0);
}

describe.skipIf(postgresUrl() === '')('several nashra run on one PostgreSQL database', () => {
  it('two runs: one holds the token; SIGKILLed, the other takes it over within 10 s and the broadcast completes exactly once', async () => {
    const o = {
      seed: 1,
      runs: 2,
      kills: 1,
      pick: 'holder' as const,
      subscribers: 100,
      articles: 8,
      rate: RATE,
      gapMs: [2000, 2001] as [number, number],
    };
    const f = await killTest({ ...o, url: await freshPostgresDatabase() });
    console.log(describeKill(o, f));
    expect(f.holderKills).toBe(1);
    expect(f.takeoverMs).toHaveLength(1);
    expectExactlyOnce(f);
  }, 120_000);

  it('a holder frozen (SIGSTOP) until another run took the token over, then thawed, three times (seeded): none twice, none lost, no 429', async () => {
    const o = {
      seed: 2,
      runs: 2,
      kills: 3,
      pick: 'holder' as const,
      freeze: true,
      subscribers: 40,
      articles: 6,
      rate: RATE,
      gapMs: [800, 1500] as [number, number],
    };
    const f = await killTest({ ...o, url: await freshPostgresDatabase() });
    console.log(describeKill(o, f));
    expect(f.holderKills).toBe(3);
    expectExactlyOnce(f);
  }, 180_000);

  it('three runs, a random one SIGKILLed 5 times during 2,000 deliveries (seeded): none twice, none lost, each takeover ≤ 10 s', async () => {
    const o = {
      seed: 20261207,
      runs: 3,
      kills: 5,
      subscribers: 100,
      articles: 20,
      rate: RATE,
      gapMs: [1000, 3000] as [number, number],
    };
    const f = await killTest({ ...o, url: await freshPostgresDatabase() });
    console.log(describeKill(o, f));
    expect(f.kills).toBe(5);
    expect(f.holderKills).toBeGreaterThanOrEqual(1);
    expectExactlyOnce(f);
  }, 240_000);
});
