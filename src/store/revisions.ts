import { randomBytes } from 'node:crypto';
import { Table } from './table.js';
import type { ArticleRevision, NewRevision } from '../model/correction.js';
import { parseJsonArray, toDate, toJson } from './rows.js';

/** Editors' corrections waiting for «تأكيد», and every revision applied to an article. */
export class RevisionsTable extends Table {
  private readonly insertStmt =
    this.db.prepare(`INSERT INTO article_revisions (article_id, revision, origin, state, title, summary, hashtags,
      previous_title, previous_summary, author, token, created_at, applied_at)
    VALUES (@articleId, @revision, @origin, @state, @title, @summary, @hashtags, @previousTitle, @previousSummary, @author,
      @token, @now, @appliedAt)`);
  private readonly byIdStmt = this.db.prepare('SELECT * FROM article_revisions WHERE id = ?');
  private readonly applyStmt =
    this.db.prepare(`UPDATE article_revisions SET state = 'applied', revision = ?, applied_at = ?
    WHERE id = ? AND state = 'draft'`);
  private readonly cancelStmt = this.db.prepare(
    `UPDATE article_revisions SET state = 'cancelled' WHERE id = ? AND state = 'draft'`,
  );
  private readonly forArticleStmt = this.db.prepare(
    `SELECT * FROM article_revisions WHERE article_id = ? AND state = 'applied' ORDER BY revision`,
  );

  /** A revision: applied at once (the source's), or a draft waiting for the editor's confirmation. */
  add(r: NewRevision, now = Date.now()): ArticleRevision {
    const applied = r.revision !== undefined;
    const info = this.insertStmt.run({
      articleId: r.articleId,
      revision: r.revision ?? null,
      origin: r.origin,
      state: applied ? 'applied' : 'draft',
      title: r.title,
      summary: toJson(r.summary),
      hashtags: toJson(r.hashtags),
      previousTitle: r.previousTitle,
      previousSummary: toJson(r.previousSummary),
      author: r.author ?? null,
      token: randomBytes(6).toString('base64url'),
      now,
      appliedAt: applied ? now : null,
    });
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): ArticleRevision | undefined {
    const r = this.byIdStmt.get(id) as RevisionRow | undefined;
    return r && revisionFromRow(r);
  }

  /** draft → applied, once (a compare-and-set: a second press applies nothing). */
  apply(id: number, revision: number, now = Date.now()): boolean {
    return this.applyStmt.run(revision, now, id).changes > 0;
  }

  cancel(id: number): boolean {
    return this.cancelStmt.run(id).changes > 0;
  }

  applied(articleId: number): ArticleRevision[] {
    return (this.forArticleStmt.all(articleId) as RevisionRow[]).map(revisionFromRow);
  }
}

interface RevisionRow {
  id: number;
  article_id: number;
  revision: number | null;
  origin: 'source' | 'editor';
  state: ArticleRevision['state'];
  title: string;
  summary: string;
  hashtags: string;
  previous_title: string;
  previous_summary: string;
  author: string | null;
  token: string;
  created_at: number;
  applied_at: number | null;
}

export function revisionFromRow(r: RevisionRow): ArticleRevision {
  return {
    id: r.id,
    articleId: r.article_id,
    revision: r.revision ?? undefined,
    origin: r.origin,
    state: r.state,
    title: r.title,
    summary: parseJsonArray(r.summary),
    hashtags: parseJsonArray(r.hashtags),
    previousTitle: r.previous_title,
    previousSummary: parseJsonArray(r.previous_summary),
    author: r.author ?? undefined,
    token: r.token,
    createdAt: new Date(r.created_at),
    appliedAt: toDate(r.applied_at),
  };
}
