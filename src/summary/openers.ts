/**
 * Sentences that open by leaning on the one before them. News writes almost every sentence after the first as a
 * continuation («وقال الوزير…», «كما أكد…», «من جهته، …»); read alone in a summary they refer to something the
 * reader never saw. Each sentence is classed once:
 * - free: stands on its own;
 * - rewritable: the connective can go and a well-formed sentence remains («وقال الوزير إن…» → «قال الوزير إن…»);
 * - dependent: what remains still points back (a verb whose subject is a pronoun, «أفاد بأن…»; a demonstrative
 *   with no antecedent, «هذه الخطوة…»; «لكن», «إلا أن»…): it may be sent only right after the sentence it
 *   depends on.
 * On the 200 news articles, rewriting keeps most continuation sentences usable (they carry the quotes and the
 * figures), and holding back the dependent ones removes the rest of the dangling openers.
 */
import { isWhiteSpaceUnit, normalizeArabic } from '../text/arabic.js';
import { STOPWORD_SET } from '../text/stopwords.js';
import { GIVEN_NAMES } from './gazetteer.js';

export type Opener = { kind: 'free' } | { kind: 'rewritable'; text: string } | { kind: 'dependent' };

const FREE: Opener = { kind: 'free' };
const DEPENDENT: Opener = { kind: 'dependent' };

/**
 * Words that «و» or «ف» is glued to as a conjunction, normalised (أ/إ/آ → ا, ة → ه, ى → ي): reporting and linking
 * verbs, particles and prepositions. Other words starting with «و» are mostly the letter of the word itself
 * (وزير، وصل، وفد، واشنطن), so the conjunction is only taken off these, or where the word without it is certain
 * (see conjunctionRest).
 */
