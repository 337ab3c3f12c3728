import { normalizeArabic } from '../text/arabic.js';
import type { NewsroomDeps } from './deps.js';

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
 * Letters Arabic glues to the front of a word: the conjunctions و ف, the prepositions ب ل ك, the article ال, and
 * their combinations (وال، بال، فبال، لل = ل + ال). Longest first, so «والسياسة» loses «وال», not «و».
 */
const PREFIXES = [
  'وبال',
  'فبال',
  'وكال',
  'وال',
  'فال',
  'بال',
  'كال',
  'ولل',
  'فلل',
  'لل',
  'ال',
  'وب',
  'ول',
  'وك',
  'فب',
  'فل',
  'و',
  'ف',
  'ب',
  'ل',
  'ك',
];
/** A base shorter than this is not taken for a word with a prefix («بر» is not ب + ر). */
const MIN_BASE = 2;

/** A topic word as it is compared: normalised, without its definite article («السياسة» → «سياسه»). */
function base(word: string): string {
  return word.startsWith('ال') && word.length - 2 >= MIN_BASE ? word.slice(2) : word;
}

/** The forms a word of the text may stand for: itself, and itself without each prefix it could carry. */
function forms(word: string): string[] {
  const out = [word];
  for (const p of PREFIXES)
    if (word.startsWith(p) && word.length - p.length >= MIN_BASE) out.push(word.slice(p.length));
  return out;
}

const words = (s: string) =>
  normalizeArabic(s)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/** A topic or category as it is compared whole: normalised words without their article («السياسة» = «سياسة»). */
const topicKey = (s: string) => words(s).map(base).join(' ');

/** A topic as it is compared: its words, and the same words without their article. */
interface Phrase {
  key: string;
  words: string[];
  bases: string[];
}

/** One article, as matching needs it: a yes/no per topic, remembered (subscribers share most of their topics). */
type Finder = (topic: Phrase) => boolean;

/**
 * What matching needs of one article (its categories, and for every form its words could stand for, where they
 * stand), built once per article object: routing matches one article against every subscription's filter.
 */
const finders = new WeakMap<object, Finder>();

/** A filter split and normalised once per distinct topic list (10,000 subscriptions share a few thousand). */
const compiled = new Map<string, { include: Phrase[]; exclude: Phrase[] }>();
/** Bounded: a newsroom's distinct filters are far fewer; past this the cache starts over rather than grow. */
const COMPILED_KEPT = 50_000;

/**
 * A subscription's topics are its filter: words and phrases to include (any of them), and, written with a leading
 * «-», words and phrases to exclude, which win over any inclusion. No topics: everything; only exclusions:
 * everything but those. Each is found in the article's title or body as a whole word or phrase, or equals one of its
 * categories, compared on normalised Arabic with the article and the usual prefixes ignored: «السياسة» matches the
 * category «سياسة» and «والسياسة» in the text, but «الرقة» never matches «الرقيب». No regular expressions: a
 * subscriber's pattern could backtrack for ever.
 */
export function matchesTopics(
  topics: string[],
  article: { title: string; paragraphs: string[]; categories: string[] },
): boolean {
  if (topics.length === 0) return true;
  const { include, exclude } = compile(topics);
  if (include.length === 0 && exclude.length === 0) return true;
  let found = finders.get(article);
  if (!found) {
    found = finder(article);
    finders.set(article, found);
  }
  if (exclude.some(found)) return false;
  return include.length === 0 || include.some(found);
}

function compile(topics: string[]): { include: Phrase[]; exclude: Phrase[] } {
  const cacheKey = topics.join('\n');
  let filter = compiled.get(cacheKey);
  if (!filter) {
    const { include, exclude } = splitFilter(topics);
    const phrase = (t: string): Phrase => {
      const w = words(t);
      return { key: t, words: w, bases: w.map(base) };
    };
    filter = { include: include.map(phrase), exclude: exclude.map(phrase) };
    if (compiled.size >= COMPILED_KEPT) compiled.clear();
    compiled.set(cacheKey, filter);
  }
  return filter;
}

