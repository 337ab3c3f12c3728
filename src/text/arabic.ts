/** Arabic text utilities: normalisation for matching, sentence splitting, tokens, stopwords and datelines. */
import { STOPWORD_SET } from './stopwords.js';
import { lazyCharTable, isSurrogatePairAt, UnitBuffer } from './char-table.js';

/** One pass over the characters that fold: alef variants, ى, ة, tashkeel, tatweel and Eastern digits. */
const FOLDED_CHARACTERS = /[أإآٱىة\u064B-\u0652\u0670\u0640\u0660-\u0669\u06F0-\u06F9]/g;

function foldCharacter(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code >= 0x0660 && code <= 0x0669) return String(code - 0x0660);
  if (code >= 0x06f0 && code <= 0x06f9) return String(code - 0x06f0);
  if (ch === 'ى') return 'ي';
  if (ch === 'ة') return 'ه';
  if ('أإآٱ'.includes(ch)) return 'ا';
  return ''; // tashkeel and tatweel
}

/**
 * What each Arabic-block code unit folds to (undefined: unchanged), from the class and foldCharacter above.
 * Every summary and hashtag folds every word, and a look-up loop is several times faster than a replace
 * with a callback.
 */
const FOLD_BASE = 0x0600;
const FOLDS: (string | undefined)[] = Array.from({ length: 0x100 }, (_, k) => {
  const ch = String.fromCharCode(FOLD_BASE + k);
  return new RegExp(FOLDED_CHARACTERS.source).test(ch) ? foldCharacter(ch) : undefined;
});

/** normalizeArabic's character folding alone: what FOLDED_CHARACTERS replaced by foldCharacter gives. */
function foldCharacters(s: string): string {
  let folded = '';
  let copiedUpTo = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i) - FOLD_BASE;
    if (code < 0 || code >= 0x100) continue;
    const replacement = FOLDS[code];
    if (replacement === undefined) continue;
    folded += s.slice(copiedUpTo, i) + replacement;
    copiedUpTo = i + 1;
  }
  return copiedUpTo === 0 ? s : folded + s.slice(copiedUpTo);
}

/** A white-space run that is not already a single space: replacing only these gives the same as every run. */
const UNUSUAL_WHITE_SPACE = /\s\s+|(?! )\s/g;

/** What a code unit is in normalised text when it is not a code unit of its own (see unitFolds). */
export const UNIT_DROPPED = -1;
export const UNIT_WHITE_SPACE = -2;
/** Its lower case is not one code unit (İ), depends on what follows (Σ), or it is half a surrogate pair. */
export const UNIT_IN_CONTEXT = -3;
const CAPITAL_SIGMA = 0x03a3;

let unitFoldTable: Int32Array | undefined;

/**
 * Each BMP code unit as normalizeArabic folds and lower-cases it: another code unit, or dropped (tashkeel,
 * tatweel), or white space, or UNIT_IN_CONTEXT. Built on first use with two regex scans over one string of every
 * code unit (a test per unit took 35 ms): the scans that read every word of every article (normalizeArabic, the
 * summariser's tokens) need one look-up per unit instead of a replace, a toLowerCase and a white-space regex.
 */
export function unitFolds(): Int32Array {
  if (unitFoldTable) return unitFoldTable;
  const table = new Int32Array(0x10000);
  for (let code = 0; code < 0x10000; code++) {
    const fold = code >= FOLD_BASE && code < FOLD_BASE + 0x100 ? FOLDS[code - FOLD_BASE] : undefined;
    table[code] =
      code >= 0xd800 && code <= 0xdfff
        ? UNIT_IN_CONTEXT
        : fold === undefined
          ? code
          : fold === ''
            ? UNIT_DROPPED
            : fold.charCodeAt(0);
  }
  const bmp = everyCodeUnit();
  for (const { index } of bmp.matchAll(/\p{Changes_When_Lowercased}/gu)) {
    const lower = bmp[index]!.toLowerCase();
    table[index] = lower.length !== 1 || index === CAPITAL_SIGMA ? UNIT_IN_CONTEXT : lower.charCodeAt(0);
  }
  for (const { index } of bmp.matchAll(/\s/gu)) table[index] = UNIT_WHITE_SPACE;
  unitFoldTable = table;
  return table;
}

