import { ar, type Catalogue } from './ar.js';
import { en } from './en.js';

/**
 * The one catalogue of words, Arabic first and English (listmonk's i18n/ is the model): every sentence a person reads
 * in a chat, on the desk or from the CLI comes from here, keyed by meaning. tests/i18n/catalogue.test.ts checks that
 * both languages have every key and that no Arabic text a person reads stands outside this folder.
 */
export type { Catalogue } from './ar.js';
export type Lang = 'ar' | 'en';

/** A chat app's language code as the catalogue's language: English for codes starting with «en», else Arabic. */
export const langOf = (languageCode: string | undefined): Lang =>
  languageCode?.toLowerCase().startsWith('en') ? 'en' : 'ar';

export const catalogue = (lang: Lang): Catalogue => (lang === 'en' ? en : ar);

/**
 * An error that names what went wrong by meaning (a newsroom refusal, a configuration problem, a database that cannot
 * be opened, a copy refused): each front door says it in its reader's language; its message is the English one, for
 * the logs.
 */
export interface SaidByMeaning {
  said(words: Catalogue): string;
}

const byMeaning = (err: Error): err is Error & SaidByMeaning =>
  typeof (err as Partial<SaidByMeaning>).said === 'function';

/** An error in the language of `words`: by its meaning where it names one, otherwise its own message. */
export const errorIn = (words: Catalogue, err: Error): string => (byMeaning(err) ? err.said(words) : err.message);
