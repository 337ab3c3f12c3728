-- Version 15: reactions to the posts Nashra sent (issue 25, section 2), counted per post and emoji. Counts only: no
-- row names who reacted (Telegram's channels report anonymous totals; for groups and WhatsApp the bots turn each
-- person's change into a difference before it reaches the store).
--
-- `emoji` is the reaction as the platform names it: an emoji («👍», «❤‍🔥»), or a named one (`paid`, Telegram's
-- star reaction; `custom:<id>`, a custom emoji). The post's article and platform are copied from its job so the
-- reads (an article's reactions, totals for a set of articles) need no join through the outbox.
CREATE TABLE post_reactions (
  post_id    INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  platform   TEXT    NOT NULL,
  emoji      TEXT    NOT NULL CHECK (length(emoji) BETWEEN 1 AND 80),
  count      INTEGER NOT NULL CHECK (count BETWEEN 0 AND 10000000),  -- a row that reaches 0 is deleted at once
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (post_id, emoji)
) WITHOUT ROWID;
CREATE INDEX post_reactions_article ON post_reactions(article_id, platform);

-- What was applied to a post already, so a replayed update counts once: the time of the last full count (Telegram's
-- message_reaction_count carries the whole current picture: an older one arriving late is not applied), and the
-- keys of the last 64 changes applied (each a SHA-256 prefix of the platform's event id, never the id itself).
CREATE TABLE post_reaction_marks (
  post_id   INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  counts_at INTEGER,
  events    TEXT    NOT NULL DEFAULT '[]'
);

-- A reaction names its message by chat and the platform's message id: the post is found through its subscription.
-- Partial: a post enters it when its message id is written (sent), so queueing a broadcast writes nothing more;
-- marking 10,000 posts sent (commits of 30, synchronous=FULL) took 217-224 µs a post with it, 277-309 without (the
-- commit's fsync is the cost, the index entry is lost in it).
CREATE INDEX jobs_post_message ON jobs(subscription_id, message_id) WHERE kind = 'post' AND message_id IS NOT NULL;