/** One string of every BMP code unit, each at its own index (surrogate halves stand in as «x»). */
export function everyCodeUnit(): string {
  let text = '';
  for (let code = 0; code < 0x10000; code += 0x800) {
    const chunk: number[] = [];
    for (let k = code; k < code + 0x800; k++) chunk.push(k >= 0xd800 && k <= 0xdfff ? 0x78 : k);
    text += String.fromCharCode(...chunk);
  }
  return text;
}

/**
 * Folds spelling variants so that words match; only for matching and search, never for displayed text.
 * Characters folded (foldCharacters), lower-cased, every white-space run made one space, trimmed: in one pass
 * over the code units, which returns the text itself when nothing changes.
 */
export function normalizeArabic(s: string): string {
  const table = unitFolds();
  const units = folded.reserve(s.length);
  let length = 0;
  let changed = false;
  let space = false;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const unit = table[code]!;
    if (unit >= 0) {
      if (space) {
        if (length > 0) units[length++] = 0x20;
        else changed = true;
        space = false;
      }
      units[length++] = unit;
      if (unit !== code) changed = true;
    } else if (unit === UNIT_WHITE_SPACE) {
      // A run of more than one, anything but a space, or white space at either end changes.
      if (space || code !== 0x20) changed = true;
      space = true;
    } else if (unit === UNIT_DROPPED) changed = true;
    else return foldCharacters(s).toLowerCase().replace(UNUSUAL_WHITE_SPACE, ' ').trim();
  }
  if (space) changed = true;
  return changed ? folded.read(length) : s;
}

/** normalizeArabic's output, written here before it is read back as a string (never longer than its input). */
const folded = new UnitBuffer(1 << 10);

/** 1 for each BMP code unit that is white space or Unicode punctuation (the token separators), built on first use. */
const SEPARATOR = /^[\s\p{P}]$/u;

const separators = lazyCharTable((ch) => (SEPARATOR.test(ch) ? 1 : 0));

/**
 * Normalised tokens: split on white space and Unicode punctuation (، ؛ ؟ « » included). A scan with a
 * look-up table rather than split() with a Unicode regex, which was the summariser's largest cost; white
 * space need not be collapsed first, since it only separates tokens.
 */
export function tokenize(text: string): string[] {
  const folded = foldCharacters(text).toLowerCase();
  const table = separators();
  const tokens: string[] = [];
  let start = 0;
  for (let i = 0; i < folded.length; i++) {
    const code = folded.charCodeAt(i);
    const pair = isSurrogatePairAt(folded, i);
    const isSeparator = pair ? SEPARATOR.test(folded.slice(i, i + 2)) : table[code] === 1;
    if (isSeparator) {
      if (i > start) tokens.push(folded.slice(start, i));
      start = pair ? i + 2 : i + 1;
    }
    if (pair) i++;
  }
  if (folded.length > start) tokens.push(folded.slice(start));
  return tokens;
}

/** True for an Arabic function word, given normalised or as written. */
export function isStopword(token: string): boolean {
  return STOPWORD_SET.has(token) || STOPWORD_SET.has(normalizeArabic(token));
}

/** Tokens that carry meaning: stopwords and one-character tokens removed. */
export function contentTokens(text: string): string[] {
  return tokenize(text).filter((token) => token.length > 1 && !STOPWORD_SET.has(token));
}

// ---------------------------------------------------------------------------------------------------------------
// Sentence splitting

/**
 * «؛» and «:» join clauses of one sentence (a list of prize winners, «قال:»): an Arabic reader does not stop
 * there, so neither does the splitter.
 */
