import { Table } from './table.js';
import type { ClickTarget } from '../model/reach.js';

/** click_links: one code per article and subscription (db/019). */
export class ClickLinksTable extends Table {
  private readonly codeStmt = this.db
    .prepare('SELECT code FROM click_links WHERE article_id = ? AND subscription_id = ?')
    .pluck();
  private readonly insertStmt =
    this.db.prepare(`INSERT INTO click_links (code, article_id, subscription_id, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (article_id, subscription_id) DO NOTHING`);
  private readonly resolveStmt = this.db.prepare(`SELECT l.id, l.article_id, l.subscription_id, a.url, a.retracted_at
    FROM click_links l JOIN articles a ON a.id = l.article_id WHERE l.code = ?`);

  codeFor(articleId: number, subscriptionId: number): string | undefined {
    return this.codeStmt.get(articleId, subscriptionId) as string | undefined;
  }

  /** The pair's code: this one when it had none, the one it had otherwise. */
  remember(code: string, articleId: number, subscriptionId: number, now: number): string {
    this.insertStmt.run(code, articleId, subscriptionId, now);
    return this.codeFor(articleId, subscriptionId)!;
  }

  resolve(code: string): ClickTarget | undefined {
    const row = this.resolveStmt.get(code) as ClickTargetRow | undefined;
    return row && clickTargetFromRow(row);
  }
}

interface ClickTargetRow {
  id: number;
  article_id: number;
  subscription_id: number;
  url: string | null;
  retracted_at: number | null;
}
export const clickTargetFromRow = (row: ClickTargetRow): ClickTarget => ({
  linkId: row.id,
  articleId: row.article_id,
  subscriptionId: row.subscription_id,
  url: row.url && /^https?:\/\//i.test(row.url) ? row.url : undefined,
  retracted: row.retracted_at !== null,
});
