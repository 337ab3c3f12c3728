import { catalogue, langOf, type Catalogue, type Lang } from '../../src/i18n/index.js';

/** The bot's words: the chat section of the one catalogue (src/i18n), Arabic by default, English for language_code «en…». */
export { langOf };
export type { Lang };

export type Messages = Catalogue['chat'];
export const messages = (lang: Lang): Messages => catalogue(lang).chat;

/** Command menus for setMyCommands. */
export const COMMANDS: Record<Lang, Catalogue['chatMenu']> = { ar: catalogue('ar').chatMenu, en: catalogue('en').chatMenu };

export const DESCRIPTION: Record<Lang, string> = { ar: catalogue('ar').chatDescription, en: catalogue('en').chatDescription };
