import type { Database, Statement } from 'better-sqlite3';

/** How many times each story was read whole, and the key its links are signed with (db/015). */
export class FullReadsTable {
  private readonly countStmt: Statement;
  private readonly addStmt: Statement;
  private readonly keyStmt: Statement;

  constructor(db: Database) {
    this.countStmt = db.prepare('SELECT reads FROM full_story_reads WHERE article_id = ?').pluck();
    this.addStmt = db.prepare(`INSERT INTO full_story_reads (article_id, reads, last_read_at) VALUES (@articleId, @reads, @now)
      ON CONFLICT (article_id) DO UPDATE SET reads = reads + @reads, last_read_at = excluded.last_read_at`);
    this.keyStmt = db.prepare('SELECT secret FROM full_story_key WHERE id = 1').pluck();
  }

  count(articleId: number): number {
    return (this.countStmt.get(articleId) as number | undefined) ?? 0;
  }

  /** `reads` more reads of the article's full story. */
  add(articleId: number, reads: number, now: number): void {
    this.addStmt.run({ articleId, reads, now });
  }

  /** The signing key (32 random bytes). */
  key(): Buffer {
    return this.keyStmt.get() as Buffer;
  }
}
