/**
 * Which test files run in which pass (issue 24 §6: both adapters pass the same suite). `npm test` runs every file on
 * SQLite; `npm run test:postgres` (NASHRA_TEST_DATABASE=postgres, vitest.config.ts) runs POSTGRES_PASS again with
 * every database they open on PostgreSQL (tests/helpers/raw-db.ts). tests/test-passes.test.ts checks that every
 * file touching the database is named here once, so a new one is put in a pass on purpose.
 */

/** Run again on PostgreSQL. What only a SQLite file has is skipped there with `describe.skipIf(onPostgres())`. */
export const POSTGRES_PASS = [
  'tests/cli.test.ts',
  'tests/corrections-cli.test.ts',
  'tests/deliveries.test.ts',
  'tests/desk-accounts.test.ts',
  'tests/desk-cli.test.ts',
  'tests/desk-several-runs.test.ts',
  'tests/digests-cli.test.ts',
  'tests/digests-engine.test.ts',
  'tests/newsroom.test.ts',
  'tests/outbox-interleave.test.ts',
  'tests/reliability-run.test.ts',
  'tests/review.test.ts',
  'tests/subscriptions-interleave.test.ts',
  'tests/telegram-bot.test.ts',
  'tests/telegram-webhook.test.ts',
  // converted (desk+cli)
  'tests/desk-settings.test.ts',
  'tests/full-story-desk.test.ts',
  'tests/reactions-desk.test.ts',
  'tests/corrections-desk.test.ts',
  'tests/desk-http.test.ts',
  'tests/reads-ports.test.ts',
  'tests/sources-identity.test.ts',
  'tests/subs-set-cli.test.ts',
  'tests/words-cli.test.ts',
  'tests/full-story-cli.test.ts',
  'tests/scheduled-cli.test.ts',
  'tests/ingest-cli.test.ts',
  'tests/opml.test.ts',
  'tests/security-secrets.test.ts',
  'tests/ingest-poller.test.ts',
  'tests/ingest-thread.test.ts',
  'tests/push.test.ts',
  'tests/reach.test.ts',
  'tests/broadcast-waiting.test.ts',
  'tests/full-story-desk-page.test.ts',
  'tests/first-day.test.ts',
  'tests/outlets-run.test.ts',
  'tests/reach-browser.test.ts',
  'tests/scheduled-desk-browser.test.ts',
  'tests/desk-outlets-browser.test.ts',
  'tests/reliability-clicks.test.ts',
  'tests/reliability-crash.test.ts',
  'tests/reliability-scheduled.test.ts',
  'tests/reliability-corrections-crash.test.ts',
  'tests/desk-browser.test.ts',
  // converted (bots)
  'tests/telegram-server-answers.test.ts',
  'tests/telegram-sources.test.ts',
  'tests/telegram-newsroom-writes.test.ts',
  'tests/templates-telegram.test.ts',
  'tests/words-telegram.test.ts',
  'tests/opml-telegram.test.ts',
  'tests/security-text.test.ts',
  'tests/security-updates.test.ts',
  'tests/editors-front-doors.test.ts',
  'tests/digests-telegram.test.ts',
  'tests/scheduled-telegram.test.ts',
  'tests/corrections-telegram.test.ts',
  'tests/full-story-telegram.test.ts',
  'tests/platform-plugin.test.ts',
  'tests/telegram-limits.test.ts',
  'tests/telegram-transport.test.ts',
  'tests/filters.test.ts',
  'tests/reactions-telegram.test.ts',
  'tests/corrections-whatsapp.test.ts',
  'tests/full-story-core.test.ts',
  'tests/articles-interleave.test.ts',
  'tests/broadcasts-interleave.test.ts',
  'tests/corrections-interleaved.test.ts',
  'tests/reactions-whatsapp.test.ts',
];

/** Already `describe.each` over both adapters in `npm test` (as tests/postgres/* are): kept out of the second pass. */
export const BOTH_IN_NPM_TEST: Record<string, string> = {
  'tests/desk-sessions-interleave.test.ts': 'rawAdapters(): both adapters',
  'tests/reactions-store.test.ts': 'recordReactions on both adapters (rawAdapters); the SQLite Store part beside it is the Store\'s own',
  'tests/search.test.ts': 'search on both adapters (adapters()); the bot\'s /search on SQLite is not converted yet',
  'tests/outlets.test.ts': 'the outlets\' registry and storage through the CLI on both adapters (installations())',
  'tests/outlets-cli.test.ts': 'each command given another outlet\'s ids, on both adapters',
  'tests/desk-outlets.test.ts': 'the desk\'s isolation between outlets, on both adapters',
};

/** SQLite only, by nature. */
export const SQLITE_ONLY: Record<string, string> = {
  'tests/migrations.test.ts': 'migrations of old SQLite files (PostgreSQL\'s: tests/postgres/schema.test.ts)',
  'tests/store.test.ts': 'the Store class\'s own tables',
  'tests/unit-of-work.test.ts': 'the unit of work over SQLite (src/store/sqlite-ports.ts; PostgreSQL\'s: tests/postgres/*)',
  'tests/reliability-storage.test.ts': 'a full disk and an unwritable SQLite file',
  'tests/reliability-locked.test.ts': 'a SQLite file locked by another process',
};

/** Name a database path without using the data (configuration, the WhatsApp doctor, the code's structure). */
export const NO_DATA: Record<string, string> = {
  'tests/architecture.test.ts': 'reads the source code',
  'tests/config.test.ts': 'configuration errors before any database is opened',
  'tests/config-outlets.test.ts': 'an outlet\'s configuration from its prefixed variables; no database is opened',
  'tests/whatsapp-client.test.ts': 'whatsapp doctor and login, which open no database',
};

/** Touch the database, not run on PostgreSQL yet (their fixtures are: the Telegram harness, the desk, raw-db). */
export const NOT_CONVERTED = [
  'tests/outlets-links.test.ts',
  'tests/clicks.test.ts',
  'tests/digests-property.test.ts',
  'tests/full-story-whatsapp.test.ts',
  'tests/outbox-property.test.ts',
  'tests/retractions-property.test.ts',
  'tests/scheduled-property.test.ts',
  'tests/whatsapp-adapter.test.ts',
];
