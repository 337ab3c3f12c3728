/**
 * The leases several `nashra run` share on PostgreSQL (src/app/senders.ts), two runs' worth of them over one real
 * database: a pinned platform (a WhatsApp session's Chromium) started by one run only, the others leaving it out in
 * one log line; a sender driven by one run at a time; a released sender taken by the other, which recovers that
 * platform's jobs left `sending` and no other platform's. The takeover after a SIGKILL: tests/e2e/postgres/workers.test.ts.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { PlatformAdapter, Transport } from '../../../src/delivery/platform.js';
import { senderIdentity } from '../../../src/delivery/platform.js';
import { postgresRunDatabase } from '../../../src/app/run-database.js';
import { SENDER_TTL_MS, SenderLeases, SenderShare } from '../../../src/app/senders.js';
import { createLogger } from '../../../src/logger.js';
import pg from 'pg';
import { openPostgres } from '../../../src/store/postgres/database.js';
import { writeLockOf } from '../../../src/store/postgres/ports.js';
import { freshPostgresDatabase, freshPostgresPorts, postgresUrl } from '../../helpers/postgres.js';

const TOKEN = '123456:AAE-not-a-real-token-for-the-lease-test';

function transport(platform: string, sender?: string): Transport {
  return { platform, sender, concurrency: 1, isReady: () => true, send: async () => ({}) } as Transport;
}

function adapter(name: string, pin?: string): PlatformAdapter & { stopped: number } {
  const a = {
    name,
    pin,
    transport: transport(name),
    stopped: 0,
    start: async () => undefined,
    stop: async () => {
      a.stopped++;
    },
    isConnected: () => true,
  };
  return a;
}

async function run(
  name: string,
  ports: Awaited<ReturnType<typeof freshPostgresPorts>>,
  opts: { pid?: number; dead?: number[] } = {},
) {
  const lines: string[] = [];
  const db = await postgresRunDatabase(ports, 'postgres://test');
  const leases = new SenderLeases(db, createLogger({ level: 'info', write: (l) => lines.push(l) }), {
    holder: name,
    info: { pid: opts.pid ?? 1, host: 'here' },
    host: 'here',
    policy: 'hold',
    processExists: (pid) => !(opts.dead ?? []).includes(pid),
    onTaken: () => undefined,
  });
  onTestFinished(() => leases.release());
  return { leases, lines };
}

/** Ports over a new database and a client of the test's own to read its rows; both closed after the test. */
async function portsAndClient() {
  const url = await freshPostgresDatabase();
  const ports = await openPostgres(url);
  onTestFinished(() => ports.close());
  const raw = new pg.Client(url);
  await raw.connect();
  onTestFinished(() => raw.end());
  return { ports, raw, url };
}

