-- The editors' web desk: its own accounts and sessions, and an editor's version of an article.

-- Desk accounts are separate from the platform editors (Telegram ids, WhatsApp numbers): a username and a password.
-- password_hash holds the algorithm, its parameters, the per-user salt and the hash: scrypt$N$r$p$salt$hash (base64).
CREATE TABLE desk_editors (
  id                  INTEGER PRIMARY KEY,
  username            TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  password_hash       TEXT    NOT NULL,
  created_at          INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL
);

-- A session is stored by the SHA-256 of its cookie value: a copy of the database does not sign anyone in.
CREATE TABLE desk_sessions (
  id           TEXT    PRIMARY KEY,
  editor_id    INTEGER NOT NULL REFERENCES desk_editors(id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX desk_sessions_editor ON desk_sessions(editor_id);

-- The editor's version, beside the original: when set, it is what is previewed and sent.
ALTER TABLE articles ADD COLUMN edited_title TEXT;
ALTER TABLE articles ADD COLUMN edited_summary TEXT;   -- JSON array of sentences
ALTER TABLE articles ADD COLUMN edited_hashtags TEXT;  -- JSON array
ALTER TABLE articles ADD COLUMN edited_by TEXT;
ALTER TABLE articles ADD COLUMN edited_at INTEGER;

-- The desk's pages: the activity log by editor and action, deliveries over time (per article is covered by
-- UNIQUE (article_id, subscription_id)).
CREATE INDEX audit_actor ON audit_log(actor, id);
CREATE INDEX audit_action ON audit_log(action, id);
CREATE INDEX deliveries_finished ON deliveries(finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX articles_created ON articles(created_at);
CREATE INDEX broadcasts_article ON broadcasts(article_id);
