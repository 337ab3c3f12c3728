import { Table } from './table.js';

/** How many times each story was read whole, and the key its links are signed with (db/017). */
export class FullReadsTable extends Table {
  private readonly countsStmt = this.db.prepare(
    'SELECT article_id, reads FROM full_story_reads WHERE article_id IN (SELECT value FROM json_each(?))',
  );
  private readonly addStmt =
    this.db.prepare(`INSERT INTO full_story_reads (article_id, reads, last_read_at) VALUES (@articleId, @reads, @now)
    ON CONFLICT (article_id) DO UPDATE SET reads = reads + @reads, last_read_at = excluded.last_read_at`);
  private readonly keyStmt = this.db.prepare('SELECT secret FROM full_story_key WHERE id = 1').pluck();

  count(articleId: number): number {
    return this.counts([articleId]).get(articleId) ?? 0;
  }

  /** How many times each article's full story was read; an article never read is absent. */
  counts(articleIds: readonly number[]): Map<number, number> {
    const rows = this.countsStmt.all(JSON.stringify(articleIds)) as Array<{ article_id: number; reads: number }>;
    return new Map(rows.map((r) => [r.article_id, r.reads]));
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
