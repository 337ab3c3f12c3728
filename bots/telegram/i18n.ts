/** The bot's words: Arabic by default, English for users whose Telegram language_code starts with "en". */
export type Lang = 'ar' | 'en';

export const langOf = (languageCode: string | undefined): Lang => (languageCode?.toLowerCase().startsWith('en') ? 'en' : 'ar');

type Text = string | ((...args: string[]) => string);

const AR = {
  start: 'أهلاً بك في نشرة: ملخّصات قصيرة لأهم الأخبار.\n/subscribe للاشتراك، /latest لآخر الأخبار، /help للمساعدة.',
  help: 'الأوامر:\n/latest [عدد] — آخر الأخبار (1 إلى 10)\n/search كلمات — البحث في الأخبار\n/subscribe [مواضيع] — الاشتراك\n/unsubscribe — إلغاء الاشتراك\n/topics — اختيار المواضيع',
  editorHelp: '\n\nللمحرّرين:\n/broadcast رابط أو رقم — نشر خبر\n/urgent نص — خبر عاجل\n/addchannel @قناة — إضافة قناة\n/sources — المصادر\n/stats — الإحصاءات',
  nothingYet: 'لا توجد أخبار بعد.',
  searchUsage: 'اكتب كلمات البحث بعد الأمر، مثلاً: /search دمشق',
  noResults: (q: string) => `لا نتائج لـ «${q}».`,
  tooFast: 'أنت ترسل الأوامر بسرعة كبيرة؛ انتظر قليلاً ثم أعد المحاولة.',
  subscribed: 'تمّ الاشتراك. ستصلك الأخبار هنا.',
  subscribedTopics: (t: string) => `تمّ الاشتراك في: ${t}`,
  unsubscribed: 'تمّ إلغاء الاشتراك. لن تصلك أخبار بعد الآن.',
  notSubscribed: 'لست مشتركاً.',
  adminsOnly: 'عذراً، اشتراك المجموعة يغيّره مشرفوها فقط.',
  topicsTitle: 'اختر المواضيع (بلا اختيار = كل الأخبار):',
  topicsNeedSubscription: 'اشترك أولاً بـ /subscribe ثم اختر المواضيع.',
  topicsSaved: 'تمّ الحفظ.',
  notEditor: 'هذا الأمر للمحرّرين فقط.',
  privateOnly: 'استخدم هذا الأمر في محادثة خاصة مع البوت.',
  broadcastUsage: 'الاستعمال: /broadcast رابط الخبر أو رقمه',
  urgentUsage: 'الاستعمال: /urgent نص الخبر العاجل',
  previewHeader: (n: string) => `معاينة — سيُرسل إلى ${n} مشترك كما يلي:`,
  send: 'إرسال',
  cancel: 'إلغاء',
  stop: 'إيقاف',
  confirm: 'تأكيد',
  cancelled: 'أُلغي النشر، لم يُرسل شيء.',
  alreadyDecided: 'تمّ التعامل مع هذا النشر من قبل.',
  progress: (sent: string, failed: string, remaining: string) => `جارٍ النشر — أُرسل: ${sent}، فشل: ${failed}، متبقٍّ: ${remaining}`,
  done: (sent: string, failed: string) => `انتهى النشر — أُرسل: ${sent}، فشل: ${failed}`,
  stopped: (sent: string, skipped: string) => `أُوقف النشر — أُرسل: ${sent}، أُلغي: ${skipped}`,
  addChannelUsage: 'الاستعمال: /addchannel @اسم_القناة أو رقمها',
  channelNotFound: (c: string) => `لم أجد القناة ${c}. تأكّد من الاسم ومن أنّ البوت مضاف إليها.`,
  channelNotAdmin: (c: string) => `البوت ليس مشرفاً في ${c}. أضفه مشرفاً أولاً.`,
  channelNoPost: (c: string) => `البوت مشرف في ${c} لكن دون صلاحية «نشر الرسائل». فعّلها ثم أعد المحاولة.`,
  channelAdded: (c: string) => `تمّ اشتراك القناة ${c}.`,
  channelJoined: (c: string) => `أُضيف البوت مشرفاً إلى القناة ${c}. هل تريد اشتراكها في الأخبار؟`,
  sourcesTitle: (n: string) => `المصادر (${n}):`,
  sourcesNone: 'لا توجد مصادر.',
  sourcesReadOnly: 'إضافة المصادر وحذفها من سطر الأوامر: nashra sources',
  notFound: (r: string) => `لم أجد الخبر ${r}.`,
  error: 'حدث خطأ؛ حاول مرة أخرى لاحقاً.',
} satisfies Record<string, Text>;

