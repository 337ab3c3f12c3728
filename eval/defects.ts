/**
 * What an editor would refuse to post, found in a summary as a reader sees it. Written from the issue's list of
 * faults (one-sentence summaries, dangling openers, cut or run-on sentences, site junk), independently of the
 * summariser's own rules, so that the figures check the method rather than restate it.
 */
import { normalizeArabic } from '../src/text/arabic.js';

export type DefectKind = 'one sentence' | 'dangling opener' | 'cut or run-on' | 'site junk';

export interface Defect {
  id: number | string;
  kind: DefectKind;
  sentence: string;
}

/**
 * Openers that refer to what came before. Checked on the normalised first words (أ/إ/آ → ا, ة → ه, ى → ي).
 * «و»/«ف» + a verb or connective: the sentence continues the one before it. Then the expressions the issue
 * names, and demonstratives that need an antecedent.
 */
const CONJUNCTION_OPENER = new RegExp(
  '^[وف](?:' +
    [
      // reporting and linking verbs, past and present, masculine and feminine
      'قال',
      'قالت',
      'يقول',
      'تقول',
      'اكد',
      'اكدت',
      'يؤكد',
      'تؤكد',
      'اضاف',
      'اضافت',
      'يضيف',
      'تضيف',
      'اشار',
      'اشارت',
      'يشير',
      'تشير',
      'اوضح',
      'اوضحت',
      'يوضح',
      'توضح',
      'كشف',
      'كشفت',
      'يكشف',
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
      'يذكر',
      'اعلن',
      'اعلنت',
      'شدد',
      'شددت',
      'دعا',
      'دعت',
      'اعتبر',
      'اعتبرت',
      'راي',
      'رات',
      'نوه',
      'نوهت',
      'اردف',
      'اردفت',
      'استطرد',
      'طالب',
      'طالبت',
      'حذر',
      'حذرت',
      'زاد',
      'ختم',
      'اختتم',
      'اعرب',
      'اعربت',
      'عبر',
      'ابدي',
      'ابدت',
      'جاء',
      'جاءت',
      'ياتي',
      'تاتي',
      'كان',
      'كانت',
      'يكون',
      'تكون',
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
      'على',
      'الي',
      'الى',
      'بعد',
      'قبل',
      'خلال',
      'منذ',
      'بحسب',
      'حسب',
      'وفق',
      'وفقا',
      'كما',
      'فيما',
      'بينما',
      'حيث',
      'اذ',
      'اما',
      'ان',
      'انه',
      'انها',
      'تم',
      'يتم',
      'تعد',
      'يعد',
      'تعتبر',
      'يعتبر',
      'يشار',
      'تجدر',
      'يجب',
      'يمكن',
    ].join('|') +
    ')(?=$|\\s|[،,:])',
);

const DEPENDENT_OPENER = new RegExp(
  '^(?:' +
    [
      'كما',
      'بدوره',
      'بدورها',
      'بدورهم',
      'من جهته',
      'من جهتها',
      'من جهتهم',
      'من جانبه',
      'من جانبها',
      'من ناحيته',
      'من ناحيتها',
      'في المقابل',
      'بالمقابل',
      'في السياق',
      'في هذا السياق',
      'في سياق متصل',
      'في الاطار',
      'في هذا الاطار',
      'الي ذلك',
      'الى ذلك',
      'الي جانب ذلك',
      'بالاضافه الي ذلك',
      'علاوه علي ذلك',
      'فضلا عن ذلك',
      'هذا وقد',
      'اضافه الي ذلك',
      'ايضا',
      'كذلك',
      'لكن',
      'لكنه',
      'لكنها',
      'الا ان',
      'غير ان',
      'بينما',
      'فيما',
      'حيث',
      'ثم',
      'لذلك',
      'لذا',
      'عليه',
      'اما',
      'عقب ذلك',
      'بعد ذلك',
      'قبل ذلك',
      'مع ذلك',
      'رغم ذلك',
      'بذلك',
      'وبذلك',
      'هكذا',
      'اذ',
      'هذا',
      'هذه',
      'هؤلاء',
      'ذلك',
      'تلك',
      'هاتان',
      'هذان',
    ].join('|') +
    ')(?=$|\\s|[،,:])',
);

