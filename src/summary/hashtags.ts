/**
 * Hashtags a news editor would choose (#البادية_السورية, #داعش, #ريف_حمص_الشرقي): the feed's categories first,
 * then the places, organisations, clubs and companies the story names (src/summary/gazetteer.ts), most mentioned
 * first. Only names: never a verb, a particle, a generic noun, a religious word or a fragment of the headline,
 * which is what a frequency count over the article's words let through (precision 0.29 on the annotated news
 * sample; see eval/). Deterministic.
 */
import { normalizeArabic } from '../text/arabic.js';
import { STOPWORD_SET } from '../text/stopwords.js';
import { BROAD_REGIONS, CLUBS, GAZETTEER } from './gazetteer.js';

export interface HashtagInput {
  title: string;
  paragraphs: string[];
  categories?: string[];
}

/** A name in the title is what the story is about: it counts this many mentions. */
const TITLE_WEIGHT = 2;
/** A name mentioned only once in the body, and not in the title, is a passing reference, not a topic. */
const MIN_MENTIONS = 2;
/** Mentions that make a name a topic without being in the headline or the lead. */
const BODY_MENTIONS = 3;
/** A name mentioned less than 1/SIDE_REFERENCE as often as the main one is a side reference. */
const SIDE_REFERENCE = 3;
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
  /** Spellings of one name share an entity number. */
  entity: number;
  /** The name as listed. */
  form: string;
  /** The tag for every spelling, when the list gives one («a>b»). */
  canonical: string | undefined;
  club: boolean;
  broad: boolean;
}

/** Gazetteer names by the keys of their words joined with spaces; first words kept apart for a quick test. */
const index = buildIndex();

function buildIndex(): { names: Map<string, Entry>; firstWords: Set<string> } {
  const names = new Map<string, Entry>();
  const firstWords = new Set<string>();
  let entities = 0;
  const add = (line: string, kind: { club?: boolean; broad?: boolean }) => {
    const [spellings, canonical] = line.split('>') as [string, string | undefined];
    const entity = entities++;
    for (const form of [...spellings.split('|'), ...(canonical ? [canonical] : [])]) {
      const key = form.split(/\s+/).map(wordKey).join(' ');
      if (names.has(key)) continue;
      names.set(key, { entity, form, canonical, club: kind.club ?? false, broad: kind.broad ?? false });
      firstWords.add(key.split(' ')[0]!);
    }
  };
  for (const line of GAZETTEER) add(line, {});
  for (const line of BROAD_REGIONS) add(line, { broad: true });
  for (const line of CLUBS) add(line, { club: true });
  return { names, firstWords };
}

interface Found {
  entry: Entry;
  /** Mentions of each listed spelling. */
  forms: Map<string, number>;
  keys: string[];
  mentions: number;
  inTitle: boolean;
  inLead: boolean;
  firstSeen: number;
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
  const sports = isSportsStory(input);
  const chosen: Found[] = [];
  for (const name of topicalNames(findNames(input))) {
    if (name.entry.club && !sports) continue;
    // One tag per place: «ريف حمص الشرقي» makes «حمص» redundant.
    if (chosen.some((c) => name.keys.every((k) => c.keys.includes(k)) || c.keys.every((k) => name.keys.includes(k)))) continue;
    chosen.push(name);
  }
  for (const name of chosen) add(displayOf(name).split(' '));
  return tags;
}

/**
 * The names the story is about: in the headline; or in the lead paragraph and mentioned again; or mentioned at
 * least three times. A place listed in passing («طريق الرياض القصيم», «في الرياض وجدة والدمام») is not a topic.
 * Continents and wide regions only from the headline.
 */
function topicalNames(found: Found[]): Found[] {
  const topical = found.filter((f) =>
    f.entry.broad ? f.inTitle : f.inTitle || (f.inLead && f.mentions >= MIN_MENTIONS) || f.mentions >= BODY_MENTIONS,
  );
  const top = topical[0]?.mentions ?? 0;
  // Far fewer mentions than the main name: a side reference.
  return topical.filter((f) => f.inTitle || f.mentions * SIDE_REFERENCE >= top);
}

