/**
 * Who receives an article, and what a correction or a retraction changes, on PostgreSQL: the statements of
 * src/store/jobs.ts (posts and edits in), src/store/subscriptions.ts and src/store/source-filters.ts (filtering
 * subscriptions) and src/store/articles.ts (revise, edit, retract), with their row mappers.
 */
import type { AudienceQuery } from '../../model/broadcast.js';
import type { CorrectionKind } from '../../model/correction.js';
import type { DeliveryState } from '../../model/delivery.js';
import type { AudienceRepository, CorrectionRepository, QueueOptions } from '../../ports/index.js';
import { articleFromRow } from '../articles.js';
import { tallyFromRows } from '../jobs.js';
import { parseJsonArray, toJson } from '../rows.js';
import { indexTerms } from '../../text/stem.js';
import { termsVector } from './articles.js';
import { CORRECTION_ROWS, cancelWaiting } from './jobs.js';
import { statement, type Sql } from './sql.js';

/** The rows the SQLite tables' mappers read (the store exports mappers, not row types). */
type ArticleRow = Parameters<typeof articleFromRow>[0];
type TallyRow = Parameters<typeof tallyFromRows>[0][number];
type ReasonRow = Parameters<typeof tallyFromRows>[1][number];

/**
 * A new post's state: `held` for a digest subscription, unless urgent and the subscription takes urgent alerts at
 * once (src/store/jobs.ts HELD_OR_QUEUED); a post counts as queued from its scheduled time.
 */
const POST_IN = `INSERT INTO jobs (kind, article_id, subscription_id, platform, broadcast_id, priority, state, queued_at, not_before)
  SELECT 'post', @articleId::bigint, s.id, s.platform, @broadcastId::bigint, @priority::bigint,
    CASE WHEN COALESCE(ds.mode, 'immediate') = 'immediate' OR (@priority::bigint > 0 AND ds.urgent_now = 1) THEN 'queued' ELSE 'held' END,
    GREATEST(@now::bigint, @notBefore::bigint), @notBefore::bigint`;
const ONCE = `ON CONFLICT (article_id, subscription_id) WHERE kind = 'post' DO NOTHING`;
const AUDIENCE = `WHERE s.active = 1 AND (@everyTopic::bigint = 1 OR (s.topics = '[]' AND NOT EXISTS
    (SELECT 1 FROM subscription_source_filters f WHERE f.source_id = @sourceId::bigint AND f.subscription_id = s.id)))
  AND (@platform::text IS NULL OR s.platform = @platform::text) AND s.active_since <= @activeBefore::bigint`;
/** Whether a selected subscription already has a post of the article in a state. */
const has = (
  state: string,
) => `COALESCE(SUM((EXISTS (SELECT 1 FROM jobs d WHERE d.kind = 'post' AND d.article_id = @articleId::bigint
  AND d.subscription_id = s.id AND d.state ${state}))::int), 0)`;

// The listed subscriptions in the order given (their posts' ids follow it, as with SQLite's json_each).
const INSERT_LISTED =
  statement(`${POST_IN} FROM unnest(@ids::bigint[]) WITH ORDINALITY AS j(value, n) JOIN subscriptions s ON s.id = j.value
  LEFT JOIN delivery_settings ds ON ds.subscription_id = s.id WHERE true ORDER BY j.n ${ONCE}`);
const INSERT_AUDIENCE =
  statement(`${POST_IN} FROM subscriptions s LEFT JOIN delivery_settings ds ON ds.subscription_id = s.id
  ${AUDIENCE} ORDER BY s.id ${ONCE}`);
const COUNT_AUDIENCE =
  statement(`SELECT COUNT(*) AS total, ${has("<> 'failed'")} AS already, ${has("= 'failed'")} AS failed
  FROM subscriptions s ${AUDIENCE}`);
const POST_STATES_BY_SUBSCRIPTION = statement(
  `SELECT subscription_id, state FROM jobs WHERE article_id = ? AND kind = 'post'`,
);
const FILTERED = statement(`(SELECT id, platform, topics FROM subscriptions
  WHERE active = 1 AND active_since <= @activeBefore::bigint AND topics <> '[]' ORDER BY id)
  UNION ALL (SELECT s.id, s.platform, s.topics FROM subscription_source_filters f JOIN subscriptions s ON s.id = f.subscription_id
  WHERE f.source_id = @sourceId::bigint AND s.active = 1 AND s.active_since <= @activeBefore::bigint AND s.topics = '[]' ORDER BY s.id)`);
