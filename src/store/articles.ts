import { Table } from './table.js';
import type { ArticleEdit, DuplicateMatch, DuplicateReason, NewArticle, StoredArticle } from '../model/article.js';
import type { RevisedText } from '../model/correction.js';

export type { StoredArticle, DuplicateMatch, DuplicateReason, NewArticle } from '../model/article.js';
import { parseJsonArray, toDate, toJson } from './rows.js';
import { indexTerms, STEMMER_VERSION } from '../text/stem.js';

/**
 * Hidden from readers (/latest, /search) while an editor has not published it (held for review, or dismissed), and
 * for good once retracted.
 * `a` is the articles table's alias in the query.
 */
const PUBLISHED =
  "a.retracted_at IS NULL AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.article_id = a.id AND r.state <> 'published')";
/**
 * An urgent alert scheduled for later is published at its time (publishUrgentAt): until then readers do not see it.
 * Only urgent alerts, which editors write: a feed's item dated ahead (a zone written wrong) is still listed.
 */
const URGENT_DUE = '(a.urgent = 0 OR COALESCE(a.published_at, a.created_at) <= ?)';

/** Search ranks the newest this many articles that match (a newsroom searches for recent news first). */
export const RANK_WINDOW = 1000;

/** Articles re-indexed per statement when the search index is rebuilt. */
const REINDEX_BATCH = 1000;

/** How far back a re-posted story (same normalised title and opening) counts as the same one. */
export const STORY_WINDOW_MS = 72 * 3600 * 1000;
/** How long an urgent alert leads /latest: a few hours, the life of breaking news; an older one is ordinary news. */
export const URGENT_FRESH_MS = 6 * 3600 * 1000;

/** A new article's columns as the insert statement names them (both adapters' insert). */
export function articleValues(n: NewArticle, now: number): Record<string, unknown> {
  const a = n.article;
  return {
    sourceId: n.sourceId ?? null,
    url: a.url ?? null,
    guid: a.guid ?? null,
    title: a.title,
    source: a.source,
    author: a.author ?? null,
    publishedAt: a.publishedAt?.getTime() ?? null,
    paragraphs: toJson(a.paragraphs),
    categories: toJson(a.categories),
    imageUrl: a.imageUrl ?? null,
    language: a.language,
    summary: toJson(n.summary),
    hashtags: toJson(n.hashtags),
    contentHash: n.contentHash,
    storyKey: n.storyKey,
    searchText: n.searchText,
    timeZone: n.timeZone ?? null,
    seenOnly: n.seenOnly ? 1 : 0,
    urgent: a.urgent ? 1 : 0,
    createdAt: now,
    feedHash: n.feedHash ?? null,
  };
}