function displayOf(name: Found): string {
  if (name.entry.canonical) return name.entry.canonical;
  let best = name.entry.form;
  let count = 0;
  for (const [form, n] of name.forms) {
    if (n > count || (n === count && form.length < best.length)) {
      best = form;
      count = n;
    }
  }
  return best;
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
  const byEntity = new Map<number, Found>();
  let position = 0;
  const texts = [
    { text: input.title, weight: TITLE_WEIGHT, title: true, lead: false },
    ...input.paragraphs.map((text, k) => ({ text, weight: 1, title: false, lead: k === 0 })),
  ];
  for (const { text, weight, title, lead } of texts) {
    for (const phrase of text.split(/[\p{P}\p{S}]+/u)) {
      const words = phrase.split(/\s+/).filter(Boolean);
      const keys = words.map(keysOf);
      for (let i = 0; i < words.length; ) {
        const match = longestMatch(words, keys, i);
        if (!match || isPartOfLongerPhrase(words, i, match.length)) {
          i += match?.length ?? 1;
          continue;
        }
        const found = byEntity.get(match.entry.entity) ?? {
          entry: match.entry, forms: new Map<string, number>(), keys: match.key.split(' '), mentions: 0,
          inTitle: false, inLead: false, firstSeen: position++,
        };
        found.mentions += weight;
        found.inTitle ||= title;
        found.inLead ||= lead;
        found.forms.set(match.entry.form, (found.forms.get(match.entry.form) ?? 0) + 1);
        byEntity.set(match.entry.entity, found);
        i += match.length;
      }
    }
  }
  return [...byEntity.values()]
    .filter((f) => f.mentions >= MIN_MENTIONS)
    .sort((a, b) => b.mentions - a.mentions || b.keys.length - a.keys.length || a.firstSeen - b.firstSeen);
}

/**
 * A one-word definite name right after a definite noun is an adjective («الحدود السورية», «الجمعية السعودية»);
 * one right before a definite word heads a longer phrase («الاتحاد الدولي», «الشباب السعودي»). Neither names a topic.
 */
function isPartOfLongerPhrase(words: string[], i: number, length: number): boolean {
  if (length !== 1) return false;
  const definite = (w: string | undefined) => w !== undefined && /^(?:[وف]?(?:ال|بال|لل|كال))\p{L}{2}/u.test(normalizeArabic(w));
  if (!definite(words[i])) return false;
  return definite(words[i - 1]) || definite(words[i + 1]);
}

function longestMatch(words: string[], keys: string[][], i: number): { key: string; entry: Entry; length: number } | undefined {
  const countryside = countrysideAt(words, keys, i);
  if (countryside) return countryside;
  for (const first of keys[i]!) {
    if (!index.firstWords.has(first)) continue;
    for (let n = Math.min(MAX_NAME_WORDS, words.length - i); n >= 1; n--) {
      const key = [first, ...words.slice(i + 1, i + n).map(wordKey)].join(' ');
      const entry = index.names.get(key);
      if (entry) return { key, entry, length: n };
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
  const key = written.map(wordKey).join(' ');
  const entry: Entry = { entity: -hashOf(key), form: written.join(' '), canonical: undefined, club: false, broad: false };
  return { key, entry, length: written.length };
}

/** A number for a name built from its words (countrysides), apart from the gazetteer's entity numbers. */
function hashOf(key: string): number {
  let h = 1;
  for (let k = 0; k < key.length; k++) h = (Math.imul(h, 31) + key.charCodeAt(k)) | 0;
  return Math.abs(h) + 1;
}

function isSportsStory(input: HashtagInput): boolean {
  const words = [input.title, ...input.paragraphs.slice(0, 3)].join(' ').split(/\s+/);
  let hits = 0;
  for (const w of words) if (SPORTS_WORDS.has(normalizeArabic(w).replace(/[^\p{L}]/gu, ''))) hits++;
  return hits >= 2;
}
