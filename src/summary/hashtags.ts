/**
 * Hashtags a news editor would choose (#البادية_السورية, #داعش, #ريف_حمص_الشرقي): the feed's categories first,
 * then the places, organisations, clubs and companies the story names (src/summary/gazetteer.ts), most mentioned
 * first. Only names: never a verb, a particle, a generic noun, a religious word or a fragment of the headline,
 * which is what a frequency count over the article's words let through (precision 0.29 on the annotated news
 * sample; see eval/). Deterministic.
 */
import { normalizeArabic } from '../text/arabic.js';
import { STOPWORD_SET } from '../text/stopwords.js';
import { CLUBS, GAZETTEER } from './gazetteer.js';

export interface HashtagInput {
  title: string;
  paragraphs: string[];
  categories?: string[];
}

/** A name in the title is what the story is about: it counts this many mentions. */
const TITLE_WEIGHT = 2;
/** A name mentioned only once in the body, and not in the title, is a passing reference, not a topic. */
const MIN_MENTIONS = 2;
/** Longest gazetteer name, in words. */
const MAX_NAME_WORDS = 6;
/** Words that make a story a sports story, where club names are tags (normalised, without «ال»). */
const SPORTS_WORDS = new Set(['مباراه', 'مباريات', 'الدوري', 'دوري', 'لاعب', 'اللاعب', 'لاعبين', 'مدرب', 'المدرب', 'نادي', 'النادي', 'كره', 'هدف', 'المنتخب', 'منتخب', 'فريق', 'الفريق']);
/** «ريف حمص الشرقي»: a countryside named after its city, with its direction. */
const COUNTRYSIDE = 'ريف';
const DIRECTIONS = new Set(['شرقي', 'غربي', 'شمالي', 'جنوبي']);

const TASHKEEL_AND_TATWEEL = /[\u064B-\u0652\u0670\u0640]/g;

/** A word as names are compared: normalised, letters only, the article «ال» off. */
function wordKey(word: string): string {
  const folded = normalizeArabic(word).replace(/[^\p{L}\p{N}]/gu, '');
  return folded.length > 4 && folded.startsWith('ال') ? folded.slice(2) : folded;
}

/** The keys a written word may stand for: as written, and without a glued «و», «ف», «ب», «ل» or «ك». */
function keysOf(word: string): string[] {
  const folded = normalizeArabic(word).replace(/[^\p{L}\p{N}]/gu, '');
  const keys = [wordKey(folded)];
  const particles = /^(?:[وف][بلك]?|[بلك])/.exec(folded)?.[0];
  if (particles && folded.length - particles.length >= 2) {
    let rest = folded.slice(particles.length);
    if (rest.startsWith('ل') && particles.endsWith('ل')) rest = 'ا' + rest; // «للأمم» → «الأمم»
    keys.push(wordKey(rest));
  }
  return keys;
}

interface Entry {
  display: string;
  club: boolean;
}

/** Gazetteer names by the keys of their words joined with spaces; first words kept apart for a quick test. */
const index = buildIndex();

function buildIndex(): { names: Map<string, Entry>; firstWords: Set<string> } {
  const names = new Map<string, Entry>();
  const firstWords = new Set<string>();
  const add = (name: string, club: boolean) => {
    const key = name.split(/\s+/).map(wordKey).join(' ');
    if (!names.has(key)) names.set(key, { display: name, club });
    firstWords.add(key.split(' ')[0]!);
  };
  for (const name of GAZETTEER) add(name, false);
  for (const name of CLUBS) add(name, true);
  return { names, firstWords };
}

interface Found {
  display: string;
  keys: string[];
  mentions: number;
  firstSeen: number;
  club: boolean;
}

