/**
 * The ports (src/ports) over PostgreSQL: the second adapter, for a newsroom whose database is served over the network
 * to several Nashra processes (issue 24). It keeps the promises SQLite's adapter keeps (src/store/sqlite-ports.ts):
 *
 * - A unit of work is one transaction on one client checked out of the pool for it, and every statement of the unit
 *   goes through its `tx`; `tx` used after the unit ended throws.
 * - Writers take turns, as on SQLite: a unit, and a write made outside any unit, first take one transaction-scoped
 *   advisory lock (`WRITE_LOCK`), so the newsroom's read-then-write steps (a compare-and-set on a broadcast, the
 *   worker's claim of a batch) see no other writer between their read and their write, whichever process it is in.
 *   Reads outside a unit take no lock: they see what was committed. Waiting longer than `LOCK_WAIT` for the lock is
 *   refused as busy (`isBusy`), nothing written, like SQLite's busy timeout.
 * - A unit asked inside a unit, or a write made outside the unit from inside its work, would wait for the lock the
 *   unit holds for ever: refused at once (UnitOfWorkMisuse).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import type pg from 'pg';
import { StoreClosedError } from '../../errors.js';
import type { DataPorts, Repositories, UnitOfWork } from '../../ports/index.js';
import { UnitOfWorkMisuse } from '../sqlite-ports.js';
import { pgRepositories } from './repositories.js';
import { PostgresRuntime } from './runtime.js';
import { query, type Columns, type Sql, type Statement, type Values } from './sql.js';
import { redact } from './url-password.js';

/** The connection string's password never enters an error or a log line. */
export { redact };

/** The advisory lock every writer of the first outlet (`public`) takes: one number ("nashra" in ASCII). */
const WRITE_LOCK = 0x6e61736872;

/**
 * The write lock of an outlet's schema: `public`'s is WRITE_LOCK; another outlet's writers take turns among
 * themselves only (an outlet's rows are in its own schema, so two outlets' writes never meet), under a 32-bit hash of
 * the schema's name (FNV-1a), below 2^32 and so never the same number as the locks above it here and in database.ts.
 */
export function writeLockOf(schema: string): number {
  if (schema === 'public') return WRITE_LOCK;
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(`nashra:${schema}`)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}
/** As long as SQLite's busy timeout (src/store/index.ts). */
const LOCK_WAIT = '5s';

/** PostgreSQL's error codes for a write refused because others hold the database: nothing written, try again. */
const BUSY_CODES = new Set(['55P03', '40001', '40P01']);
/**
 * Errors no retry inside the process fixes: the server's disk is full, it is read-only, shutting down or not there,
 * the data is damaged, or it ended a unit left idle too long (25P03: this process was frozen holding the write lock,
 * src/store/postgres/database.ts). The run stops; what was not written is done after the restart.
 */
const FAULT_CODES = /^(53|57P|58|XX|08|25P03)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

export class PostgresPorts implements DataPorts, UnitOfWork {
  readonly uow: UnitOfWork = this;
  readonly repos: Repositories;
  /** The run's own tables (lease, day counters, platform states, the demo's rows), over the pool's statements. */
  readonly runtime: PostgresRuntime;
  private readonly unitScope = new AsyncLocalStorage<object>();
  /** Resolved once the unit begun last in this process has its write lock (or failed to): see locked(). */
  private lockTurn: Promise<void> = Promise.resolve();
  private ended = false;
  /**
   * Rejected by close(), so that what waits for one of the pools' connections then fails instead of waiting for ever:
   * pg-pool serves no request queued for a connection once the pool is ending (pg-pool 3.14, `_pulseQueue`), and a
   * unit queued so never ended, nor did every unit of this process queued behind it (lockTurn), nor what awaited them.
   * A crash simulated by closing the store (tests/e2e/outbox-property.test.ts) hung the dead worker's drain for good
   * in 4 of about 25 runs of that file, three or four at once: the dead pool ended, one request still waiting. A
   * unit that already has its connection runs to its end, and pool.end() waits for it; a read under way is answered
   * at once, as SQLite's closed store answers, its statement left to end on its own.
   */
  private readonly closed: Promise<never>;
  private sayClosed!: () => void;

  constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly schema = 'public',
    private readonly renewals = pool,
  ) {
    this.closed = new Promise<never>((_, reject) => {
      this.sayClosed = () => reject(new StoreClosedError());
    });
    this.closed.catch(() => undefined); // heard by what waits for a connection at close(), if anything does
    this.repos = pgRepositories(this.outside());
    this.runtime = new PostgresRuntime(this.outside(), this.unlocked(renewals));
  }

  isStorageFault(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' && (FAULT_CODES.test(code) || NETWORK_CODES.has(code));
  }

  isBusy(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' && BUSY_CODES.has(code);
  }

  isOpen(): boolean {
    return !this.ended;
  }

  /** pg_dump's custom format (restored with pg_restore), consistent while the service writes. */
  backup(destination: string): Promise<void> {
    return new Promise((resolve, reject) => {
      // The first outlet's backup is the whole database (every outlet's schema); another outlet's is its schema.
      const only = this.schema === 'public' ? [] : ['--schema', this.schema];
      const dump = spawn('pg_dump', ['--format=custom', ...only, '--file', destination, '--dbname', this.url], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      dump.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      dump.on('error', (err) =>
        reject(
          new Error(
            `pg_dump could not be started (${err.message}); install PostgreSQL's client tools (Debian: postgresql-client)`,
          ),
        ),
      );
      dump.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`pg_dump failed (${code}): ${redact(stderr.trim(), this.url)}`)),
      );
    });
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.sayClosed();
    await this.pool.end();
    if (this.renewals !== this.pool) await this.renewals.end();
  }

  run<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    if (this.unitScope.getStore() !== undefined)
      return Promise.reject(new UnitOfWorkMisuse('a unit of work began inside another unit of work'));
    const unit = {};
    return this.locked((sql) => this.unitScope.run(unit, () => work(pgRepositories(sql))));
  }

  /** `work` in one transaction on one client, after the write lock; its statements refused once it ended. */
  private async locked<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    // This process's units ask for the write lock in the order they began, as SQLite's do: two units begun at once
    // (a confirmation and a cancellation pressed together) otherwise raced to a connection and to BEGIN, and the one
    // asked second could win (1 run in 3 of tests/e2e/broadcasts-interleave.test.ts here). PostgreSQL grants a lock's waiters
    // in the order they asked, so waiting until the unit before has its lock (or failed) is enough.
    const before = this.lockTurn;
    let asked!: () => void;
    this.lockTurn = new Promise<void>((resolve) => {
      asked = resolve;
    });
    await before;
    let client: pg.PoolClient;
    const connecting = this.ended ? this.closed : this.pool.connect();
    try {
      client = await Promise.race([connecting, this.closed]);
    } catch (err) {
      // Closed first: a connection handed out after all goes back, or pool.end() would wait for it.
      connecting.then(
        (late) => late.release(),
        () => undefined,
      );
      asked();
      throw err;
    }
    let open = true;
    // The connection may end while the unit holds it (the server ended a unit left idle by a frozen process, or it
    // restarted): pg then emits 'error' on the client, which with no listener would end the process as an uncaught
    // exception. The unit's statement fails with the same error, which is what the caller hears; the client is
    // given back broken, so the pool closes it instead of handing it out again.
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      try {
        // One round trip for the three statements (simple protocol): a unit's overhead was BEGIN, the lock's timeout
        // and the lock, then COMMIT, four of the 12,362 statements of two scenarios of
        // tests/e2e/digests-property.test.ts (7,444), each a round trip of 2 to 3 ms on a busy 2-core machine.
        await client.query(`BEGIN; ${writeLockText(this.schema)}`);
      } finally {
        asked();
      }
      const value = await work(this.inside(client, () => open));
      await client.query('COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      open = false;
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** A unit's statements: on its client, only while it is open. */
  private inside(client: pg.PoolClient, isOpen: () => boolean): Sql {
    const check = (): void => {
      if (!isOpen()) throw new UnitOfWorkMisuse("a unit of work's repositories used after it ended");
    };
    const sql: Sql = {
      all: async <R>(s: Statement, values?: Values) => {
        check();
        return (await query<R>(client, s, values)).rows;
      },
      get: async <R>(s: Statement, values?: Values) => {
        check();
        return (await query<R>(client, s, values)).rows[0];
      },
      run: async <R = Columns>(s: Statement, values?: Values) => {
        check();
        const result = await query<R>(client, s, values);
        return { changes: result.rowCount ?? 0, rows: result.rows };
      },
      // Already one transaction: a savepoint would only matter for a rollback the unit catches, which none does.
      atomic: (work) => {
        check();
        return work(sql);
      },
    };
    return sql;
  }

  /** One statement on one of `pool`'s connections (pg-pool's own checkout), failing at close() (see closed). */
  private pooled<R>(pool: pg.Pool, s: Statement, values?: Values): Promise<pg.QueryResult<R & pg.QueryResultRow>> {
    return Promise.race([query<R>(pool, s, values), this.closed]);
  }

  /**
   * Single statements on `on` that take no write lock (each its own transaction): for writes that need no turn among
   * the writers, a lease's renewal (src/store/postgres/runtime.ts). Not for anything that reads before it writes.
   */
  private unlocked(on: pg.Pool): Sql {
    const sql: Sql = {
      all: async <R>(s: Statement, values?: Values) => (await this.pooled<R>(on, s, values)).rows,
      get: async <R>(s: Statement, values?: Values) => (await this.pooled<R>(on, s, values)).rows[0],
      run: async <R = Columns>(s: Statement, values?: Values) => {
        const result = await this.pooled<R>(on, s, values);
        return { changes: result.rowCount ?? 0, rows: result.rows };
      },
      atomic: () => {
        throw new Error('no transaction of several statements without the write lock');
      },
    };
    return sql;
  }

  /** Statements outside any unit: reads on the pool, writes one locked transaction each. */
  private outside(): Sql {
    const sql: Sql = {
      all: async <R>(s: Statement, values?: Values) => (await this.pooled<R>(this.pool, s, values)).rows,
      get: async <R>(s: Statement, values?: Values) => (await this.pooled<R>(this.pool, s, values)).rows[0],
      run: <R = Columns>(s: Statement, values?: Values) => sql.atomic((inner) => inner.run<R>(s, values)),
      atomic: async (work) => {
        if (this.unitScope.getStore() !== undefined) {
          throw new UnitOfWorkMisuse(
            'a write outside the unit of work from inside its work would wait for the unit for ever',
          );
        }
        return this.locked(work);
      },
    };
    return sql;
  }
}

/** Exported for the search index's rebuild at open (src/store/postgres/articles.ts reindexSearch). */
export async function takeWriteLock(client: pg.PoolClient, schema: string): Promise<void> {
  await client.query(writeLockText(schema));
}

/** The write lock's two statements as one text (a number of ours, never input, is written into it). */
const writeLockText = (schema: string): string =>
  `SET LOCAL lock_timeout = '${LOCK_WAIT}'; SELECT pg_advisory_xact_lock(${writeLockOf(schema)})`;
