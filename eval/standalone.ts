/**
 * Summaries that stand on their own (issue 22, sections 1–4): a first word cut, a sentence from another story, a
 * summary that leaves the headline's story, and sentences that lean on what the summary left out. Written from the
 * issue's description, with their own word lists, so that they check the summariser rather than restate it.
 */
import { contentTokens, normalizeArabic, tokenize } from '../src/text/arabic.js';
import { stem } from '../src/text/stem.js';
import { GIVEN_NAMES } from '../src/summary/gazetteer.js';

export interface StandaloneExample {
  id: number | string;
  sentence: string;
}

/** The summary's sentences located in the article: the index of the article sentence each comes from (-1: none). */
export function locate(summary: string[], sentences: string[]): number[] {
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  const flatSentences = sentences.map(flat);
  const found: number[] = [];
  let from = 0;
  for (const s of summary) {
    // A rewritten sentence is the end of its article sentence; one cut back to its main clause is the start of it,
    // with a full stop added.
    const text = flat(s).replace(/\.$/, '');
    let at = -1;
    for (let i = from; i < flatSentences.length; i++) {
      if (flatSentences[i]!.includes(text)) {
        at = i;
        break;
      }
    }
    found.push(at);
    if (at >= 0) from = at + 1;
  }
  return found;
}

// 1. A word loses its first letter

/**
 * The first word of a sentence, when it is neither a word of the article nor an article word without a conjunction
 * («و», «ف») the article glued on it. A word counts as a word when it stands alone somewhere in the lexicon (every
 * token of the 200 news articles and of EASC: a word cut from a name, «يروز», «يما», stands alone nowhere) or
 * carries the definite article. Undefined when the first word is fine.
 */
