/**
 * What subscribers see of the 200 news articles, locked: summary, hashtags, and a digest of the Telegram and
 * WhatsApp posts. Speed work on the summarizer and the formatter must leave every byte as it was; a change meant to
 * alter the output updates the file with `npx vitest run tests/summary/output-snapshot.test.ts -u` and shows in review.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/format/post.js';
import { hashtags } from '../../src/summary/hashtags.js';
import { paragraphsOf, summarize } from '../../src/summary/summarize.js';
import { newsArticles } from '../../bench/common.js';
import { telegramMarkup } from '../../bots/telegram/markup.js';
import { whatsappMarkup } from '../../bots/whatsapp/markup.js';

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

describe('output snapshot', () => {
  it("summary, hashtags and both platforms' posts of the 200 news articles are unchanged", async () => {
    const lines = newsArticles().map((a) => {
      const paragraphs = paragraphsOf(a.content);
      const summary = summarize({ title: a.title, paragraphs });
      const tags = hashtags({ title: a.title, paragraphs, categories: [] });
      const post = { title: a.title, summary, source: 'bench', url: a.url, hashtags: tags, publishedAt: new Date(0) };
      return JSON.stringify({
        id: a.id,
        summary,
        tags,
        telegram: digest(formatPost(post, telegramMarkup)),
        whatsapp: digest(formatPost(post, whatsappMarkup)),
      });
    });
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot('../fixtures/output-snapshot/news-200.jsonl');
  });
});