const AFTER_CONJUNCTION = new Set([
  'قال',
  'قالت',
  'كشف',
  'كشفت',
  'ذكر',
  'ذكرت',
  'بين',
  'بينت',
  'لفت',
  'لفتت',
  'شدد',
  'شددت',
  'دعا',
  'دعت',
  'راي',
  'رات',
  'طالب',
  'طالبت',
  'حذر',
  'حذرت',
  'زاد',
  'ختم',
  'جاء',
  'جاءت',
  'بلغ',
  'بلغت',
  'سجل',
  'سجلت',
  'شهد',
  'شهدت',
  'شارك',
  'شاركت',
  'عبر',
  'قدم',
  'قدمت',
  'كان',
  'كانت',
  'كانوا',
  'قد',
  'لقد',
  'لم',
  'لن',
  'لا',
  'لكن',
  'لكنه',
  'لكنها',
  'هو',
  'هي',
  'هم',
  'هذا',
  'هذه',
  'ذلك',
  'تلك',
  'في',
  'من',
  'عن',
  'علي',
  'مع',
  'منذ',
  'خلال',
  'بعد',
  'قبل',
  'حسب',
  'بحسب',
  'وفق',
  'وفقا',
  'كما',
  'فيما',
  'بينما',
  'حيث',
  'اذ',
  'اما',
  'رغم',
  'عقب',
  'حول',
  'لدي',
  'عند',
  'بسبب',
  'تم',
  'نقل',
  'نفي',
  'نفت',
  'نوه',
  'نوهت',
  'قام',
  'قامت',
  'صرح',
  'صرحت',
  'ضم',
  'ضمت',
  'حضر',
  'حصل',
  'حصلت',
  'بدا',
  'بدات',
  'حقق',
  'حققت',
  'رفض',
  'رفضت',
  'سبق',
  'شمل',
  'شملت',
  'طالبوا',
  'قالوا',
  'كذلك',
  'ايضا',
  'هنا',
  'هناك',
  'بذلك',
  'لذلك',
  'بالتالي',
  'عليه',
  'ثم',
  'ان',
  'انه',
  'انها',
  'اذا',
  'لو',
  'لولا',
  // Verbs starting with «ي», «ت» or «ن» that open news sentences after «و» («ويأتي ذلك…», «وتشير التقديرات…»,
  // «ونقلت»). A word made of «و»/«ف» and one of these letters is as often a name or a noun («فيروز», «فيما»,
  // «فندق», «فترة»), so the conjunction is taken off only when the rest is listed here or stands in the article
  // (standsInArticle).
  'ياتي',
  'تاتي',
  'يشير',
  'تشير',
  'يعد',
  'تعد',
  'يعتبر',
  'تعتبر',
  'يوجد',
  'توجد',
  'يقع',
  'تقع',
  'يمكن',
  'يجب',
  'يبلغ',
  'تبلغ',
  'يتم',
  'تتم',
  'يذكر',
  'تذكر',
  'يقول',
  'تقول',
  'يضيف',
  'تضيف',
  'يؤكد',
  'تؤكد',
  'يري',
  'تري',
  'يبدو',
  'تبدو',
  'يتوقع',
  'تتوقع',
  'يعتمد',
  'تعتمد',
  'يسعي',
  'تسعي',
  'يتراوح',
  'تتراوح',
  'يبقي',
  'تبقي',
  'يواصل',
  'تواصل',
  'يحتاج',
  'تحتاج',
  'يشهد',
  'تشهد',
  'يشمل',
  'تشمل',
  'يتضمن',
  'تتضمن',
  'يضم',
  'تضم',
  'يهدف',
  'تهدف',
  'يعمل',
  'تعمل',
  'يقوم',
  'تقوم',
  'يتكون',
  'تتكون',
  'يستطيع',
  'تستطيع',
  'ينص',
  'تنص',
  'يتهم',
  'تتهم',
  'يواجه',
  'تواجه',
  'يعقد',
  'تعقد',
  'يلعب',
  'تلعب',
  'يتراس',
  'تتراس',
  'يتطلع',
  'تتطلع',
  'يختتم',
  'تختتم',
  'يفتتح',
  'تفتتح',
  'يشارك',
  'تشارك',
  'يستند',
  'تستند',
  'يتابع',
  'تتابع',
  'يشكل',
  'تشكل',
  'يتوقف',
  'تتوقف',
  'يرجع',
  'ترجع',
  'يعود',
  'تعود',
  'يدين',
  'تدين',
  'يترك',
  'تترك',
  'تنتج',
  'ينتج',
  'يوضح',
  'توضح',
  'يعتزم',
  'تعتزم',
  'يتوجه',
  'تتوجه',
  'ينتظر',
  'تنتظر',
  'يؤدي',
  'تؤدي',
  'يحرص',
  'تحرص',
  'يبحث',
  'تبحث',
  'يستمر',
  'تستمر',
  'يتولي',
  'تتولي',
  'يحظي',
  'تحظي',
  'تجدر',
  'يجدر',
  'يشار',
  'يذكر',
  'نشرت',
  'نشر',
  'ناشد',
  'ناشدت',
  'نصح',
  'نفذ',
  'نفذت',
  'نتذكر',
  'نقلت',
  // And those that open descriptive (encyclopaedic) sentences: «وتتألف المباراة…», «ونتيجة لذلك…».
  'يتالف',
  'تتالف',
  'يتميز',
  'تتميز',
  'يتمثل',
  'تتمثل',
  'يعرف',
  'تعرف',
  'يحتوي',
  'تحتوي',
  'يطلق',
  'تطلق',
  'يستخدم',
  'تستخدم',
  'يتراكم',
  'تتراكم',
  'يمتد',
  'تمتد',
  'يتحول',
  'تتحول',
  'نتيجه',
  'نظرا',
]);

