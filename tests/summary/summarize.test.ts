import { describe, expect, it } from 'vitest';
import { sy24Article as sy24Fixture } from '../helpers/sy24.js';
import { normalizeArabic, splitSentences, tokenize } from '../../src/text/arabic.js';
import { DEFAULT_SUMMARY, articleSentences, paragraphsOf, summarize } from '../../src/summary/summarize.js';

const sy24Article = () => sy24Fixture({ keepByline: true });
const EVAL_MODE = { sentences: 3, minSentences: 3, maxChars: Infinity };

const NEWS = {
  title: 'افتتاح مستشفى جديد في مدينة حمص بطاقة مئتي سرير',
  paragraphs: [
    'حمص-الوئام: افتتحت وزارة الصحة اليوم مستشفى جديدا في مدينة حمص بطاقة مئتي سرير لخدمة سكان الريف الشرقي.',
    'وقال وزير الصحة إن المستشفى يضم أقساما للطوارئ والجراحة والأطفال، وإنه سيخدم نحو نصف مليون نسمة.',
    'افتتاح مستشفى جديد في مدينة حمص بطاقة مئتي سرير.',
    'وأضاف الوزير أن الوزارة تخطط لافتتاح ثلاثة مستشفيات أخرى في المحافظات الشرقية خلال العام المقبل.',
    'يذكر أن مدينة حمص عانت خلال السنوات الماضية من نقص حاد في الخدمات الطبية بسبب الحرب.',
    'وحضر الافتتاح عدد من المسؤولين المحليين وممثلو المنظمات الدولية العاملة في المجال الصحي.',
  ],
};

function bodySentences(paragraphs: string[]): Set<string> {
  return new Set(paragraphs.flatMap(splitSentences));
}

function jaccard(a: string, b: string): number {
  const x = new Set(tokenize(a));
  const y = new Set(tokenize(b));
  const shared = [...x].filter((t) => y.has(t)).length;
  return shared / (x.size + y.size - shared);
}

