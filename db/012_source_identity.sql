-- Version 12: what else names a source's feed, and the site it belongs to (issue 21, items 12 and 13).

-- Another address of the same feed: the feed's self link (atom:link rel=self, JSON Feed feed_url), or, for a site
-- polled through the WordPress REST API, its RSS feed (what a feed reader follows, exported in OPML). An added URL
-- that is one of a source's addresses is that source, "already followed". NULL: none known (sources added before).
ALTER TABLE sources ADD COLUMN alt_feed_url TEXT;
-- The site's page (the feed's <link>, Atom alternate link, JSON Feed home_page_url; a WordPress site's page):
-- OPML's htmlUrl. NULL: not known.
ALTER TABLE sources ADD COLUMN site_url TEXT;
