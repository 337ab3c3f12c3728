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

/**
 * A number as SQLite takes it. An id typed into a command can be any number of digits («/broadcast 99999999999999999999»
 * is 1e20): SQLite compares it with the stored integers and finds none, PostgreSQL refuses the statement («out of
 * range for type bigint») and the front door answered nothing. Clamped to BIGINT's range it compares with every id
 * and time a table holds as 1e20 does (none is at the range's end: ids count from 1, times are 41 bits). A number that
 * is not a whole one (1.5 given to an action by a plugin or a caller, NaN, ±Infinity) binds as NULL, as
 * better-sqlite3 binds NaN: every number column is an integer (db/*.sql has no REAL), so SQLite finds no row equal to
 * it and neither does NULL, where PostgreSQL refused the statement («invalid input syntax for type bigint: "1.5"»).
 * A list (`= ANY(?::bigint[])`, `unnest`) is taken element by element.
 */
const bindable = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(bindable);
  if (typeof value !== 'number') return value;
  if (!Number.isInteger(value)) return null;
  return value >= 2 ** 63 ? '9223372036854775807' : value < -(2 ** 63) ? '-9223372036854775808' : value;
};

/** A statement's values in `$n` order (a NUL in text never gets here: src/store/rows.ts withoutNul). */
export function valuesOf(s: Statement, values: Values | undefined): unknown[] {
  if (values === undefined) return [];
  if (Array.isArray(values)) return values.map(bindable);
  return s.names.map((name) => {
    const value = (values as Record<string, unknown>)[name];
    if (value === undefined) throw new Error(`statement ${s.name} has no value for @${name}`);
    return bindable(value);
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
export async function query<R>(
  on: pg.Pool | pg.PoolClient,
  s: Statement,
  values?: Values,
): Promise<pg.QueryResult<R & pg.QueryResultRow>> {
  return on.query<R & pg.QueryResultRow>({ name: s.name, text: s.text, values: valuesOf(s, values) });
}
