/**
 * The summariser's words as numbers. Scoring compares an article's sentences by their words, and with every word a
 * fresh string (tokenize's slices, then a Map look-up of each in the term cache) making and hashing those strings
 * takes 40% of the summariser's time. Here a sentence is read once, code unit by code unit: each unit is folded and
 * lower-cased through one table, the token's hash is built on the way, and the token is numbered by the interner
 * (src/text/interner.ts), which compares code units, so a known word costs no allocation.
 * The tokens are exactly tokenize()'s (src/text/arabic.ts); text the table cannot fold on its own (characters
 * outside the BMP, a capital sigma, whose lower case depends on the next word) is tokenized by tokenize() itself.
 */
import { everyCodeUnit, tokenize, UNIT_DROPPED, UNIT_IN_CONTEXT, UNIT_WHITE_SPACE, unitFolds } from '../text/arabic.js';
import { codeUnitsOf, UnitBuffer } from '../text/char-table.js';
import { UnitInterner } from '../text/interner.js';
import { STOPWORD_SET } from '../text/stopwords.js';

/** What a code unit becomes in a token, or one of these. */
const SEPARATOR = -1;
const DROPPED = -2;
const NEEDS_TOKENIZE = -3;

let unitTable: Int32Array | undefined;

/**
 * The table, built on first use from tokenize()'s rules applied to each code unit alone: white space and
 * punctuation separate tokens; any other unit is folded and lower-cased as normalizeArabic does it (unitFolds), or
 * dropped (tashkeel, tatweel); a unit whose lower case depends on its neighbours sends the text to tokenize().
 */
function units(): Int32Array {
  if (unitTable) return unitTable;
  const table = Int32Array.from(unitFolds(), (unit) =>
    unit === UNIT_WHITE_SPACE
      ? SEPARATOR
      : unit === UNIT_DROPPED
        ? DROPPED
        : unit === UNIT_IN_CONTEXT
          ? NEEDS_TOKENIZE
          : unit,
  );
  for (const { index } of everyCodeUnit().matchAll(/\p{P}/gu)) table[index] = SEPARATOR;
  unitTable = table;
  return table;
}

/** Tokens kept before the table starts again (news repeats its vocabulary: 200 articles use 18,586). */
const MAX_TOKENS = 100_000;
const tokens = new UnitInterner(MAX_TOKENS);
/** Each token's term number (its light stem, see termNumber), or -1 for a stopword or a one-letter token. */
const tokenTerms: number[] = [];
/** Term numbers by stemmed term. */
const termNumbers = new Map<string, number>();
/** The token being read, folded. */
const reading = new UnitBuffer(256);

/**
 * Starts the table again when it is full. Called before an article is read, so that numbers never change while
 * one is being summarised.
 */
export function beginArticle(): void {
  if (!tokens.full) return;
  tokens.clear();
  tokenTerms.length = 0;
  termNumbers.clear();
}

/** How many term numbers are in use: arrays indexed by term number need this length. */
export function termCount(): number {
  return termNumbers.size;
}

/** How many token numbers are in use: arrays indexed by token number need this length. */
export function tokenCount(): number {
  return tokens.size;
}

/** The term number of a token, or -1 when it carries no meaning of its own. */
export function termOfToken(token: number): number {
  return tokenTerms[token]!;
}

/** The numbers of text's tokens, in order: the same tokens as tokenize(text). */
export function tokenNumbers(text: string): number[] {
  const table = units();
  const numbers: number[] = [];
  const end = text.length;
  const codes = codeUnitsOf(text);
  // A token is never longer than the text: the array is made large enough once, not checked per unit.
  const units16 = reading.reserve(end);
  let length = 0;
  let hash = FNV_OFFSET;
  for (let i = 0; i < end; i++) {
    const unit = table[codes[i]!]!;
    if (unit >= 0) {
      units16[length++] = unit;
      hash = Math.imul(hash ^ unit, FNV_PRIME);
    } else if (unit === SEPARATOR) {
      if (length > 0) numbers.push(numberOf(length, hash & SMALL_HASH));
      length = 0;
      hash = FNV_OFFSET;
    } else if (unit === NEEDS_TOKENIZE) {
      return numbersOfTokens(tokenize(text));
    }
  }
  if (length > 0) numbers.push(numberOf(length, hash & SMALL_HASH));
  return numbers;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/**
 * The hash bits handed to the interner: 30, so that the hash is a small integer to V8. A full 32-bit hash is boxed
 * as a heap number for the call every other token (an allocation per token, and garbage to collect).
 */
const SMALL_HASH = 0x3fffffff;

/**
 * The numbers of tokens tokenize() gave, in an array made as tokenNumbers makes its own: an array from map() has
 * another shape, and meeting it made V8 recompile the functions that read sentences' words.
 */
function numbersOfTokens(tokenized: string[]): number[] {
  const numbers: number[] = [];
  for (const token of tokenized) numbers.push(numberOfString(token));
  return numbers;
}

function numberOfString(token: string): number {
  const units = reading.reserve(token.length);
  let hash = FNV_OFFSET;
  for (let i = 0; i < token.length; i++) {
    const unit = token.charCodeAt(i);
    units[i] = unit;
    hash = Math.imul(hash ^ unit, FNV_PRIME);
  }
  return numberOf(token.length, hash & SMALL_HASH);
}

/** The number of the token being read (its first `length` units), added when new. */
function numberOf(length: number, hash: number): number {
  const known = tokens.size;
  const token = tokens.numberOf(reading.units, 0, length, hash);
  if (token === known) {
    tokenTerms.push(termNumber(reading.read(length)));
  }
  return token;
}

/** The stemmed term's number, -1 for a stopword or a one-letter token. */
function termNumber(token: string): number {
  if (token.length <= 1 || STOPWORD_SET.has(token)) return -1;
  const term = stem(token);
  let number = termNumbers.get(term);
  if (number === undefined) {
    number = termNumbers.size;
    termNumbers.set(term, number);
  }
  return number;
}

/** First letters of the prefixes stem removes (و ف ب ك ل ا): other words are returned without a regex. */
const PREFIX_LETTERS = new Set(['و', 'ف', 'ب', 'ك', 'ل', 'ا'].map((ch) => ch.charCodeAt(0)));

/**
 * Light Arabic stemming for matching only: conjunction, preposition and article prefixes, so that «والحكومة»,
 * «بالحكومة» and «الحكومة» count as one term.
 */
function stem(token: string): string {
  if (!PREFIX_LETTERS.has(token.charCodeAt(0))) return token;
  const stripped = token.replace(/^(?:[وف]?(?:بال|كال|لل|ال)|[وف](?=\S{3}))/, '');
  return stripped.length >= 2 ? stripped : token;
}