/** A reporting verb whose subject is a pronoun («أفاد بأن…», «أضاف: …»): it speaks for someone the reader never met. */
const PRONOUN_SUBJECT_VERB =
  /^(?:قال|قالت|اكد|اكدت|اضاف|اضافت|اشار|اشارت|اوضح|اوضحت|كشف|كشفت|افاد|افادت|تابع|تابعت|بين|بينت|لفت|لفتت|ذكر|ذكرت|شدد|شددت|اعتبر|اعتبرت|نوه|نوهت|اردف|طالب|طالبت|حذر|حذرت|اعرب|اعربت|ختم)(?:\s+(?:ان|انه|انها|بان|بانه|الي|الى|في|علي|عن|بال\S*|لل\S*|له|لها|بقوله|بقولها|قائلا|مضيفا)(?=\s|$)|\s*[:،,«"“])/;

export function danglingOpener(sentence: string): boolean {
  const folded = normalizeArabic(sentence).replace(/^[\s«»"“”'(\[]+/, '');
  return CONJUNCTION_OPENER.test(folded) || DEPENDENT_OPENER.test(folded) || PRONOUN_SUBJECT_VERB.test(folded);
}

/** Site trailers, links, e-mails, feed boilerplate and scraped page furniture. */
const SITE_JUNK = [
  /رابط الخبر/,
  /appeared first on/i,
  /^the post\b/i,
  /مقالات اخري للكاتب|مقالات أخرى للكاتب/,
  /https?:\/\/|www\./i,
  /[\w.+-]+@[\w-]+\.[\w.]+/,
  /(?:^|\s)(?:اقرا|اقرأ|إقرأ|شاهد|طالع) (?:ايضا|أيضا|أيضاً)/,
  // «للمزيد من التفاصيل…» points to a link; «نتطلع للمزيد من الرعاية» (article 73) is a quote, not site furniture.
  /\.\.\.?المزيد|اقرأ المزيد|(?:^|[.:،]\s*)للمزيد من|للمزيد من (?:المعلومات|التفاصيل|الاخبار|الأخبار|الصور|الفيديو)/,
  /^\d{1,2}:\d{2}/,
  /خدمة «?نيويورك تايمز/,
  /[.!؟]\s*سمات\s[^.!؟]*$/,
  /تابعونا|حمل تطبيق|اضغط هنا|لمتابعة آخر/,
];

export function siteJunk(sentence: string): boolean {
  return SITE_JUNK.some((pattern) => pattern.test(sentence));
}

/**
 * A sentence cut before its end (it ends on «؛», «:», «،» or on no punctuation where the author's line goes on),
 * or a run-on: longer than the whole budget, or several sentences glued with «.*» or «..» inside.
 */
export function cutOrRunOn(sentence: string, content: string, maxChars: number): string | undefined {
  const trimmed = sentence.trim();
  if (/[؛:،,]["”»’)\]]*$/.test(trimmed)) return `ends on «${trimmed.replace(/["”»’)\]]*$/, '').slice(-1)}»`;
  if (!/[.!?؟…]["”»’)\]]*$/.test(trimmed) && !endsALine(content, trimmed)) return 'no closing punctuation';
  if (trimmed.length > maxChars) return `run-on: ${trimmed.length} characters`;
  if (/\.\*|\S\.\.+\S.*\S\.\.+\S/.test(trimmed)) return 'run-on: sentences glued together';
  return undefined;
}

/** A sentence without a full stop is still whole when the author's line ends there (a heading, a list item). */
function endsALine(content: string, sentence: string): boolean {
  return content.split('\n').some((line) => line.replace(/\s+$/u, '').endsWith(sentence));
}
