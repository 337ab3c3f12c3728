-- Version 8: how and when each subscription receives its news (issue 12, sections 2 and 3).
--  * Immediately (as before), or in a digest: hourly, or daily at a local time; urgent alerts may still go at once.
--  * Quiet hours: a local time window in which deliveries go silently or wait until it ends; urgent may override.
--  * Digests are an outbox of their own (digests: once per subscription and period; digest_parts: the messages,
--    with the same queued → sending → sent / in_doubt discipline as deliveries). The deliveries they fold are `held`
--    until their part goes out, then follow its state, so the deliveries table still says, per article and
--    subscription, whether it went out.

CREATE TABLE delivery_settings (
  subscription_id INTEGER PRIMARY KEY REFERENCES subscriptions(id) ON DELETE CASCADE,
  mode         TEXT    NOT NULL DEFAULT 'immediate' CHECK (mode IN ('immediate', 'hourly', 'daily')),
  digest_at    TEXT,                                 -- 'HH:MM' local time of a daily digest
  urgent_now   INTEGER NOT NULL DEFAULT 0,           -- a digest subscription still gets urgent alerts at once
  time_zone    TEXT    NOT NULL DEFAULT 'Asia/Damascus',
  quiet_start  TEXT,                                 -- 'HH:MM' local; NULL: no quiet hours
  quiet_end    TEXT,
  quiet_mode   TEXT    NOT NULL DEFAULT 'silent' CHECK (quiet_mode IN ('silent', 'wait')),
  quiet_urgent INTEGER NOT NULL DEFAULT 0,           -- an urgent alert ignores the quiet hours
  updated_at   INTEGER NOT NULL,
  CHECK (mode <> 'daily' OR digest_at IS NOT NULL),
  CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);
-- WhatsApp's «ملخص» folded what was queued into one message as it went out; it is now an hourly digest.
INSERT INTO delivery_settings (subscription_id, mode, updated_at) SELECT id, 'hourly', created_at FROM subscriptions WHERE digest = 1;
ALTER TABLE subscriptions DROP COLUMN digest;

CREATE TABLE digests (
  id              INTEGER PRIMARY KEY,
  subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  period_end      INTEGER NOT NULL,                  -- the period it closes (ms); the unique key makes it once
  items           INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  UNIQUE (subscription_id, period_end)
);

CREATE TABLE digest_parts (
  id          INTEGER PRIMARY KEY,
  digest_id   INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
  part        INTEGER NOT NULL,                      -- 1..parts, sent in this order
  parts       INTEGER NOT NULL,
  text        TEXT    NOT NULL,                      -- marked up for the platform when the digest closed
  deliveries  TEXT    NOT NULL,                      -- JSON array of the ids of the deliveries it carries
  state       TEXT    NOT NULL DEFAULT 'queued'
              CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'skipped', 'in_doubt')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  not_before  INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT,
  message_id  TEXT,
  sending_at  INTEGER,
  finished_at INTEGER,
  UNIQUE (digest_id, part)
);
CREATE INDEX digest_parts_queue ON digest_parts(id) WHERE state = 'queued';

-- deliveries gains the `held` state (waiting for its digest); a CHECK cannot be altered, so the table is rebuilt as
-- SQLite documents (the runner turns foreign keys off around it).
CREATE TABLE deliveries_v8 (
  id              INTEGER PRIMARY KEY,
  article_id      INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  platform        TEXT    NOT NULL,
  broadcast_id    INTEGER REFERENCES broadcasts(id) ON DELETE SET NULL,
  state           TEXT    NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'held', 'sending', 'sent', 'failed', 'skipped', 'in_doubt')),
  priority        INTEGER NOT NULL DEFAULT 0,
  attempts        INTEGER NOT NULL DEFAULT 0,
  not_before      INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  message_id      TEXT,
  queued_at       INTEGER NOT NULL,
  sending_at      INTEGER,
  finished_at     INTEGER,
  retryable       INTEGER NOT NULL DEFAULT 0,
  UNIQUE (article_id, subscription_id)
);
INSERT INTO deliveries_v8 (id, article_id, subscription_id, platform, broadcast_id, state, priority, attempts, not_before,
    last_error, message_id, queued_at, sending_at, finished_at, retryable)
  SELECT id, article_id, subscription_id, platform, broadcast_id, state, priority, attempts, not_before,
    last_error, message_id, queued_at, sending_at, finished_at, retryable FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v8 RENAME TO deliveries;
CREATE INDEX deliveries_queue ON deliveries(platform, priority DESC, id) WHERE state = 'queued';
CREATE INDEX deliveries_queue_newest ON deliveries(platform, priority DESC, article_id DESC, id) WHERE state = 'queued';
CREATE INDEX deliveries_pending ON deliveries(queued_at) WHERE state IN ('queued', 'sending');
CREATE INDEX deliveries_subscription ON deliveries(subscription_id) WHERE state = 'queued';
CREATE INDEX deliveries_broadcast ON deliveries(broadcast_id, state) WHERE broadcast_id IS NOT NULL;
CREATE INDEX deliveries_finished ON deliveries(finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX deliveries_held ON deliveries(subscription_id, queued_at) WHERE state = 'held';
