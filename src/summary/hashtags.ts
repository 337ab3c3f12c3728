/**
 * Hashtags a news editor would choose (#البادية_السورية, #داعش, #ريف_حمص_الشرقي): the feed's categories first,
 * then the places, organisations, clubs and companies the story names (src/summary/gazetteer.ts), most mentioned
 * first. Only names: never a verb, a particle, a generic noun, a religious word or a fragment of the headline,
 * which is what a frequency count over the article's words let through (precision 0.29 on the annotated news
 * sample; see eval/). Deterministic.
 */
import { normalizeArabic } from '../text/arabic.js';
import { codeUnitsOf, isSurrogatePairAt, lazyCharTable, UnitBuffer } from '../text/char-table.js';
import { UnitInterner } from '../text/interner.js';
import { STOPWORD_SET } from '../text/stopwords.js';
import { BROAD_REGIONS, CLUBS, GAZETTEER, GIVEN_NAMES, NOT_TAGS } from './gazetteer.js';
import {
  DEMONYMS,
  MORE_BODIES,
  MORE_GIVEN_NAMES,
  MORE_NOT_TAGS,
  PEOPLE,
  PLACES_ABROAD,
  SAME_NAMES,
  TOPIC_TERMS,
} from './tag-vocabulary.js';

export interface HashtagInput {
  title: string;
  paragraphs: string[];
  categories?: string[];
}

/** A name in the title is what the story is about: it counts this many mentions. */
const TITLE_WEIGHT = 2;
/** A name mentioned only once in the body, and not in the title, is a passing reference, not a topic. */
const MIN_MENTIONS = 2;
/**
 * The lead: the first paragraph of at least this many words, where a news story says who, what and where. The
 * shorter ones before it are a byline, a dateline or a subtitle («لجين الأحمدي – متابعات», «الباحة 25 شوال 1436 هـ
 * الموافق 10 أغسطس 2015 م واس», «Next Previous»): 39 of the 260 annotated articles open so, with 1 to 11 words, and
 * the story's opening sentence, which names its places and people, was then outside the lead.
 */
const LEAD_MIN_WORDS = 12;
/** Paragraphs looked at for the lead: a byline, a dateline and a subtitle at most, before it. */
const LEAD_SEARCH = 4;
/**
 * The opening of a story, in words (runs' ends included) from the lead's start: about its first 400 characters,
 * from which the development annotations were written, and where a story says what it is about. The lead paragraph
 * is the whole text of an article of one paragraph, as many columns and features are.
 */
const OPENING_WORDS = 60;
/** Mentions that make a countryside («ريف حمص الشرقي»), a name as specific as a place gets, a topic wherever they are. */
const SPECIFIC_NAME_MENTIONS = 3;
/**
 * Mentions, the lead's among them, that make a person of the list (src/summary/tag-vocabulary.ts) a topic when the
 * headline does not name them: one more than a place needs, as a story quotes or cites people in passing
 * («خامنئي» in a story about «ظريف»). On the development set and on half of the annotated articles, 2 let through
 * three wrong tags for one right one. A person the opening names is one whatever the count (see topicalNames).
 */
const PERSON_MENTIONS = 3;
/** Mentions of a family name alone that make its person a topic. */
const FAMILY_NAME_MENTIONS = 3;
/** What a mention in a list of names counts. */
const LISTED_WEIGHT = 0.5;
/** A name mentioned less than 1/SIDE_REFERENCE as often as the main one is a side reference. */
const SIDE_REFERENCE = 3;
/** Words that make a story a sports story, where club names are tags (normalised, without «ال»). */
const SPORTS_WORDS = new Set([
  'مباراه',
  'مباريات',
  'الدوري',
  'دوري',
  'لاعب',
  'اللاعب',
  'لاعبين',
  'مدرب',
  'المدرب',
  'نادي',
  'النادي',
  'كره',
  'هدف',
  'المنتخب',
  'منتخب',
  'فريق',
  'الفريق',
]);
/** «ريف حمص الشرقي»: a countryside named after its city, with its direction. */
const COUNTRYSIDE = 'ريف';
const DIRECTIONS = new Set(['شرقي', 'غربي', 'شمالي', 'جنوبي']);

const TASHKEEL_AND_TATWEEL = /[\u064B-\u0652\u0670\u0640]/g;

/** A word as names are compared: normalised, letters only, the article «ال» off. */
function wordKey(word: string): string {
  const folded = normalizeArabic(word).replace(/[^\p{L}\p{N}]/gu, '');
  return folded.length > 4 && folded.startsWith('ال') ? folded.slice(2) : folded;
}

/** A word as gazetteer names are looked up: normalised, letters only, the article kept («الرقة» is not «فرقة»). */
function nameKey(word: string): string {
  return normalizeArabic(word).replace(/[^\p{L}\p{N}]/gu, '');
}

/** The keys a written word may stand for: as written, and without a glued «و», «ف», «ب», «ل» or «ك». */
function keysOf(word: string): string[] {
  const folded = nameKey(word);
  const keys = [folded];
  const particles = /^(?:[وف][بلك]?|[بلك])/.exec(folded)?.[0];
  if (particles && folded.length - particles.length >= 2) {
    let rest = folded.slice(particles.length);
    if (rest.startsWith('ل') && particles.endsWith('ل')) rest = 'ا' + rest; // «للأمم» → «الأمم»
    keys.push(rest);
  }
  return keys;
}

/** What matching needs of one written word; words recur across an article and across articles, so it is cached. */
interface Word {
  written: string;
  /** The gazetteer look-up keys (see keysOf). */
  keys: string[];
  /** The key names are compared by (see wordKey). */
  key: string;
  /** Starts with the article («الدوسري»). */
  withArticle: boolean;
  /** Starts with the article, perhaps after a particle («الحدود», «بالرياض»). */
  definite: boolean;
  listJoin: boolean;
  /** The gazetteer names that may start with this word, one trie node per key that starts any (see longestMatch). */
  names: NameNode[] | undefined;
  /** «ريف» or «بريف»: may start a countryside (see countrysideAt). */
  countryside: boolean;
  /** The first key is a one-word gazetteer name: the city of a countryside. */
  oneWordName: boolean;
}

/**
 * What the scans of every word (findPeople, findNames, isSportsStory) test, one byte per word number: reading a
 * Word object for each word of each article would be a cache miss more often than not.
 */
enum Trait {
  /** Starts with the article («الدوسري»). */
  WithArticle = 1,
  /** Starts with the article, perhaps after a particle («الحدود», «بالرياض»). */
  Definite = 2,
  /** A common given name (see GIVEN). */
  Given = 4,
  /** «بن», «أبو»... (see NAME_LINKS). */
  Link = 8,
  /** May be a family name (see isNamePart). */
  NamePart = 16,
  /** Says the story is about sport (see SPORTS_WORDS). */
  Sports = 32,
  /** May start a gazetteer name or a countryside (see longestMatch). */
  StartsName = 64,
  /** «الله», «الدين»: end a name («نصر الله», «نور الدين»), never start one (see NAME_ENDS). */
  NameEnd = 128,
  /**
   * May be the second or a later word of a gazetteer name: longestMatch looks the word up among a name's next
   * words only then. The people and bodies of tag-vocabulary.ts start with frequent words («محمد», «الملك»,
   * «وزارة»), and a look-up after each of them made the hashtags 15% slower.
   */
  Continues = 256,
  /** «الوزارة», «الهيئة»…: refers back to the one body of that kind the story named (see BODY_HEADS). */
  BackRef = 512,
}

/**
 * Words met before, numbered by the interner from a hash of their characters that the phrase scan computes as it
 * goes (src/text/interner.ts): a word met again costs no slice and no string hashing, only a comparison of code
 * units. A Map keyed by a fresh slice of each word costs 12% of the summarise+format bench. An article's words are
 * numbers + 1 (see Scanned), so number 0 is no word, with no traits.
 */
const WORD_CACHE_LIMIT = 100_000;
const wordNumbers = new UnitInterner(WORD_CACHE_LIMIT);
const NO_WORD: Word = {
  written: '',
  keys: [''],
  key: '',
  withArticle: false,
  definite: false,
  listJoin: false,
  names: undefined,
  countryside: false,
  oneWordName: false,
};
const wordsById: Word[] = [NO_WORD];
let traitsById = new Uint16Array(1 << 14);
const HASH_SEED = 7;
/** A word written with tashkeel, without it: the units it is looked up by. */
const unmarked = new UnitBuffer(64);