const TERMINALS = '.!?؟…';
/** Bullets that some sites put between sentences on one line («… الأخيرة.* رحل …»). */
const BULLETS = '*•·';
const CLOSING_QUOTES = '”»’)]';
const OPENING_QUOTES: Record<string, string> = { '«': '»', '“': '”', '‘': '’' };
const STRAIGHT_QUOTE_CODE = 0x22;
/** What opens a quotation when a straight " follows it (white space too). */
const BEFORE_OPENING_QUOTE = '([«“:';
/** Brackets and quotes that may come before a word: «(د.», «"أ.». */
const LEADING_QUOTES = '(«“"\'[';
const LETTER = /\p{L}/u;
/** Latin abbreviations that end with a full stop but rarely end a sentence. */
const LATIN_ABBREVIATIONS = new Set([
  'dr',
  'mr',
  'mrs',
  'ms',
  'prof',
  'st',
  'jr',
  'sr',
  'inc',
  'ltd',
  'co',
  'corp',
  'vs',
  'etc',
  'no',
  'vol',
  'fig',
  'e.g',
  'i.e',
  'gen',
  'col',
  'lt',
  'sgt',
  'mt',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
]);
/** No lower-casing shortens a string, so a word longer than this is no abbreviation. */
const LONGEST_ABBREVIATION = Math.max(...[...LATIN_ABBREVIATIONS].map((a) => a.length));
/** Calendar markers (ميلادي / هجري) written as one letter after a year: «1770 م.» */
const ERA_LETTERS = new Set(['م', 'ه']);
/** A quotation longer than this many characters may hold several sentences of its own. */
const LONG_QUOTE = 200;
/** An ellipsis ends a sentence only after this many words; shorter runs are a pause («التمر.. أو»). */
const ELLIPSIS_MIN_WORDS = 5;
const URL_OR_EMAIL = /(?:https?:\/\/|www\.)[^\s«»"“”<>]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;

/** What the splitter does at a code unit; it passes over the others, 0 in the table (see SIGNIFICANT). */
const TERMINAL = 1;
const OPENING_QUOTE = 2;
const STRAIGHT_QUOTE = 3;
const CLOSING_QUOTE = 4;
const LINE_BREAK = 5;

const SPLITTER_KINDS = (() => {
  const kinds = new Uint8Array(0x10000);
  const give = (chars: string, kind: number) => {
    for (const ch of chars) kinds[ch.charCodeAt(0)] = kind;
  };
  give(TERMINALS, TERMINAL);
  give(Object.keys(OPENING_QUOTES).join(''), OPENING_QUOTE);
  give('"', STRAIGHT_QUOTE);
  give(Object.values(OPENING_QUOTES).join(''), CLOSING_QUOTE);
  // What split(/\r?\n|\r|\u2028|\u2029/) split lines at.
  give('\r\n\u2028\u2029', LINE_BREAK);
  return kinds;
})();

const CARRIAGE_RETURN = 0x0d;
const LINE_FEED = 0x0a;
const CLOSING_QUOTE_OF = new Map(
  Object.entries(OPENING_QUOTES).map(([open, close]) => [open.charCodeAt(0), close.charCodeAt(0)]),
);
const CLOSING_QUOTE_CODES = new Set([...CLOSING_QUOTES].map((ch) => ch.charCodeAt(0)));
const BULLET_CODES = new Set([...BULLETS].map((ch) => ch.charCodeAt(0)));

/** Bits of unitClasses(): what \s, \p{L} and \p{N} match, for one BMP code unit (a surrogate half has none). */
const WHITE_SPACE = 1;
const LETTER_UNIT = 2;
const DIGIT_UNIT = 4;

let unitClassTable: Uint8Array | undefined;

/** Built on first use from three regex scans over one string of every code unit (see everyCodeUnit). */
function unitClasses(): Uint8Array {
  if (unitClassTable) return unitClassTable;
  const table = new Uint8Array(0x10000);
  const bmp = everyCodeUnit();
  const mark = (runs: RegExp, bit: number) => {
    for (const { index, 0: run } of bmp.matchAll(runs))
      for (let k = index; k < index + run.length; k++) table[k]! |= bit;
  };
  mark(/\s+/gu, WHITE_SPACE);
  mark(/\p{L}+/gu, LETTER_UNIT);
  mark(/\p{N}+/gu, DIGIT_UNIT);
  table.fill(0, 0xd800, 0xe000); // everyCodeUnit's stand-ins for surrogate halves
  unitClassTable = table;
  return table;
}

/** What /\s/ matches (ECMAScript white space and line terminators), for one code unit. */
export function isWhiteSpaceUnit(code: number): boolean {
  return (unitClasses()[code]! & WHITE_SPACE) !== 0;
}

function isWhiteSpaceAt(text: string, i: number): boolean {
  return isWhiteSpaceUnit(text.charCodeAt(i));
}

/** [\u0621-\u064A\u066E-\u06D3]: the Arabic letters proper. */
function isArabicLetter(code: number): boolean {
  return (code >= 0x0621 && code <= 0x064a) || (code >= 0x066e && code <= 0x06d3);
}

/**
 * Splits text into sentences at . ! ? ؟ … and line breaks (not at «؛» or «:», which join clauses), keeping each
 * sentence's own spelling and punctuation; a bullet (* • ·) between sentences is dropped.
 * Knows decimal and grouped numbers, URLs and e-mails, Latin and one-letter Arabic abbreviations, quotations
 * (a sentence that ends inside a quote keeps the closing quote) and sentences glued by scrapers («السبب.وقال»).
 *
 * One native search for the next significant code unit (SIGNIFICANT) over the whole text, line breaks included,
 * instead of a regex test for line breaks, a regex test for URLs and a regex exec per punctuation mark of each line,
 * and look-backs by index instead of regexes on slices.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  const spans = findProtectedSpans(text);
  for (let lineStart = 0; ; ) {
    const lineEnd = splitLine(text, lineStart, spans, sentences);
    if (lineEnd === text.length) return sentences;
    const crlf = text.charCodeAt(lineEnd) === CARRIAGE_RETURN && text.charCodeAt(lineEnd + 1) === LINE_FEED;
    lineStart = lineEnd + (crlf ? 2 : 1);
  }
}

/** A piece between two boundaries is a sentence when, trimmed and without a leading bullet, it holds a letter or digit. */
function keepSentence(piece: string, sentences: string[]): void {
  const trimmed = piece.trim();
  if (trimmed === '') return;
  const sentence = withoutLeadingBullet(trimmed);
  if (startsWithLetterOrDigit(sentence) || /[\p{L}\p{N}]/u.test(sentence)) sentences.push(sentence);
}

function startsWithLetterOrDigit(sentence: string): boolean {
  return sentence !== '' && (unitClasses()[sentence.charCodeAt(0)]! & (LETTER_UNIT | DIGIT_UNIT)) !== 0;
}

function withoutLeadingBullet(sentence: string): string {
  return BULLETS.includes(sentence[0]!) ? sentence.replace(/^[*•·\s]+/, '') : sentence;
}

interface OpenQuote {
  /** The code unit that closes it. */
  close: number;
  at: number;
}

/**
 * Splits the line that starts at lineStart into sentences, and returns where it ends: at the first line break, or at
 * the end of the text. Every index is into the whole text; a line break stops every look ahead (it is no terminal,
 * quote or letter) and every look back (it is white space), so the helpers see the line as if it had been cut out.
 */
function splitLine(text: string, lineStart: number, protectedSpans: [number, number][], sentences: string[]): number {
  const quoteStack: OpenQuote[] = [];
  let start = lineStart;
  for (let i = nextSignificant(text, lineStart); i < text.length; i = nextSignificant(text, i + 1)) {
    const code = text.charCodeAt(i);
    const kind = SPLITTER_KINDS[code]!;
    if (kind === LINE_BREAK) {
      keepSentence(text.slice(start, i), sentences);
      return i;
    }
    const span = protectedSpans.length === 0 ? undefined : protectedSpans.find(([from, to]) => i >= from && i < to);
    if (span) {
      i = span[1] - 1;
      continue;
    }
    if (kind === OPENING_QUOTE) quoteStack.push({ close: CLOSING_QUOTE_OF.get(code)!, at: i });
    else if (kind === STRAIGHT_QUOTE) toggleStraightQuote(text, i, quoteStack);
    else if (quoteStack.length > 0 && code === quoteStack[quoteStack.length - 1]!.close) quoteStack.pop();
    if (kind !== TERMINAL) continue;
    const runEnd = endOfTerminalRun(text, i);
    const end = endAfterClosingQuotes(text, runEnd, quoteStack);
    if (isBoundary(text, start, i, runEnd, end, quoteStack)) {
      keepSentence(text.slice(start, end), sentences);
      start = end;
      // Setting an array's length goes to the runtime: only when a quote is still open.
      if (quoteStack.length > 0) quoteStack.length = 0;
    }
    i = Math.max(end, i + 1) - 1;
  }
  keepSentence(text.slice(start), sentences);
  return text.length;
}

/**
 * Every code unit the splitter acts on (SPLITTER_KINDS not ORDINARY). The regex engine's native scan passes over the
 * rest several times cheaper than a loop over charCodeAt, which costs some 40 instructions a code unit here.
 */
const SIGNIFICANT = /[.!?؟…«»“”‘’"\r\n\u2028\u2029]/g;

/** Where the next code unit the splitter acts on is, from `from` on; the text's length when there is none. */
function nextSignificant(text: string, from: number): number {
  SIGNIFICANT.lastIndex = from;
  return SIGNIFICANT.test(text) ? SIGNIFICANT.lastIndex - 1 : text.length;
}

/**
 * Character ranges of URLs and e-mail addresses, whose dots never end a sentence. None holds white space, so none
 * crosses a line. Substring tests rule out nearly every text before the regex scan: each is one native search.
 */
function findProtectedSpans(text: string): [number, number][] {
  if (!text.includes('@') && !text.includes('://') && !mayHoldWww(text)) return [];
  return [...text.matchAll(URL_OR_EMAIL)].map((match) => {
    // A sentence-final dot or bracket right after a URL belongs to the sentence, not to the URL.
    const url = match[0].replace(/[.,;:!?)\]]+$/, '');
    return [match.index!, match.index! + url.length];
  });
}

