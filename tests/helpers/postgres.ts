import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';
import type { DataPorts } from '../../src/ports/index.js';
import { openPostgres } from '../../src/store/postgres/database.js';
import type { PostgresPorts } from '../../src/store/postgres/ports.js';
import { ofThisPass } from './pass.js';
import { freshStore } from './store.js';

/** The PostgreSQL pass's cluster (tests/helpers/pg-global-setup.ts); '' in the SQLite pass (`npm test`). */
export const postgresUrl = (): string => inject('postgresUrl') ?? '';

/**
 * A new, empty database in the run's cluster, dropped when the test that asked for it has finished. Its URL. Call it
 * inside a test. It collates as English (ICU en-US), as a server set up with a language's locale does: the cluster's
 * own default (C) sorts text as SQLite does and would hide an ORDER BY that forgot `COLLATE "C"`.
 */
export async function freshPostgresDatabase(): Promise<string> {
  const { url, drop } = await newPostgresDatabase();
  onTestFinished(drop);
  return url;
}

/**
 * The same, dropped by `drop()` rather than at the test's end (a fixture that outlives one test, or closes itself).
 * `migrated`: a copy of the PostgreSQL pass's migrated template (tests/helpers/pg-global-setup.ts), where there is one.
 */
export async function newPostgresDatabase(
  opts: { migrated?: boolean } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client(postgresUrl());
  await admin.connect();
  const name = `t_${randomBytes(6).toString('hex')}`;
  const template = opts.migrated ? inject('postgresTemplate') : '';
  await admin.query(
    template !== ''
      ? `CREATE DATABASE ${name} TEMPLATE ${template}`
      : `CREATE DATABASE ${name} TEMPLATE template0 LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`,
  );
  await admin.end();
  const url = new URL(postgresUrl());
  url.pathname = `/${name}`;
  if (template !== '') {
    // A copy of the template has the template's full-story key (db/017): each installation makes its own, and one
    // database must not read another's codes (tests/newsroom/full-story.test.ts).
    const owner = new pg.Client(url.toString());
    await owner.connect();
    await owner.query('UPDATE full_story_key SET secret = $1 WHERE id = 1', [randomBytes(32)]);
    await owner.end();
  }
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client(postgresUrl());
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** The ports over a new PostgreSQL database, migrated; closed when the test has finished. */
export async function freshPostgresPorts(): Promise<PostgresPorts> {
  const ports = await openPostgres(await freshPostgresDatabase());
  onTestFinished(() => ports.close());
  return ports;
}

export interface Adapter {
  name: 'sqlite' | 'postgres';
  /** Fresh ports over an empty, migrated database. */
  open(): Promise<DataPorts>;
}

/**
 * This pass's adapter (tests/helpers/pass.ts), for a test of the ports that must answer the same on each:
 * `describe.each(adapters())` runs on SQLite in `npm test` and on PostgreSQL in `npm run test:postgres`.
 */
export function adapters(): Adapter[] {
  const sqlite: Adapter = { name: 'sqlite', open: async () => freshStore().ports() };
  const postgres: Adapter = { name: 'postgres', open: freshPostgresPorts };
  return ofThisPass([sqlite, postgres]);
}