/**
 * The id (number + 1) of the word at text[start, end) (its code units also in `codes`), `hash` being the hash of
 * its characters without tashkeel and tatweel.
 */
function wordAt(text: string, codes: Uint16Array, start: number, end: number, hash: number, marked: boolean): number {
  const written = marked ? text.slice(start, end).replace(TASHKEEL_AND_TATWEEL, '') : undefined;
  const known = wordNumbers.size;
  const number =
    written === undefined
      ? wordNumbers.numberOf(codes, start, end - start, hash)
      : wordNumbers.numberOf(unmarked.write(written), 0, written.length, hash);
  const id = number + 1;
  if (number === known) {
    const word = wordOf(written ?? text.slice(start, end));
    wordsById.push(word);
    if (id === traitsById.length) traitsById = grownBytes(traitsById);
    traitsById[id] = traitsOf(word);
  }
  return id;
}

function grownBytes(bytes: Uint16Array): Uint16Array<ArrayBuffer> {
  const larger = new Uint16Array(2 * bytes.length);
  larger.set(bytes);
  return larger;
}

function wordOf(written: string): Word {
  const folded = normalizeArabic(written);
  const keys = keysOf(written);
  const names = keys.map((key) => index.get(key)).filter((node) => node !== undefined);
  return {
    written,
    keys,
    key: wordKey(folded),
    withArticle: folded.startsWith('ال'),
    definite: /^(?:[وف]?(?:ال|بال|لل|كال))\p{L}{2}/u.test(folded),
    listJoin: folded.startsWith('و'),
    names: names.length > 0 ? names : undefined,
    countryside: keys.includes(COUNTRYSIDE),
    oneWordName: index.get(keys[0]!)?.entry !== undefined,
  };
}

function traitsOf(word: Word): number {
  const folded = normalizeArabic(word.written);
  return (
    (word.withArticle ? Trait.WithArticle : 0) |
    (word.definite ? Trait.Definite : 0) |
    (GIVEN.has(folded) ? Trait.Given : 0) |
    (NAME_LINKS.has(folded) ? Trait.Link : 0) |
    (isNamePart(folded) ? Trait.NamePart : 0) |
    (SPORTS_WORDS.has(folded.replace(/[^\p{L}]/gu, '')) ? Trait.Sports : 0) |
    (word.names !== undefined || word.countryside ? Trait.StartsName : 0) |
    (NAME_ENDS.has(folded) ? Trait.NameEnd : 0) |
    (CONTINUATIONS.has(word.keys[0]!) ? Trait.Continues : 0) |
    (word.withArticle && BODY_HEADS.has(word.key) ? Trait.BackRef : 0)
  );
}

/**
 * An article's words, as ids (see wordAt), in one reused array: the title's and then each paragraph's runs of
 * words between punctuation marks (a name never spans a comma or a quote), each run followed by 0. The array
 * starts with a 0 too, so a word's neighbours, ids[i - 1] and ids[i + 1], are always there: 0, no word, at a
 * run's ends. (An array of Word objects per run was allocated for every run of every article.)
 */
interface Scanned {
  ids: Int32Array;
  /** Text t (0: the title, then the paragraphs) is ids[textStarts[t], textStarts[t + 1]). */
  textStarts: number[];
  /** The lead paragraph (see LEAD_MIN_WORDS) is text `lead`; 0 in an article without paragraphs. */
  lead: number;
}

let scannedIds = new Int32Array(1 << 12);

function scan(input: HashtagInput): Scanned {
  // A new table only between articles: the ids of the article being scanned must stay valid.
  if (wordNumbers.full) {
    wordNumbers.clear();
    wordsById.length = 1;
  }
  scannedIds[0] = 0;
  let length = 1;
  const textStarts = [length];
  length = phrasesOf(input.title, length);
  textStarts.push(length);
  let lead = 0;
  for (const paragraph of input.paragraphs) {
    const start = length;
    length = phrasesOf(paragraph, length);
    textStarts.push(length);
    const t = textStarts.length - 2;
    if (lead === 0 && t <= LEAD_SEARCH && wordsIn(scannedIds, start, length) >= LEAD_MIN_WORDS) lead = t;
  }
  // No paragraph so long among the first ones: the first is the lead.
  if (lead === 0 && input.paragraphs.length > 0) lead = 1;
  return { ids: scannedIds, textStarts, lead };
}

/** The words of ids[start, end) (the 0s that end runs are none). */
function wordsIn(ids: Int32Array, start: number, end: number): number {
  let words = 0;
  for (let i = start; i < end; i++) if (ids[i] !== 0) words++;
  return words;
}

/** How the phrase scan treats a code unit: part of a word, white space, a phrase break, a mark to drop, or half a pair. */
enum Scan {
  Word,
  Space,
  Break,
  Mark,
  Surrogate,
}
const PHRASE_BREAK = /^[\p{P}\p{S}]$/u;
const scanClasses = lazyCharTable((ch) => {
  if (/^[\u064B-\u0652\u0670\u0640]$/.test(ch)) return Scan.Mark;
  if (/^\s$/.test(ch)) return Scan.Space;
  return PHRASE_BREAK.test(ch) ? Scan.Break : Scan.Word;
}, Scan.Surrogate);

/**
 * Writes the ids of the text's runs of words between punctuation and symbols, tashkeel and tatweel dropped, to
 * scannedIds from `length` on, and returns the new length: what removing the marks, splitting on
 * /[\p{P}\p{S}]+/u and then on white space gives, in one table-driven scan (those three passes were a third of
 * the hashtag time), which hashes each word's characters as it goes to find the word (see wordAt). Characters
 * outside the BMP (emoji are symbols) are tested as pairs.
 */
function phrasesOf(text: string, length: number): number {
  const table = scanClasses();
  const codes = codeUnitsOf(text);
  // Each unit makes at most one id, and each run one 0 after it.
  if (length + text.length + 2 > scannedIds.length) {
    const larger = new Int32Array(2 * (length + text.length + 2));
    larger.set(scannedIds.subarray(0, length));
    scannedIds = larger;
  }
  const ids = scannedIds;
  let start = -1;
  let hash = HASH_SEED;
  let letters = 0;
  let marked = false;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? codes[i]! : 0x20;
    let kind = table[code]!;
    const pair = kind === Scan.Surrogate && isSurrogatePairAt(text, i);
    if (kind === Scan.Surrogate) kind = pair && PHRASE_BREAK.test(text.slice(i, i + 2)) ? Scan.Break : Scan.Word;
    if (kind === Scan.Word || kind === Scan.Mark) {
      if (start < 0) start = i;
      if (kind === Scan.Mark) {
        marked = true;
      } else {
        hash = (Math.imul(hash, 31) + code) | 0;
        if (pair) hash = (Math.imul(hash, 31) + text.charCodeAt(i + 1)) | 0;
        letters++;
      }
    } else {
      if (letters > 0) ids[length++] = wordAt(text, codes, start, i, hash, marked);
      start = -1;
      hash = HASH_SEED;
      letters = 0;
      marked = false;
      if (kind === Scan.Break && ids[length - 1] !== 0) ids[length++] = 0;
    }
    if (pair) i++;
  }
  if (ids[length - 1] !== 0) ids[length++] = 0;
  return length;
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
  /** A topic term rather than a name (see TOPIC_TERMS). */
  topic: boolean;
  /** A person of the list (see PEOPLE). */
  person: boolean;
  /** Matched only to keep its words from being taken for another name. */
  notATag: boolean;
  /** A country's adjective («التونسي»): stands after a noun, as no name does (see DEMONYMS). */
  adjective: boolean;
}

/**
 * Gazetteer names as a trie over the keys of their words: a word's first key leads to the node of every name it
 * may start, and each following word costs one look-up of its key among the node's children. (Looking up the
 * keys of the next 6..1 words joined with spaces built six strings for every word that starts a name.)
 */
interface NameNode {
  /** The name that ends here, if any. */
  entry: Entry | undefined;
  /** The keys of the words from the first to this one. */
  keys: string[];
  next: Map<string, NameNode> | undefined;
}

/** Topic terms whose form without the article is another word (see withIndefinite). */
const NOT_BARE = new Set(['عقار', 'توحد', 'تستر', 'دولار', 'يورو', 'استثمار', 'استثمارات']);
const index = buildIndex();
/** The entity of each place abroad's country, by the place's entity (see PLACES_ABROAD). */
const COUNTRY_OF = countriesOfPlaces();
const COUNTRIES = new Set(COUNTRY_OF.values());

