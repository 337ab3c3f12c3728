/**
 * A light Arabic stemmer for search: it strips the common clitics and inflectional endings, never roots, so that
 * «الحوثيون», «الحوثيين», «للحوثيين» and «الحوثي» all give «حوث». It works on normalised words (normalizeArabic:
 * ة → ه, ى → ي, alef variants → ا), after the light stemmers of Larkey, Ballesteros and Connell ("Light stemming for
 * Arabic information retrieval", 2007), with two changes:
 *
 * - A single proclitic letter (و ف ب ل ك) is also a root letter at the start of many words («وزير», «بيروت»,
 *   «فلسطين»), so stripping it or not cannot be decided word by word. `stemVariants` gives both readings; the search
 *   index stores both and a query word matches either, so «بيروت» finds «ببيروت» and «وزير» finds «الوزير».
 * - Every step keeps at least MIN_STEM letters: «بلد» and «مهم» are left alone.
 *
 * Words that are not Arabic (Latin names, numbers) come back unchanged.
 */

/** Shortest stem a step may leave: three letters, the length of most Arabic roots. */
export const MIN_STEM = 3;

/** Raised whenever the output changes: the search index is rebuilt with the new stems when the store opens. */
export const STEMMER_VERSION = 1;

/** The definite article with the proclitics that attach before it, longest first. */
const ARTICLE_PREFIXES = ['وبال', 'وكال', 'فبال', 'وال', 'فال', 'بال', 'كال', 'ولل', 'فلل', 'لل', 'ال'];

/** A conjunction (و ف) followed by a preposition (ب ل ك), or either alone, longest first. */
const PROCLITICS = ['وب', 'ول', 'وك', 'فب', 'فل', 'فك', 'و', 'ف', 'ب', 'ل', 'ك'];

/**
 * Endings, longest first, in normalised spelling: plural and dual (ون ين ات ان), relative adjective (يه = ية, ي),
 * feminine (ه = ة) and attached pronouns (ها هم هما هن كم نا ه). They are stripped repeatedly, so
 * «الاقتصاديات» → «اقتصادي» → «اقتصاد».
 */
const SUFFIXES = ['هما', 'ها', 'هم', 'هن', 'كم', 'نا', 'ون', 'ين', 'ات', 'ان', 'يه', 'ه', 'ي'];

import { tokenize } from './arabic.js';
import { STOPWORD_SET } from './stopwords.js';

const ARABIC_WORD = /^[\u0621-\u064A]+$/;

function stripSuffixes(word: string): string {
  let stem = word;
  for (let changed = true; changed; ) {
    changed = false;
    for (const suffix of SUFFIXES) {
      if (stem.length - suffix.length >= MIN_STEM && stem.endsWith(suffix)) {
        stem = stem.slice(0, -suffix.length);
        changed = true;
        break;
      }
    }
  }
  return stem;
}

function stripPrefix(word: string, prefixes: readonly string[]): string | undefined {
  const prefix = prefixes.find((p) => word.length - p.length >= MIN_STEM && word.startsWith(p));
  return prefix === undefined ? undefined : word.slice(prefix.length);
}

/**
 * The stems a normalised word may have: one (the definite article and endings stripped), or two when it starts with
 * a letter that may be a proclitic or part of the word. The first is the reading that keeps that letter.
 */
export function stemVariants(word: string): string[] {
  let stems = known.get(word);
  if (stems === undefined) {
    if (known.size >= KNOWN_WORDS) known.clear();
    stems = variantsOf(word);
    known.set(word, stems);
  }
  return stems;
}

/**
 * Stems of the words seen recently. News vocabulary repeats (a few thousand words make most of any article), so
 * indexing 100,000 articles stems each distinct word about once; the bound keeps the memory to a few MB.
 */
const known = new Map<string, string[]>();
const KNOWN_WORDS = 50_000;

function variantsOf(word: string): string[] {
  if (!ARABIC_WORD.test(word)) return [word];
  const withoutArticle = stripPrefix(word, ARTICLE_PREFIXES);
  if (withoutArticle !== undefined) return [stripSuffixes(withoutArticle)];
  const kept = stripSuffixes(word);
  const withoutProclitic = stripPrefix(word, PROCLITICS);
  if (withoutProclitic === undefined) return [kept];
  const stripped = stripSuffixes(withoutProclitic);
  return stripped === kept ? [kept] : [kept, stripped];
}

/** The one stem of a word: its most stripped reading (for display and tests; the index keeps every variant). */
export function stem(word: string): string {
  return stemVariants(word).at(-1)!;
}

/** The search index's text for a document: each word's stem variants, stopwords left out. */
export function indexTerms(text: string): string {
  // tokenize gives normalised words, so the stopword list (normalised) is looked up directly.
  return tokenize(text)
    .filter((w) => !STOPWORD_SET.has(w))
    .flatMap(stemVariants)
    .join(' ');
}

/**
 * A search query as the index reads it: one group per word (stopwords left out, repeats merged), holding that
 * word's stem variants. A document matches when every group has a variant in it.
 */
export function queryStems(query: string): string[][] {
  const words = [...new Set(tokenize(query).filter((w) => !STOPWORD_SET.has(w)))];
  return words.map(stemVariants);
}
