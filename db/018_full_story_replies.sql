-- Version 18: the full story asked for by a reply (issue 26). A group's own choice: its members may ask for a story's
-- full text in the group itself (NULL: the default, off: a story runs to several long messages every member receives,
-- so the group's admins decide). The post a reply quotes is found through jobs_post_message (db/015). Every row stays.
ALTER TABLE subscription_templates ADD COLUMN full_story_in_group INTEGER CHECK (full_story_in_group IN (0, 1));
