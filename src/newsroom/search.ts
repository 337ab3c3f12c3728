import type { StoredArticle } from '../model/article.js';
import type { NewsroomDeps } from './deps.js';
import { splitSentences, tokenize } from '../text/arabic.js';
import { queryStems, stemVariants } from '../text/stem.js';

export interface SearchHit {
  article: StoredArticle;
  /** The body sentence that matches best, when the headline and the summary (which every reader is shown) do not
   * hold every searched word; at most SNIPPET_CHARS characters around the first match. */
  snippet?: string;
}

/** A snippet is one sentence, cut to this around its first match (a Telegram message holds several results). */
const SNIPPET_CHARS = 200;

/**
 * /search for every front door: published articles holding every word of the query in any inflected form (FTS5
 * over light stems), best match first, each with the sentence that matched when the post would not show it.
 */
export async function searchArticles(
  deps: Pick<NewsroomDeps, 'data'>,
  query: string,
  limit: number,
): Promise<SearchHit[]> {
  const groups = queryStems(query);
  if (groups.length === 0) return [];
  return (await deps.data.repos.reads.search(groups, limit)).map((article) => {
    const shown = [article.title, ...article.summary];
    if (shown.some((s) => matches(s, groups) === groups.length)) return { article };
    const sentences = article.paragraphs.flatMap(splitSentences);
    let best: string | undefined;
    let bestScore = 0;
    for (const s of sentences) {
      const score = matches(s, groups);
      if (score > bestScore) [best, bestScore] = [s, score];
      if (score === groups.length) break;
    }
    return best === undefined ? { article } : { article, snippet: around(best, groups) };
  });
}

/** How many of the query's words a sentence holds. */
function matches(sentence: string, groups: string[][]): number {
  const stems = new Set(tokenize(sentence).flatMap(stemVariants));
  return groups.filter((g) => g.some((s) => stems.has(s))).length;
}

function around(sentence: string, groups: string[][]): string {
  const text = sentence.trim();
  if (text.length <= SNIPPET_CHARS) return text;
  const words = text.split(/\s+/);
  const first = Math.max(
    0,
    words.findIndex((w) =>
      tokenize(w)
        .flatMap(stemVariants)
        .some((s) => groups.some((g) => g.includes(s))),
    ),
  );
  let from = Math.max(0, first - 8);
  let out = words.slice(from).join(' ');
  while (out.length > SNIPPET_CHARS && from < first) out = words.slice(++from).join(' ');
  const cut = out.length > SNIPPET_CHARS ? `${out.slice(0, SNIPPET_CHARS).replace(/\s+\S*$/, '')}…` : out;
  return from > 0 ? `…${cut}` : cut;
}
