/**
 * The PostgreSQL pass's throwaway cluster (tests/helpers/pg-cluster.ts), started before the first test file and
 * stopped after the last; each test gets a database of its own in it (tests/helpers/postgres.ts). Only the
 * PostgreSQL pass's projects set it up (vitest.config.ts): `npm test` starts no cluster, needs no server, and skips
 * its few tests of a live cluster, which run in `npm run test:postgres`; that fails without PostgreSQL's server.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/store/postgres/database.js';
import { postgresBin, startCluster } from './pg-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cluster's URL (not provided in the SQLite pass: tests/helpers/postgres.ts postgresUrl() is ''). */
    postgresUrl: string;
    /** A database migrated once, that each test's database is copied from. */
    postgresTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const bin = postgresBin();
  if (bin === undefined)
    throw new Error(
      "npm run test:postgres needs PostgreSQL's server, which is not installed (Debian: apt-get install postgresql)",
    );
  const cluster = await startCluster(bin);
  project.provide('postgresUrl', cluster.url);
  project.provide('postgresTemplate', await migratedTemplate(cluster.url));
  return () => cluster.stop();
}

/**
 * The PostgreSQL pass opens a database per test (about 1,000): migrating each took 0.6-0.8 s of the test's time
 * (loaded 2-core machine); a copy of one migrated once (CREATE DATABASE … TEMPLATE) takes a fraction of that.
 * tests/store/postgres/* and tests/e2e/postgres/* keep migrating their own: some check the migrations themselves.
 */
async function migratedTemplate(clusterUrl: string): Promise<string> {
  const name = 'nashra_migrated';
  const admin = new pg.Client(clusterUrl);
  await admin.connect();
  await admin.query(
    `CREATE DATABASE ${name} TEMPLATE template0 LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`,
  );
  await admin.end();
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  const ports = await openPostgres(url.toString());
  await ports.close();
  return name;
}
