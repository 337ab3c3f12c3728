/**
 * The evaluation's checks for issue 22 (eval/standalone.ts) find what the issue describes: a first word cut from a
 * name, a sentence of another story, a summary off the headline's story, a person quoted by a name never introduced,
 * a sentence pointing back. Each on the example and a made-up one, and each leaves a good sentence alone.
 */
import { describe, expect, it } from 'vitest';
import {
  cutFirstWord,
  fromAnotherStory,
  leadOf,
  leavesHeadlineStory,
  namesLeadByDemonstrative,
  pointsBack,
  unintroducedName,
} from '../../eval/standalone.js';
import { tokenize } from '../../src/text/arabic.js';

const counts = (text: string) => {
  const map = new Map<string, number>();
  for (const t of tokenize(text)) map.set(t, (map.get(t) ?? 0) + 1);
  return map;
};

describe('eval: a first word cut', () => {
  const article = 'فيروز اسمها الأصلي نهاد وديع حداد. وقال الناقد إن صوتها فريد. فيما غنت في دمشق.';
  const lexicon = new Set(['قال', 'غنت', 'دمشق']);
  it('finds «يروز» and «يما», made by taking a first letter off', () => {
    expect(cutFirstWord('يروز اسمها الأصلي نهاد وديع حداد.', counts(article), lexicon)).toBe('يروز');
    expect(cutFirstWord('يما غنت في دمشق.', counts(article), lexicon)).toBe('يما');
  });
  it('accepts a word of the article, a conjunction taken off a word, a definite word and a hamza', () => {
    expect(cutFirstWord('فيروز اسمها الأصلي.', counts(article), lexicon)).toBeUndefined();
    expect(cutFirstWord('قال الناقد إن صوتها فريد.', counts(article), lexicon)).toBeUndefined();
    expect(cutFirstWord('الحكومة تدرس.', counts('والحكومة تدرس.'), lexicon)).toBeUndefined();
    expect(cutFirstWord('أكد الوزير.', counts('وأكد الوزير.'), lexicon)).toBeUndefined();
  });
});

describe('eval: another story', () => {
  it('finds a summary sentence at or after «من جانب آخر», and one that opens with it', () => {
    const sentences = [
      'ألقى محلب كلمة في المؤتمر.',
      'وأكد أن الحكومة مستعدة.',
      'من جانب اخر أعلنت وزارة الداخلية القبض على خلية.',
      'وقالت الوزارة إن التحقيق مستمر.',
    ];
    expect(fromAnotherStory([sentences[0]!, 'قالت الوزارة إن التحقيق مستمر.'], sentences)).toBe(
      'قالت الوزارة إن التحقيق مستمر.',
    );
    expect(fromAnotherStory(['إلى ذلك، أعلنت الشركة أرباحها.'], ['إلى ذلك، أعلنت الشركة أرباحها.'])).toBeDefined();
    expect(fromAnotherStory(sentences.slice(0, 2), sentences)).toBeUndefined();
  });
});

describe("eval: the headline's story", () => {
  it("finds a summary sharing none of the headline's words when the lead does", () => {
    const title = 'مقتل 18 مدنيا بسقوط صاروخ في حلب';
    const lead = leadOf(['حلب', 'قتل 18 مدنيا بسقوط صاروخ على حي سكني في مدينة حلب صباح اليوم.'])!;
    expect(lead).toContain('صاروخ');
    expect(leavesHeadlineStory(title, lead, ['شنت طائرات غارات على ريف إدلب الجنوبي.'])).toBe(true);
    expect(leavesHeadlineStory(title, lead, ['انتشلت فرق الإنقاذ الجثث في حلب.'])).toBe(false);
  });

  it('keeps a summary on the sentence after the lead that names what the lead told by a demonstrative', () => {
    const title = 'كاتبة: راحت أيام الراحة';
    const lead = 'تعيش الفتاة في بيت أسرتها مرحلة هادئة، ثم تردد العبارة بحسرة: “راحت أيام الراحة”.';
    const next = 'ترتفع نسبة استخدام هذه العبارة بين السعوديات؛ ولعل السبب اعتماد الرجل على المرأة.';
    expect(namesLeadByDemonstrative(next, lead)).toBe(true);
    expect(leavesHeadlineStory(title, lead, [next])).toBe(true);
    expect(leavesHeadlineStory(title, lead, [next], next)).toBe(false);
    // The same sentence further on in the article is not the lead's next sentence.
    expect(leavesHeadlineStory(title, lead, [next], 'وقالت الكاتبة إن الحياة شراكة بين شخصين.')).toBe(true);
    // A demonstrative before a word the lead lacks points nowhere in it; nor does one past the first clause.
    expect(namesLeadByDemonstrative('وفي هذه الأثناء شنت طائرات غارات على ريف إدلب.', lead)).toBe(false);
    expect(namesLeadByDemonstrative('ترتفع النسبة بين السعوديات، ولعل هذه العبارة أشهر.', lead)).toBe(false);
    const aleppo = 'قتل 18 مدنيا بسقوط صاروخ على حي سكني في مدينة حلب صباح اليوم.';
    const strike = 'وفي إدلب شنت طائرات غارات على هذا الريف الجنوبي.';
    expect(leavesHeadlineStory('مقتل 18 مدنيا بسقوط صاروخ في حلب', aleppo, [strike], strike)).toBe(true);
  });
});

describe('eval: leaning on what was left out', () => {
  it('finds a person quoted by the family name the summary never gave in full', () => {
    const before = ['أعلن رئيس النادي الأدبي بالباحة حسن الزهراني إقامة الملتقى.'];
    expect(unintroducedName('أشار الزهراني إلى أن الملتقى يكرم القصاصين.', [], before)).toBe('الزهراني');
    expect(unintroducedName('أشار الزهراني إلى أن الملتقى يكرم القصاصين.', before, before)).toBeUndefined();
    expect(unintroducedName('أشار التقرير إلى نمو القطاع.', [], before)).toBeUndefined();
  });
  it('finds a sentence opening by pointing back, and leaves a free one alone', () => {
    for (const s of [
      'تنافس فيه مجموعة كبيرة من الفنانين.',
      'وهو ما أكدته الوزارة.',
      'الأمر الذي دفع الشركة إلى رفع الأسعار.',
    ]) {
      expect(pointsBack(s), s).toBe(true);
    }
    expect(pointsBack('تنافس الفنانون على الجوائز.')).toBe(false);
  });
});
