/**
 * The unit of work over SQLite (src/store/sqlite-ports.ts): one action's writes commit together or not at all, and
 * actions in one process that interleave at their `await`s never share a transaction. Read back from the database
 * file, through a second connection where it matters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLockedError, openStore, UnitOfWorkMisuse, type Store } from '../../src/store/index.js';
import type { Repositories } from '../../src/ports/index.js';
import { seededRandom } from '../helpers/child-run.js';

let dir: string;
let path: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nashra-uow-'));
  path = join(dir, 'nashra.db');
  store = openStore(path);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const NOW = Date.parse('2026-12-07T00:00:00Z');
const addFeed = (tx: Repositories, name: string) =>
  tx.sources.add({ url: `https://example.org/${name}.xml`, kind: 'rss', name }, NOW);
/** What another process sees: committed rows only. */
const committed = () => {
  const other = new Database(path, { readonly: true });
  try {
    return {
      sources: other.prepare('SELECT name FROM sources ORDER BY id').pluck().all() as string[],
      audit: other.prepare('SELECT action FROM audit_log ORDER BY id').pluck().all() as string[],
    };
  } finally {
    other.close();
  }
};

describe('unit of work (SQLite)', () => {
  it('is one transaction: every write of a unit, audit included, commits together or not at all', async () => {
    const { uow } = store.ports();
    const source = await uow.run(async (tx) => {
      const s = await addFeed(tx, 'kept');
      await tx.audit.record('cli', 'cli', 'source.add', { source: s.id }, NOW);
      return s;
    });
    expect(source.name).toBe('kept');
    const failed = uow.run(async (tx) => {
      const s = await addFeed(tx, 'lost');
      await tx.audit.record('cli', 'cli', 'source.add', { source: s.id }, NOW);
      await tx.sources.recordFetch(s.id, { status: 'HTTP 200', nextFetchAt: NOW }, NOW);
      throw new Error('the action changed its mind');
    });
    await expect(failed).rejects.toThrow('the action changed its mind');
    expect(committed()).toEqual({ sources: ['kept'], audit: ['source.add'] });
  });

  it('isolates units that interleave at their awaits: one fails and rolls back only its own writes', async () => {
    const { uow, repos } = store.ports();
    const events: string[] = [];
    // Started together, neither awaited before the other: each yields at every await, as two requests would.
    const failing = uow.run(async (tx) => {
      events.push('a begins');
      await addFeed(tx, 'a1');
      await tx.audit.record('cli', 'cli', 'source.add', {}, NOW);
      await addFeed(tx, 'a2');
      events.push('a fails');
      throw new Error('a fails');
    });
    const passing = uow.run(async (tx) => {
      events.push('b begins');
      // b never sees a's writes, made (and rolled back) before b's transaction began.
      const seen = (await tx.sources.list()).map((s) => s.name);
      await addFeed(tx, 'b1');
      await tx.audit.record('cli', 'cli', 'source.add', {}, NOW);
      events.push('b commits');
      return seen;
    });
    // A read outside any unit, asked while a's is open: it waits its turn (after b, asked before it), and never
    // sees a's uncommitted rows.
    const outside = repos.sources.list();
    await expect(failing).rejects.toThrow('a fails');
    expect(await passing).toEqual([]);
    expect((await outside).map((s) => s.name)).toEqual(['b1']);
    expect(events).toEqual(['a begins', 'a fails', 'b begins', 'b commits']);
    expect(committed()).toEqual({ sources: ['b1'], audit: ['source.add'] });
    expect((await repos.sources.list()).map((s) => s.name)).toEqual(['b1']);
  });

  it('refuses as busy a write of code outside an open unit (the worker recording an answer), which then commits after it', async () => {
    const { uow } = store.ports();
    let unitOpen!: () => void;
    const opened = new Promise<void>((resolve) => {
      unitOpen = resolve;
    });
    let outsideWrite: unknown;
    const failing = uow.run(async (tx) => {
      await addFeed(tx, 'unit');
      unitOpen();
      // Yields to the outsider's continuation, queued by the resolve above, while the transaction is open.
      await tx.audit.record('cli', 'cli', 'source.add', {}, NOW);
      await tx.sources.list();
      throw new Error('the unit rolls back');
    });
    const outsider = opened.then(() => {
      try {
        store.transaction(() => store.audit.record('cli', 'worker', 'source.remove', {}, NOW));
      } catch (err) {
        outsideWrite = err;
      }
    });
    await expect(failing).rejects.toThrow('the unit rolls back');
    await outsider;
    // Refused, not joined: the rollback did not take it. The worker's own retry then writes it.
    expect(isLockedError(outsideWrite)).toBe(true);
    expect(committed()).toEqual({ sources: [], audit: [] });
    store.transaction(() => store.audit.record('cli', 'worker', 'source.remove', {}, NOW));
    expect(committed()).toEqual({ sources: [], audit: ['source.remove'] });
  });

  it('keeps exactly the writes of the units that succeeded, whatever the mix (seeded)', async () => {
    const { uow } = store.ports();
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      const expected: string[] = [];
      const units = Array.from({ length: 30 }, (_, i) => {
        const name = `s${seed}-${i}`;
        const fails = random() < 0.4;
        const writes = 1 + Math.floor(random() * 3);
        if (!fails) expected.push(...Array.from({ length: writes }, (_, w) => `${name}-${w}`));
        return uow
          .run(async (tx) => {
            for (let w = 0; w < writes; w++) {
              const s = await addFeed(tx, `${name}-${w}`);
              await tx.audit.record('cli', 'cli', 'source.add', { source: s.id }, NOW);
              if (random() < 0.5) await tx.sources.list();
            }
            if (fails) throw new Error(name);
          })
          .then(
            () => 'ok',
            () => 'failed',
          );
      });
      await Promise.all(units);
      const all = committed();
      expect(all.sources.filter((n) => n.startsWith(`s${seed}-`))).toEqual(expected);
    }
    expect(committed().audit.length).toBe(committed().sources.length);
  });

  it('refuses a unit that awaits something other than its repositories, rolls it back, and goes on', async () => {
    const { uow } = store.ports();
    const slow = uow.run(async (tx) => {
      await addFeed(tx, 'slow');
      await new Promise((resolve) => setTimeout(resolve, 20)); // a fetch inside a transaction
      await addFeed(tx, 'late');
    });
    const next = uow.run(async (tx) => addFeed(tx, 'next'));
    await expect(slow).rejects.toThrow(UnitOfWorkMisuse);
    expect((await next).name).toBe('next');
    expect(committed().sources).toEqual(['next']);
    // The slow unit's work goes on after it was refused: its late write finds the unit over, and writes nothing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(committed().sources).toEqual(['next']);
  });

  it('refuses, rather than waiting for ever, a unit that reaches outside its tx or opens another unit', async () => {
    const { uow, repos } = store.ports();
    const outside = uow.run(async (tx) => {
      await addFeed(tx, 'outside');
      return repos.sources.list(); // waits behind the unit that waits for it
    });
    await expect(outside).rejects.toThrow(UnitOfWorkMisuse);
    const nested = uow.run(async (tx) => {
      await addFeed(tx, 'nested');
      return uow.run(async (inner) => addFeed(inner, 'inner'));
    });
    await expect(nested).rejects.toThrow(UnitOfWorkMisuse);
    // The nested unit ran once the outer one was refused: its own write is its own.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(committed().sources).toEqual(['inner']);
  });

  it('refuses the repositories of a unit that ended', async () => {
    const { uow } = store.ports();
    let kept: Repositories | undefined;
    await uow.run(async (tx) => {
      kept = tx;
    });
    await expect(addFeed(kept!, 'after')).rejects.toThrow(UnitOfWorkMisuse);
    expect(committed().sources).toEqual([]);
  });

  it("a unit waits for another process's write lock, and past the busy timeout fails having written nothing", {
    timeout: 20_000,
  }, async () => {
    const { uow } = store.ports();
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    const err = await uow
      .run(async (tx) => addFeed(tx, 'locked out'))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isLockedError(err)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4500);
    other.exec('ROLLBACK');
    other.close();
    expect(committed().sources).toEqual([]);
    expect((await uow.run(async (tx) => addFeed(tx, 'after the lock'))).name).toBe('after the lock');
  });
});
