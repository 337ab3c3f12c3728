/**
 * Hashtags the way Arabic news channels write them (#البادية_السورية): the article's own categories first, then
 * the names it keeps coming back to. Deterministic.
 */
import { normalizeArabic } from '../text/arabic.js';
import { STOPWORD_SET } from '../text/stopwords.js';
import { lazyCharTable, isSurrogatePairAt } from '../text/char-table.js';

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
  words: string[];
  count: number;
  inTitle: boolean;
  firstSeen: number;
  /** The written form of the first occurrence. */
  firstForm: string;
  /** How often each written form occurred, from the second occurrence on; the commonest is the one shown. */
  forms?: Map<string, number>;
}

export function hashtags(input: HashtagInput, max = 4): string[] {
  trimWordCache();
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
  const names: NameIndex = { roots: new Map(), inOrder: [] };
  let position = 0;
  const texts = [{ text: input.title, inTitle: true }, ...input.paragraphs.map((text) => ({ text, inTitle: false }))];
  for (const { text, inTitle } of texts) {
    for (const phrase of phrasesOf(text)) position = recordNgrams(names, phrase, inTitle, position);
  }
  const central: Name[] = [];
  for (const n of names.inOrder) if (n.inTitle || n.count >= (n.words.length === 1 ? 3 : 2)) central.push(n);
  return central.sort((a, b) => nameScore(b) - nameScore(a) || a.firstSeen - b.firstSeen);
}

function nameScore(name: Name): number {
  const weight = (name.inTitle ? TITLE_WEIGHT : 1) * (1 + EXTRA_WORD_WEIGHT * (name.words.length - 1));
  return name.count * weight;
}

/**
 * Every sentence boundary splitSentences finds is a line break or right after punctuation, both of which
 * end a phrase anyway, so splitting at line breaks and punctuation yields the same phrases without the cost
 * of sentence splitting. (A sentence without letters or digits, which splitSentences drops, can only yield
 * phrases of such words, and those never make a tag.)
 */
const PHRASE_BREAK = /^[\p{P}\p{S}\r\n\u2028\u2029]$/u;
const WORD_BREAK = /^\s$/;

const WORD_CHARACTER = 0;
const SPACE = 1;
const PUNCTUATION = 2;

/** PUNCTUATION, SPACE or WORD_CHARACTER for each BMP code unit (surrogate pairs are tested whole), built on first use. */

const characterClasses = lazyCharTable((ch) => (PHRASE_BREAK.test(ch) ? PUNCTUATION : WORD_BREAK.test(ch) ? SPACE : WORD_CHARACTER));

/**
 * Runs of words between punctuation marks (a name never spans a comma or a quote), each word as its WordInfo.
 * One scan with a look-up table, which gives what splitting at PHRASE_BREAK runs and then at white space gave,
 * several times faster; each word is hashed as it is scanned, so a known word is found without slicing it out.
 */
function phrasesOf(text: string): WordInfo[][] {
  const table = characterClasses();
  const plain = text.replace(TASHKEEL_AND_TATWEEL, '');
  const phrases: WordInfo[][] = [];
  let words: WordInfo[] = [];
  let start = 0;
  let hash = 0;
  for (let i = 0; i <= plain.length; i++) {
    const code = plain.charCodeAt(i); // NaN past the end: ends the last word and phrase
    const pair = isSurrogatePairAt(plain, i);
    const kind =
      i === plain.length ? PUNCTUATION : pair ? (PHRASE_BREAK.test(plain.slice(i, i + 2)) ? PUNCTUATION : WORD_CHARACTER) : table[code]!;
    if (kind !== WORD_CHARACTER) {
      if (i > start) words.push(wordInfoAt(plain, start, i, hash));
      hash = 0;
      if (kind === PUNCTUATION && words.length > 0) {
        phrases.push(words);
        words = [];
      }
      start = pair ? i + 2 : i + 1;
    } else {
      hash = addToHash(hash, code);
      if (pair) hash = addToHash(hash, plain.charCodeAt(i + 1));
    }
    if (pair) i++;
  }
  return phrases;
}

function addToHash(hash: number, code: number): number {
  return (Math.imul(hash, 31) + code) | 0;
}


/** Kinship words that join the parts of a person's name («محمد بن سلمان») though the stopword list has them. */
const NAME_LINKS = new Set(['بن', 'ابن', 'بنت', 'ابو']);

/**
 * What ngrams needs of each word: depends on the word alone, so it is computed once per written form. Folded
 * keys are numbered (keyId, strippedKeyId) so that names are looked up by numbers, not by joined strings.
 */
interface WordInfo {
  word: string;
  stripped: string;
  keyId: number;
  strippedKeyId: number;
  content: boolean;
  link: boolean;
  number: boolean;
  /** The next cached word with the same hash. */
  sameHash: WordInfo | undefined;
}

/**
 * The same words recur across an article and across articles: WordInfo by a 30-bit hash of the word (a small
 * integer key, and no string to slice and hash per word), words with the same hash chained.
 */
const wordInfoCache = new Map<number, WordInfo>();
/** The number of each folded key; cleared only with wordInfoCache, between calls, so numbers stay consistent. */
const keyIds = new Map<string, number>();
let cachedWords = 0;

function trimWordCache(): void {
  if (cachedWords <= 100_000) return;
  wordInfoCache.clear();
  keyIds.clear();
  cachedWords = 0;
}