/**
 * The word after «و»/«ف» when that letter is certainly a conjunction, else undefined. Takes the word as written;
 * `inArticle` tells how often a normalised word stands alone in the article. A word is never cut to a rest
 * that might be the word's own letters: «فيروز» is not «و» + «يروز», nor «فيما» «ف» + «يما».
 * - certain: the rest is listed (AFTER_CONJUNCTION, REPORTING_VERBS, a function word), stands alone in the article,
 *   or starts with the definite article («والحكومة», «وبالتالي», «وللمرة») or a hamza («وأكد», «وإن»: the few
 *   words whose own «و»/«ف» comes before a hamza, «فأر», «فأس», «وأد», are not news openers);
 * - 'uncertain': it looks like «و» before a verb or a short definite word («ويترقب», «والدة») but may be the
 *   word's own letter: the sentence is left as written;
 * - undefined: no conjunction («وزير», «واشنطن»).
 */
function conjunctionRest(word: string, inArticle?: (folded: string) => number): string | 'uncertain' | undefined {
  const first = word.charCodeAt(0);
  if ((first !== WAW && first !== FA) || word.length < 3) return undefined;
  // A given name is a name, whatever its first letter could be («فيصل» is not «ف» + «يصل»).
  const whole = normalizeArabic(word);
  if (GIVEN.has(whole)) return undefined;
  const rest = word.slice(1);
  const folded = whole.slice(1);
  if (AFTER_CONJUNCTION.has(folded) || REPORTING_VERBS.has(folded) || STOPWORD_SET.has(folded)) return rest;
  if (/^(?:ال|بال|لل|كال)\p{L}{3}/u.test(rest)) return rest; // «والحكومة», «وبالتالي», «وللمرة»
  if (/^[أإ]\p{L}{2}/u.test(rest)) return rest; // «وأكد», «وإن»: a hamza starts a new word
  const looksGlued = /^(?:ال|بال|لل|كال)\p{L}{2}/u.test(rest) || /^[يتن]\p{L}{2}/u.test(rest);
  if (!looksGlued) return undefined;
  // The whole word comes back elsewhere in the article («تزوجت فيروز»): a name or a noun, not a conjunction.
  if (inArticle !== undefined && inArticle(whole) >= 2) return undefined;
  if (inArticle !== undefined && standsInArticle(folded, inArticle)) return rest;
  // «ف» before «ي», «ت», «ن» is far more often the word's own letter (فيلم، فندق، فترة، فنزويلا) than the
  // conjunction before a verb, which news seldom opens a sentence with: such a word is taken as it is. «و» before
  // them is mostly the conjunction («ويأتي», «وتشير»): uncertain.
  return first === FA ? undefined : 'uncertain';
}

/**
 * The word stands alone in the article, or in another form of the same word: with the definite article or a
 * preposition glued on («نتيجة»: «النتيجة», «بنتيجة»), or a present-tense verb for another person («تتألف»: «يتألف»).
 * None of these forms exists for the letters left of a name («يروز», «يما»).
 */
function standsInArticle(folded: string, inArticle: (folded: string) => number): boolean {
  if (
    inArticle(folded) > 0 ||
    inArticle(`ال${folded}`) > 0 ||
    inArticle(`ب${folded}`) > 0 ||
    inArticle(`ل${folded}`) > 0
  )
    return true;
  const person = folded.charCodeAt(0) === YA ? 'ت' : folded.charCodeAt(0) === TA ? 'ي' : undefined;
  return person !== undefined && inArticle(person + folded.slice(1)) > 0;
}

const YA = 'ي'.charCodeAt(0);
const TA = 'ت'.charCodeAt(0);

/** The words listed as following a conjunction: the word list the evaluation trusts beside its own lexicon. */
export const WORDS_AFTER_CONJUNCTION: ReadonlySet<string> = AFTER_CONJUNCTION;

/** Given names, normalised (src/summary/gazetteer.ts). */
const GIVEN = new Set(GIVEN_NAMES.map((n) => normalizeArabic(n).replace(/\s+/g, '')));

