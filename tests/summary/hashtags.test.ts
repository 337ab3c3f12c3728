import { describe, expect, it } from 'vitest';
import { sy24Article as sy24Fixture } from '../helpers/sy24.js';
import { normalizeArabic } from '../../src/text/arabic.js';
import { candidateTags, hashtags } from '../../src/summary/hashtags.js';
import { readFileSync } from 'node:fs';
import {
  cutNames,
  missCauses,
  candidatesOf,
  scoreTags,
  tagKey,
  topicsOf,
  type TagAnnotation,
  type TaggedArticle,
} from '../../eval/hashtags.js';

const jsonl = <T>(path: string): T[] =>
  readFileSync(new URL(path, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);

const sy24Article = () => sy24Fixture({ keepByline: false });
const TAG_SHAPE = /^#[\p{L}\p{N}]+(?:_[\p{L}\p{N}]+)*$/u;

describe('hashtags', () => {
  it('finds the SY24 article’s central names', () => {
    const tags = hashtags(sy24Article());
    expect(tags).toContain('#البادية_السورية');
    expect(tags).toContain('#داعش');
    expect(tags.length).toBeLessThanOrEqual(4);
  });

  it('takes a glued preposition off a place noun («بريف حمص» → #ريف_حمص_الشرقي) but not off other words', () => {
    expect(hashtags(sy24Article())).toContain('#ريف_حمص_الشرقي');
    const text = {
      title: 'بريطانيا تعلن موقفها',
      paragraphs: ['قالت بريطانيا إن موقفها ثابت.', 'وأكدت بريطانيا ذلك مجددا.', 'ونقلت بريطانيا رسالة.'],
    };
    expect(hashtags(text)).toContain('#بريطانيا');
  });

  it('puts the article’s categories first, cleaned', () => {
    const tags = hashtags({ ...sy24Article(), categories: ['أخبار سوريا', 'تقاريرُ ـ خاصة'] });
    expect(tags.slice(0, 2)).toEqual(['#أخبار_سوريا', '#تقارير_خاصة']);
    expect(tags).toHaveLength(4);
    // The most mentioned name follows: «داعش» (12 mentions) before «البادية السورية» (before: the other way round).
    expect(tags.slice(2)).toEqual(['#داعش', '#البادية_السورية']);
  });

  it('tags names an editor would choose, never a verb, a generic noun, a religious word or a headline fragment', () => {
    const tags = hashtags({
      title: 'تنفيذ حكم القتل تعزيرا بجان في منطقة القصيم',
      paragraphs: [
        'نفذت وزارة الداخلية اليوم حكم القتل تعزيرا بأحد الجناة في منطقة القصيم، رحمه الله وغفر له.',
        'وأوضحت وزارة الداخلية أن الجاني أدين بتهريب المخدرات، وأن الله تعالى أمر بالعدل.',
        'وتؤكد الوزارة حرصها على استتباب الأمن، والله الموفق. وقال الله تعالى في كتابه الكريم.',
      ],
    });
    expect(tags).toEqual(['#القصيم', '#وزارة_الداخلية']);
    expect(tags).not.toContain('#الله');
  });

  it('does not take part of a longer name for a name («جامعة أم القرى» is not #القرى)', () => {
    const tags = hashtags({
      title: 'طلاب «أم القرى» يحاصرون ماجد',
      paragraphs: [
        'حاصر طلاب جامعة أم القرى والجماهير الرياضية بمكة المكرمة اللاعب ماجد عبدالله قبيل افتتاح جامعة أم القرى الندوة.',
      ],
    });
    expect(tags).toContain('#جامعة_أم_القرى');
    expect(tags.some((t) => t === '#القرى' || t === '#أم_القرى')).toBe(false);
  });

  it('finds a person named in the headline or referred to by the family name', () => {
    const tags = hashtags({
      title: 'الخدمة المدنية توضح أسباب ترشيح الأقل نقاطا',
      paragraphs: [
        'أكد المتحدث الرسمي لوزارة الخدمة المدنية حمد المنيف أن الترشيح مرتبط بدليل التخصصات.',
        'وأوضح المنيف أن المفاضلة تتم آليا.',
        'وأضاف المنيف أن النتائج تعلن الأسبوع المقبل.',
        'وختم المنيف بأن الوزارة ترحب بالاستفسارات.',
      ],
    });
    expect([...tags].sort()).toEqual(['#الخدمة_المدنية', '#حمد_المنيف']);
    // Quoted once, a person is not what the story is about.
    const once = hashtags({
      title: 'الخدمة المدنية توضح',
      paragraphs: ['أكد المتحدث حمد المنيف أن الترشيح مرتبط بالدليل.'],
    });
    expect(once).not.toContain('#حمد_المنيف');
  });

  it('returns at most max tags, shaped like channel hashtags, without duplicates', () => {
    const tags = hashtags({ ...sy24Article(), categories: ['سوريا', 'سوريا', 'البادية السورية'] }, 3);
    expect(tags).toEqual(['#سوريا', '#البادية_السورية', '#داعش']);
    for (const tag of hashtags(sy24Article())) expect(tag).toMatch(TAG_SHAPE);
    const keys = tags.map(normalizeArabic);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('drops stopword-only, numeric and empty categories', () => {
    expect(hashtags({ title: '', paragraphs: [], categories: ['في', '2015', '«»', 'اقتصاد'] })).toEqual(['#اقتصاد']);
  });

  it('is deterministic', () => {
    expect(hashtags(sy24Article())).toEqual(hashtags(sy24Article()));
  });

  // Issue 21 item 29: «#حسن_نصر» for «حسن نصر الله».
  it('never cuts a name: «الله», «الدين» and what follows «بن», «أبو», «عبد» stay in the tag', () => {
    const speech = hashtags({
      title: 'حسن نصر الله يلقي خطابا عن الحرب',
      paragraphs: ['ألقى الأمين العام للحزب حسن نصر الله خطابا مساء أمس.', 'وقال نصر الله إن الحرب طويلة.'],
    });
    expect(speech).toContain('#حسن_نصر_الله');
    expect(speech).not.toContain('#حسن_نصر');
    const prize = hashtags({
      title: 'محمد عبد الله يفوز بجائزة الرواية',
      paragraphs: ['فاز الروائي محمد عبد الله بالجائزة الأولى.'],
    });
    expect(prize).toContain('#محمد_عبد_الله');
    const hall = hashtags({
      title: 'خالد نور الدين يفتتح القاعة',
      paragraphs: ['افتتح خالد نور الدين القاعة الجديدة.'],
    });
    expect(hall).toContain('#خالد_نور_الدين');
    for (const tags of [speech, prize, hall]) for (const tag of tags) expect(tag).not.toMatch(/_(?:عبد|بن|أبو|ابن)$/u);
  });

  it('tags a topic term the headline names (a made-up story about the Eid holiday)', () => {
    const tags = hashtags({
      title: 'الأسواق تستعد لعيد الفطر بعروض جديدة',
      paragraphs: [
        'بدأت الأسواق في المدن الكبرى استعداداتها لاستقبال المتسوقين.',
        'وقال تجار إن الإقبال يزداد كل عام.',
      ],
    });
    expect(tags).toContain('#عيد_الفطر');
  });

  it('does not tag a topic term the story only mentions (the lead of a story about something else)', () => {
    const tags = hashtags({
      title: 'انفجار في سوق شعبي يوقع إصابات',
      paragraphs: [
        'وقع انفجار في سوق شعبي صباح عيد الفطر، وأصيب عدد من المتسوقين في عيد الفطر، وتحولت فرحة عيد الفطر إلى حزن.',
      ],
    });
    expect(tags).not.toContain('#عيد_الفطر');
  });

  it('tags a body the story names (a made-up warning of the food and drug authority)', () => {
    const tags = hashtags({
      title: 'تحذير من مكمل غذائي مغشوش',
      paragraphs: [
        'حذرت الهيئة العامة للغذاء والدواء من مكمل غذائي يباع عبر الإنترنت، وقالت هيئة الغذاء والدواء إنه مغشوش.',
        'ودعت هيئة الغذاء والدواء المستهلكين إلى الإبلاغ عنه.',
      ],
    });
    expect(tags).toContain('#هيئة_الغذاء_والدواء');
  });

  it('tags a foreign public figure by the name the story uses, not a person quoted in passing', () => {
    const tags = hashtags({
      title: 'لافروف يلتقي نظيره في جنيف',
      paragraphs: ['التقى وزير الخارجية الروسي سيرغي لافروف نظيره في جنيف أمس.', 'وقال لافروف إن اللقاء كان مثمرا.'],
    });
    expect(tags).toContain('#لافروف');
    // Cited twice, after the story's opening and not in the headline: a side reference, as editors judged on the
    // development articles.
    const aside = hashtags({
      title: 'محادثات تجارية بين البلدين',
      paragraphs: [
        'بدأت محادثات تجارية بين البلدين في العاصمة أمس، وتناولت المحادثات التي استمرت ثلاث ساعات التبادل التجاري والاستثمار والجمارك والنقل البحري والطيران المدني وتأشيرات رجال الأعمال، واتفق الجانبان على مواصلة الحوار في الشهر المقبل وتشكيل لجان فنية مشتركة لمتابعة الملفات العالقة بين البلدين ورفع تقاريرها إلى الوزراء.',
        'وكانت ميركل قد دعت إليها العام الماضي، ودعمتها ميركل.',
      ],
    });
    expect(aside).not.toContain('#ميركل');
  });

  it('tags a listed person the opening names for what they do, once, but not one in a list of names', () => {
    const premier = hashtags({
      title: 'ماليزيا تؤكد العثور على حطام الطائرة',
      paragraphs: [
        'أكد رئيس وزراء ماليزيا نجيب عبد الرزاق في وقت مبكر من اليوم أن الحطام الذي عثر عليه يعود إلى الطائرة المفقودة.',
      ],
    });
    expect(premier).toContain('#نجيب_عبد_الرزاق');
    const minister = hashtags({
      title: 'تعديلات جديدة على نظام العمل',
      paragraphs: [
        'كشف وزير الخارجية الألماني فرانك فالتر شتاينماير خلال زيارته الرياض عن تعاون جديد بين البلدين في مجال التدريب.',
      ],
    });
    expect(minister).toContain('#فرانك_فالتر_شتاينماير');
    const listed = hashtags({
      title: 'قمة اقتصادية في العاصمة',
      paragraphs: ['حضر القمة الاقتصادية أوباما وميركل وهولاند إلى جانب عدد من رؤساء الحكومات ووزراء المالية.'],
    });
    expect(listed.filter((t) => ['#أوباما', '#ميركل', '#هولاند'].includes(t))).toEqual([]);
  });

  it('counts «الوزارة» as a mention of the one ministry the story named (a made-up statement)', () => {
    const story = (ministries: string) =>
      hashtags({
        title: 'تمديد مهلة تسجيل المركبات',
        paragraphs: [
          `أعلنت ${ministries} تمديد مهلة تسجيل المركبات شهرا إضافيا.`,
          'وقالت الوزارة إن المهلة تنتهي آخر الشهر، وأهابت الوزارة بالمواطنين المبادرة.',
        ],
      });
    expect(story('وزارة النقل')).toContain('#وزارة_النقل');
    // Two ministries: «الوزارة» could be either, and counts for neither.
    expect(story('وزارة النقل ووزارة الداخلية')).toEqual([]);
  });

  it('does not take the man a body is named after for the story’s person («مركز محمد بن نايف للمناصحة»)', () => {
    const tags = hashtags({
      title: 'تخريج دفعة جديدة من المستفيدين',
      paragraphs: [
        'احتفل مركز الأمير محمد بن نايف للمناصحة بتخريج دفعة من المستفيدين.',
        'وأوضح مدير مركز الأمير محمد بن نايف للمناصحة أن البرامج مستمرة، وأن مركز الأمير محمد بن نايف للمناصحة يتوسع.',
      ],
    });
    expect(tags).not.toContain('#محمد_بن_نايف');
  });

  // Issue 22 §5, second round: the rules below were each measured on the two development sets before the held-out
  // one; the stories are made up, in the shape of the news they came from.
  it('names a country by its adjective, not after a given name or a title, nor in a sports story', () => {
    const visit = hashtags({
      title: 'القيادة تهنئ الرئيس التونسي بذكرى الاستقلال',
      paragraphs: ['بعث خادم الحرمين الشريفين برقية تهنئة للرئيس التونسي بمناسبة ذكرى الاستقلال.'],
    });
    expect(visit).toContain('#تونس');
    const scholar = hashtags({
      title: 'الدكتور التركي يستقبل وفدا',
      paragraphs: ['استقبل الدكتور عبدالله التركي وفدا من العلماء، وقال التركي إن اللقاء مثمر.'],
    });
    expect(scholar).not.toContain('#تركيا');
    const club = hashtags({
      title: 'مدرب العين الإماراتي: لست سعيدا بالخسارة',
      paragraphs: ['قال مدرب فريق العين الإماراتي إن اللاعبين قدموا مباراة جيدة في الدوري رغم الخسارة.'],
    });
    expect(club).not.toContain('#الإمارات');
  });

  it('takes a headline’s «العمل» or «السجون» for the body the story names in full', () => {
    // Named in full once, after the lead: only the headline makes it the story's.
    const tags = hashtags({
      title: '«العمل» تطلق برنامجا جديدا للتوظيف',
      paragraphs: [
        'انطلق برنامج جديد لتوظيف الشباب في القطاع الخاص.',
        'وأوضحت وزارة العمل أن البرنامج يبدأ الشهر المقبل.',
      ],
    });
    expect(tags).toContain('#وزارة_العمل');
    const prisons = hashtags({
      title: 'السجون تراجع إجراءاتها',
      paragraphs: [
        'عقد مديرو السجون في المناطق اجتماعا لمراجعة الإجراءات.',
        'ويأتي ذلك ضمن خطة المديرية العامة للسجون.',
      ],
    });
    expect(prisons).toContain('#المديرية_العامة_للسجون');
  });

  it('tags a body the lead names once for what it does, not the body of a person’s post', () => {
    const acts = hashtags({
      title: 'ألف وظيفة موسمية في المدينة المنورة',
      paragraphs: ['يقع المشروع تحت إشراف وزارة الحج، ويوفر ألف وظيفة موسمية للشباب.', 'ويبدأ التقديم الأحد.'],
    });
    expect(acts).toContain('#وزارة_الحج');
    const post = hashtags({
      title: 'توقيع مذكرة تعاون لمحطة شمسية',
      paragraphs: [
        'وقع وكيل وزارة المياه والكهرباء مذكرة تعاون لإنشاء محطة تعمل بالطاقة الشمسية.',
        'وتبدأ الأعمال العام المقبل.',
      ],
    });
    expect(post).not.toContain('#وزارة_المياه_والكهرباء');
  });

  it('adds the country of a place abroad when the story names it, but not a club’s city', () => {
    const war = hashtags({
      title: 'معارك عنيفة في الرمادي',
      paragraphs: [
        'تدور معارك عنيفة في مدينة الرمادي مركز محافظة الأنبار غرب العراق.',
        'وقالت مصادر إن القتال مستمر في الرمادي.',
      ],
    });
    expect(war).toEqual(expect.arrayContaining(['#الرمادي', '#العراق']));
    const match = hashtags({
      title: 'روما يفوز على تشيلسي في مباراة ودية',
      paragraphs: [
        'فاز فريق روما على تشيلسي في مباراة ودية أقيمت في ملبورن، وسجل لاعب روما هدفين.',
        'ويواصل المدرب تحضيرات الفريق للدوري الإيطالي في إيطاليا.',
      ],
    });
    expect(match).not.toContain('#إيطاليا');
  });

  it('finds a man named with «بن» and tags him as the news calls him, or as the headline writes him', () => {
    const minister = hashtags({
      title: '«الصمعاني» يؤكد دعم وزارته للإسكان',
      paragraphs: ['أكد وزير العدل الدكتور وليد بن محمد الصمعاني دعم الوزارة.', 'وقال الصمعاني إن التعاون مستمر.'],
    });
    expect(minister).toContain('#وليد_الصمعاني');
    const prince = hashtags({
      title: 'فيصل بن خالد: نرحب بالنقد البناء',
      paragraphs: ['أوضح الأمير فيصل بن خالد بن عبدالعزيز أمير منطقة عسير أن النقد البناء مرحب به.'],
    });
    expect(prince).toContain('#فيصل_بن_خالد');
    const obituary = hashtags({
      title: 'ورحل الصديق سعد بن محمد الحسين',
      paragraphs: ['رحل الشيخ سعد بن محمد الحسين بعد حياة حافلة.', 'وكان الحسين محبا للعلم، وعرف الحسين بالزهد.'],
    });
    expect(obituary).toContain('#سعد_بن_محمد_الحسين');
    for (const tags of [minister, prince, obituary])
      for (const tag of tags) expect(tag).not.toMatch(/_(?:عبد|بن|أبو|ابن)$/u);
  });

  it('takes no name and verb of a headline for a person («الملك سلمان يصل المغرب»)', () => {
    const tags = hashtags({
      title: 'الملك سلمان يصل المغرب',
      paragraphs: [
        'وصل خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز إلى المغرب في إجازة خاصة.',
        'وكان في استقباله عدد من المسؤولين في المغرب.',
      ],
    });
    expect(tags).toContain('#الملك_سلمان');
    expect(tags).not.toContain('#سلمان_يصل');
  });

  it('tags the one-word subject a headline opens with when the story names it again, with the given name it has', () => {
    const player = hashtags({
      title: 'بولوني يلحق ببعثة الاتحاد',
      paragraphs: [
        'لحق المدافع بولوني ببعثة الفريق في المعسكر.',
        'وكان بولوني قد تأخر لأسباب عائلية، وسيشارك بولوني في المباراة.',
      ],
    });
    expect(player).toContain('#بولوني');
    const rebel = hashtags({
      title: 'كنو يتمرد على الاتفاق',
      paragraphs: [
        'رفض اللاعب محمد كنو الحضور إلى التدريبات.',
        'وهددت الإدارة بمعاقبة كنو إذا لم يعد، وقال كنو إنه ينتظر.',
      ],
    });
    expect(rebel).toContain('#محمد_كنو');
    const woman = hashtags({
      title: 'سيدة تنتقم من زوجها',
      paragraphs: ['أقدمت سيدة على الانتقام من زوجها.', 'وقالت السيدة إن زوجها أساء إليها، وأوقفت الشرطة سيدة أخرى.'],
    });
    expect(woman).toEqual([]);
  });

  it('tags a body the headline names by the pattern of its name, and no phrase that names no one body', () => {
    expect(
      hashtags({ title: 'جامعة المجمعة تقيم حفل معايدة', paragraphs: ['أقامت جامعة المجمعة حفل المعايدة السنوي.'] }),
    ).toContain('#جامعة_المجمعة');
    expect(
      hashtags({ title: 'مجلس الوزراء السعودي يقر الميزانية', paragraphs: ['أقر مجلس الوزراء الميزانية الجديدة.'] }),
    ).toContain('#مجلس_الوزراء');
    expect(
      hashtags({ title: 'مجلس الإدارة يقر توزيع الأرباح', paragraphs: ['أقر مجلس الإدارة توزيع الأرباح.'] }),
    ).toEqual([]);
  });

  it('takes a headline’s occasion for the one the story names, and a topic term without the article', () => {
    const eid = hashtags({
      title: 'حفل جماهيري في العيد',
      paragraphs: ['يحيي الفنان حفلا جماهيريا في أول أيام عيد الفطر المبارك.', 'وتنفد التذاكر سريعا.'],
    });
    expect(eid).toContain('#عيد_الفطر');
    expect(
      hashtags({ title: 'هطول أمطار رعدية على عسير', paragraphs: ['توقعت الأرصاد هطول أمطار على عسير.'] }),
    ).toContain('#الأمطار');
    // «عقار» without the article is a drug, not real estate.
    expect(
      hashtags({ title: 'عقار جديد لعلاج الملاريا', paragraphs: ['صدقت جهات رقابية على عقار جديد لعلاج الملاريا.'] }),
    ).not.toContain('#العقار');
  });

  it('never cuts a longer name for a listed one or a pattern («الملك عبدالله الثاني», «جامعة الملك عبدالله»)', () => {
    const article = {
      title: 'الملك عبدالله الثاني يستقبل وفد جامعة الملك عبدالله',
      content:
        'استقبل الملك عبدالله الثاني وفدا من جامعة الملك عبدالله للعلوم والتقنية، وأشاد الملك عبدالله الثاني بالجامعة.',
    };
    const tags = hashtags({ title: article.title, paragraphs: [article.content] });
    expect(tags).toContain('#الملك_عبدالله_الثاني');
    expect(tags).not.toContain('#الملك_عبدالله');
    expect(tags.some((t) => t.endsWith('_الملك'))).toBe(false);
    expect(cutNames([{ id: 'k', ...article }])).toEqual([]);
  });

  it('reads the lead after a byline, a dateline or a subtitle, not the byline as the lead', () => {
    const story = (opening: string) => ({
      title: 'سيدة تثير الذعر أمام نقطة شرطة',
      paragraphs: [
        opening,
        'زعمت سيدة أنها ترتدي حزاما ناسفا وأنها ستفجر نفسها أمام نقطة شرطة بالجيزة في مصر، قبل أن يتبين أنها أرادت الانتقام من زوجها.',
        'وقالت مصادر أمنية في مصر إن السيدة أحيلت إلى النيابة.',
      ],
    });
    expect(hashtags(story('لجين الأحمدي – متابعات'))).toContain('#مصر');
    expect(hashtags(story('الجيزة 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس'))).toContain('#مصر');
    const dateline = hashtags({
      title: 'تنفيذ حكم القتل قصاصا في جان',
      paragraphs: [
        'الباحة 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس',
        'أصدرت وزارة الداخلية اليوم بيانا حول تنفيذ حكم القتل قصاصا بأحد الجناة في منطقة الباحة.',
      ],
    });
    expect(dateline).toContain('#وزارة_الداخلية');
    // Hostile: a thousand bylines and nothing else, and mis-encoded short lines before the story; the lead is then the
    // first paragraph, or the first long one among the first four.
    const bylines = Array.from({ length: 1_000 }, () => 'عين اليوم – جدة');
    const started = performance.now();
    expect(hashtags({ title: 'خبر', paragraphs: bylines })).toEqual(['#جدة']);
    expect(performance.now() - started).toBeLessThan(2_000);
    const mojibake = new TextDecoder('windows-1252').decode(new TextEncoder().encode('لجين الأحمدي – متابعات'));
    expect(hashtags(story(mojibake))).toContain('#مصر');
  });

  it('takes no social network a story mentions for its topic, unless the headline names it', () => {
    const post = hashtags({
      title: 'الوزير يعلن موعد بدء التسجيل',
      paragraphs: [
        'أعلن الوزير في تغريدة على حسابه في موقع «تويتر» موعد بدء التسجيل، وتفاعل مستخدمو «تويتر» مع التغريدة.',
      ],
    });
    expect(post).not.toContain('#تويتر');
    expect(
      hashtags({ title: 'تويتر يطلق خدمة جديدة', paragraphs: ['أطلق موقع تويتر خدمة جديدة لمستخدميه في المنطقة.'] }),
    ).toContain('#تويتر');
  });

  it('takes the newspaper quoted after «لـ» for no place, and a name after «لـ» for itself', () => {
    const told = hashtags({
      title: 'بادي لـ {الشرق الأوسط} : لم نتسلم أي مبادئ للحوار',
      paragraphs: [
        'قال المتحدث باسم الحكومة لـ«الشرق الأوسط»، إن الحكومة لم تتسلم رسميا أي مبادئ للحوار من الأمم المتحدة.',
        'وأضاف أن الحكومة تنتظر رد الأمم المتحدة.',
      ],
    });
    expect(told).not.toContain('#الشرق_الأوسط');
    expect(told).toContain('#الأمم_المتحدة');
    const daesh = hashtags({
      title: 'تحركات علنية لـ "داعش" في البادية السورية',
      paragraphs: ['رصدت مصادر ميدانية تحركات لتنظيم داعش في البادية السورية.', 'وقالت المصادر إن داعش نقل عناصره.'],
    });
    expect(daesh).toContain('#داعش');
  });

  it('counts names listed with «و» written apart as a list', () => {
    const weather = hashtags({
      title: 'توقعات بأمطار رعدية اليوم',
      paragraphs: [
        'توقعت الرئاسة العامة للأرصاد هطول أمطار رعدية مصحوبة برياح نشطة على مناطق جازان و عسير و نجران اليوم.',
        'وتمتد الأمطار غدا إلى جازان وأجزاء من عسير وأطراف نجران.',
      ],
    });
    expect(weather.filter((t) => ['#جازان', '#عسير', '#نجران'].includes(t))).toEqual([]);
  });

  it('takes a headline’s short form of the one listed body it begins, and of none when several begin so', () => {
    const market = hashtags({
      title: 'موبايلي تخسر في النصف الأول.. وهيئة السوق تعيدها للتداول',
      paragraphs: ['أعلنت شركة موبايلي عن نتائجها المالية للنصف الأول من العام بخسارة صافية.'],
    });
    expect(market).toContain('#هيئة_السوق_المالية');
    expect(market).not.toContain('#هيئة_السوق');
    // «وزارة الشؤون» begins the ministries of Islamic, social and municipal affairs: no one body, and no tag cut short.
    const affairs = hashtags({
      title: 'وزارة الشؤون تعلن مواعيد الدوام',
      paragraphs: ['أعلنت الوزارة مواعيد الدوام الجديدة.'],
    });
    expect(affairs.filter((t) => t.startsWith('#وزارة_الشؤون'))).toEqual([]);
  });

  it('tags a headline’s one-word subject with the given name the story writes before it («فواز عزيز»), never cut', () => {
    const article = {
      title: 'عزيز: هيئة الصحفيين مجرد مبنى',
      content:
        'استبعد الزميل الكاتب فواز عزيز وجود أي دور لهيئة الصحفيين. وقال عزيز إن الجيل الحالي محظوظ، وأضاف عزيز أن الهيئة بلا دور.',
    };
    const tags = hashtags({ title: article.title, paragraphs: [article.content] });
    expect(tags).toContain('#فواز_عزيز');
    expect(tags).not.toContain('#عزيز');
    // A name of the list inside a longer name is not cut: «نصر» of «حسن نصر الله», a given name before «الله».
    const sheikh = {
      title: 'نصر الله: لن نتراجع',
      content:
        'قال حسن نصر الله في كلمة متلفزة إن الحزب لن يتراجع. وأضاف نصر الله أن المعركة مستمرة، وختم نصر الله كلمته.',
    };
    const sheikhTags = hashtags({ title: sheikh.title, paragraphs: [sheikh.content] });
    expect(sheikhTags.filter((t) => t === '#نصر' || t === '#حسن_نصر')).toEqual([]);
    expect(
      cutNames([
        { id: 'a', ...article },
        { id: 's', ...sheikh },
      ]),
    ).toEqual([]);
  });

  it('survives hostile input: a 10,000-character headline, one 10,000-letter word, mis-encoded text', () => {
    const words = [
      'الرياض',
      'وزارة',
      'الصحة',
      'محمد',
      'بن',
      'سلمان',
      'التونسي',
      'عيد',
      ':',
      'يصل',
      'بولوني',
      'جامعة',
      'الملك',
    ];
    let title = '';
    for (let i = 0; title.length < 10_000; i++) title += words[(i * 7 + (i >> 3)) % words.length] + ' ';
    const started = performance.now();
    const long = hashtags({ title, paragraphs: [title.slice(0, 2_000), 'وقال بولوني إن بولوني سعيد.'] });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(long.length).toBeLessThanOrEqual(4);
    for (const tag of long) expect(tag).toMatch(TAG_SHAPE);
    expect(cutNames([{ id: 'long', title, content: title.slice(0, 2_000) }])).toEqual([]);
    const word = 'ب'.repeat(10_000);
    expect(hashtags({ title: `${word}: يصل`, paragraphs: [`${word} ${word} ${word}`] })).toEqual([]);
    // UTF-8 Arabic read as windows-1252, and as Latin-1 with replacement characters: no Arabic name, no tag.
    const arabic = 'الرئيس التونسي يستقبل وزير الخارجية في تونس';
    const mojibake = new TextDecoder('windows-1252').decode(new TextEncoder().encode(arabic));
    expect(hashtags({ title: mojibake, paragraphs: [mojibake, mojibake] })).toEqual([]);
    const broken = '\uFFFD\uFFFDتونس\uFFFD: \uFFFD\uFFFD';
    for (const tag of hashtags({ title: broken, paragraphs: [broken, broken] })) expect(tag).toMatch(TAG_SHAPE);
  });

  it('scores «عبد الله» and «عبدالله» as one spelling, and keeps other names apart (the eval’s tag keys)', () => {
    expect(tagKey('#علي_عبد_الله_صالح')).toBe(tagKey('#علي_عبدالله_صالح'));
    expect(tagKey('#عبد_القادر_الجنيد')).toBe(tagKey('عبدالقادر_الجنيد'));
    expect(topicsOf(['علي_عبدالله_صالح', 'علي_عبد_الله_صالح', 'اليمن'])).toHaveLength(2);
    // «عبد» before a word without the article is no joined name («عبد ربه» stays two words), nor is «العبد».
    expect(tagKey('#عبد_ربه_منصور_هادي')).toBe('عبد ربه منصور هادي');
    expect(tagKey('#العبد_الله')).not.toBe(tagKey('#عبدالله'));
  });

  it('takes a headline’s verb spelt as a place for no place when the body never names it («التحالف تدمر»)', () => {
    const strikes = {
      title: 'غارات التحالف تدمر مقدرات الانقلابيين',
      paragraphs: ['كشف مصدر أن الغارات التي شنتها طائرات التحالف على مواقع الحوثيين في صعدة أصابت أهدافها بدقة.'],
    };
    expect(hashtags(strikes)).not.toContain('#تدمر');
    const palmyra = {
      title: 'داعش تدمر آثار تدمر',
      paragraphs: [
        'فجر تنظيم داعش معبدا أثريا في مدينة تدمر وسط سوريا، وقال ناشطون إن التنظيم يسيطر على تدمر منذ مايو.',
      ],
    };
    expect(hashtags(palmyra)).toContain('#تدمر');
    // The place as the headline's subject, not after a definite word, needs no body.
    expect(hashtags({ title: 'تدمر تحت القصف', paragraphs: ['قصف عنيف على الأحياء السكنية منذ الصباح.'] })).toContain(
      '#تدمر',
    );
  });

  it('takes no continent that follows another name in the headline («برشلونة آسيا»), but one alone', () => {
    const epithet = hashtags({
      title: 'صحيفة يونانية: الهلال.. برشلونة آسيا',
      paragraphs: ['أكد مدرب الهلال أن إدارة الهلال وفرت له كل ما يريد، وقال إن الهلال هو برشلونة آسيا في الدوري.'],
    });
    expect(epithet).not.toContain('#آسيا');
    const continent = hashtags({
      title: 'موجة حر تضرب آسيا',
      paragraphs: ['ضربت موجة حر شديدة عدة دول في آسيا، وسجلت درجات الحرارة أرقاما قياسية في آسيا هذا الأسبوع.'],
    });
    expect(continent).toContain('#آسيا');
  });

  it('takes no king named in homage («حكومة خادم الحرمين الشريفين الملك سلمان») for the story’s person', () => {
    const homage = hashtags({
      title: 'وزير البلديات يوجه بخدمة ضيوف الرحمن',
      paragraphs: [
        'وجه وزير الشؤون البلدية والقروية بتضافر جهود الوزارة لخدمة ضيوف الرحمن، وتقديم صورة مشرفة لما تبذله حكومة خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز من جهود.',
      ],
    });
    expect(homage).not.toContain('#الملك_سلمان');
    const actor = hashtags({
      title: 'برقية تهنئة لرئيس تونس',
      paragraphs: [
        'بعث خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز برقية تهنئة للرئيس التونسي بذكرى إعلان الجمهورية.',
      ],
    });
    expect(actor).toContain('#الملك_سلمان');
  });

  it('counts «تنظيم الدولة» as a mention of «داعش», one organisation and one tag', () => {
    const tags = hashtags({
      title: 'هجوم جديد في الأنبار',
      paragraphs: [
        'شن تنظيم الدولة هجوما على مواقع الجيش العراقي في الأنبار، وقالت مصادر إن تنظيم الدولة فقد عشرات من مقاتليه، وإن داعش انسحب من الرمادي.',
      ],
    });
    expect(tags).toContain('#داعش');
    expect(tags).not.toContain('#تنظيم_الدولة');
  });

  it('knows the world’s cities from CLDR, but no city spelt as a common word («نوم», «العيون»)', () => {
    const colombo = hashtags({
      title: 'موجز دوليات',
      paragraphs: [
        'أعلنت الشرطة في كولومبو اعتقال عشرة أشخاص بعد اشتباكات قرب البرلمان، وقالت إن الهدوء عاد إلى شوارع كولومبو مساء أمس.',
      ],
    });
    expect(colombo).toContain('#كولومبو');
    const words = hashtags({
      title: 'قلة النوم تتعب العيون',
      paragraphs: [
        'قال أطباء إن قلة نوم الأطفال تتعب العيون، وإن ساعات نوم كافية تحمي العيون من الإجهاد في أيام الدراسة الطويلة.',
      ],
    });
    expect(words).toEqual([]);
  });

  it('counts the two sides «بين» names as the story’s, not as a list in passing', () => {
    const tags = hashtags({
      title: 'وصول لاجئين إلى منطقة متنازع عليها',
      paragraphs: [
        'أعلن مكتب الإغاثة وصول 800 لاجئ إلى منطقة أبيي المتنازع عليها بين الخرطوم وجوبا، وقالت الخرطوم إنها سترسل مساعدات عاجلة.',
      ],
    });
    expect(tags).toContain('#الخرطوم');
  });

  // The precision guard: on the two development sets (100 news articles outside the held-out 100, and 60 outside
  // the 200, annotated for issue 22), what the new classes add must stay precise; and no tag on the 260 cuts a name.
  it('keeps precision on the development annotations and cuts no name on the 260 news articles', () => {
    const news = jsonl<TaggedArticle>('../../eval/data/news/saudinewsnet-sample-200.jsonl');
    const dev = scoreTags(news, jsonl<TagAnnotation>('../../eval/data/news/hashtags-dev-100.jsonl'));
    expect(dev.precision).toBeGreaterThanOrEqual(0.95);
    expect(dev.recall).toBeGreaterThanOrEqual(0.52);
    const more = jsonl<TaggedArticle>('../../eval/data/news/saudinewsnet-dev2-60.jsonl');
    const dev2 = scoreTags(more, jsonl<TagAnnotation>('../../eval/data/news/hashtags-dev2-60.jsonl'));
    expect(dev2.precision).toBeGreaterThanOrEqual(0.9);
    expect(dev2.recall).toBeGreaterThanOrEqual(0.41);
    expect(cutNames([...news, ...more])).toEqual([]);
  });

  // The eval's measure of what the lists could give at best (issue 22 §5): every candidate, none left out by the
  // rules, and each missed topic put down to its cause.
  const passing: TaggedArticle = {
    id: 'passing',
    title: 'ارتفاع مبيعات مهرجان الزيتون',
    content: [
      'أعلنت اللجنة المنظمة لمهرجان الزيتون في منطقة الجوف ارتفاع مبيعات المهرجان هذا العام إلى أكثر من مليون ريال خلال أسبوعه الأول.',
      'وأوضح رئيس اللجنة أن المهرجان استقبل زوارا من مناطق المملكة كافة.',
      'وكان المهرجان قد شارك العام الماضي في معرض أقيم في جدة.',
    ].join('\n\n'),
  };

  it('finds, among its candidates, a listed name the rules leave out as a passing reference', () => {
    const input = { title: passing.title, paragraphs: passing.content.split('\n\n') };
    const chosen = hashtags(input);
    const candidates = candidateTags(input);
    expect(chosen).not.toContain('#جدة');
    expect(candidates).toContain('#جدة');
    for (const tag of chosen) expect(candidates).toContain(tag);
  });

  it('puts each missed topic down to its cause: not chosen, in no list, or not written as tagged', () => {
    const annotation: TagAnnotation = { id: 'passing', tags: ['جدة', 'مهرجان_الزيتون', 'الإرهاب'] };
    const score = scoreTags([passing], [annotation]);
    expect(score.missed.map((m) => m.topic).sort()).toEqual(['ارهاب', 'جده', 'مهرجان زيتون'].sort());
    expect(missCauses([passing], score)).toEqual({ 'not chosen': 1, 'in no list': 1, 'not written': 1 });
  });

  it('scores every candidate above the chosen tags in recall and below them in precision on the development set', () => {
    const news = jsonl<TaggedArticle>('../../eval/data/news/saudinewsnet-sample-200.jsonl');
    const annotations = jsonl<TagAnnotation>('../../eval/data/news/hashtags-dev-100.jsonl');
    const chosen = scoreTags(news, annotations);
    const every = scoreTags(news, annotations, candidatesOf);
    expect(every.topics).toBe(chosen.topics);
    expect(every.recall).toBeGreaterThan(chosen.recall);
    expect(every.precision).toBeLessThan(chosen.precision);
  });
});