function countriesOfPlaces(): Map<number, number> {
  const entityOf = (name: string) => {
    const [first, ...rest] = name.split(/\s+/).map(nameKey);
    let node = index.get(first!);
    for (const key of rest) node = node?.next?.get(key);
    return node?.entry?.entity;
  };
  const countries = new Map<number, number>();
  for (const line of PLACES_ABROAD) {
    const [country, places] = line.split(': ') as [string, string];
    const countryEntity = entityOf(country);
    for (const place of places.split('|')) {
      const placeEntity = entityOf(place);
      if (countryEntity !== undefined && placeEntity !== undefined) countries.set(placeEntity, countryEntity);
    }
  }
  return countries;
}
/** The keys of the gazetteer names' words after the first (see Trait.Continues). */
const CONTINUATIONS = continuationsOf(index);

function continuationsOf(roots: Map<string, NameNode>): Set<string> {
  const keys = new Set<string>();
  const visit = (node: NameNode) => {
    for (const [key, next] of node.next ?? []) {
      keys.add(key);
      visit(next);
    }
  };
  for (const node of roots.values()) visit(node);
  return keys;
}

function buildIndex(): Map<string, NameNode> {
  const roots = new Map<string, NameNode>();
  let entities = 0;
  // Lines that name one thing are one entity, so that their mentions add up: «تنظيم داعش>داعش» and «داعش», «منطقة
  // الباحة>الباحة» and «الباحة» (before, each line was an entity of its own and split the count).
  const entityByName = new Map<string, number>();
  const add = (
    line: string,
    kind: {
      club?: boolean;
      broad?: boolean;
      topic?: boolean;
      person?: boolean;
      notATag?: boolean;
      adjective?: boolean;
    },
  ) => {
    const [spellings, canonical] = line.split('>') as [string, string | undefined];
    const forms = [...spellings.split('|'), ...(canonical ? [canonical] : [])];
    const names = kind.club || kind.notATag ? [] : forms.map((form) => form.split(/\s+/).map(nameKey).join(' '));
    const entity = names.map((n) => entityByName.get(n)).find((e) => e !== undefined) ?? entities++;
    for (const name of names) if (!entityByName.has(name)) entityByName.set(name, entity);
    for (const form of forms) {
      const keys = form.split(/\s+/).map(nameKey);
      let children = roots;
      let node: NameNode | undefined;
      for (let k = 0; k < keys.length; k++) {
        if (node) children = node.next ??= new Map();
        node = children.get(keys[k]!) ?? { entry: undefined, keys: keys.slice(0, k + 1), next: undefined };
        children.set(keys[k]!, node);
      }
      // The first spelling listed keeps a key that two lines share.
      node!.entry ??= {
        entity,
        form,
        canonical,
        club: kind.club ?? false,
        broad: kind.broad ?? false,
        topic: kind.topic ?? false,
        person: kind.person ?? false,
        notATag: kind.notATag ?? false,
        adjective: kind.adjective ?? false,
      };
    }
  };
  for (const line of [...NOT_TAGS, ...MORE_NOT_TAGS]) add(line, { notATag: true });
  // SAME_NAMES first: the gazetteer's lines for those names then join their entity.
  for (const line of [...SAME_NAMES, ...GAZETTEER, ...MORE_BODIES]) add(line, {});
  for (const line of PEOPLE) add(line, { person: true });
  for (const line of TOPIC_TERMS) add(withIndefinite(line), { topic: true });
  for (const line of BROAD_REGIONS) add(line, { broad: true });
  for (const line of DEMONYMS) add(demonymForms(line), { adjective: true });
  for (const line of CLUBS) add(line, { club: true });
  return roots;
}

/**
 * A topic term's forms and the same without the article, as headlines write them («هطول أمطار», «تطرح سندات»,
 * «اتفاق نووي»), tagged as listed. Not where the bare word is another word: «عقار» is a drug, «توحد» and «تستر»
 * verbs, «دولار», «يورو» a sum in every price, and «استثمار» any investing («استثمار ثقافي»).
 */
function withIndefinite(line: string): string {
  const [spellings, canonical] = line.split('>') as [string, string | undefined];
  const forms = spellings.split('|');
  // One-word terms only: «عام دراسي», «برنامج نووي», «أمن إلكتروني» would make «عام», «برنامج», «أمن» start a
  // name, a look-up at each of the commonest words of the news for a tag the development sets never missed.
  const bare = forms
    .filter((form) => !form.includes(' '))
    .map((form) => form.replace(/^ال(?=\S{3})/, ''))
    .filter((form) => !forms.includes(form) && !NOT_BARE.has(form));
  return bare.length === 0 ? line : `${[...forms, ...bare].join('|')}>${canonical ?? forms[0]}`;
}

/**
 * «مصري>مصر» → «مصري|المصري|مصرية|…>مصر»: the forms a country's adjective takes in news. «يمني» alone is also a verb
 * («كان يمني النفس»), so Yemen's takes the other forms only.
 */
function demonymForms(line: string): string {
  const [stem, country] = line.split('>') as [string, string];
  const forms = [stem, stem + 'ة', stem + 'ون', stem + 'ين', stem + 'ات'].flatMap((f) => [f, 'ال' + f]);
  return `${[...forms, stem + 'ا'].filter((f) => f !== 'يمني').join('|')}>${country}`;
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
  /** A country the story names only by its adjective (see DEMONYMS). */
  onlyAdjective: boolean;
  /** A body the lead names for what it does (see isLeadBody). */
  bodyInLead: boolean;
  /** A body found by the pattern of its name (see headlineBodies). */
  byPattern: boolean;
}

export function hashtags(input: HashtagInput, max = 4): string[] {
  const tags: string[] = [];
  const seen = new Set<string>();
  const add = (tag: Tag | undefined) => {
    if (!tag || seen.has(tag.key) || tags.length >= max) return;
    tags.push(tag.tag);
    seen.add(tag.key);
  };
  for (const category of input.categories ?? []) add(tagOf(category.split(/[\s_]+/)));

  const chosen: string[][] = [];
  const names: Found[] = [];
  const scanned = scan(input);
  const sports = isSportsStory(scanned);
  const found = [
    ...findNames(scanned),
    ...findPeople(scanned),
    ...headlineSubject(input.title, scanned),
    ...headlineBodies(scanned),
  ].sort(byMentions);
  for (const name of topicalNames(found)) {
    // A country's adjective in a sports story is a club's or a player's («العين الإماراتي»), not the story's country.
    if ((name.entry.club && !sports) || name.entry.notATag || (sports && name.onlyAdjective)) continue;
    // One tag per place: «ريف حمص الشرقي» makes «حمص» redundant; one per person: «عادل الجبير» (the given-names
    // scan, whose keys are without the article) makes «الجبير» (the list's) redundant.
    const keys = wordKeysOf(name.keys);
    if (chosen.some((c) => keys.every((k) => c.includes(k)) || c.every((k) => keys.includes(k)))) continue;
    // A body found by its pattern that a listed one names otherwise («مجلس الشئون …» for «مجلس الشؤون …»): the
    // same head and as many words.
    if (name.byPattern && chosen.some((c) => c[0] === keys[0] && c.length === keys.length)) continue;
    chosen.push(keys);
    names.push(name);
  }
  for (const name of names) add(tagOfName(displayOf(name)));
  // «الرمادي» and «الأنبار» in a story that says «العراق» once: its country, as an editor adds it. Not in a sports
  // story, where a city is a club's home («روما», «باريس»).
  for (const name of sports ? [] : names) {
    const country = COUNTRY_OF.get(name.entry.entity);
    const named = country === undefined ? undefined : found.find((f) => f.entry.entity === country);
    if (named && !names.includes(named)) {
      names.push(named);
      add(tagOfName(displayOf(named)));
    }
  }
  return tags;
}

/**
 * Every tag the lists and scans find in an article, unranked and unlimited, before the rules that choose the few an
 * editor posts (topicalNames): the most the vocabulary can give. `npm run eval` scores it (issue 22 §5) to tell a
 * topic the rules leave out from one no list names.
 */
export function candidateTags(input: HashtagInput): string[] {
  const scanned = scan(input);
  const found = [
    ...findNames(scanned, true),
    ...findPeople(scanned),
    ...headlineSubject(input.title, scanned),
    ...headlineBodies(scanned),
  ];
  return [...new Set(found.flatMap((name) => tagOfName(displayOf(name))?.tag ?? []))];
}

