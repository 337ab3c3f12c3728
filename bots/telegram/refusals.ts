import { catalogue } from '../../src/i18n/index.js';
import { TELEGRAM_LABEL } from './label.js';

/**
 * The Bot API's refusals a correction report shows (kept as the job's reason, in the Bot API's words; see
 * post-corrector.ts and transport.ts), said in Arabic for the Arabic reports. Loaded with the descriptor, so no grammY.
 */
const WORDS = catalogue('ar').refusals;
const REFUSALS: ReadonlyArray<[RegExp, string]> = [
  [/message can't be deleted[\s\S]*message can't be edited/i, WORDS.deleteRefused(TELEGRAM_LABEL.ar)],
  [/message to edit not found/i, WORDS.postGone],
  [/message can't be edited/i, WORDS.editRefused(TELEGRAM_LABEL.ar)],
  [/bot was blocked by the user/i, WORDS.blocked],
  [/bot was kicked|bot is not a member/i, WORDS.kicked],
  [/chat not found/i, WORDS.chatGone],
  [/not enough rights|need administrator rights/i, WORDS.noRights],
];

export function arabicTelegramReason(reason: string): string | undefined {
  return REFUSALS.find(([pattern]) => pattern.test(reason))?.[1];
}