const SOURCE_FILTERS = statement('SELECT subscription_id, topics FROM subscription_source_filters WHERE source_id = ?');

// Edits and deletes in: one per post answered or on the wire; a delete also for the posts left in doubt.
const QUEUE_CORRECTIONS =
  statement(`INSERT INTO jobs (kind, platform, subscription_id, article_id, revision, waits_for, queued_at)
  SELECT @kind::text, d.platform, d.subscription_id, d.article_id, @revision::bigint, d.id, @now::bigint FROM jobs d
  WHERE d.article_id = @articleId AND d.kind = 'post' AND (d.state IN ('sent', 'sending') OR (@kind::text = 'delete' AND d.state = 'in_doubt'))
  ORDER BY d.id ON CONFLICT DO NOTHING`);
const SUPERSEDE = statement(`UPDATE jobs SET state = 'skipped', last_error = @why, finished_at = @now
  WHERE article_id = @articleId AND ${CORRECTION_ROWS} AND kind = 'edit' AND state = 'queued' AND revision < @revision`);
// In the order of SQLite's GROUP BY keys (src/store/postgres/outbox.ts says why).
const ARTICLE_STATES =
  statement(`SELECT platform, state, COUNT(*) AS n FROM jobs WHERE article_id = ? AND kind = 'post' GROUP BY platform, state
  ORDER BY platform COLLATE "C", state COLLATE "C"`);
const TALLY = statement(`SELECT platform, kind, state, outcome, COUNT(*) AS n FROM jobs
  WHERE article_id = ? AND ${CORRECTION_ROWS} GROUP BY platform, kind, state, outcome
  ORDER BY platform COLLATE "C", kind COLLATE "C", state COLLATE "C", outcome COLLATE "C" NULLS FIRST`);
// Ties in the count in the groups' order (SQLite's: NULL first, bytes).
const REASONS = statement(`SELECT platform, kind, last_error AS reason, COUNT(*) AS n FROM jobs
  WHERE article_id = ? AND ${CORRECTION_ROWS} AND state IN ('failed', 'in_doubt') GROUP BY platform, kind, last_error
  ORDER BY n DESC, platform COLLATE "C", kind COLLATE "C", last_error COLLATE "C" NULLS FIRST`);

// The article's text (src/store/articles.ts) and its search terms: the same stems as SQLite's, as the tsvector
// PostgreSQL's search reads (termsVector, src/store/postgres/articles.ts: words split as FTS5 splits them).
const REVISE = statement(`UPDATE articles SET title = @title, paragraphs = @paragraphs, summary = @summary,
    hashtags = @hashtags, content_hash = @contentHash, story_key = @storyKey, search_text = @searchText,
    feed_hash = COALESCE(@feedHash::text, feed_hash), revision = revision + @bump::bigint
  WHERE id = @id AND retracted_at IS NULL`);
const DELETE_TERMS = statement('DELETE FROM article_terms WHERE rowid = ?');
const INSERT_TERMS = statement('INSERT INTO article_terms (rowid, terms) VALUES (?, ?::tsvector)');
const EDIT = statement(
  `UPDATE articles SET edited_title = ?, edited_summary = ?, edited_hashtags = ?, edited_by = ?, edited_at = ? WHERE id = ?`,
);
const BUMP = statement('UPDATE articles SET revision = revision + 1 WHERE id = ? AND retracted_at IS NULL');
const ARTICLE = statement('SELECT * FROM articles WHERE id = ?');
const RETRACT = statement(
  'UPDATE articles SET retracted_at = ?, retracted_by = ? WHERE id = ? AND retracted_at IS NULL',
);

/** Which active subscriptions an SQL audience holds (AUDIENCE's parameters). */
const audienceParams = (articleId: number, q: AudienceQuery) => ({
  articleId,
  everyTopic: q.everyTopic ? 1 : 0,
  platform: q.platform ?? null,
  activeBefore: q.activeBefore ?? Number.MAX_SAFE_INTEGER,
  sourceId: q.sourceId ?? null,
});

