/** The reviews port on PostgreSQL: the statements of src/store/reviews.ts, and its row mappers. */
import { randomBytes } from 'node:crypto';
import type { ReviewRepository } from '../../ports/articles.js';
import { reviewFromRow, reviewMessageFromRow } from '../reviews.js';
import { statement, type Sql } from './sql.js';

// The rows each SQLite mapper reads (the store exports mappers, not row types).
type ReviewRow = Parameters<typeof reviewFromRow>[0];
type ReviewMessageRow = Parameters<typeof reviewMessageFromRow>[0];

const OPEN = statement(
  'INSERT INTO reviews (article_id, token, created_at) VALUES (?, ?, ?) ON CONFLICT (article_id) DO NOTHING',
);
const BY_ID = statement('SELECT * FROM reviews WHERE article_id = ?');
const DECIDE =
  statement(`UPDATE reviews SET state = @to, decided_platform = @platform, decided_by = @by, decided_at = @now
  WHERE article_id = @id AND state = 'pending'`);
const QUEUED = statement('UPDATE reviews SET queued = ? WHERE article_id = ?');
const PENDING = statement("SELECT * FROM reviews WHERE state = 'pending' ORDER BY created_at, article_id LIMIT ?");
const UNASKED = statement(
  "SELECT * FROM reviews WHERE state = 'pending' AND asked_at IS NULL ORDER BY created_at, article_id LIMIT ?",
);
const ASKED = statement('UPDATE reviews SET asked_at = ? WHERE article_id = ? AND asked_at IS NULL');
const ADD_COPY =
  statement(`INSERT INTO review_messages (article_id, platform, chat_id, message_id, captioned) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (platform, chat_id, message_id) DO NOTHING`);
const COPIES = statement('SELECT * FROM review_messages WHERE article_id = ? AND platform = ? ORDER BY id');

export function reviewRepository(sql: Sql): ReviewRepository {
  return {
    open: async (articleId, now) => {
      await sql.run(OPEN, [articleId, randomBytes(8).toString('hex'), now]);
    },
    get: async (articleId) => {
      const row = await sql.get<ReviewRow>(BY_ID, [articleId]);
      return row && reviewFromRow(row);
    },
    decide: async (articleId, to, by, now) =>
      (await sql.run(DECIDE, { id: articleId, to, platform: by.platform, by: by.id, now })).changes > 0,
    setQueued: async (articleId, queued) => {
      await sql.run(QUEUED, [queued, articleId]);
    },
    pending: async (limit) => (await sql.all<ReviewRow>(PENDING, [limit])).map(reviewFromRow),
    unasked: async (limit) => (await sql.all<ReviewRow>(UNASKED, [limit])).map(reviewFromRow),
    markAsked: async (articleId, now) => {
      await sql.run(ASKED, [now, articleId]);
    },
    addCopy: async (m) => {
      await sql.run(ADD_COPY, [m.articleId, m.platform, m.chatId, m.messageId, m.captioned ? 1 : 0]);
    },
    copies: async (articleId, platform) =>
      (await sql.all<ReviewMessageRow>(COPIES, [articleId, platform])).map(reviewMessageFromRow),
  };
}
