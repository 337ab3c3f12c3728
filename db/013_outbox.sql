-- Version 13: one outbox (issue 23, section 1). Posts (`deliveries`), digest messages (`digest_parts`) and edits and
-- deletions of sent posts (`corrections`) were three tables with three copies of the same state machine; they are one
-- table of jobs now, with one crash recovery, one in-doubt resolution and one worker loop. A new kind of message is a
-- new value of `kind` (a rebuild like 008's, since a CHECK cannot be altered), not a fourth table.
--
-- States, for every kind: queued → sending → sent (with the platform's message id) | failed (retryable 0/1) |
-- skipped (cancelled, with the reason) | in_doubt (a crash while the request was on the wire); `held`: a post
-- waiting for its chat's digest. An edit or delete that was `done` is `sent`, its outcome and answer kept.
--
-- Links between jobs: an edit or delete `waits_for` its post (it needs the post's message id); a post folded in a
-- digest is `carried_by` that digest message and follows its state, so the post rows still say, per article and
-- chat, whether it went out.
CREATE TABLE jobs (
  id              INTEGER PRIMARY KEY,
  kind            TEXT    NOT NULL CHECK (kind IN ('post', 'digest', 'edit', 'delete')),
  platform        TEXT    NOT NULL,
  subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  article_id      INTEGER REFERENCES articles(id) ON DELETE CASCADE,  -- post, edit, delete
  revision        INTEGER,                                            -- edit, delete: the article's revision queued for
  digest_id       INTEGER REFERENCES digests(id) ON DELETE CASCADE,   -- digest: its header (subscription and period)
  part            INTEGER,                                            -- digest: 1..parts, sent in this order
  parts           INTEGER,
  text            TEXT,                                               -- digest: marked up for the platform at closing
  broadcast_id    INTEGER REFERENCES broadcasts(id) ON DELETE SET NULL,
  waits_for       INTEGER REFERENCES jobs(id) ON DELETE CASCADE,      -- edit, delete: the post
  carried_by      INTEGER REFERENCES jobs(id) ON DELETE SET NULL,     -- post: the digest message that carries it
  state           TEXT    NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'held', 'sending', 'sent', 'failed', 'skipped', 'in_doubt')),
  retryable       INTEGER NOT NULL DEFAULT 0,                         -- failed for a temporary reason: may be sent again
  outcome         TEXT    CHECK (outcome IN ('edited', 'unchanged', 'replied', 'deleted', 'notice')),
  answer          TEXT,                                               -- edit/delete: a reply's message id, why a notice
  priority        INTEGER NOT NULL DEFAULT 0,                         -- higher first (urgent alerts)
  attempts        INTEGER NOT NULL DEFAULT 0,
  not_before      INTEGER NOT NULL DEFAULT 0,                         -- a retry, quiet hours, a post still on the wire
  last_error      TEXT,
  message_id      TEXT,
  queued_at       INTEGER NOT NULL,
  sending_at      INTEGER,
  finished_at     INTEGER,
  -- The queue's order: edits and deletes first (a wrong figure already on thousands of phones matters more than the
  -- next story), then digest messages (a few per chat and period, so a large backlog never starves them), then posts.
  lane            INTEGER GENERATED ALWAYS AS (CASE kind WHEN 'post' THEN 2 WHEN 'digest' THEN 1 ELSE 0 END) VIRTUAL,
  CHECK ((kind = 'digest') = (article_id IS NULL)),
  CHECK ((kind = 'digest') = (digest_id IS NOT NULL AND part IS NOT NULL AND parts IS NOT NULL AND text IS NOT NULL)),
  CHECK ((kind IN ('edit', 'delete')) = (waits_for IS NOT NULL AND revision IS NOT NULL)),
  CHECK (carried_by IS NULL OR kind = 'post')
);

-- Posts keep their ids (corrections, audit entries and editors name them).
INSERT INTO jobs (id, kind, platform, subscription_id, article_id, broadcast_id, state, retryable, priority, attempts,
    not_before, last_error, message_id, queued_at, sending_at, finished_at)
  SELECT id, 'post', platform, subscription_id, article_id, broadcast_id, state, retryable, priority, attempts,
    not_before, last_error, message_id, queued_at, sending_at, finished_at FROM deliveries;

-- Digest messages and corrections are numbered after them, in their own order: a digest part's job is
-- part id + max(delivery id), a correction's job is correction id + max(delivery id) + max(part id). A digest part had
-- no queue time: its digest's closing time is.
CREATE TEMP TABLE outbox_offsets AS SELECT
  (SELECT COALESCE(MAX(id), 0) FROM deliveries) AS parts,
  (SELECT COALESCE(MAX(id), 0) FROM deliveries) + (SELECT COALESCE(MAX(id), 0) FROM digest_parts) AS corrections;

