/**
 * Which adapter this test pass runs on (README, Development): `npm test` is the SQLite pass, `npm run test:postgres`
 * (NASHRA_TEST_DATABASE=postgres) the PostgreSQL pass. A file of tests/passes.ts POSTGRES_PASS runs in both, each
 * time on that pass's adapter only, so each test runs once per adapter and `npm test` needs no PostgreSQL server.
 */
export type AdapterName = 'sqlite' | 'postgres';

/** The adapter this pass runs on: PostgreSQL under `npm run test:postgres` (NASHRA_TEST_DATABASE=postgres). */
export const testDatabase = (): AdapterName =>
  process.env.NASHRA_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

/** True in the PostgreSQL pass: for `describe.skipIf(onPostgres())` on what only a SQLite file has. */
export const onPostgres = (): boolean => testDatabase() === 'postgres';

/** The entries of `list` for this pass's adapter: for `describe.each(ofThisPass(…))` over both adapters' fixtures. */
export const ofThisPass = <T extends { name: string }>(list: readonly T[]): T[] =>
  list.filter((entry) => entry.name === testDatabase());
