-- Version 5: sources whose new items wait for an editor («نشر» / «تجاهل») before anything is queued.
ALTER TABLE sources ADD COLUMN review INTEGER NOT NULL DEFAULT 0;

-- One row per article held for review. The state moves pending → published or pending → dismissed once (an atomic
-- compare-and-set: the first editor to press decides); who decided and when are kept.
CREATE TABLE reviews (
  article_id       INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
  state            TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'published', 'dismissed')),
  token            TEXT    NOT NULL,                  -- random, part of the buttons' data
  created_at       INTEGER NOT NULL,
  asked_at         INTEGER,                           -- when the editors were sent it (NULL: not yet)
  decided_platform TEXT,
  decided_by       TEXT,
  decided_at       INTEGER,
  queued           INTEGER                            -- deliveries queued when it was published
);
CREATE INDEX reviews_pending ON reviews(created_at) WHERE state = 'pending';

-- The message each editor got for a review, so every copy can be updated once someone has decided.
CREATE TABLE review_messages (
  id         INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES reviews(article_id) ON DELETE CASCADE,
  platform   TEXT    NOT NULL,
  chat_id    TEXT    NOT NULL,
  message_id TEXT    NOT NULL,
  captioned  INTEGER NOT NULL DEFAULT 0,              -- a photo's caption, not a text message
  UNIQUE (platform, chat_id, message_id)
);
CREATE INDEX review_messages_article ON review_messages(article_id);
