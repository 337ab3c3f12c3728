import { catalogue, type Catalogue, type Lang } from '../i18n/index.js';

/** The desk's words: its section of the one catalogue (src/i18n). A page asks for `t(lang)` and writes none of its own. */
export type { Lang } from '../i18n/index.js';
export type Words = Catalogue['desk'];

export const t = (lang: Lang): Words => catalogue(lang).desk;