/**
 * Linking phrases that can simply go when a full clause follows («من جهته، قال المتحدث…» → «قال المتحدث…»),
 * normalised, longest first so that «في هذا السياق» wins over «في السياق».
 */
const DROPPABLE = [
  'بالاضافه الي ذلك',
  'اضافه الي ذلك',
  'علاوه علي ذلك',
  'فضلا عن ذلك',
  'في السياق ذاته',
  'في السياق نفسه',
  'في هذا السياق',
  'في سياق متصل',
  'في سياق اخر',
  'في هذا الاطار',
  'في الاطار ذاته',
  'في غضون ذلك',
  'من جهه اخري',
  'من جهه ثانيه',
  'من ناحيه اخري',
  'من جانب اخر',
  'علي صعيد اخر',
  'الي جانب ذلك',
  'في السياق',
  'في الاطار',
  'في المقابل',
  'بالمقابل',
  'الي ذلك',
  'هذا وقد',
  'من جهته',
  'من جهتها',
  'من جهتهم',
  'من جانبه',
  'من جانبها',
  'من جانبهم',
  'من ناحيته',
  'من ناحيتها',
  'بدوره',
  'بدورها',
  'بدورهم',
  'كما',
  'ايضا',
  'كذلك',
  'في الاثناء',
];

/**
 * DROPPABLE by first word, in its order: a phrase can only start the text when its first word is the text's first
 * word up to a space or a comma («بدوره،»), so the other phrases need no test.
 */
const FIRST_WORD = /^[^\s،,:]*/;
const DROPPABLE_BY_FIRST_WORD = new Map<string, string[]>();
for (const phrase of DROPPABLE) {
  const first = FIRST_WORD.exec(phrase)![0];
  DROPPABLE_BY_FIRST_WORD.set(first, [...(DROPPABLE_BY_FIRST_WORD.get(first) ?? []), phrase]);
}

/** Openers after which the sentence still points back, whatever follows. */
const STILL_DEPENDENT = new Set([
  'لكن',
  'لكنه',
  'لكنها',
  'لكنهم',
  'الا',
  'غير',
  'بينما',
  'فيما',
  'حيث',
  'ثم',
  'لذلك',
  'لذا',
  'عليه',
  'اما',
  'اذ',
  'هذا',
  'هذه',
  'هؤلاء',
  'ذلك',
  'تلك',
  'هاتان',
  'هذان',
  'بذلك',
  'هكذا',
  'بالتالي',
  'عندها',
  'حينها',
  'عندئذ',
  'اذا',
  'لو',
  'لولا',
  'هو',
  'هي',
  'هم',
  // «مما أدى…»: what it follows from is in the sentence before («وهو ما…» is «هو» above). A bare «الذي…»
  // opens a sentence of its own («الذين يتذكرون… يعرفون…»).
  'مما',
]);
/** «الأمر الذي…», «الشيء الذي…»: a noun that only stands for what was said before. */
const STANDS_FOR_WHAT_WAS_SAID = new Set(['الامر', 'الشيء', 'الامور']);
const RELATIVES = new Set(['الذي', 'التي', 'الذين']);
/**
 * A preposition carrying a pronoun, as the second word: «تنافس فيه…», «شارك فيها…», «أشرف عليه…»: the pronoun is
 * something named in a sentence before.
 */
const PRONOUN_PREPOSITION = new Set([
  'فيه',
  'فيها',
  'فيهم',
  'عليه',
  'عليها',
  'عليهم',
  'منه',
  'منها',
  'منهم',
  'اليه',
  'اليها',
  'اليهم',
  'به',
  'بها',
  'بهم',
  'عنه',
  'عنها',
  'عنهم',
  'لديه',
  'لديها',
  'معه',
  'معها',
  'خلاله',
  'خلالها',
]);

/**
 * Connectives that announce another story (normalised, without a glued «و»): «من جانب آخر»، «من جهة ثانية»،
 * «إلى ذلك»، «في سياق آخر»، «على صعيد آخر» and their variants. News appends a second, unrelated story after them.
 */
