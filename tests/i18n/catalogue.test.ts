/**
 * The one catalogue of words (src/i18n): both languages have the same keys with the same kind of value, no Arabic a
 * person reads stands outside it, and its counts agree with their nouns.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
// TypeScript 7 has no JavaScript API: rolldown's parser (oxc, which vitest runs on) reads the sources.
import { parseAst } from 'rolldown/parseAst';
import { describe, expect, it } from 'vitest';
import { ar } from '../../src/i18n/ar.js';
import { en } from '../../src/i18n/en.js';
import { catalogue } from '../../src/i18n/index.js';
import type { NewsroomRefusal } from '../../src/i18n/values.js';
import { ROOT } from '../helpers/cli.js';

/** Every leaf of a catalogue as «path: kind», a function's kind with its arity. */
function shape(value: unknown, path = ''): string[] {
  if (typeof value === 'function') return [`${path}: function/${value.length}`];
  if (Array.isArray(value)) return [`${path}: array`, ...value.flatMap((v, i) => shape(v, `${path}[${i}]`))];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => shape(v, path ? `${path}.${k}` : k));
  return [`${path}: ${typeof value}`];
}

/**
 * Files that may hold Arabic string literals, each with its reason: words the code reads (parsing, matching, cleaning
 * text), never words it says.
 */
const ALLOWED: Record<string, string> = {
  'src/text/arabic.ts': 'normalising and matching Arabic text',
  'src/text/stem.ts': "the stemmer's affixes",
  'src/text/stopwords.ts': 'stopwords',
  'src/text/site-trailers.ts': 'site trailers cut from scraped text',
  'src/text/arabic-date.ts': 'month names for dates in a post (the format, read by the summariser and renderer)',
  'src/text/plural.ts': "the counted nouns' forms the catalogue counts with",
  'src/summary/clauses.ts': 'summariser word lists',
  'src/summary/gazetteer.ts': 'place names',
  'src/summary/hashtags.ts': 'hashtag word lists',
  'src/summary/openers.ts': 'sentence openers',
  'src/summary/summarize.ts': 'summariser word lists',
  'src/summary/tag-vocabulary.ts': 'tag vocabulary',
  'src/summary/vocabulary.ts': 'summariser vocabulary',
  'src/summary/world-cities.ts': "the world's city names (CLDR), for hashtags",
  'src/ingest/reader.ts': 'share-button words and bylines dropped from scraped pages',
  'src/ingest/html-text.ts': '«read more» markers cut from feeds',
  'src/newsroom/topics.ts': 'prefixes stripped when matching a topic filter',
  'src/newsroom/delivery-settings.ts': 'the digest and quiet-hours words people type («فوري», «كل ساعة», «صامت»)',
  'bots/telegram/input-words.ts': 'the words editors type to the Telegram bot',
  'bots/whatsapp/input-words.ts': 'the words people type to the WhatsApp bot («نعم», «المزيد», «آخر الأخبار»)',
  'bots/telegram/label.ts': "the platform's own name: its descriptor's label, which the catalogue's words take",
  'bots/whatsapp/label.ts': "the platform's own name: its descriptor's label",
  'bots/console/platform.ts': "the platform's own name: its descriptor's label",
};

/**
 * The calls whose arguments a person reads from the CLI (src/app): its output and errors (`ctx.out`, a stream's
 * `write`, `UserError`, `ConfigError`, commander's `InvalidArgumentError`, a question asked on the terminal) and
 * commander's help (`.description`, `.option`, `.argument`, `new Option`). The logger is not among them: its lines are records for
 * whoever runs the service (grep-able, the same whatever the CLI's language, and masked of secrets), not sentences
 * said to the operator in answer to a command.
 */
const SAYS = new Set([
  'out',
  'write',
  'UserError',
  'ConfigError',
  'StoreError',
  'InvalidArgumentError',
  'confirm',
  'askHidden',
  'description',
  'option',
  'requiredOption',
  'argument',
  'Option',
]);

/** The properties whose value commander shows as help: a platform's command's `summary`, its options' `description`. */
const SAID_AS_HELP = new Set(['summary', 'description']);

/**
 * Where the CLI's words are said: src/app, each platform's own commands (bots/<platform>/cli-commands.ts, `nashra
 * whatsapp login`) and its configuration's refusals (bots/<platform>/config.ts, said by every command), `nashra db
 * copy`'s refusals (src/store/postgres/copy.ts), a database that cannot be opened or used (src/store/index.ts for a
 * SQLite file, src/store/postgres/database.ts for DATABASE_URL) and a bot token the platform refuses at start
 * (bots/<platform>/index.ts).
 */
