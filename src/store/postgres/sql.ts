/**
 * How the PostgreSQL repositories run their statements. A statement is written once, with SQLite's placeholders
 * (`@name` with an object of values, or `?` with a list), so it reads like the SQLite table's statement beside it;
 * `statement()` turns them into PostgreSQL's `$1…` once, at load, and names it, so each connection prepares it
 * once and then only sends the values (pg's named prepared statements).
 */
import type pg from 'pg';

export interface Statement {
  readonly name: string;
  readonly text: string;
  /** The `@name` of each `$n` in order; empty for `?` placeholders (the values are then a list). */
  readonly names: readonly string[];
}

export type Values = Record<string, unknown> | readonly unknown[];
export type Columns = Record<string, unknown>;

let counter = 0;

/** A statement with `@name` or `?` placeholders (not both), ready for PostgreSQL. */
export function statement(text: string): Statement {
  const names: string[] = [];
  let positional = 0;
  const compiled = text
    .replace(/@([A-Za-z_]\w*)/g, (_, name: string) => {
      const at = names.indexOf(name);
      if (at >= 0) return `$${at + 1}`;
      names.push(name);
      return `$${names.length}`;
    })
    .replace(/\?/g, () => `$${++positional}`);
  if (names.length > 0 && positional > 0) throw new Error(`a statement mixes @names and ? placeholders: ${text}`);
  return { name: `nashra_${++counter}`, text: compiled, names };
}

/** A statement's values in `$n` order (a NUL in text never gets here: src/store/rows.ts withoutNul). */
export function valuesOf(s: Statement, values: Values | undefined): unknown[] {
  if (values === undefined) return [];
  if (Array.isArray(values)) return [...values];
  return s.names.map((name) => {
    const value = (values as Record<string, unknown>)[name];
    if (value === undefined) throw new Error(`statement ${s.name} has no value for @${name}`);
    return value;
  });
}

/**
 * The repositories' way in. Inside a unit of work every call goes to the unit's connection; outside, reads go to the
 * pool and writes each take the write lock (src/store/postgres/ports.ts says why) in a transaction of their own.
 */
export interface Sql {
  /** Rows of a read. */
  all<R = Columns>(s: Statement, values?: Values): Promise<R[]>;
  /** The first row of a read, or undefined. */
  get<R = Columns>(s: Statement, values?: Values): Promise<R | undefined>;
  /** A write: how many rows it changed, and those it returned (RETURNING). */
  run<R = Columns>(s: Statement, values?: Values): Promise<{ changes: number; rows: R[] }>;
  /** Several statements that commit together: inside a unit, part of it; outside, one transaction of their own. */
  atomic<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

/** Runs a statement on a client or the pool: a prepared statement by name, its values in order. */
export async function query<R>(on: pg.Pool | pg.PoolClient, s: Statement, values?: Values): Promise<pg.QueryResult<R & pg.QueryResultRow>> {
  return on.query<R & pg.QueryResultRow>({ name: s.name, text: s.text, values: valuesOf(s, values) });
}
