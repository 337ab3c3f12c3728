import { describe, expect, it } from 'vitest';
import {
  contentTokens,
  isStopword,
  normalizeArabic,
  splitSentences,
  stripDateline,
  tokenize,
} from '../../src/text/arabic.js';
import { ARABIC_STOPWORDS } from '../../src/text/stopwords.js';
import { seededRandom } from '../helpers/child-run.js';

describe('normalizeArabic', () => {
  it('folds alef variants, ى and ة', () => {
    expect(normalizeArabic('أحمد إلى آخر ٱلمدرسة')).toBe('احمد الي اخر المدرسه');
  });

  it('removes tashkeel, superscript alef and tatweel', () => {
    expect(normalizeArabic('مُحَمَّدٌ هٰذا الكتـــاب')).toBe('محمد هذا الكتاب');
  });

  it('turns Arabic-Indic and Extended Arabic-Indic digits into ASCII', () => {
    expect(normalizeArabic('٢٠١٥ و۱۹۸۰')).toBe('2015 و1980');
  });

  it('lower-cases Latin and collapses white space', () => {
    expect(normalizeArabic('  Hello\n\tWORLD  SY24 ')).toBe('hello world sy24');
  });

  it('gives what folding, lower-casing, collapsing white space and trimming give, on 3,000 random texts', () => {
    // The rule as written before the one-pass scan, applied step by step.
    const digits = (base: number) => (d: string) => String(d.charCodeAt(0) - base);
    const reference = (s: string) =>
      s
        .replace(/[أإآٱ]/g, 'ا')
        .replace(/ى/g, 'ي')
        .replace(/ة/g, 'ه')
        .replace(/[\u064B-\u0652\u0670\u0640]/g, '')
        .replace(/[\u0660-\u0669]/g, digits(0x0660))
        .replace(/[\u06F0-\u06F9]/g, digits(0x06f0))
        .toLowerCase()
        .replace(/\s+/g, ' ')
        .trim();
    const pieces = [
      'أحمد',
      'إلى',
      'آخر',
      'ٱل',
      'مستشفى',
      'المدرسة',
      'مُحَمَّد',
      'ـــ',
      'ً',
      '٢٠١٥',
      '۳',
      'SY24',
      'Hello',
      'ΟΔΟΣ',
      'Σ',
      'İstanbul',
      'ÉMILE',
      'Привет',
      '😀',
      '\uD83D',
      ' ',
      '  ',
      '\t',
      '\n',
      '\r\n',
      '\u00A0',
      '\u2028',
      '\u3000',
      '\uFEFF',
      '،',
      '.',
      '«',
      'و',
      'a',
    ];
    const random = seededRandom(7);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
    for (let round = 0; round < 3_000; round++) {
      // Each text from a few of the pieces, so that texts with nothing to fold but their white space occur too.
      const palette = [pick(pieces), pick(pieces), pick(pieces)];
      let text = '';
      for (let n = Math.floor(random() * 12); n >= 0; n--) text += pick(palette);
      expect({ text, normalised: normalizeArabic(text) }).toEqual({ text, normalised: reference(text) });
    }
  });
});