export class ArticlesTable extends Table {
  private readonly insertStmt = this.db.prepare(`INSERT INTO articles
    (source_id, url, guid, title, source_name, author, published_at, paragraphs, categories, image_url,
     language, summary, hashtags, content_hash, story_key, search_text, time_zone, seen_only, urgent, created_at, feed_hash)
    VALUES (@sourceId, @url, @guid, @title, @source, @author, @publishedAt, @paragraphs, @categories, @imageUrl,
     @language, @summary, @hashtags, @contentHash, @storyKey, @searchText, @timeZone, @seenOnly, @urgent, @createdAt, @feedHash)`);
  private readonly byUrl = this.db.prepare('SELECT id FROM articles WHERE url = ?').pluck();
  private readonly byGuid = this.db.prepare('SELECT id FROM articles WHERE guid = ? LIMIT 1').pluck();
  // A retracted story matches at any age: it never comes back as another source's copy.
  private readonly byStory = this.db
    .prepare('SELECT id FROM articles WHERE story_key = ? AND (created_at >= ? OR retracted_at IS NOT NULL) LIMIT 1')
    .pluck();
  private readonly byHash = this.db
    .prepare('SELECT id FROM articles WHERE content_hash = ? AND (created_at >= ? OR retracted_at IS NOT NULL) LIMIT 1')
    .pluck();
  private readonly byId = this.db.prepare('SELECT * FROM articles WHERE id = ?');
  // A source's backlog (seen_only) is listed too: only pushing it was skipped. Items held for review are not.
  private readonly latestStmt = this.db.prepare(`SELECT * FROM articles a WHERE ${PUBLISHED} AND ${URGENT_DUE}
    ORDER BY COALESCE(published_at, created_at) DESC, id DESC LIMIT ?`);
  // Urgent alerts published since a time (an alert is published when an editor writes it): a range on the
  // articles_recent index that reads only the last few hours, so /latest stays two short index reads.
  private readonly freshUrgentStmt =
    this.db.prepare(`SELECT * FROM articles a WHERE COALESCE(published_at, created_at) >= ? AND urgent = 1
    AND retracted_at IS NULL AND ${URGENT_DUE}
    ORDER BY COALESCE(published_at, created_at) DESC, id DESC LIMIT ?`);
  // Ranked by bm25 (lowest is best) among the newest RANK_WINDOW matches: FTS5 reads a word's matches newest first
  // and stops there, so a word found in most articles costs as little as a rare one (at 100,000 articles, ranking
  // every match of such a word took 220 ms; the window, 7). Twice the limit leaves room for unpublished ones.
  private readonly searchStmt =
    this.db.prepare(`SELECT a.* FROM (SELECT id, score FROM (SELECT rowid AS id, bm25(article_terms) AS score
    FROM article_terms WHERE article_terms MATCH ? ORDER BY rowid DESC LIMIT ${RANK_WINDOW}) ORDER BY score, id DESC LIMIT ?) m
    JOIN articles a ON a.id = m.id WHERE ${PUBLISHED} AND ${URGENT_DUE} ORDER BY m.score, a.id DESC LIMIT ?`);
  private readonly publishUrgentStmt = this.db.prepare(
    'UPDATE articles SET published_at = ? WHERE id = ? AND urgent = 1',
  );
  private readonly termsStmt = this.db.prepare('INSERT INTO article_terms (rowid, terms) VALUES (?, ?)');
  private readonly indexVersionStmt = this.db.prepare('SELECT version FROM search_index').pluck();
  private readonly recordDup =
    this.db.prepare(`INSERT INTO duplicates (article_id, source_id, url, guid, reason, seen_at)
    VALUES (?, ?, ?, ?, ?, ?)`);
  private readonly countStmt = this.db.prepare('SELECT COUNT(*) FROM articles').pluck();
  private readonly editStmt =
    this.db.prepare(`UPDATE articles SET edited_title = ?, edited_summary = ?, edited_hashtags = ?, edited_by = ?,
    edited_at = ? WHERE id = ?`);
  private readonly stampStmt = this.db
    .prepare(`SELECT revision || ':' || COALESCE(edited_at, 0) || ':' || (retracted_at IS NOT NULL)
    FROM articles WHERE id = ?`)
    .pluck();
  private readonly reviseStmt =
    this.db.prepare(`UPDATE articles SET title = @title, paragraphs = @paragraphs, summary = @summary,
      hashtags = @hashtags, content_hash = @contentHash, story_key = @storyKey, search_text = @searchText,
      feed_hash = COALESCE(@feedHash, feed_hash), revision = revision + @bump
    WHERE id = @id AND retracted_at IS NULL`);
  private readonly bumpStmt = this.db.prepare(
    'UPDATE articles SET revision = revision + 1 WHERE id = ? AND retracted_at IS NULL',
  );
  private readonly feedHashStmt = this.db.prepare('UPDATE articles SET feed_hash = ? WHERE id = ?');
  private readonly retractStmt = this.db.prepare(
    'UPDATE articles SET retracted_at = ?, retracted_by = ? WHERE id = ? AND retracted_at IS NULL',
  );
  private readonly deleteTermsStmt = this.db.prepare('DELETE FROM article_terms WHERE rowid = ?');
  private readonly recentCategoriesStmt =
    this.db.prepare(`SELECT c.value AS category, COUNT(*) AS n FROM articles a, json_each(a.categories) c
    WHERE a.created_at >= ? GROUP BY c.value ORDER BY n DESC, c.value LIMIT ?`);

  /** The stored article this one repeats, checked in order of certainty: URL, GUID, story, content. */
  findDuplicate(
    c: { url?: string; guid?: string; storyKey: string; contentHash: string },
    now = Date.now(),
  ): DuplicateMatch | undefined {
    const since = now - STORY_WINDOW_MS;
    const checks: Array<[DuplicateReason, () => unknown]> = [
      ['url', () => (c.url ? this.byUrl.get(c.url) : undefined)],
      ['guid', () => (c.guid ? this.byGuid.get(c.guid) : undefined)],
      ['story', () => this.byStory.get(c.storyKey, since)],
      ['content', () => this.byHash.get(c.contentHash, since)],
    ];
    for (const [reason, check] of checks) {
      const id = check();
      if (typeof id === 'number') return { articleId: id, reason };
    }
    return undefined;
  }