function mayHoldWww(text: string): boolean {
  return (text.includes('w') || text.includes('W')) && /www\./i.test(text);
}

/** A straight " opens a quote after white space (a line break before the line, too) or at the start, and closes one otherwise. */
function toggleStraightQuote(text: string, i: number, quoteStack: OpenQuote[]): void {
  const top = quoteStack[quoteStack.length - 1];
  const opens = i === 0 || isWhiteSpaceAt(text, i - 1) || BEFORE_OPENING_QUOTE.includes(text[i - 1]!);
  if (top?.close === STRAIGHT_QUOTE_CODE && !opens) quoteStack.pop();
  else if (opens) quoteStack.push({ close: STRAIGHT_QUOTE_CODE, at: i });
}

function endOfTerminalRun(text: string, i: number): number {
  let j = i;
  while (j < text.length && SPLITTER_KINDS[text.charCodeAt(j)] === TERMINAL) j++;
  return j;
}

/** A sentence that ends inside a quotation keeps the closing quote(s): «قال: "انتهى."» */
function endAfterClosingQuotes(text: string, runEnd: number, quoteStack: OpenQuote[]): number {
  let j = runEnd;
  while (j < text.length) {
    const code = text.charCodeAt(j);
    const top = quoteStack[quoteStack.length - 1];
    if (top && code === top.close) quoteStack.pop();
    else if (!CLOSING_QUOTE_CODES.has(code) && !(code === STRAIGHT_QUOTE_CODE && top?.close === STRAIGHT_QUOTE_CODE))
      break;
    j++;
  }
  return j;
}