INSERT INTO jobs (id, kind, platform, subscription_id, digest_id, part, parts, text, state, attempts, not_before,
    last_error, message_id, queued_at, sending_at, finished_at)
  SELECT p.id + o.parts, 'digest', s.platform, g.subscription_id, p.digest_id, p.part, p.parts, p.text, p.state, p.attempts,
    p.not_before, p.last_error, p.message_id, g.created_at, p.sending_at, p.finished_at
  FROM digest_parts p JOIN digests g ON g.id = p.digest_id JOIN subscriptions s ON s.id = g.subscription_id, outbox_offsets o;

-- A part's JSON list of deliveries becomes each post's carried_by: the deliveries that follow the part (held while
-- it is queued, then its state and message id), and those a retraction cancelled while it was queued (it is rebuilt
-- without them before it goes).
UPDATE jobs SET carried_by = c.job FROM (
    SELECT j.value AS post, MAX(p.id) + (SELECT parts FROM outbox_offsets) AS job
    FROM digest_parts p, json_each(p.deliveries) j JOIN deliveries d ON d.id = j.value
    WHERE p.state = 'queued'
      OR (d.state = p.state AND (p.state <> 'sent' OR d.message_id IS p.message_id))
    GROUP BY j.value) c
  WHERE jobs.id = c.post;

INSERT INTO jobs (id, kind, platform, subscription_id, article_id, revision, waits_for, state, outcome, answer,
    attempts, not_before, last_error, queued_at, sending_at, finished_at)
  SELECT c.id + o.corrections, c.kind, c.platform, d.subscription_id, c.article_id, c.revision, c.delivery_id,
    CASE c.state WHEN 'done' THEN 'sent' ELSE c.state END, c.outcome, c.answer,
    c.attempts, c.not_before, c.last_error, c.queued_at, c.sending_at, c.finished_at
  FROM corrections c JOIN deliveries d ON d.id = c.delivery_id, outbox_offsets o;

-- An editor's verdict on a correction in doubt named its old id: the audit entry also names its job now.
UPDATE audit_log SET detail = json_set(detail, '$.job', json_extract(detail, '$.correction') + (SELECT corrections FROM outbox_offsets))
  WHERE action IN ('correction.mark_sent', 'correction.send_again') AND json_extract(detail, '$.correction') IS NOT NULL;

DROP TABLE outbox_offsets;
DROP TABLE corrections;
DROP TABLE digest_parts;
DROP TABLE deliveries;

-- Today's unique rules: one post per article and chat, one edit per post and revision, one delete per post, one
-- digest message per digest and part.
CREATE UNIQUE INDEX jobs_post_once ON jobs(article_id, subscription_id) WHERE kind = 'post';
CREATE UNIQUE INDEX jobs_edit_once ON jobs(waits_for, revision) WHERE kind = 'edit';
CREATE UNIQUE INDEX jobs_delete_once ON jobs(waits_for) WHERE kind = 'delete';
CREATE UNIQUE INDEX jobs_digest_part_once ON jobs(digest_id, part) WHERE kind = 'digest';
-- Partial indexes: a job leaves them once it is finished, so they stay the size of the queue, not of history. The
-- worker's look (platform, lane, urgency, then oldest or newest article) reads them in order and stops at its limit:
-- measured at 1,000 deliveries/s, sorting the queue at each look instead was 15% of the process.
CREATE INDEX jobs_queue ON jobs(platform, lane, priority DESC, digest_id, part, id) WHERE state = 'queued';
CREATE INDEX jobs_queue_newest ON jobs(platform, lane, priority DESC, article_id DESC, digest_id, part, id) WHERE state = 'queued';
CREATE INDEX jobs_pending ON jobs(queued_at) WHERE kind = 'post' AND state IN ('queued', 'sending');
CREATE INDEX jobs_subscription ON jobs(subscription_id) WHERE state = 'queued';
CREATE INDEX jobs_held ON jobs(subscription_id, queued_at) WHERE state = 'held';
CREATE INDEX jobs_broadcast ON jobs(broadcast_id, state) WHERE broadcast_id IS NOT NULL;
CREATE INDEX jobs_finished ON jobs(finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX jobs_article ON jobs(article_id, kind, state) WHERE article_id IS NOT NULL;
CREATE INDEX jobs_carried ON jobs(carried_by) WHERE carried_by IS NOT NULL;
CREATE INDEX jobs_waits ON jobs(waits_for) WHERE waits_for IS NOT NULL;
-- What a crash left in doubt, newest first (nashra in-doubt list, stats, the desk's Queue page): a handful of rows, read
-- without scanning the history.
CREATE INDEX jobs_in_doubt ON jobs(id) WHERE state = 'in_doubt';
