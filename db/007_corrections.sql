-- Version 7: corrections and retractions. A sent post follows its article: when the source republishes the item
-- changed (or an editor corrects it), every copy already sent is edited; when an editor retracts it, every copy is
-- deleted (or replaced by a short notice) and it is never sent again.

-- revision: 1 as first stored, +1 for every reader-visible change applied. feed_hash: the item as its source last
-- published it (title, text, modification date), so a poll notices a change without fetching the page again.
ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN feed_hash TEXT;
ALTER TABLE articles ADD COLUMN retracted_at INTEGER;
ALTER TABLE articles ADD COLUMN retracted_by TEXT;

-- Every version of an article that was applied (and an editor's correction while it waits for «تأكيد»): what it said
-- before and after, who or what changed it. The first version is the article row as it was stored.
CREATE TABLE article_revisions (
  id               INTEGER PRIMARY KEY,
  article_id       INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  revision         INTEGER,                             -- NULL while a draft
  origin           TEXT    NOT NULL CHECK (origin IN ('source', 'editor')),
  state            TEXT    NOT NULL CHECK (state IN ('draft', 'applied', 'cancelled')),
  title            TEXT    NOT NULL,
  summary          TEXT    NOT NULL,                    -- JSON array of sentences
  hashtags         TEXT    NOT NULL,                    -- JSON array
  previous_title   TEXT    NOT NULL,
  previous_summary TEXT    NOT NULL,
  author           TEXT,                                -- platform:id of the editor; NULL for the source
  token            TEXT    NOT NULL,                    -- random, part of the confirm button's data
  created_at       INTEGER NOT NULL,
  applied_at       INTEGER
);
CREATE UNIQUE INDEX article_revisions_once ON article_revisions(article_id, revision) WHERE revision IS NOT NULL;

-- The corrections outbox: one edit per (delivery, revision), one delete per delivery. The same discipline as
-- deliveries: `sending` committed before the request, `done` with the platform's answer after it, so a crash leaves
-- only requests on the wire in doubt.
CREATE TABLE corrections (
  id          INTEGER PRIMARY KEY,
  delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  platform    TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('edit', 'delete')),
  revision    INTEGER NOT NULL,                          -- the article's revision the job was queued for
  state       TEXT    NOT NULL DEFAULT 'queued'
              CHECK (state IN ('queued', 'sending', 'done', 'failed', 'skipped', 'in_doubt')),
  outcome     TEXT    CHECK (outcome IN ('edited', 'unchanged', 'replied', 'deleted', 'notice')),
  answer      TEXT,                                      -- the platform's answer: a reply's message id, why a notice
  attempts    INTEGER NOT NULL DEFAULT 0,
  not_before  INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT,
  queued_at   INTEGER NOT NULL,
  sending_at  INTEGER,
  finished_at INTEGER
);
CREATE UNIQUE INDEX corrections_edit_once ON corrections(delivery_id, revision) WHERE kind = 'edit';
CREATE UNIQUE INDEX corrections_delete_once ON corrections(delivery_id) WHERE kind = 'delete';
CREATE INDEX corrections_queue ON corrections(platform, id) WHERE state = 'queued';
CREATE INDEX corrections_article ON corrections(article_id, kind, state);