const ANOTHER_STORY =
  /^(?:من (?:جانب|جهه|ناحيه) (?:اخر|اخري|ثان|ثاني|ثانيه)|(?:في|علي) (?:سياق|صعيد|شان|موضوع|خبر|تطور) (?:اخر|منفصل)|الي ذلك)(?=$|[\s،,:.])/;

/** True when the sentence opens another story: see ANOTHER_STORY. */
export function opensAnotherStory(sentence: string): boolean {
  // Most sentences are ruled out by their first word, read by hand (this runs on every sentence of every article).
  let start = 0;
  while (start < sentence.length && LEADING_QUOTES.has(sentence.charCodeAt(start))) start++;
  let end = start;
  while (end < sentence.length && !isWhiteSpaceUnit(sentence.charCodeAt(end)) && !isPhraseEnd(sentence.charCodeAt(end)))
    end++;
  if (end - start > 8 || !ANOTHER_STORY_FIRST_WORDS.has(normalizeArabic(sentence.slice(start, end)))) return false;
  return ANOTHER_STORY.test(normalizeArabic(sentence.slice(start, start + 40)).replace(/^و/, ''));
}

/** The first words (normalised) such a connective can start with. */
const ANOTHER_STORY_FIRST_WORDS = new Set(['من', 'ومن', 'في', 'وفي', 'علي', 'وعلي', 'الي', 'والي']);

/** Whether a normalised first word may start a connective that announces another story. */
export function mayOpenAnotherStory(folded: string): boolean {
  return ANOTHER_STORY_FIRST_WORDS.has(folded);
}

const LEADING_QUOTES = new Set([...' «"“('].map((ch) => ch.charCodeAt(0)));

/** Reporting verbs, normalised. Followed by a particle or a quotation, their subject is a pronoun. */
const REPORTING_VERBS = new Set([
  'قال',
  'قالت',
  'اكد',
  'اكدت',
  'اضاف',
  'اضافت',
  'اشار',
  'اشارت',
  'اوضح',
  'اوضحت',
  'كشف',
  'كشفت',
  'افاد',
  'افادت',
  'تابع',
  'تابعت',
  'بين',
  'بينت',
  'لفت',
  'لفتت',
  'ذكر',
  'ذكرت',
  'شدد',
  'شددت',
  'اعتبر',
  'اعتبرت',
  'نوه',
  'نوهت',
  'اردف',
  'اردفت',
  'طالب',
  'طالبت',
  'حذر',
  'حذرت',
  'اعرب',
  'اعربت',
  'ختم',
  'مضي',
  'استطرد',
  'لاحظ',
  'راي',
  'رات',
  'اعلن',
  'اعلنت',
  'دعا',
  'دعت',
  'قالوا',
  'اكدوا',
  'اضافوا',
  'اشاروا',
]);
/** A reporting verb («قال», «وأكد»), normalised, with or without a glued «و» or «ف». */
export function isReportingVerb(folded: string): boolean {
  const verb = folded.startsWith('و') || folded.startsWith('ف') ? folded.slice(1) : folded;
  return REPORTING_VERBS.has(folded) || REPORTING_VERBS.has(verb) || SPEAKING_NOW.has(verb);
}

/** Reporting verbs in the present tense («ترى القصير أن…», «يقول»), normalised. */
const SPEAKING_NOW = new Set([
  'يري',
  'تري',
  'يقول',
  'تقول',
  'يؤكد',
  'تؤكد',
  'يضيف',
  'تضيف',
  'يشير',
  'تشير',
  'يوضح',
  'توضح',
]);