function isBoundary(
  text: string,
  start: number,
  at: number,
  runEnd: number,
  end: number,
  quoteStack: OpenQuote[],
): boolean {
  if (end === text.length) return true;
  const next = text.charCodeAt(end);
  if (SPLITTER_KINDS[next] === LINE_BREAK || BULLET_CODES.has(next)) return true;
  const run = text.slice(at, runEnd);
  const glued = (unitClasses()[next]! & WHITE_SPACE) === 0;
  if (glued && !isGluedSentenceStart(text, at, run, end)) return false;
  if (insideShortQuote(quoteStack, at)) return false;
  if (run === '.') return !isNonFinalDot(text, start, at);
  if (run === '..' || run === '...' || run === '…')
    return wordCount(text, Math.max(start, at - 200), at) >= ELLIPSIS_MIN_WORDS;
  return true;
}

/** Scraped text glues sentences together: «السبب.وقال». A dot between digits or short letter groups does not. */
function isGluedSentenceStart(text: string, at: number, run: string, end: number): boolean {
  const next = text.charCodeAt(end);
  if ((unitClasses()[next]! & LETTER_UNIT) === 0) return false;
  if (run !== '.') return isArabicLetter(next);
  const previousWord = lastWord(text, at);
  // «إن.بي.كيه» and «أ.د.» spell abbreviations letter by letter; «U.S.A» likewise.
  const lastGroup = previousWord.slice(previousWord.lastIndexOf('.') + 1).replace(/[^\p{L}]/gu, '');
  if (lastGroup.length < 3) return false;
  if (isArabicLetter(next)) return true;
  // Latin: «end.Next» yes, domain-like «example.com» or «v.2» no.
  return /\p{Ll}$/u.test(previousWord) && /\p{Lu}/u.test(text[end]!) && text[end + 1] !== '.';
}

