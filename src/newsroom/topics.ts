import { normalizeArabic } from '../text/arabic.js';

/** Normalised topic list: what a subscriber typed («الرّقة», «#الرقة») as it is matched («الرقه»). */
export function normalizeTopics(topics: string[]): string[] {
  const seen = new Set<string>();
  for (const t of topics) {
    const n = normalizeArabic(t.replace(/^#/, '').replace(/_/g, ' ')).trim();
    if (n) seen.add(n);
  }
  return [...seen];
}

/**
 * A subscription with no topics gets everything; otherwise one topic must appear in the article's title, summary
 * or body as a whole word or phrase, or equal one of its categories — all compared on normalised Arabic.
 */
export function matchesTopics(topics: string[], article: { title: string; paragraphs: string[]; categories: string[] }): boolean {
  const wanted = normalizeTopics(topics);
  if (wanted.length === 0) return true;
  const categories = new Set(article.categories.map((c) => normalizeArabic(c).trim()));
  const text = ` ${normalizeArabic([article.title, ...article.paragraphs].join(' ')).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  return wanted.some((t) => categories.has(t) || text.includes(` ${t} `) || text.includes(` ال${t} `) || text.includes(` و${t} `));
}