describe('splitSentences', () => {
  it('splits on Arabic and Latin sentence punctuation', () => {
    expect(splitSentences('هل حضرت؟ نعم حضرت! ثم غادرت. وانتهى اللقاء؛ ثم عدنا')).toEqual([
      'هل حضرت؟',
      'نعم حضرت!',
      'ثم غادرت.',
      'وانتهى اللقاء؛ ثم عدنا',
    ]);
  });

  it('does not end a sentence at «؛» or «:», which join clauses (a list of winners is one sentence)', () => {
    const winners = 'وفاز بالجائزة الأولى: أحمد علي؛ والثانية: سارة محمد؛ والثالثة: خالد يوسف.';
    expect(splitSentences(winners)).toEqual([winners]);
    expect(splitSentences('قال الوزير: إن الخطة جاهزة. وأضاف أنها تبدأ غدا.')).toEqual([
      'قال الوزير: إن الخطة جاهزة.',
      'وأضاف أنها تبدأ غدا.',
    ]);
  });

  it('ends a sentence at a bullet that a site glued after the full stop («.*»)', () => {
    expect(splitSentences('رحل الفنان بعد صراع مع المرض.* وشيعه المئات في مسقط رأسه.')).toEqual([
      'رحل الفنان بعد صراع مع المرض.',
      'وشيعه المئات في مسقط رأسه.',
    ]);
  });

  it('treats line breaks as boundaries and drops empty lines', () => {
    expect(splitSentences('العنوان الرئيسي\n\n  النص الأول.  \nالنص الثاني.')).toEqual([
      'العنوان الرئيسي',
      'النص الأول.',
      'النص الثاني.',
    ]);
  });

  it('keeps decimal and grouped numbers whole', () => {
    expect(splitSentences('ارتفع النمو إلى 2.5 في المئة. وبلغ الدين 1.000.000 دولار.')).toEqual([
      'ارتفع النمو إلى 2.5 في المئة.',
      'وبلغ الدين 1.000.000 دولار.',
    ]);
  });

  it('splits sentences glued by the scraper', () => {
    expect(splitSentences('وأرجع المسؤول التأخير إلى هذا السبب.وقال إن العمل سيستأنف.')).toEqual([
      'وأرجع المسؤول التأخير إلى هذا السبب.',
      'وقال إن العمل سيستأنف.',
    ]);
  });

  it('does not split letter-by-letter abbreviations such as «أ.د.» or «إن.بي.كيه»', () => {
    expect(splitSentences('وقال أ.د. يوسف الرميح إن شركة إن.بي.كيه كابيتال رابحة. وانتهى.')).toEqual([
      'وقال أ.د. يوسف الرميح إن شركة إن.بي.كيه كابيتال رابحة.',
      'وانتهى.',
    ]);
  });

  it('keeps one-letter Arabic abbreviations («د.») but ends a sentence at «1770 م.»', () => {
    expect(splitSentences('استقبل د. أحمد الوفد. ولد بيتهوفن عام 1770 م. وتوفي في فيينا.')).toEqual([
      'استقبل د. أحمد الوفد.',
      'ولد بيتهوفن عام 1770 م.',
      'وتوفي في فيينا.',
    ]);
  });

  it('handles Latin abbreviations and mixed Latin such as «U.S.», «Dr.» and «SY24»', () => {
    expect(splitSentences('قال Dr. Smith إن قوات U.S. forces وصلت. وحسب منصة SY24. انتهى الأمر.')).toEqual([
      'قال Dr. Smith إن قوات U.S. forces وصلت.',
      'وحسب منصة SY24.',
      'انتهى الأمر.',
    ]);
  });

  it('keeps a full stop inside a short guillemet quote and the closing quote with its sentence', () => {
    expect(splitSentences('قال الوزير: «الوضع مستقر. لا داعي للقلق.» ثم غادر القاعة.')).toEqual([
      'قال الوزير: «الوضع مستقر. لا داعي للقلق.»',
      'ثم غادر القاعة.',
    ]);
  });

  it('keeps a curly closing quote with the sentence that ends inside it', () => {
    expect(splitSentences('وذكرت المصادر أن “المقاتلين تجولوا بالقرب من الجبل.” وأضافت أن الحملة فشلت.')).toEqual([
      'وذكرت المصادر أن “المقاتلين تجولوا بالقرب من الجبل.”',
      'وأضافت أن الحملة فشلت.',
    ]);
  });

  it('splits inside a long quotation', () => {
    const clause = 'وهذه جملة طويلة داخل الاقتباس تشرح الموقف بالتفصيل';
    const text = `قال: «${clause} ${clause}. ${clause} ${clause}. ${clause} ${clause}.»`;
    expect(splitSentences(text).length).toBeGreaterThan(1);
  });

  it('keeps URLs and e-mail addresses whole', () => {
    expect(
      splitSentences('راجع الموقع http://amman.cervantes.es/ar/index.html للتفاصيل. أو راسل info@sy-24.com غدا.'),
    ).toEqual(['راجع الموقع http://amman.cervantes.es/ar/index.html للتفاصيل.', 'أو راسل info@sy-24.com غدا.']);
  });

  it('treats a short ellipsis run as a pause and a long one as an end', () => {
    expect(splitSentences('التمر.. أو بترولنا الحلو يعد محورا اقتصاديا.')).toEqual([
      'التمر.. أو بترولنا الحلو يعد محورا اقتصاديا.',
    ]);
    expect(splitSentences('انتظر الناس طويلا أمام المبنى الحكومي... ثم انصرفوا.')).toEqual([
      'انتظر الناس طويلا أمام المبنى الحكومي...',
      'ثم انصرفوا.',
    ]);
  });

  it('splits English text', () => {
    expect(splitSentences('The market fell 2.5 percent. Analysts were surprised! Why?')).toEqual([
      'The market fell 2.5 percent.',
      'Analysts were surprised!',
      'Why?',
    ]);
  });

  it('returns nothing for empty or punctuation-only text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' ... \n «» ')).toEqual([]);
  });
});

