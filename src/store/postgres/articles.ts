/**
 * The articles ports on PostgreSQL (`articles`, `articleWrites`) and its search: the statements of
 * src/store/articles.ts, and its row mapper.
 *
 * Search. SQLite indexes each article's light stems (src/text/stem.ts indexTerms) in FTS5 with the unicode61
 * tokenizer, and a query is groups of stems, each stem a quoted FTS5 string (ftsMatch). PostgreSQL keeps the same
 * stems as a tsvector in `article_terms`, and the same query as a tsquery, both built here rather than by
 * to_tsvector/to_tsquery, whose parser depends on the server's locale (in the C locale it keeps an emoji as a word,
 * which unicode61 drops) and splits words its own way (hyphens, URLs, numbers with dots). So the words are
 * unicode61's: runs of letters, digits and private-use characters, everything else a separator. An FTS5 string of
 * several such words is a phrase (`<->` here, with each word's position in the terms), and one with none matches
 * nothing. Ranking is ts_rank (term frequency over log of the length, normalisation 1) where SQLite uses bm25: the
 * same articles are found, the best match first on both, ties broken the same way (the newer first).
 */
import type pg from 'pg';
import type { DuplicateMatch, DuplicateReason, NewArticle } from '../../model/article.js';
import type { ArticleRepository } from '../../ports/articles.js';
import type { ArticleLookup } from '../../ports/index.js';
import { articleFromRow, articleValues, RANK_WINDOW, STORY_WINDOW_MS, URGENT_FRESH_MS } from '../articles.js';
import { toJson } from '../rows.js';
import { indexTerms, STEMMER_VERSION } from '../../text/stem.js';
import { query, statement, type Sql, type Statement } from './sql.js';

// The rows each SQLite mapper reads (the store exports mappers, not row types).
type ArticleRow = Parameters<typeof articleFromRow>[0];

const PUBLISHED =
  "a.retracted_at IS NULL AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.article_id = a.id AND r.state <> 'published')";
const URGENT_DUE = '(a.urgent = 0 OR COALESCE(a.published_at, a.created_at) <= @now)';

const INSERT = statement(`INSERT INTO articles
    (source_id, url, guid, title, source_name, author, published_at, paragraphs, categories, image_url,
     language, summary, hashtags, content_hash, story_key, search_text, time_zone, seen_only, urgent, created_at, feed_hash)
    VALUES (@sourceId, @url, @guid, @title, @source, @author, @publishedAt, @paragraphs, @categories, @imageUrl,
     @language, @summary, @hashtags, @contentHash, @storyKey, @searchText, @timeZone, @seenOnly, @urgent, @createdAt, @feedHash)
    RETURNING *`);
const TERMS = statement('INSERT INTO article_terms (rowid, terms) VALUES (?, ?::tsvector)');
// SQLite's four look-ups in order of certainty, in one round trip; each takes the lowest id, as SQLite's index does.
const DUPLICATE = statement(`SELECT id, reason FROM (
    (SELECT id, 'url' AS reason, 1 AS k FROM articles WHERE url = @url::text ORDER BY id LIMIT 1)
    UNION ALL (SELECT id, 'guid', 2 FROM articles WHERE guid = @guid::text ORDER BY id LIMIT 1)
    UNION ALL (SELECT id, 'story', 3 FROM articles WHERE story_key = @storyKey AND (created_at >= @since OR retracted_at IS NOT NULL) ORDER BY id LIMIT 1)
    UNION ALL (SELECT id, 'content', 4 FROM articles WHERE content_hash = @contentHash AND (created_at >= @since OR retracted_at IS NOT NULL) ORDER BY id LIMIT 1)
  ) m ORDER BY k LIMIT 1`);