/** Inclusions and exclusions («-رياضة»), normalised as they are matched. */
export function splitFilter(topics: string[]): { include: string[]; exclude: string[] } {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const t of topics) {
    const excluded = /^\s*-/.test(t);
    for (const n of normalizeTopics([t.replace(/^\s*-\s*/, '')])) (excluded ? exclude : include).push(n);
  }
  return { include, exclude };
}

function finder(article: { title: string; paragraphs: string[]; categories: string[] }): Finder {
  const categories = new Set(article.categories.map(topicKey));
  // Where each form stands: «بدير» at 7 is filed under «بدير» and «دير», so a phrase is found by looking its words
  // up, not by scanning the text once per topic (10,000 filters × 500 words was half a second).
  const at = new Map<string, number[]>();
  words([article.title, ...article.paragraphs].join(' ')).forEach((word, i) => {
    for (const f of new Set(forms(word))) {
      const list = at.get(f);
      if (list) list.push(i);
      else at.set(f, [i]);
    }
  });
  const stands = (k: number, phrase: Phrase, i: number) =>
    (at.get(phrase.words[k]!)?.includes(i) ?? false) || (at.get(phrase.bases[k]!)?.includes(i) ?? false);
  const seen = new Map<string, boolean>();
  return (phrase) => {
    let yes = seen.get(phrase.key);
    if (yes !== undefined) return yes;
    yes = false;
    if (phrase.words.length > 0) {
      if (categories.has(phrase.bases.join(' '))) yes = true;
      else {
        // Each word of the phrase, in order, as itself or its base with any prefix («دير الزور» in «بدير الزور»).
        const starts = [...(at.get(phrase.words[0]!) ?? []), ...(at.get(phrase.bases[0]!) ?? [])];
        yes = starts.some((i) => phrase.words.every((_, k) => k === 0 || stands(k, phrase, i + k)));
      }
    }
    seen.set(phrase.key, yes);
    return yes;
  };
}

/** A filter in words, for a reply: «الرقة، دير الزور؛ عدا: رياضة» (the front door gives the words of its language). */
export function describeFilter(
  topics: string[],
  words: { except: string; separator: string; between: string },
): string {
  const include = topics.filter((t) => !/^\s*-/.test(t));
  const exclude = topics.filter((t) => /^\s*-/.test(t)).map((t) => t.replace(/^\s*-\s*/, ''));
  return [include.join(words.separator), exclude.length ? `${words.except} ${exclude.join(words.separator)}` : '']
    .filter(Boolean)
    .join(words.between);
}

/**
 * What a subscriber typed, as a filter: words and "quoted phrases", separated by spaces or commas (Arabic «،» too);
 * a leading «-» excludes. `الرقة "دير الزور" -رياضة -"كرة القدم"` → الرقة, دير الزور, -رياضة, -كرة القدم.
 */
export function parseTopicFilter(input: string): string[] {
  const out: string[] = [];
  for (const m of input.matchAll(/(-?)(?:["«“]([^"»”]+)["»”]|([^\s,،"«“-][^\s,،"«“]*))/gu)) {
    const text = (m[2] ?? m[3] ?? '').trim();
    if (text) out.push(`${m[1]}${text}`);
  }
  return out;
}

const TOPIC_CHOICES = 12;
const RECENT_MS = 30 * 24 * 3600 * 1000;

/**
 * The topics offered as buttons: the newsroom's own list (NASHRA_TOPICS) first, then the categories its sources
 * used in the last 30 days, most used first, one of each (compared as they are matched, so «السياسة» and «سياسة»
 * are one button).
 */
export async function topicChoices(
  deps: Pick<NewsroomDeps, 'data'>,
  configured: readonly string[],
  now = Date.now(),
): Promise<string[]> {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of [
    ...configured,
    ...(await deps.data.repos.reads.recentCategories(now - RECENT_MS, TOPIC_CHOICES * 2)),
  ]) {
    const key = topicKey(t);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(t.trim());
    if (out.length === TOPIC_CHOICES) break;
  }
  return out;
}
