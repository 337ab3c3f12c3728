import { catalogue, langOf, type Catalogue, type Lang } from '../../src/i18n/index.js';

/** The bot's words: the chat section of the one catalogue (src/i18n), Arabic by default, English for language_code «en…». */
export { langOf };
export type { Lang };

/** The chat's words, with the correction report every front door gives (the catalogue's «report»). */
export type Messages = Catalogue['chat'] & { report: Catalogue['report'] };
const BY_LANG: Record<Lang, Messages> = {
  ar: { ...catalogue('ar').chat, report: catalogue('ar').report },
  en: { ...catalogue('en').chat, report: catalogue('en').report },
};
export const messages = (lang: Lang): Messages => BY_LANG[lang];

/** Command menus for setMyCommands. */
export const COMMANDS: Record<Lang, Catalogue['chatMenu']> = {
  ar: catalogue('ar').chatMenu,
  en: catalogue('en').chatMenu,
};

export const DESCRIPTION: Record<Lang, string> = {
  ar: catalogue('ar').chatDescription,
  en: catalogue('en').chatDescription,
};
