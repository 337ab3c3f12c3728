import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';
import { SqlitePorts } from './sqlite-ports.js';
import { Tables } from './tables.js';
import type { DataPorts } from '../ports/index.js';
import type { ClickCount } from '../model/reach.js';
import { catalogue, type Catalogue, type SaidByMeaning } from '../i18n/index.js';
import type { DatabaseOpenProblem } from '../i18n/values.js';

export { UnitOfWorkMisuse } from './sqlite-ports.js';

/**
 * "database is locked": another connection held SQLite's write lock for longer than the busy timeout (5 s), or a
 * WAL snapshot went stale. Nothing was written; the same write can be tried again once the lock is free.
 */
export function isLockedError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** Thrown when the database file cannot be opened or migrated; says which file. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * A PostgreSQL database that could not be opened, by meaning: the CLI says `problem` in its language (the catalogue's
 * `cli.databaseOpen`); the message is the English one, for the logs. No value of `problem` holds a secret: the URL
 * and the reason are masked before they go in (src/store/postgres/ports.ts redact).
 */
export class DatabaseOpenError extends StoreError implements SaidByMeaning {
  constructor(
    readonly problem: DatabaseOpenProblem,
    path: string,
    options?: { cause?: unknown },
  ) {
    super(catalogue('en').cli.databaseOpen(problem), path, options);
  }
  said(words: Catalogue): string {
    return words.cli.databaseOpen(this.problem);
  }
}

/**
 * SQLite's answers that no retry inside the process can fix: the disk is full, the file cannot be written, read or
 * trusted. The process stops on them (src/app/cli.ts says which, in one line); the work not written stays queued
 * in the database, so the next start, once the cause is fixed, finishes it. Null for any other error.
 */
export function storageFault(err: unknown, path: string): DatabaseOpenError | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (!(err instanceof Database.SqliteError) || typeof code !== 'string') return null;
  const kind =
    code === 'SQLITE_FULL'
      ? 'disk-full'
      : code.startsWith('SQLITE_READONLY')
        ? 'read-only'
        : code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB'
          ? 'damaged'
          : code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')
            ? 'unreadable'
            : undefined;
  return kind === undefined
    ? null
    : new DatabaseOpenError({ kind, path, what: `${code}: ${err.message}` }, path, { cause: err });
}

/**
 * The database: its tables (tables.ts), the few calls that span several, and the ports over them (`ports()`), which
 * are all that the rest of Nashra is given (only the wiring in src/app holds the store).
 */
export class Store extends Tables {
  constructor(
    db: Database.Database,
    readonly path: string,
  ) {
    super(db);
  }

  /**
   * A subscription stops (unsubscribed, blocked, removed from the group): deactivated with the reason, and what is
   * still queued for it fails with the same reason, in one transaction. False when it was not active.
   */
  deactivateSubscription(id: number, reason: string, now = Date.now()): { deactivated: boolean; cancelled: number } {
    return this.transaction(() => {
      if (!this.subscriptions.deactivate(id, reason, now)) return { deactivated: false, cancelled: 0 };
      return {
        deactivated: true,
        cancelled: this.jobs.failQueuedForSubscription(id, `subscription deactivated: ${reason}`, now),
      };
    });
  }

