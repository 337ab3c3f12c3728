/**
 * The Bot API's refusals a correction report shows (kept as the job's reason, in the Bot API's words; see
 * post-corrector.ts and transport.ts), said in Arabic for the Arabic reports. Loaded with the descriptor, so no grammY.
 */
const REFUSALS: ReadonlyArray<[RegExp, string]> = [
  [/message can't be deleted[\s\S]*message can't be edited/i, 'رفض تيليغرام حذف المنشور (أقدم من 48 ساعة، أو لا صلاحية للبوت) وتحويله إلى إشعار السحب'],
  [/message to edit not found/i, 'المنشور محذوف من المحادثة'],
  [/message can't be edited/i, 'رفض تيليغرام تعديل المنشور'],
  [/bot was blocked by the user/i, 'حظر المشترك البوت'],
  [/bot was kicked|bot is not a member/i, 'أُخرج البوت من المحادثة'],
  [/chat not found/i, 'المحادثة لم تعد موجودة'],
  [/not enough rights|need administrator rights/i, 'لا صلاحية للبوت في المحادثة'],
];

export function arabicTelegramReason(reason: string): string | undefined {
  return REFUSALS.find(([pattern]) => pattern.test(reason))?.[1];
}