function cliSources(): string[] {
  const platforms = readdirSync(join(ROOT, 'bots'))
    .flatMap((platform) =>
      ['cli-commands.ts', 'config.ts', 'index.ts'].map((file) => join(ROOT, 'bots', platform, file)),
    )
    .filter((file) => existsSync(file));
  return [
    ...walk(join(ROOT, 'src/app')),
    ...platforms,
    join(ROOT, 'src/store/postgres/copy.ts'),
    join(ROOT, 'src/store/postgres/database.ts'),
    join(ROOT, 'src/store/index.ts'),
  ];
}

/** Three or more words of letters make an English sentence; flags (--db), <placeholders> and a-b names do not count. */
const englishWords = (text: string): number =>
  text.split(/\s+/).filter((token) => /^[(«"]?[A-Za-z]+(?:'[a-z]+)?[,.;:?!)»"]*$/.test(token)).length;

/**
 * The English sentences of one source file said through SAYS: every string literal and template text anywhere in
 * such a call's arguments (a ternary, a concatenation, a nested call), with its line.
 */
function inlineSentences(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const found: string[] = [];
  const calleeName = (callee: { type?: string; name?: string; property?: { name?: string } }): string | undefined =>
    callee.type === 'Identifier' ? callee.name : callee.type === 'MemberExpression' ? callee.property?.name : undefined;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as {
      type?: string;
      callee?: Parameters<typeof calleeName>[0];
      arguments?: unknown[];
      key?: { type?: string; name?: string };
      value?: unknown;
    };
    const sentence = (text: string) => englishWords(text) >= 3;
    if ((n.type === 'CallExpression' || n.type === 'NewExpression') && n.callee && SAYS.has(calleeName(n.callee) ?? ''))
      found.push(...literalsUnder(n.arguments, code, sentence));
    if (n.type === 'Property' && n.key?.type === 'Identifier' && SAID_AS_HELP.has(n.key.name ?? ''))
      found.push(...literalsUnder(n.value, code, sentence));
    Object.values(node).forEach(visit);
  };
  visit(parseAst(code, { lang: 'ts' }, file));
  return found;
}

/**
 * The refusals of one source file thrown with their sentence written inline: a `new UserError(…)` or
 * `new RefusedError(…)` given a string, a template, or a concatenation or choice of them (a refusal by meaning is an
 * object, said by the catalogue in the reader's language), each with its line.
 */
function inlineRefusals(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const lineOf = (offset: number) => code.slice(0, offset).split('\n').length;
  type Node = { type?: string; value?: unknown; start?: number; callee?: { type?: string; name?: string } };
  const isText = (node: unknown): boolean => {
    const n = node as Node & { left?: unknown; right?: unknown; consequent?: unknown; alternate?: unknown };
    if (!n || typeof n !== 'object') return false;
    if (n.type === 'Literal') return typeof n.value === 'string';
    if (n.type === 'TemplateLiteral') return true;
    if (n.type === 'BinaryExpression') return isText(n.left) || isText(n.right);
    if (n.type === 'ConditionalExpression') return isText(n.consequent) || isText(n.alternate);
    return false;
  };
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Node & { arguments?: unknown[] };
    if (
      n.type === 'NewExpression' &&
      n.callee?.type === 'Identifier' &&
      (n.callee.name === 'UserError' || n.callee.name === 'RefusedError') &&
      (n.arguments ?? []).some(isText)
    )
      found.push(`${lineOf(n.start ?? 0)}: new ${n.callee.name}`);
    Object.values(node).forEach(visit);
  };
  visit(parseAst(code, { lang: 'ts' }, file));
  return found;
}

/** Arabic letters (the Arabic block; digits and punctuation alone do not make a sentence). */
const ARABIC = /[\u0621-\u064A]/;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** The string literals and template texts under an AST `node` of `code` that `keep` accepts, each with its line. */
function literalsUnder(node: unknown, code: string, keep: (text: string) => boolean): string[] {
  const found: string[] = [];
  const lineOf = (offset: number) => code.slice(0, offset).split('\n').length;
  const visit = (child: unknown): void => {
    if (Array.isArray(child)) {
      for (const item of child) visit(item);
      return;
    }
    if (!child || typeof child !== 'object') return;
    const n = child as { type?: string; value?: unknown; start?: number };
    const text =
      n.type === 'Literal' && typeof n.value === 'string'
        ? n.value
        : n.type === 'TemplateElement'
          ? (n.value as { raw: string }).raw
          : undefined;
    if (text !== undefined && keep(text)) found.push(`${lineOf(n.start ?? 0)}: ${text.slice(0, 60)}`);
    Object.values(child).forEach(visit);
  };
  visit(node);
  return found;
}

