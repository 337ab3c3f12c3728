import { existsSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { configDefaults, defineConfig } from 'vitest/config';
import { POSTGRES_FOLDERS, POSTGRES_ONLY_FOLDER, POSTGRES_PASS } from './tests/passes.js';

/**
 * The reliability files (tests/e2e/reliability-*) start first: they spend most of their time waiting on real clocks and
 * child processes (a 7 s lock, the next whole minute, twenty restarts of `nashra run`: 10 to 60 s each, about 1 s of
 * this process's CPU each), so they overlap with the CPU-bound files instead of being the run's tail. On a fresh
 * clone the default order is by file size, which put the 120-line reliability files last.
 */
class WaitingFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const waits = (f: TestSpecification) => /\/tests\/e2e\/reliability-[^/]*\.test\.ts$/.test(f.moduleId);
    const sorted = await super.sort(files);
    return [...sorted.filter(waits), ...sorted.filter((f) => !waits(f))];
  }
}

/** Test files that run in a fresh process of their own (see `projects` below). */
const OWN_PROCESS = ['tests/app/cli.test.ts'];

/**
 * The second pass, `npm run test:postgres`: the files of tests/passes.ts POSTGRES_PASS and POSTGRES_FOLDERS on
 * PostgreSQL (README, Development). The first, `npm test`, is every file on SQLite, with no PostgreSQL server.
 */
const onPostgres = process.env.NASHRA_TEST_DATABASE === 'postgres';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Three files at once on 2 cores: most files wait (child processes, servers, real clocks) more than they compute;
    // vitest's default on this machine is availableParallelism - 1 = 1 file at a time.
    maxWorkers: 3,
    sequence: { sequencer: WaitingFirst },
    // The tests' databases (os.tmpdir(): tests/helpers/tmp.ts and the rest) on tmpfs where there is one: the store
    // commits with synchronous=FULL, and on this machine's disk a commit's fsync took 2.7 ms against 0.11 ms on tmpfs
    // (2,000 commits: 5.5 s against 0.23 s), most of a broadcast's time in the reliability files. Their kills stop
    // the process, never the machine, so what they check does not depend on the fsync (outbox-property's reason too).
    env: existsSync('/dev/shm') ? { TMPDIR: '/dev/shm' } : {},
    projects: onPostgres
      ? [
          {
            extends: true,
            test: {
              name: 'postgres',
              include: [
                ...POSTGRES_PASS.filter((f) => !OWN_PROCESS.includes(f)),
                ...POSTGRES_FOLDERS.map((folder) => `${folder}/**/*.test.ts`),
              ],
              globalSetup: ['tests/helpers/pg-global-setup.ts'],
              isolate: false,
            },
          },
          ...(POSTGRES_PASS.some((f) => OWN_PROCESS.includes(f))
            ? [
                {
                  extends: true,
                  test: {
                    name: 'postgres-own-process',
                    include: POSTGRES_PASS.filter((f) => OWN_PROCESS.includes(f)),
                    globalSetup: ['tests/helpers/pg-global-setup.ts'],
                    isolate: true,
                  },
                },
              ]
            : []),
        ]
      : [
          {
            extends: true,
            test: {
              name: 'shared',
              include: ['tests/**/*.test.ts'],
              exclude: [...configDefaults.exclude, ...OWN_PROCESS, `${POSTGRES_ONLY_FOLDER}/**`],
              // One process per worker runs its files one after the other, keeping the modules it imported: a fresh
              // process per file spent about 1.3 s of CPU (node's start and importing grammY, Fastify, puppeteer-core and
              // src/) before its first test, about 140 s of the suite's 450 s of CPU. No test file mocks modules, fakes
              // timers or changes this process's environment; src/'s module-level maps are caches.
              isolate: false,
            },
          },
          // Files that check this process's own state (open files, listeners, timers) need it to themselves: another
          // file's keep-alive socket closing meanwhile would be counted as theirs.
          { extends: true, test: { name: 'own-process', include: OWN_PROCESS, isolate: true } },
        ],
  },
});
