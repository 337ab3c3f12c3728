import type { Database } from 'better-sqlite3';

/** A table's class: its statements are prepared once, as fields, on the connection the store opened. */
export abstract class Table {
  constructor(protected readonly db: Database) {}
}