const EN: { [K in keyof typeof AR]: (typeof AR)[K] } = {
  start: 'Welcome to Nashra: short summaries of the news that matters.\n/subscribe to subscribe, /latest for the latest news, /help for help.',
  help: 'Commands:\n/latest [n] — latest news (1 to 10)\n/search words — search the news\n/subscribe [topics] — subscribe\n/unsubscribe — unsubscribe\n/topics — choose topics',
  editorHelp: '\n\nEditors:\n/broadcast link or id — broadcast an article\n/urgent text — urgent alert\n/addchannel @channel — add a channel\n/sources — sources\n/stats — statistics',
  nothingYet: 'No news yet.',
  searchUsage: 'Type the words after the command, e.g. /search Damascus',
  noResults: (q: string) => `No results for “${q}”.`,
  tooFast: 'You are sending commands too fast; wait a moment and try again.',
  subscribed: 'Subscribed. News will arrive here.',
  subscribedTopics: (t: string) => `Subscribed to: ${t}`,
  unsubscribed: 'Unsubscribed. No more news will be sent.',
  notSubscribed: 'You are not subscribed.',
  adminsOnly: 'Sorry, only the group’s admins can change its subscription.',
  topicsTitle: 'Choose topics (none = all news):',
  topicsNeedSubscription: 'Subscribe first with /subscribe, then choose topics.',
  topicsSaved: 'Saved.',
  notEditor: 'This command is for editors only.',
  privateOnly: 'Use this command in a private chat with the bot.',
  broadcastUsage: 'Usage: /broadcast article link or id',
  urgentUsage: 'Usage: /urgent text of the alert',
  previewHeader: (n: string) => `Preview — will be sent to ${n} subscribers as follows:`,
  send: 'Send',
  cancel: 'Cancel',
  stop: 'Stop',
  confirm: 'Confirm',
  cancelled: 'Broadcast cancelled; nothing was sent.',
  alreadyDecided: 'This broadcast was already handled.',
  progress: (sent: string, failed: string, remaining: string) => `Sending — sent: ${sent}, failed: ${failed}, remaining: ${remaining}`,
  done: (sent: string, failed: string) => `Broadcast finished — sent: ${sent}, failed: ${failed}`,
  stopped: (sent: string, skipped: string) => `Broadcast stopped — sent: ${sent}, cancelled: ${skipped}`,
  addChannelUsage: 'Usage: /addchannel @channel_name or its id',
  channelNotFound: (c: string) => `Channel ${c} not found. Check the name and that the bot was added to it.`,
  channelNotAdmin: (c: string) => `The bot is not an administrator of ${c}. Make it an admin first.`,
  channelNoPost: (c: string) => `The bot is an admin of ${c} but lacks the “Post messages” right. Enable it and try again.`,
  channelAdded: (c: string) => `Channel ${c} subscribed.`,
  channelJoined: (c: string) => `The bot was made an admin of channel ${c}. Subscribe it to the news?`,
  sourcesTitle: (n: string) => `Sources (${n}):`,
  sourcesNone: 'No sources.',
  sourcesReadOnly: 'Add and remove sources from the command line: nashra sources',
  notFound: (r: string) => `Article ${r} not found.`,
  error: 'Something went wrong; please try again later.',
};

export type Messages = typeof AR;
export const messages = (lang: Lang): Messages => (lang === 'en' ? EN : AR);

/** Command menus for setMyCommands: Arabic by default, English for language_code "en". */
export const COMMANDS: Record<Lang, Array<{ command: string; description: string }>> = {
  ar: [
    { command: 'latest', description: 'آخر الأخبار' },
    { command: 'search', description: 'البحث في الأخبار' },
    { command: 'subscribe', description: 'الاشتراك' },
    { command: 'unsubscribe', description: 'إلغاء الاشتراك' },
    { command: 'topics', description: 'اختيار المواضيع' },
    { command: 'help', description: 'المساعدة' },
  ],
  en: [
    { command: 'latest', description: 'Latest news' },
    { command: 'search', description: 'Search the news' },
    { command: 'subscribe', description: 'Subscribe' },
    { command: 'unsubscribe', description: 'Unsubscribe' },
    { command: 'topics', description: 'Choose topics' },
    { command: 'help', description: 'Help' },
  ],
};

export const DESCRIPTION: Record<Lang, string> = {
  ar: 'نشرة: ملخّصات قصيرة لأخبار سوريا والعالم العربي، تصلك مرة واحدة.',
  en: 'Nashra: short summaries of Arabic news, delivered once.',
};
