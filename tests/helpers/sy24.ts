import { readFileSync } from 'node:fs';

/**
 * The SY24 fixture as scraped, split by hand (not by the reader under test): share buttons dropped, the title, then
 * the body; with `keepByline` the «خاص – SY24» line stays at the top of the body, as a naive scraper would leave it.
 */
export function sy24Article(options: { keepByline?: boolean } = {}): { title: string; paragraphs: string[] } {
  const lines = readFileSync(new URL('../fixtures/sy24-badia-article.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const titleAt = lines.findIndex((line) => line.startsWith('تحركات علنية'));
  return { title: lines[titleAt]!, paragraphs: lines.slice(titleAt + (options.keepByline ? 1 : 2)) };
}