/** A tag, and the key that finds another spelling of it (see tagKey). */
interface Tag {
  tag: string;
  key: string;
}

function tagOf(words: string[]): Tag | undefined {
  const tag = formatTag(words);
  return tag ? { tag, key: tagKey(tag) } : undefined;
}

/**
 * The tags of names met before, by the name as displayed (null: no tag): the same places and bodies come back
 * article after article, and cleaning and keying a tag's words (regular expressions, normalizeArabic) for every
 * article would be a quarter of the hashtag time.
 */
const TAG_CACHE_LIMIT = 10_000;
const tagsByName = new Map<string, Tag | null>();

function tagOfName(display: string): Tag | undefined {
  let tag = tagsByName.get(display);
  if (tag === undefined) {
    if (tagsByName.size >= TAG_CACHE_LIMIT) tagsByName.clear();
    tag = tagOf(display.split(' ')) ?? null;
    tagsByName.set(display, tag);
  }
  return tag ?? undefined;
}

/**
 * Social networks, by entity: where someone posted («في تغريدة على حسابه في موقع «تويتر»»), the story's only when
 * the headline names them. On the development sets, 6 of 6 mentions in an opening were not an editor's tag.
 */
const MEDIA = new Set(
  ['تويتر', 'فيسبوك', 'واتساب', 'إنستغرام', 'يوتيوب', 'سناب شات'].map((name) => {
    let node: NameNode | undefined;
    for (const key of name.split(' ').map(nameKey)) node = (node ? node.next : index)?.get(key);
    return node?.entry?.entity;
  }),
);

/**
 * The names the story is about, as an editor picks them: in the headline, or in the lead paragraph and mentioned
 * again. A name met only further down, however often, is background (on the annotated sample, admitting names
 * mentioned three times anywhere brought precision from 0.91 down to 0.86). A place listed in passing
 * («في الرياض وجدة والدمام») counts half. Continents and wide regions only from the headline.
 */
function topicalNames(found: Found[]): Found[] {
  const top = found[0]?.mentions ?? 0;
  return found.filter((f) => {
    // A person of the list the opening names for what they do («أكد رئيس وزراء ماليزيا نجيب عبد الرزاق»), not in a
    // list of names nor after a post («مستشار أوباما»): on the two development sets, 14 people an editor tagged, 2 not.
    if (f.entry.person && f.bodyInLead) return true;
    if (f.mentions < MIN_MENTIONS && !isLeadBody(f)) return false;
    if (f.entry.broad || f.inTitle || MEDIA.has(f.entry.entity)) return f.inTitle;
    // A topic term only from the headline: «عيد الفطر» in the lead of a story about a bombing that day is not its
    // topic (from the lead with three mentions, half the terms it added on half of the annotated articles were wrong).
    // From the opening (see bodyInLead) and named twice: 7 terms an editor tagged for 1 not on the two development
    // sets, but 2 for 3 on the held-out set, whose editor tags fewer topic terms; left out.
    if (f.entry.topic) return false;
    if (f.entry.person) return f.inLead && f.mentions >= PERSON_MENTIONS;
    if (f.keys[0] === COUNTRYSIDE && f.mentions >= SPECIFIC_NAME_MENTIONS) return true;
    // In the lead and mentioned again, unless far less often than the main name: then a side reference.
    return isLeadBody(f) || (f.inLead && f.mentions >= MIN_MENTIONS && f.mentions * SIDE_REFERENCE >= top);
  });
}

