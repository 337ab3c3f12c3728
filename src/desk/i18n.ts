/** The desk's words, Arabic first. A page asks for `t(lang)` and never writes a visible string of its own. */
export type Lang = 'ar' | 'en';

const ar = {
  appName: 'نشرة · غرفة التحرير',
  skip: 'انتقل إلى المحتوى',
  switchLang: 'English',
  nav: { today: 'اليوم', urgent: 'عاجل', sources: 'المصادر', subscriptions: 'الاشتراكات', queue: 'الطابور', activity: 'السجل', stats: 'الإحصاءات' },
  signedInAs: 'المحرر',
  logout: 'خروج',
  login: { title: 'تسجيل الدخول', username: 'اسم المستخدم', password: 'كلمة المرور', submit: 'دخول', wrong: 'اسم المستخدم أو كلمة المرور غير صحيحة.', tooMany: 'محاولات كثيرة. انتظر قليلاً ثم أعد المحاولة.', expired: 'انتهت الجلسة. سجّل الدخول من جديد.' },
  setup: { title: 'أول حساب محرر', intro: 'لا يوجد حساب محرر بعد. أنشئ الحساب الأول؛ تُضاف الحسابات الأخرى بالأمر nashra editors add.', again: 'أعد كتابة كلمة المرور', differ: 'كلمتا المرور مختلفتان.', submit: 'إنشاء الحساب والدخول' },
  today: {
    title: 'أخبار اليوم', search: 'بحث', searchPlaceholder: 'ابحث في العناوين والملخصات', source: 'المصدر', topic: 'الموضوع', state: 'الحالة',
    any: 'الكل', filter: 'تصفية', none: 'لا أخبار تطابق هذا البحث.', older: 'أقدم', urgent: 'عاجل', notSent: 'لم يُرسل بعد', edited: 'معدَّل',
    states: { none: 'لم يُرسل', queued: 'في الطابور', held: 'ينتظر الملخص', sending: 'قيد الإرسال', sent: 'أُرسل', failed: 'فشل', skipped: 'أُوقف', in_doubt: 'غير مؤكد' },
  },
  article: {
    back: 'اليوم', preview: 'المعاينة كما يراها المشترك', chars: 'حرفاً من', overLimit: 'أطول من حد المنصة: سيُختصر',
    edit: 'تحرير قبل الإرسال', titleField: 'العنوان', summaryField: 'الملخص (جملة في كل سطر)', hashtagsField: 'الوسوم (مفصولة بمسافات)',
    save: 'حفظ التعديل', saved: 'حُفظ التعديل: هو ما سيُعاينه المشتركون ويُرسل.', editedBy: 'عدّله', showOriginal: 'النص الأصلي',
    send: 'إرسال', audience: 'الجمهور', audienceMatching: 'كل المشتركين المطابقين', audienceAll: 'كل المشتركين', audiencePlatform: 'منصة واحدة:', audienceChats: 'محادثات محددة:',
    paid: 'بثّ مدفوع: أسرع، يُدفع بالنجوم من رصيد البوت', previewSend: 'معاينة الإرسال', where: 'أين ذهب', noDeliveries: 'لم يُرسل إلى أحد بعد.', openPost: 'فتح المنشور', resendFailed: 'أعد إرسال ما فشل', broadcasts: 'عمليات الإرسال',
    source: 'المصدر', published: 'نُشر', link: 'الرابط',
  },
  corrections: {
    title: 'التصحيح والسحب', correctSent: 'احفظ وصحّح المنشورات المرسلة', retract: 'سحب الخبر من كل المنصات…',
    correctTitle: 'تصحيح خبر مرسل', retractTitle: 'سحب الخبر', before: 'قبل', after: 'بعد',
    willEdit: 'ستُعدَّل المنشورات المرسلة', willDelete: 'ستُحذف المنشورات المرسلة (أو تُستبدل بإشعار السحب حيث ترفض المنصة)',
    noneSent: 'لم يُرسل منه شيء بعد.', queued: 'تُلغى الرسائل المنتظرة', inDoubt: 'غير مؤكدة، لا يمكن لمسها',
    never: 'لن يُرسل الخبر بعد السحب أبداً: لا في آخر الأخبار ولا البحث ولا لمشترك جديد.',
    confirmCorrect: 'تأكيد التصحيح', confirmRetract: 'تأكيد السحب', cancel: 'إلغاء', unchanged: 'لا فرق يراه القارئ: لا شيء للتصحيح.',
    retracted: 'سُحب هذا الخبر', report: 'ما جرى للمنشورات', edit: 'تصحيح', delete: 'سحب', reasons: 'الأسباب',
    outcomes: { edited: 'عُدّل', unchanged: 'كان مصحّحاً', replied: 'رُدّ عليه بالتصحيح', deleted: 'حُذف', notice: 'استُبدل بإشعار السحب', failed: 'تعذّر', waiting: 'ينتظر', inDoubt: 'غير مؤكد' },
  },
  broadcast: {
    title: 'إرسال', willReceive: 'سيستلمه', alreadyHave: 'استلمه من قبل', confirm: 'تأكيد الإرسال', cancel: 'إلغاء', stop: 'إيقاف',
    progress: 'التقدم', sent: 'أُرسل', failed: 'فشل', waiting: 'ينتظر', skipped: 'أُوقف', inDoubt: 'غير مؤكد',
    states: { preview: 'معاينة', queued: 'جارٍ', cancelled: 'أُلغي', stopped: 'أُوقف', done: 'اكتمل' },
    nobody: 'لا أحد سيستلمه: كل المشتركين المطابقين استلموه أو لا اشتراكات نشطة.',
    paidCost: 'بثّ مدفوع، أقصى كلفة',
  },
  urgent: { title: 'خبر عاجل', text: 'نص الخبر العاجل', intro: 'يُرسل الخبر العاجل قبل كل ما في الطابور، إلى كل المشتركين النشطين.', preview: 'معاينة' },
  sources: {
    title: 'المصادر', add: 'إضافة مصدر', url: 'رابط الموقع أو الخلاصة', interval: 'كل', name: 'الاسم (اختياري)', lastFetch: 'آخر جلب', status: 'الحالة',
    errors: 'أخطاء', articles: 'أخبار', nextPoll: 'الجلب التالي', pause: 'إيقاف مؤقت', resume: 'استئناف', remove: 'حذف', pollNow: 'اجلب الآن',
    paused: 'متوقف', failing: 'يفشل منذ', none: 'لا مصادر بعد.', confirmRemove: 'حذف هذا المصدر؟ تبقى أخباره محفوظة.',
  },
  subs: {
    title: 'الاشتراكات', platform: 'المنصة', kind: 'النوع', topics: 'المواضيع', stateCol: 'الحالة', active: 'نشط', inactive: 'متوقف',
    allTopics: 'كل الأخبار', deactivate: 'إيقاف', none: 'لا اشتراكات.', kinds: { channel: 'قناة', group: 'مجموعة', private: 'خاص' },
    settings: 'الإعدادات',
  },
  settings: {
    title: (name: string) => `إعدادات ${name}`, filter: 'المرشّح', filterHelp: 'كلمات أو "عبارات"؛ بـ«-» تُستبعد: الرقة "دير الزور" -رياضة. فارغ: كل الأخبار.',
    template: 'شكل الرسالة', header: 'العلامة فوق العنوان', footer: 'التذييل', byDefault: 'الافتراضي', none: 'بلا', own: 'نص خاص:',
    hashtags: 'سطر الوسوم', sourceLine: 'سطر المصدر', date: 'التاريخ', photo: 'الصورة الرئيسية كصورة مع النص', on: 'يظهر', off: 'لا يظهر',
    preview: 'معاينة الرابط', previews: { none: 'بلا', small: 'صغيرة', large: 'كبيرة فوق النص' }, save: 'حفظ', saved: 'تمّ الحفظ.',
    sources: 'مرشّح لكل مصدر', sourcesHelp: 'خبر من هذا المصدر يجب أن يطابق مرشّح الاشتراك ومرشّحه معاً. فارغ: يُحذف.', source: 'المصدر',
    defaults: (v: string) => `(الافتراضي الآن: ${v})`,
  },
  queue: {
    title: 'الطابور', depth: 'ينتظر', oldest: 'أقدم رسالة منذ', retries: 'إعادة محاولة مجدولة', empty: 'الطابور فارغ.',
    inDoubt: 'رسائل غير مؤكدة', inDoubtIntro: 'توقّف البرنامج أثناء إرسالها: ربما وصلت وربما لم تصل. تحقّق من المحادثة ثم اختر.',
    markSent: 'وصلت: علّمها مُرسلة', sendAgain: 'لم تصل: أرسلها مجدداً', noneInDoubt: 'لا رسائل غير مؤكدة.',
  },
  activity: { title: 'سجل النشاط', editor: 'المحرر', action: 'الإجراء', at: 'الوقت', detail: 'التفاصيل', none: 'لا نشاط.' },
  stats: { title: 'الإحصاءات', perHour: 'الرسائل المُرسلة في الساعة (آخر 48 ساعة)', perDay: 'الأخبار لكل مصدر في اليوم (آخر 14 يوماً)', failures: 'الإخفاقات حسب السبب (آخر 7 أيام)', noData: 'لا بيانات بعد.', reason: 'السبب', count: 'العدد' },
  errors: { notFound: 'غير موجود.', forbidden: 'غير مسموح.', generic: 'حدث خطأ.' },
};