describe('summarize', () => {
  it('has the documented production defaults', () => {
    expect(DEFAULT_SUMMARY).toEqual({ sentences: 3, minSentences: 2, maxChars: 600 });
  });

  it('returns [] for an empty body', () => {
    expect(summarize({ title: 'عنوان', paragraphs: [] })).toEqual([]);
    expect(summarize({ text: '  \n\n ' })).toEqual([]);
  });

  it('is deterministic', () => {
    const first = summarize(NEWS);
    for (let k = 0; k < 5; k++) expect(summarize(NEWS)).toEqual(first);
  });

  it('returns sentences in article order', () => {
    const summary = summarize(NEWS, EVAL_MODE);
    const order = articleSentences(NEWS);
    const positions = summary.map((s) => order.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('returns exactly the requested number of sentences in evaluation mode', () => {
    expect(summarize(NEWS, EVAL_MODE)).toHaveLength(3);
    expect(summarize(NEWS, { ...EVAL_MODE, sentences: 2, minSentences: 2 })).toHaveLength(2);
  });

  it('keeps the production summary to 2–3 whole sentences within the budget', () => {
    const summary = summarize(NEWS);
    expect(summary.length).toBeGreaterThanOrEqual(2);
    expect(summary.length).toBeLessThanOrEqual(3);
    expect(summary.join(' ').length).toBeLessThanOrEqual(DEFAULT_SUMMARY.maxChars);
  });

  it('strips the dateline and never repeats the headline', () => {
    const summary = summarize(NEWS, EVAL_MODE);
    expect(summary[0]).toBe(
      'افتتحت وزارة الصحة اليوم مستشفى جديدا في مدينة حمص بطاقة مئتي سرير لخدمة سكان الريف الشرقي.',
    );
    for (const sentence of summary) {
      expect(sentence).not.toContain('الوئام');
      expect(jaccard(sentence, NEWS.title)).toBeLessThan(0.8);
    }
  });

  it('splits glued sentences and returns them separately', () => {
    const summary = summarize(
      {
        text: 'أعلنت الحكومة خطة جديدة لدعم الزراعة في المناطق الريفية البعيدة.وقال الوزير إن الخطة تشمل قروضا ميسرة للمزارعين الصغار.',
      },
      { ...EVAL_MODE, sentences: 2 },
    );
    expect(summary).toEqual([
      'أعلنت الحكومة خطة جديدة لدعم الزراعة في المناطق الريفية البعيدة.',
      'وقال الوزير إن الخطة تشمل قروضا ميسرة للمزارعين الصغار.',
    ]);
  });

  it('summarises text without Arabic', () => {
    const text = [
      'The city council approved a new budget for public transport on Monday.',
      'The plan adds forty buses and two new tram lines across the northern districts.',
      'Critics said the budget ignores cycling infrastructure.',
      'The mayor promised a separate cycling plan next year.',
    ].join(' ');
    const summary = summarize({ title: 'Council approves transport budget', text });
    expect(summary.length).toBeGreaterThanOrEqual(2);
    for (const sentence of summary) expect(text).toContain(sentence);
  });

  it('never sends a run-on longer than the whole budget (it was sent whole before)', () => {
    const long = 'أعلنت الحكومة خطة جديدة لدعم الزراعة '.repeat(20).trim() + '.';
    expect(summarize({ paragraphs: [long, long.replace('الزراعة', 'الصناعة')] }, { maxChars: 100 })).toEqual([]);
    const summary = summarize(
      { paragraphs: [long, 'وقالت الوزارة إن الخطة تبدأ الشهر المقبل في كل المناطق.'] },
      { maxChars: 100 },
    );
    expect(summary).toEqual(['قالت الوزارة إن الخطة تبدأ الشهر المقبل في كل المناطق.']);
  });

  it('prefers short-enough sentences over cutting a long one', () => {
    const long = 'وتحدث الوزير مطولا عن تفاصيل الخطة ومراحلها وتمويلها '.repeat(12).trim() + '.';
    const paragraphs = [long, 'أعلنت الحكومة خطة جديدة لدعم الزراعة.', 'وتشمل الخطة قروضا للمزارعين.'];
    const summary = summarize({ paragraphs }, { maxChars: 120 });
    expect(summary).toEqual(['أعلنت الحكومة خطة جديدة لدعم الزراعة.', 'وتشمل الخطة قروضا للمزارعين.']);
  });

  it('keeps two sentences when two long ones only fit in the stretched budget (1,000 characters)', () => {
    const sentence = (topic: string) =>
      `أعلنت وزارة ${topic} في دمشق اليوم عن خطة جديدة تشمل ${'مشاريع متعددة في المحافظات الشرقية والشمالية '.repeat(8).trim()}.`;
    const paragraphs = [sentence('الزراعة'), sentence('الصناعة'), sentence('التجارة')];
    for (const p of paragraphs) expect(p.length).toBeGreaterThan(380);
    const summary = summarize({ paragraphs });
    expect(summary).toHaveLength(2);
    expect(summary.join(' ').length).toBeGreaterThan(DEFAULT_SUMMARY.maxChars);
    expect(summary.join(' ').length).toBeLessThanOrEqual(1_000);
  });

  it('cuts a run-on back to its main clause at «، مؤكدا…» instead of leaving it out', () => {
    const head =
      'وجه مدير الصحة في محافظة حمص الدكتور سامر الأحمد إدارة الطوارئ بإعلان حالة الطوارئ في جميع مستشفيات المحافظة لاستقبال المصابين';
    const runOn = `${head}، مؤكدا أن ${'الفرق الطبية تعمل على مدار الساعة في كل الأقسام '.repeat(14).trim()}.`;
    expect(runOn.length).toBeGreaterThan(DEFAULT_SUMMARY.maxChars);
    const paragraphs = [
      'أعلنت مديرية الصحة في حمص حالة الطوارئ بعد انقلاب حافلة على طريق دمشق.',
      runOn,
      'ونقل المصابون إلى ثلاثة مستشفيات في المدينة وريفها.',
    ];
    const summary = summarize({ title: 'حالة الطوارئ في مستشفيات حمص', paragraphs });
    expect(summary).toContain(`${head}.`);
    // Without an elaboration boundary the run-on is still left out whole.
    const plain = summarize({ paragraphs: [paragraphs[0]!, runOn.replace('، مؤكدا أن', ' و'), paragraphs[2]!] });
    expect(plain.every((s) => s.length <= DEFAULT_SUMMARY.maxChars)).toBe(true);
  });

  it('cuts a run-on at «وذلك» written without a comma («…خريجا وذلك بعد…»), as news often writes it', () => {
    const head =
      'أعلن المتحدث باسم الوزارة تخريج دورة جديدة من المستفيدين في مركز الرعاية بالرياض وعددهم تسعة وثلاثون خريجا';
    const runOn = `${head} وذلك بعد ${'ظهور المؤشرات الإيجابية الدالة على استفادتهم من البرامج والدورات المتنوعة '.repeat(9).trim()}.`;
    expect(runOn.length).toBeGreaterThan(DEFAULT_SUMMARY.maxChars);
    const paragraphs = [
      runOn,
      'وبين أنه بذلك يصبح عدد الخريجين ثلاثة وستين خريجا.',
      'وأوضح المتحدث أن المتخرجين سيخضعون لبرنامج الرعاية اللاحقة.',
    ];
    const summary = summarize({ title: 'إطلاق سراح خريجين', paragraphs });
    // The cut main clause opens the summary, so the sentence that depends on it («وبين أنه بذلك…») may follow it.
    expect(summary.slice(0, 2)).toEqual([`${head}.`, paragraphs[1]]);
  });

  it("sends a poem's opening couplet, not one hemistich or lines from anywhere", () => {
    const lines = [
      'المصاب اكبر من حروف الكلام',
      'لا تلوم الشعب هذا لو سكت',
      'الوطن مما جرى له ما يلام',
      'ما هي بدمعه على الخد سلكت',
      'العيون المخلصة في ظرف عام',
    ];
    expect(summarize({ title: 'درع المملكة', text: lines.join('\n') })).toEqual(lines.slice(0, 2));
    const introduced = [
      'كتب الشاعر علي الفيفي حول أهمية الوصل وعدم المقاطعة للأهل والجيران ويقول :',
      ...lines,
      'يسرنا مشاركة القراء بقصائدهم في هذه الزاوية كل أسبوع.',
    ];
    expect(summarize({ text: introduced.join('\n') })).toEqual(lines.slice(0, 2));
  });

  it('handles a 10,000-character paragraph', () => {
    const sentences = Array.from(
      { length: 180 },
      (_, k) => `وقال المصدر رقم ${k} إن الأوضاع في المنطقة ${k % 7} مستقرة نسبيا.`,
    );
    const paragraph = sentences.join(' ');
    expect(paragraph.length).toBeGreaterThan(10_000);
    const summary = summarize({ paragraphs: [paragraph] });
    expect(summary.length).toBeGreaterThanOrEqual(2);
    expect(summary.join(' ').length).toBeLessThanOrEqual(DEFAULT_SUMMARY.maxChars);
    // Sent apart from the sentence before it, «وقال المصدر…» reads «قال المصدر…».
    for (const sentence of summary) expect(sentences).toContain(sentence.startsWith('قال') ? `و${sentence}` : sentence);
  });

  it('summarises a 1 MB article in well under a second', () => {
    const paragraph = NEWS.paragraphs.slice(1).join(' ');
    const text = Array.from({ length: Math.ceil(1_000_000 / paragraph.length) }, () => paragraph).join('\n');
    expect(text.length).toBeGreaterThanOrEqual(1_000_000);
    const start = performance.now();
    const summary = summarize({ title: NEWS.title, text });
    // A bound for catastrophic (quadratic) behaviour, not a speed figure: that is `npm run bench`.
    expect(performance.now() - start).toBeLessThan(5_000);
    expect(summary.length).toBeGreaterThanOrEqual(1);
    expect(summary.join(' ').length).toBeLessThanOrEqual(DEFAULT_SUMMARY.maxChars);
  });

  it('leaves a 1 MB run-on sentence out, quickly (it was sent whole before)', () => {
    const text = 'كلمة '.repeat(200_000);
    const start = performance.now();
    const summary = summarize({ text });
    expect(performance.now() - start).toBeLessThan(5_000);
    expect(summary).toEqual([]);
  });

  it('gives 2–3 real body sentences for the SY24 article, without byline or headline', () => {
    const article = sy24Article();
    const body = bodySentences(article.paragraphs);
    const summary = summarize(article);
    expect(summary.length).toBeGreaterThanOrEqual(2);
    expect(summary.length).toBeLessThanOrEqual(3);
    expect(summary.join(' ').length).toBeLessThanOrEqual(DEFAULT_SUMMARY.maxChars);
    for (const sentence of summary) {
      expect(body.has(sentence) || body.has(`و${sentence}`)).toBe(true);
      expect(sentence).not.toContain('SY24 ');
      expect(sentence.startsWith('خاص')).toBe(false);
    }
    expect(normalizeArabic(summary.join(' '))).toContain('الباديه السوريه');
  });
});

describe('paragraphsOf', () => {
  it('rejoins lines a newspaper hard-wrapped at a fixed width', () => {
    const text = [
      ' عمان- الرأي- دعا معهد ثربانتس بعمان للمشاركة بمسابقة الرسم الاولى للاطفال',
      'المقيمين في الاردن والذين تتراوح اعمارهم ما بين 4 و12 سنة، وعنوان مسابقة الرسم',
      'هو «عام الكيخوتي».',
      ' وتضمنت شروط المسابقة تنظيم مسابقة رسم للاطفال حول موضوع «عام الكيخوتي» حيث',
      'بامكان جميع الاطفال الذين تتراوح اعمارهم ما بين 4 و12 سنة المشاركة فيها.',
    ].join('\n');
    expect(paragraphsOf(text)).toHaveLength(2);
    expect(paragraphsOf(text)[0]).toContain('للاطفال المقيمين');
  });

  it('keeps whole-paragraph lines apart', () => {
    expect(paragraphsOf('العنوان\nالفقرة الأولى كاملة.\n\nالفقرة الثانية.')).toEqual([
      'العنوان',
      'الفقرة الأولى كاملة.',
      'الفقرة الثانية.',
    ]);
  });
});
