-- jobs_article (013) indexed every job that names an article, posts included: a million entries at a newsroom's
-- scale, one more index entry to write for every post queued (the bench's "queue one article for 10,000
-- subscribers" went 118 → 159–236 ms and its database 246 → 292 MB when the one outbox landed). Posts are found by
-- article through jobs_post_once (article_id, subscription_id), as they were through the deliveries' own unique
-- index; only edits and deletes (a few per post corrected) need an index of their own. Indexes only: every row stays.
DROP INDEX jobs_article;
CREATE INDEX jobs_article_corrections ON jobs(article_id, kind, state) WHERE kind IN ('edit', 'delete');
