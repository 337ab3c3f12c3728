import { describe, expect, it } from 'vitest';
import { sy24Article as sy24Fixture } from './helpers/sy24.js';
import { normalizeArabic } from '../src/text/arabic.js';
import { hashtags } from '../src/summary/hashtags.js';
import { readFileSync } from 'node:fs';
import { cutNames, scoreTags, type TagAnnotation, type TaggedArticle } from '../eval/hashtags.js';

const jsonl = <T>(path: string): T[] =>
  readFileSync(new URL(path, import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);

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
    const text = { title: 'بريطانيا تعلن موقفها', paragraphs: ['قالت بريطانيا إن موقفها ثابت.', 'وأكدت بريطانيا ذلك مجددا.', 'ونقلت بريطانيا رسالة.'] };
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
      paragraphs: ['حاصر طلاب جامعة أم القرى والجماهير الرياضية بمكة المكرمة اللاعب ماجد عبدالله قبيل افتتاح جامعة أم القرى الندوة.'],
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
    const once = hashtags({ title: 'الخدمة المدنية توضح', paragraphs: ['أكد المتحدث حمد المنيف أن الترشيح مرتبط بالدليل.'] });
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
    const prize = hashtags({ title: 'محمد عبد الله يفوز بجائزة الرواية', paragraphs: ['فاز الروائي محمد عبد الله بالجائزة الأولى.'] });
    expect(prize).toContain('#محمد_عبد_الله');
    const hall = hashtags({ title: 'خالد نور الدين يفتتح القاعة', paragraphs: ['افتتح خالد نور الدين القاعة الجديدة.'] });
    expect(hall).toContain('#خالد_نور_الدين');
    for (const tags of [speech, prize, hall]) for (const tag of tags) expect(tag).not.toMatch(/_(?:عبد|بن|أبو|ابن)$/u);
  });

  it('tags a topic term the headline names (a made-up story about the Eid holiday)', () => {
    const tags = hashtags({
      title: 'الأسواق تستعد لعيد الفطر بعروض جديدة',
      paragraphs: ['بدأت الأسواق في المدن الكبرى استعداداتها لاستقبال المتسوقين.', 'وقال تجار إن الإقبال يزداد كل عام.'],
    });
    expect(tags).toContain('#عيد_الفطر');
  });

  it('does not tag a topic term the story only mentions (the lead of a story about something else)', () => {
    const tags = hashtags({
      title: 'انفجار في سوق شعبي يوقع إصابات',
      paragraphs: ['وقع انفجار في سوق شعبي صباح عيد الفطر، وأصيب عدد من المتسوقين في عيد الفطر، وتحولت فرحة عيد الفطر إلى حزن.'],
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
    // Cited once in the lead, twice in all, and not in the headline: a side reference, as editors judged on the
    // development articles.
    const aside = hashtags({
      title: 'محادثات تجارية بين البلدين',
      paragraphs: ['بدأت محادثات تجارية بين البلدين، وكانت ميركل قد دعت إليها العام الماضي، ودعمتها ميركل.'],
    });
    expect(aside).not.toContain('#ميركل');
  });

  it('counts «الوزارة» as a mention of the one ministry the story named (a made-up statement)', () => {
    const story = (ministries: string) => hashtags({
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

  // The precision guard: on the two development sets (100 news articles outside the held-out 100, and 60 outside
  // the 200, annotated for issue 22), what the new classes add must stay precise; and no tag on the 260 cuts a name.
  it('keeps precision on the development annotations and cuts no name on the 260 news articles', () => {
    const news = jsonl<TaggedArticle>('../eval/data/news/saudinewsnet-sample-200.jsonl');
    const dev = scoreTags(news, jsonl<TagAnnotation>('../eval/data/news/hashtags-dev-100.jsonl'));
    expect(dev.precision).toBeGreaterThanOrEqual(0.95);
    expect(dev.recall).toBeGreaterThanOrEqual(0.49);
    const more = jsonl<TaggedArticle>('../eval/data/news/saudinewsnet-dev2-60.jsonl');
    const dev2 = scoreTags(more, jsonl<TagAnnotation>('../eval/data/news/hashtags-dev2-60.jsonl'));
    expect(dev2.precision).toBeGreaterThanOrEqual(0.9);
    expect(dev2.recall).toBeGreaterThanOrEqual(0.35);
    expect(cutNames([...news, ...more])).toEqual([]);
  });
});
