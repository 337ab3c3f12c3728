/**
 * Summaries that stand on their own (issue 22, sections 1–4): no word loses its first letter, no sentence from
 * another story, the headline's story kept, no one quoted by a name the summary never gave, no sentence pointing back
 * to one left out. Each rule with the case the issue names and one made up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyOpener, opensAnotherStory } from '../../src/summary/openers.js';
import { paragraphsOf, summarize } from '../../src/summary/summarize.js';
import { newsArticles } from '../../bench/common.js';
import { projectRoot } from '../../src/paths.js';
import { tokenize } from '../../src/text/arabic.js';

describe('a conjunction comes off only where the rest is certainly the word', () => {
  it("keeps «فيروز» whole: the demo's first summary read «يروز اسمها الأصلي…»", () => {
    const text = readFileSync(join(projectRoot(), 'samples/easc-topic9.txt'), 'utf8');
    const summary = summarize({ text });
    const lead = summary.find((sentence) => sentence.includes('اسمها الأصلي'));
    expect(lead, summary.join(' | ')).toMatch(/^فيروز اسمها الأصلي/);
    expect(classifyOpener('فيروز اسمها الأصلي نهاد وديع حداد، مطربة لبنانية.', true)).toEqual({ kind: 'free' });
  });

  it('never turns «فيما» into «يما»: the sentence stays as written, sent only after the one it continues', () => {
    expect(classifyOpener('فيما ذكر ماجد الهقاص صاحب مكتب استقدام أن الخدمة نقلة نوعية.', false)).toEqual({
      kind: 'dependent',
    });
    expect(classifyOpener('فيما بدت لغة المالكي مشوبة بالغموض.', true)).toEqual({ kind: 'free' });
  });

  it('leaves names and nouns whole («فندق», «فيصل», «والدة»), at the start of an article and after it', () => {
    expect(classifyOpener('فندق الريتز يفتتح أبوابه غدا بعد ترميم استمر عامين.', true)).toEqual({ kind: 'free' });
    expect(classifyOpener('فيصل المقداد يصل إلى موسكو في زيارة رسمية.', false)).toEqual({ kind: 'free' });
    expect(classifyOpener('والدة الطفل تروي ما حدث في المدرسة.', true)).toEqual({ kind: 'free' });
    // After the first sentence, a word that may carry a conjunction is sent only after its predecessor.
    expect(classifyOpener('ويترقب الطلاب قرار الوزارة بتأجيل الدراسة.', false)).toEqual({ kind: 'dependent' });
  });

  it('takes the conjunction off where the rest is listed, stands alone in the article, or is a definite word', () => {
    expect(classifyOpener('وتشير التقديرات إلى نمو الاقتصاد.', false)).toEqual({
      kind: 'rewritable',
      text: 'تشير التقديرات إلى نمو الاقتصاد.',
    });
    expect(classifyOpener('ويترقب الطلاب قرار الوزارة بتأجيل الدراسة.', false, (w) => (w === 'يترقب' ? 1 : 0))).toEqual(
      {
        kind: 'rewritable',
        text: 'يترقب الطلاب قرار الوزارة بتأجيل الدراسة.',
      },
    );
    expect(classifyOpener('والحكومة تدرس المقترح الجديد.', false)).toEqual({
      kind: 'rewritable',
      text: 'الحكومة تدرس المقترح الجديد.',
    });
    expect(classifyOpener('وأكد الوزير أن العمل مستمر.', false)).toEqual({
      kind: 'rewritable',
      text: 'أكد الوزير أن العمل مستمر.',
    });
  });

  it('never cuts a first letter in a summary of an article made of such words', () => {
    const paragraphs = [
      'افتتحت البلدية حديقة عامة جديدة في وسط المدينة بمساحة عشرين ألف متر مربع تضم ملاعب للأطفال.',
      'صورة أرشيفية.',
      'فندق المدينة الكبير يستقبل زوار الحديقة بأسعار مخفضة طوال فصل الصيف الحالي كما أعلنت إدارته.',
      'صورة أرشيفية.',
      'فيلم وثائقي عن الحديقة يعرض في سينما المدينة الأسبوع المقبل بحضور رئيس البلدية وعدد من المسؤولين.',
    ];
    // Before: «ندق المدينة الكبير…» and «يلم وثائقي…».
    expect(summarize({ title: 'حديقة عامة جديدة في المدينة', paragraphs })).toHaveLength(3);
    for (const sentence of summarize({ title: 'حديقة عامة جديدة في المدينة', paragraphs })) {
      expect(paragraphs, sentence).toContain(sentence);
    }
  });
});

describe('the summary ends before another story', () => {
  it('knows the connectives that announce another story, in their spellings', () => {
    for (const s of [
      'من جانب آخر، أعلنت الوزارة.',
      'من جانب اخر أعلنت الوزارة.',
      'ومن جهة ثانية قال.',
      'من جهة أخرى، قال.',
      'إلى ذلك، قال.',
      'وفي سياق آخر أعلن.',
      'على صعيد آخر، أعلن.',
      'وعلى صعيد منفصل أعلن.',
      'من ناحية أخرى قال.',
    ]) {
      expect(opensAnotherStory(s), s).toBe(true);
    }
    for (const s of [
      'من جانبه، قال الوزير.',
      'في السياق ذاته أعلن.',
      'على صعيد العمل الإغاثي، توجهت طائرة.',
      'إلى جانب ذلك قال.',
    ]) {
      expect(opensAnotherStory(s), s).toBe(false);
    }
  });

  it('leaves out every sentence from the connective on, and never starts with one', () => {
    const paragraphs = [
      'ألقى رئيس الوزراء كلمة في افتتاح المؤتمر الاقتصادي الدولي في القاهرة دعا فيها المستثمرين إلى المشاركة في المشروعات.',
      'وأكد رئيس الوزراء أن الحكومة أعدت قانونا جديدا للاستثمار يسهل الإجراءات على المستثمرين الأجانب.',
      'من جانب اخر أعلنت وزارة الداخلية المصرية القبض على خلية إرهابية في محافظة الجيزة وضبط أسلحة وذخائر.',
      'وقالت وزارة الداخلية إن الخلية كانت تخطط لتنفيذ عمليات إرهابية ضد منشآت الدولة في محافظة الجيزة.',
      'وأضافت وزارة الداخلية أن التحقيقات مع عناصر الخلية الإرهابية مستمرة لكشف باقي العناصر.',
    ];
    const summary = summarize({ title: 'رئيس الوزراء يدعو المستثمرين في مؤتمر القاهرة', paragraphs });
    expect(summary.length).toBeGreaterThan(0);
    for (const sentence of summary) expect(sentence, sentence).not.toMatch(/الداخلية|الخلية/);
    // An excerpt that starts on such a connective is sent without it.
    expect(
      summarize({ paragraphs: ['إلى ذلك، أعلنت الشركة أرباحها السنوية التي بلغت مليار ريال في نهاية العام.'] }),
    ).toEqual(['أعلنت الشركة أرباحها السنوية التي بلغت مليار ريال في نهاية العام.']);
  });
});

describe("the headline's story first", () => {
  it("never tells another story alone when the lead, too long to send, tells the headline's", () => {
    const lead =
      'قتل ثمانية عشر مدنيا بينهم أطفال ونساء وأصيب العشرات بجروح متفاوتة في سقوط صاروخ على حي سكني مكتظ في مدينة حلب ' +
      'شمال سوريا صباح اليوم الأحد في هجوم هو الأعنف على الأحياء السكنية في المدينة منذ أشهر طويلة من الاشتباكات المتقطعة ' +
      'بين الأطراف المتحاربة التي تتبادل القصف بشكل يومي على خطوط التماس الممتدة في أطراف المدينة الشرقية والغربية ' +
      'والتي تسببت خلال الأسابيع الماضية في نزوح آلاف العائلات من منازلها نحو الريف الشمالي والحدود التركية القريبة ' +
      'وسط ظروف إنسانية صعبة ونقص حاد في المواد الغذائية والأدوية والوقود مع اقتراب فصل الشتاء البارد في المنطقة كلها ' +
      'وتراجع عمل المنظمات الإغاثية الدولية التي علقت أنشطتها في المدينة بعد استهداف قوافلها أكثر من مرة هذا العام.';
    const paragraphs = [
      lead,
      'وشنت طائرات حربية غارات جوية على بلدات في ريف إدلب الجنوبي أدت إلى دمار واسع في الأبنية والطرقات والمدارس.',
      'واستهدفت الغارات الجوية بلدات ريف إدلب الجنوبي بعشرات الصواريخ خلال ساعات الليل والصباح وسط تحليق مكثف.',
      'وقال ناشطون إن الغارات الجوية على ريف إدلب الجنوبي خلفت دمارا واسعا في البلدات والطرقات والمدارس.',
      'وأفاد ناشطون أن الطائرات الحربية عادت مساء لتستهدف بلدات ريف إدلب الجنوبي بالغارات الجوية مجددا.',
      'ونقلت فرق الإسعاف في حلب جثث القتلى من تحت أنقاض الحي السكني.',
    ];
    expect(lead.length).toBeGreaterThan(600);
    const summary = summarize({ title: 'مقتل 18 مدنيا بسقوط صاروخ على حي سكني في حلب', paragraphs });
    expect(summary.length).toBeGreaterThan(0);
    // Before: three sentences on the strikes in Idlib, none on the rocket in Aleppo.
    expect(
      summary.some((s) => s.includes('حلب')),
      summary.join(' | '),
    ).toBe(true);
  });
});

describe('sentences that lean on what was left out', () => {
  it('marks a sentence that opens by pointing back as dependent', () => {
    for (const sentence of [
      'تنافس فيه مجموعة كبيرة من الفنانين على الجوائز الثلاث.',
      'وهو ما أكدته وزارة الصحة في بيانها أمس.',
      'الأمر الذي دفع الشركة إلى رفع الأسعار.',
      'مما أدى إلى إغلاق الطريق ساعات.',
      'شارك فيها أكثر من مئة طالب من مختلف المدارس.',
    ]) {
      expect(classifyOpener(sentence, false), sentence).toEqual({ kind: 'dependent' });
    }
  });

  it('never quotes a person by the family name alone unless the summary introduced them', () => {
    const intro =
      'أعلن وكيل وزارة الزراعة لشؤون الثروة السمكية الدكتور أحمد المسلط إطلاق برنامج وطني لتنمية الاستزراع السمكي في ' +
      'المناطق الساحلية للمملكة بتكلفة تتجاوز ملياري ريال على مدى خمس سنوات، يشمل إنشاء مفرخات حديثة ومراكز للتدريب ' +
      'وتقديم قروض ميسرة لصغار المستثمرين في القطاع بالتعاون مع صندوق التنمية الزراعية والجامعات والقطاع الخاص في عدد من المحافظات ' +
      'الساحلية على البحر الأحمر والخليج العربي، إضافة إلى دعم البحوث العلمية في مجال الأعلاف وصحة الأسماك ومكافحة الأمراض ' +
      'وتطوير سلاسل التبريد والنقل والتسويق في الأسواق المحلية والخارجية لرفع القدرة التنافسية للمنتج الوطني.';
    const paragraphs = [
      'ارتفع إنتاج المملكة من الأسماك المستزرعة إلى مئة ألف طن العام الماضي بحسب تقرير رسمي صدر أمس عن الوزارة.',
      intro,
      'وأكد المسلط أن البرنامج سيوفر آلاف الوظائف للشباب في المناطق الساحلية ويرفع الإنتاج إلى ستمئة ألف طن.',
      'ويبلغ استهلاك الفرد من الأسماك في المملكة نحو عشرة كيلوغرامات سنويا بحسب التقرير الرسمي الصادر أمس.',
    ];
    const summary = summarize({ title: 'برنامج وطني للاستزراع السمكي', paragraphs });
    const quoted = summary.findIndex((s) => s.includes('أكد المسلط'));
    if (quoted >= 0)
      expect(
        summary.slice(0, quoted).some((s) => s.includes('أحمد المسلط')),
        summary.join(' | '),
      ).toBe(true);
  });
});

describe('on the shared news articles the issue found them in', () => {
  const byId = (id: number) => newsArticles().find((a) => Number(a.id) === id)!;
  const summaryOf = (id: number) => {
    const a = byId(id);
    return summarize({ title: a.title, paragraphs: paragraphsOf(a.content) });
  };

  it("keeps the headline's story (article 110: the ministry’s ten days, not only its other rules; 93: the maritime border)", () => {
    const words110 = new Set(tokenize(summaryOf(110).join(' ')));
    expect(
      ['العمل', 'الفصل', 'الخلافات'].some((w) => words110.has(w)),
      summaryOf(110).join(' | '),
    ).toBe(true);
    const words93 = new Set(tokenize(summaryOf(93).join(' ')));
    expect(
      ['التعاون', 'الحدود', 'البحريه', 'العسكري', 'تطوير'].some((w) => words93.has(w)),
      summaryOf(93).join(' | '),
    ).toBe(true);
  });

  it("starts on the headline's story when the lead tells it (article 73: «مرام القصير: …»)", () => {
    expect(summaryOf(73)[0]).toMatch(/^مرام القصير سيدة أعمال سعودية/);
  });

  it('quotes «الزهراني» and «القصير» only after the sentence that introduces them (articles 146, 73)', () => {
    for (const [id, name] of [
      [146, 'الزهراني'],
      [73, 'القصير'],
    ] as const) {
      const summary = summaryOf(id);
      const quoted = summary.findIndex((s) => new RegExp(`^(?:أشار|ترى|وأشار|وترى) ${name}`).test(s));
      if (quoted >= 0)
        expect(
          summary.slice(0, quoted).some((s) => s.includes(name)),
          summary.join(' | '),
        ).toBe(true);
    }
  });
});