describe.skipIf(postgresUrl() === '')('sender and pin leases of several runs on one PostgreSQL database', () => {
  it('a pinned platform is started by one run only; the other leaves it out in one line; a dead holder of this host is taken over at once', async () => {
    const ports = await freshPostgresPorts();
    const a = await run('a', ports, { pid: 101 });
    const b = await run('b', ports, { pid: 102 });
    const wa = adapter('whatsapp', '/srv/nashra/whatsapp-session');
    const tg = adapter('telegram');
    expect((await a.leases.pinned([tg, wa])).map((p) => p.name)).toEqual(['telegram', 'whatsapp']);
    expect((await b.leases.pinned([tg, wa])).map((p) => p.name)).toEqual(['telegram']);
    expect(b.lines.filter((l) => /whatsapp is left out: another nashra run drives it/.test(l))).toHaveLength(1);
    expect(await ports.runtime.leases.holder('whatsapp:/srv/nashra/whatsapp-session')).toMatchObject({
      holder: 'a',
      pid: 101,
    });
    // Run a's process is gone (SIGKILL) on this host: a restarted run here takes the session at once, not after the TTL.
    const c = await run('c', ports, { pid: 103, dead: [101] });
    expect((await c.leases.pinned([wa])).map((p) => p.name)).toEqual(['whatsapp']);
    expect(await ports.runtime.leases.holder('whatsapp:/srv/nashra/whatsapp-session')).toMatchObject({
      holder: 'c',
      pid: 103,
    });
  });

  it("a sender is driven by one run at a time, named by its token's hash (never the token); released, the other takes it within a second", async () => {
    const { ports, raw } = await portsAndClient();
    const a = await run('a', ports);
    const b = await run('b', ports);
    const tg = transport('telegram', senderIdentity(TOKEN));
    await a.leases.claim([tg]);
    await b.leases.claim([tg]);
    expect(a.leases.owns(tg)).toBe(true);
    expect(b.leases.owns(tg)).toBe(false);
    const rows = await raw.query('SELECT name, holder FROM leases');
    // The holder is this take of the run's (`<run>#<n>`): the fence of the jobs' writes (tests/store/postgres/sender-fence.test.ts).
    expect(rows.rows).toEqual([{ name: `send:telegram:${senderIdentity(TOKEN)}`, holder: 'a#1' }]);
    expect(JSON.stringify(rows.rows)).not.toContain(TOKEN.split(':')[1]);
    expect(senderIdentity(TOKEN)).toMatch(/^[0-9a-f]{12}$/);

    // a stops (releases its leases): a rate window after its last request (1.1 s: Telegram's limits count per
    // second), b takes the sender at its next try (every second).
    const asked = performance.now();
    await a.leases.release();
    expect(performance.now() - asked).toBeGreaterThanOrEqual(1_100);
    await expect.poll(() => b.leases.owns(tg), { timeout: 3_000 }).toBe(true);
    expect(a.leases.owns(tg)).toBe(false);
    expect(b.lines.some((l) => /took over a sender/.test(l))).toBe(false); // released, not lapsed: nobody held it
  });

  it("taken at once from a dead holder of this machine, a sender sends from a rate window later: the dead run's last second still counts at Telegram", async () => {
    const { ports, raw } = await portsAndClient();
    const a = await run('a', ports, { pid: 201 });
    const tg = transport('telegram', senderIdentity(TOKEN));
    await a.leases.claim([tg]);
    expect(a.leases.owns(tg)).toBe(true);
    // Run a's process is gone (SIGKILL) on this host: c takes the lease at once, and sends 1.1 s after the take.
    const c = await run('c', ports, { pid: 202, dead: [201] });
    const asked = performance.now();
    await c.leases.claim([tg]);
    expect((await raw.query('SELECT holder FROM leases')).rows).toEqual([{ holder: 'c#1' }]);
    await expect.poll(() => c.leases.owns(tg), { timeout: 5_000, interval: 20 }).toBe(true);
    expect(performance.now() - asked).toBeGreaterThanOrEqual(1_100);
  });

  it("a run that loses a pinned platform's lease stops it and lets its sender go", async () => {
    const { ports, raw } = await portsAndClient();
    const a = await run('a', ports);
    const wa = adapter('whatsapp', '/srv/wa');
    expect(await a.leases.pinned([wa])).toEqual([wa]);
    await a.leases.claim([wa.transport]);
    expect(a.leases.owns(wa.transport)).toBe(true);
    // Another run took the session after a's lease lapsed (a stalled): a's next renewal finds it gone.
    await raw.query(`UPDATE leases SET holder = 'b' WHERE name = 'whatsapp:/srv/wa'`);
    await expect.poll(() => wa.stopped, { timeout: 5_000 }).toBe(1);
    expect(a.leases.owns(wa.transport)).toBe(false);
    // The platform is told to stop first, then the sender's lease is released: that write may land a moment later.
    await expect
      .poll(async () => (await raw.query(`SELECT name FROM leases WHERE name = 'send:whatsapp'`)).rows, {
        timeout: 5_000,
      })
      .toEqual([]);
    expect(a.lines.some((l) => /lost whatsapp's lease to another nashra run; it stops here/.test(l))).toBe(true);
  });
});

describe.skipIf(postgresUrl() === '')('sender leases under load', () => {
  it('renewed while the write lock is held past the lease (11 s against 9): never lapses, and the run keeps its sender', async () => {
    const { ports, raw, url } = await portsAndClient();
    const a = await run('a', ports);
    const tg = transport('telegram', senderIdentity(TOKEN));
    await a.leases.claim([tg]);
    expect(a.leases.owns(tg)).toBe(true);
    // Another process's unit holds the outlet's write lock (as the worker's queued units of a loaded run do, one after
    // the other, for seconds): every write through the lock waits.
    const holder = new pg.Client(url);
    await holder.connect();
    onTestFinished(() => holder.end());
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1)', [writeLockOf('public')]);
    const until = Date.now() + SENDER_TTL_MS + 2_000;
    let lowest = Infinity;
    while (Date.now() < until) {
      const { rows } = await raw.query<{ left: string }>(
        `SELECT expires_at - $1::bigint AS left FROM leases WHERE name = $2`,
        [Date.now(), SenderLeases.leaseName(tg)],
      );
      lowest = Math.min(lowest, Number(rows[0]!.left));
      await new Promise((r) => setTimeout(r, 200));
    }
    await holder.query('COMMIT');
    // The lease's row never ran out (a renewal every 2 s, none waiting for the lock) and the run still sends.
    expect(lowest).toBeGreaterThan(0);
    expect(a.leases.owns(tg)).toBe(true);
    expect(a.lines.filter((l) => /lost a sender's lease|could not renew/.test(l))).toEqual([]);
  }, 30_000);

  it('3 runs share 6 tokens 2/2/2: the first run, alone at first, took all 6 and gives 4 back as the others join', async () => {
    const { ports, raw } = await portsAndClient();
    const db = await postgresRunDatabase(ports, 'postgres://test');
    const tokens = Array.from({ length: 6 }, (_, i) => transport('telegram', senderIdentity(`${TOKEN}-${i}`)));
    /** A run serving 6 outlets (one token each) with one share, as `nashra run` does; its run lease held meanwhile. */
    const runOf = async (name: string) => {
      await db.acquireLease(`run:${name}`, name, 60_000, {});
      const share = new SenderShare();
      const lines: string[] = [];
      const outlets = tokens.map(
        () =>
          new SenderLeases(db, createLogger({ level: 'info', write: (l) => lines.push(l) }), {
            holder: name,
            info: { pid: 1, host: 'here' },
            host: 'here',
            policy: 'hold',
            processExists: () => true,
            onTaken: () => undefined,
            share,
            inFlight: () => 0,
          }),
      );
      for (const o of outlets) onTestFinished(() => o.release());
      for (const [i, o] of outlets.entries()) await o.claim([tokens[i]!]);
      return { held: () => outlets.filter((o, i) => o.owns(tokens[i]!)).length, lines };
    };
    const a = await runOf('a');
    expect(a.held()).toBe(6);
    const b = await runOf('b');
    const c = await runOf('c');
    // The runs alive are counted every 5 s, and a run gives one token back at a time: generous, the machine is loaded.
    await expect.poll(() => [a.held(), b.held(), c.held()], { timeout: 60_000, interval: 500 }).toEqual([2, 2, 2]);
    const holders = (
      await raw.query<{ holder: string }>(`SELECT holder FROM leases WHERE name LIKE 'send:%' AND expires_at > $1`, [
        Date.now(),
      ])
    ).rows;
    expect(holders.map((h) => h.holder.split('#')[0]).sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    // Given back, not lapsed: nothing was in doubt, no takeover.
    expect(a.lines.filter((l) => /gave a sender back/.test(l))).toHaveLength(4);
    expect([...b.lines, ...c.lines].some((l) => /took over a sender/.test(l))).toBe(false);
  }, 90_000);
});

describe.skipIf(postgresUrl() === '')('--once and a sender another run holds (settle)', () => {
  it('held by a run of another machine that died: waited for until its lease lapses, then taken; held by a live run: left to it', async () => {
    const { ports, raw } = await portsAndClient();
    const tg = transport('telegram', senderIdentity(TOKEN));
    const name = SenderLeases.leaseName(tg);
    // A run on another host died holding the token 3 s before its lease ends (no renewal will come).
    await raw.query(
      `INSERT INTO leases (name, holder, pid, host, expires_at) VALUES ($1, 'far#1', 7, 'elsewhere', $2)`,
      [name, Date.now() + 3_000],
    );
    const once = await run('once', ports);
    await once.leases.claim([tg]);
    expect(once.leases.owns(tg)).toBe(false);
    await once.leases.settle();
    expect(once.leases.owns(tg)).toBe(true);
    expect(once.lines.some((l) => /took over a sender/.test(l))).toBe(true);

    // A live run holds it (renews it): settle returns without it, within about one renewal, and it stays that run's.
    const { ports: other } = await portsAndClient();
    const live = await run('live', other);
    await live.leases.claim([tg]);
    const second = await run('second', other);
    await second.leases.claim([tg]);
    const started = Date.now();
    await second.leases.settle();
    expect(Date.now() - started).toBeLessThan(SENDER_TTL_MS);
    expect(second.leases.owns(tg)).toBe(false);
    expect(live.leases.owns(tg)).toBe(true);
  }, 60_000);
});
