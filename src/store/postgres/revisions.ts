/** The revisions port on PostgreSQL: the statements of src/store/revisions.ts, and its row mapper. */
import { randomBytes } from 'node:crypto';
import type { RevisionRepository } from '../../ports/corrections.js';
import { revisionFromRow } from '../revisions.js';
import { toJson } from '../rows.js';
import { statement, type Sql } from './sql.js';

// The rows each SQLite mapper reads (the store exports mappers, not row types).
type RevisionRow = Parameters<typeof revisionFromRow>[0];

const INSERT = statement(`INSERT INTO article_revisions (article_id, revision, origin, state, title, summary, hashtags,
    previous_title, previous_summary, author, token, created_at, applied_at)
  VALUES (@articleId, @revision, @origin, @state, @title, @summary, @hashtags, @previousTitle, @previousSummary, @author,
    @token, @now, @appliedAt) RETURNING *`);
const BY_ID = statement('SELECT * FROM article_revisions WHERE id = ?');
const APPLY = statement(
  `UPDATE article_revisions SET state = 'applied', revision = ?, applied_at = ? WHERE id = ? AND state = 'draft'`,
);
const CANCEL = statement(`UPDATE article_revisions SET state = 'cancelled' WHERE id = ? AND state = 'draft'`);

export function revisionRepository(sql: Sql): RevisionRepository {
  return {
    // Applied at once (the source's), or a draft waiting for the editor's confirmation.
    add: async (r, now) => {
      const applied = r.revision !== undefined;
      const { rows } = await sql.run<RevisionRow>(INSERT, {
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
      return revisionFromRow(rows[0]!);
    },
    get: async (id) => {
      const row = await sql.get<RevisionRow>(BY_ID, [id]);
      return row && revisionFromRow(row);
    },
    apply: async (id, revision, now) => (await sql.run(APPLY, [revision, now, id])).changes > 0,
    cancel: async (id) => (await sql.run(CANCEL, [id])).changes > 0,
  };
}
