/**
 * Which test files run in which pass (issue 24 §6: both adapters pass the same suite). `npm test` runs every file on
 * SQLite; `npm run test:postgres` (NASHRA_TEST_DATABASE=postgres, vitest.config.ts) runs POSTGRES_PASS again with
 * every database they open on PostgreSQL (tests/helpers/raw-db.ts), and the files of POSTGRES_FOLDERS.
 * tests/test-passes.test.ts checks that every file touching the database is named here once, so a new one is put in a
 * pass on purpose.
 */

/** Runs on PostgreSQL alone, left out of `npm test`: `nashra run`, `db copy` and the CLI end to end on a cluster. */
export const POSTGRES_ONLY_FOLDER = 'tests/e2e/postgres';

/** Run again on PostgreSQL. What only a SQLite file has is skipped there with `describe.skipIf(onPostgres())`. */
export const POSTGRES_PASS = [
  'tests/app/cli.test.ts',
  'tests/app/corrections-cli.test.ts',
  'tests/delivery/worker.test.ts',
  'tests/desk/accounts.test.ts',
  'tests/app/desk-cli.test.ts',
  'tests/desk/several-runs.test.ts',
  'tests/app/digests-cli.test.ts',
  'tests/newsroom/digests.test.ts',
  'tests/newsroom/newsroom.test.ts',
  'tests/e2e/outbox-interleave.test.ts',
  'tests/e2e/reliability-run.test.ts',
  'tests/newsroom/intake.test.ts',
  'tests/e2e/subscriptions-interleave.test.ts',
  'tests/bots/telegram/bot.test.ts',
  'tests/bots/telegram/webhook.test.ts',
  // converted (desk+cli)
  'tests/desk/settings.test.ts',
  'tests/desk/full-story.test.ts',
  'tests/desk/reactions.test.ts',
  'tests/desk/corrections.test.ts',
  'tests/desk/http.test.ts',
  'tests/store/reads.test.ts',
  'tests/newsroom/sources.test.ts',
  'tests/app/subs-set-cli.test.ts',
  'tests/app/words-cli.test.ts',
  'tests/app/full-story-cli.test.ts',
  'tests/app/scheduled-cli.test.ts',
  'tests/app/ingest-cli.test.ts',
  'tests/app/language-cli.test.ts',
  'tests/app/opml-cli.test.ts',
  'tests/e2e/security-secrets.test.ts',
  'tests/ingest/poller.test.ts',
  'tests/ingest/feed-thread.test.ts',
  'tests/ingest/push.test.ts',
  'tests/newsroom/reach.test.ts',
  'tests/e2e/broadcast-waiting.test.ts',
  'tests/desk/full-story-page.test.ts',
  'tests/e2e/first-day.test.ts',
  'tests/e2e/outlets-run.test.ts',
  'tests/e2e/reach-browser.test.ts',
  'tests/e2e/scheduled-desk-browser.test.ts',
  'tests/e2e/desk-outlets-browser.test.ts',
  'tests/e2e/reliability-clicks.test.ts',
  'tests/e2e/reliability-crash.test.ts',
  'tests/e2e/reliability-scheduled.test.ts',
  'tests/e2e/reliability-corrections-crash.test.ts',
  'tests/e2e/desk-browser.test.ts',
  // converted (bots)
  'tests/bots/telegram/server-answers.test.ts',
  'tests/bots/telegram/sources.test.ts',
  'tests/bots/telegram/newsroom-writes.test.ts',
  'tests/bots/telegram/templates.test.ts',
  'tests/bots/telegram/words.test.ts',
  'tests/bots/telegram/opml.test.ts',
  'tests/e2e/security-text.test.ts',
  'tests/bots/telegram/hostile-updates.test.ts',
  'tests/newsroom/editors.test.ts',
  'tests/bots/telegram/digests.test.ts',
  'tests/bots/telegram/scheduled.test.ts',
  'tests/bots/telegram/corrections.test.ts',
  'tests/bots/telegram/full-story.test.ts',
  'tests/app/platform-plugin.test.ts',
  'tests/bots/telegram/limiter.test.ts',
  'tests/bots/telegram/transport.test.ts',
  'tests/newsroom/topics.test.ts',
  'tests/bots/telegram/reactions.test.ts',
  'tests/bots/whatsapp/corrections.test.ts',
  'tests/newsroom/full-story.test.ts',
  'tests/e2e/articles-interleave.test.ts',
  'tests/e2e/broadcasts-interleave.test.ts',
  'tests/e2e/corrections-interleaved.test.ts',
  'tests/bots/whatsapp/reactions.test.ts',
  // both adapters' fixtures side by side, `describe.each` over this pass's (tests/helpers/pass.ts)
  'tests/desk/sessions-interleave.test.ts',
  'tests/store/reactions.test.ts',
  'tests/newsroom/search.test.ts',
  'tests/newsroom/outlets.test.ts',
  'tests/app/outlets-cli.test.ts',
  'tests/desk/outlets.test.ts',
  'tests/test-passes.test.ts',
  // converted (issue 24 §6, the last non-property files)
  'tests/newsroom/clicks.test.ts',
  'tests/e2e/outlets-links.test.ts',
  'tests/bots/whatsapp/adapter.test.ts',
  'tests/bots/whatsapp/full-story.test.ts',
  // the seeded property files (fewer scenarios on PostgreSQL, each file says how many and why)
  'tests/e2e/digests-property.test.ts',
  'tests/e2e/retractions-property.test.ts',
  'tests/e2e/scheduled-property.test.ts',
  'tests/e2e/outbox-property.test.ts',
];

/**
 * The PostgreSQL adapter's own folders, in the PostgreSQL pass. tests/store/postgres runs in both: its tests of the ports
 * (`describe.each(adapters())`) on each pass's adapter, its few tests of a live cluster skipped in `npm test`.
 */
export const POSTGRES_FOLDERS = ['tests/store/postgres', POSTGRES_ONLY_FOLDER];

/** SQLite only, by nature. */
export const SQLITE_ONLY: Record<string, string> = {
  'tests/store/migrate.test.ts': "migrations of old SQLite files (PostgreSQL's: tests/store/postgres/schema.test.ts)",
  'tests/store/store.test.ts': "the Store class's own tables",
  'tests/store/sqlite-ports.test.ts':
    "the unit of work over SQLite (src/store/sqlite-ports.ts; PostgreSQL's: tests/store/postgres/*)",
  'tests/e2e/reliability-storage.test.ts': 'a full disk and an unwritable SQLite file',
  'tests/e2e/reliability-locked.test.ts': 'a SQLite file locked by another process',
};

/** Name a database path without using the data (configuration, the WhatsApp doctor, the code's structure). */
export const NO_DATA: Record<string, string> = {
  'tests/architecture.test.ts': 'reads the source code',
  'tests/app/config.test.ts': 'configuration errors before any database is opened',
  'tests/app/config-outlets.test.ts': "an outlet's configuration from its prefixed variables; no database is opened",
  'tests/bots/whatsapp/client.test.ts': 'whatsapp doctor and login, which open no database',
};
