/**
 * PostgreSQL's TEXT cannot hold a NUL character (U+0000), which SQLite's stores: a statement given one fails
 * ("invalid byte sequence"), a write or a look-up alike. Text from outside reaches the store cleaned (cleanText,
 * src/text/safety.ts, removes control characters), so a NUL is only in what skipped that; the PostgreSQL
 * repositories drop it, as cleanText would, rather than fail the action. SQLite keeps it.
 */
import type { Sql, Values } from './sql.js';

const clean = (value: unknown): unknown => {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  return Array.isArray(value) ? value.map(clean) : value;
};

const cleanValues = (values: Values | undefined): Values | undefined => {
  if (values === undefined) return undefined;
  if (Array.isArray(values)) return values.map(clean);
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, clean(value)]));
};

/** The same statements, their text values without NUL characters. */
export function withoutNul(sql: Sql): Sql {
  return {
    all: (s, values) => sql.all(s, cleanValues(values)),
    get: (s, values) => sql.get(s, cleanValues(values)),
    run: (s, values) => sql.run(s, cleanValues(values)),
    atomic: (work) => sql.atomic((inner) => work(withoutNul(inner))),
  };
}