/** A full stop inside a quotation usually continues the quoted speech, unless the quote is long. */
function insideShortQuote(quoteStack: OpenQuote[], at: number): boolean {
  const open = quoteStack[0];
  return open !== undefined && at - open.at < LONG_QUOTE;
}

/** Dots after abbreviations, initials and list numbers («1. المقدمة») do not end sentences. */
function isNonFinalDot(text: string, start: number, at: number): boolean {
  const word = lastWord(text, at, start);
  if (/^\d{1,2}$/.test(word) && text.slice(start, at).trim() === word) return true;
  const bare = withoutLeadingQuotes(word);
  if (bare.length <= LONGEST_ABBREVIATION && LATIN_ABBREVIATIONS.has(bare.toLowerCase())) return true;
  // What is left needs a dot inside the word, or a word of one character (a surrogate pair is one): most words have
  // neither, and skip the three patterns below.
  if (bare.length > 2 && !bare.includes('.')) return false;
  if (/^(?:\p{Lu}\.)*\p{Lu}$/u.test(bare)) return isInitial(text, at);
  if (/^(?:\p{L}\.)+\p{L}$/u.test(bare)) return true; // «U.S», «أ.د»
  if (bare.length === 1 && isArabicLetter(bare.charCodeAt(0)))
    return !isEraAfterYear(text.slice(Math.max(start, at - 12), at), bare);
  return false;
}

/** The word without the brackets and quotes before it (/^[(«“"'[]+/). */
function withoutLeadingQuotes(word: string): string {
  let k = 0;
  while (k < word.length && LEADING_QUOTES.includes(word[k]!)) k++;
  return k === 0 ? word : word.slice(k);
}