  insert(n: NewArticle, now = Date.now()): number {
    const info = this.insertStmt.run(articleValues(n, now));
    const id = Number(info.lastInsertRowid);
    this.termsStmt.run(id, n.searchTerms ?? indexTerms(n.searchText));
    return id;
  }

  recordDuplicate(
    match: DuplicateMatch,
    seen: { sourceId?: number; url?: string; guid?: string },
    now = Date.now(),
  ): void {
    this.recordDup.run(match.articleId, seen.sourceId ?? null, seen.url ?? null, seen.guid ?? null, match.reason, now);
  }

  get(id: number): StoredArticle | undefined {
    const row = this.byId.get(id) as ArticleRow | undefined;
    return row && articleFromRow(row);
  }

  getByUrl(url: string): StoredArticle | undefined {
    const id = this.byUrl.get(url);
    return typeof id === 'number' ? this.get(id) : undefined;
  }

  /**
   * The newest articles. An urgent alert comes first only while it is fresh (URGENT_FRESH_MS after it was
   * published); after that it takes its place by time like any other story.
   */
  latest(limit: number, now = Date.now()): StoredArticle[] {
    const urgent = this.freshUrgentStmt.all(now - URGENT_FRESH_MS, now, limit) as ArticleRow[];
    const first = new Set(urgent.map((r) => r.id));
    const rest = (this.latestStmt.all(now, limit) as ArticleRow[]).filter((r) => !first.has(r.id));
    return [...urgent, ...rest].slice(0, limit).map(articleFromRow);
  }

  /**
   * Published articles matching a query given as groups of stems (src/text/stem.ts queryStems): every group must
   * have one of its stems in the article. Best match first (bm25) among the newest RANK_WINDOW matches, the newer of
   * equal matches first.
   */
  search(groups: string[][], limit: number, now = Date.now()): StoredArticle[] {
    const match = ftsMatch(groups);
    if (!match) return [];
    return (this.searchStmt.all(match, limit * 2, now, limit) as ArticleRow[]).map(articleFromRow);
  }

  /** A scheduled urgent alert is published at its time: readers see it then (/latest, /search), not before. */
  publishUrgentAt(id: number, at: number): void {
    this.publishUrgentStmt.run(at, id);
  }

  /** True when the search index was built by this stemmer (else reindexSearch must run). */
  searchIndexCurrent(): boolean {
    return this.indexVersionStmt.get() === STEMMER_VERSION;
  }

