import { describe, expect, it } from 'vitest';
import { classifyOpener } from '../../src/summary/openers.js';
import { summarize } from '../../src/summary/summarize.js';

describe('classifyOpener', () => {
  it('drops a connective when a well-formed sentence remains', () => {
    expect(classifyOpener('وقال وزير الصحة إن المستشفى جاهز.', false)).toEqual({
      kind: 'rewritable',
      text: 'قال وزير الصحة إن المستشفى جاهز.',
    });
    expect(classifyOpener('كما أكد الوزير أن العمل مستمر.', false)).toEqual({
      kind: 'rewritable',
      text: 'أكد الوزير أن العمل مستمر.',
    });
    expect(classifyOpener('من جهته، قال المتحدث باسم الشرطة إن التحقيق بدأ.', false)).toEqual({
      kind: 'rewritable',
      text: 'قال المتحدث باسم الشرطة إن التحقيق بدأ.',
    });
    expect(classifyOpener('وفي السياق ذاته، أعلنت الوزارة خطة جديدة.', false)).toEqual({
      kind: 'rewritable',
      text: 'أعلنت الوزارة خطة جديدة.',
    });
  });

  it('drops a linking phrase written with tashkeel or glued to its comma, as the folded phrase list spells it', () => {
    expect(classifyOpener('بِدَورِهِ، أكد الوزير أن العمل مستمر.', false)).toEqual({
      kind: 'rewritable',
      text: 'أكد الوزير أن العمل مستمر.',
    });
    expect(classifyOpener('في المقابل,رفضت المعارضة الخطة الجديدة.', false)).toEqual({
      kind: 'rewritable',
      text: 'رفضت المعارضة الخطة الجديدة.',
    });
    expect(classifyOpener('كماليات الحياة كثيرة في المدينة.', false)).toEqual({ kind: 'free' });
  });

  it('keeps the letter و of a word that starts with it', () => {
    expect(classifyOpener('وصل الوفد إلى الرياض أمس.', false)).toEqual({ kind: 'free' });
    expect(classifyOpener('وزير الخارجية يزور القاهرة.', false)).toEqual({ kind: 'free' });
  });

  it('marks sentences that still point back as dependent', () => {
    for (const sentence of [
      'وأفاد بأن المواد الطبية التي وصلت على هذه الطائرة تكفي شهرا.', // the subject is a pronoun
      'بدوره أكد أن الخطة ستنفذ قريبا.',
      'وقال: إن الوضع مستقر.',
      'هذه الخطوة تأتي بعد أشهر من المفاوضات.',
      'ويأتي ذلك في وقت تشهد فيه المنطقة توترا.',
      'لكن المعارضة رفضت المقترح.',
      'فإن الأمر يحتاج إلى مراجعة.',
    ]) {
      expect(classifyOpener(sentence, false), sentence).toEqual({ kind: 'dependent' });
    }
  });

  it('never makes the article’s first sentence depend on anything', () => {
    expect(classifyOpener('هذه الخطوة تأتي بعد أشهر من المفاوضات.', true)).toEqual({ kind: 'free' });
    expect(classifyOpener('كما أعلنت الشركة نتائجها.', true)).toEqual({
      kind: 'rewritable',
      text: 'أعلنت الشركة نتائجها.',
    });
  });
});

describe('summaries without dangling openers', () => {
  const paragraphs = [
    'أعلنت وزارة الصحة افتتاح مستشفى جديد في مدينة حمص بطاقة مئتي سرير لخدمة سكان الريف.',
    'وأفاد بأن المستشفى يضم أقساما للطوارئ والجراحة والأطفال ويخدم نصف مليون نسمة في المحافظة.',
    'وقال مدير الصحة في المحافظة إن الكوادر الطبية ستباشر عملها الأسبوع المقبل في كل الأقسام.',
    'وتخطط الوزارة لافتتاح ثلاثة مستشفيات أخرى في المحافظات الشرقية خلال العام المقبل.',
  ];

  it('sends a rewritten sentence apart from its predecessor, and a dependent one only right after it', () => {
    const summary = summarize(
      { title: 'مستشفى جديد في حمص', paragraphs },
      { sentences: 2, minSentences: 2, maxChars: 260 },
    );
    expect(summary).toHaveLength(2);
    const k = summary.findIndex((s) => s.includes('المستشفى يضم'));
    if (k >= 0) expect(summary[k - 1]).toBe(paragraphs[0]);
    expect(summary[0]!.startsWith('و')).toBe(false);
    for (const sentence of summary.slice(1)) {
      if (sentence.startsWith('قال') || sentence.startsWith('تخطط')) expect(paragraphs).toContain(`و${sentence}`);
    }
    // Without room for the sentence it depends on, the dependent one is not chosen at all.
    expect(summarize({ paragraphs: paragraphs.slice(0, 2) }, { maxChars: 100 })).toEqual([paragraphs[0]]);
  });

  it('keeps the connective when the sentence follows the one it continues', () => {
    const summary = summarize({ paragraphs: paragraphs.slice(0, 2) }, { sentences: 2, minSentences: 2, maxChars: 600 });
    expect(summary).toEqual(paragraphs.slice(0, 2));
  });
});
