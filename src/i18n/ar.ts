import type { CorrectionTally } from '../model/correction.js';
import type {
  ChatIdForm,
  ConfigProblem,
  CopyMismatch,
  CopyProblem,
  DatabaseOpenProblem,
  DeliveryWordsProblem,
  NewsroomRefusal,
  OpmlCounts,
  PostsSent,
  ReachSaid,
  Refusal,
  StatsReport,
  StatsSaid,
  WaitReason,
} from './values.js';
import { localClock, localDateTime } from '../text/schedule.js';
import {
  ATTEMPTS,
  CHARACTER,
  countArabic,
  FULL_READ,
  HASHTAG,
  ITEM,
  JOB,
  MESSAGE,
  OUTLET,
  POST,
  SAMPLE_ARTICLE,
  SENTENCE,
  SOURCE,
  SUBSCRIBER,
  SUBSCRIPTION,
  SUBSCRIPTION_AFTER_PREPOSITION,
  UNSENT_MESSAGE,
  WAITING_MESSAGE,
} from '../text/plural.js';

/**
 * Every sentence a person reads, in Arabic: the catalogue's first language. Keyed by meaning, one section per place
 * the words are read (the chat bots, the desk); en.ts says the same in English and must have every key (its type is
 * derived from this one). Texts with values are functions; counts agree with their noun through src/text/plural.ts.
 */

const AR_WAIT_REASONS: Record<WaitReason['why'], string> = {
  'not-installed': 'لا منصة بهذا الاسم مثبّتة (إضافة ناقصة من NASHRA_PLUGINS؟)',
  off: 'المنصة مطفأة في الإعدادات (انظروا .env.example)',
  'not-running': 'البرنامج (nashra run) لا يعمل',
  disconnected: 'المنصة غير متصلة',
  sending: 'تُرسل بالوتيرة التي تسمح بها المنصة (أو جُدولت إعادة محاولة)',
};

/** «رقم مثل -1001234567890»، «…@g.us للمجموعة»: a chat id's form, said with its example. */
const AR_CHAT_ID_FORMS: Record<ChatIdForm['shape'], (example: string) => string> = {
  number: (e) => `رقم مثل ${e}`,
  handle: (e) => `أو ${e}`,
  group: (e) => `${e} للمجموعة`,
  channel: (e) => `${e} للقناة`,
  person: (e) => `${e} للشخص`,
};

/** What was wrong with digest or quiet-hours words typed: a chat's reply and a refusal alike. */
const AR_DELIVERY_PROBLEM = (p: DeliveryWordsProblem): string => {
  switch (p.kind) {
    case 'time':
      return `«${p.text}» ليست ساعة من اليوم: الساعات من 00:00 إلى 23:59.`;
    case 'digest':
      return `لم أفهم «${p.text}»: اكتب ساعة مثل 08:00، أو «كل ساعة»، أو «فوري».`;
    case 'window':
      return `لم أفهم «${p.text}»: تُكتب ساعات الهدوء من ساعة إلى ساعة، مثل 00:00-07:00، أو «إيقاف».`;
    case 'same-times':
      return 'تبدأ ساعات الهدوء وتنتهي في وقتين مختلفين.';
    case 'mode':
      return `لم أفهم «${p.text}»: اكتب «صامت» أو «انتظار».`;
    case 'no-digest':
      return 'اكتب بعد الأمر موعد الملخص: ساعة مثل 08:00، أو «كل ساعة»، أو «فوري».';
    case 'no-window':
      return 'اكتب بعد الأمر ساعات الهدوء، مثل 00:00-07:00، أو «إيقاف».';
  }
};

/** A job's state as `nashra stats` counts it (src/model/delivery.ts DeliveryState). */
const AR_JOB_STATES: Record<string, string> = {
  queued: 'ينتظر',
  held: 'محجوز لموعد المحادثة',
  sending: 'يُرسل',
  sent: 'أُرسل',
  failed: 'فشل',
  skipped: 'أُلغي',
  in_doubt: 'غير مؤكَّد',
};
const AR_JOB_KINDS: Record<string, string> = { post: 'المنشور', digest: 'الملخص', edit: 'التعديل', delete: 'الحذف' };
/** «أُرسل 5، فشل 1»: each state and its count, a state the list does not know by the outbox's own word. */
const jobStates = (states: Record<string, number>): string =>
  Object.entries(states)
    .map(([state, n]) => `${AR_JOB_STATES[state] ?? state} ${n}`)
    .join('، ');

/** The days of the week from Sunday, as the desk's Reach page and `nashra reach` name them. */
const DAYS = ['الأحد', 'الاثنين', 'الثلاثاء', 'الأربعاء', 'الخميس', 'الجمعة', 'السبت'];

const VIEWS_NOTE =
  'لا تتيح المنصات للبوتات قراءة عدد المشاهدات؛ الوصول هنا هو المنشورات والنقرات على روابطها ونسبة النقر.';

/**
 * Commander's refusals (node_modules/commander/lib/command.js, in the one line src/app/cli.ts makes of them) in
 * Arabic; the flags, names and values quoted as typed, and the reason our own argument parsers gave (already in the
 * CLI's words). A message of another form stays as commander wrote it.
 */
const COMMANDER_REFUSALS: ReadonlyArray<[RegExp, (...parts: string[]) => string]> = [
  [
    /^unknown option '(.+?)'(?: \(Did you mean (.+)\?\))?$/,
    (flag, near) => `خيار غير معروف '${flag}'${near ? ` (هل تقصد ${near}؟)` : ''}`,
  ],
  [
    /^unknown command '(.+?)'(?: \(Did you mean (.+)\?\))?$/,
    (name, near) => `أمر غير معروف '${name}'${near ? ` (هل تقصد ${near}؟)` : ''}`,
  ],
  [
    /^option '(.+?)' argument '(.*)' is invalid\. ?(.*)$/,
    (flags, _value, why) => `قيمة الخيار '${flags}' مرفوضة: ${why}`,
  ],
  [
    /^command-argument value '(.*)' is invalid for argument '(.+?)'\. ?(.*)$/,
    (_value, name, why) => `قيمة الوسيط '${name}' مرفوضة: ${why}`,
  ],
  [/^missing required argument '(.+)'$/, (name) => `ينقص الوسيط المطلوب '${name}'`],
  [/^option '(.+)' argument missing$/, (flags) => `ينقص الخيار '${flags}' قيمتُه`],
  [
    /^too many arguments.*Expected (\d+) arguments? but got (\d+)\.$/,
    (expected, got) => `وسائط أكثر مما يأخذ الأمر: يأخذ ${expected} وأُعطي ${got}`,
  ],
];
function commanderRefusal(message: string): string {
  for (const [form, say] of COMMANDER_REFUSALS) {
    const m = form.exec(message);
    if (m) return say(...m.slice(1).map((part) => part ?? ''));
  }
  return message;
}

/** The delivery states a post that was never sent can be in, as «لم يُرسل المنشور (…)» says them. */
const UNSENT_STATES: Record<string, string> = {
  queued: 'ما زال ينتظر',
  failed: 'فشل إرساله',
  skipped: 'أُلغي',
  cancelled: 'أُلغي',
  sending: 'ما زال يُرسل',
};

/** What became of the posts, by outcome: «حُذف: 3 منشورات». */
const OUTCOMES: Record<string, string> = {
  edited: 'عُدّل',
  unchanged: 'كان مصحّحًا',
  replied: 'رُدّ عليه بالتصحيح',
  deleted: 'حُذف',
  notice: 'استُبدل بإشعار السحب',
  failed: 'تعذّر لمسه',
  waiting: 'ينتظر',
  inDoubt: 'غير مؤكّد',
  skipped: 'سبقه تصحيح أحدث',
};

/** One part of a report: the outcome, then the count that agrees with «منشور» («تعذّر لمسه: منشوران»). */
const tallyPart = (outcome: string, n: number): string => `${OUTCOMES[outcome] ?? outcome}: ${countArabic(n, POST)}`;

/**
 * Why a post could not be touched. The reasons the delivery worker writes (src/delivery/worker.ts, startCorrections
 * and beginCorrection; the store's recoverInterrupted) are said in Arabic; a platform's own refusal in its
 * descriptor's Arabic when it knows it, otherwise quoted in its API's words after «ردّ <platform>:».
 */
function reason(why: string, platform: string, label: (platform: string) => string, refusal?: Refusal): string {
  const on = label(platform);
  if (/^\S+ cannot edit or delete its posts$/.test(why)) return `لا تتيح ${on} تعديل منشوراتها ولا حذفها`;
  if (/^(the )?article no longer exists$/.test(why)) return 'لم يعد الخبر موجودًا';
  if (why === 'the article was retracted') return 'سُحب الخبر';
  if (/^the post is in doubt/.test(why)) return 'المنشور غير مؤكَّد (توقّف البرنامج أثناء إرساله): رقم رسالته مجهول';
  if (/^interrupted while sending/.test(why)) return 'انقطع أثناء الإرسال (توقّف البرنامج قبل أن تجيب المنصة)';
  const unsent = /^the post was not sent \((\w+)\)$/.exec(why);
  if (unsent) return `لم يُرسل المنشور${UNSENT_STATES[unsent[1]!] ? ` (${UNSENT_STATES[unsent[1]!]})` : ''}`;
  const gaveUp = /^gave up after (\d+) attempts: (.*)$/s.exec(why);
  if (gaveUp)
    return `توقّف بعد ${countArabic(Number(gaveUp[1]), ATTEMPTS)}؛ ${refusal?.(platform, gaveUp[2]!) ?? `ردّ ${on}: ${gaveUp[2]}`}`;
  return refusal?.(platform, why) ?? `ردّ ${on}: ${why}`;
}

/** A report's parts in the order every front door gives them: done by outcome, then could not be touched, in doubt, waiting. */
export const tallyParts = (t: CorrectionTally, part: (outcome: string, n: number) => string): string[] => [
  ...Object.entries(t.done).map(([outcome, n]) => part(outcome, n)),
  ...(t.failed ? [part('failed', t.failed)] : []),
  ...(t.inDoubt ? [part('inDoubt', t.inDoubt)] : []),
  ...(t.queued ? [part('waiting', t.queued)] : []),
];

