import { UserError } from './errors.js';
import { catalogue, errorIn, type Catalogue, type Lang, type SaidByMeaning } from './i18n/index.js';
import type { NewsroomRefusal } from './i18n/values.js';

/**
 * A refusal of what a person typed or asked for (an interval, a URL, a title, an article that is not stored, …), by
 * meaning: each front door says `refusal` in its own language (the CLI, a chat, the desk: refusalIn); the message is
 * the English one, for the logs and the front doors that print it as it is.
 */
export class RefusedError extends UserError implements SaidByMeaning {
  override name = 'RefusedError';
  constructor(readonly refusal: NewsroomRefusal) {
    super(catalogue('en').refused(refusal));
  }
  said(words: Catalogue): string {
    return words.refused(this.refusal);
  }
}

/** A refusal as a front door says it in `lang`: by its meaning, or another UserError's own message. */
export const refusalIn = (lang: Lang, err: UserError): string => errorIn(catalogue(lang), err);
