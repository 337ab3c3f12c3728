-- Version 15: scheduled sends (issue 25, section 4). A broadcast confirmed for a later time is `queued` with its
-- `send_at`, and its posts are queued at once with that time as their not_before: the outbox sends them when it comes,
-- exactly once and across restarts, as it does any post. Until then it can be moved (send_at and its posts'
-- not_before together) or cancelled; from its time on it is going out, and neither is taken. NULL: sent at once.
ALTER TABLE broadcasts ADD COLUMN send_at INTEGER;
-- What is scheduled (the editors' list): a handful of rows, read without scanning every broadcast.
CREATE INDEX broadcasts_scheduled ON broadcasts(send_at) WHERE send_at IS NOT NULL AND state = 'queued';
