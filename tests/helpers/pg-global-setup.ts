/**
 * One throwaway PostgreSQL cluster for the whole run (tests/helpers/pg-cluster.ts), started before the first test
 * file and stopped after the last; each test gets a database of its own in it (tests/helpers/postgres.ts). Where
 * PostgreSQL's server is not installed the PostgreSQL tests are skipped, saying so, unless NASHRA_REQUIRE_POSTGRES=1
 * (CI) or in the PostgreSQL pass (NASHRA_TEST_DATABASE=postgres), which make that a failure.
 */
import type { TestProject } from 'vitest/node';
import { postgresBin, startCluster } from './pg-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cluster's URL ('' when PostgreSQL is not installed). */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const bin = postgresBin();
  if (bin === undefined) {
    if (process.env.NASHRA_REQUIRE_POSTGRES === '1' || process.env.NASHRA_TEST_DATABASE === 'postgres') throw new Error('NASHRA_REQUIRE_POSTGRES=1 but PostgreSQL\'s server is not installed (Debian: apt-get install postgresql)');
    console.warn('PostgreSQL\'s server is not installed: the PostgreSQL tests are skipped (Debian: apt-get install postgresql)');
    project.provide('postgresUrl', '');
    return undefined;
  }
  const cluster = await startCluster(bin);
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
