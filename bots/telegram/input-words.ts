/** The Arabic words editors type to the bot, read and never said (what the bot says is in the catalogue, src/i18n). */

/** `/settings 12 source …` or `/settings 12 المصدر …`: a filter for one source. */
export const SOURCE_WORD = 'المصدر';
/** `/settings 12 العلامة 🔴` (header), `/settings 12 التذييل …` (footer), and «الافتراضي» for the default. */
export const HEADER_WORD = 'العلامة';
export const FOOTER_WORD = 'التذييل';
export const DEFAULT_WORD = 'الافتراضي';
/** `/sources add <url> مراجعة`: hold the new items for review. */
export const REVIEW_WORDS = new Set(['review', 'مراجعة']);
