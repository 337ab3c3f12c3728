import type { Refusal } from '../i18n/values.js';
import type { ChatRules } from './deps.js';

/**
 * How every front door names a platform in a correction report: by its descriptor's label (so this file names none),
 * and a platform's own refusal in its descriptor's Arabic. The report's words are the catalogue's (src/i18n, «report»).
 */

/** A platform as editors call it: its descriptor's label, or its name when it has none. */
export function platformLabel(platforms: readonly ChatRules[], name: string, lang: 'ar' | 'en' = 'ar'): string {
  return platforms.find((p) => p.name === name)?.label?.[lang] ?? name;
}

/** A platform's own refusal in Arabic, from its descriptor, when it knows it. */
export type { Refusal };

export function platformRefusal(platforms: readonly ChatRules[]): Refusal {
  return (name, reason) => platforms.find((p) => p.name === name)?.arabicReason?.(reason);
}