/**
 * «J. Smith» or «U.S. forces»: a capital initial before a dot continues unless an Arabic word follows on the same
 * line (nothing at all following ends the sentence too).
 */
function isInitial(text: string, at: number): boolean {
  let j = at + 1;
  while (j < text.length && isWhiteSpaceAt(text, j) && SPLITTER_KINDS[text.charCodeAt(j)] !== LINE_BREAK) j++;
  if (j === text.length || SPLITTER_KINDS[text.charCodeAt(j)] === LINE_BREAK) return true;
  const code = text.charCodeAt(j);
  return code < 0x0600 || code > 0x06ff;
}

/** «ولد عام 1770 م.» ends a sentence; «د. أحمد» does not. */
function isEraAfterYear(textBefore: string, letter: string): boolean {
  return ERA_LETTERS.has(letter) && /[0-9\u0660-\u0669]\s*[مه]$/.test(textBefore.trimEnd());
}

/**
 * The word that ends at `at` (/(\S+)$/ of the text before it); looks back a bounded distance, never before `from`,
 * so that splitting stays linear on huge lines.
 */
function lastWord(text: string, at: number, from = 0): string {
  const limit = Math.max(from, at - 64);
  let j = at;
  while (j > limit && !isWhiteSpaceAt(text, j - 1)) j--;
  return text.slice(j, at);
}

/**
 * How many of the white-space-separated words from `from` to `to` hold a letter: text.slice(from, to).split(/\s+/)
 * filtered by /\p{L}/u, counted in one pass without the pieces.
 */
function wordCount(text: string, from = 0, to = text.length): number {
  const classes = unitClasses();
  let words = 0;
  let lettered = false;
  for (let i = from; i < to; i++) {
    const unit = classes[text.charCodeAt(i)]!;
    if (unit & WHITE_SPACE) lettered = false;
    else if (
      !lettered &&
      (unit & LETTER_UNIT || (i + 1 < to && isSurrogatePairAt(text, i) && LETTER.test(text.slice(i, i + 2))))
    ) {
      lettered = true;
      words++;
    }
  }
  return words;
}

// ---------------------------------------------------------------------------------------------------------------
// Datelines and bylines

/** News agencies and outlets that appear in datelines («واس -», «(رويترز) -», «دمشق-الوئام:»). */
const AGENCIES = [
  'واس',
  'رويترز',
  'أ ف ب',
  'ا ف ب',
  'أ.ف.ب',
  'ا.ف.ب',
  'أ. ف. ب.',
  'د ب أ',
  'د.ب.أ',
  'د. ب. أ',
  'د ب ا',
  'الفرنسية',
  'الألمانية',
  'الأناضول',
  'وكالات',
  'الوكالات',
  'الوئام',
  'سبق',
  'الرأي',
  'SY24',
  'خاص',
  'سانا',
  'قنا',
  'وام',
  'كونا',
  'الشرق الأوسط',
  'عين اليوم',
  'متابعات',
  'AFP',
  'Reuters',
  'AP',
];
const AGENCY_SET = new Set(
  AGENCIES.map((a) =>
    normalizeArabic(a)
      .replace(/[.\s]+/g, ' ')
      .trim(),
  ),
);
const DASH = '[-–—ـ]';
/** One to four short words, optionally in brackets or quotes: a place, an agency or a reporter's name. */
const NAME = String.raw`[(«"“]?[\p{L}\p{N}.]+[)»"”]?(?:\s+[(«"“]?[\p{L}\p{N}.]+[)»"”]?){0,3}`;
const NAME_LIST = String.raw`${NAME}(?:\s*(?:${DASH}|[،,/])\s*${NAME}){0,3}`;
const COLON_DATELINE = new RegExp(String.raw`^\s*(${NAME_LIST})\s*:\s*(?=\S)`, 'u');
const DASH_DATELINE = new RegExp(String.raw`^\s*(${NAME_LIST})\s*${DASH}\s*(?=\S)`, 'u');
const PARENTHESISED_AGENCY = /^\s*(\([^()]{1,30}\))\s*[-–—ـ:]?\s*/u;