export function cutFirstWord(
  sentence: string,
  articleTokens: ReadonlyMap<string, number>,
  lexicon: ReadonlySet<string>,
): string | undefined {
  const first = tokenize(sentence)[0];
  if (first === undefined || articleTokens.has(first)) return undefined;
  const glued = ['و', 'ف'].some((c) => articleTokens.has(c + first));
  const written = sentence.replace(/^[\s«»"“”'(\[]+/, '');
  if (glued && (isWord(first, lexicon) || /^(?:ال|بال|لل|كال)\p{L}{2}/u.test(first) || /^[أإ]/.test(written)))
    return undefined;
  return first;
}

/** Endings and prefixes a word takes without its meaning changing: pronouns, plural and dual, another person. */
const ENDINGS = ['ه', 'ها', 'هم', 'هما', 'وا', 'ت', 'ا', 'ن', 'ون', 'ين', 'ان', 'ي'];
const PREFIXES = ['ب', 'ل', 'ك', 'س', 'ال'];
const PERSONS = /^[يتنا]/;

/**
 * The word stands alone in the lexicon, or in another form of itself: with an ending or a prefix other than the
 * conjunctions («ختم» is a word because «ختمت» is), or with another person's prefix («يترأس»: «تترأس»).
 */
function isWord(word: string, lexicon: ReadonlySet<string>): boolean {
  if (lexicon.has(word)) return true;
  if (ENDINGS.some((e) => lexicon.has(word + e)) || PREFIXES.some((p) => lexicon.has(p + word))) return true;
  if (word.length >= 3 && PERSONS.test(word)) {
    const rest = word.slice(1);
    return ['ي', 'ت', 'ن', 'ا'].some((p) => p !== word[0] && lexicon.has(p + rest));
  }
  return false;
}

// 2. No sentence from another story

/**
 * Connectives that announce another story («من جانب آخر»، «من جهة ثانية»، «إلى ذلك»، «في سياق آخر»، «على صعيد
 * آخر» and their variants), normalised (آ → ا, ى → ي, ة → ه), with or without a leading «و».
 */
const ANOTHER_STORY =
  /^و?(?:من (?:جانب|جهه|ناحيه) (?:اخر|اخري|ثان|ثاني|ثانيه)|(?:في|علي) (?:سياق|صعيد|شان|موضوع|خبر|تطور) (?:اخر|منفصل)|الي ذلك)(?=$|[\s،,:.])/;

export function opensAnotherStory(sentence: string): boolean {
  return ANOTHER_STORY.test(normalizeArabic(sentence).replace(/^[\s«»"“”'(\[]+/, ''));
}

/**
 * A sentence of the summary from another story: it opens with such a connective, or the article opened another
 * story at or before it (after its first sentence).
 */
export function fromAnotherStory(summary: string[], sentences: string[]): string | undefined {
  const at = locate(summary, sentences);
  const firstOther = sentences.findIndex((s, i) => i > 0 && opensAnotherStory(s));
  for (let k = 0; k < summary.length; k++) {
    if (opensAnotherStory(summary[k]!)) return summary[k];
    if (firstOther > 0 && at[k]! >= firstOther) return summary[k];
  }
  return undefined;
}

// 3. The headline's story first

function stems(text: string): Set<string> {
  return new Set(
    contentTokens(text)
      .filter((t) => !/^\d+$/.test(t))
      .map(stem),
  );
}

function shares(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/**
 * The summary shares none of the headline's content words (light stems) where the article's lead sentence does: it
 * tells another story than the headline's. A summary that carries the sentence right after the lead, where that
 * sentence names the lead's subject by a demonstrative (see namesLeadByDemonstrative), stays on the story: it is the
 * issue's «next sentences of the same story», which name the headline's subject by pointing back rather than by its
 * words (a column headlined «عبير الدخيل: راحت أيام الفلة», its 700-character lead ending on «… مصطلح “راحت أيام
 * الفلة” … تردد العبارة بحسرة …», summarised from «ترتفع نسبة إستخدام هذه العبارة بين السعوديات؛ …»).
 */
export function leavesHeadlineStory(title: string, lead: string, summary: string[], afterLead?: string): boolean {
  const headline = stems(title);
  if (summary.length === 0 || !shares(headline, stems(lead))) return false;
  if (shares(headline, stems(summary.join(' ')))) return false;
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return !(
    afterLead !== undefined &&
    namesLeadByDemonstrative(afterLead, lead) &&
    summary.some((s) => flat(afterLead).includes(flat(s)))
  );
}

const DEMONSTRATIVE = /^(?:هذا|هذه|ذلك|تلك|هذان|هاتان|هذين|هاتين|هؤلاء|اولئك)$/;
/** How many words of a sentence's first clause are looked at for a demonstrative pointing back. */
const FIRST_CLAUSE_WORDS = 8;

/**
 * The sentence's first clause (up to its first comma, semicolon or colon, at most FIRST_CLAUSE_WORDS words) has a
 * demonstrative followed by a definite noun the lead itself uses («هذه العبارة» after a lead with «العبارة», «هذا
 * القرار» after one with «القرار»): it speaks of the very thing the lead told. A demonstrative before a word the lead
 * lacks («في هذه الأثناء», «وفي هذا السياق») says nothing of what it refers to.
 */
export function namesLeadByDemonstrative(sentence: string, lead: string): boolean {
  const clause = tokenize(sentence.split(/[،,;؛:]/)[0]!).slice(0, FIRST_CLAUSE_WORDS);
  const leadStems = new Set(tokenize(lead).map(stem));
  return clause.some(
    (w, i) =>
      DEMONSTRATIVE.test(w) &&
      clause[i + 1] !== undefined &&
      clause[i + 1]!.startsWith('ال') &&
      leadStems.has(stem(clause[i + 1]!)),
  );
}

/** The lead: the article's first sentence of at least 8 words (a byline or a caption before it is not one). */
export function leadOf(sentences: string[]): string | undefined {
  return sentences.find((s) => tokenize(s).length >= 8);
}

// 4. Sentences that lean on what was left out

const GIVEN = new Set(GIVEN_NAMES.map((n) => normalizeArabic(n).replace(/\s+/g, '')));
/** Titles before a name («الدكتور أحمد», «الشيخ»): the word after them is a name. */
const TITLES = new Set([
  'الدكتور',
  'د',
  'الشيخ',
  'المهندس',
  'الامير',
  'الاستاذ',
  'اللواء',
  'العميد',
  'العقيد',
  'الفريق',
  'السيد',
  'السفير',
  'الرئيس',
]);
/** Reporting verbs, with or without a glued «و»: the word after them is who speaks. */
const SPEAKS =
  /^و?(?:قال|قالت|اكد|اكدت|اضاف|اضافت|اشار|اشارت|اوضح|اوضحت|كشف|كشفت|افاد|افادت|تابع|تابعت|بين|بينت|لفت|لفتت|ذكر|ذكرت|شدد|شددت|اعتبر|اعتبرت|اعلن|اعلنت|نوه|نوهت|اردف|طالب|طالبت|حذر|حذرت|اعرب|اعربت|ختم|دعا|دعت|راي|رات|يقول|تقول|يري|تري|يؤكد|تؤكد|يضيف|تضيف)$/;

/**
 * The person a sentence quotes by one name the summary never gave in full: «وقال المسلط: …», «أكد إسماعيل أن …»,
 * where an earlier sentence of the article names them in full (a given name or a title before the word, or the word a
 * given name followed by another name). Undefined when the sentence names no such person.
 */
export function unintroducedName(sentence: string, before: string[], articleBefore: string[]): string | undefined {
  const words = tokenize(sentence);
  const verbAt = words.slice(0, 3).findIndex((w) => SPEAKS.test(w));
  if (verbAt < 0) return undefined;
  const name = words[verbAt + 1];
  if (name === undefined || name.length < 3 || GIVEN.has(words[verbAt]!)) return undefined;
  // The sentence names the person in full itself.
  if (
    GIVEN.has(name) &&
    words[verbAt + 2] !== undefined &&
    !/^(?:ان|انه|انها|بان|الي|في|علي|عن)$/.test(words[verbAt + 2]!) &&
    introducedAsFirstName(name, [sentence])
  )
    return undefined;
  if (before.some((s) => tokenize(s).includes(name))) return undefined;
  const introduced =
    introducedAsFamilyName(name, articleBefore) || (GIVEN.has(name) && introducedAsFirstName(name, articleBefore));
  return introduced ? name : undefined;
}

function introducedAsFamilyName(name: string, sentences: string[]): boolean {
  return sentences.some((s) => {
    const words = tokenize(s);
    return words.some(
      (w, i) => w === name && i > 0 && (GIVEN.has(words[i - 1]!) || TITLES.has(words[i - 1]!) || words[i - 1] === 'بن'),
    );
  });
}

function introducedAsFirstName(name: string, sentences: string[]): boolean {
  return sentences.some((s) => {
    const words = tokenize(s);
    return words.some(
      (w, i) => w === name && words[i + 1] !== undefined && /^(?:ال\p{L}{2,}|بن|ولد|ابو)$/u.test(words[i + 1]!),
    );
  });
}

/**
 * Openers that point back to something named before: a relative («الأمر الذي», «وهو ما», «مما») or a verb
 * whose object or place is a pronoun for it («تنافس فيه …», «شارك فيها …»).
 */
const POINTS_BACK =
  /^(?:و?(?:هو|هي|هم) (?:ما|الامر|الذي|التي)|(?:و|ف)?(?:الامر الذي|الامر التي|مما|ما ادي|ما يعني)|و?\S+ (?:فيه|فيها|فيهم|عليه|عليها|منه|منها|اليه|اليها|به|بها|عنه|عنها|لديه|لديها|معه|معها|خلاله|خلالها))(?=$|[\s،,:.])/;

export function pointsBack(sentence: string): boolean {
  return POINTS_BACK.test(normalizeArabic(sentence).replace(/^[\s«»"“”'(\[]+/, ''));
}

// The figures

export interface StandaloneArticle {
  id: number | string;
  title?: string;
  text: string;
}

export interface StandaloneFigures {
  /** Summary sentences (the 200 and EASC, production setting) whose first word was cut. */
  cutInSummaries: StandaloneExample[];
  /** Every sentence of the 200 and of EASC as the openers rewrite it when it stands apart, first word cut. */
  cutInEverySentence: StandaloneExample[];
  sentencesChecked: number;
  anotherStory: StandaloneExample[];
  /** Articles whose lead shares the headline's content words. */
  leadOnHeadline: number;
  leavesHeadline: StandaloneExample[];
  unintroducedNames: StandaloneExample[];
  pointingBack: StandaloneExample[];
}

export interface StandaloneSystem {
  sentences(article: { title?: string; text: string }): string[];
  summary(article: { title?: string; text: string }): string[];
  /** The sentence as sent when it does not follow its predecessor (the opener rewritten), or as written. */
  standingApart(sentence: string, isFirst: boolean, articleTokens: ReadonlyMap<string, number>): string;
  /** Words a list of the summariser's says may follow a conjunction. */
  listedWords: Iterable<string>;
}

export function checkStandalone(
  news: StandaloneArticle[],
  easc: StandaloneArticle[],
  system: StandaloneSystem,
): StandaloneFigures {
  // The lexicon: every token of the two corpora, and the words the summariser lists as following a conjunction
  // (the issue's «a word list says so»); a cut word from the other rules must stand alone somewhere.
  const figures: StandaloneFigures = {
    cutInSummaries: [],
    cutInEverySentence: [],
    sentencesChecked: 0,
    anotherStory: [],
    leadOnHeadline: 0,
    leavesHeadline: [],
    unintroducedNames: [],
    pointingBack: [],
  };
  const lexicon = new Set<string>();
  for (const a of [...news, ...easc]) for (const t of tokenize(`${a.title ?? ''} ${a.text}`)) lexicon.add(t);
  for (const w of system.listedWords) lexicon.add(w);
  for (const a of [...news, ...easc]) {
    const isNews = news.includes(a);
    const articleTokens = new Map<string, number>();
    for (const t of tokenize(`${a.title ?? ''} ${a.text}`)) articleTokens.set(t, (articleTokens.get(t) ?? 0) + 1);
    const sentences = system.sentences(a);
    sentences.forEach((s, i) => {
      figures.sentencesChecked++;
      const apart = system.standingApart(s, i === 0, articleTokens);
      const cut = cutFirstWord(apart, articleTokens, lexicon);
      if (cut) figures.cutInEverySentence.push({ id: a.id, sentence: `«${cut}» ${apart}` });
    });
    const summary = system.summary(a);
    for (const s of summary) {
      const cut = cutFirstWord(s, articleTokens, lexicon);
      if (cut) figures.cutInSummaries.push({ id: a.id, sentence: `«${cut}» ${s}` });
    }
    if (!isNews) continue;
    const other = fromAnotherStory(summary, sentences);
    if (other) figures.anotherStory.push({ id: a.id, sentence: other });
    const lead = leadOf(sentences);
    if (a.title && lead !== undefined) {
      if (shares(stems(a.title), stems(lead))) figures.leadOnHeadline++;
      if (leavesHeadlineStory(a.title, lead, summary, sentences[sentences.indexOf(lead) + 1]))
        figures.leavesHeadline.push({ id: a.id, sentence: `${a.title} → ${summary.join(' ')}` });
    }
    const at = locate(summary, sentences);
    summary.forEach((s, k) => {
      const index = at[k]!;
      const follows = k > 0 && index > 0 && at[k - 1] === index - 1;
      if (index > 0 && !follows && pointsBack(s)) figures.pointingBack.push({ id: a.id, sentence: s });
      const name = index > 0 ? unintroducedName(s, summary.slice(0, k), sentences.slice(0, index)) : undefined;
      if (name) figures.unintroducedNames.push({ id: a.id, sentence: `«${name}» ${s}` });
    });
  }
  return figures;
}

export function printStandalone(f: StandaloneFigures, examples: number): void {
  console.log('\nSummaries that stand on their own (issue 22); target 0 for each');
  const rows: [string, StandaloneExample[]][] = [
    [`summary sentences whose first word was cut (the 200 and EASC)`, f.cutInSummaries],
    [`of ${f.sentencesChecked} sentences as rewritten to stand apart, first word cut`, f.cutInEverySentence],
    ['summaries with a sentence from another story (the 200)', f.anotherStory],
    [`summaries that leave the headline's story, of ${f.leadOnHeadline} whose lead tells it`, f.leavesHeadline],
    ['sentences naming a person the summary never introduced', f.unintroducedNames],
    ['sentences pointing back to a sentence left out', f.pointingBack],
  ];
  for (const [label, list] of rows) {
    console.log(`  ${String(list.length).padStart(4)}  ${label}`);
    for (const e of list.slice(0, examples)) console.log(`          [${e.id}] ${e.sentence.slice(0, 220)}`);
  }
}