describe('tokenize and stopwords', () => {
  it('splits on white space and Unicode punctuation, normalising each token', () => {
    expect(tokenize('قالَ الوزيرُ، «إنّ الأمرَ» انتهى؛ أليس كذلك؟')).toEqual([
      'قال',
      'الوزير',
      'ان',
      'الامر',
      'انتهي',
      'اليس',
      'كذلك',
    ]);
  });

  it('removes stopwords from content tokens', () => {
    expect(contentTokens('الوزير إن الحكومة في دمشق التي تعمل')).toEqual(['الوزير', 'الحكومه', 'دمشق', 'تعمل']);
  });

  it('recognises stopwords whether normalised or not', () => {
    expect(isStopword('إلى')).toBe(true);
    expect(isStopword('الي')).toBe(true);
    expect(isStopword('التي')).toBe(true);
    expect(isStopword('الحكومة')).toBe(false);
  });

  it('stores the list normalised, without duplicates', () => {
    expect(ARABIC_STOPWORDS.length).toBeGreaterThan(600);
    expect(new Set(ARABIC_STOPWORDS).size).toBe(ARABIC_STOPWORDS.length);
    for (const word of ARABIC_STOPWORDS) expect(normalizeArabic(word)).toBe(word);
  });
});

describe('stripDateline', () => {
  it.each([
    ['دمشق-الوئام: قتل عدد من الحوثيين.', 'دمشق-الوئام', 'قتل عدد من الحوثيين.'],
    ['الرياض - الوئام : أكد المتحدث الرسمي.', 'الرياض - الوئام', 'أكد المتحدث الرسمي.'],
    ['(رويترز) - ارتفع الدولار اليوم.', '(رويترز)', 'ارتفع الدولار اليوم.'],
    ['واس - وصلت الدفعة الثانية.', 'واس', 'وصلت الدفعة الثانية.'],
    ['عاصم الغامدي - سبق – جدة: انضم الكاتب إلى الصحيفة.', 'عاصم الغامدي - سبق – جدة', 'انضم الكاتب إلى الصحيفة.'],
    // The longest byline the patterns allow (4 names of 4 words): its dash comes after 16 runs of white space.
    [
      'عبد الله بن محمد، سارة بنت علي الأحمد، مكتب جدة الإقليمي الرئيسي، وكالة الأنباء السعودية واس - وصلت الدفعة الثانية.',
      'عبد الله بن محمد، سارة بنت علي الأحمد، مكتب جدة الإقليمي الرئيسي، وكالة الأنباء السعودية واس',
      'وصلت الدفعة الثانية.',
    ],
    ['دبي: أعلنت الشركة فوزها.', 'دبي', 'أعلنت الشركة فوزها.'],
  ])('removes the dateline of %s', (sentence, dateline, text) => {
    expect(stripDateline(sentence)).toEqual({ dateline, text });
  });

  it('recognises a sentence that is only a byline', () => {
    expect(stripDateline('خاص – SY24')).toEqual({ dateline: 'خاص – SY24', text: '' });
    expect(stripDateline('عين اليوم – نيودلهي').text).toBe('');
  });

  it('leaves ordinary sentences alone, including ones with a colon', () => {
    for (const sentence of [
      'سبق تقول للمسؤول: منذ أعلن عن تطبيق النظام.',
      'قال جمال با رأس، القاضي اليمني السابق: إن القيادات الجنوبية انشقت.',
      'قللت العديد من المصادر المحلية من حملات التمشيط.',
    ]) {
      expect(stripDateline(sentence)).toEqual({ text: sentence });
    }
  });
});
