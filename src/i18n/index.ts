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