export type Words = typeof ar;

const en: Words = {
  appName: 'Nashra · newsroom desk',
  skip: 'Skip to content',
  switchLang: 'العربية',
  nav: { today: 'Today', urgent: 'Urgent', sources: 'Sources', subscriptions: 'Subscriptions', queue: 'Queue', activity: 'Activity', stats: 'Stats' },
  signedInAs: 'Editor',
  logout: 'Log out',
  login: { title: 'Sign in', username: 'Username', password: 'Password', submit: 'Sign in', wrong: 'Wrong username or password.', tooMany: 'Too many attempts. Wait a little and try again.', expired: 'Your session ended. Sign in again.' },
  setup: { title: 'First editor account', intro: 'There is no editor account yet. Create the first one; add others with nashra editors add.', again: 'Password again', differ: 'The two passwords differ.', submit: 'Create the account and sign in' },
  today: {
    title: 'Today', search: 'Search', searchPlaceholder: 'Search titles and summaries', source: 'Source', topic: 'Topic', state: 'State',
    any: 'Any', filter: 'Filter', none: 'No story matches.', older: 'Older', urgent: 'Urgent', notSent: 'Not sent yet', edited: 'edited',
    states: { none: 'not sent', queued: 'queued', held: 'waiting for its digest', sending: 'sending', sent: 'sent', failed: 'failed', skipped: 'stopped', in_doubt: 'in doubt' },
  },
  article: {
    back: 'Today', preview: 'Preview as the subscriber sees it', chars: 'characters of', overLimit: 'Over the platform limit: it will be shortened',
    edit: 'Edit before sending', titleField: 'Title', summaryField: 'Summary (one sentence per line)', hashtagsField: 'Hashtags (separated by spaces)',
    save: 'Save the edit', saved: 'Edit saved: this is what is previewed and sent.', editedBy: 'Edited by', showOriginal: 'Original text',
    send: 'Send', audience: 'Audience', audienceMatching: 'Every matching subscriber', audienceAll: 'Every subscriber', audiencePlatform: 'One platform:', audienceChats: 'Chosen chats:',
    paid: 'Paid broadcast: faster, charged in Stars from the bot\'s balance', previewSend: 'Preview the send', where: 'Where it went', noDeliveries: 'Not sent to anyone yet.', openPost: 'Open the post', resendFailed: 'Send the failed ones again', broadcasts: 'Sends',
    source: 'Source', published: 'Published', link: 'Link',
  },
  corrections: {
    title: 'Corrections and retraction', correctSent: 'Save and correct the posts already sent', retract: 'Retract everywhere…',
    correctTitle: 'Correct a sent story', retractTitle: 'Retract the story', before: 'Before', after: 'After',
    willEdit: 'Posts already sent that will be edited', willDelete: 'Posts already sent that will be deleted (or replaced by the notice where the platform refuses)',
    noneSent: 'Nothing was sent yet.', queued: 'Waiting deliveries cancelled', inDoubt: 'in doubt, cannot be touched',
    never: 'Once retracted it is never sent again: not in the latest news, search, nor to a new subscriber.',
    confirmCorrect: 'Confirm the correction', confirmRetract: 'Confirm the retraction', cancel: 'Cancel', unchanged: 'A reader would see no difference: nothing to correct.',
    retracted: 'This story was retracted', report: 'What became of the posts', edit: 'correction', delete: 'retraction', reasons: 'Reasons',
    outcomes: { edited: 'edited', unchanged: 'already correct', replied: 'answered with the correction', deleted: 'deleted', notice: 'replaced by the notice', failed: 'could not be touched', waiting: 'waiting', inDoubt: 'in doubt' },
  },
  broadcast: {
    title: 'Send', willReceive: 'Will receive it', alreadyHave: 'Already have it', confirm: 'Confirm and send', cancel: 'Cancel', stop: 'Stop',
    progress: 'Progress', sent: 'Sent', failed: 'Failed', waiting: 'Waiting', skipped: 'Stopped', inDoubt: 'In doubt',
    states: { preview: 'preview', queued: 'sending', cancelled: 'cancelled', stopped: 'stopped', done: 'done' },
    nobody: 'Nobody would receive it: every matching subscriber has it already, or no subscription is active.',
    paidCost: 'Paid broadcast, at most',
  },
  urgent: { title: 'Urgent alert', text: 'Alert text', intro: 'An urgent alert goes out before everything queued, to every active subscriber.', preview: 'Preview' },
  sources: {
    title: 'Sources', add: 'Add a source', url: 'Site or feed URL', interval: 'Every', name: 'Name (optional)', lastFetch: 'Last fetch', status: 'Status',
    errors: 'Errors', articles: 'Articles', nextPoll: 'Next poll', pause: 'Pause', resume: 'Resume', remove: 'Remove', pollNow: 'Poll now',
    paused: 'paused', failing: 'failing since', none: 'No sources yet.', confirmRemove: 'Remove this source? Its articles stay stored.',
  },
  subs: {
    title: 'Subscriptions', platform: 'Platform', kind: 'Kind', topics: 'Topics', stateCol: 'State', active: 'active', inactive: 'inactive',
    allTopics: 'all news', deactivate: 'Deactivate', none: 'No subscriptions.', kinds: { channel: 'channel', group: 'group', private: 'private' },
    settings: 'Settings',
  },
  settings: {
    title: (name: string) => `Settings of ${name}`, filter: 'Filter', filterHelp: 'Words or "phrases"; a leading «-» excludes: Raqqa "Deir ez-Zor" -sport. Empty: all news.',
    template: 'How messages look', header: 'Header mark above the headline', footer: 'Footer', byDefault: 'default', none: 'none', own: 'own text:',
    hashtags: 'Hashtag line', sourceLine: 'Source line', date: 'Date', photo: 'Lead image as a photo with the text', on: 'shown', off: 'hidden',
    preview: 'Link preview', previews: { none: 'none', small: 'small', large: 'large, above the text' }, save: 'Save', saved: 'Saved.',
    sources: 'Filter per source', sourcesHelp: 'An article from this source must match both the subscription\'s filter and this one. Empty: removed.', source: 'Source',
    defaults: (v: string) => `(default now: ${v})`,
  },
  queue: {
    title: 'Queue', depth: 'Waiting', oldest: 'Oldest waiting for', retries: 'Retries scheduled', empty: 'The queue is empty.',
    inDoubt: 'In doubt', inDoubtIntro: 'Nashra stopped while sending these: they may or may not have arrived. Check the chat, then choose.',
    markSent: 'It arrived: mark as sent', sendAgain: 'It did not: send again', noneInDoubt: 'Nothing in doubt.',
  },
  activity: { title: 'Activity', editor: 'Editor', action: 'Action', at: 'Time', detail: 'Detail', none: 'No activity.' },
  stats: { title: 'Stats', perHour: 'Messages sent per hour (last 48 hours)', perDay: 'Articles per source per day (last 14 days)', failures: 'Failures by reason (last 7 days)', noData: 'No data yet.', reason: 'Reason', count: 'Count' },
  errors: { notFound: 'Not found.', forbidden: 'Forbidden.', generic: 'Something went wrong.' },
};

export const t = (lang: Lang): Words => (lang === 'en' ? en : ar);