/**
 * Removes a leading dateline or byline: «دمشق-الوئام:», «الرياض - الوئام :», «(رويترز) -», «واس -»,
 * or a sentence that is nothing but one («خاص – SY24», «عين اليوم – نيودلهي»).
 */
export function stripDateline(sentence: string): { dateline?: string; text: string } {
  const trimmed = sentence.trim();
  if (isWholeDateline(trimmed)) return { dateline: trimmed, text: '' };
  const match = matchDateline(trimmed);
  if (!match) return { text: trimmed };
  return {
    dateline: match
      .trim()
      .replace(/\s*[-–—ـ:]$/, '')
      .trim(),
    text: trimmed.slice(match.length).trim(),
  };
}

/**
 * Each dateline pattern needs its mark (a bracket, a colon, a dash) somewhere in the sentence: a substring test
 * rules most sentences out before the patterns, whose nested repetitions backtrack over every word, are tried.
 */
const DASHES = /[-–—ـ]/;

function matchDateline(sentence: string): string | undefined {
  const parenthesised = sentence.includes('(') ? PARENTHESISED_AGENCY.exec(sentence) : null;
  if (parenthesised && mentionsAgency(parenthesised[1]!)) return parenthesised[0];
  const colon = sentence.includes(':') ? COLON_DATELINE.exec(sentence) : null;
  if (colon && isPlausibleColonDateline(colon[1]!)) return colon[0];
  const dash = DASHES.test(sentence) ? DASH_DATELINE.exec(sentence) : null;
  if (dash && mentionsAgency(dash[1]!)) return dash[0];
  return undefined;
}

/**
 * «دبي:» and «عاصم الغامدي - سبق – جدة:» are datelines; «سبق تقول للمسؤول:» and «قال الوزير إن الخطة:» are
 * sentences introducing what follows.
 */
function isPlausibleColonDateline(prefix: string): boolean {
  if (DASHES.test(prefix)) return wordCount(prefix) <= 6 && !prefix.split(/\s+/).some(isVerbLike);
  return wordCount(prefix) <= 1;
}

/** A short line without sentence punctuation that names an agency or is «place – outlet»: a byline. */
function isWholeDateline(sentence: string): boolean {
  // The last character, read directly: /[.!?؟؛…]$/ tried every position of the sentence.
  if ((sentence !== '' && '.!?؟؛…'.includes(sentence[sentence.length - 1]!)) || wordCount(sentence) > 12) return false;
  const words = normalizeArabic(sentence)
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
  if (words.length === 0) return false;
  const hasDash = DASHES.test(sentence);
  // «الباحة 25 شوال 1436 هـ … واس»: a dated place line signed by the agency.
  const signedByAgency = endsWithAgency(words) && (hasDash || /\d/.test(sentence) || words.length <= 3);
  return signedByAgency || (hasDash && (words.length <= 6 || (words.length <= 8 && mentionsAgency(sentence))));
}

function endsWithAgency(words: string[]): boolean {
  return [1, 2, 3].some((n) => words.length >= n && AGENCY_SET.has(words.slice(-n).join(' ')));
}

function mentionsAgency(text: string): boolean {
  const folded = normalizeArabic(text)
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const words = folded.split(' ');
  for (let n = 1; n <= 3; n++) {
    for (let k = 0; k + n <= words.length; k++) {
      if (AGENCY_SET.has(words.slice(k, k + n).join(' '))) return true;
    }
  }
  return false;
}

/** Arabic past/present verb prefixes that a place or reporter name does not carry (قال، يقول، أكد…). */
function isVerbLike(word: string): boolean {
  const folded = normalizeArabic(word);
  return /^(?:قال|اكد|اعلن|افاد|ذكر|اوضح|اضاف|كشف)/.test(folded);
}