export const ar = {
  /** The chat bots' words (commands, buttons, reports), for an editor or a reader in a chat. */
  chat: {
    start: 'أهلاً بك في نشرة: ملخّصات قصيرة لأهم الأخبار.\n/subscribe للاشتراك، /latest لآخر الأخبار، /help للمساعدة.',
    help: 'الأوامر:\n/latest [عدد] — آخر الأخبار (1 إلى 10)\n/search كلمات — البحث في الأخبار\n/subscribe [مواضيع] — الاشتراك\n/unsubscribe — إلغاء الاشتراك\n/topics [مواضيع] — المرشّح: عرضه وتغييره\n/settings — شكل الرسائل ومعاينة الروابط\n/digest — ملخص كل ساعة أو كل يوم\n/quiet — ساعات الهدوء',
    deliveryNow: (what: string) => `الإعدادات الآن: ${what}.`,
    deliveryUsage:
      'أمثلة:\n/digest 08:00 — ملخص يومي الساعة 8 صباحًا\n/digest 08:00 عاجل — والعاجل فورًا\n/digest كل ساعة — ملخص كل ساعة\n/digest فوري — الأخبار فور صدورها\n/quiet 00:00-07:00 — بلا تنبيه ليلًا\n/quiet 00:00-07:00 انتظار عاجل — تُؤجَّل إلى الصباح إلا العاجل\n/quiet إيقاف',
    deliveryNeedsSubscription: 'اشترك أولاً بـ /subscribe ثم اختر موعد الأخبار.',
    editorHelp:
      '\n\nللمحرّرين:\n/broadcast رابط أو رقم — نشر خبر\n/urgent نص — خبر عاجل\n/scheduled — النشر المجدول\n/correct رقم — تصحيح خبر مرسل\n/retract رقم — سحب خبر\n/addchannel @قناة — إضافة قناة\n/sources — المصادر\n/stats — الإحصاءات',
    nothingYet: 'لا توجد أخبار بعد.',
    searchUsage: 'اكتب كلمات البحث بعد الأمر، مثلاً: /search دمشق',
    noResults: (q: string) => `لا نتائج لـ «${q}».`,
    tooFast: 'أنت ترسل الأوامر بسرعة كبيرة؛ انتظر قليلاً ثم أعد المحاولة.',
    subscribed: 'تمّ الاشتراك. ستصلك الأخبار هنا.',
    subscribedTopics: (t: string) => `تمّ الاشتراك في: ${t}`,
    filterWords: { except: 'عدا:', separator: '، ', between: '؛ ' },
    unsubscribed: 'تمّ إلغاء الاشتراك. لن تصلك أخبار بعد الآن.',
    notSubscribed: 'لست مشتركاً.',
    adminsOnly: 'عذراً، اشتراك المجموعة يغيّره مشرفوها فقط.',
    topicsTitle: 'اختر المواضيع (بلا اختيار = كل الأخبار):',
    topicsNeedSubscription: 'اشترك أولاً بـ /subscribe ثم اختر المواضيع.',
    topicsSaved: 'تمّ الحفظ.',
    topicsCurrent: (f: string) => `المرشّح الآن: ${f}`,
    topicsAll: 'تصلك الآن كل الأخبار، بلا مرشّح.',
    topicsHowTo: 'لتغييره: /topics الرقة "دير الزور" -رياضة (بـ«-» تُستبعد كلمة أو عبارة)، أو /topics الكل لكل الأخبار.',
    notEditor: 'هذا الأمر للمحرّرين فقط.',
    privateOnly: 'استخدم هذا الأمر في محادثة خاصة مع البوت.',
    broadcastUsage: 'الاستعمال: /broadcast رابط الخبر أو رقمه',
    correctUsage: 'الاستعمال: /correct رقم الخبر أو رابطه\nالعنوان المصحّح\nجمل الملخّص، سطر لكل جملة (تُترك إن لم تتغيّر)',
    retractUsage: 'الاستعمال: /retract رقم الخبر أو رابطه',
    correctPreview: (posts: string) =>
      `معاينة التصحيح — ${posts ? `ستُعدَّل المنشورات المرسلة: ${posts}` : 'لم يُرسل منه شيء بعد'}. الخبر بعد التصحيح:`,
    correctUnchanged: 'لا فرق يراه القارئ؛ لا شيء للتصحيح.',
    correctQueued: (n: number) =>
      n ? `تمّ التصحيح؛ يُعدَّل ${countArabic(n, POST)}.` : 'تمّ التصحيح؛ لم يُرسل منه شيء بعد، فيصل مصحّحًا.',
    // «يُحذف» before «منشور» (masculine); «تُلغى» and «أُلغيت» before «رسالة» (feminine), whatever the count.
    retractPreview: (title: string, posts: string, queued: number) =>
      `سحب الخبر «${title}»: ${posts ? `يُحذف ${posts}` : 'لم يُرسل منه شيء'}${queued ? `، وتُلغى ${countArabic(queued, UNSENT_MESSAGE)}` : ''}. لن يُرسل بعد ذلك أبداً.`,
    retracted: (n: number, cancelled: number) =>
      `سُحب الخبر: ${n ? `يُحذف ${countArabic(n, POST)}` : 'لا منشور يُحذف'}${cancelled ? `، وأُلغيت ${countArabic(cancelled, WAITING_MESSAGE)}` : ''}.`,
    alreadyRetracted: 'سُحب هذا الخبر من قبل.',
    correctionCancelled: 'أُلغي، لم يتغيّر شيء.',
    correctionReport: (lines: string) => `نتيجة التصحيح أو السحب:\n${lines}`,
    tallyLine: (platform: string, parts: string, reasons: string) =>
      `${platform}: ${parts}${reasons ? `\nالأسباب: ${reasons}` : ''}`,
    /** A platform's name as these words call it (its descriptor's label). */
    platform: (label: { ar: string; en: string } | undefined, name: string) => label?.ar ?? name,
    urgentUsage: 'الاستعمال: /urgent نص الخبر العاجل',
    previewHeader: (n: number, already: number, failed: number) =>
      `معاينة — سيُرسل إلى ${countArabic(n, SUBSCRIBER)} كما يلي${already ? ` (ووصل من قبل إلى ${countArabic(already, SUBSCRIBER)})` : ''}${failed ? `، وفشل من قبل عند ${countArabic(failed, SUBSCRIBER)}` : ''}:`,
    previewNobody: (already: number, failed: number) =>
      `لن يصل هذا الخبر إلى أحد جديد: لا اشتراك مطابقًا ينتظره${already ? ` (وصل من قبل إلى ${countArabic(already, SUBSCRIBER)})` : ''}${failed ? `. فشل الإرسال من قبل عند ${countArabic(failed, SUBSCRIBER)}: زر «إعادة إرسال الفاشلة» تحت رسالة التقدّم، أو nashra resend` : ''}.`,
    urgentTooLong: (max: number) => `الخبر العاجل أطول من ${max} حرف؛ اختصره.`,
    subscribedAlready: 'أنت مشترك بالفعل.',
    subscriptionUpdated: 'تمّ تحديث الاشتراك.',
    send: 'إرسال',
    cancel: 'إلغاء',
    paidOff: (stars: string) => `⭐ بثّ مدفوع (حتى ${stars} نجمة)`,
    paidOn: (stars: string) => `★ مدفوع: حتى ${stars} نجمة — اضغط للإلغاء`,
    paidSet: (stars: string, rate: string) =>
      `البثّ مدفوع: حتى ${stars} نجمة من رصيد البوت، بسرعة حتى ${rate} رسالة في الثانية.`,
    paidUnset: 'البثّ بالسرعة المجانية.',
    stop: 'إيقاف',
    schedule: '🕒 جدولة',
    scheduleBack: 'رجوع',
    scheduleAsk: (zone: string) =>
      `متى يُنشر؟ اختر وقتًا، أو أرسل الوقت ردًّا على هذه الرسالة: 18:00 (أقرب 18:00 قادمة) أو 2026-12-08 18:00، بتوقيت ${zone}.`,
    scheduleToday: (clock: string) => `اليوم ${clock}`,
    scheduleBest: (hour: number, perPost: number) =>
      `⭐ ${String(hour).padStart(2, '0')}:00 أكثر ساعة نُقر فيها على منشورات هذا الجمهور في الأسابيع الأربعة الماضية (النقرات لكل منشور: ${perPost}).`,
    scheduleTomorrow: (clock: string) => `غدًا ${clock}`,
    scheduled: (id: number, when: string, zone: string, n: number) =>
      `🕒 جُدول النشر #${id}: ${when} بتوقيت ${zone}، إلى ${countArabic(n, SUBSCRIBER)}. /scheduled لعرض المجدول وتغييره وإلغائه.`,
    scheduledTitle: (n: number) => `المجدول (${n}):`,
    scheduledNone: 'لا شيء مجدول.',
    scheduledLine: (id: number, when: string, title: string, n: number, urgent: boolean) =>
      `#${id} ${when}${urgent ? ' 🔴' : ''} — ${title} (إلى ${countArabic(n, SUBSCRIBER)})`,
    scheduledUsage: (zone: string) =>
      `/scheduled move رقم وقت — تغيير الموعد (18:00 أو 2026-12-08 18:00، بتوقيت ${zone})\n/scheduled cancel رقم — إلغاء النشر المجدول`,
    scheduledCancelButton: (id: number) => `إلغاء #${id}`,
    scheduledMoved: (id: number, when: string, zone: string) => `🕒 نُقل موعد النشر #${id} إلى ${when} بتوقيت ${zone}.`,
    scheduledCancelled: (id: number) => `أُلغي النشر المجدول #${id}، ولن يُرسل منه شيء.`,
    scheduleNotFound: (id: string) => `لا نشر مجدول بالرقم #${id}. /scheduled يعرض المجدول.`,
    scheduleStarted: (id: string, when: string) =>
      `بدأ النشر #${id} في موعده (${when})، فلا يمكن تغييره أو إلغاؤه الآن؛ ما أُرسل يبقى مرسلًا، وزر «إيقاف» يوقف ما لم يُرسل.`,
    scheduleCancelledBefore: (id: string) => `النشر #${id} أُلغي من قبل (أو سُحب خبره)، فلن يُرسل منه شيء.`,
    timeMalformed: (text: string, zone: string) =>
      `«${text}» ليس وقتًا. اكتب الساعة مثل 18:00 (أقرب 18:00 قادمة بتوقيت ${zone}) أو التاريخ والساعة مثل 2026-12-08 18:00.`,
    timePast: (text: string, now: string, zone: string) =>
      `«${text}» وقت مضى (الساعة الآن ${now} بتوقيت ${zone}). اختر وقتًا لاحقًا.`,
    timeTooFar: (text: string, days: number) => `«${text}» أبعد من ${days} يومًا. اختر وقتًا أقرب.`,
    resendFailed: 'إعادة إرسال الفاشلة',
    resent: (n: number) =>
      n === 0
        ? 'لا شيء يُعاد: ما فشل رفضته المنصة نهائيًا أو أُلغي اشتراكه.'
        : `أُعيد إلى قائمة الإرسال: ${countArabic(n, MESSAGE)}.`,
    confirm: 'تأكيد',
    cancelled: 'أُلغي النشر، لم يُرسل شيء.',
    alreadyDecided: 'تمّ التعامل مع هذا النشر من قبل.',
    progress: (sent: string, failed: string, remaining: string) =>
      `جارٍ النشر — أُرسل: ${sent}، فشل: ${failed}، متبقٍّ: ${remaining}`,
    done: (sent: string, failed: string) => `انتهى النشر — أُرسل: ${sent}، فشل: ${failed}`,
    stopped: (sent: string, skipped: string) => `أُوقف النشر — أُرسل: ${sent}، أُلغي: ${skipped}`,
    waitingForChats: (n: number, until: string) =>
      `، بانتظار موعد المحادثة (ساعات الهدوء أو الملخص): ${n} حتى ${until}`,
    addChannelUsage: 'الاستعمال: /addchannel @اسم_القناة أو رقمها',
    channelNotFound: (c: string) => `لم أجد القناة ${c}. تأكّد من الاسم ومن أنّ البوت مضاف إليها.`,
    channelNotAdmin: (c: string) => `البوت ليس مشرفاً في ${c}. أضفه مشرفاً أولاً.`,
    channelNoPost: (c: string) => `البوت مشرف في ${c} لكن دون صلاحية «نشر الرسائل». فعّلها ثم أعد المحاولة.`,
    channelAdded: (c: string) => `تمّ اشتراك القناة ${c}.`,
    channelJoined: (c: string) => `أُضيف البوت مشرفاً إلى القناة ${c}. هل تريد اشتراكها في الأخبار؟`,
    sourcesTitle: (n: string) => `المصادر (${n}):`,
    sourcesNone: 'لا توجد مصادر.',
    sourcesUsage:
      'المصادر:\n/sources — القائمة\n/sources add رابط [10m] [مراجعة] — إضافة موقع أو خلاصة؛ مع «مراجعة» لا يُنشر جديده قبل موافقة محرّر\n/sources remove رقم — حذف مصدر',
    sourcesAddedReview: (name: string, id: string, seen: number) =>
      `أُضيف المصدر #${id}: ${name}. عُلِّم من الموجود ${countArabic(seen, ITEM)} كمقروء. أخباره الجديدة تنتظر موافقة محرّر قبل النشر.`,
    reviewPublish: 'نشر',
    reviewDismiss: 'تجاهل',
    reviewPublished: (who: string, n: number) => `✅ نشره ${who} (إلى ${countArabic(n, SUBSCRIBER)}):`,
    reviewDismissed: (who: string) => `🚫 تجاهله ${who}، لم يُرسل:`,
    reviewPublishedToast: (n: number) => `نُشر: سيُرسل إلى ${countArabic(n, SUBSCRIBER)}.`,
    reviewDismissedToast: 'تُجوهل الخبر؛ لن يُرسل.',
    reviewAlready: (who: string) => `سبق أن قرّر فيه ${who}.`,
    reviewGone: 'هذا الخبر لم يعد ينتظر المراجعة.',
    reviewOperator: 'المشغّل من سطر الأوامر',
    reviewEditor: (id: string) => `المحرّر ${id}`,
    sourcesAdded: (name: string, id: string, seen: number, sent: number) =>
      `أُضيف المصدر #${id}: ${name}. عُلِّم من الموجود ${countArabic(seen, ITEM)} كمقروء، وأُرسل ${countArabic(sent, ITEM)}.`,
    sourcesAddedPollFailed: (name: string, id: string, error: string) =>
      `أُضيف المصدر #${id}: ${name}، لكن الجلب الأول فشل (${error})؛ ستُعاد المحاولة.`,
    sourcesRemoved: (name: string, id: string) => `حُذف المصدر #${id}: ${name}. تبقى أخباره محفوظة.`,
    sourcesRefused: (why: string) => `تعذّر ذلك: ${why}`,
    notFound: (r: string) => `لم أجد الخبر ${r}.`,
    error: 'حدث خطأ؛ حاول مرة أخرى لاحقاً.',
    notACommand: 'لم أفهم. أرسل /help لقائمة الأوامر، أو /latest لآخر الأخبار.',
    stats: (st: StatsSaid, timeZone: string, label: (platform: string) => string) =>
      [
        `📊 الإحصاءات`,
        `الأخبار المخزّنة: ${st.articles}`,
        `الاشتراكات: ${st.subscriptions.map((p) => `${label(p.platform)} ${p.active} نشط، ${p.inactive} متوقف`).join('؛ ') || 'لا اشتراكات'}`,
        `الإرسال: ${
          Object.entries(st.deliveries)
            .map(
              ([p, by]) =>
                `${label(p)}: أُرسل ${by.sent ?? 0}، فشل ${by.failed ?? 0}، ينتظر ${(by.queued ?? 0) + (by.sending ?? 0)}`,
            )
            .join('؛ ') || 'لا شيء بعد'
        }`,
        `قائمة الانتظار: ${st.queueDepth}${st.oldestQueuedSeconds !== null ? `، أقدمها منذ ${st.oldestQueuedSeconds} ث` : ''}`,
        ...st.waiting.map(
          (w) =>
            `⏳ ${label(w.platform)}: ${countArabic(w.count, WAITING_MESSAGE)} — ${AR_WAIT_REASONS[w.why]}${w.detail ? ` (${w.detail})` : ''}`,
        ),
        ...st.waitingForChats.map(
          (w) =>
            `🌙 ${label(w.platform)}: بانتظار موعد المحادثة (ساعات الهدوء أو الملخص): ${w.count} حتى ${localClock(Date.parse(w.until), timeZone)}`,
        ),
        ...st.scheduled.map(
          (w) =>
            `🕒 ${label(w.platform)}: المجدول: ${countArabic(w.count, MESSAGE)}، يبدأ إرساله ${localDateTime(Date.parse(w.next), timeZone)}`,
        ),
        ...(st.inDoubt.length
          ? [
              `⚠️ غير مؤكَّد الإرسال (توقّف البرنامج أثناء إرسالها): ${st.inDoubt.map((d) => `#${d.id}`).join('، ')} — راجعوا هذه المحادثات ثم nashra in-doubt`,
            ]
          : []),
        `المصادر: ${st.sources.total} (${st.sources.active} نشط)`,
        ...st.sources.failingForADay.map((f) => `❌ المصدر #${f.id} ${f.name} يفشل منذ ${f.since}: ${f.error ?? ''}`),
      ].join('\n'),
    /** /settings: how a chat's messages look, with buttons. */
    settings: {
      title: (name: string) => `⚙️ إعدادات ${name}`,
      header: 'العلامة',
      footer: 'التذييل',
      none: 'بلا',
      byDefault: ' (الافتراضي)',
      hashtags: 'الوسوم',
      source: 'سطر المصدر',
      date: 'التاريخ',
      photo: 'الصورة',
      fullStory: 'زرّ النص الكامل',
      preview: 'معاينة الرابط',
      previews: { default: 'تلقائية', none: 'بلا', small: 'صغيرة', large: 'كبيرة فوق النص' },
      reset: '↺ الإعدادات الافتراضية',
      pick: 'اختر المحادثة:',
      nothing: 'لا اشتراكات تديرها هنا. أضف قناة بـ /addchannel أو اشترك بـ /subscribe.',
      saved: 'تمّ الحفظ.',
      notAllowed: 'عذراً، إعدادات هذه المحادثة يغيّرها مشرفوها والمحرّرون فقط.',
      gone: 'هذا الاشتراك لم يعد نشطاً.',
      usage: (id: number) =>
        `العلامة والتذييل: /settings ${id} header نص، أو /settings ${id} footer نص («-» لحذفه، «default» للافتراضي). مرشّح لمصدر واحد: /settings ${id} source رقم_المصدر سوريا -رياضة (بلا كلمات: يُحذف).`,
      filter: 'المرشّح',
      all: 'كل الأخبار',
    },
    /** An OPML file sent to the bot: the import and its report. */
    opml: {
      working: (name: string) => `جارٍ استيراد ${name}… (يُجلب كل مصدر جديد مرة للتحقق منه)`,
      tooLarge: (mb: number) => `الملف أكبر من ${mb} م.ب؛ ليس قائمة مصادر.`,
      unreadable: (platform: string) => `تعذّر تنزيل الملف من ${platform}؛ أعد إرساله.`,
      notEditor: 'استيراد المصادر للمحرّرين فقط.',
      report: (r: OpmlCounts) => `انتهى الاستيراد: أُضيف ${r.added}، متابَع من قبل ${r.already}، رُفض ${r.refused}.`,
      added: '✅ أُضيف',
      already: '↩️ متابَع من قبل',
      refused: '❌ رُفض',
    },
    fullStoryUnknown: 'لم نجد هذا الخبر. افتح الزرّ من منشور في القناة أو المجموعة من جديد.',
  },
  /** The command menu a chat app shows (setMyCommands). */
  chatMenu: [
    { command: 'latest', description: 'آخر الأخبار' },
    { command: 'search', description: 'البحث في الأخبار' },
    { command: 'subscribe', description: 'الاشتراك' },
    { command: 'unsubscribe', description: 'إلغاء الاشتراك' },
    { command: 'topics', description: 'اختيار المواضيع' },
    { command: 'settings', description: 'شكل الرسائل' },
    { command: 'digest', description: 'ملخص كل ساعة أو كل يوم' },
    { command: 'quiet', description: 'ساعات الهدوء' },
    { command: 'help', description: 'المساعدة' },
  ],
  /** The bot's one-line description in the chat app. */
  chatDescription: 'نشرة: ملخّصات قصيرة لأخبار سوريا والعالم العربي، تصلك مرة واحدة.',
  /**
   * A chat answered in words, without buttons: a preview confirmed by «نعم» within 5 minutes, «جدولة 18:00», a story's
   * full text asked for by replying «المزيد».
   */
  replies: {
    commands: {
      adminsOnly: 'عذرًا، إضافة النشرة إلى المجموعة أو إيقافها متاحة لمشرفي المجموعة فقط.',
      subscribed: '✅ اشتركت المجموعة في النشرة، وستصل ملخصات الأخبار إلى هنا تباعًا.',
      subscribedDigest: '✅ اشتركت المجموعة في النشرة بصيغة «ملخص»: تصل الأخبار مجموعةً في رسالة واحدة كل ساعة.',
      deliveryUsage:
        'لم أفهم الطلب.\n\nأمثلة:\n/digest — ملخص كل ساعة\n/digest 08:00 — ملخص يومي الساعة 8 صباحًا\n/digest 08:00 عاجل — والعاجل فورًا\n/digest فوري — الأخبار فور صدورها\n/quiet 00:00-07:00 — بلا تنبيه ليلًا\n/quiet 00:00-07:00 انتظار عاجل — تُؤجَّل إلى الصباح إلا العاجل\n/quiet إيقاف',
      deliveryNow: (what: string) => `✅ الإعدادات الآن: ${what}.`,
      alreadySubscribed: 'المجموعة مشتركة في النشرة بالفعل.',
      unsubscribed: 'تم إيقاف النشرة في هذه المجموعة.',
      notSubscribed: 'هذه المجموعة غير مشتركة في النشرة.',
      noArticles: 'لا توجد أخبار بعد.',
      editorsOnly: 'عذرًا، هذا الأمر متاح للمحررين فقط.',
      broadcastInPrivate: 'أرسل أمر البث في محادثة خاصة مع هذا الرقم.',
      broadcastUsage: 'الاستخدام: /broadcast <رابط الخبر أو رقمه>',
      broadcastNobody: 'لن يصل هذا الخبر إلى أحد: لا اشتراك مطابقًا ينتظره، فلم يُفتح بث.',
      cancelled: 'أُلغي البث، ولم يُرسل شيء.',
      expired: 'انتهت مهلة التأكيد (5 دقائق)، فأُلغي البث ولم يُرسل شيء.',
      channelUsage: 'لإضافة قناة: /subscribe <معرّف القناة>@newsletter (والحساب مشرف عليها).',
      channelNotAdmin: 'هذا الحساب ليس مشرفًا على هذه القناة، فلا يستطيع النشر فيها.',
      fullTextOn: '✅ يستطيع أعضاء المجموعة الآن طلب النص الكامل لخبر بالرد على رسالته بكلمة «المزيد».',
      fullTextOff: '✅ لن يُرسل النص الكامل في المجموعة؛ ومن أراده ردّ على الخبر ردًّا خاصًّا بكلمة «المزيد».',
      fullTextUsage:
        'الاستخدام: /fulltext on (يُرسل النص الكامل في المجموعة لمن يطلبه) أو /fulltext off (في المحادثة الخاصة فقط).',
      welcome:
        'مرحبًا! أنا بوت «نشرة». يستطيع مشرفو المجموعة إرسال /subscribe لتصلكم ملخصات الأخبار، و/latest لآخر الأخبار.',
      failed: 'تعذّر تنفيذ الأمر الآن، حاول لاحقًا.',
      topics: (filter: string) => `\nالمواضيع: ${filter}`,
      channelSubscribed: (name: string) => `✅ اشتركت القناة «${name}» في النشرة.`,
      channelUnsubscribed: 'تم إيقاف النشرة في هذه القناة.',
      channelNotSubscribed: 'هذه القناة غير مشتركة في النشرة.',
      notFound: (why: string) => `لم أجد هذا الخبر. أرسل رابط خبر أو رقمه.\n(${why})`,
      // A subscription (اشتراك, masculine) per chat: «إلى 3 اشتراكات».
      preview: (story: string, willReceive: number, already: number, failed: number) =>
        `معاينة البث:\n\n${story}\n\n━━━━━━━━\nللإرسال إلى ${countArabic(willReceive, SUBSCRIPTION_AFTER_PREPOSITION)}` +
        `${already ? ` (ووصل من قبل إلى ${countArabic(already, SUBSCRIPTION_AFTER_PREPOSITION)})` : ''}${failed ? ` (وفشل من قبل عند ${countArabic(failed, SUBSCRIPTION_AFTER_PREPOSITION)})` : ''}` +
        ' أرسل «نعم» خلال 5 دقائق، أو «جدولة 18:00» ليُرسل في موعد. أي رد آخر يلغي البث.',
      queued: (n: number) =>
        n > 0
          ? `✅ أُضيف البث إلى قائمة الإرسال: ${countArabic(n, MESSAGE)}.`
          : '✅ تم التأكيد، لكن كل الاشتراكات استلمت هذا الخبر من قبل.',
      scheduled: (id: number, when: string, zone: string, n: number) =>
        `🕒 جُدول البث #${id}: ${when} بتوقيت ${zone}، إلى ${countArabic(n, SUBSCRIPTION_AFTER_PREPOSITION)}. ` +
        'يُغيَّر موعده أو يُلغى من «المجدول» في المكتب، أو بـ nashra scheduled.',
      timePast: (text: string, now: string, zone: string) =>
        `«${text}» وقتٌ مضى (الساعة الآن ${now} بتوقيت ${zone}): أرسل «جدولة» مع وقت لاحق، أو «نعم» للإرسال الآن.`,
      timeTooFar: (text: string, days: number) =>
        `«${text}» أبعد من ${days} يومًا: أرسل «جدولة» مع وقت أقرب، أو «نعم» للإرسال الآن.`,
      timeMalformed: (text: string, zone: string) =>
        `«${text}» ليس وقتًا. مثال: «جدولة 18:00» (أقرب 18:00 قادمة) أو «جدولة 2026-12-08 18:00»، بتوقيت ${zone}.`,
    },
    corrections: {
      correctUsage:
        'الاستخدام:\n/correct <رقم الخبر أو رابطه>\nالعنوان المصحّح\nجمل الملخّص، سطر لكل جملة (تُترك إن لم تتغيّر)',
      retractUsage: 'الاستخدام: /retract <رقم الخبر أو رابطه>',
      unchanged: 'لا فرق يراه القارئ؛ لا شيء للتصحيح.',
      cancelled: 'أُلغي، ولم يتغيّر شيء.',
      expired: 'انتهت مهلة التأكيد (5 دقائق)، فأُلغي ولم يتغيّر شيء.',
      alreadyRetracted: 'سُحب هذا الخبر من قبل.',
      reportUsage: 'الاستخدام: /corrections <رقم الخبر>',
      refused: (why: string) => `تعذّر ذلك: ${why}`,
      correctPreview: (story: string, posts: string) =>
        `معاينة التصحيح:\n\n${story}\n\n━━━━━━━━\n` +
        `${posts ? `ستُعدَّل المنشورات المرسلة: ${posts}.` : 'لم يُرسل منه شيء بعد.'} أرسل «نعم» خلال 5 دقائق للتصحيح. أي رد آخر يلغيه.`,
      // «يُحذف» before «منشور» (masculine), «تُلغى» before «رسالة» (feminine).
      retractPreview: (title: string, posts: string, queued: number) =>
        `سحب الخبر «${title}»: ${posts ? `يُحذف ${posts}` : 'لم يُرسل منه شيء'}` +
        `${queued ? `، وتُلغى ${countArabic(queued, UNSENT_MESSAGE)}` : ''}. لن يُرسل بعد ذلك أبدًا.\nأرسل «نعم» خلال 5 دقائق للسحب. أي رد آخر يلغيه.`,
      corrected: (queued: number, articleId: number) =>
        `✅ تمّ التصحيح؛ ${queued ? `يُعدَّل ${countArabic(queued, POST)}` : 'لم يُرسل منه شيء بعد، فيصل مصحّحًا'}. للنتيجة: /corrections ${articleId}`,
      retracted: (queued: number, cancelled: number, articleId: number) =>
        `✅ سُحب الخبر: ${queued ? `يُحذف ${countArabic(queued, POST)}` : 'لا منشور يُحذف'}` +
        `${cancelled ? `، وأُلغيت ${countArabic(cancelled, WAITING_MESSAGE)}` : ''}. للنتيجة: /corrections ${articleId}`,
      none: 'لا تصحيح ولا سحب لهذا الخبر.',
      /** «تيليغرام (سحب): حُذف: 3 منشورات، تعذّر لمسه: منشور واحد\nالأسباب: …». */
      tally: (platform: string, kind: string, parts: string, reasons: string) =>
        `${platform} (${kind}): ${parts}${reasons ? `\nالأسباب: ${reasons}` : ''}`,
    },
    fullStory: {
      retracted: 'سُحب هذا الخبر.',
      busy: 'يُرسَل الآن نصّ خبر كامل إلى هذه المحادثة؛ اطلبوا غيره حين ينتهي.',
      notAReply: 'لقراءة خبر كاملًا، ردّ على رسالته بكلمة «المزيد».',
      notAStory: 'لم أجد خبرًا من «نشرة» في الرسالة التي رددت عليها. ردّ بكلمة «المزيد» على رسالة الخبر نفسها.',
      several: 'هذه الرسالة تضم عدة أخبار؛ ردّ بكلمة «المزيد» على رسالة الخبر نفسه، أو افتح رابطه.',
      capReached: 'بلغ ما يُرسَل اليوم حدّه؛ اطلب النص الكامل غدًا.',
      cut: '… وللخبر تتمة أطول من أن تُرسل هنا.',
    },
    /** What the editors are told when the account behind a platform cannot send (named by its label; `login` is the command). */
    account: {
      notLoggedIn: (platform: string, platformEn: string, login: string) =>
        `⚠️ ${platformEn}: الحساب غير مسجَّل الدخول، ولن يُرسل شيء إلى ${platform}. شغّلوا ${login} ثم أعيدوا التشغيل. (${platformEn} is not logged in: run \`${login}\`.)`,
      loggedOut: (platform: string, platformEn: string, why: string, login: string) =>
        `⚠️ ${platformEn}: خرج الحساب من الجلسة (${why}). توقف الإرسال إلى ${platform}، والأخبار محفوظة في قائمة الانتظار. سجّلوا الدخول من جديد: ${login} ثم أعيدوا التشغيل.`,
    },
  },
  /** The words inside a post or a story's full text (always Arabic: the news is). */
  post: {
    fullStoryButton: 'النص الكامل',
    /** What replaces a retracted post that a platform refuses to delete (too old, no rights). */
    retractionNotice: 'سُحب هذا الخبر',
    /** How a reply that carries a correction begins, where the post itself can no longer be edited. */
    correctionPrefix: 'تصحيح:',
    digestTitle: '📰 ملخص الأخبار',
    urgentMark: '🔴 عاجل',
    /** An urgent alert's source (it has no site). */
    urgentSource: 'عاجل',
    /** The source of an article that names none (a file, a pasted text). */
    defaultSource: 'نشرة',
    source: (name: string) => `المصدر: ${name}`,
    originalLink: 'الخبر في موقعه الأصلي',
  },
  /** A platform's refusals in a correction report, the platform named by its label. */
  refusals: {
    deleteRefused: (platform: string) =>
      `رفض ${platform} حذف المنشور (أقدم من 48 ساعة، أو لا صلاحية للبوت) وتحويله إلى إشعار السحب`,
    postGone: 'المنشور محذوف من المحادثة',
    editRefused: (platform: string) => `رفض ${platform} تعديل المنشور`,
    blocked: 'حظر المشترك البوت',
    kicked: 'أُخرج البوت من المحادثة',
    chatGone: 'المحادثة لم تعد موجودة',
    noRights: 'لا صلاحية للبوت في المحادثة',
  },
  /** The pages a post's link opens when there is no article to send the reader to. */
  links: {
    retractedTitle: 'سُحب هذا الخبر',
    retracted: 'سُحب هذا الخبر: سحبته غرفة الأخبار بعد نشره، فلم يعد متاحاً.',
    notFound: 'هذا الرابط غير موجود.',
  },
  /** Said wherever reach is shown. */
  viewsNote: VIEWS_NOTE,
  /** What the newsroom refuses of what a person typed (src/refusal.ts): its message in the logs, the CLI's line. */
  refused: (r: NewsroomRefusal): string => {
    switch (r.kind) {
      case 'interval':
        return `يجب أن تكون مدة --interval بين دقيقة (1m) و24 ساعة (24h)، مثل 10m أو 90s أو 1h، لا "${r.raw}"`;
      case 'not-a-url':
        return `"${r.input}" ليس عنوانًا: اكتب العنوان كاملًا، مثل https://www.example.com/feed/`;
      case 'not-http':
        return `${r.input}: لا يكون المصدر إلا عنوان http أو https`;
      case 'cannot-add':
        return `تعذّرت إضافة ${r.url}: ${r.why}`;
      case 'window':
        return `"${r.text}" ليست مدة: اكتبها مثل 24h أو 7d أو 4w (سنة على الأكثر)`;
      case 'opml-too-large':
        return `ملف OPML أكبر من ${r.mb} ميغابايت`;
      case 'not-opml':
        return `ليس ملف OPML (${r.xml})`;
      case 'opml-no-body':
        return 'ليس ملف OPML (لا <body> فيه)';
      case 'opml-too-many':
        return `في ملف OPML ${countArabic(r.feeds, SOURCE)}؛ استورد ${r.max} على الأكثر في المرة الواحدة`;
      case 'send-time': {
        const shown = `«${r.text.slice(0, 40)}»`;
        if (r.reason === 'past') return `${shown} وقت مضى (الساعة الآن ${r.now} بتوقيت ${r.timeZone}): اختر وقتًا لاحقًا`;
        if (r.reason === 'too-far')
          return `${shown} أبعد من ${r.days} يومًا (آخر وقت ممكن: ${r.latest}): اختر وقتًا أقرب`;
        return `${shown} ليس وقتًا: اكتب الساعة مثل 18:00 (أقرب 18:00 قادمة بتوقيت ${r.timeZone}) أو التاريخ والساعة مثل 2026-12-08 18:00`;
      }
      case 'no-article':
        return `لا خبر محفوظ برقم ${r.id}${r.broadcastOf === undefined ? '' : `؛ ${r.id} رقم بثّ، للخبر ${r.broadcastOf}`}`;
      case 'no-article-ref':
        return `لا خبر محفوظ يطابق «${r.ref}» (أعطِ رقمًا من nashra latest، أو رابط خبر جُلب من قبل)`;
      case 'not-held':
        return `الخبر ${r.articleId} غير محجوز للمراجعة (انظر nashra review list)`;
      case 'retracted-not-corrected':
        return `سُحب الخبر ${r.articleId}؛ فلا يُصحَّح`;
      case 'retracted-not-sent':
        return `سُحب الخبر ${r.articleId}؛ فلن يُرسل مرة أخرى`;
      case 'already-retracted':
        return `سُحب الخبر ${r.articleId} من قبل (سحبه ${r.by})`;
      case 'no-broadcast-sent':
        return `لم يُرسل بثّ برقم ${r.broadcastId} (يأخذ nashra resend <article-id> رقم خبر)`;
      case 'no-job':
        return `لا مهمة برقم ${r.jobId}`;
      case 'not-in-doubt':
        return `${AR_JOB_KINDS[r.job] ?? r.job} ${r.jobId} حالته «${AR_JOB_STATES[r.state] ?? r.state}»، لا «${AR_JOB_STATES.in_doubt}»`;
      case 'paid-off':
        return 'البث المدفوع متوقف: لم يُضبط سعر مدفوع لأي منصة';
      case 'urgent-empty':
        return 'الخبر العاجل يحتاج إلى نصّه';
      case 'urgent-too-long':
        return `لا يتجاوز الخبر العاجل ${countArabic(r.max, CHARACTER)} (وفي هذا ${countArabic(r.length, CHARACTER)})`;
      case 'unknown-platform':
        return `لا منصة باسم «${r.platform}» (المنصات المعروفة: ${r.known.join('، ')})`;
      case 'title-empty':
        return 'لا يكون العنوان فارغًا';
      case 'title-too-long':
        return `العنوان أطول من ${countArabic(r.max, CHARACTER)}`;
      case 'summary-too-many':
        return `في الملخص أكثر من ${countArabic(r.max, SENTENCE)}`;
      case 'summary-too-long':
        return `الملخص أطول من ${countArabic(r.max, CHARACTER)}`;
      case 'hashtags-too-many':
        return `الوسوم أكثر من ${countArabic(r.max, HASHTAG)}`;
      case 'hashtag-too-long':
        return `أحد الوسوم أطول من ${countArabic(r.max, CHARACTER)}`;
      case 'already-followed':
        return `${r.url} متابَع من قبل برقم #${r.id} (${r.name}، ويُقرأ من ${r.polling})`;
      case 'no-source':
        return `لا مصدر برقم #${r.id} (انظر nashra sources list)`;
      case 'source-already':
        return `المصدر #${r.id} ${r.active ? 'نشط' : 'موقوف'} من قبل`;
      case 'source-paused':
        return `المصدر #${r.id} موقوف: استأنفه أولًا`;
      case 'no-subscription':
        return `لا اشتراك برقم ${r.id} (انظر nashra subs list)`;
      case 'subscription-inactive':
        return `الاشتراك ${r.id} غير نشط`;
      case 'template-line':
        return `${r.field === 'headerMark' ? 'العلامة فوق العنوان' : 'التذييل'} سطر واحد لا يتجاوز ${countArabic(r.max, CHARACTER)}`;
      case 'link-preview':
        return `«${r.value}» ليست من خيارات معاينة الرابط (${r.allowed.join('، ')})`;
      case 'time-zone':
        return `منطقة زمنية غير معروفة «${r.zone}» (اسم من قاعدة IANA مثل Asia/Damascus أو Europe/Berlin)`;
      case 'quiet-same-times':
        return 'تبدأ ساعات الهدوء وتنتهي في وقتين مختلفين';
      case 'chat-id':
        return `«${r.chatId}» ليس معرّف محادثة في ${r.platform.ar} (${r.forms.map((f) => AR_CHAT_ID_FORMS[f.shape](f.example)).join('، ')})`;
      case 'console-target':
        return `«${r.name}» لا يصلح اسمًا لهدف في الطرفية (حروف وأرقام و. و_ و-)`;
      case 'outlet-exists':
        return `المؤسسة «${r.slug}» موجودة من قبل`;
      case 'no-outlet':
        return `لا مؤسسة باسم ${JSON.stringify(r.slug)} (nashra outlets list)`;
      case 'outlet-slug':
        return `${JSON.stringify(r.slug)} لا يصلح اسمًا لمؤسسة: استعمل من 2 إلى 32 من الأحرف اللاتينية الصغيرة والأرقام والشرطات (مثل sy24)`;
      case 'outlet-name':
        return `اسم المؤسسة نصّ من حرف واحد إلى ${countArabic(r.max, CHARACTER)}، بلا محارف تحكّم ولا محارف تغيير الاتجاه`;
      case 'env-prefix':
        return `يأخذ الخيار --env-prefix بداية أسماء متغيّرات البيئة، بأحرف كبيرة وتنتهي بـ _ (مثل SY24_)، لا ${JSON.stringify(r.value)}`;
      case 'env-prefix-taken':
        return `المؤسسة «${r.slug}» تقرأ المتغيّرات ${r.prefix}… من قبل؛ ولكل مؤسسة بادئتها`;
      case 'main-outlet':
        return 'المؤسسة «main» تحفظ قائمة المؤسسات وحسابات المكتب؛ فلا تُحذف';
      case 'editor-exists':
        return `محرّر المكتب «${r.username}» موجود من قبل`;
      case 'no-editor':
        return `لا محرّر في المكتب باسم «${r.username}» (انظر nashra editors list)`;
      case 'not-member':
        return `محرّر المكتب «${r.username}» ليس عضوًا في المؤسسة «${r.outlet}»`;
      case 'role':
        return `دور المكتب admin أو editor، لا ${JSON.stringify(r.role)}`;
      case 'username':
        return `«${r.name}» ليس اسم مستخدم صالحًا (من 2 إلى 40 من الحروف أو الأرقام أو «.» أو «-» أو «_»)`;
      case 'username-mixed':
        return `«${r.name}» يخلط حروفًا لاتينية أو سيريلية أو يونانية يشبه بعضها بعضًا: اكتبه بواحدة منها`;
      case 'password-short':
        return `لا تقل كلمة المرور عن ${countArabic(r.min, CHARACTER)}`;
      case 'password-long':
        return `لا تزيد كلمة المرور على ${countArabic(r.max, CHARACTER)}`;
      case 'not-an-article':
        return `${r.input}: ليس خبرًا: ${r.why}`;
      case 'not-a-file':
        return `${r.path}: ليس ملفًا`;
      case 'file-unreadable':
        return `${r.path}: تعذّرت قراءة الملف (${r.code})`;
      case 'file-empty':
        return `${r.path}: الملف فارغ`;
      case 'fetch-failed':
        return `تعذّر جلب الصفحة: ${r.why}`;
      case 'not-a-page':
        return `${r.url}: ليست صفحة خبر (نوع المحتوى ${r.contentType || 'غير معروف'})`;
      case 'not-text':
        return `${r.input}: ليس نصّ خبر (${r.reason})`;
      case 'delivery-words':
        return AR_DELIVERY_PROBLEM(r.problem);
      case 'choose-chat':
        return 'اختر محادثة واحدة على الأقل';
      case 'choose-verdict':
        return 'اختر «علّمها مُرسلة» أو «أرسلها مجدداً»';
    }
  },
  /** How a chat's delivery settings are said (describeDelivery puts them together), and what was wrong with words typed. */
  delivery: {
    immediate: 'الأخبار فور صدورها',
    hourly: 'ملخص كل ساعة',
    daily: (at: string) => `ملخص يومي الساعة ${at}`,
    urgentNow: '، والعاجل فورًا',
    noQuiet: 'بلا ساعات هدوء',
    quiet: (from: string, to: string) => `ساعات الهدوء ${from}–${to}`,
    silent: 'تصل بلا تنبيه',
    wait: 'تُؤجَّل إلى نهايتها',
    quietUrgent: 'إلا العاجل',
    separator: '؛ ',
    problem: AR_DELIVERY_PROBLEM,
  },
  /** What became of a story's posts after a correction or a retraction: the one report every front door gives. */
  report: {
    kind: { edit: 'تصحيح', delete: 'سحب' },
    /** Between a report's parts in a sentence. */
    separator: '، ',
    part: tallyPart,
    /** The parts of one platform's report: «عُدّل: 3 منشورات»… */
    parts: (t: CorrectionTally) => tallyParts(t, tallyPart),
    reason,
    /** The reasons of one platform's report: «لا تتيح الطرفية تعديل منشوراتها ولا حذفها (1)». */
    reasons: (t: CorrectionTally, label: (platform: string) => string, refusal?: Refusal) =>
      t.reasons.map((r) => `${reason(r.reason, t.platform, label, refusal)} (${r.count})`).join('؛ '),
    /** «22 منشورًا على تيليغرام ومنشور واحد على الطرفية»: the posts sent, per platform; '' when none was sent. */
    posts: (posts: readonly PostsSent[], label: (platform: string) => string) =>
      posts
        .filter((p) => p.sent > 0)
        .map((p) => `${countArabic(p.sent, POST)} على ${label(p.platform)}`)
        .join(' و'),
  },
  /** The newsroom desk's words. A page asks for `t(lang)` and never writes a visible string of its own. */
  /**
   * The `nashra` command line's words: --help (commander's descriptions), results, refusals and the errors it explains.
   * Printed in Arabic when NASHRA_CLI_LANGUAGE=ar (English is the default); machine-readable output is not here.
   */
  cli: {
    /** Commander's --help: the program, each command's description, its arguments and options. */
    help: {
      /** `platforms`: the chat apps installed, by their labels («تيليغرام وواتساب»). */
      program: (platforms: readonly string[]) =>
        `ملخّصات الأخبار العربية، تصل مرة واحدة بالضبط إلى ${new Intl.ListFormat('ar').format(platforms)}`,
      db: 'قاعدة بيانات SQLite (الافتراضي: DATABASE_PATH، أو ./data/nashra.db)',
      outlet: 'المؤسسة (غرفة التحرير) التي يعمل عليها الأمر (الافتراضي: الوحيدة؛ nashra outlets list)',
      yes: 'الإدراج في قائمة الإرسال دون سؤال',
      id: (command: string) => `من nashra ${command}`,
      articleRef: 'رقم من nashra latest، أو رابط خبر مخزّن',
      run: 'جلب المصادر وإرسال ما في قائمة الإرسال عبر كل منصة مضبوطة',
      runOnce: 'جلبة واحدة لكل مصدر نشط، ثم الإرسال حتى تفرغ القائمة، ثم الخروج',
      preview: 'الرسالة كما سترسل تمامًا؛ لا يُخزَّن شيء',
      previewInput: 'ملف نصي أو HTML، أو رابط خبر',
      previewPlatform: 'تنسيق أيّ منصة',
      previewJson: 'رسالة كل منصة والملخص والوسوم بصيغة JSON',
      ingest: 'تخزين الأخبار (يُبلَّغ عن المكرّر ولا يُخزَّن) وإدراجها للمشتركين المطابقين',
      ingestSourceName: (byDefault: string) => `ناشره (لا موقع للملف يُسمّى به؛ الافتراضي «${byDefault}» أو اسم الكاتب)`,
      ingestUrl: 'عنوان الخبر العام، يظهر رابطًا له (لمُدخَل واحد)؛ الملف بلا عنوان يُرسل بلا رابط',
      ingestPublishedAt: 'وقت نشره بصيغة ISO 8601 (2026-11-25T14:05+03:00)؛ الافتراضي: بلا تاريخ',
      subs: 'الاشتراكات: المحادثات التي تصلها الأخبار',
      subsAdd: 'اشتراك محادثة، أو تغيير ما يصلها ومتى (ما لم يُذكر من الإعدادات يبقى كما هو)',
      subsPlatform: (names: string) => `إحدى: ${names}`,
      /** Platforms by the labels of their descriptors (the catalogue names none): the bot app, the phone app. */
      subsChat: (botApp: string, phoneApp: string) =>
        `مثل -1001234567890 أو @channel (${botApp})، 1203…@g.us (${phoneApp})`,
      subsTopics: 'كلمات أو عبارات بينها فواصل؛ لا يُرسل إلا ما يطابقها (الافتراضي: كل الأخبار)؛ «-كلمة» تستبعد',
      subsExclude: 'كلمات أو عبارات بينها فواصل: لا يُرسل أبدًا خبر يذكر أيًّا منها',
      subsKind: 'نوع المحادثة (الافتراضي: من رقمها)',
      subsThread: (botApp: string) => `موضوع في منتدى (message_thread_id في ${botApp})`,
      subsSet: 'تغيير ما يصل إلى اشتراك قائم وكيف ومتى (ما لم يُذكر من الإعدادات يبقى كما هو)',
      subsSetTopics: 'كلمات أو عبارات للتضمين بينها فواصل (تحلّ محل نصف التضمين؛ "" لكل الأخبار)',
      subsSetExclude: 'كلمات أو عبارات للاستبعاد بينها فواصل (تحلّ محل نصف الاستبعاد)',
      subsSetSource: 'يضبط --topics و--exclude مرشّح هذا المصدر وحده (على خبره أن يجتاز المرشّحين معًا)',
      header: 'سطر فوق العنوان، كما كُتب',
      noHeader: 'بلا سطر علامة',
      footer: 'سطر ختامي، كما كُتب',
      noFooter: 'بلا تذييل',
      hashtags: 'إظهار سطر الوسوم',
      noHashtags: 'بلا سطر وسوم',
      sourceLine: 'إظهار سطر المصدر',
      noSourceLine: 'بلا سطر مصدر',
      date: 'إظهار التاريخ',
      noDate: 'بلا تاريخ',
      photo: 'إرسال الصورة الرئيسية صورةً والملخّص تعليقًا عليها',
      noPhoto: 'نص فقط، ولو كان للخبر صورة رئيسية',
      fullStory: (button: string) => `زرّ «${button}» تحت المنشورات: الخبر كاملًا في المحادثة`,
      noFullStory: (button: string) => `بلا زرّ «${button}»`,
      linkPreview: (phoneApp: string) => `معاينة الرابط تحت الرسالة النصية (${phoneApp}: small وlarge تعنيان تشغيلها)`,
      fullStoryInGroup: (phoneApp: string) =>
        `لأعضاء المجموعة أن يطلبوا نص الخبر الكامل في المجموعة (${phoneApp}: الردّ بـ«المزيد»)`,
      noFullStoryInGroup: 'النص الكامل في المحادثة الخاصة بالقارئ فقط (الافتراضي)',
      defaults: (fields: string) => `العودة إلى افتراضي البيئة: all، أو بعض ${fields}`,
      subsList: 'كل الاشتراكات وحال كل منها',
      subsRemove: 'إيقاف الاشتراك (يبقى سجلّه، فلا يصل الخبر مرتين إلى محادثة أُعيدت إضافتها)',
      digest: 'hourly، أو daily@HH:MM (بالتوقيت المحلي، مثل daily@08:00)، أو off (كل خبر فور صدوره)',
      urgentWhen: 'الأخبار العاجلة لاشتراك الملخص: now (فورًا) أو digest (ضمن الملخص)',
      timeZone: 'المنطقة الزمنية (IANA) لموعد الملخص وساعات الهدوء (الافتراضي NASHRA_TIME_ZONE، Asia/Damascus)',
      quiet: 'ساعات الهدوء بالتوقيت المحلي HH:MM-HH:MM (مثل 00:00-07:00)، أو off',
      quietMode: 'داخل ساعات الهدوء: silent (بلا تنبيه) أو wait (تُرسل حين تنتهي)',
      quietUrgent: 'الأخبار العاجلة لا تتقيّد بساعات الهدوء',
      latest: 'أحدث n ملخّصات',
      latestN: 'كم خبرًا (من 1 إلى 50)',
      broadcast: 'معاينة خبر، ثم إدراجه لكل اشتراك نشط مطابق',
      broadcastArticle: 'رقم من nashra latest، أو رابط (يُجلب ويُخزَّن إن لم يكن مخزّنًا)',
      broadcastAll: 'كل اشتراك نشط، أيًّا كانت مواضيعه',
      broadcastPlatform: 'كل اشتراك نشط على منصة واحدة',
      paid: 'الإرسال فوق السرعة المجانية حيث تتيحه المنصة بأجر (تذكر المعاينة الكلفة)',
      at: (days: number) =>
        `جدولته: 18:00 (أقرب 18:00 قادمة بتوقيت NASHRA_TIME_ZONE) أو "2026-12-08 18:00"، على ألا يتجاوز ${days} يومًا`,
      urgent: (mark: string) => `كتابة خبر «${mark}» وإرساله قبل غيره، إلى الجميع`,
      urgentPaid: 'الإرسال فوق السرعة المجانية حيث تتيحه المنصة بأجر (الافتراضي إن ضُبطت الأخبار العاجلة مدفوعة)',
      urgentFree: 'لا إرسال فوق السرعة المجانية أبدًا، ولو ضُبطت الأخبار العاجلة مدفوعة',
      scheduled: 'البثّ والأخبار العاجلة المجدولة بـ --at التي لم تُرسل بعد',
      scheduledList: 'المجدول، الأقرب موعدًا أولًا',
      scheduledMove: 'موعد آخر، قبل أن يحين موعده',
      scheduledId: 'من nashra scheduled (b12)',
      scheduledTime: 'كما في --at: 18:00 أو 2026-12-08 18:00',
      scheduledCancel: 'لا يُرسل منه شيء، قبل أن يحين موعده',
      correct: 'تصحيح خبر: يُعدَّل كل منشور أُرسل (معاينة ثم تأكيد)',
      correctTitle: 'العنوان المصحّح',
      correctSummary: 'الملخّص المصحّح (جملة في كل سطر)',
      correctSummaryFile: 'الملخّص المصحّح من ملف، جملة في كل سطر (- للمدخل القياسي)',
      correctHashtags: 'وسوم بينها فواصل',
      correctYes: 'التصحيح دون سؤال',
      retract: 'سحب خبر: تُلغى رسائله المنتظرة ويُحذف كل منشور أُرسل (أو يُستبدل بإشعار)',
      retractYes: 'السحب دون سؤال',
      corrections: 'ما جرى لمنشورات خبر بعد تصحيحه أو سحبه، لكل منصة',
      sources: 'الخلاصات والمواقع التي تتابعها نشرة',
      sourcesAdd: 'متابعة خلاصة (RSS أو Atom أو JSON Feed) أو موقع ووردبريس أو صفحة خبر',
      sourcesName: 'اسم المصدر كما يظهر (الافتراضي: عنوان الخلاصة)',
      sourcesInterval: 'كل كم يُجلب: 90s، 10m، 1h',
      sourcesCategory: 'تصنيف لأخباره',
      sourcesBackfill: 'إرسال أحدث n مواد في الخلاصة الآن (الافتراضي 0: تُعلَّم مقروءة)',
      sourcesReview: (publish: string, botApp: string) =>
        `حجز الجديد لمحرّر: لا يُرسل شيء قبل «${publish}» (${botApp}) أو nashra review publish`,
      sourcesImport: 'متابعة كل خلاصات ملف OPML (تصدير قارئ خلاصات)، مع تقرير: ما أُضيف وما كان متابَعًا وما رُفض ولماذا',
      sourcesImportInterval: 'كل كم تُجلب المصادر الجديدة: 90s، 10m، 1h',
      sourcesExport: 'كل المصادر بصيغة OPML، في مجلدات حسب التصنيف (إلى الملف، أو إلى المخرج القياسي)',
      force: 'الكتابة فوق الملف',
      sourcesList: 'مع آخر جلب والحالة وعدد الأخطاء والأخبار الموجودة',
      sourcesRemove: 'التوقف عن متابعة مصدر (تبقى أخباره مخزّنة)',
      sourcesPause: 'إيقاف جلب مصدر مؤقتًا',
      sourcesResume: 'استئناف جلب مصدر موقوف (يُعلَّم ما نُشر في الأثناء مقروءًا)',
      sourcesPoll: 'جلب مصدر الآن (يأخذه nashra run العامل خلال ثانية)',
      sourcesHook: 'خطّاف النشر لمصدر: عنوانه وسرّه، ليستدعيه الموقع حين ينشر',
      sourcesHookRotate: 'سرّ جديد (يتوقف القديم فورًا)',
      sourcesHookOff: 'إيقاف الخطّاف (يُرفض كل استدعاء)',
      resend: 'إعادة إرسال ما فشل من رسائل خبر أو بثّ (ما فشل لسبب مؤقت)',
      resendId: 'رقم خبر (من nashra latest)، أو b<N> للبثّ N («#N» في المكتب)',
      resendFailed: 'كل رسالة فاشلة إلى محادثة ما زالت مشتركة، ومنها ما رفضته المنصة نهائيًا',
      inDoubt: 'المنشورات ورسائل الملخص والتعديلات والحذف التي تركها توقّف مفاجئ غير مؤكّدة (ربما وصلت وربما لم تصل)',
      inDoubtList: 'كل مهمة غير مؤكّدة، من كل نوع',
      inDoubtMarkSent: 'المحادثة تُظهرها: أغلقها مُرسلة',
      inDoubtSendAgain: 'لم تصل: أدرجها للإرسال من جديد',
      inDoubtId: 'رقم مهمة من nashra in-doubt list',
      review: 'مواد من مصادر أُضيفت بـ --review، تنتظر محرّرًا',
      reviewList: 'المواد المنتظرة، الأقدم أولًا',
      reviewPublish: 'إدراجه لكل اشتراك مطابق',
      reviewDismiss: 'لا يُرسل أبدًا',
      stats:
        'الأخبار والاشتراكات والرسائل حسب حالتها، وطول قائمة الإرسال وعمرها، والرسائل غير المؤكّدة، والمصادر الفاشلة',
      json: 'بصيغة JSON',
      reach:
        'ما حقّقه كل خبر: المنشورات والنقرات على روابطها والنقرات لكل منشور، لكل منصة ومحادثة؛ أكثر الأخبار نقرًا في اليوم والأسبوع؛ النقرات حسب الساعة ويوم الأسبوع',
      reachSince: 'إلى أي مدى في الماضي: 24h، 7d، 4w (العدد وحده أيام)',
      summarize: 'أسطر JSON {"id", "title"?, "text"} من المدخل القياسي ← {"id", "summary": [...]} لكل سطر',
      summarizeJsonl: 'قراءة أسطر JSON وكتابتها',
      summarizeSentences: 'n جمل بالضبط، بلا حدّ للطول (إعداد التقييم)',
      summarizeMaxChars: 'حدّ الطول',
      backup: 'نسخة متّسقة من قاعدة البيانات، آمنة أثناء عمل nashra run عليها',
      dbGroup: 'قاعدة البيانات نفسها: نقلها إلى PostgreSQL',
      dbCopy: 'نسخ كل صفوف قاعدة SQLite (--db، DATABASE_PATH) إلى قاعدة PostgreSQL جديدة فارغة، والتحقق من النسخة',
      dbCopyTo: 'قاعدة PostgreSQL: postgres://user:password@host:5432/database',
      outlets: 'غرف التحرير التي يخدمها هذا التثبيت، لكلٍّ مصادرها ومحادثاتها وبوتها ومحرّروها',
      outletsList: (phoneApp: string) => `كل مؤسسة، وأين صفوفها، ومن أين يأتي رمز بوتها وجلسة ${phoneApp}`,
      outletsAdd: 'مؤسسة جديدة (تُنشأ قاعدة بياناتها الآن)',
      outletsSlug: 'اسمها المختصر: أحرف لاتينية صغيرة وأرقام وشرطات (مثل sy24)',
      outletsName: 'اسمها الكامل كما يراه المحرّرون (الافتراضي: الاسم المختصر)',
      outletsEnvPrefix: 'تبدأ متغيّرات منصاتها بهذا (الافتراضي: الاسم بأحرف كبيرة و_، SY24_TELEGRAM_BOT_TOKEN)',
      outletsRemove: 'إخراج مؤسسة من القائمة؛ تبقى صفوفها',
      editors: 'حسابات محرّري المكتب على الويب (اسم المستخدم وكلمة المرور)',
      editorsAdd: 'إنشاء حساب في مؤسسة (--outlet، الافتراضي: الوحيدة)؛ تُطلب كلمة المرور مرتين في الطرفية',
      passwordStdin: 'قراءة كلمة المرور من المدخل القياسي',
      editorsRole: 'admin (يدير أيضًا مصادر المؤسسة ومحادثاتها وحساباتها) أو editor',
      editorsList: 'كل حسابات المكتب، مع مؤسساتها ودورها في كل منها',
      editorsGrant: 'السماح لحساب بالعمل في مؤسسة (--outlet)، أو تغيير دوره فيها',
      editorsGrantRole: 'admin أو editor',
      editorsRevoke: 'لم يعد الحساب يعمل في مؤسسة (--outlet)؛ يغادرها مكتبه عند صفحته التالية',
      editorsRemove: 'حذف حساب وإنهاء جلساته',
      editorsPasswd: 'تغيير كلمة مرور وإنهاء جلسات ذلك المحرّر',
      platformCommands: (platform: string, commands: string) => `${platform}: ${commands}`,
      /** A phone app linked as a device (cli.phoneApp): its \`login\` and \`doctor\`, the app by its label. */
      phoneLogin: (app: string) => `ربط رقم ${app} (برمز QR في الطرفية، أو برمز ربط)، ثم الخروج بعد حفظ الجلسة`,
      phoneLoginPairing: 'تسجيل الدخول برمز ربط لهذا الرقم (رمز البلد أولًا) بدل رمز QR',
      phoneLoginTimeout: 'التوقف بعد هذا العدد من الثواني (من 30 إلى 3600، الافتراضي 300)',
      phoneDoctor: 'فحص Chromium (بتشغيله) ومجلد الجلسة والجلسة المحفوظة؛ ويقول كيف يُصلح ما فيه خلل',
      /** Commander's headings, by the English it writes them in («Usage:», «Options:»…). */
      titles: {
        usage: 'الاستخدام:',
        arguments: 'الوسائط:',
        options: 'الخيارات:',
        globalOptions: 'الخيارات العامة:',
        commands: 'الأوامر:',
      },
      /** What commander adds after a description: «(choices: "a", "b", default: "x")». */
      extras: { choices: 'القيم الممكنة:', default: 'الافتراضي:' },
      helpOption: 'عرض المساعدة عن الأمر',
      helpCommand: 'عرض المساعدة عن الأمر',
    },
    /** An argument commander refused (it prints «nashra: error: option '--x <n>' argument 'y' is invalid. …»). */
    invalid: {
      wholeNumber: (min: number, max: number, raw: string) =>
        `يجب أن يكون عددًا صحيحًا من ${min} إلى ${max}، لا "${raw}"`,
      resendId: (raw: string) => `يجب أن يكون رقم خبر (12) أو رقم بثّ (b12)، لا "${raw}"`,
      inDoubtId: (raw: string) => `يجب أن يكون رقم مهمة (12) من nashra in-doubt list، لا "${raw}"`,
    },
    /** What is wrong with a configuration variable, after its name (src/config.ts ConfigValueError). */
    config: (p: ConfigProblem): string => {
      switch (p.kind) {
        case 'whole-number':
          return `"${p.value}" ليس عددًا صحيحًا ${p.max === Infinity ? `لا يقل عن ${p.min}` : `من ${p.min} إلى ${p.max}`}`;
        case 'duration':
          return `"${p.value}" ليس مدة (اكتبها مثل 48h أو 90m أو 2d أو 30s)`;
        case 'boolean':
          return `"${p.value}" ليس 1/0 ولا true/false ولا yes/no ولا on/off`;
        case 'one-of':
          return `"${p.value}" ليس من القيم الممكنة: ${p.allowed.join(', ')}`;
        case 'url':
          return `"${p.value}" ليس عنوانًا`;
        case 'time-zone':
          return `"${p.value}" ليس منطقة زمنية من IANA مثل Asia/Damascus`;
        case 'database-url':
          return 'ليس عنوانًا: اكتب postgres://user:password@host:5432/database، أو اتركه فارغًا لـSQLite (DATABASE_PATH)';
        case 'database-protocol':
          return `يسمّي قاعدة بيانات ${p.protocol}؛ لا يُخدم عبر الشبكة إلا postgres:// (اتركه فارغًا لـSQLite: DATABASE_PATH)`;
        case 'more-than':
          return `قيمته ${p.value}، أكثر من ${p.other} (${p.otherValue}): اجعلها ${p.otherValue} على الأكثر`;
        case 'less-than':
          return `قيمته ${p.value}، أقل من ${p.other} (${p.otherValue}): اجعلها ${p.otherValue} على الأقل`;
        case 'paid-rate-not-above':
          return `قيمته ${p.value}، ليست أعلى من ${p.other} (${p.otherValue}): لن يغيّر الدفع شيئًا`;
        case 'price':
          return `"${p.value}" ليس سعرًا بـ${p.unit} (مثل ${p.example})`;
        case 'user-id':
          return `"${p.value}" ليس رقم مستخدم في ${p.platform.ar} (اسأل ${p.ask} عن رقمك)`;
        case 'phone-number':
          return `"${p.value}" ليس رقم هاتف مع رمز بلده (مثل ${p.example})`;
        case 'token':
          return `لا يشبه رمز بوت من ${p.issuer} (أرقام ثم نقطتان : ثم ${p.secretMin} أو أكثر من الحروف اللاتينية والأرقام و_ و-)`;
        case 'token-refused':
          return `رفضت المنصة الرمز (${p.method}: ${p.code} ${p.description})؛ تحقّق منه عند ${p.issuer}`;
        case 'clicks-without-public-url':
          return 'مفعَّل لكن NASHRA_PUBLIC_URL غير مضبوط: اضبطه على العنوان الذي يصل منه القرّاء إلى خادم المكتب (https://desk.example.org)، أو أوقف عدّ النقرات';
        case 'plugin-unloadable':
          return `تعذّر تحميل الإضافة ${p.spec}: ${p.why}`;
        case 'plugin-not-platform':
          return `لا يصدّر ${p.spec} وصف منصة باسم \`platform\` (name، markup، parseSettings، classifyChat، createAdapter)`;
        case 'plugin-duplicate':
          return `${p.spec}: منصة باسم "${p.name}" مسجّلة من قبل`;
      }
    },
    /** Why a PostgreSQL database could not be opened (DATABASE_URL; src/store/index.ts DatabaseOpenError). */
    databaseOpen: (p: DatabaseOpenProblem): string => {
      switch (p.kind) {
        case 'cannot-open':
          return `تعذّر فتح قاعدة بيانات PostgreSQL ${p.target}: ${p.why}`;
        case 'schema-name':
          return `${JSON.stringify(p.schema)} لا يصلح اسمًا لمخطط في PostgreSQL`;
        case 'cannot-open-file':
          return `تعذّر فتح قاعدة البيانات ${p.path}: ${p.why}`;
        case 'disk-full':
          return `امتلأ القرص الذي يحمل قاعدة البيانات ${p.path} (${p.what})؛ أفرغ بعض المساحة وابدأ من جديد: لم يضِع شيء مما كُتب، وتُكمل البدايةُ التالية العمل`;
        case 'read-only':
          return `قاعدة البيانات ${p.path} للقراءة فقط (${p.what})؛ اجعل الملف وملفَّي ‎-wal و‎-shm بجانبه ومجلدها قابلة للكتابة لهذا المستخدم، وابدأ من جديد`;
        case 'damaged':
          return `قاعدة البيانات ${p.path} تالفة (${p.what})؛ توقّف واستعِدها من نسخة احتياطية (README، Backup and restore)`;
        case 'unreadable':
          return `تتعذّر قراءة قاعدة البيانات ${p.path} أو الكتابة فيها (${p.what})؛ افحص قرصها وابدأ من جديد`;
      }
    },
    /** Commander's own refusal (an unknown option or command, a value refused, an argument missing), as it wrote it. */
    commander: commanderRefusal,
    /** A bug's report: the stack follows. */
    unexpected: 'خطأ غير متوقَّع',
    /**
     * `nashra stats`: the platforms by their labels, the states and reasons in words; ids, names and times (ISO 8601,
     * as the logs write them) as they are.
     */
    stats: (s: StatsReport, label: (platform: string) => string): string => {
      const lines = [`الأخبار: ${s.articles}`];
      lines.push('الاشتراكات:' + (s.subscriptions.length ? '' : ' لا اشتراكات'));
      for (const p of s.subscriptions) lines.push(`  ${label(p.platform)}: ${p.active} نشط، ${p.inactive} متوقف`);
      lines.push('الإرسال:' + (Object.keys(s.deliveries).length ? '' : ' لا شيء بعد'));
      for (const [platform, states] of Object.entries(s.deliveries))
        lines.push(`  ${label(platform)}: ${jobStates(states)}`);
      lines.push(
        `قائمة الانتظار: ${s.queueDepth}${s.oldestQueuedSeconds !== null ? `، أقدمها منذ ${s.oldestQueuedSeconds} ث` : ''}`,
      );
      for (const w of s.waiting)
        lines.push(
          `  ${label(w.platform)}: ${countArabic(w.count, WAITING_MESSAGE)} — ${AR_WAIT_REASONS[w.why]}${w.detail ? ` (${w.detail})` : ''}`,
        );
      for (const w of s.waitingForChats)
        lines.push(
          `  ${label(w.platform)}: ${countArabic(w.count, WAITING_MESSAGE)} بانتظار موعد محادثاتها (ساعات هدوء تؤخّر الرسائل، أو ملخص)؛ آخرها يُرسل ${w.until}`,
        );
      for (const w of s.scheduled)
        lines.push(
          `  ${label(w.platform)}: المجدول (nashra scheduled): ${countArabic(w.count, MESSAGE)}، يبدأ إرساله ${w.next}`,
        );
      if (s.inDoubt.length)
        lines.push(
          `غير مؤكَّد الإرسال (توقّف البرنامج أثناء إرسالها، ولم تُرسل من جديد — راجعوا هذه المحادثات): ${s.inDoubt.map((d) => `#${d.id} (${AR_JOB_KINDS[d.kind] ?? d.kind}${d.article === null ? '' : ` للخبر ${d.article}`} ← الاشتراك ${d.subscription})`).join('، ')}`,
        );
      if (Object.keys(s.corrections).length)
        lines.push(
          `التصحيحات (تعديل المنشورات المرسلة وحذفها): ${jobStates(s.corrections)}` +
            (s.corrections.in_doubt
              ? ' — غير المؤكَّد منها كان قيد الإرسال حين توقّف البرنامج: يعرضه nashra in-doubt list'
              : ''),
        );
      lines.push(`المصادر: ${s.sources.total} (${s.sources.active} نشط)`);
      for (const f of s.sources.failingForADay)
        lines.push(`  يفشل منذ ${f.since}: #${f.id} ${f.name}: ${f.error ?? ''}`);
      return lines.join('\n');
    },
    /** `nashra reach`: the desk's Reach page in lines of text; each count after its name («المنشورات: 3»). */
    reach: (r: ReachSaid, label: (platform: string) => string): string => {
      const ct = (x: number | null) => (x === null ? '-' : String(x));
      const counts = (c: { posts: number; clicks: number; clickThrough: number | null }) =>
        `المنشورات ${c.posts}، النقرات ${c.clicks}، النقرات لكل منشور ${ct(c.clickThrough)}`;
      const lines = [
        `الوصول من ${r.since} إلى ${r.until} (${r.timeZone}): النقرات ${r.clicks}`,
        `ملاحظة: ${VIEWS_NOTE}`,
        'لكل منصة:',
      ];
      if (r.platforms.length === 0) lines.push('  لا شيء');
      for (const p of r.platforms) lines.push(`  ${label(p.platform)}: ${counts(p)}`);
      for (const [title, list] of [
        ['الأكثر نقرًا في آخر 24 ساعة', r.topDay],
        ['الأكثر نقرًا في آخر 7 أيام', r.topWeek],
      ] as const) {
        lines.push(`${title}:${list.length ? '' : ' لا شيء'}`);
        for (const s of list) {
          const reactions = Object.entries(s.reactions)
            .map(([emoji, n]) => `${emoji} ${n}`)
            .join(' ');
          lines.push(
            `  #${s.articleId} ${s.title}: نقرات الفترة ${s.clicksInWindow} (منذ نشره: ${counts(s)}؛ ${s.platforms.map((p) => `${label(p.platform)} ${p.clicks}/${p.posts}`).join('، ')}؛ قراءات النص الكامل ${s.fullReads}${reactions ? `؛ التفاعلات ${reactions}` : ''})`,
          );
        }
      }
      lines.push(`لكل محادثة:${r.chats.length ? '' : ' لا شيء'}`);
      for (const c of r.chats)
        lines.push(`  ${label(c.platform)} ${c.title ?? c.chatId} (#${c.subscriptionId}): ${counts(c)}`);
      if (r.clicks > 0) {
        lines.push(
          `النقرات حسب الساعة: ${r.byHourOfDay.map((n, h) => `${String(h).padStart(2, '0')}:00 ${n}`).join('، ')}`,
        );
        lines.push(`النقرات حسب يوم الأسبوع: ${r.byDayOfWeek.map((n, d) => `${DAYS[d]} ${n}`).join('، ')}`);
      }
      return lines.join('\n');
    },
    /** `nashra run` (and `npm start`): the demo's lines, and why a run cannot start. */
    run: {
      demoEnded: (articles: number) =>
        `انتهى العرض التجريبي بعد ضبط منصة: أُخرج من غرفة التحرير هذه ${countArabic(articles, SAMPLE_ARTICLE)} واشتراك الطرفية (من /latest للقرّاء و«اليوم» في المكتب).\n`,
      demoOn: (botApp: string, phoneApp: string) =>
        'لم يُضبط رمز لأي منصة (TELEGRAM_BOT_TOKEN، WHATSAPP_ENABLED): تُطبع الرسائل هنا بدل إرسالها.\n' +
        `انظر .env.example لربط ${botApp} أو ${phoneApp}.\n`,
      demoSeeded: (articles: number) => `العرض التجريبي: أُدرج للطرفية ${countArabic(articles, SAMPLE_ARTICLE)}.\n`,
      demoAlreadyRan: (where: string, postgres: boolean) =>
        `جرى العرض التجريبي من قبل على قاعدة البيانات هذه (${where}): طُبعت أخباره النموذجية في المرة الأولى، ` +
        'ولا يصل الخبر إلى محادثة إلا مرة واحدة.\n' +
        `لرؤيته من جديد ابدأ بقاعدة جديدة: أوقف البرنامج هنا (Ctrl-C)، ثم ${postgres ? 'وجّه DATABASE_URL إلى قاعدة جديدة فارغة' : `احذف ${where}`}، وشغّل npm start مرة أخرى ` +
        '(أو أبقها وجرّب: npx nashra latest، npx nashra preview <file|url>، npx nashra sources add <feed-url>).\n',
      sameAccount: (other: string, outlet: string, platform: string, token: boolean) =>
        `المؤسستان "${other}" و"${outlet}" مضبوطتان على حساب ${platform} نفسه (${token ? 'الرمز' : 'الجلسة'})؛ ` +
        'لكل مؤسسة حسابها، ببادئتها (يعرض nashra outlets list البادئات)',
      leaseHeld: (where: string, pid: string, host: string, until: string) =>
        `يعمل nashra run آخر على ${where} (العملية ${pid} على ${host})؛ أوقفه أولًا، أو انتظر حتى ${until} إن كان قد توقّف فجأة`,
      desk: (url: string) => `المكتب: ${url}\n`,
      deskSetup: (link: string) =>
        `المكتب: لا حساب لمحرر بعد. أنشئ الأول من ${link} (يعمل الرابط مرة واحدة)، أو نفّذ: nashra editors add <username>\n`,
      deskPortTaken: (port: number, host: string) =>
        `المكتب: المنفذ ${port} على ${host} غير متاح؛ يستمر العمل بلا مكتب (اضبط NASHRA_WEB_PORT على منفذ آخر)\n`,
    },
    /** The outlet a command acts on (--outlet). */
    outlet: {
      unknown: (named: string, outlets: string) => `لا مؤسسة باسم ${named}؛ المؤسسات: ${outlets} (nashra outlets list)`,
      several: (n: number, outlets: string) =>
        `في هذا التثبيت ${countArabic(n, OUTLET)} (${outlets}): سمِّ إحداها بـ --outlet <name>`,
    },
    /** Between two options that cannot go together (`--paid --free`, `--rotate --off`). */
    contradict: (a: string, b: string) => `${a} و${b} متناقضان: اختر أحدهما`,
    noTerminal: {
      queue: 'لا طرفية للتأكيد فيها: أضف --yes للإدراج دون سؤال',
      goAhead: 'لا طرفية للتأكيد فيها: أضف --yes للمضيّ دون سؤال',
    },
    cancelledNothingChanged: 'أُلغي: لم يتغيّر شيء',
    fileExists: (file: string) => `${file} موجود؛ اختر ملفًا آخر أو أضف --force`,
    backedUp: (what: string, file: string) => `حُفظت نسخة احتياطية من ${what} في ${file}`,
    backupPostgres: 'قاعدة PostgreSQL (pg_dump بالصيغة المخصّصة: تُستعاد بـ pg_restore)',
    backupSchema: (schema: string) =>
      `المخطط ${schema} من قاعدة PostgreSQL (pg_dump بالصيغة المخصّصة: تُستعاد بـ pg_restore)`,
    broadcast: {
      paidEstimate: (cost: number, unit: string, platform: string, messages: number, price: number, rate: number) =>
        `حتى ${cost} ${unit} على ${platform} (${countArabic(messages, MESSAGE)} × ${price})، بسرعة حتى ${rate} في الثانية`,
      paidSeparator: '؛ ',
      paid: (estimates: string) => `بثّ مدفوع: ${estimates}`,
      alreadyHave: (n: number) => `؛ واستلمه من قبل ${countArabic(n, SUBSCRIPTION)}`,
      failedBefore: (n: number, article: number) =>
        `؛ والفاشل من قبل: ${countArabic(n, SUBSCRIPTION)} (يعيد إرساله nashra resend ${article})`,
      nobody: (already: string) => `لن يصل هذا الخبر إلى أحد: لا اشتراك نشطًا ينتظره${already} (nashra subs add …)`,
      at: (when: string, zone: string) => ` في ${when} (بتوقيت ${zone})`,
      bestHour: (hour: string, clicksPerPost: number, posts: number) =>
        `أكثر ساعة نُقر فيها على منشورات هذا الجمهور في الأسابيع الأربعة الماضية: ${hour} (النقرات لكل منشور: ${clicksPerPost}، ومنشوراتها في تلك الساعة: ${countArabic(posts, POST)}؛ --at ${hour} يجدوله فيها)`,
      wouldBe: (scheduled: boolean, n: number, when: string, already: string) =>
        `${scheduled ? 'سيُجدول' : 'سيُدرج'} ليستلمه ${countArabic(n, SUBSCRIPTION)}${when}${already}`,
      ask: (scheduled: boolean, n: number, when: string, already: string) =>
        `${scheduled ? 'أأجدوله' : 'أأدرجه'} ليستلمه ${countArabic(n, SUBSCRIPTION)}${when}${already}؟ [y/N أو نعم] `,
      cancelled: 'أُلغي: لم يُدرج شيء',
      decidedMeanwhile: (id: number) => `حُسم أمر البثّ ${id} في الأثناء؛ لم يُجدول شيء`,
      scheduled: (id: number, n: number, article: number, when: string, zone: string, already: string) =>
        `جُدول البثّ b${id}: ${countArabic(n, MESSAGE)} من الخبر ${article} في ${when} (بتوقيت ${zone})${already}؛ يرسلها nashra run حينها (nashra scheduled يعرضه وينقله ويلغيه)`,
      queued: (n: number, article: number, already: string) =>
        `أُدرج من الخبر ${article}: ${countArabic(n, MESSAGE)}${already}؛ يرسلها nashra run`,
    },
    correct: {
      nothingAsked: 'قل ما الذي يُصحَّح: --title أو --summary أو --summary-file أو --hashtags',
      alreadyReads: (id: number) => `الخبر ${id} يُقرأ هكذا من قبل: لا شيء للتصحيح`,
      willEdit: (posts: string) =>
        posts ? `ستُعدَّل المنشورات المرسلة: ${posts}` : 'لم يُرسل منه منشور بعد: تحمل الرسائل المنتظرة التصحيح',
      ask: (id: number) => `أأصحّح الخبر ${id}؟ [y/N أو نعم] `,
      done: (id: number, revision: number, n: number) =>
        `صار الخبر ${id} في نسخته ${revision}؛ أُدرج للتعديل ${countArabic(n, POST)} (يعدّلها nashra run؛ ويُبلغ عنها nashra corrections ${id})`,
      unchanged: 'لا شيء للتصحيح: لن يرى القارئ فرقًا',
      decided: 'حُسم الأمر من قبل: لم يتغيّر شيء',
      // «تُلغى» before «رسالة» (feminine), whatever the count.
      willRetract: (posts: string, queued: number) =>
        `${posts ? `ستُحذف المنشورات المرسلة: ${posts}` : 'لم يُرسل منه منشور'}${queued ? `؛ وتُلغى ${countArabic(queued, WAITING_MESSAGE)}` : ''}؛ ولن يُرسل بعد ذلك أبدًا`,
      askRetract: 'أأسحبه؟ [y/N أو نعم] ',
      retracted: (id: number, cancelled: number, queued: number) =>
        `سُحب الخبر ${id}: ${cancelled ? `أُلغيت ${countArabic(cancelled, WAITING_MESSAGE)}` : 'لا رسائل منتظرة أُلغيت'}، و${queued ? `أُدرج للحذف ${countArabic(queued, POST)}` : 'لا منشور يُحذف'} (يحذفها nashra run؛ ويُبلغ عنها nashra corrections ${id})`,
      alreadyRetracted: (id: number, by: string) => `الخبر ${id} سُحب من قبل (سحبه ${by})`,
      noArticle: (id: number) => `لا خبر مخزّنًا بالرقم ${id} (انظر nashra latest)`,
      none: (id: number) => `الخبر ${id}: لا تصحيح ولا سحب`,
      /** «5 منشورات على تيليغرام (منشور واحد غير مؤكّد، لا يمكن لمسه)», joined by «، ». */
      postsOn: (sent: number, platform: string, inDoubt: number) =>
        `${countArabic(sent, POST)} على ${platform}${inDoubt ? ` (غير مؤكّد منها: ${countArabic(inDoubt, POST)}، لا يمكن لمسه)` : ''}`,
      postsSeparator: '، ',
      nothingToDo: 'لا شيء يُعمل',
      unreadable: (file: string, why: string) => `تعذّرت قراءة ملف الملخّص ${file}: ${why}`,
    },
    db: {
      copied: (ok: boolean, file: string, where: string) => `${ok ? 'نُسخ' : 'لم يُنسخ'} ${file} إلى ${where}`,
      schemaOf: (target: string, schema: string, outlet: string) => `${target}، المخطط ${schema} (المؤسسة ${outlet})`,
      table: 'الجدول',
      failed: (why: string, outlet: string, before: string[]) =>
        `فشل التحقق: ${why}؛ تراجعنا عن ${outlet ? `نسخ المؤسسة ${outlet}` : 'النسخ'}، فلم يُكتب منه شيء${before.length ? ` (نُسخت قبله المؤسسات ${before.join('، ')})` : ''}`,
      checked: (jobs: number) =>
        `التحقق: سليم، تساوى عدد صفوف كل جدول في القاعدتين${jobs ? `، وتطابقت ${countArabic(jobs, JOB)} عمودًا عمودًا` : ''}`,
      reindex: 'البحث: تُفهرس الأخبار من جديد حين تفتح نشرة قاعدة PostgreSQL أول مرة',
      /** Why the copy was refused or failed; nothing of it was written. */
      refused: (p: CopyProblem): string => {
        switch (p.kind) {
          case 'not-postgres-url':
            return 'يجب أن يكون --to عنوان PostgreSQL: postgres://user:password@host:5432/database';
          case 'bad-url':
            return '--to ليس عنوان PostgreSQL صالحًا (postgres://user:password@host:5432/database؛ وكلمة المرور التي فيها @ أو : أو / تُكتب مرمّزة بالنسبة المئوية، مثل %40 بدل @)';
          case 'no-source':
            return `قاعدة البيانات ${p.path} غير موجودة (حدّدها بـ --db أو DATABASE_PATH)`;
          case 'not-empty':
            return `قاعدة PostgreSQL ليست فارغة (فيها صفوف: ${p.tables.join('، ')}): لا يملأ nashra db copy إلا قاعدة جديدة؛ لم يُكتب شيء`;
          case 'nul':
            return `في ${p.table}${p.row === undefined ? '' : `، الصف ${p.row}`}، العمود ${p.column}، محرف NUL لا يستطيع نص PostgreSQL حفظه؛ لم يُكتب شيء`;
          case 'failed':
            return `فشل النسخ إلى ${p.target}، ولم يُكتب شيء: ${p.why}`;
        }
      },
      /** What differs after the copy (the outbox, \`jobs\`, compared row by row). */
      mismatch: (m: CopyMismatch): string => {
        switch (m.kind) {
          case 'counts':
            return `اختلف عدد الصفوف في ${m.tables.join('، ')}`;
          case 'one-side-columns':
            return `jobs: العمود ${m.columns.join('، ')} في إحدى القاعدتين فقط`;
          case 'job-missing':
            return `jobs: الصف ${m.id} غائب عن PostgreSQL`;
          case 'job-differs':
            return `jobs: الصف ${m.id} يختلف في العمود ${m.column}`;
          case 'job-extra':
            return `jobs: الصف ${m.id} في PostgreSQL وحدها`;
        }
      },
    },
    /**
     * A phone app linked as a device through Chromium (its descriptor's \`login\` and \`doctor\` commands): \`app\` is
     * its label, \`variable\` and the commands as the platform names them (the catalogue names no platform).
     */
    phoneApp: {
      pairingNumber: (raw: string) =>
        `--pairing-number يجب أن يكون الرقم كاملًا مع رمز البلد، مثل 963944123456، لا "${raw}"`,
      chromiumMissing: (path: string) =>
        `لا يوجد Chromium في ${path}: ثبّته بـ apt-get install chromium، أو اضبط CHROME_PATH على مسار المتصفح`,
      starting: (app: string, chromium: string, sessionDir: string) =>
        `يجري تشغيل ${app} Web في Chromium (${chromium})؛ وستُحفظ الجلسة في ${sessionDir} …`,
      noLogin: (seconds: number, login: string) => `لم يُسجَّل الدخول خلال ${seconds} ثانية؛ شغّل ${login} من جديد`,
      scan: (app: string) => `\nامسح هذا الرمز بالهاتف: ${app} ← الإعدادات ← الأجهزة المرتبطة ← ربط جهاز\n`,
      pairingCode: (app: string, code: string) =>
        `\nرمز الربط: ${code}\nعلى الهاتف: ${app} ← الإعدادات ← الأجهزة المرتبطة ← ربط جهاز ← الربط برقم الهاتف بدلًا من ذلك، ثم اكتب الرمز.`,
      authenticated: 'تمّ التحقق؛ تُحمَّل المحادثات …',
      refused: (app: string, why: string) => `رفض ${app} تسجيل الدخول: ${why}`,
      disconnected: (app: string, why: string) => `انقطع ${app} أثناء تسجيل الدخول: ${why}`,
      didNotStart: (app: string, why: string, doctor: string) =>
        `لم يبدأ ${app} Web: ${why} (هل الشبكة متصلة؟ شغّل ${doctor})`,
      loggedIn: (who: string, sessionDir: string, enable: string) =>
        `\nسُجّل الدخول باسم ${who}. حُفظت الجلسة في ${sessionDir}؛ اضبط ${enable}=1 وشغّل nashra run.`,
      off: (variable: string, app: string) =>
        `ملاحظة: ${variable} غير مفعَّل، فلا يستعمل nashra run ${app}؛ يجري فحص الإعدادات التي سيستعملها.`,
      /** One check of \`doctor\`, passed or failed. */
      check: (ok: boolean, line: string) => `${ok ? 'سليم' : 'فشل '}  ${line}`,
      noEditors: (variable: string, app: string) =>
        `ملاحظة: ${variable} فارغ: لا يشترك بالمجموعات إلا مشرفوها، ولا يستطيع أحد البثّ بـ /broadcast من ${app}`,
      checksFailed: (command: string, failed: number, checks: number) =>
        `${command}: فشل من الفحوص ${failed} من أصل ${checks} (انظر أعلاه)`,
      ready: (app: string) => `${app} جاهز للعمل.`,
      chromiumStarts: (version: string, path: string) => `يعمل Chromium دون واجهة: ${version} (${path})`,
      chromiumFailed: (path: string, why: string) =>
        `لم يبدأ Chromium في ${path}: ${why}. أعد تثبيته (apt-get install --reinstall chromium) أو وجّه CHROME_PATH إلى Chromium يعمل`,
      sessionDirIsFile: (variable: string, dir: string) => `${variable} ${dir} ملف لا مجلد: احذفه أو اختر مسارًا آخر`,
      sessionDirWritable: (dir: string) => `مجلد الجلسة ${dir} موجود وتمكن الكتابة فيه`,
      sessionDirNotWritable: (dir: string, variable: string) =>
        `لا يستطيع هذا المستخدم الكتابة في مجلد الجلسة ${dir}: انقل ملكيته (chown) إلى المستخدم الذي يشغّل nashra، أو اضبط ${variable}`,
      sessionDirToCreate: (dir: string, parent: string) =>
        `مجلد الجلسة ${dir} غير موجود بعد؛ سيُنشأ (تمكن الكتابة في ${parent})`,
      sessionDirCannotCreate: (dir: string, parent: string, variable: string) =>
        `تعذّر إنشاء مجلد الجلسة ${dir}: لا تمكن الكتابة في ${parent}؛ أنشئه للمستخدم الذي يشغّل nashra، أو اضبط ${variable}`,
      noSession: (app: string, profile: string, login: string) =>
        `لا جلسة ${app} محفوظة في ${profile}: شغّل ${login} (رمز QR، أو --pairing-number <phone>)`,
      sessionFound: (profile: string, inUse: boolean) =>
        `وُجدت جلسة محفوظة في ${profile}${inUse ? ' (يستعملها Chromium يعمل الآن: nashra run أو login)' : ''}`,
    },
    editors: {
      none: 'لا محرّرين للمكتب بعد: nashra editors add <username>',
      heading: ['المستخدم', 'المؤسسات', 'أُنشئ', 'تغيّرت كلمة المرور'],
      noOutlet: '(لا شيء: لا يستطيع استعمال المكتب)',
      added: (user: string, role: string, outlet: string) =>
        `أُضيف المحرّر ${user} إلى المكتب، ${role} في ${outlet}؛ يدخل من المكتب (NASHRA_WEB_PORT، أو المنفذ 8080 إن لم تُضبط منصة)`,
      exists: (why: string, user: string) => `${why}؛ تُغيَّر كلمة المرور بـ nashra editors passwd ${user}`,
      granted: (user: string, role: string, outlet: string) => `صار ${user} ${role} في ${outlet}`,
      revoked: (user: string, outlet: string) => `لم يعد ${user} يعمل في ${outlet} (يغادرها مكتبه عند صفحته التالية)`,
      removed: (user: string) => `حُذف المحرّر ${user} (خرج من كل جلساته)`,
      passwd: (user: string) => `تغيّرت كلمة مرور ${user} (خرج من كل جلساته)`,
      noTerminal: 'لا طرفية تُطلب فيها كلمة المرور: مرّرها بـ --password-stdin',
      password: 'كلمة المرور: ',
      again: 'مرة أخرى: ',
      differ: 'كلمتا المرور مختلفتان؛ لم يتغيّر شيء',
    },
    inDoubt: {
      none: 'لا شيء غير مؤكّد',
      heading: ['الرقم', 'النوع', 'المنصة', 'الخبر', 'الاشتراك', 'يخصّ', 'منذ'],
      kind: (kind: string) => AR_JOB_KINDS[kind] ?? kind,
      markedSent: (kind: string, id: number) => `عُلِّمت المهمة ${id} (${kind}) مُرسلة`,
      queuedAgain: (kind: string, id: number) => `أُدرجت المهمة ${id} (${kind}) للإرسال من جديد؛ يرسلها nashra run`,
      resent: (n: number, what: string, left: number, everyFailure: boolean) =>
        `أُعيد إدراج ما فشل من ${what}: ${countArabic(n, MESSAGE)}` +
        (left
          ? `؛ وتبقى فاشلةً ${countArabic(left, MESSAGE)} (${everyFailure ? 'محادثاتها لم تعد مشتركة' : 'رفضتها المنصة نهائيًا أو لم تعد محادثاتها مشتركة: --failed يعيد ما رُفض نهائيًا أيضًا'})`
          : '') +
        (n ? '؛ يرسلها nashra run' : ''),
      ofBroadcast: (id: string, article: number) => `البثّ ${id} (الخبر ${article})`,
      ofArticle: (id: string) => `الخبر ${id}`,
    },
    ingest: {
      fresh: 'جديد',
      queuedFor: (n: number) => (n ? `(يستلمه ${countArabic(n, SUBSCRIPTION)})` : '(لا اشتراك يستلمه)'),
      duplicate: (reason: string) => `مكرّر (${reason})`,
      failed: (failed: number, of: number) => `لم تُخزَّن ${countArabic(failed, ITEM)} من ${of}`,
      noSourceName: '--source-name يحتاج إلى اسم',
      oneUrl: '--url يسمّي خبرًا واحدًا: أعطه مُدخَلًا واحدًا',
      badUrl: (raw: string) => `--url يجب أن يكون عنوان الخبر http(s)، لا "${raw}"`,
      badDate: (raw: string) =>
        `--published-at يجب أن يكون تاريخًا مثل 2026-11-25 أو 2026-11-25T14:05+03:00، لا "${raw}"`,
    },
    latestNone: 'لا أخبار بعد: nashra ingest <file|url> أو nashra sources add <url>',
    outlets: {
      heading: ['المؤسسة', 'الاسم', 'المتغيّرات', 'قاعدة البيانات'],
      noPrefix: '(بلا بادئة)',
      schema: (schema: string) => `المخطط ${schema}`,
      added: (slug: string, where: string) => `أُضيفت المؤسسة ${slug} (${where})؛ تأخذ أوامرها --outlet ${slug}`,
      variables: (prefix: string) =>
        `منصاتها: متغيّرات .env.example بالبادئة ${prefix} (${prefix}TELEGRAM_BOT_TOKEN، …) على كل جهاز يشغّل nashra run`,
      removed: (slug: string, where: string) =>
        `أُخرجت المؤسسة ${slug}؛ تبقى صفوفها (${where}): يعيدها nashra outlets add ${slug}`,
    },
    previewPlatform: (names: string, raw: string) => `--platform يجب أن يكون إحدى ${names}، لا "${raw}"`,
    review: {
      none: 'لا شيء ينتظر المراجعة',
      heading: ['الرقم', 'منذ', 'المصدر', 'العنوان'],
      published: (id: string, n: number) =>
        n
          ? `نُشر الخبر ${id}: يستلمه ${countArabic(n, SUBSCRIPTION)}؛ يرسله nashra run`
          : `نُشر الخبر ${id}: لا اشتراك يستلمه`,
      dismissed: (id: string) => `تُجوهل الخبر ${id}: لن يُرسل`,
      someone: 'أحدهم',
      already: (id: number, published: boolean, by: string, at: string) =>
        `الخبر ${id} ${published ? 'نشره' : 'تجاهله'} ${by} من قبل في ${at}؛ لم يتغيّر شيء${published ? '' : ` (لإرساله مع ذلك: nashra broadcast ${id})`}`,
    },
    scheduled: {
      none: 'لا شيء مجدول (nashra broadcast <article> --at 18:00 يجدول بثًّا)',
      heading: (zone: string) => ['الرقم', `الموعد (${zone})`, 'النوع', 'الرسائل', 'الخبر', 'العنوان'],
      kind: (urgent: boolean): string => (urgent ? 'عاجل' : 'بثّ'),
      moved: (id: number, from: string, to: string, zone: string, n: number) =>
        `نُقل b${id} من ${from} إلى ${to} (بتوقيت ${zone})، ${countArabic(n, MESSAGE)}`,
      cancelled: (id: number, n: number) => `أُلغي b${id}: لن تُرسل ${countArabic(n, MESSAGE)}`,
      notAnId: (raw: string) => `"${raw}" ليس رقم بثّ مجدول: خذه من nashra scheduled (b12)`,
      started: (id: string, when: string, moving: boolean, stop: string) =>
        `بدأ البثّ ${id} ${when ? `في ${when}` : 'في موعده'}: إنه يُرسل أو أُرسل، فلا يمكن ${moving ? 'نقله' : 'إلغاؤه'} الآن (ما أُرسل يبقى مرسلًا؛ وزرّ «${stop}» في البوت أو المكتب يوقف ما لم يُرسل)`,
      gone: (id: string) => `البثّ ${id} أُلغي (أو سُحب خبره): لا يُرسل منه شيء`,
      notScheduled: (id: string) => `لا بثّ مجدولًا بالرقم ${id}: يعرضها nashra scheduled`,
    },
    sources: {
      pollFailed: (id: number, name: string, error: string) =>
        `أُضيف المصدر #${id} (${name})، لكن الجلب الأول فشل: ${error}؛ ستُعاد المحاولة`,
      added: (id: number, name: string, every: string, category: string | undefined, seen: number) =>
        `أُضيف المصدر #${id}: ${name}، يُجلب كل ${every}${category ? `، التصنيف ${category}` : ''}؛ عُلِّم من الموجود ${countArabic(seen, ITEM)} كمقروء`,
      held: (n: number) => `، وتنتظر المراجعةَ ${countArabic(n, ITEM)}؛ والجديد ينتظر محرّرًا (nashra review list)`,
      backfill: (articles: number, subscriptions: number) =>
        articles === 0
          ? '، ولم يُدرج شيء من الأرشيف'
          : subscriptions === 0
            ? `، وحُفظ من الأرشيف ${countArabic(articles, ITEM)} (لا اشتراك يُرسل إليه بعد)`
            : `، وأُدرج من الأرشيف ${countArabic(articles, ITEM)} يستلمها ${countArabic(subscriptions, SUBSCRIPTION)}`,
      skipped: (n: number) => `، وتُرك ${countArabic(n, ITEM)}`,
      none: 'لا مصادر بعد؛ أضف مصدرًا بـ nashra sources add <feed-or-site-url>',
      heading: ['الرقم', 'النوع', 'الاسم', 'كل', 'آخر جلب', 'الحالة', 'الأخطاء', 'الأخبار', 'الرابط المجلوب'],
      inReview: ' (مراجعة)',
      paused: ' (موقوف)',
      never: 'لم يُجلب',
      failingFor: (hours: number) => `يفشل منذ ${hours} س: `,
      removed: (id: number, name: string) => `حُذف المصدر #${id} (${name})؛ تبقى أخباره مخزّنة`,
      due: (id: number, name: string) => `حان جلب المصدر #${id} (${name}) الآن: يجلبه nashra run العامل خلال ثانية`,
      resumed: (id: number, name: string) => `استُؤنف المصدر #${id}: عُلِّم ما نُشر في الأثناء مقروءًا (${name})`,
      pausedNow: (id: number, name: string) => `أُوقف المصدر #${id} مؤقتًا (${name})`,
      tooLarge: (file: string, mb: number) => `${file} أكبر من ${mb} م.ب: ليس قائمة خلاصات`,
      unreadable: (file: string, why: string) => `تعذّرت قراءة ${file}: ${why}`,
      importRefused: 'رُفض',
      importAdded: 'أُضيف',
      importAlready: 'متابَع من قبل',
      importSource: (id: number, name: string) => `المصدر #${id} (${name})`,
      imported: (added: number, already: number, refused: number) =>
        `أُضيف ${added}، ومتابَع من قبل ${already}، ورُفض ${refused}`,
      importSeen: 'عُلِّم ما في الخلاصات مقروءًا؛ لا يُرسل إلا الجديد',
      exists: (file: string) => `${file} موجود؛ أضف --force للكتابة فوقه`,
      unwritable: (file: string, why: string) => `تعذّرت الكتابة في ${file}: ${why}`,
      exported: (n: number, file: string) =>
        n ? `كُتب في ${file}: ${countArabic(n, SOURCE)}` : `لا مصادر تُكتب؛ كُتب ${file} فارغًا`,
      hookOff: (id: string, name: string) => `المصدر #${id} (${name}): خطّاف النشر متوقّف`,
      hook: (id: string, name: string, rotated: boolean) =>
        `خطّاف النشر للمصدر #${id} (${name})${rotated ? ' (سرّ جديد؛ القديم لم يعد يعمل)' : ''}`,
      hookUrl: (url: string) => `العنوان: ${url}`,
      hookNoPublicUrl: (path: string) =>
        `<NASHRA_PUBLIC_URL>${path} (اضبط NASHRA_PUBLIC_URL على العنوان الذي تصل منه المواقع إلى هذا الخادم)`,
      hookSecret: (secret: string) => `السرّ: ${secret}`,
      hookSign:
        'التوقيع: X-Nashra-Timestamp: <ثواني يونكس>، X-Nashra-Signature: sha256=<HMAC-SHA256 ست عشري لـ "<timestamp>.<body>">؛ أو Authorization: Bearer <secret>',
    },
    subs: {
      allNews: '(كل الأخبار)',
      subscribed: 'اشترك',
      already: 'مشترك من قبل، لم يتغيّر شيء',
      changed: (reactivated: boolean, changes: string[]) =>
        `${reactivated ? 'أُعيد تفعيله' : 'حُدِّث'}${changes.length ? ` (تغيّر: ${changes.join('، ')})` : ''}`,
      delivery: (what: string) => `موعد الأخبار: ${what}`,
      none: 'لا اشتراكات بعد: nashra subs add <platform> <chat-id>',
      heading: ['الرقم', 'المنصة', 'المحادثة', 'النوع', 'المواضيع', 'الحالة', 'موعد الأخبار'],
      active: 'نشط',
      inactive: (reason: string) => `متوقف: ${reason}`,
      alreadyInactive: (id: string) => `الاشتراك ${id} متوقف من قبل`,
      noSuch: (id: string) => `لا اشتراك بالرقم ${id}`,
      removed: (id: string, platform: string, chat: string, cancelled: number) =>
        `أُوقف الاشتراك ${id} (${platform} ${chat})${cancelled ? `؛ وأُلغيت ${countArabic(cancelled, WAITING_MESSAGE)}` : ''}`,
      notAField: (name: string, fields: string) => `--default ${name}: ليس حقلًا من القالب (أحد all، ${fields})`,
      set: (id: number, platform: string, chat: string, changes: string[]) =>
        `الاشتراك ${id} (${platform} ${chat}): ${changes.length ? `حُدِّث (تغيّر: ${changes.join('، ')})` : 'لم يتغيّر شيء'}`,
      unknownZone: (zone: string) => `منطقة زمنية مجهولة "${zone}" (اسم IANA مثل Asia/Damascus)`,
      settings: {
        filterWords: { except: 'عدا:', separator: '، ', between: '؛ ' },
        byDefault: ' (الافتراضي)',
        on: 'يظهر',
        off: 'لا يظهر',
        none: 'بلا',
        previews: { none: 'بلا', small: 'صغيرة', large: 'كبيرة فوق النص' },
        filter: (filter: string) => `المرشّح: ${filter || 'كل الأخبار'}`,
        sourceFilter: (id: number, name: string | undefined, filter: string) =>
          `من المصدر #${id}${name ? ` (${name})` : ''} وحده: ${filter}`,
        header: (v: string) => `العلامة فوق العنوان: ${v}`,
        footer: (v: string) => `التذييل: ${v}`,
        hashtags: (v: string) => `سطر الوسوم: ${v}`,
        sourceLine: (v: string) => `سطر المصدر: ${v}`,
        date: (v: string) => `التاريخ: ${v}`,
        photo: (v: string) => `الصورة الرئيسية كصورة: ${v}`,
        preview: (v: string) => `معاينة الرابط: ${v}`,
        platformPreview: 'افتراضي المنصة',
        fullStory: (button: string, v: string) => `زرّ «${button}»: ${v}`,
        fullStoryInGroup: (v: string) => `النص الكامل في المجموعة لمن يطلبه: ${v}`,
      },
    },
  },
  desk: {
    /** An age, short: «5 د». */
    age: { seconds: (n: number) => `${n} ث`, minutes: (n: number) => `${n} د`, hours: (n: number) => `${n} س` },
    appName: 'نشرة · غرفة التحرير',
    skip: 'انتقل إلى المحتوى',
    switchLang: 'English',
    nav: {
      today: 'اليوم',
      urgent: 'عاجل',
      scheduled: 'المجدول',
      sources: 'المصادر',
      subscriptions: 'الاشتراكات',
      queue: 'الطابور',
      activity: 'السجل',
      stats: 'الإحصاءات',
      reach: 'الوصول',
    },
    signedInAs: 'المحرر',
    logout: 'خروج',
    outlet: {
      label: 'المؤسسة',
      switch: 'انتقل',
      roles: { admin: 'مدير', editor: 'محرر' },
      adminsOnly: 'إضافة المصادر وإيقافها وحذفها، والمحادثات وإعداداتها، لمديري المؤسسة.',
    },
    login: {
      title: 'تسجيل الدخول',
      username: 'اسم المستخدم',
      password: 'كلمة المرور',
      submit: 'دخول',
      wrong: 'اسم المستخدم أو كلمة المرور غير صحيحة.',
      tooMany: 'محاولات كثيرة. انتظر قليلاً ثم أعد المحاولة.',
      expired: 'انتهت الجلسة. سجّل الدخول من جديد.',
      noOutlet: 'لم يعد حسابك عضواً في أي مؤسسة، فانتهت جلستك. اطلب من مدير المؤسسة إضافتك.',
      sessionEnded:
        'انتهت جلستك قبل أن يُحفظ هذا (خرجتَ أو تغيّرت كلمة المرور أو طال الغياب)، فلم يتغيّر شيء. سجّل الدخول من جديد: يعود ما كتبته إلى النموذج لتحفظه.',
      kept: 'ما كتبته (لم يُحفظ بعد)',
    },
    setup: {
      title: 'أول حساب محرر',
      intro: 'لا يوجد حساب محرر بعد. أنشئ الحساب الأول؛ تُضاف الحسابات الأخرى بالأمر nashra editors add.',
      again: 'أعد كتابة كلمة المرور',
      differ: 'كلمتا المرور مختلفتان.',
      submit: 'إنشاء الحساب والدخول',
    },
    today: {
      title: 'أخبار اليوم',
      search: 'بحث',
      searchPlaceholder: 'ابحث في العناوين والملخصات',
      source: 'المصدر',
      topic: 'الموضوع',
      state: 'الحالة',
      any: 'الكل',
      filter: 'تصفية',
      none: 'لا أخبار تطابق هذا البحث.',
      older: 'أقدم',
      urgent: 'عاجل',
      notSent: 'لم يُرسل بعد',
      edited: 'معدَّل',
      backlog: 'الأرشيف',
      withoutBacklog: 'بلا الأرشيف',
      onlyBacklog: 'الأرشيف وحده',
      backlogMark: 'من الأرشيف',
      backlogHelp: 'من أرشيف المصدر: كان في خلاصته يوم أُضيف، فعُلّم مقروءاً ولم يُرسل تلقائياً. يمكن تحريره وإرساله من هنا.',
      states: {
        none: 'لم يُرسل',
        queued: 'في الطابور',
        held: 'ينتظر الملخص',
        sending: 'قيد الإرسال',
        sent: 'أُرسل',
        failed: 'فشل',
        skipped: 'أُوقف',
        in_doubt: 'غير مؤكد',
      },
      fullReads: (n: number) => `📖 قُرئ كاملًا: ${countArabic(n, FULL_READ)}`,
    },
    article: {
      back: 'اليوم',
      preview: 'المعاينة كما يراها المشترك',
      chars: 'حرفاً من',
      overLimit: 'أطول من حد المنصة: سيُختصر',
      edit: 'تحرير قبل الإرسال',
      titleField: 'العنوان',
      summaryField: 'الملخص (جملة في كل سطر)',
      hashtagsField: 'الوسوم (مفصولة بمسافات)',
      save: 'حفظ التعديل',
      saved: 'حُفظ التعديل: هو ما سيُعاينه المشتركون ويُرسل.',
      editedBy: 'عدّله',
      showOriginal: 'النص الأصلي',
      send: 'إرسال',
      audience: 'الجمهور',
      audienceMatching: 'كل المشتركين المطابقين',
      audienceAll: 'كل المشتركين',
      audiencePlatform: 'منصة واحدة:',
      audienceChats: 'محادثات محددة:',
      paid: 'بثّ مدفوع: أسرع، يُدفع بالنجوم من رصيد البوت',
      previewSend: 'معاينة الإرسال',
      where: 'أين ذهب',
      noDeliveries: 'لم يُرسل إلى أحد بعد.',
      openPost: 'فتح المنشور',
      resendFailed: 'أعد إرسال ما فشل',
      broadcasts: 'عمليات الإرسال',
      reactions: 'التفاعلات',
      noReactions: 'لا تفاعلات بعد.',
      customEmoji: 'رموز مخصّصة',
      paidReaction: 'نجوم',
      viewsNote: 'لا تعطي المنصات البوتاتِ عدد المشاهدات، فلا يظهر هنا.',
      source: 'المصدر',
      published: 'نُشر',
      link: 'الرابط',
      restored: 'عاد ما كتبته قبل انتهاء الجلسة إلى النموذج، ولم يُحفظ بعد: راجعه ثم احفظه.',
      fullStory: 'النص الكامل كما يصل إلى القارئ',
      fullStoryRetracted: 'سُحب هذا الخبر: من يطلب نصه الكامل يُجاب «سُحب هذا الخبر» ولا يُرسل إليه شيء.',
      photo: 'صورة',
      fullReads: (n: number) =>
        n === 0 ? 'لم يُقرأ نصه الكامل في المحادثات بعد.' : `قُرئ نصه الكامل في المحادثات: ${countArabic(n, FULL_READ)}.`,
    },
    corrections: {
      title: 'التصحيح والسحب',
      correctSent: 'احفظ وصحّح المنشورات المرسلة',
      retract: 'سحب الخبر من كل المنصات…',
      correctTitle: 'تصحيح خبر مرسل',
      retractTitle: 'سحب الخبر',
      before: 'قبل',
      after: 'بعد',
      willEdit: 'ستُعدَّل المنشورات المرسلة',
      willDelete: 'ستُحذف المنشورات المرسلة (أو تُستبدل بإشعار السحب حيث ترفض المنصة)',
      noneSent: 'لم يُرسل منه شيء بعد.',
      queued: 'تُلغى الرسائل المنتظرة',
      inDoubt: 'غير مؤكدة، لا يمكن لمسها',
      never: 'لن يُرسل الخبر بعد السحب أبداً: لا في آخر الأخبار ولا البحث ولا لمشترك جديد.',
      confirmCorrect: 'تأكيد التصحيح',
      confirmRetract: 'تأكيد السحب',
      cancel: 'إلغاء',
      unchanged: 'لا فرق يراه القارئ: لا شيء للتصحيح.',
      retracted: 'سُحب هذا الخبر',
      report: 'ما جرى للمنشورات',
      reasons: 'الأسباب',
    },
    broadcast: {
      title: 'إرسال',
      willReceive: 'سيستلمه',
      alreadyHave: 'استلمه من قبل',
      confirm: 'تأكيد الإرسال',
      cancel: 'إلغاء',
      stop: 'إيقاف',
      progress: 'التقدم',
      sent: 'أُرسل',
      failed: 'فشل',
      waiting: 'ينتظر',
      skipped: 'أُوقف',
      inDoubt: 'غير مؤكد',
      forChats: 'ينتظر موعده في المحادثة (ساعات الهدوء أو الملخص)',
      until: (time: string) => `حتى ${time}`,
      states: { preview: 'معاينة', queued: 'جارٍ', cancelled: 'أُلغي', stopped: 'أُوقف', done: 'اكتمل' },
      nobody: 'لا أحد سيستلمه: كل المشتركين المطابقين استلموه أو لا اشتراكات نشطة.',
      paidCost: 'بثّ مدفوع، أقصى كلفة',
    },
    schedule: {
      suggested: (hour: number, perPost: number, posts: number) =>
        `أكثر ساعة نُقر فيها على منشورات هذا الجمهور في الأسابيع الأربعة الماضية: ${String(hour).padStart(2, '0')}:00 (النقرات لكل منشور: ${perPost}؛ منشورات تلك الساعة: ${posts}). الموعد أعلاه مضبوط عليها.`,
      title: 'النشر المجدول',
      or: 'أو جدوِله:',
      at: 'الموعد',
      zone: (zone: string) => `بتوقيت ${zone}`,
      submit: 'جدولة',
      move: 'تغيير الموعد',
      cancel: 'إلغاء',
      none: 'لا شيء مجدول.',
      article: 'الخبر',
      posts: 'الرسائل',
      urgent: 'عاجل',
      scheduledFor: 'مجدول، يبدأ إرساله في',
      list: 'كل المجدول',
      help: 'يُرسل في موعده إلى المشتركين الذين عُدّوا الآن؛ ويلقى في كل محادثة ساعات هدوئها وملخصها كما يلقاهما أي إرسال. يمكن تغيير موعده أو إلغاؤه حتى يحين.',
      refused: {
        malformed: 'ليس وقتاً: اختر تاريخاً وساعة.',
        past: 'هذا الوقت مضى: اختر وقتاً لاحقاً.',
        'too-far': 'أبعد من 30 يوماً: اختر وقتاً أقرب.',
      },
      notes: {
        moved: 'نُقل الموعد.',
        cancelled: 'أُلغي النشر المجدول، ولن يُرسل منه شيء.',
        'not-scheduled': 'لا نشر مجدول بهذا الرقم.',
        started: 'بدأ هذا النشر في موعده: لا يمكن تغييره أو إلغاؤه الآن، وما أُرسل يبقى مرسلاً.',
        gone: 'أُلغي هذا النشر من قبل (أو سُحب خبره).',
      },
    },
    urgent: {
      title: 'خبر عاجل',
      text: 'نص الخبر العاجل',
      intro: 'يُرسل الخبر العاجل قبل كل ما في الطابور، إلى كل المشتركين النشطين.',
      preview: 'معاينة',
    },
    sources: {
      title: 'المصادر',
      add: 'إضافة مصدر',
      url: 'رابط الموقع أو الخلاصة',
      interval: 'كل',
      name: 'الاسم (اختياري)',
      lastFetch: 'آخر جلب',
      status: 'الحالة',
      errors: 'أخطاء',
      articles: 'أخبار',
      nextPoll: 'الجلب التالي',
      pause: 'إيقاف مؤقت',
      resume: 'استئناف',
      remove: 'حذف',
      pollNow: 'اجلب الآن',
      paused: 'متوقف',
      failing: 'يفشل منذ',
      none: 'لا مصادر بعد.',
      confirmRemove: 'حذف هذا المصدر؟ تبقى أخباره محفوظة.',
      added: (id: number, name: string) => `أُضيف المصدر #${id}: ${name}`,
      every: (interval: string) => `· يُجلب كل ${interval}`,
      addedButFailed: (id: number, name: string, error: string) =>
        `أُضيف المصدر #${id} (${name})، لكن الجلب الأول فشل: ${error}. ستُعاد المحاولة.`,
      backlog: (n: number) =>
        `الأرشيف (كان في خلاصته، لا يُرسل تلقائياً، وتجده في «اليوم» بعلامة «من الأرشيف»): ${countArabic(n, ITEM)}`,
      backfill: (sent: number, queued: number) =>
        `أُرسل من الخلاصة الآن: ${countArabic(sent, ITEM)}؛ في الطابور: ${countArabic(queued, MESSAGE)}`,
      held: (n: number) => `بانتظار المراجعة: ${countArabic(n, ITEM)}؛ والجديد ينتظر محرراً يقرّر نشره`,
      skipped: (n: number) => `تُرك: ${countArabic(n, ITEM)}`,
      already: (id: number, name: string) => `هذا المصدر متابَع من قبل: المصدر #${id} (${name}).`,
    },
    subs: {
      title: 'الاشتراكات',
      platform: 'المنصة',
      kind: 'النوع',
      topics: 'المواضيع',
      stateCol: 'الحالة',
      active: 'نشط',
      inactive: 'متوقف',
      allTopics: 'كل الأخبار',
      deactivate: 'إيقاف',
      none: 'لا اشتراكات.',
      kinds: { channel: 'قناة', group: 'مجموعة', private: 'خاص' },
      settings: 'الإعدادات',
    },
    settings: {
      title: (name: string) => `إعدادات ${name}`,
      filter: 'المرشّح',
      filterHelp: 'كلمات أو "عبارات"؛ بـ«-» تُستبعد: الرقة "دير الزور" -رياضة. فارغ: كل الأخبار.',
      template: 'شكل الرسالة',
      header: 'العلامة فوق العنوان',
      footer: 'التذييل',
      byDefault: 'الافتراضي',
      none: 'بلا',
      own: 'نص خاص:',
      hashtags: 'سطر الوسوم',
      sourceLine: 'سطر المصدر',
      date: 'التاريخ',
      photo: 'الصورة الرئيسية كصورة مع النص',
      fullStory: 'زرّ «النص الكامل» تحت المنشور',
      on: 'يظهر',
      off: 'لا يظهر',
      fullStoryInGroup: 'النص الكامل في المجموعة لمن يطلبه من أعضائها (ردّ «المزيد» على الخبر)',
      allowed: 'مسموح',
      notAllowed: 'غير مسموح',
      preview: 'معاينة الرابط',
      previews: { none: 'بلا', small: 'صغيرة', large: 'كبيرة فوق النص' },
      save: 'حفظ',
      saved: 'تمّ الحفظ.',
      sources: 'مرشّح لكل مصدر',
      sourcesHelp: 'خبر من هذا المصدر يجب أن يطابق مرشّح الاشتراك ومرشّحه معاً. فارغ: يُحذف.',
      source: 'المصدر',
      defaults: (v: string) => `(الافتراضي الآن: ${v})`,
    },
    queue: {
      title: 'الطابور',
      depth: 'ينتظر',
      oldest: 'أقدم رسالة منذ',
      retries: 'إعادة محاولة مجدولة',
      empty: 'الطابور فارغ.',
      forChats: 'تنتظر موعدها في المحادثة (ساعات الهدوء أو الملخص)',
      inDoubt: 'رسائل غير مؤكدة',
      inDoubtIntro: 'توقّف البرنامج أثناء إرسالها: ربما وصلت وربما لم تصل. تحقّق من المحادثة ثم اختر.',
      markSent: 'وصلت: علّمها مُرسلة',
      sendAgain: 'لم تصل: أرسلها مجدداً',
      noneInDoubt: 'لا رسائل غير مؤكدة.',
      kinds: { post: 'خبر', digest: 'ملخص', edit: 'تعديل خبر', delete: 'حذف خبر' },
    },
    activity: {
      title: 'سجل النشاط',
      editor: 'المحرر',
      action: 'الإجراء',
      at: 'الوقت',
      detail: 'التفاصيل',
      none: 'لا نشاط.',
    },
    stats: {
      title: 'الإحصاءات',
      perHour: 'الرسائل المُرسلة في الساعة (آخر 48 ساعة)',
      perDay: 'الأخبار لكل مصدر في اليوم (آخر 14 يوماً)',
      failures: 'الإخفاقات حسب السبب (آخر 7 أيام)',
      noData: 'لا بيانات بعد.',
      reason: 'السبب',
      count: 'العدد',
    },
    errors: {
      notFound: 'غير موجود.',
      forbidden: 'غير مسموح.',
      generic: 'حدث خطأ.',
      adminOnly:
        'عذراً، إدارة المؤسسة (مصادرها ومحادثاتها وإعداداتها وحساباتها) لمديريها. دورك فيها «محرر»: يمكنك العمل على الأخبار ومعاينتها وبثّها وتصحيحها. لم يتغيّر شيء.',
    },
    reach: {
      title: 'الوصول',
      window: 'الفترة',
      show: 'اعرض',
      windows: { '24h': 'آخر 24 ساعة', '7d': 'آخر 7 أيام', '28d': 'آخر 4 أسابيع' },
      perPlatform: 'حسب المنصة',
      posts: 'المنشورات',
      clicks: 'النقرات',
      clickThrough: 'النقرات لكل منشور',
      topDay: 'الأكثر نقراً في آخر 24 ساعة',
      topWeek: 'الأكثر نقراً في آخر 7 أيام',
      story: 'الخبر',
      inWindow: 'نقرات الفترة',
      perChat: 'حسب المحادثة',
      chat: 'المحادثة',
      byHour: 'النقرات حسب ساعة اليوم',
      byDay: 'النقرات حسب يوم الأسبوع',
      days: DAYS,
      csv: 'تنزيل CSV',
      noData: 'لا نقرات بعد في هذه الفترة.',
      reactions: 'التفاعلات',
      fullReads: 'قراءات النص الكامل',
      note: 'لا تتيح المنصات للبوتات قراءة عدد المشاهدات؛ الوصول هنا هو المنشورات والنقرات على روابطها ونسبة النقر. لا يُحفظ شيء عن القارئ.',
      off: 'عدّ النقرات متوقف: يبدأ حين تُضبط NASHRA_TRACK_CLICKS=1 مع NASHRA_PUBLIC_URL.',
      article: 'وصول هذا الخبر',
    },
  },
};

/** The shape every language fills: the Arabic catalogue's keys, with the same kind of value under each. */
export type Catalogue = typeof ar;
