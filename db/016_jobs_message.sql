-- Version 16: a post found by its message id (issue 26). A WhatsApp reader who replies «المزيد» to a post names it
-- only by the message id WhatsApp gave it; the article and the chat's settings are found from the post. Partial: only
-- posts that were sent (a digest's message id is on each post it carries), so the index grows by one entry per post
-- sent, never by what waits in the queue. Index only: every row stays.
CREATE INDEX jobs_message ON jobs(message_id) WHERE kind = 'post' AND message_id IS NOT NULL;
