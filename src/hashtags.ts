/**
 * Hashtags the way Arabic news channels write them (#البادية_السورية): the article's own categories first, then
 * the names it keeps coming back to. Deterministic.
 */
import { normalizeArabic, splitSentences } from './arabic.js';
import { STOPWORD_SET } from './stopwords.js';

export interface HashtagInput {
  title: string;
  paragraphs: string[];
  categories?: string[];
}

/** Longest name considered, in words («مركز الملك سلمان»). */
const MAX_NAME_WORDS = 3;
/** Names from the title are what the story is about: their counts weigh this much more. */
const TITLE_WEIGHT = 2;
/** Each extra word makes a phrase more specific, hence a better tag than its single words. */
const EXTRA_WORD_WEIGHT = 0.5;

const TASHKEEL_AND_TATWEEL = /[\u064B-\u0652\u0670\u0640]/g;

interface Name {
  key: string;
  words: string[];
  count: number;
  inTitle: boolean;
  firstSeen: number;
  /** How often each written form occurred; the commonest is the one shown. */
  forms: Map<string, number>;
}

export function hashtags(input: HashtagInput, max = 4): string[] {
  const tags: string[] = [];
  const seenKeys = new Set<string>();
  const usedWords = new Set<string>();
  const add = (words: string[]) => {
    const tag = formatTag(words);
    const key = tag ? normalizeArabic(tag) : '';
    if (!tag || seenKeys.has(key) || tags.length >= max) return false;
    tags.push(tag);
    seenKeys.add(key);
    for (const w of words) usedWords.add(bareWord(w));
    return true;
  };
  for (const category of input.categories ?? []) add(category.split(/[\s_]+/));
  for (const name of centralNames(input)) {
    if (tags.length >= max) break;
    // One tag per name: «البادية السورية» makes «البادية» redundant.
    if (name.words.some((w) => usedWords.has(bareWord(w)))) continue;
    add(bestForm(name).split(' '));
  }
  return tags;
}

/** «#كلمة_وكلمة», or undefined for a tag with nothing but stopwords, numbers or punctuation. */
function formatTag(words: string[]): string | undefined {
  const cleaned = words
    .map((w) => w.replace(TASHKEEL_AND_TATWEEL, '').replace(/[^\p{L}\p{N}]/gu, ''))
    .filter((w) => w !== '');
  if (cleaned.length === 0) return undefined;
  const meaningful = cleaned.some((w) => !STOPWORD_SET.has(normalizeArabic(w)) && !/^\p{N}+$/u.test(w));
  return meaningful ? '#' + cleaned.join('_') : undefined;
}

/** Repeated phrases of one to three content words, most central first. */
function centralNames(input: HashtagInput): Name[] {
  const names = new Map<string, Name>();
  let position = 0;
  const texts = [{ text: input.title, inTitle: true }, ...input.paragraphs.map((text) => ({ text, inTitle: false }))];
  for (const { text, inTitle } of texts) {
    for (const phrase of phrasesOf(text)) {
      for (const words of ngrams(phrase)) record(names, words, inTitle, position++);
    }
  }
  return [...names.values()]
    .filter((n) => n.inTitle || n.count >= (n.words.length === 1 ? 3 : 2))
    .sort((a, b) => nameScore(b) - nameScore(a) || a.firstSeen - b.firstSeen);
}

function nameScore(name: Name): number {
  const weight = (name.inTitle ? TITLE_WEIGHT : 1) * (1 + EXTRA_WORD_WEIGHT * (name.words.length - 1));
  return name.count * weight;
}

/** Runs of words between punctuation marks: a name never spans a comma or a quote. */
function phrasesOf(text: string): string[][] {
  return splitSentences(text).flatMap((sentence) =>
    sentence
      .replace(TASHKEEL_AND_TATWEEL, '')
      .split(/[\p{P}\p{S}]+/u)
      .map((phrase) => phrase.split(/\s+/).filter((w) => w !== ''))
      .filter((words) => words.length > 0),
  );
}

/** Kinship words that join the parts of a person's name («محمد بن سلمان») though the stopword list has them. */
const NAME_LINKS = new Set(['بن', 'ابن', 'بنت', 'ابو']);

/** Phrases of content words only (names do not contain «من» or «في»), with no number. */
function* ngrams(words: string[]): Generator<string[]> {
  for (let n = 1; n <= MAX_NAME_WORDS; n++) {
    for (let i = 0; i + n <= words.length; i++) {
      const gram = words.slice(i, i + n);
      if (gram.some((w) => /\p{N}/u.test(w))) continue;
      if (!isContentWord(gram[0]!) || !isContentWord(gram[n - 1]!)) continue;
      if (!gram.slice(1, -1).every((w) => isContentWord(w) || NAME_LINKS.has(normalizeArabic(w)))) continue;
      yield [withoutProclitic(gram[0]!), ...gram.slice(1)];
    }
  }
}

function isContentWord(word: string): boolean {
  const folded = normalizeArabic(withoutProclitic(word));
  return folded.length > 1 && !STOPWORD_SET.has(folded);
}

/** A word compared without its article, so «#أسعار» and «#الأسعار» count as the same tag. */
function bareWord(word: string): string {
  return normalizeArabic(word).replace(/^ال(?=\p{L}{2})/u, '');
}

/** «والبادية», «بالبادية», «للبادية» → «البادية»: the article belongs to the name, the particle does not. */
function withoutProclitic(word: string): string {
  if (/^[وفبك]ال\p{L}{2}/u.test(word)) return word.slice(1);
  if (/^[وف]?لل\p{L}{2}/u.test(word)) return 'ال' + word.replace(/^[وف]?لل/, '');
  return word;
}

function record(names: Map<string, Name>, words: string[], inTitle: boolean, position: number): void {
  const form = words.join(' ');
  const key = normalizeArabic(form);
  let name = names.get(key);
  if (!name) {
    name = { key, words, count: 0, inTitle: false, firstSeen: position, forms: new Map() };
    names.set(key, name);
  }
  name.count++;
  name.inTitle ||= inTitle;
  name.forms.set(form, (name.forms.get(form) ?? 0) + 1);
}

function bestForm(name: Name): string {
  let best = name.key;
  let bestCount = 0;
  for (const [form, count] of name.forms) {
    if (count > bestCount) {
      best = form;
      bestCount = count;
    }
  }
  return best;
}
