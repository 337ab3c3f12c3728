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

/** Words repeat across an article and across articles: normalise each written form once. */
const foldCache = new Map<string, string>();
function fold(word: string): string {
  let folded = foldCache.get(word);
  if (folded === undefined) {
    if (foldCache.size > 100_000) foldCache.clear();
    folded = normalizeArabic(word);
    foldCache.set(word, folded);
  }
  return folded;
}

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
  const meaningful = cleaned.some((w) => !STOPWORD_SET.has(fold(w)) && !/^\p{N}+$/u.test(w));
  return meaningful ? '#' + cleaned.join('_') : undefined;
}

/** Repeated phrases of one to three content words, most central first. */
function centralNames(input: HashtagInput): Name[] {
  const names = new Map<string, Name>();
  let position = 0;
  const texts = [{ text: input.title, inTitle: true }, ...input.paragraphs.map((text) => ({ text, inTitle: false }))];
  for (const { text, inTitle } of texts) {
    for (const phrase of phrasesOf(text)) {
      for (const gram of ngrams(phrase)) record(names, gram, inTitle, position++);
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

/** What ngrams needs of each word, computed once per word rather than once per phrase it is part of. */
interface WordInfo { word: string; stripped: string; key: string; strippedKey: string; content: boolean; link: boolean; number: boolean }

function wordInfo(word: string): WordInfo {
  const stripped = withoutProclitic(word);
  const strippedKey = fold(stripped);
  return {
    word, stripped, key: fold(word), strippedKey,
    content: strippedKey.length > 1 && !STOPWORD_SET.has(strippedKey),
    link: NAME_LINKS.has(fold(word)),
    number: /\p{N}/u.test(word),
  };
}

interface Gram { words: string[]; key: string }

/** Phrases of content words only (names do not contain «من» or «في»), with no number. */
function ngrams(words: string[]): Gram[] {
  const info = words.map(wordInfo);
  const grams: Gram[] = [];
  for (let i = 0; i < info.length; i++) {
    const first = info[i]!;
    if (first.number || !first.content) continue;
    let words = [first.stripped];
    let key = first.strippedKey;
    grams.push({ words, key });
    // Grow the phrase to the right while its inner words are content words or name links («بن»).
    for (let j = i + 1; j < info.length && j < i + MAX_NAME_WORDS; j++) {
      const next = info[j]!;
      if (next.number || !(next.content || next.link)) break;
      words = [...words, next.word];
      key = `${key} ${next.key}`;
      if (next.content) grams.push({ words, key });
    }
  }
  return grams;
}

function isContentWord(word: string): boolean {
  const folded = fold(withoutProclitic(word));
  return folded.length > 1 && !STOPWORD_SET.has(folded);
}

/** A word compared without its article, so «#أسعار» and «#الأسعار» count as the same tag. */
function bareWord(word: string): string {
  return fold(word).replace(/^ال(?=\p{L}{2})/u, '');
}

/** «والبادية», «بالبادية», «للبادية» → «البادية»: the article belongs to the name, the particle does not. */
function withoutProclitic(word: string): string {
  if (/^[وفبك]ال\p{L}{2}/u.test(word)) return word.slice(1);
  if (/^[وف]?لل\p{L}{2}/u.test(word)) return 'ال' + word.replace(/^[وف]?لل/, '');
  return word;
}

function record(names: Map<string, Name>, { words, key }: Gram, inTitle: boolean, position: number): void {
  const form = words.join(' ');
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