const RECORD_DUPLICATE = statement(
  `INSERT INTO duplicates (article_id, source_id, url, guid, reason, seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
);
const BY_ID = statement('SELECT * FROM articles WHERE id = ?');
const BY_URL = statement('SELECT * FROM articles WHERE url = ? ORDER BY id LIMIT 1');
const LATEST = statement(`SELECT * FROM articles a WHERE ${PUBLISHED} AND ${URGENT_DUE}
  ORDER BY COALESCE(published_at, created_at) DESC, id DESC LIMIT @limit`);
const FRESH_URGENT =
  statement(`SELECT * FROM articles a WHERE COALESCE(published_at, created_at) >= @since AND urgent = 1
    AND retracted_at IS NULL AND ${URGENT_DUE}
  ORDER BY COALESCE(published_at, created_at) DESC, id DESC LIMIT @limit`);
// As SQLite's: the newest RANK_WINDOW matches, ranked, twice the limit kept for the unpublished ones the join leaves
// out. Two ways to the newest matches, a statement each: the primary key read newest first, each row's terms
// matched, which stops after RANK_WINDOW matches (about RANK_WINDOW × articles / matches rows read: few for a word in
// most articles); or every match from the GIN index, sorted by id (`rowid + 0`: not in the primary key's order), as
// many rows read as matches. searchArticles takes the one that reads fewer rows, from the planner's estimates: the
// planner itself costs matching a row's terms far below what it takes, and so read the primary key for a word in 4%
// of 100,000 articles: 24,000 rows (100 ms on this loaded machine) where the index reads 4,200. Each statement is
// planned for its words at each search (`perCall`).
const ranked = (
  window: string,
): string => `SELECT a.* FROM (SELECT id, score FROM (SELECT w.rowid AS id, ts_rank(w.terms, @query::tsquery, 1) AS score
    FROM (${window}) w) s ORDER BY score DESC, id DESC LIMIT @window) m
  JOIN articles a ON a.id = m.id WHERE ${PUBLISHED} AND ${URGENT_DUE} ORDER BY m.score DESC, a.id DESC LIMIT @limit`;
const SEARCH_NEWEST = perCall(
  ranked(
    `SELECT rowid, terms FROM article_terms WHERE terms @@ @query::tsquery ORDER BY rowid DESC LIMIT ${RANK_WINDOW}`,
  ),
);
const SEARCH_MATCHES = perCall(
  ranked(
    `SELECT rowid, terms FROM article_terms WHERE terms @@ @query::tsquery ORDER BY rowid + 0 DESC LIMIT ${RANK_WINDOW}`,
  ),
);
// The planner's estimates of the matches and of the articles (its statistics of the GIN index and the table).
const ESTIMATE = perCall(`EXPLAIN (FORMAT JSON) SELECT 1 FROM article_terms WHERE terms @@ @query::tsquery
  UNION ALL SELECT 1 FROM article_terms`);
const PUBLISH_URGENT = statement('UPDATE articles SET published_at = ? WHERE id = ? AND urgent = 1');
const EDIT = statement(
  `UPDATE articles SET edited_title = ?, edited_summary = ?, edited_hashtags = ?, edited_by = ?, edited_at = ? WHERE id = ?`,
);
const FEED_HASH = statement('UPDATE articles SET feed_hash = ? WHERE id = ?');
// COLLATE "C": SQLite orders text by its bytes (BINARY); the server's collation may be a language's.
const RECENT_CATEGORIES =
  statement(`SELECT c.value AS category, COUNT(*) AS n FROM articles a, jsonb_array_elements_text(a.categories::jsonb) c(value)
  WHERE a.created_at >= ? GROUP BY c.value ORDER BY n DESC, c.value COLLATE "C" LIMIT ?`);

/**
 * A statement PostgreSQL plans anew with each call's values (pg's unnamed statement) rather than once for all: a
 * search's best plan depends on how common its words are (the newest matches read backwards on the primary key for
 * a word in most articles, the GIN index for a rarer one), which a prepared statement's generic plan ignores. At
 * 100,000 articles, «مدينة» (in three articles of four) took 388 ms on the generic plan, 14 ms planned for it.
 */
export function perCall(text: string): Statement {
  return { ...statement(text), name: '' };
}

const INDEX_VERSION = statement('SELECT version FROM search_index');
const SET_INDEX_VERSION = statement('UPDATE search_index SET version = ?');
const CLEAR_TERMS = statement('DELETE FROM article_terms');
const REINDEX_BATCH = statement('SELECT id, search_text FROM articles WHERE id > ? ORDER BY id LIMIT ?');
const TERMS_BATCH = statement(
  'INSERT INTO article_terms (rowid, terms) SELECT id, terms::tsvector FROM unnest(?::bigint[], ?::text[]) AS t(id, terms)',
);
/** Serialises the rebuild of several processes opening at once (a number of its own, beside the write lock's). */
const REINDEX_LOCK = 0x6e61736874;
/** Articles re-indexed per statement (as SQLite's REINDEX_BATCH). */
const REINDEX_ROWS = 1000;

export function articleLookup(sql: Sql): ArticleLookup {
  const get = async (id: number) => {
    const row = await sql.get<ArticleRow>(BY_ID, [id]);
    return row && articleFromRow(row);
  };
  return {
    get,
    getByUrl: async (url) => {
      const row = await sql.get<ArticleRow>(BY_URL, [url]);
      return row && articleFromRow(row);
    },
    // SQLite's findDuplicate with no story or content of its own (and so its clock, as there).
    known: async (url, guid) => {
      const match = await findDuplicate(sql, { url, guid, storyKey: '', contentHash: '' }, Date.now());
      return match && get(match.articleId);
    },
    setFeedHash: async (id, feedHash) => {
      await sql.run(FEED_HASH, [feedHash, id]);
    },
  };
}

export function articleRepository(sql: Sql): ArticleRepository {
  return {
    findDuplicate: (keys, now) => findDuplicate(sql, keys, now),
    recordDuplicate: async (match, seen, now) => {
      await sql.run(RECORD_DUPLICATE, [
        match.articleId,
        seen.sourceId ?? null,
        seen.url ?? null,
        seen.guid ?? null,
        match.reason,
        now,
      ]);
    },
    // The row and its search terms in one transaction, as SQLite's one gate; the row as stored (its defaults).
    insert: (n: NewArticle, now) =>
      sql.atomic(async (s) => {
        const { rows } = await s.run<ArticleRow>(INSERT, articleValues(n, now));
        const row = rows[0]!;
        await s.run(TERMS, [row.id, termsVector(n.searchTerms ?? indexTerms(n.searchText))]);
        return articleFromRow(row);
      }),
    setEdit: async (id, edit, by, now) =>
      (await sql.run(EDIT, [edit.title, toJson(edit.summary), toJson(edit.hashtags), by, now, id])).changes > 0,
    publishUrgentAt: async (id, at) => {
      await sql.run(PUBLISH_URGENT, [at, id]);
    },
  };
}

async function findDuplicate(
  sql: Sql,
  c: { url?: string; guid?: string; storyKey: string; contentHash: string },
  now: number,
): Promise<DuplicateMatch | undefined> {
  const row = await sql.get<{ id: number; reason: DuplicateReason }>(DUPLICATE, {
    url: c.url || null,
    guid: c.guid || null,
    storyKey: c.storyKey,
    contentHash: c.contentHash,
    since: now - STORY_WINDOW_MS,
  });
  return row && { articleId: row.id, reason: row.reason };
}

/** The reads of the articles table the reads port serves: /latest, /search, the topic buttons. */
export async function latestArticles(sql: Sql, limit: number, now: number) {
  const urgent = await sql.all<ArticleRow>(FRESH_URGENT, { since: now - URGENT_FRESH_MS, now, limit });
  const first = new Set(urgent.map((r) => r.id));
  const rest = (await sql.all<ArticleRow>(LATEST, { now, limit })).filter((r) => !first.has(r.id));
  return [...urgent, ...rest].slice(0, limit).map(articleFromRow);
}

export async function searchArticles(sql: Sql, groups: string[][], limit: number, now: number) {
  const match = tsQuery(groups);
  if (match === undefined || match === NO_MATCH) return [];
  // Rows read: about RANK_WINDOW × articles / matches on the primary key, the matches through the index.
  const plan = (await sql.get<{ 'QUERY PLAN': Array<{ Plan: { Plans: Array<{ 'Plan Rows': number }> } }> }>(ESTIMATE, {
    query: match,
  }))!;
  const [matches, articles] = plan['QUERY PLAN'][0]!.Plan.Plans.map((p) => p['Plan Rows']) as [number, number];
  const search = matches * matches > RANK_WINDOW * articles ? SEARCH_NEWEST : SEARCH_MATCHES;
  return (await sql.all<ArticleRow>(search, { query: match, window: limit * 2, now, limit })).map(articleFromRow);
}

export async function recentCategories(sql: Sql, since: number, limit: number): Promise<string[]> {
  return (await sql.all<{ category: string }>(RECENT_CATEGORIES, [since, limit])).map((r) => r.category);
}

// ---------------------------------------------------------------------------------------------------------------
// The search index's text.

/** unicode61's separators: what is not a letter, a digit or a private-use character (its default categories). */
const SEPARATORS = /[^\p{L}\p{N}\p{Co}]+/u;
/** PostgreSQL refuses a lexeme longer than this (bytes); such a word (no language has one) is not indexed. */
const MAX_WORD_BYTES = 2046;
/** A tsvector's size limit is 1 MB; this leaves room for its header (an article's terms are a few KB). */
const MAX_VECTOR_BYTES = 1_000_000;
/** PostgreSQL keeps at most 256 positions of a lexeme, and none beyond 16,383. */
const MAX_POSITIONS = 256;
const MAX_POSITION = 16383;

const words = (text: string): string[] =>
  text.split(SEPARATORS).filter((w) => w !== '' && Buffer.byteLength(w) <= MAX_WORD_BYTES);
const lexeme = (word: string): string => `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/**
 * An article's terms (indexTerms) as a tsvector literal: each word with its positions, as unicode61 reads them, so
 * a phrase matches where FTS5's would. For every statement that writes `article_terms` (`?::tsvector`).
 */
export function termsVector(terms: string): string {
  const positions = new Map<string, number[]>();
  let bytes = 0;
  words(terms).forEach((word, i) => {
    let at = positions.get(word);
    if (at === undefined) {
      bytes += Buffer.byteLength(word) + 8;
      if (bytes > MAX_VECTOR_BYTES) return;
      at = [];
      positions.set(word, at);
    }
    if (at.length < MAX_POSITIONS) {
      at.push(Math.min(i + 1, MAX_POSITION));
      bytes += 2;
    }
  });
  return [...positions].map(([word, at]) => `${lexeme(word)}:${[...new Set(at)].join(',')}`).join(' ');
}

/** A query no article matches (a group none of whose stems has a word). */
export const NO_MATCH = Symbol('no match');

/**
 * ftsMatch's query as a tsquery: every group, by any of its stems; a stem of several words a phrase. Undefined for
 * no words (SQLite's ''), NO_MATCH when a group cannot match.
 */
export function tsQuery(groups: string[][]): string | typeof NO_MATCH | undefined {
  const parts: string[] = [];
  for (const group of groups.filter((g) => g.length > 0)) {
    const phrases = group
      .map(words)
      .filter((w) => w.length > 0)
      .map((w) => w.map(lexeme).join(' <-> '));
    if (phrases.length === 0) return NO_MATCH;
    parts.push(`(${phrases.map((p) => `(${p})`).join(' | ')})`);
  }
  return parts.length === 0 ? undefined : parts.join(' & ');
}

/**
 * Rebuilds the search index when it was built by another stemmer, or never (a database copied from SQLite comes
 * with version 0 and no terms): every article's terms from its search text, in one transaction holding the write
 * lock, so no article stored meanwhile is left out or indexed twice. How many articles; undefined when current.
 */
export async function reindexSearch(
  pool: pg.Pool,
  lockWriters: (client: pg.PoolClient) => Promise<void>,
): Promise<number | undefined> {
  const current = async (on: pg.Pool | pg.PoolClient) =>
    (await query<{ version: number }>(on, INDEX_VERSION)).rows[0]?.version === STEMMER_VERSION;
  if (await current(pool)) return undefined;
  const client = await pool.connect();
  try {
    // A process opening meanwhile waits here for as long as the rebuild takes (the write lock's wait is 5 s), then
    // finds the index current.
    await client.query('SELECT pg_advisory_lock($1)', [REINDEX_LOCK]);
    await client.query('BEGIN');
    await lockWriters(client);
    // Another process may have rebuilt it while this one waited for the lock.
    if (await current(client)) {
      await client.query('COMMIT');
      return undefined;
    }
    await query(client, CLEAR_TERMS);
    let last = 0;
    let total = 0;
    for (;;) {
      const rows = (await query<{ id: number; search_text: string }>(client, REINDEX_BATCH, [last, REINDEX_ROWS])).rows;
      if (rows.length > 0)
        await query(client, TERMS_BATCH, [
          rows.map((r) => r.id),
          rows.map((r) => termsVector(indexTerms(r.search_text))),
        ]);
      total += rows.length;
      if (rows.length < REINDEX_ROWS) break;
      last = rows.at(-1)!.id;
    }
    await query(client, SET_INDEX_VERSION, [STEMMER_VERSION]);
    await client.query('COMMIT');
    return total;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [REINDEX_LOCK]).catch(() => undefined);
    client.release();
  }
}