const queueParams = (opts: QueueOptions, now: number) => ({
  broadcastId: opts.broadcastId ?? null,
  priority: opts.priority ?? 0,
  now,
  notBefore: opts.notBefore ?? 0,
});

export function audienceRepository(sql: Sql): AudienceRepository {
  return {
    filterTargets: async (sourceId, activeBefore) =>
      (
        await sql.all<{ id: number; platform: string; topics: string }>(FILTERED, {
          sourceId: sourceId ?? null,
          activeBefore: activeBefore ?? Number.MAX_SAFE_INTEGER,
        })
      ).map((r) => ({ id: r.id, platform: r.platform, topics: r.topics === '[]' ? [] : parseJsonArray(r.topics) })),
    sourceFilters: async (sourceId) =>
      new Map(
        (await sql.all<{ subscription_id: number; topics: string }>(SOURCE_FILTERS, [sourceId])).map((r) => [
          r.subscription_id,
          parseJsonArray(r.topics),
        ]),
      ),
    count: async (articleId, query) =>
      (await sql.get<{ total: number; already: number; failed: number }>(
        COUNT_AUDIENCE,
        audienceParams(articleId, query),
      ))!,
    postStates: async (articleId) =>
      new Map(
        (
          await sql.all<{ subscription_id: number; state: DeliveryState }>(POST_STATES_BY_SUBSCRIPTION, [articleId])
        ).map((r) => [r.subscription_id, r.state]),
      ),
    queueSelected: async (articleId, query, now) =>
      (await sql.run(INSERT_AUDIENCE, { ...audienceParams(articleId, query), ...queueParams(query, now) })).changes,
    queueListed: async (articleId, ids, opts, now) =>
      ids.length === 0 ? 0 : (await sql.run(INSERT_LISTED, { articleId, ids, ...queueParams(opts, now) })).changes,
  };
}

export function correctionRepository(sql: Sql): CorrectionRepository {
  const queueCorrections = (articleId: number, kind: CorrectionKind, revision: number, now: number) =>
    sql.atomic(async (s) => {
      if (kind === 'edit')
        await s.run(SUPERSEDE, { articleId, revision, now, why: `superseded by revision ${revision}` });
      return (await s.run(QUEUE_CORRECTIONS, { articleId, kind, revision, now })).changes;
    });
  return {
    revise: (articleId, r, visible) =>
      sql.atomic(async (s) => {
        const changed =
          (
            await s.run(REVISE, {
              bump: visible ? 1 : 0,
              id: articleId,
              title: r.title,
              paragraphs: toJson(r.paragraphs),
              summary: toJson(r.summary),
              hashtags: toJson(r.hashtags),
              contentHash: r.contentHash,
              storyKey: r.storyKey,
              searchText: r.searchText,
              feedHash: r.feedHash ?? null,
            })
          ).changes > 0;
        if (changed) {
          await s.run(DELETE_TERMS, [articleId]);
          await s.run(INSERT_TERMS, [articleId, termsVector(indexTerms(r.searchText))]);
        }
        return changed;
      }),
    // As SQLite's: the edit, the revision up (not once retracted), the article as it now is.
    applyEdit: (articleId, edit, by, now) =>
      sql.atomic(async (s) => {
        await s.run(EDIT, [edit.title, toJson(edit.summary), toJson(edit.hashtags), by, now, articleId]);
        await s.run(BUMP, [articleId]);
        return articleFromRow((await s.get<ArticleRow>(ARTICLE, [articleId]))!);
      }),
    retract: async (articleId, by, now) => (await sql.run(RETRACT, [now, by, articleId])).changes > 0,
    queueEdits: (articleId, revision, now) => queueCorrections(articleId, 'edit', revision, now),
    queueDeletes: (articleId, revision, now) => queueCorrections(articleId, 'delete', revision, now),
    cancelUnsent: (articleId, reason, now) => cancelWaiting(sql, articleId, reason, now),
    postStates: async (articleId) =>
      (await sql.all<{ platform: string; state: DeliveryState; n: number }>(ARTICLE_STATES, [articleId])).map((r) => ({
        platform: r.platform,
        state: r.state,
        count: r.n,
      })),
    tally: async (articleId) =>
      tallyFromRows(await sql.all<TallyRow>(TALLY, [articleId]), await sql.all<ReasonRow>(REASONS, [articleId])),
  };
}
