import { formatPost } from '../src/format/post.js';
import { hashtags } from '../src/summary/hashtags.js';
import { paragraphsOf, summarize } from '../src/summary/summarize.js';
import { msSince, newsArticles } from './common.js';
import { telegramMarkup } from '../bots/telegram/markup.js';
import { whatsappMarkup } from '../bots/whatsapp/markup.js';

/**
 * Summarise + hashtag + format (Telegram and WhatsApp) over the 200 news articles on one core, and the same with
 * only an excerpt (the first 300 characters, what a feed often carries) as the floor.
 */
export function benchSummarize(rounds = 10): { articlesPerSecond: number; excerptArticlesPerSecond: number; msPerArticle: number } {
  const articles = newsArticles().map((a) => ({ title: a.title, url: a.url, paragraphs: paragraphsOf(a.content) }));
  const excerpts = articles.map((a) => ({ ...a, paragraphs: [a.paragraphs.join(' ').slice(0, 300)] }));
  const run = (items: typeof articles) => {
    for (const a of items) {
      const summary = summarize(a);
      const tags = hashtags({ title: a.title, paragraphs: a.paragraphs, categories: [] });
      const post = { title: a.title, summary, source: 'bench', url: a.url, hashtags: tags, publishedAt: new Date(0) };
      formatPost(post, telegramMarkup);
      formatPost(post, whatsappMarkup);
    }
  };
  for (let i = 0; i < 3; i++) run(articles); // warm-up: JIT and caches reach their steady state
  const rate = (items: typeof articles) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) run(items);
    return (items.length * rounds) / (msSince(start) / 1000);
  };
  const articlesPerSecond = rate(articles);
  return { articlesPerSecond, excerptArticlesPerSecond: rate(excerpts), msPerArticle: 1000 / articlesPerSecond };
}