/** «أن», «إن», «بأن», «إلى», prepositions: what follows a verb whose subject is a pronoun. */
const PRONOUN_SUBJECT_NEXT =
  /^(?:ان|انه|انها|انهم|بان|بانه|بانها|الي|في|علي|عن|خلال|امس|اليوم|ايضا|كذلك|بال\p{L}*|لل\p{L}*|له|لها|لهم|بقوله|بقولها|قائلا|قائله|مضيفا|مضيفه|مؤكدا|مؤكده)$/u;
/** Words that refer back to something named earlier, when they come early in the sentence. */
const BACK_REFERENCES = new Set([
  'ذلك',
  'ذاته',
  'ذاتها',
  'نفسه',
  'نفسها',
  'هذا',
  'هذه',
  'تلك',
  'هذان',
  'هاتان',
  'هذين',
  'هاتين',
  'هؤلاء',
  'اولئك',
  'المذكور',
  'المذكوره',
]);
/** How many leading words are checked for a back reference («وتأتي هذه الزيارة…», «يأتي ذلك في…»). */
const BACK_REFERENCE_WORDS = 3;

const LEADING_PUNCTUATION = /^[\s،,:؛\-–—]+/;
/** Everything but Arabic and Latin letters, once a word is normalised. */
const NOT_A_LETTER = /[^\u0621-\u064Aa-z]/g;

/**
 * The class of one sentence. The article's first sentence has nothing before it to depend on: it is at most
 * rewritten (a feed excerpt cut from the middle of a text may start on «كما…»).
 */
export function classifyOpener(sentence: string, isFirst: boolean, inArticle?: (folded: string) => number): Opener {
  // «فإنّ…»: the consequence of something said before.
  if (!isFirst && sentence.charCodeAt(0) === FA && /^ف[إا]ن(?:ه|ها|هم)?(?=\s|$)/.test(sentence)) return DEPENDENT;
  let text = sentence;
  let changed = false;
  for (let round = 0; round < 3; round++) {
    const next = dropConnective(text, inArticle);
    if (next === undefined) break;
    // Perhaps a conjunction, perhaps the word's own letter: the sentence stays as written, and after the first it
    // may be a continuation, so it goes only right after the sentence before it.
    if (next === UNCERTAIN) {
      if (!isFirst) return DEPENDENT;
      break;
    }
    text = next;
    changed = true;
  }
  if (!isFirst && pointsBack(text)) return DEPENDENT;
  return changed ? { kind: 'rewritable', text } : FREE;
}

const UNCERTAIN = 'uncertain';

/** The text without one leading connective, undefined when it has none, UNCERTAIN when it may have one. */
function dropConnective(text: string, inArticle?: (folded: string) => number): string | undefined {
  // The first word (up to white space) without a comma or colon glued to it: /^\S+/ and /[،,:]$/ read by hand,
  // since this runs up to three times on each sentence a summary considers.
  let end = 0;
  while (end < text.length && !isWhiteSpaceUnit(text.charCodeAt(end))) end++;
  if (end > 0 && isPhraseEnd(text.charCodeAt(end - 1))) end--;
  const bare = text.slice(0, end);
  const rest = conjunctionRest(bare, inArticle);
  if (rest === UNCERTAIN) return UNCERTAIN;
  if (rest !== undefined) return withoutLeadingPunctuation(rest + text.slice(bare.length));
  if (!mayStartDroppable(text)) return undefined;
  const folded = normalizeArabic(text.slice(0, 40));
  for (const phrase of DROPPABLE_BY_FIRST_WORD.get(FIRST_WORD.exec(folded)![0]) ?? []) {
    if (folded.startsWith(phrase) && /^(?:$|[\s،,:])/.test(folded.slice(phrase.length))) {
      return withoutLeadingPunctuation(text.slice(lengthOfWords(text, phrase.split(' ').length)));
    }
  }
  return undefined;
}

/**
 * False when no droppable phrase can start the text: its first word (up to a space or a comma), folded, is no
 * phrase's first word. Most sentences are ruled out this way without folding their first 40 characters. A first
 * word of 40 characters or more, or one that folds to nothing (tashkeel alone), is left to the full test.
 */
