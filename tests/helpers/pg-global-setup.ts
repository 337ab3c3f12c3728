/**
 * One throwaway PostgreSQL cluster for the whole run (tests/helpers/pg-cluster.ts), started before the first test
 * file and stopped after the last; each test gets a database of its own in it (tests/helpers/postgres.ts). Where
 * PostgreSQL's server is not installed the PostgreSQL tests are skipped, saying so, unless NASHRA_REQUIRE_POSTGRES=1
 * (CI) or in the PostgreSQL pass (NASHRA_TEST_DATABASE=postgres), which make that a failure.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/store/postgres/database.js';
import { postgresBin, startCluster } from './pg-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cluster's URL ('' when PostgreSQL is not installed). */
    postgresUrl: string;
    /** In the PostgreSQL pass: a database migrated once, that each test's database is copied from ('' otherwise). */
    postgresTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const bin = postgresBin();
  if (bin === undefined) {
    if (process.env.NASHRA_REQUIRE_POSTGRES === '1' || process.env.NASHRA_TEST_DATABASE === 'postgres')
      throw new Error(
        "NASHRA_REQUIRE_POSTGRES=1 or NASHRA_TEST_DATABASE=postgres but PostgreSQL's server is not installed (Debian: apt-get install postgresql)",
      );
    console.warn(
      "PostgreSQL's server is not installed: the PostgreSQL tests are skipped (Debian: apt-get install postgresql)",
    );
    project.provide('postgresUrl', '');
    project.provide('postgresTemplate', '');
    return undefined;
  }
  const cluster = await startCluster(bin);
  project.provide('postgresUrl', cluster.url);
  project.provide(
    'postgresTemplate',
    process.env.NASHRA_TEST_DATABASE === 'postgres' ? await migratedTemplate(cluster.url) : '',
  );
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
