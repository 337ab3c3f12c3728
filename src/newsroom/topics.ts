import { normalizeArabic } from '../text/arabic.js';
import type { Store } from '../store/index.js';

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
const PREFIXES = ['وبال', 'فبال', 'وكال', 'وال', 'فال', 'بال', 'كال', 'ولل', 'فلل', 'لل', 'ال', 'وب', 'ول', 'وك', 'فب', 'فل', 'و', 'ف', 'ب', 'ل', 'ك'];
/** A base shorter than this is not taken for a word with a prefix («بر» is not ب + ر). */
const MIN_BASE = 2;

/** A topic word as it is compared: normalised, without its definite article («السياسة» → «سياسه»). */
function base(word: string): string {
  return word.startsWith('ال') && word.length - 2 >= MIN_BASE ? word.slice(2) : word;
}

/** The forms a word of the text may stand for: itself, and itself without each prefix it could carry. */
function forms(word: string): string[] {
  const out = [word];
  for (const p of PREFIXES) if (word.startsWith(p) && word.length - p.length >= MIN_BASE) out.push(word.slice(p.length));
  return out;
}

const words = (s: string) => normalizeArabic(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** A topic or category as it is compared whole: normalised words without their article («السياسة» = «سياسة»). */
const topicKey = (s: string) => words(s).map(base).join(' ');

/**
 * What matching needs of one article (its categories and its words with their possible prefixes), built once per
 * article object: routing matches one article against every subscription's filter.
 */
const finders = new WeakMap<object, (topic: string) => boolean>();

/**
 * A subscription's topics are its filter: words and phrases to include (any of them), and, written with a leading
 * «-», words and phrases to exclude, which win over any inclusion. No topics: everything; only exclusions:
 * everything but those. Each is found in the article's title or body as a whole word or phrase, or equals one of its
 * categories, compared on normalised Arabic with the article and the usual prefixes ignored: «السياسة» matches the
 * category «سياسة» and «والسياسة» in the text, but «الرقة» never matches «الرقيب». No regular expressions: a
 * subscriber's pattern could backtrack for ever.
 */
export function matchesTopics(topics: string[], article: { title: string; paragraphs: string[]; categories: string[] }): boolean {
  const { include, exclude } = splitFilter(topics);
  if (include.length === 0 && exclude.length === 0) return true;
  let found = finders.get(article);
  if (!found) finders.set(article, (found = finder(article)));
  if (exclude.some(found)) return false;
  return include.length === 0 || include.some(found);
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

function finder(article: { title: string; paragraphs: string[]; categories: string[] }): (topic: string) => boolean {
  const categories = new Set(article.categories.map(topicKey));
  const tokens = words([article.title, ...article.paragraphs].join(' ')).map(forms);
  return (topic) => {
    const phrase = words(topic);
    if (phrase.length === 0) return false;
    const bases = phrase.map(base);
    if (categories.has(bases.join(' '))) return true;
    // Each word of the phrase, in order, as itself or its base with any prefix («دير الزور» in «بدير الزور»).
    const at = (i: number, k: number) => tokens[i + k]!.includes(phrase[k]!) || tokens[i + k]!.includes(bases[k]!);
    for (let i = 0; i + phrase.length <= tokens.length; i++) if (phrase.every((_, k) => at(i, k))) return true;
    return false;
  };
}

/** A filter in words, for a reply: «الرقة، دير الزور؛ عدا: رياضة» (the front door gives the words of its language). */
export function describeFilter(topics: string[], words: { except: string; separator: string; then: string }): string {
  const include = topics.filter((t) => !/^\s*-/.test(t));
  const exclude = topics.filter((t) => /^\s*-/.test(t)).map((t) => t.replace(/^\s*-\s*/, ''));
  return [include.join(words.separator), exclude.length ? `${words.except} ${exclude.join(words.separator)}` : ''].filter(Boolean).join(words.then);
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
export function topicChoices(store: Pick<Store, 'articles'>, configured: readonly string[], now = Date.now()): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of [...configured, ...store.articles.recentCategories(now - RECENT_MS, TOPIC_CHOICES * 2)]) {
    const key = topicKey(t);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(t.trim());
    if (out.length === TOPIC_CHOICES) break;
  }
  return out;
}