/** The WordInfo of text.slice(start, end), whose hash is given. */
function wordInfoAt(text: string, start: number, end: number, hash: number): WordInfo {
  const key = hash & 0x3fffffff;
  const first = wordInfoCache.get(key);
  for (let info = first; info !== undefined; info = info.sameHash) {
    if (isWordAt(info.word, text, start, end)) return info;
  }
  const info = computeWordInfo(text.slice(start, end), first);
  wordInfoCache.set(key, info);
  cachedWords++;
  return info;
}

function isWordAt(word: string, text: string, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let k = 0; k < word.length; k++) if (word.charCodeAt(k) !== text.charCodeAt(start + k)) return false;
  return true;
}

function computeWordInfo(word: string, sameHash: WordInfo | undefined): WordInfo {
  const stripped = withoutProclitic(word);
  const strippedKey = fold(stripped);
  const key = fold(word);
  return {
    word, stripped, keyId: keyIdOf(key), strippedKeyId: keyIdOf(strippedKey),
    content: strippedKey.length > 1 && !STOPWORD_SET.has(strippedKey),
    link: NAME_LINKS.has(key),
    number: /\p{N}/u.test(word),
    sameHash,
  };
}

function keyIdOf(key: string): number {
  let id = keyIds.get(key);
  if (id === undefined) {
    id = keyIds.size;
    keyIds.set(key, id);
  }
  return id;
}

/**
 * The names of one article: a tree by the numbers of their words' keys (a word's key never contains a space, so
 * this tells names apart exactly as their space-joined keys would), and the names in order of first occurrence.
 */
interface NameIndex {
  roots: Map<number, NameNode>;
  inOrder: Name[];
}

/** A sequence of words; `name` is set once the sequence is recorded as a name (one ending in a link is not). */
interface NameNode {
  name: Name | undefined;
  next: Map<number, NameNode> | undefined;
}

function childNode(children: Map<number, NameNode>, keyId: number): NameNode {
  let node = children.get(keyId);
  if (node === undefined) {
    node = { name: undefined, next: undefined };
    children.set(keyId, node);
  }
  return node;
}

/**
 * Records the phrase's names (content words only: names do not contain «من» or «في»; no numbers) and returns
 * the next position. Tree nodes and forms grow word by word; a name's word list is built only when it is first seen.
 */
function recordNgrams(names: NameIndex, info: WordInfo[], inTitle: boolean, position: number): number {
  for (let i = 0; i < info.length; i++) {
    const first = info[i]!;
    if (first.number || !first.content) continue;
    let node = childNode(names.roots, first.strippedKeyId);
    let form = first.stripped;
    record(names, node, form, info, i, i, inTitle, position++);
    // Grow the phrase to the right while its inner words are content words or name links («بن»).
    for (let j = i + 1; j < info.length && j < i + MAX_NAME_WORDS; j++) {
      const next = info[j]!;
      if (next.number || !(next.content || next.link)) break;
      node = childNode((node.next ??= new Map()), next.keyId);
      form = `${form} ${next.word}`;
      if (next.content) record(names, node, form, info, i, j, inTitle, position++);
    }
  }
  return position;
}

/** A word compared without its article, so «#أسعار» and «#الأسعار» count as the same tag. */
function bareWord(word: string): string {
  return fold(word).replace(/^ال(?=\p{L}{2})/u, '');
}

/** «والبادية», «بالبادية», «للبادية» → «البادية»: the article belongs to the name, the particle does not. */
/**
 * Place nouns that news writes with a preposition glued on and no article («بريف حمص», «لمدينة حلب»): without a
 * lexicon the particle cannot be told from a first letter in general, but for these few it can.
 */
const PLACE_NOUN_WITH_PARTICLE = /^[وف]?[بلك](ريف|مدينة|مدينه|محافظة|محافظه|منطقة|منطقه|بلدة|بلده|قرية|قريه|مخيم|حي|جنوب|شمال|شرق|غرب|شرقي|غربي)$/u;

function withoutProclitic(word: string): string {
  const place = PLACE_NOUN_WITH_PARTICLE.exec(word);
  if (place) return place[1]!;
  if (/^[وفبك]ال\p{L}{2}/u.test(word)) return word.slice(1);
  if (/^[وف]?لل\p{L}{2}/u.test(word)) return 'ال' + word.replace(/^[وف]?لل/, '');
  return word;
}

/** Counts one occurrence of the name made of words first..last of the phrase, written as `form`. */
function record(
  names: NameIndex,
  node: NameNode,
  form: string,
  info: WordInfo[],
  first: number,
  last: number,
  inTitle: boolean,
  position: number,
): void {
  const name = node.name;
  if (!name) {
    const words = [info[first]!.stripped];
    for (let k = first + 1; k <= last; k++) words.push(info[k]!.word);
    node.name = { words, count: 1, inTitle, firstSeen: position, firstForm: form, forms: undefined };
    names.inOrder.push(node.name);
    return;
  }
  // Most names occur once: the tally of forms is only started by a second occurrence.
  name.forms ??= new Map([[name.firstForm, 1]]);
  name.count++;
  name.inTitle ||= inTitle;
  name.forms.set(form, (name.forms.get(form) ?? 0) + 1);
}

function bestForm(name: Name): string {
  if (!name.forms) return name.firstForm;
  let best = name.firstForm; // replaced: the tally holds at least the first form
  let bestCount = 0;
  for (const [form, count] of name.forms) {
    if (count > bestCount) {
      best = form;
      bestCount = count;
    }
  }
  return best;
}
