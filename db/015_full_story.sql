-- Version 15: the full story read in the chat (issue 26).
--
-- How many times each story was read whole (a «النص الكامل» press answered, a WhatsApp «المزيد» reply): one row per
-- article that was, counted where reach is shown. No reader is recorded, only the count. Deleted with its article.
CREATE TABLE full_story_reads (
  article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
  reads INTEGER NOT NULL CHECK (reads >= 0),
  last_read_at INTEGER NOT NULL
);

-- The key that signs the codes a «النص الكامل» link carries (an HMAC of the article's id): a reader cannot make the
-- code of another article, so cannot walk the ids to read what was never posted. One row, made here, never sent
-- anywhere; a database restored from a backup keeps it, so links already posted keep working.
CREATE TABLE full_story_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  secret BLOB NOT NULL
);
INSERT INTO full_story_key (id, secret) VALUES (1, randomblob(32));

-- A chat's choice of the «النص الكامل» button under its posts (NULL: the default, on for channels and groups when
-- the article has more than its summary, off in a private chat).
ALTER TABLE subscription_templates ADD COLUMN full_story INTEGER CHECK (full_story IN (0, 1));
