-- Version 19: clicks on posts' links, without tracking readers (issue 25, section 1). With NASHRA_TRACK_CLICKS on,
-- each post links to <public URL>/r/<code>; the code names one post (an article in one chat), never a reader.
-- Nothing about who clicked is stored: no cookie, no address, no user agent, no time finer than the hour.

-- One code per article and subscription, made when its post first leaves (in the unit that marks it `sending`, so a
-- post never links to a code that was not stored). 16 base64url characters: 96 random bits.
CREATE TABLE click_links (
  id              INTEGER PRIMARY KEY,
  code            TEXT    NOT NULL UNIQUE CHECK (length(code) = 16),
  article_id      INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  created_at      INTEGER NOT NULL,
  UNIQUE (article_id, subscription_id)
);
-- The posts a window holds (the reach page's clicks per post), read from the index alone.
CREATE INDEX click_links_created ON click_links(created_at, subscription_id);

-- Clicks per post and hour, written in batches (every 2 s): a post's clicks come in its first hours, so 10,000,000
-- clicks are a few rows per post, not one row per click. The article and subscription are the link's (copied, they
-- never change) so that the reach page's sums read this table alone, in hour order (the primary key).
CREATE TABLE click_counts (
  hour            INTEGER NOT NULL,   -- hours since 1970-01-01T00:00Z
  link_id         INTEGER NOT NULL REFERENCES click_links(id) ON DELETE CASCADE,
  article_id      INTEGER NOT NULL,
  subscription_id INTEGER NOT NULL,
  clicks          INTEGER NOT NULL CHECK (clicks > 0),
  PRIMARY KEY (hour, link_id)
) WITHOUT ROWID;
CREATE INDEX click_counts_link ON click_counts(link_id);

-- The same counts per story and day and per chat and day (UTC), written in the same batch: a window of whole days
-- reads one row per story (or chat) and day instead of one per post and hour (the top stories of a week and the chats
-- sum over these; a window's first, partial day is read from click_counts' hours). The hours stay for the last 24
-- hours and per post.
CREATE TABLE click_story_days (
  day        INTEGER NOT NULL,   -- days since 1970-01-01 (UTC)
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  clicks     INTEGER NOT NULL CHECK (clicks > 0),
  PRIMARY KEY (day, article_id)
) WITHOUT ROWID;
CREATE INDEX click_story_days_article ON click_story_days(article_id);
CREATE TABLE click_chat_days (
  day             INTEGER NOT NULL,
  subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  clicks          INTEGER NOT NULL CHECK (clicks > 0),
  PRIMARY KEY (day, subscription_id)
) WITHOUT ROWID;
CREATE INDEX click_chat_days_subscription ON click_chat_days(subscription_id);

-- All clicks per hour, written in the same batch: the hour-of-day and day-of-week charts read one row per hour of
-- the window (168 for a week) instead of every post's.
CREATE TABLE click_hours (
  hour   INTEGER PRIMARY KEY,   -- hours since 1970-01-01T00:00Z
  clicks INTEGER NOT NULL CHECK (clicks > 0)
);