/** The Arabic string literals and template texts of one source file, with their lines (comments and regexes are not literals). */
function arabicLiterals(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  return literalsUnder(parseAst(code, { lang: 'ts' }, file), code, (text) => ARABIC.test(text));
}

describe('the catalogue of words', () => {
  it('has every key in both languages, with the same kind of value (a function with the same arity)', () => {
    const arabic = shape(ar);
    expect(arabic.length).toBeGreaterThan(300);
    expect(shape(en).sort()).toEqual(arabic.sort());
  });

  it("says words, not the code's names: no English text is a type or identifier (a rename once made the desk say «StatsSaid»)", () => {
    const identifiers: string[] = [];
    const walk = (value: unknown, key: string) => {
      if (typeof value === 'string' && /^[A-Z][a-z]+(?:[A-Z][a-z]*)+$/.test(value))
        identifiers.push(`${key}: ${value}`);
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k);
    };
    walk(en, '');
    expect(identifiers).toEqual([]);
  });

  it('holds every Arabic string a person reads: none in src/ or bots/ outside src/i18n, but the allowed word lists', () => {
    const files = [...walk(join(ROOT, 'src')), ...walk(join(ROOT, 'bots'))].map((f) => relative(ROOT, f));
    for (const allowed of Object.keys(ALLOWED)) expect(files).toContain(allowed);
    const outside = files
      .filter((f) => !f.startsWith('src/i18n/') && !(f in ALLOWED))
      .flatMap((f) => arabicLiterals(join(ROOT, f)).map((l) => `${f}:${l}`));
    expect(outside).toEqual([]);
  });

  it('finds an Arabic literal where there is one (the scan is not blind)', () => {
    expect(arabicLiterals(join(ROOT, 'src/i18n/ar.ts')).length).toBeGreaterThan(300);
  });

  it("holds every sentence the CLI says: none printed, thrown or given to commander inline in src/app, a platform's commands or configuration, db copy or opening PostgreSQL", () => {
    const files = cliSources().map((f) => relative(ROOT, f));
    expect(files).toEqual(
      expect.arrayContaining([
        'bots/whatsapp/cli-commands.ts',
        'bots/telegram/config.ts',
        'bots/whatsapp/config.ts',
        'src/store/postgres/copy.ts',
        'src/store/postgres/database.ts',
        'src/store/index.ts',
        'bots/telegram/index.ts',
      ]),
    );
    const inline = files.flatMap((f) => inlineSentences(join(ROOT, f)).map((l) => `${f}:${l}`));
    expect(inline).toEqual([]);
  });

  it('finds an English sentence said inline where there is one (the scan is not blind)', () => {
    const sample = join(ROOT, 'tests/i18n/fixtures/inline-cli.ts');
    expect(inlineSentences(sample).map((l) => l.replace(/^\d+: /, ''))).toEqual([
      'link the number then exit',
      'give up after this long',
      'queued for every chat',
      'no terminal to confirm on: ',
      'must be a whole number',
      'cannot load the plug-in ',
      'cannot open the database at ',
      'poll sources now',
      'the message as it would be sent',
    ]);
  });

  it('refuses by meaning where a chat or the desk says it: no inline sentence thrown in the newsroom, ingest, the desk or a platform', () => {
    // The CLI's own commands (src/app, bots/<platform>/cli-commands.ts) say their sentences through the CLI's words.
    const files = [
      ...walk(join(ROOT, 'src/newsroom')),
      ...walk(join(ROOT, 'src/ingest')),
      ...walk(join(ROOT, 'src/desk')),
      ...walk(join(ROOT, 'bots')),
    ]
      .map((f) => relative(ROOT, f))
      .filter((f) => !f.endsWith('/cli-commands.ts'));
    expect(files.length).toBeGreaterThan(100);
    const inline = files.flatMap((f) => inlineRefusals(join(ROOT, f)).map((l) => `${f}:${l}`));
    expect(inline).toEqual([]);
  });

  it('finds a refusal thrown with an inline sentence where there is one (the scan is not blind)', () => {
    expect(inlineRefusals(join(ROOT, 'tests/i18n/fixtures/inline-refusal.ts'))).toEqual([
      '7: new UserError',
      '8: new UserError',
      '9: new UserError',
      '10: new UserError',
    ]);
  });

  it('says every newsroom refusal in both languages, Arabic with no English sentence in it', () => {
    // One of each kind whose Arabic has no value in Latin letters: nothing of its English may be left in it.
    const refusals: NewsroomRefusal[] = [
      { kind: 'title-empty' },
      { kind: 'paid-off' },
      { kind: 'urgent-empty' },
      { kind: 'quiet-same-times' },
      { kind: 'choose-chat' },
      { kind: 'choose-verdict' },
      { kind: 'no-job', jobId: 7 },
      { kind: 'not-in-doubt', jobId: 7, job: 'post', state: 'sent' },
      { kind: 'subscription-inactive', id: 3 },
      { kind: 'summary-too-many', max: 10 },
      { kind: 'source-already', id: 2, active: false },
      { kind: 'delivery-words', problem: { kind: 'same-times' } },
      { kind: 'delivery-words', problem: { kind: 'no-window' } },
    ];
    for (const r of refusals) {
      expect(catalogue('ar').refused(r), r.kind).not.toMatch(/[A-Za-z]/);
      expect(catalogue('en').refused(r), r.kind).toMatch(/^[\x20-\x7e]+$/);
    }
    expect(catalogue('ar').refused({ kind: 'not-in-doubt', jobId: 7, job: 'post', state: 'sent' })).toBe(
      'المنشور 7 حالته «أُرسل»، لا «غير مؤكَّد»',
    );
    // A limit counted with its noun: characters, sentences and hashtags agree with the number.
    const limits = [1, 2, 3, 11, 100];
    expect(limits.map((max) => catalogue('ar').refused({ kind: 'title-too-long', max }))).toEqual([
      'العنوان أطول من حرف واحد',
      'العنوان أطول من حرفين',
      'العنوان أطول من 3 أحرف',
      'العنوان أطول من 11 حرفًا',
      'العنوان أطول من 100 حرف',
    ]);
    expect(limits.map((max) => catalogue('ar').refused({ kind: 'summary-too-many', max }))).toEqual([
      'في الملخص أكثر من جملة واحدة',
      'في الملخص أكثر من جملتين',
      'في الملخص أكثر من 3 جمل',
      'في الملخص أكثر من 11 جملة',
      'في الملخص أكثر من 100 جملة',
    ]);
    expect(limits.map((max) => catalogue('ar').refused({ kind: 'hashtags-too-many', max }))).toEqual([
      'الوسوم أكثر من وسم واحد',
      'الوسوم أكثر من وسمين',
      'الوسوم أكثر من 3 أوسمة',
      'الوسوم أكثر من 11 وسمًا',
      'الوسوم أكثر من 100 وسم',
    ]);
  });

  it('counts agree with the counted noun: 0, 1, 2, 3, 11 and 100 posts, subscribers and waiting messages', () => {
    const counts = [0, 1, 2, 3, 11, 100];
    const words = catalogue('ar').chat;
    expect(counts.map((n) => words.correctQueued(n))).toEqual([
      'تمّ التصحيح؛ لم يُرسل منه شيء بعد، فيصل مصحّحًا.',
      'تمّ التصحيح؛ يُعدَّل منشور واحد.',
      'تمّ التصحيح؛ يُعدَّل منشوران.',
      'تمّ التصحيح؛ يُعدَّل 3 منشورات.',
      'تمّ التصحيح؛ يُعدَّل 11 منشورًا.',
      'تمّ التصحيح؛ يُعدَّل 100 منشور.',
    ]);
    expect(counts.map((n) => words.reviewPublishedToast(n))).toEqual([
      'نُشر: سيُرسل إلى لا أحد.',
      'نُشر: سيُرسل إلى مشترك واحد.',
      'نُشر: سيُرسل إلى مشتركَين.',
      'نُشر: سيُرسل إلى 3 مشتركين.',
      'نُشر: سيُرسل إلى 11 مشتركًا.',
      'نُشر: سيُرسل إلى 100 مشترك.',
    ]);
    expect(counts.map((n) => words.retracted(1, n))).toEqual([
      'سُحب الخبر: يُحذف منشور واحد.',
      'سُحب الخبر: يُحذف منشور واحد، وأُلغيت رسالة منتظرة واحدة.',
      'سُحب الخبر: يُحذف منشور واحد، وأُلغيت رسالتان منتظرتان.',
      'سُحب الخبر: يُحذف منشور واحد، وأُلغيت 3 رسائل منتظرة.',
      'سُحب الخبر: يُحذف منشور واحد، وأُلغيت 11 رسالة منتظرة.',
      'سُحب الخبر: يُحذف منشور واحد، وأُلغيت 100 رسالة منتظرة.',
    ]);
  });
});
