-- Version 16: the full story asked for by a reply (issue 26). A WhatsApp reader who replies «المزيد» to a post names
-- it only by the message id WhatsApp gave it; the article and the chat's settings are found from the post. Partial:
-- only posts that were sent (a digest's message id is on each post it carries), so the index grows by one entry per
-- post sent, never by what waits in the queue. Index only: every row stays.
CREATE INDEX jobs_message ON jobs(message_id) WHERE kind = 'post' AND message_id IS NOT NULL;

-- A group's own choice: its members may ask for a story's full text in the group itself (NULL: the default, off: a
-- story runs to several long messages every member receives, so the group's admins decide).
ALTER TABLE subscription_templates ADD COLUMN full_story_in_group INTEGER CHECK (full_story_in_group IN (0, 1));
