-- Version 3: the schema names no platform and no source kind (the code validates them: a platform is a folder
-- under bots/, a plug-in can add one), urgency is a field of the article instead of an `urgent:` URL prefix, and
-- an article may have no public URL (an editor's urgent alert, a local file) — it is then sent without a link.
-- Tables are rebuilt the way SQLite documents (create, copy, drop, rename); the migration runner turns foreign
-- keys off around it and checks them before committing, so no ON DELETE CASCADE fires.

CREATE TABLE sources_v3 (
  id               INTEGER PRIMARY KEY,
  url              TEXT    NOT NULL UNIQUE,
  feed_url         TEXT,
  kind             TEXT    NOT NULL,
  name             TEXT    NOT NULL,
  category         TEXT,
  time_zone        TEXT,
  interval_seconds INTEGER NOT NULL DEFAULT 600,
  active           INTEGER NOT NULL DEFAULT 1,
  etag             TEXT,
  last_modified    TEXT,
  last_fetch_at    INTEGER,
  last_status      TEXT,
  last_error       TEXT,
  error_count      INTEGER NOT NULL DEFAULT 0,
  failing_since    INTEGER,
  next_fetch_at    INTEGER NOT NULL DEFAULT 0,
  articles_found   INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  backfill         INTEGER NOT NULL DEFAULT 0,
  primed_at        INTEGER
);
INSERT INTO sources_v3 SELECT id, url, feed_url, kind, name, category, time_zone, interval_seconds, active, etag,
  last_modified, last_fetch_at, last_status, last_error, error_count, failing_since, next_fetch_at, articles_found,
  created_at, backfill, primed_at FROM sources;
DROP TABLE sources;
ALTER TABLE sources_v3 RENAME TO sources;

CREATE TABLE articles_v3 (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER REFERENCES sources(id) ON DELETE SET NULL,
  url          TEXT    UNIQUE,                       -- canonical public URL; NULL when there is none
  guid         TEXT,
  title        TEXT    NOT NULL,
  source_name  TEXT    NOT NULL,
  author       TEXT,
  published_at INTEGER,
  paragraphs   TEXT    NOT NULL,
  categories   TEXT    NOT NULL DEFAULT '[]',
  image_url    TEXT,
  language     TEXT    NOT NULL DEFAULT 'und',
  summary      TEXT    NOT NULL DEFAULT '[]',
  hashtags     TEXT    NOT NULL DEFAULT '[]',
  content_hash TEXT    NOT NULL,
  story_key    TEXT    NOT NULL,
  search_text  TEXT    NOT NULL,
  time_zone    TEXT,
  seen_only    INTEGER NOT NULL DEFAULT 0,
  urgent       INTEGER NOT NULL DEFAULT 0,           -- an editor's «عاجل» alert: header mark, sent first, no link
  created_at   INTEGER NOT NULL
);
INSERT INTO articles_v3 SELECT id, source_id,
  CASE WHEN url LIKE 'urgent:%' THEN NULL ELSE url END, guid, title, source_name, author, published_at, paragraphs,
  categories, image_url, language, summary, hashtags, content_hash, story_key, search_text, time_zone, seen_only,
  CASE WHEN url LIKE 'urgent:%' THEN 1 ELSE 0 END, created_at FROM articles;
DROP TABLE articles;
ALTER TABLE articles_v3 RENAME TO articles;
CREATE INDEX articles_guid ON articles(guid) WHERE guid IS NOT NULL;
CREATE INDEX articles_story ON articles(story_key, created_at);
CREATE INDEX articles_recent ON articles(COALESCE(published_at, created_at) DESC, id DESC);
CREATE INDEX articles_content ON articles(content_hash);

CREATE TABLE subscriptions_v3 (
  id                 INTEGER PRIMARY KEY,
  platform           TEXT    NOT NULL,
  chat_id            TEXT    NOT NULL,
  thread_id          INTEGER,
  kind               TEXT    NOT NULL CHECK (kind IN ('channel', 'group', 'private')),
  title              TEXT,
  topics             TEXT    NOT NULL DEFAULT '[]',
  digest             INTEGER NOT NULL DEFAULT 0,
  language           TEXT,
  active             INTEGER NOT NULL DEFAULT 1,
  deactivated_reason TEXT,
  deactivated_at     INTEGER,
  active_since       INTEGER NOT NULL,
  created_by         TEXT,
  created_at         INTEGER NOT NULL,
  UNIQUE (platform, chat_id)
);
INSERT INTO subscriptions_v3 SELECT id, platform, chat_id, thread_id, kind, title, topics, digest, language, active,
  deactivated_reason, deactivated_at, active_since, created_by, created_at FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_v3 RENAME TO subscriptions;

-- Who a broadcast goes to, chosen at preview and used unchanged at confirmation (JSON: {"kind":"matching"}, …).
ALTER TABLE broadcasts ADD COLUMN audience TEXT NOT NULL DEFAULT '{"kind":"matching"}';
UPDATE broadcasts SET audience = '{"kind":"all"}' WHERE urgent = 1;

-- A delivery that failed for a temporary reason (it gave up after its retries) may be sent again by an editor;
-- one the platform refused for good is only sent again when an editor chooses it.
ALTER TABLE deliveries ADD COLUMN retryable INTEGER NOT NULL DEFAULT 0;
UPDATE deliveries SET retryable = 1 WHERE state = 'failed' AND last_error LIKE 'gave up after %';

-- What `nashra run` last knew of each platform's connection, so `nashra stats` (another process) can say why
-- deliveries wait ("WhatsApp is not logged in").
CREATE TABLE platform_status (
  platform   TEXT    PRIMARY KEY,
  ready      INTEGER NOT NULL,
  reason     TEXT,
  updated_at INTEGER NOT NULL
);
