/** The sources port on PostgreSQL: the statements of src/store/sources.ts, and its row mapper. */
import type { NewSource } from '../../model/source.js';
import type { SourceRepository } from '../../ports/index.js';
import { sourceFromRow } from '../sources.js';
import { statement, type Sql } from './sql.js';

type SourceRow = Parameters<typeof sourceFromRow>[0];

const INSERT =
  statement(`INSERT INTO sources (url, feed_url, kind, name, category, time_zone, interval_seconds, backfill, review, alt_feed_url, site_url, created_at)
  VALUES (@url, @feedUrl, @kind, @name, @category, @timeZone, @intervalSeconds, @backfill, @review, @altFeedUrl, @siteUrl, @now) RETURNING *`);
const BY_ID = statement('SELECT * FROM sources WHERE id = ?');
const LIST = statement('SELECT * FROM sources ORDER BY id');
const REMOVE = statement('DELETE FROM sources WHERE id = ?');
const FETCH_OK =
  statement(`UPDATE sources SET last_fetch_at = @now, last_status = @status, last_error = NULL, error_count = 0,
    failing_since = NULL, etag = COALESCE(@etag, etag), last_modified = COALESCE(@lastModified, last_modified),
    articles_found = articles_found + @newArticles, next_fetch_at = @nextFetchAt WHERE id = @id`);
const FETCH_FAILED = statement(`UPDATE sources SET last_fetch_at = @now, last_status = @status, last_error = @error,
    error_count = error_count + 1, failing_since = COALESCE(failing_since, @now), next_fetch_at = @nextFetchAt WHERE id = @id`);
// Re-enabling clears primed_at: what was published while the source was off is marked seen, never sent. (The casts:
// PostgreSQL deduces one type per parameter, and `@active = 1` alone would make it an INTEGER, the column a BIGINT.)
const SET_ACTIVE = statement(`UPDATE sources SET active = @active::bigint, next_fetch_at = 0,
    primed_at = CASE WHEN @active::bigint = 1 AND active = 0 THEN NULL ELSE primed_at END,
    backfill = CASE WHEN @active::bigint = 1 AND active = 0 THEN 0 ELSE backfill END
  WHERE id = @id`);
const POLL_SOON = statement('UPDATE sources SET next_fetch_at = 0 WHERE id = ? AND active = 1');
const PRIMED = statement('UPDATE sources SET primed_at = ? WHERE id = ? AND primed_at IS NULL');
const DUE = statement('SELECT * FROM sources WHERE active = 1 AND next_fetch_at <= ? ORDER BY next_fetch_at, id');
const SUBSCRIPTIONS_REACHED =
  statement(`SELECT COUNT(DISTINCT d.subscription_id) AS n FROM jobs d JOIN articles a ON a.id = d.article_id
  WHERE a.source_id = ? AND d.kind = 'post'`);

export function sourceRepository(sql: Sql): SourceRepository {
  return {
    add: async (s: NewSource, now) => {
      const { rows } = await sql.run<SourceRow>(INSERT, {
        url: s.url,
        feedUrl: s.feedUrl ?? null,
        kind: s.kind,
        name: s.name,
        category: s.category ?? null,
        timeZone: s.timeZone ?? null,
        intervalSeconds: s.intervalSeconds ?? 600,
        backfill: s.backfill ?? 0,
        review: s.review ? 1 : 0,
        altFeedUrl: s.altFeedUrl ?? null,
        siteUrl: s.siteUrl ?? null,
        now,
      });
      return sourceFromRow(rows[0]!);
    },
    get: async (id) => {
      const row = await sql.get<SourceRow>(BY_ID, [id]);
      return row && sourceFromRow(row);
    },
    list: async () => (await sql.all<SourceRow>(LIST)).map(sourceFromRow),
    due: async (now) =>
      (await sql.all<SourceRow>(DUE, [Number.isFinite(now) ? now : Number.MAX_SAFE_INTEGER])).map(sourceFromRow),
    remove: async (id) => (await sql.run(REMOVE, [id])).changes > 0,
    setActive: async (id, active) => {
      await sql.run(SET_ACTIVE, { active: active ? 1 : 0, id });
    },
    pollSoon: async (id) => (await sql.run(POLL_SOON, [id])).changes > 0,
    markPrimed: async (id, now) => {
      await sql.run(PRIMED, [now, id]);
    },
    recordFetch: async (id, o, now) => {
      if (o.error === undefined) {
        await sql.run(FETCH_OK, {
          id,
          now,
          status: o.status,
          etag: o.etag ?? null,
          lastModified: o.lastModified ?? null,
          newArticles: o.newArticles ?? 0,
          nextFetchAt: o.nextFetchAt,
        });
      } else {
        await sql.run(FETCH_FAILED, { id, now, status: o.status, error: o.error, nextFetchAt: o.nextFetchAt });
      }
    },
    subscriptionsReached: async (id) => (await sql.get<{ n: number }>(SUBSCRIPTIONS_REACHED, [id]))?.n ?? 0,
  };
}
