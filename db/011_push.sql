-- Version 11: push ingest (WebSub subscriptions and the publish hook).

-- The publish hook's per-source secret (POST /hooks/publish/<source-id>): the HMAC key, or the bearer token for a
-- tool that cannot sign. NULL: the hook is off for that source.
ALTER TABLE sources ADD COLUMN hook_secret TEXT;

-- One WebSub subscription per source whose feed names a hub. No foreign key on purpose: when the source is removed
-- the row stays (state 'unsubscribe') until the hub has been asked to stop.
CREATE TABLE websub (
  source_id     INTEGER PRIMARY KEY,
  hub           TEXT    NOT NULL,
  topic         TEXT    NOT NULL,                     -- the feed's self URL, as hub.topic
  secret        TEXT    NOT NULL,                     -- hub.secret: the key of X-Hub-Signature
  state         TEXT    NOT NULL DEFAULT 'subscribe'
                CHECK (state IN ('subscribe', 'pending', 'active', 'unsubscribe', 'unsubscribing')),
  lease_seconds INTEGER,
  expires_at    INTEGER,                              -- ms; renewed before it
  requested_at  INTEGER,                              -- last subscribe/unsubscribe request sent to the hub
  last_error    TEXT,
  updated_at    INTEGER NOT NULL
);

-- Notifications already accepted, per source, for the replay window (signature or id as the nonce).
CREATE TABLE push_seen (
  source_id INTEGER NOT NULL,
  nonce     TEXT    NOT NULL,
  seen_at   INTEGER NOT NULL,
  PRIMARY KEY (source_id, nonce)
) WITHOUT ROWID;
CREATE INDEX push_seen_at ON push_seen(seen_at);