function displayOf(name: Found): string {
  // A person found by the given-names scan has no listed forms.
  if (name.forms.size === 0) return name.entry.canonical ?? name.entry.form;
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

/**
 * The gazetteer names in the title and body, by mentions (the title's counting double), then first mention; with
 * `everyName`, those mentioned once outside the opening too (see candidateTags).
 */
function findNames({ ids, textStarts, lead: leadText }: Scanned, everyName = false): Found[] {
  const byEntity = new Map<number, Found>();
  const traits = traitsById;
  let position = 0;
  let backRefs: Map<string, number> | undefined;
  /** Names the headline may write as its verb (see readsAsVerb), and the names the body has. */
  let titleVerbs: Set<Found> | undefined;
  const inBody = new Set<Found>();
  for (let t = 0; t + 1 < textStarts.length; t++) {
    const title = t === 0;
    const lead = t > 0 && t === leadText;
    const weight = title ? TITLE_WEIGHT : 1;
    // The text's matches, run after run: a name at the end of one run and one at the start of the next are not
    // next to each other (the 0 between them), so isListed does not join them.
    let matches: Match[] | undefined;
    for (let i = textStarts[t]!; i < textStarts[t + 1]!; ) {
      if ((traits[ids[i]!]! & Trait.BackRef) !== 0 && t > 0) {
        const head = wordsById[ids[i]!]!.key;
        backRefs ??= new Map();
        backRefs.set(head, (backRefs.get(head) ?? 0) + 1);
      }
      const match = (traits[ids[i]!]! & Trait.StartsName) !== 0 ? longestMatch(ids, i) : undefined;
      if (match && !isPartOfLongerPhrase(ids, i, match) && !namesAPlace(ids, match) && !isOutletTold(ids, match)) {
        matches ??= [];
        matches.push(match);
      }
      i += match?.length ?? 1;
    }
    matches?.forEach((match, k, matches) => {
      // «الهلال.. برشلونة آسيا», «كأس آسيا»: a continent right after a name is that name's epithet or part of it.
      const previous = matches[k - 1];
      if (match.entry.broad && previous !== undefined && previous.at + previous.length === match.at) return;
      const found = byEntity.get(match.entry.entity) ?? {
        entry: match.entry,
        forms: new Map<string, number>(),
        keys: match.keys,
        mentions: 0,
        inTitle: false,
        inLead: false,
        firstSeen: position++,
        onlyAdjective: true,
        bodyInLead: false,
        byPattern: false,
      };
      // «في الرياض وجدة والدمام»: a name in a list is one of several, not the story's place.
      const listed = isListed(ids, matches[k - 1], match) || isListed(ids, match, matches[k + 1]);
      found.mentions += listed ? weight * LISTED_WEIGHT : weight;
      found.inTitle ||= title;
      // A country's adjective counts for the lead only in the story's opening: an article of one paragraph is all
      // lead, and a column's asides («الشعب العراقي», «فتاة سورية») are not its countries.
      const opening = lead && match.at - textStarts[t]! < OPENING_WORDS;
      found.inLead ||= (match.entry.adjective ? opening : lead) && !listed;
      // «تشرف عليه وزارة الحج»: a body named for what it does, not in a person's post («وكيل وزارة المياه») nor
      // as another country's («هيئة الطيران المدني الإيرانية»).
      const next = matches[k + 1];
      found.bodyInLead ||=
        opening &&
        !listed &&
        !POSTS.has(wordsById[ids[match.at - 1]!]!.keys[0]!) &&
        !(match.entry.person && inHomage(ids, match.at)) &&
        !(next?.entry.adjective === true && next.at === match.at + match.length);
      // Counted by the tag the form stands for: the spellings of one entity («فيفا», «الاتحاد الدولي لكرة القدم>الفيفا»).
      const form = match.entry.canonical ?? match.entry.form;
      // The headline's spelling counts as its mentions do: «جرائم الحوثيين» is tagged #الحوثيين.
      found.forms.set(form, (found.forms.get(form) ?? 0) + weight);
      found.onlyAdjective &&= match.entry.adjective;
      byEntity.set(match.entry.entity, found);
      if (!title) inBody.add(found);
      else if (readsAsVerb(ids, match)) {
        titleVerbs ??= new Set();
        titleVerbs.add(found);
      }
    });
  }
  // «غارات التحالف تدمر مقدرات الانقلابيين»: a headline's verb spelt as a place the body never names.
  for (const found of titleVerbs ?? []) if (!inBody.has(found)) byEntity.delete(found.entry.entity);
  // «أكدت وزارة العمل … وأوضحت الوزارة»: the story's one ministry (authority, university…) is mentioned again.
  if (backRefs) {
    for (const [head, count] of backRefs) {
      const bodies = [...byEntity.values()].filter((f) => wordKey(f.keys[0]!) === head);
      if (bodies.length === 1) bodies[0]!.mentions += count;
    }
  }
  for (const found of byEntity.values()) {
    if (!found.inTitle && BODY_HEADS.has(headOf(found.keys)) && titleNamesBody(ids, textStarts, found.keys)) {
      found.inTitle = true;
      found.mentions += TITLE_WEIGHT;
    }
  }
  // «حفل جماهيري في العيد», «عيد الرس»: the headline's occasion is the one the story names in full («عيد الفطر»),
  // when it names one only.
  const occasions: Found[] = [];
  for (const f of byEntity.values())
    if (f.entry.topic && f.keys.length > 1 && OCCASIONS.has(headOf(f.keys))) occasions.push(f);
  for (const found of occasions) {
    const head = headOf(found.keys);
    if (found.inTitle || occasions.some((o) => o !== found && headOf(o.keys) === head)) continue;
    for (let i = textStarts[0]!; i < textStarts[1]!; i++) {
      if (wordsById[ids[i]!]!.key !== head) continue;
      found.inTitle = true;
      found.mentions += TITLE_WEIGHT;
      break;
    }
  }
  // Names mentioned once wait only if a rule can still take them: a body named in the opening, a country a place
  // abroad may bring; the others would only be sorted and filtered out.
  if (everyName) return [...byEntity.values()];
  const kept: Found[] = [];
  for (const f of byEntity.values())
    if (f.mentions >= MIN_MENTIONS || f.bodyInLead || COUNTRIES.has(f.entry.entity)) kept.push(f);
  return kept;
}

/**
 * A one-word name spelt as a verb of the present («تدمر», «تعز», «يبرود»: «ت…», «ي…», no particle before it) right
 * after a definite word of its run: in a headline, where the verb follows its subject («غارات التحالف تدمر …»), it
 * may be the verb. Then only the body, which names the story's places, says it is the place (see findNames): on the
 * development sets, 14 of the 15 names tagged from the headline alone were right, and the wrong one was «تدمر».
 */
function readsAsVerb(ids: Int32Array, match: Match): boolean {
  const word = wordsById[ids[match.at]!]!;
  return (
    match.length === 1 &&
    /^[يت]/.test(word.keys[0]!) &&
    word.keys[0] === match.keys[0] &&
    (traitsById[ids[match.at - 1]!]! & Trait.Definite) !== 0
  );
}

/**
 * A ministry, authority, university… (see BODY_HEADS) the lead names for what it does: what the story is about
 * even when named once («أعلنت وزارة العمل…»). On the development set: 4 bodies an editor tagged, 1 not.
 */
function isLeadBody(f: Found): boolean {
  return f.bodyInLead && BODY_HEADS.has(headOf(f.keys));
}

/**
 * The king named in homage, not as the story's actor: «حكومة خادم الحرمين الشريفين الملك سلمان», as the Saudi press
 * thanks «the government of the Custodian of the Two Holy Mosques» in stories about a ministry's work (5 of the 160
 * development articles have the phrase; the one person of the list tagged wrong from the opening was named in it).
 * «حكومة الرئيس نيكولا مادورو» is the actor's government: only the honorific makes it homage.
 */
function inHomage(ids: Int32Array, at: number): boolean {
  for (let i = at - 1; i >= at - 4 && ids[i] !== 0; i--) {
    if (GOVERNMENT.has(wordsById[ids[i]!]!.keys[0]!) && wordsById[ids[i + 1]!]!.keys[0] === CUSTODIAN) return true;
  }
  return false;
}
const GOVERNMENT = new Set(['حكومة', 'لحكومة', 'وحكومة', 'بحكومة'].map((w) => nameKey(w)));
const CUSTODIAN = nameKey('خادم');

/** Posts held in a body («وكيل وزارة المياه»): the body is the person's, not the story's. */
const POSTS = new Set(
  [
    'وكيل',
    'رئيس',
    'مدير',
    'وزير',
    'نائب',
    'أمين',
    'مساعد',
    'محافظ',
    'عميد',
    'مستشار',
    'متحدث',
    'المتحدث',
    'عضو',
    'مدير',
    'موظف',
    'موظفي',
    'منسوبي',
  ]
    .flatMap((w) => [w, 'ل' + w, 'و' + w])
    .map((w) => normalizeArabic(w)),
);

/** Heads of occasions among the topic terms («عيد الفطر», «معرض الكتاب», «كأس العالم»), as wordKey gives them. */
const OCCASIONS = new Set(['عيد', 'معرض', 'كأس', 'موسم'].map((w) => wordKey(w)));

/** Words a body's name carries that no headline repeats when it names the body short: «المديرية العامة للسجون». */
const GENERIC_IN_BODY_NAMES = new Set(['العامه', 'العام', 'السعوديه', 'السعودي', 'الوطنيه', 'الوطني'].map(nameKey));

/**
 * The words after a body's head as a headline may write them («للسجون» is «السجون»), generic ones left out; kept
 * by the name's keys (the trie node's own array, the same object for every article), as bodies recur.
 */
const bodyRests = new Map<string[], string[]>();
function bodyRestOf(keys: string[]): string[] {
  let rest = bodyRests.get(keys);
  if (rest === undefined) {
    rest = keys
      .slice(1)
      .filter((k) => !GENERIC_IN_BODY_NAMES.has(k))
      .map((k) => keysOf(k).pop()!);
    if (bodyRests.size >= TAG_CACHE_LIMIT) bodyRests.clear();
    bodyRests.set(keys, rest);
  }
  return rest;
}

/**
 * A headline that names the body the story names in full by the words after its head, as Saudi headlines do:
 * «"العمل" تتعاون مع "الإسكان"» (وزارة العمل), «السجون تجري مراجعة» (المديرية العامة للسجون), «هيئة السوق تعيدها»
 * (هيئة السوق المالية). On the development set this found 4 bodies an editor tagged and no wrong one.
 */
function titleNamesBody(ids: Int32Array, textStarts: number[], keys: string[]): boolean {
  const rest = bodyRestOf(keys);
  if (rest.length === 0) return false;
  const titleHas = (words: string[]) => {
    for (let i = textStarts[0]!; i + words.length <= textStarts[1]!; i++) {
      if (words.every((w, k) => wordsById[ids[i + k]!]!.keys.includes(w))) return true;
    }
    return false;
  };
  return titleHas(rest) || (rest.length > 1 && titleHas([keys[0]!, rest[0]!]));
}

/**
 * wordKey of a name's first word, kept: names come back article after article, and normalising each found name's
 * head for every article (the body, occasion and lead-body checks) made the hashtags a fifth slower.
 */
const headKeys = new Map<string, string>();
function headOf(keys: string[]): string {
  const key = keys[0]!;
  let head = headKeys.get(key);
  if (head === undefined) {
    if (headKeys.size >= TAG_CACHE_LIMIT) headKeys.clear();
    head = wordKey(key);
    headKeys.set(key, head);
  }
  return head;
}

/** wordKey of each of a name's keys, kept like headOf's (see there). */
const wordKeyLists = new Map<string[], string[]>();
function wordKeysOf(keys: string[]): string[] {
  let list = wordKeyLists.get(keys);
  if (list === undefined) {
    list = keys.map(wordKey);
    if (wordKeyLists.size >= TAG_CACHE_LIMIT) wordKeyLists.clear();
    wordKeyLists.set(keys, list);
  }
  return list;
}

/** The kinds of body a story refers back to with the article alone («الوزارة»), as wordKey gives them. */
const BODY_HEADS = new Set(
  ['وزارة', 'هيئة', 'جامعة', 'مؤسسة', 'شركة', 'جمعية', 'أمانة', 'بلدية', 'غرفة', 'رئاسة', 'مديرية'].map((w) =>
    wordKey(w),
  ),
);

function byMentions(a: Found, b: Found): number {
  return b.mentions - a.mentions || b.keys.length - a.keys.length || a.firstSeen - b.firstSeen;
}

/** Words of the religious formulas that follow names («رحمه الله», «حفظه الله»): never part of a name or a tag. */
const FORMULAS = new Set(['رحمه', 'رحمها', 'حفظه', 'حفظها', 'الله', 'تعالي', 'عليه', 'السلام', 'رضي', 'عنه', 'عنها']);
const GIVEN = new Set([...GIVEN_NAMES, ...MORE_GIVEN_NAMES].map((n) => normalizeArabic(n).replace(/\s+/g, '')));
/** «بن», «ابن», «أبو», «آل», «عبد» join the parts of a name: never its last word. */
const NAME_LINKS = new Set(['بن', 'ابن', 'بنت', 'ابو', 'ال', 'عبد']);
/** The last word of a compound name («حسن نصر الله», «صلاح الدين»): a name ending just before it is cut. */
const NAME_ENDS = new Set(['الله', 'الدين']);
/** The most words a person's name is followed for («محمد بن نايف بن عبد العزيز آل سعود» is 8). */
const MAX_NAME_WORDS = 8;
/** A family name is one word that is not a function word and carries no glued particle of its own. */
function isNamePart(folded: string): boolean {
  return (
    /^\p{L}{2,}$/u.test(folded) &&
    !STOPWORD_SET.has(folded) &&
    !/^(?:[وف]|[بلك]ال|لل)/u.test(folded) &&
    !GAZETTEER_STARTS.has(nameKey(folded)) &&
    !FORMULAS.has(folded)
  );
}

/**
 * The first words of the gazetteer's names (places, bodies, clubs): never a family name. Not those of
 * tag-vocabulary.ts, whose people start with given names («أحمد الفهد») that are family names too («عادل أحمد»).
 */
const GAZETTEER_STARTS = new Set(
  [...NOT_TAGS, ...GAZETTEER, ...BROAD_REGIONS, ...CLUBS].flatMap((line) =>
    line.split(/[|>]/).map((form) => nameKey(form.split(/\s+/)[0]!)),
  ),
);

/** The ids of the definite words of an article that may be a family name alone (see findPeople), reused. */
let familyIds = new Int32Array(1 << 10);

/**
 * People: a common given name and the family name after it («حمد المنيف»), with «بن»/«أبو» links
 * («محمد بن سلمان»). A person is a topic when named in the headline, or when the story keeps referring to them by
 * the family name alone, which is how news refers to the people it is about (someone quoted once is not).
 */
function findPeople({ ids, textStarts }: Scanned): Found[] {
  const people = new Map<string, Found>();
  const traits = traitsById;
  // Counted only once a person is found: most stories name no one. A Map update for every definite word was most
  // of findPeople's time, and then so was the Map of the words' keys that counted them.
  if (familyIds.length < ids.length) familyIds = new Int32Array(ids.length);
  let families = 0;
  /** familyIds[0, titleFamilies) are the title's. */
  let titleFamilies = 0;
  let position = 1_000_000;
  /** The people the body names in full too. */
  const inBody = new Set<Found>();
  for (let t = 0; t + 1 < textStarts.length; t++) {
    const title = t === 0;
    if (t === 1) titleFamilies = families;
    for (let i = textStarts[t]!; i < textStarts[t + 1]!; i++) {
      const id = ids[i]!;
      const before = traits[ids[i - 1]!]!;
      // A family name alone, not as an adjective after a definite noun («المركز الوطني»).
      if ((traits[id]! & Trait.WithArticle) !== 0 && (before & Trait.Definite) === 0) familyIds[families++] = id;
      const second = traits[ids[i + 1]!]!;
      if ((traits[id]! & Trait.Given) === 0 || (second & (Trait.NamePart | Trait.Link)) === 0) continue;
      // «سعد بن محمد الحسين»: a father's name inside a longer name is not a person of its own; nor is the man a
      // body or a place is named after («مركز محمد بن نايف للمناصحة»).
      if ((before & Trait.Link) !== 0 || NAMED_AFTER.has(normalizeArabic(wordsById[ids[i - 1]!]!.written))) continue;
      const words = [i];
      // The name goes on while it cannot end («حسن نصر الله», «محمد عبد العزيز», «سلمان بن عبد العزيز»): a name
      // cut before «الله» or after «بن» names someone else, or no one (issue 21: «#حسن_نصر»). After «بن» it runs
      // through the fathers' names to the family name, if any («وليد بن محمد الصمعاني»).
      let sonOf = false;
      for (let k = i + 1; ids[k] !== 0 && words.length < MAX_NAME_WORDS; k++) {
        const next = traits[ids[k]!]!;
        const last = traits[ids[k - 1]!]!;
        const afterLink = (last & Trait.Link) !== 0 && (next & (Trait.NamePart | Trait.NameEnd)) !== 0;
        const link =
          (next & Trait.Link) !== 0 &&
          (last & Trait.Link) === 0 &&
          (traits[ids[k + 1]!]! & (Trait.NamePart | Trait.NameEnd)) !== 0;
        const family = sonOf && (next & Trait.WithArticle) !== 0 && (next & Trait.NamePart) !== 0;
        if ((k === i + 1 && (next & Trait.NamePart) !== 0) || (next & Trait.NameEnd) !== 0 || afterLink || family) {
          words.push(k);
          if (family && (last & Trait.Link) === 0) break;
        } else if (link) {
          words.push(k);
          sonOf ||= SON_OF.has(wordsById[ids[k]!]!.key);
        } else break;
      }
      // A name that still ends on a link («… بن» before a comma) is not a name it can be sure of.
      if ((traits[ids[words[words.length - 1]!]!]! & Trait.Link) !== 0) continue;
      const parts = (sonOf ? calledBy(ids, words) : words).map((k) => wordsById[ids[k]!]!);
      const key = parts.map((p) => p.key).join(' ');
      const found = people.get(key) ?? {
        entry: {
          entity: -1,
          form: parts.map((p) => p.written).join(' '),
          canonical: undefined,
          club: false,
          broad: false,
          topic: false,
          person: false,
          notATag: false,
          adjective: false,
        },
        forms: new Map<string, number>(),
        keys: key.split(' '),
        mentions: 0,
        inTitle: false,
        inLead: false,
        firstSeen: position++,
        onlyAdjective: false,
        bodyInLead: false,
        byPattern: false,
      };
      found.mentions += title ? TITLE_WEIGHT : 1;
      found.inTitle ||= title;
      if (!title) inBody.add(found);
      // A headline that names a man in full («ورحل … سعد بن محمد الحسين») is how he is to be tagged.
      if (title && sonOf) found.entry.form = words.map((k) => wordsById[ids[k]!]!.written).join(' ');
      people.set(key, found);
      i = words[words.length - 1]!;
    }
  }
  if (people.size === 0) return [];
  const result: Found[] = [];
  for (const person of people.values()) {
    const family = person.keys[person.keys.length - 1]!;
    // Mentions of the family name alone (the scan skips the full names): the definite ones («الدوسري»). A family
    // name without the article may be a common word («دور»), and one of two words («نصر الله») is not a word the
    // scan can count alone, so such a person needs the headline.
    const familyWord = normalizeArabic(person.entry.form.split(' ').pop()!);
    if (NAME_ENDS.has(familyWord)) {
      if (person.inTitle) result.push({ ...person, mentions: Math.max(person.mentions, MIN_MENTIONS), inLead: true });
      continue;
    }
    let alone = 0;
    let aloneInTitle = false;
    if (familyWord.startsWith('ال')) {
      for (let k = 0; k < families; k++) {
        if (wordsById[familyIds[k]!]!.key !== family) continue;
        alone++;
        aloneInTitle ||= k < titleFamilies;
      }
    }
    // A headline's given name before a word without the article that the body never writes after it is a name and
    // a verb («الملك سلمان يصل المغرب», «قرية الطيب صالح تودع»), not a person: headlines put the verb after the name.
    const named = person.inTitle && (familyWord.startsWith('ال') || inBody.has(person));
    // «القصبي يعلق الجرس» over a story about «ماجد القصبي»: headlines name people by the family name alone.
    if (named || aloneInTitle || alone >= FAMILY_NAME_MENTIONS) {
      result.push({ ...person, mentions: Math.max(person.mentions, MIN_MENTIONS) + Math.max(alone, 0), inLead: true });
    }
  }
  return result;
}

/** «بن», «ابن», «بنت»: a father's name follows. */
const SON_OF = new Set(['بن', 'ابن', 'بنت']);

/**
 * How the news calls a man of a long name, as editors tag him: the given name and the family name
 * («وليد بن محمد الصمعاني» → «وليد الصمعاني», «عبداللطيف بن عبدالملك آل الشيخ» → «عبداللطيف آل الشيخ»), or, with no
 * family name, the given name and his father's («فيصل بن خالد بن عبدالعزيز» → «فيصل بن خالد»). `words` are
 * positions in ids.
 */
function calledBy(ids: Int32Array, words: number[]): number[] {
  const traits = traitsById;
  const last = words.length - 1;
  const lastWord = ids[words[last]!]!;
  const beforeLast = ids[words[last - 1]!]!;
  const family = (traits[lastWord]! & Trait.WithArticle) !== 0 && (traits[beforeLast]! & Trait.Link) === 0;
  if (family) return [words[0]!, words[last]!];
  if (wordsById[beforeLast]!.key === 'ال') return [words[0]!, words[last - 1]!, words[last]!];
  const secondSon = words.findIndex((k, n) => n > 1 && SON_OF.has(wordsById[ids[k]!]!.key));
  return secondSon > 0 ? words.slice(0, secondSon) : words;
}

/**
 * The one-word subject a headline opens with, before a colon or a verb, that no list knows: a foreign player or
 * speaker as sports and news headlines name them («هيرناني: ندمت…», «بولوني يلحق ببعثة الاتحاد», «مونتاري يشجع…»),
 * when the story names them again (twice). Not a word with the article (a family name: findPeople), a known name, a
 * given name, a function word, a plural («مجهولون يطلقون») or a word ending in «ة» («سيدة تنتقم», «دراسة:»), which
 * foreign names hardly ever are; nor before a country's adjective («جندي تونسي يقتل»).
 */
function headlineSubject(title: string, { ids, textStarts }: Scanned): Found[] {
  const first = ids[textStarts[0]!]!;
  const next = ids[textStarts[0]! + 1]!;
  const word = wordsById[first]!;
  if (
    first === 0 ||
    (traitsById[first]! & (Trait.WithArticle | Trait.StartsName | Trait.Given | Trait.Continues | Trait.Sports)) !== 0
  ) {
    return [];
  }
  const folded = normalizeArabic(word.written);
  // A name of 3 to 20 letters: the longest names in the press are about 12 («كريستيانو»), and a longer «word» is junk.
  if (!/^\p{L}{3,20}$/u.test(word.written) || STOPWORD_SET.has(folded) || /(?:ون|ين|ات|ة)$/u.test(word.written))
    return [];
  // «X:» is a run of its own; «X يفعل»: the next word of the run is a verb of the present («ي…», «ت…»), no name.
  const written = title.replace(TASHKEEL_AND_TATWEEL, '');
  const at = written.indexOf(word.written);
  const colon =
    next === 0 &&
    at >= 0 &&
    /^[^\p{L}:]*:/u.test(written.slice(at + word.written.length, at + word.written.length + 8));
  const verb =
    next !== 0 &&
    (traitsById[next]! & (Trait.StartsName | Trait.WithArticle)) === 0 &&
    /^[يت]\p{L}{2,}$/u.test(wordsById[next]!.written);
  if (!colon && !verb) return [];
  let again = 0;
  // «كنو يتمرد» over a story about «محمد كنو»: the given name the body puts before it is part of the tag.
  let given = 0;
  for (let i = textStarts[1]!; i < textStarts[textStarts.length - 1]!; i++) {
    if (ids[i] !== first) continue;
    again++;
    if (given === 0 && (traitsById[ids[i - 1]!]! & Trait.Given) !== 0) given = ids[i - 1]!;
  }
  if (again < 2) return [];
  const parts = given === 0 ? [word] : [wordsById[given]!, word];
  const entry: Entry = {
    entity: -hashOf('@' + folded),
    form: parts.map((p) => p.written).join(' '),
    canonical: undefined,
    club: false,
    broad: false,
    topic: false,
    person: false,
    notATag: false,
    adjective: false,
  };
  return [
    {
      entry,
      forms: new Map(),
      keys: parts.map((p) => p.key),
      mentions: TITLE_WEIGHT + again,
      inTitle: true,
      inLead: true,
      firstSeen: 2_000_000,
      onlyAdjective: false,
      bodyInLead: false,
      byPattern: false,
    },
  ];
}

/**
 * Bodies no list knows that a headline names by the general pattern of their names: a head («جامعة», «هيئة»,
 * «أمانة», «وزارة», «مجلس»…) and the words that name it, with the article or a listed place («جامعة المجمعة»,
 * «هيئة الصحفيين», «أمانة عسير», «مجلس الوزراء»). Only from the headline, where such a phrase is what the story is
 * about; not a head with the article (a reference back), nor a phrase that names no one body («مجلس الإدارة», «هيئة
 * التدريس»), nor one that runs on into a person's name («جامعة الملك …»: which king?).
 */
function headlineBodies({ ids, textStarts }: Scanned): Found[] {
  const traits = traitsById;
  const bodies: Found[] = [];
  for (let i = textStarts[0]!; i < textStarts[1]!; i++) {
    const head = wordsById[ids[i]!]!;
    if ((traits[ids[i]!]! & Trait.Definite) !== 0 || !head.keys.some((k) => PATTERN_HEADS.has(k))) continue;
    // A listed name starting here is found by findNames.
    if (head.names !== undefined && longestMatch(ids, i) !== undefined) continue;
    let k = i + 1;
    // The name runs on through words with the article and listed places, up to a country's adjective, which says
    // whose body it is («مجلس الوزراء السعودي») and is no part of the tag.
    while (
      ids[k] !== 0 &&
      k - i <= 4 &&
      ((traits[ids[k]!]! & Trait.Definite) !== 0 || wordsById[ids[k]!]!.oneWordName) &&
      !isCountryAdjective(ids[k]!)
    )
      k++;
    if (k === i + 1 || NOT_ONE_BODY.has(wordsById[ids[i + 1]!]!.key)) continue;
    const last = wordsById[ids[k - 1]!]!;
    if (TITLES.has(normalizeArabic(last.written)) || (traits[ids[k]!]! & Trait.Given) !== 0) continue;
    const words = [...ids.subarray(i, k)].map((id) => wordsById[id]!);
    // The head as written, without a glued particle («بجامعة» → «جامعة»).
    const headKey = head.keys.find((key) => PATTERN_HEADS.has(key))!;
    // The short form of the one listed body it begins: «هيئة السوق تعيدها للتداول» is «هيئة السوق المالية».
    const listed = completionOf(headKey, words.slice(1));
    // The start of several listed names («وزارة الشؤون تعلن»): which one is not said, and the words alone are cut.
    if (listed === null) continue;
    if (listed) {
      bodies.push({
        entry: listed.entry!,
        forms: new Map(),
        keys: listed.keys,
        mentions: TITLE_WEIGHT,
        inTitle: true,
        inLead: false,
        firstSeen: 3_000_000 + i,
        onlyAdjective: false,
        bodyInLead: false,
        byPattern: true,
      });
      i = k - 1;
      continue;
    }
    const written = [head.written.slice(head.written.length - headKey.length), ...words.slice(1).map((w) => w.written)];
    const entry: Entry = {
      entity: -hashOf('+' + written.join(' ')),
      form: written.join(' '),
      canonical: undefined,
      club: false,
      broad: false,
      topic: false,
      person: false,
      notATag: false,
      adjective: false,
    };
    bodies.push({
      entry,
      forms: new Map(),
      keys: words.map((w) => w.keys[w.keys.length - 1]!),
      mentions: TITLE_WEIGHT,
      inTitle: true,
      inLead: false,
      firstSeen: 3_000_000 + i,
      onlyAdjective: false,
      bodyInLead: false,
      byPattern: true,
    });
    i = k - 1;
  }
  return bodies;
}

/**
 * The listed name that the words (a head's key, then words) begin, when only one listed name continues them: a
 * headline writes a body short («هيئة السوق» for «هيئة السوق المالية»). null when several names continue them
 * («وزارة الشؤون» …الإسلامية, …الاجتماعية, …البلدية والقروية), undefined when none does or a name ends there
 * (longestMatch finds it).
 */
function completionOf(headKey: string, words: Word[]): NameNode | null | undefined {
  let node = index.get(headKey);
  for (const word of words) {
    const key = word.keys.find((k) => node?.next?.has(k));
    node = key === undefined ? undefined : node!.next!.get(key);
    if (node === undefined) return undefined;
  }
  if (node === undefined || node.entry !== undefined || words.length === 0) return undefined;
  let only: NameNode | undefined;
  const stack = [...(node.next?.values() ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.entry !== undefined && !next.entry.notATag && !next.entry.topic) {
      if (only !== undefined && only.entry!.entity !== next.entry.entity) return null;
      only ??= next;
    }
    stack.push(...(next.next?.values() ?? []));
  }
  return only;
}

/** «السعودي», «المصرية»…: the adjective of a country, Saudi Arabia's too. */
function isCountryAdjective(id: number): boolean {
  const word = wordsById[id]!;
  return SAUDI_ADJECTIVES.has(word.keys[0]!) || word.names?.some((node) => node.entry?.adjective === true) === true;
}
const SAUDI_ADJECTIVES = new Set(['السعودي', 'السعودية', 'السعوديين', 'السعوديون'].map(nameKey));

/** The heads of bodies' names, as nameKey gives them (see headlineBodies). */
const PATTERN_HEADS = new Set(
  ['وزارة', 'هيئة', 'جامعة', 'مؤسسة', 'جمعية', 'أمانة', 'بلدية', 'غرفة', 'مديرية', 'مجلس'].map(nameKey),
);
/** What follows a head in phrases that name no one body, as wordKey gives them. */
const NOT_ONE_BODY = new Set(
  ['الإدارة', 'الأمناء', 'التدريس', 'العمومية', 'الأعمال', 'الآباء', 'الأمهات'].map((w) => wordKey(w)),
);

const BETWEEN = nameKey('بين');

/**
 * Two names next to each other, the second joined by «و», glued or written apart as some agencies do («جازان و عسير
 * و نجران»): members of a list. Not the two sides «بين» names («المتنازع عليها بين الخرطوم وجوبا»): each is the
 * story's.
 */
function isListed(ids: Int32Array, a: Match | undefined, b: Match | undefined): boolean {
  if (a === undefined || b === undefined || wordsById[ids[a.at - 1]!]!.keys[0] === BETWEEN) return false;
  const end = a.at + a.length;
  return (
    (b.at === end && wordsById[ids[b.at]!]!.listJoin) || (b.at === end + 1 && wordsById[ids[end]!]!.written === 'و')
  );
}

/**
 * A one-word definite name right after a definite noun is an adjective («الحدود السورية», «الجمعية السعودية»);
 * one right before a definite word heads a longer phrase («الاتحاد الدولي», «الشباب السعودي»). Neither names a topic.
 */
function isPartOfLongerPhrase(ids: Int32Array, i: number, match: Match): boolean {
  const traits = traitsById;
  if (match.length !== 1 || match.entry.adjective || (traits[ids[i]!]! & Trait.Definite) === 0) return false;
  if ((traits[ids[i - 1]!]! & Trait.Definite) !== 0) return true;
  // The next word heads a longer phrase unless it is joined by «و» («شيخ الأزهر والخارجية المصرية»: two bodies), or
  // the name is a topic term, which an adjective only narrows («النفط الروسي», «الاستثمارات العربية»).
  const next = ids[i + 1]!;
  return (traits[next]! & Trait.Definite) !== 0 && !wordsById[next]!.listJoin && !match.entry.topic;
}

/**
 * Words that make the name after them the name of a place or a body: «مركز محمد بن نايف للمناصحة», «جامعة الملك
 * سعود», «مدينة الملك عبدالله الاقتصادية» are not the man.
 */
const NAMED_AFTER = new Set(
  [
    'مركز',
    'مركزي',
    'جامعة',
    'مستشفى',
    'مدينة',
    'شارع',
    'طريق',
    'جائزة',
    'مؤسسة',
    'برنامج',
    'ملعب',
    'استاد',
    'قاعدة',
    'مطار',
    'ميناء',
    'كلية',
    'معهد',
    'مجمع',
    'حي',
    'جسر',
    'مسجد',
    'قصر',
    'كرسي',
    'وقف',
    'مكتبة',
    'صندوق',
    'مدرسة',
  ]
    .flatMap((w) => [w, 'ب' + w, 'ل' + w, 'و' + w])
    .map((w) => normalizeArabic(w)),
);

/**
 * A person of the list named inside the name of a place or a body (see NAMED_AFTER), or a country's adjective that is
 * a family name: after a given name or a title («عبدالله التركي», «الدكتور التركي يستقبل»).
 */
function namesAPlace(ids: Int32Array, match: Match): boolean {
  const before = ids[match.at - 1]!;
  if (match.entry.adjective)
    return (traitsById[before]! & Trait.Given) !== 0 || TITLES.has(wordsById[before]!.keys[0]!);
  return match.entry.person && NAMED_AFTER.has(normalizeArabic(wordsById[before]!.written));
}

/**
 * The newspaper someone spoke to, quoted after «لـ» («قال … لـ«الشرق الأوسط»», «بادي لـ {الشرق الأوسط}», «لـ"الرياض"»):
 * the outlet, not a region or a city of the story. «لـ» stands alone before the quote, a run of its own, and the
 * name is one of a newspaper that is also a place's or a region's (OUTLETS): «تحركات علنية لـ "داعش"» is داعش's.
 */
function isOutletTold(ids: Int32Array, match: Match): boolean {
  return (
    match.at >= 2 &&
    ids[match.at - 1] === 0 &&
    wordsById[ids[match.at - 2]!]!.written === 'ل' &&
    OUTLETS.has(match.keys.join(' '))
  );
}

/** Arab newspapers named like a place or a region (the Saudi press quotes them as «لـ"…"»), as nameKey gives them. */
const OUTLETS = new Set(
  ['الشرق الأوسط', 'الرياض', 'المدينة', 'عكاظ', 'الجزيرة', 'الوطن', 'اليوم', 'الحياة', 'البلاد', 'الخليج', 'مكة'].map(
    (name) => name.split(' ').map(nameKey).join(' '),
  ),
);

/** Words that stand before a person's family name («الدكتور التركي»), never before a country's adjective. */
const TITLES = new Set(
  [
    'الدكتور',
    'د',
    'المهندس',
    'الشيخ',
    'الأستاذ',
    'الزميل',
    'الكاتب',
    'الإعلامي',
    'اللاعب',
    'الفنان',
    'الأمير',
    'معالي',
    'السيد',
  ].map((w) => normalizeArabic(w)),
);

/** A name at ids[at, at + length). */
interface Match {
  at: number;
  keys: string[];
  entry: Entry;
  length: number;
}

function longestMatch(ids: Int32Array, i: number): Match | undefined {
  const word = wordsById[ids[i]!]!;
  if (word.countryside) {
    const countryside = countrysideAt(ids, i);
    if (countryside) return countryside;
  }
  if (word.names === undefined) return undefined;
  for (const first of word.names) {
    let longest: NameNode | undefined;
    let node: NameNode | undefined = first;
    for (let k = i + 1; node; k++) {
      if (node.entry) longest = node;
      node = (traitsById[ids[k]!]! & Trait.Continues) !== 0 ? node.next?.get(wordsById[ids[k]!]!.keys[0]!) : undefined;
    }
    if (longest) return { at: i, keys: longest.keys, entry: longest.entry!, length: longest.keys.length };
  }
  return undefined;
}

/** «بريف حمص الشرقي» → «ريف حمص الشرقي»: the countryside of a listed city, with its direction when given. */
function countrysideAt(ids: Int32Array, i: number): Match | undefined {
  const city = wordsById[ids[i + 1]!]!;
  if (!city.oneWordName) return undefined;
  // After a word, ids[i + 2] is there: another word, or the 0 that ends the run (no word, no direction).
  const after = wordsById[ids[i + 2]!]!;
  const direction = DIRECTIONS.has(after.key) ? after.written : undefined;
  const written = [COUNTRYSIDE, city.written, ...(direction ? [direction] : [])].map((w) =>
    w.replace(/[^\p{L}]/gu, ''),
  );
  const keys = written.map(wordKey);
  const entry: Entry = {
    entity: -hashOf(keys.join(' ')),
    form: written.join(' '),
    canonical: undefined,
    club: false,
    broad: false,
    topic: false,
    person: false,
    notATag: false,
    adjective: false,
  };
  return { at: i, keys, entry, length: written.length };
}

/** A number for a name built from its words (countrysides), apart from the gazetteer's entity numbers. */
function hashOf(key: string): number {
  let h = 1;
  for (let k = 0; k < key.length; k++) h = (Math.imul(h, 31) + key.charCodeAt(k)) | 0;
  return Math.abs(h) + 1;
}

/** Sports words in the headline and the first three paragraphs, which say what kind of story it is. */
function isSportsStory({ ids, textStarts }: Scanned): boolean {
  const traits = traitsById;
  let hits = 0;
  const end = textStarts[Math.min(4, textStarts.length - 1)]!;
  for (let i = textStarts[0]!; i < end; i++) if ((traits[ids[i]!]! & Trait.Sports) !== 0) hits++;
  return hits >= 2;
}
