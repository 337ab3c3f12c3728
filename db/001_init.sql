-- Nashra schema, version 1. Times are milliseconds since the Unix epoch (UTC).

CREATE TABLE sources (
  id               INTEGER PRIMARY KEY,
  url              TEXT    NOT NULL UNIQUE,          -- what the editor gave
  feed_url         TEXT,                             -- what is polled (feed, REST endpoint or page)
  kind             TEXT    NOT NULL CHECK (kind IN ('rss', 'atom', 'json', 'wordpress', 'page')),
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
  created_at       INTEGER NOT NULL
);

CREATE TABLE articles (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER REFERENCES sources(id) ON DELETE SET NULL,
  url          TEXT    NOT NULL UNIQUE,              -- canonical URL
  guid         TEXT,
  title        TEXT    NOT NULL,
  source_name  TEXT    NOT NULL,
  author       TEXT,
  published_at INTEGER,
  paragraphs   TEXT    NOT NULL,                     -- JSON array of strings
  categories   TEXT    NOT NULL DEFAULT '[]',        -- JSON array of strings
  image_url    TEXT,
  language     TEXT    NOT NULL DEFAULT 'und',
  summary      TEXT    NOT NULL DEFAULT '[]',        -- JSON array of sentences
  hashtags     TEXT    NOT NULL DEFAULT '[]',        -- JSON array
  content_hash TEXT    NOT NULL,
  story_key    TEXT    NOT NULL,                     -- hash of normalised title + opening sentence
  search_text  TEXT    NOT NULL,                     -- normalised title + summary for /search
  time_zone    TEXT,
  seen_only    INTEGER NOT NULL DEFAULT 0,           -- stored as seen when its source was added: never sent
  created_at   INTEGER NOT NULL
);
CREATE INDEX articles_guid ON articles(guid) WHERE guid IS NOT NULL;
CREATE INDEX articles_story ON articles(story_key, created_at);
CREATE INDEX articles_recent ON articles(COALESCE(published_at, created_at) DESC, id DESC);
CREATE INDEX articles_content ON articles(content_hash);

-- Every time a story came in again: kept so an editor can see why nothing was sent.
CREATE TABLE duplicates (
  id          INTEGER PRIMARY KEY,
  article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  source_id   INTEGER REFERENCES sources(id) ON DELETE SET NULL,
  url         TEXT,
  guid        TEXT,
  reason      TEXT    NOT NULL CHECK (reason IN ('url', 'guid', 'story', 'content')),
  seen_at     INTEGER NOT NULL
);

CREATE TABLE subscriptions (
  id                 INTEGER PRIMARY KEY,
  platform           TEXT    NOT NULL CHECK (platform IN ('telegram', 'whatsapp', 'console')),
  chat_id            TEXT    NOT NULL,
  thread_id          INTEGER,                        -- forum topic (Telegram message_thread_id)
  kind               TEXT    NOT NULL CHECK (kind IN ('channel', 'group', 'private')),
  title              TEXT,
  topics             TEXT    NOT NULL DEFAULT '[]',  -- JSON array; empty = everything
  digest             INTEGER NOT NULL DEFAULT 0,
  language           TEXT,
  active             INTEGER NOT NULL DEFAULT 1,
  deactivated_reason TEXT,
  deactivated_at     INTEGER,
  active_since       INTEGER NOT NULL,               -- articles older than this are never sent to it
  created_by         TEXT,
  created_at         INTEGER NOT NULL,
  UNIQUE (platform, chat_id)
);

CREATE TABLE broadcasts (
  id            INTEGER PRIMARY KEY,
  article_id    INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  platform      TEXT    NOT NULL,                    -- where the editor asked
  editor_id     TEXT    NOT NULL,
  token         TEXT    NOT NULL,                    -- random, part of the confirm button's data
  state         TEXT    NOT NULL DEFAULT 'preview' CHECK (state IN ('preview', 'queued', 'cancelled', 'stopped', 'done')),
  urgent        INTEGER NOT NULL DEFAULT 0,
  progress_chat TEXT,
  progress_message TEXT,
  created_at    INTEGER NOT NULL,
  decided_at    INTEGER
);

-- The outbox: one row per article and subscription, never two.
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY,
  article_id      INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  platform        TEXT    NOT NULL,
  broadcast_id    INTEGER REFERENCES broadcasts(id) ON DELETE SET NULL,
  state           TEXT    NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'skipped', 'in_doubt')),
  priority        INTEGER NOT NULL DEFAULT 0,        -- higher first (urgent alerts)
  attempts        INTEGER NOT NULL DEFAULT 0,
  not_before      INTEGER NOT NULL DEFAULT 0,        -- retry no earlier than this
  last_error      TEXT,
  message_id      TEXT,
  queued_at       INTEGER NOT NULL,
  sending_at      INTEGER,
  finished_at     INTEGER,
  UNIQUE (article_id, subscription_id)
);
-- Partial indexes: a delivery leaves them once it is finished, so they stay the size of the queue, not of history.
CREATE INDEX deliveries_queue ON deliveries(platform, priority DESC, id) WHERE state = 'queued';
CREATE INDEX deliveries_queue_newest ON deliveries(platform, priority DESC, article_id DESC, id) WHERE state = 'queued';
CREATE INDEX deliveries_pending ON deliveries(queued_at) WHERE state IN ('queued', 'sending');
CREATE INDEX deliveries_subscription ON deliveries(subscription_id) WHERE state = 'queued';
CREATE INDEX deliveries_broadcast ON deliveries(broadcast_id, state) WHERE broadcast_id IS NOT NULL;

CREATE TABLE editors (
  id         INTEGER PRIMARY KEY,
  platform   TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  name       TEXT,
  added_by   TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (platform, user_id)
);

CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  platform TEXT    NOT NULL,
  actor    TEXT    NOT NULL,
  action   TEXT    NOT NULL,
  detail   TEXT    NOT NULL DEFAULT '{}'              -- JSON
);

-- One row per job that must run once per database (the `nashra run` lease).
CREATE TABLE leases (
  name       TEXT PRIMARY KEY,
  holder     TEXT    NOT NULL,
  pid        INTEGER,
  host       TEXT,
  expires_at INTEGER NOT NULL
);

-- Messages sent per platform account per day (WhatsApp's daily cap).
CREATE TABLE send_counters (
  platform TEXT    NOT NULL,
  day      TEXT    NOT NULL,
  count    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (platform, day)
);