function mayStartDroppable(text: string): boolean {
  let end = 0;
  while (end < text.length && !isWhiteSpaceUnit(text.charCodeAt(end)) && !isPhraseEnd(text.charCodeAt(end))) end++;
  const written = text.slice(0, end);
  const folded = written.length < 40 ? normalizeArabic(written) : '';
  return folded === '' || DROPPABLE_BY_FIRST_WORD.has(folded);
}

function withoutLeadingPunctuation(text: string): string {
  return text.replace(LEADING_PUNCTUATION, '');
}

/**
 * The length of the first n words of text, as written. The last one also ends at a comma or colon glued to the next
 * word («في المقابل,رفضت»): a phrase matched up to that mark must not take the next word with it.
 */
function lengthOfWords(text: string, n: number): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = isWhiteSpaceUnit(text.charCodeAt(i));
    if (!space && !inWord && ++words > n) return i;
    if (words === n && inWord && isPhraseEnd(text.charCodeAt(i))) return i;
    inWord = !space;
  }
  return text.length;
}

const WAW = 'و'.charCodeAt(0);
const FA = 'ف'.charCodeAt(0);
const ARABIC_COMMA = '،'.charCodeAt(0);

/** «،», «,» or «:», which end a phrase (as in FIRST_WORD). */
function isPhraseEnd(code: number): boolean {
  return code === ARABIC_COMMA || code === 0x2c || code === 0x3a;
}

/**
 * The first words of the text, normalised, with everything but letters taken out: what
 * `normalizeArabic(text).split(' ', count).map((w) => w.replace(NOT_A_LETTER, ''))` gives, without splitting and
 * replacing in every word (pointsBack runs on each sentence a summary considers, and the split alone would be two
 * thirds of its profile samples).
 */
function leadingWords(text: string, count: number): string[] {
  const folded = normalizeArabic(text);
  const words: string[] = [];
  let start = 0;
  while (words.length < count) {
    const end = folded.indexOf(' ', start);
    const word = end < 0 ? folded.slice(start) : folded.slice(start, end);
    words.push(onlyLetters(word) ? word : word.replace(NOT_A_LETTER, ''));
    if (end < 0) break;
    start = end + 1;
  }
  return words;
}

/** True when the normalised word has no character NOT_A_LETTER would take out. */
function onlyLetters(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i);
    if (!((code >= 0x0621 && code <= 0x064a) || (code >= 0x61 && code <= 0x7a))) return false;
  }
  return true;
}

function pointsBack(text: string): boolean {
  // The first few words are all that is looked at (normalizeArabic leaves single spaces between words).
  const words = leadingWords(text.slice(0, 60), BACK_REFERENCE_WORDS + 1);
  const first = words[0] ?? '';
  if (STILL_DEPENDENT.has(first)) return true;
  const second = words[1] ?? '';
  if (PRONOUN_PREPOSITION.has(second) || (STANDS_FOR_WHAT_WAS_SAID.has(first) && RELATIVES.has(second))) return true;
  // «أنّ…» continues a clause («كما أنّ…»); «إنّ…» opens a sentence of its own.
  if (/^أن(?:ه|ها|هم)?(?=\s|$)/.test(text)) return true;
  if (REPORTING_VERBS.has(first)) {
    // «قال: …», «أضاف «…»»: no subject before the quotation.
    const afterVerb = text.replace(/^\S+/, '').trimStart();
    if (/^[:«"“]/.test(afterVerb) || /^(?:\S+\s+){0,2}\S+[:،,]/.test(text)) return true;
    if (PRONOUN_SUBJECT_NEXT.test(words[1] ?? '')) return true;
  }
  for (let k = 0; k < BACK_REFERENCE_WORDS && k < words.length; k++) if (BACK_REFERENCES.has(words[k]!)) return true;
  return false;
}