  /** Rebuilds the search index from every article's search text, in one transaction (a first open, a new stemmer). */
  reindexSearch(): number {
    const batch = this.db.prepare('SELECT id, search_text FROM articles WHERE id > ? ORDER BY id LIMIT ?');
    return this.db.transaction(() => {
      this.db.prepare("INSERT INTO article_terms (article_terms) VALUES ('delete-all')").run();
      let last = 0;
      let total = 0;
      for (;;) {
        const rows = batch.all(last, REINDEX_BATCH) as Array<{ id: number; search_text: string }>;
        for (const r of rows) this.termsStmt.run(r.id, indexTerms(r.search_text));
        total += rows.length;
        if (rows.length < REINDEX_BATCH) break;
        last = rows.at(-1)!.id;
      }
      this.db.prepare('UPDATE search_index SET version = ?').run(STEMMER_VERSION);
      return total;
    })();
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  /** Stores the editor's version beside the original (which stays as it came in). */
  setEdit(
    id: number,
    edit: { title: string; summary: string[]; hashtags: string[] },
    by: string,
    now: number,
  ): boolean {
    return this.editStmt.run(edit.title, toJson(edit.summary), toJson(edit.hashtags), by, now, id).changes > 0;
  }

  /**
   * Changes whenever what the article's posts show changes (a revision, an editor's edit, a retraction); undefined
   * if there is no such article. For caches of it: one primary-key lookup.
   */
  stamp(id: number): string | undefined {
    return this.stampStmt.get(id) as string | undefined;
  }

  /**
   * Writes a new version of the text and re-indexes it for search; `visible`: readers would notice (revision + 1).
   * False once retracted.
   */
  revise(id: number, r: RevisedText, visible: boolean): boolean {
    const changed =
      this.reviseStmt.run({
        bump: visible ? 1 : 0,
        id,
        title: r.title,
        paragraphs: toJson(r.paragraphs),
        summary: toJson(r.summary),
        hashtags: toJson(r.hashtags),
        contentHash: r.contentHash,
        storyKey: r.storyKey,
        searchText: r.searchText,
        feedHash: r.feedHash ?? null,
      }).changes > 0;
    if (changed) {
      this.deleteTermsStmt.run(id);
      this.termsStmt.run(id, indexTerms(r.searchText));
    }
    return changed;
  }

  /** An editor's correction was applied (setEdit wrote the text): the posts show a new revision. */
  bumpRevision(id: number): boolean {
    return this.bumpStmt.run(id).changes > 0;
  }

  setFeedHash(id: number, feedHash: string): void {
    this.feedHashStmt.run(feedHash, id);
  }

  /** Marks the article retracted, once: false when it already was (the first editor's retraction stands). */
  retract(id: number, by: string, now: number): boolean {
    return this.retractStmt.run(now, by, id).changes > 0;
  }

  /** The categories the sources used since `since`, most used first. */
  recentCategories(since: number, limit: number): string[] {
    return (this.recentCategoriesStmt.all(since, limit) as Array<{ category: string }>).map((r) => r.category);
  }
}

/**
 * A term as an FTS5 string: never read as an operator (AND, OR, NOT, NEAR) or a column filter. A NUL (a search box
 * can send one) would end FTS5's query text there and fail the search ("unterminated string"): it separates words,
 * as it does in the indexed text.
 */
const quoteTerm = (term: string): string => `"${term.replaceAll('"', '""').replaceAll('\u0000', ' ')}"`;

/** An FTS5 query for groups of stems: every group must match, by any of its stems; '' for no words. */
export const ftsMatch = (groups: string[][]): string =>
  groups
    .filter((g) => g.length > 0)
    .map((g) => `(${g.map(quoteTerm).join(' OR ')})`)
    .join(' AND ');

interface ArticleRow {
  id: number;
  source_id: number | null;
  url: string | null;
  guid: string | null;
  title: string;
  source_name: string;
  author: string | null;
  published_at: number | null;
  paragraphs: string;
  categories: string;
  image_url: string | null;
  language: string;
  summary: string;
  hashtags: string;
  search_text: string;
  time_zone: string | null;
  seen_only: number;
  urgent: number;
  created_at: number;
  revision: number;
  feed_hash: string | null;
  retracted_at: number | null;
  retracted_by: string | null;
  edited_title: string | null;
  edited_summary: string | null;
  edited_hashtags: string | null;
  edited_by: string | null;
  edited_at: number | null;
}

export function articleFromRow(r: ArticleRow): StoredArticle {
  const summary = parseJsonArray(r.summary);
  const hashtags = parseJsonArray(r.hashtags);
  const edit: ArticleEdit | undefined =
    r.edited_at === null
      ? undefined
      : {
          by: r.edited_by ?? '',
          at: new Date(r.edited_at),
          original: { title: r.title, summary, hashtags },
        };
  return {
    id: r.id,
    sourceId: r.source_id ?? undefined,
    url: r.url ?? undefined,
    guid: r.guid ?? undefined,
    title: edit ? (r.edited_title ?? r.title) : r.title,
    source: r.source_name,
    author: r.author ?? undefined,
    publishedAt: toDate(r.published_at),
    paragraphs: parseJsonArray(r.paragraphs),
    categories: parseJsonArray(r.categories),
    imageUrl: r.image_url ?? undefined,
    language: r.language,
    summary: edit && r.edited_summary !== null ? parseJsonArray(r.edited_summary) : summary,
    hashtags: edit && r.edited_hashtags !== null ? parseJsonArray(r.edited_hashtags) : hashtags,
    timeZone: r.time_zone ?? undefined,
    seenOnly: r.seen_only === 1,
    urgent: r.urgent === 1,
    createdAt: new Date(r.created_at),
    edit,
    revision: r.revision,
    feedHash: r.feed_hash ?? undefined,
    ...(r.retracted_at !== null ? { retracted: { at: new Date(r.retracted_at), by: r.retracted_by ?? '' } } : {}),
  };
}