export function hashtags(input: HashtagInput, max = 4): string[] {
  const tags: string[] = [];
  const seen = new Set<string>();
  const add = (words: string[]) => {
    const tag = formatTag(words);
    const key = tag ? tagKey(tag) : '';
    if (!tag || seen.has(key) || tags.length >= max) return;
    tags.push(tag);
    seen.add(key);
  };
  for (const category of input.categories ?? []) add(category.split(/[\s_]+/));
  const found = findNames(input);
  const sports = isSportsStory(input);
  const chosen: Found[] = [];
  for (const name of found) {
    if (name.club && !sports) continue;
    // One tag per place: «ريف حمص الشرقي» makes «حمص» redundant.
    if (chosen.some((c) => name.keys.every((k) => c.keys.includes(k)) || c.keys.every((k) => name.keys.includes(k)))) continue;
    chosen.push(name);
  }
  for (const name of chosen) add(name.display.split(' '));
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

function tagKey(tag: string): string {
  return tag.slice(1).split('_').map(wordKey).join(' ');
}

/** The gazetteer names in the title and body, by mentions (the title's counting double), then first mention. */
function findNames(input: HashtagInput): Found[] {
  const byKey = new Map<string, Found>();
  let position = 0;
  const texts = [{ text: input.title, weight: TITLE_WEIGHT }, ...input.paragraphs.map((text) => ({ text, weight: 1 }))];
  for (const { text, weight } of texts) {
    for (const phrase of text.split(/[\p{P}\p{S}]+/u)) {
      const words = phrase.split(/\s+/).filter(Boolean);
      const keys = words.map(keysOf);
      for (let i = 0; i < words.length; ) {
        const match = longestMatch(words, keys, i);
        if (!match) {
          i++;
          continue;
        }
        const found = byKey.get(match.key) ?? { display: match.display, keys: match.key.split(' '), mentions: 0, firstSeen: position++, club: match.club };
        found.mentions += weight;
        byKey.set(match.key, found);
        i += match.length;
      }
    }
  }
  return [...byKey.values()]
    .filter((f) => f.mentions >= MIN_MENTIONS)
    .sort((a, b) => b.mentions - a.mentions || b.keys.length - a.keys.length || a.firstSeen - b.firstSeen);
}

function longestMatch(
  words: string[],
  keys: string[][],
  i: number,
): { key: string; display: string; length: number; club: boolean } | undefined {
  const countryside = countrysideAt(words, keys, i);
  if (countryside) return countryside;
  for (const first of keys[i]!) {
    if (!index.firstWords.has(first)) continue;
    for (let n = Math.min(MAX_NAME_WORDS, words.length - i); n >= 1; n--) {
      const key = [first, ...words.slice(i + 1, i + n).map(wordKey)].join(' ');
      const entry = index.names.get(key);
      if (entry) return { key, display: entry.display, length: n, club: entry.club };
    }
  }
  return undefined;
}

/** «بريف حمص الشرقي» → «ريف حمص الشرقي»: the countryside of a listed city, with its direction when given. */
function countrysideAt(words: string[], keys: string[][], i: number) {
  if (!keys[i]!.includes(COUNTRYSIDE) || i + 1 >= words.length) return undefined;
  const city = wordKey(words[i + 1]!);
  if (!index.names.has(city)) return undefined;
  const direction = words[i + 2] !== undefined && DIRECTIONS.has(wordKey(words[i + 2]!)) ? words[i + 2]! : undefined;
  const written = [COUNTRYSIDE, words[i + 1]!, ...(direction ? [direction] : [])].map((w) => w.replace(/[^\p{L}]/gu, ''));
  return { key: written.map(wordKey).join(' '), display: written.join(' '), length: written.length, club: false };
}

function isSportsStory(input: HashtagInput): boolean {
  const words = [input.title, ...input.paragraphs.slice(0, 3)].join(' ').split(/\s+/);
  let hits = 0;
  for (const w of words) if (SPORTS_WORDS.has(normalizeArabic(w).replace(/[^\p{L}]/gu, ''))) hits++;
  return hits >= 2;
}