  /**
   * A batch of click counts (src/newsroom/clicks.ts) into the four tables that keep them, in one transaction that is
   * not fsynced: counts are worth less than a stall of the redirects' event loop (an fsync took 2–20 ms here, and
   * hundreds on a busy disk), and what a power cut can lose is the last seconds of counts, as a crash does. The
   * next fsynced commit (any other write) makes them durable. Inside a unit of work (already a transaction, whose
   * commit is fsynced) they are simply written.
   */
  addClickCounts(counts: readonly ClickCount[]): void {
    const write = () => {
      this.clickCounts.add(counts);
      this.clickStoryDays.add(counts);
      this.clickChatDays.add(counts);
      this.clickHours.add(counts);
    };
    if (this.db.inTransaction) {
      write();
      return;
    }
    this.db.pragma('synchronous = NORMAL');
    try {
      this.transaction(write);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /**
   * A real platform is configured on a database the demo ran on: the demo's subscriptions (created by `createdBy`)
   * are deactivated and the stored copies of its `samples` deleted, once, in one transaction with its audit entry (`demo.end`).
   * Null when there was nothing to do (no demo, or it ended before).
   */
  endDemo(
    createdBy: string,
    samples: ReadonlyArray<{ contentHash: string; title: string }>,
    actor: string,
    now = Date.now(),
  ): { articles: number; subscriptions: number } | null {
    return this.transaction(() => {
      if (this.demoRows.ended()) return null;
      const subscriptions = this.demoRows.activeSubscriptions(createdBy);
      if (subscriptions.length === 0) return null;
      for (const id of subscriptions) this.deactivateSubscription(id, 'the demo ended: a platform is configured', now);
      const articles = this.demoRows.deleteSamples(createdBy, samples);
      this.audit.record('cli', actor, 'demo.end', { articles, subscriptions: subscriptions.length }, now);
      return { articles, subscriptions: subscriptions.length };
    });
  }

  private dataPorts: SqlitePorts | undefined;

  /**
   * The ports (src/ports) over this database: one unit-of-work queue per connection, so every caller must get this
   * same object (src/store/sqlite-ports.ts says why).
   */
  ports(): DataPorts {
    this.dataPorts ??= new SqlitePorts(this.db, this, (err) => storageFault(err, this.path) !== null, isLockedError);
    return this.dataPorts;
  }

  /**
   * Runs fn in one transaction (nested calls become savepoints). Refused as busy (isLockedError) while a unit of work
   * of the ports is open and fn is not part of it: it would otherwise join that unit and share its rollback.
   */
  transaction<T>(fn: () => T): T {
    if (this.dataPorts?.outsider())
      throw Object.assign(new Error('a unit of work holds the database: try again when it commits'), {
        code: 'SQLITE_BUSY_UNIT',
      });
    return this.db.transaction(fn)();
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** A consistent copy while the database is in use (SQLite's online backup API). */
  async backup(destination: string): Promise<void> {
    mkdirSync(dirname(destination), { recursive: true });
    await this.db.backup(destination);
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Opens (creating if needed) and migrates the database at `path`; ':memory:' works for tests. */
export function openStore(path: string): Store {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // FULL, not NORMAL: with WAL, NORMAL keeps every commit across a process crash but not across a power cut or a
    // kernel crash (the WAL is fsynced only at checkpoints), so a committed `sending` mark could roll back and its
    // message go out again after the restart. FULL fsyncs the WAL at each commit, before the request it marks leaves.
    // Measured on the paid-rate bench (2 × 2,500 messages at 1,000/s, `node dist/bench/delivery.js 2500 2 paid`) on
    // the quiet 2-core machine, alternating: achieved ÷ allowed 0.940-0.960 (median 0.954, 9 runs) against
    // 0.956-0.970 with NORMAL (3 runs); CPU per delivery the same (1.07-1.10 ms). A turn's batch of `sending` and `sent`
    // rows is one commit, so the fsync is paid once per batch, not per message.
    db.pragma('synchronous = FULL');
    db.pragma('cache_size = -32000'); // 32 MB: the outbox's indexes stay in memory at a million rows
    migrate(db, { path: path === ':memory:' ? undefined : path });
    const store = new Store(db, path);
    // Once after migration 006, and again whenever the stemmer changes (about 1 s per 10,000 articles).
    if (!store.articles.searchIndexCurrent()) store.articles.reindexSearch();
    return store;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw (
      storageFault(err, path) ??
      new DatabaseOpenError({ kind: 'cannot-open-file', path, why: reason }, path, { cause: err })
    );
  }
}
