import { describe, expect, it } from 'vitest';
import { sy24Article as sy24Fixture } from './helpers/sy24.js';
import { normalizeArabic } from '../src/text/arabic.js';
import { hashtags } from '../src/summary/hashtags.js';

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
});
