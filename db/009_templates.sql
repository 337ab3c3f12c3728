-- Version 9: what each chat receives and how (issue 12, sections 1 and 4).
--
-- A subscription's template: NULL in a column means "the environment's default" (NASHRA_HEADER_MARK, NASHRA_FOOTER,
-- NASHRA_SHOW_*, NASHRA_LEAD_PHOTO, NASHRA_LINK_PREVIEW), so changing the environment still reaches every chat that
-- never chose otherwise; an empty header or footer is a choice ("none"). One row per subscription that chose
-- anything; deleted with it.
CREATE TABLE subscription_templates (
  subscription_id INTEGER PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
  header_mark TEXT,
  footer TEXT,
  show_hashtags INTEGER CHECK (show_hashtags IN (0, 1)),
  show_source INTEGER CHECK (show_source IN (0, 1)),
  show_date INTEGER CHECK (show_date IN (0, 1)),
  lead_photo INTEGER CHECK (lead_photo IN (0, 1)),
  link_preview TEXT CHECK (link_preview IN ('none', 'small', 'large')),
  updated_at INTEGER NOT NULL
);

-- A filter for one (subscription, source): a channel that follows everything from its specialised sources but only
-- the Syria stories of a general site. Same syntax as subscriptions.topics (a JSON array; «-word» excludes). An
-- article from that source must pass both the subscription's filter and this one.
CREATE TABLE subscription_source_filters (
  subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  topics TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (subscription_id, source_id)
) WITHOUT ROWID;
CREATE INDEX subscription_source_filters_source ON subscription_source_filters (source_id);
