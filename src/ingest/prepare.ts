/**
 * What storing an article computes from its text alone: the keys the de-duplication compares, the summary, hashtags
 * and search text. Pure functions of the article, so the poller may run them on its feed thread (./feed-thread.ts)
 * and the newsroom's pipeline runs them when nothing was made ahead.
 */
import { createHash } from 'node:crypto';
import type { Article } from '../model/article.js';
import { hashtags } from '../summary/hashtags.js';
import { summarize, type SummaryOptions } from '../summary/summarize.js';
import { normalizeArabic, splitSentences } from '../text/arabic.js';
import { indexTerms } from '../text/stem.js';

/** What storing an article computes from its text alone: keys, summary, hashtags, search text and terms. */
export interface PreparedArticle {
  storyKey: string;
  contentHash: string;
  summary: string[];
  hashtags: string[];
  searchText: string;
  searchTerms: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Same story, whatever the URL: normalised title and opening sentence. */
export function storyKey(article: Pick<Article, 'title' | 'paragraphs'>): string {
  const opening = splitSentences(article.paragraphs.slice(0, 2).join('\n'))[0] ?? '';
  return sha256(`${simplify(article.title)}\n${simplify(opening)}`);
}

export function contentHash(article: Pick<Article, 'paragraphs'>): string {
  return sha256(simplify(article.paragraphs.join('\n')));
}

/** What /search indexes: title, summary, categories and the opening of the body, normalised. */
export function searchTextOf(article: Pick<Article, 'title' | 'categories' | 'paragraphs'>, summary: string[]): string {
  return simplify(
    [article.title, ...summary, ...article.categories, article.paragraphs.join(' ').slice(0, 4000)].join(' '),
  );
}

const simplify = (s: string) =>
  normalizeArabic(s)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** A pure function of the article, so it may run on another thread. */
export function prepareArticle(article: Article, options?: SummaryOptions): PreparedArticle {
  return { storyKey: storyKey(article), contentHash: contentHash(article), ...describeArticle(article, options) };
}

/** Only a new article needs these (a duplicate is not summarised). */
export function describeArticle(
  article: Article,
  options?: SummaryOptions,
): Pick<PreparedArticle, 'summary' | 'hashtags' | 'searchText' | 'searchTerms'> {
  const summary = summarize({ title: article.title, paragraphs: article.paragraphs }, options);
  const searchText = searchTextOf(article, summary);
  return {
    summary,
    searchText,
    searchTerms: indexTerms(searchText),
    hashtags: hashtags({ title: article.title, paragraphs: article.paragraphs, categories: article.categories }),
  };
}
