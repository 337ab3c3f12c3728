import { Table } from './table.js';
import type { FetchOutcome, NewSource, Source, SourceKind } from '../model/source.js';

export type { FetchOutcome, NewSource, Source, SourceKind } from '../model/source.js';

export class SourcesTable extends Table {
  private readonly insertStmt =
    this.db.prepare(`INSERT INTO sources (url, feed_url, kind, name, category, time_zone, interval_seconds, backfill, review, alt_feed_url, site_url, created_at)
    VALUES (@url, @feedUrl, @kind, @name, @category, @timeZone, @intervalSeconds, @backfill, @review, @altFeedUrl, @siteUrl, @now)`);
  private readonly byId = this.db.prepare('SELECT * FROM sources WHERE id = ?');
  private readonly listStmt = this.db.prepare('SELECT * FROM sources ORDER BY id');
  private readonly removeStmt = this.db.prepare('DELETE FROM sources WHERE id = ?');
  private readonly okStmt =
    this.db.prepare(`UPDATE sources SET last_fetch_at = @now, last_status = @status, last_error = NULL, error_count = 0,
      failing_since = NULL, etag = COALESCE(@etag, etag), last_modified = COALESCE(@lastModified, last_modified),
      articles_found = articles_found + @newArticles, next_fetch_at = @nextFetchAt WHERE id = @id`);
  private readonly errStmt =
    this.db.prepare(`UPDATE sources SET last_fetch_at = @now, last_status = @status, last_error = @error,
      error_count = error_count + 1, failing_since = COALESCE(failing_since, @now), next_fetch_at = @nextFetchAt WHERE id = @id`);
  // Re-enabling clears primed_at: what was published while the source was off is marked seen, never sent.
  private readonly activeStmt = this.db.prepare(`UPDATE sources SET active = @active, next_fetch_at = 0,
      primed_at = CASE WHEN @active = 1 AND active = 0 THEN NULL ELSE primed_at END, backfill = CASE WHEN @active = 1 AND active = 0 THEN 0 ELSE backfill END
    WHERE id = @id`);
  private readonly pollSoonStmt = this.db.prepare('UPDATE sources SET next_fetch_at = 0 WHERE id = ? AND active = 1');
  private readonly primeStmt = this.db.prepare('UPDATE sources SET primed_at = ? WHERE id = ? AND primed_at IS NULL');
  private readonly dueStmt = this.db.prepare(
    'SELECT * FROM sources WHERE active = 1 AND next_fetch_at <= ? ORDER BY next_fetch_at, id',
  );

  add(s: NewSource, now = Date.now()): Source {
    const id = Number(
      this.insertStmt.run({
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
      }).lastInsertRowid,
    );
    return this.get(id)!;
  }

  get(id: number): Source | undefined {
    const r = this.byId.get(id) as SourceRow | undefined;
    return r && sourceFromRow(r);
  }

  list(): Source[] {
    return (this.listStmt.all() as SourceRow[]).map(sourceFromRow);
  }

  /** Active sources whose next fetch time has come (all active ones when `now` is Infinity). */
  due(now = Date.now()): Source[] {
    return (this.dueStmt.all(Number.isFinite(now) ? now : Number.MAX_SAFE_INTEGER) as SourceRow[]).map(sourceFromRow);
  }

  remove(id: number): boolean {
    return this.removeStmt.run(id).changes > 0;
  }

  setActive(id: number, active: boolean): void {
    this.activeStmt.run({ active: active ? 1 : 0, id });
  }

  /** Due now: the running poller takes it on its next tick (about a second). False when it is paused or gone. */
  pollSoon(id: number): boolean {
    return this.pollSoonStmt.run(id).changes > 0;
  }

  /** Records the first successful poll (the backlog is now marked seen). */
  markPrimed(id: number, now = Date.now()): void {
    this.primeStmt.run(now, id);
  }

  recordFetch(id: number, o: FetchOutcome, now = Date.now()): void {
    if (o.error === undefined) {
      this.okStmt.run({
        id,
        now,
        status: o.status,
        etag: o.etag ?? null,
        lastModified: o.lastModified ?? null,
        newArticles: o.newArticles ?? 0,
        nextFetchAt: o.nextFetchAt,
      });
    } else {
      this.errStmt.run({ id, now, status: o.status, error: o.error, nextFetchAt: o.nextFetchAt });
    }
  }
}

interface SourceRow {
  id: number;
  url: string;
  feed_url: string | null;
  kind: SourceKind;
  name: string;
  category: string | null;
  time_zone: string | null;
  interval_seconds: number;
  active: number;
  etag: string | null;
  last_modified: string | null;
  last_fetch_at: number | null;
  last_status: string | null;
  last_error: string | null;
  error_count: number;
  failing_since: number | null;
  next_fetch_at: number;
  articles_found: number;
  created_at: number;
  backfill: number;
  primed_at: number | null;
  review: number;
  alt_feed_url: string | null;
  site_url: string | null;
}

export function sourceFromRow(r: SourceRow): Source {
  const date = (v: number | null) => (v === null ? undefined : new Date(v));
  return {
    id: r.id,
    url: r.url,
    feedUrl: r.feed_url ?? undefined,
    kind: r.kind,
    name: r.name,
    category: r.category ?? undefined,
    timeZone: r.time_zone ?? undefined,
    intervalSeconds: r.interval_seconds,
    active: r.active === 1,
    etag: r.etag ?? undefined,
    lastModified: r.last_modified ?? undefined,
    lastFetchAt: date(r.last_fetch_at),
    lastStatus: r.last_status ?? undefined,
    lastError: r.last_error ?? undefined,
    errorCount: r.error_count,
    failingSince: date(r.failing_since),
    nextFetchAt: new Date(r.next_fetch_at),
    articlesFound: r.articles_found,
    createdAt: new Date(r.created_at),
    backfill: r.backfill,
    primedAt: date(r.primed_at),
    review: r.review === 1,
    altFeedUrl: r.alt_feed_url ?? undefined,
    siteUrl: r.site_url ?? undefined,
  };
}
