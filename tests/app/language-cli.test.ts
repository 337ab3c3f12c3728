/**
 * The CLI's language (NASHRA_CLI_LANGUAGE): English by default, Arabic when asked, a wrong value refused; the words
 * are the catalogue's, counts agree with their noun, and what machines read stays the same in both.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliInProcess } from '../helpers/cli.js';
import { onPostgres } from '../helpers/pass.js';
import { createDatabase, type OwnedDatabase } from '../helpers/raw-db.js';
import { tempDir } from '../helpers/tmp.js';

let db: OwnedDatabase;
let tmp: ReturnType<typeof tempDir>;
const ARABIC = { NASHRA_CLI_LANGUAGE: 'ar' };

const nashra = (args: string[], env: Record<string, string> = {}) =>
  runCliInProcess(args, { env: { ...db.env, ...env } });

/** An article file of its own: a headline, then three sentences no other article of this file shares. */
function article(n: number): string {
  const file = join(tmp.dir, `article-${n}.txt`);
  writeFileSync(
    file,
    `افتتاح المدرسة رقم ${n} في الحي الشرقي\n\n` +
      `افتتحت مديرية التربية اليوم المدرسة رقم ${n} في الحي الشرقي من المدينة بعد عامين من العمل. ` +
      `وقال مدير التربية إن المدرسة ${n} تستقبل أربعمئة طالب في عامها الأول. ` +
      `وأضاف أن المديرية تعمل على افتتاح مدارس أخرى في الأحياء المجاورة خلال العام المقبل.\n`,
  );
  return file;
}

beforeAll(async () => {
  db = await createDatabase();
  tmp = tempDir();
});
afterAll(async () => {
  await db.close();
  tmp.cleanup();
});

describe('the CLI in Arabic and English (NASHRA_CLI_LANGUAGE)', () => {
  it('refuses a language it does not speak, naming the variable and the values it takes', async () => {
    // Empty is unset, as for every variable (.env.example lists them empty): English.
    for (const value of ['fr', 'AR', 'arabic', 'ar_SY.UTF-8']) {
      const r = await nashra(['subs', 'list'], { NASHRA_CLI_LANGUAGE: value });
      expect(r.code, `${value}: ${r.stderr}`).toBe(78);
      expect(r.stderr).toMatch(/^nashra: NASHRA_CLI_LANGUAGE: ".*" is not one of en, ar\n$/);
      expect(r.stdout).toBe('');
    }
  });

  it('speaks English by default and Arabic when asked: results, refusals and what changed', async () => {
    expect((await nashra(['subs', 'list'])).stdout).toBe(
      'no subscriptions yet: nashra subs add <platform> <chat-id>\n',
    );
    expect((await nashra(['subs', 'list'], { NASHRA_CLI_LANGUAGE: 'en' })).stdout).toContain('no subscriptions yet');
    expect((await nashra(['subs', 'list'], ARABIC)).stdout).toBe(
      'لا اشتراكات بعد: nashra subs add <platform> <chat-id>\n',
    );
    const refused = await nashra(['subs', 'remove', '7'], ARABIC);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('nashra: لا اشتراك بالرقم 7\n');
    // commander's refusal of an argument, in the CLI's words.
    const tooMany = await nashra(['latest', '99'], ARABIC);
    expect(tooMany.code).not.toBe(0);
    expect(tooMany.stderr).toContain('يجب أن يكون عددًا صحيحًا من 1 إلى 50، لا "99"');
    const added = await nashra(['subs', 'add', 'console', 'desk-0', '--digest', 'hourly'], ARABIC);
    expect(added.code, added.stderr).toBe(0);
    // The row's ids and names stay as they are (a script reads them); the words around them are Arabic.
    expect(added.stdout).toMatch(/^\d+\tconsole\tdesk-0\tprivate\t\(كل الأخبار\)\tاشترك\nموعد الأخبار: .*ساعة/);
    const removed = await nashra(['subs', 'remove', added.stdout.split('\t')[0]!], ARABIC);
    expect(removed.stdout).toMatch(/^أُوقف الاشتراك \d+ \(console desk-0\)\n$/);
  });

  it('counts agree with their noun: a story for 1, 2, 3, 11 and 100 subscriptions', async () => {
    const said: string[] = [];
    let chats = 0;
    for (const [i, n] of [1, 2, 3, 11, 100].entries()) {
      // The chats straight into the store: 100 `nashra subs add` would take most of the test's time on a busy machine.
      for (; chats < n; chats++)
        await db.ports.repos.subscriptions.subscribe(
          { platform: 'console', chatId: `chat-${chats}`, kind: 'private' },
          Date.now(),
        );
      const ingested = await nashra(['ingest', article(i)], ARABIC);
      expect(ingested.code, ingested.stderr).toBe(0);
      said.push(ingested.stdout.trim().split('\t').at(-1)!);
    }
    expect(said).toEqual([
      '(يستلمه اشتراك واحد)',
      '(يستلمه اشتراكان)',
      '(يستلمه 3 اشتراكات)',
      '(يستلمه 11 اشتراكًا)',
      '(يستلمه 100 اشتراك)',
    ]);
    // The same in English, and the duplicate reported in each language.
    const again = await nashra(['ingest', article(0)]);
    expect(again.stdout).toMatch(/^\d+\tduplicate \(.+\)\t/);
    const fresh = await nashra(['ingest', article(5)]);
    expect(fresh.stdout.trim()).toMatch(/\tnew\t.*\t\(queued for 100 subscriptions\)$/);
    expect((await nashra(['ingest', article(5)], ARABIC)).stdout).toMatch(/^\d+\tمكرّر \(.+\)\t/);
  });

  it('as a process of its own: --help and a refusal in Arabic, the exit codes unchanged', () => {
    const help = runCli(['subs', 'set', '--help'], { env: { ...db.env, ...ARABIC } });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('تغيير ما يصل إلى اشتراك قائم وكيف ومتى');
    // commander wraps the descriptions at the terminal's width.
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('زرّ «النص الكامل» تحت المنشورات: الخبر كاملًا في المحادثة');
    // The flags themselves are not words to translate.
    expect(help.stdout).toContain('--no-full-story-in-group');
    const refused = runCli(['scheduled', 'cancel', 'x1'], { env: { ...db.env, ...ARABIC } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('nashra: "x1" ليس رقم بثّ مجدول: خذه من nashra scheduled (b12)\n');
  });
});

describe('the reports in Arabic and English: nashra stats and nashra reach', () => {
  /** What is left of a report once ids, ISO times, zone names and commands are taken out: no English word. */
  const englishWords = (text: string) =>
    text
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '')
      .replace(/Asia\/Damascus|nashra [a-z-]+( list)?/g, '')
      .match(/[A-Za-z]{3,}/g);

  it('says the stats report in words of the CLI language, the platforms by their labels', async () => {
    await db.ports.repos.subscriptions.subscribe(
      { platform: 'console', chatId: 'stats-0', kind: 'private' },
      Date.now(),
    );
    const english = await nashra(['stats']);
    expect(english.code, english.stderr).toBe(0);
    expect(english.stdout).toMatch(/^articles: \d+\nsubscriptions:\n {2}console: \d+ active, \d+ inactive\n/);
    const arabic = await nashra(['stats'], ARABIC);
    expect(arabic.code, arabic.stderr).toBe(0);
    expect(arabic.stdout).toMatch(/^الأخبار: \d+\nالاشتراكات:\n {2}\S+: \d+ نشط، \d+ متوقف\n/);
    expect(arabic.stdout).toMatch(/\nالمصادر: \d+ \(\d+ نشط\)\n$/);
    expect(englishWords(arabic.stdout), arabic.stdout).toBeNull();
  });

  it('says the reach report in words of the CLI language', async () => {
    const english = await nashra(['reach', '--since', '24h']);
    expect(english.code, english.stderr).toBe(0);
    expect(english.stdout).toMatch(/^reach from \S+ to \S+ \(Asia\/Damascus\): 0 clicks\nnote: Bots cannot/);
    const arabic = await nashra(['reach', '--since', '24h'], ARABIC);
    expect(arabic.code, arabic.stderr).toBe(0);
    expect(arabic.stdout).toMatch(/^الوصول من \S+ إلى \S+ \(Asia\/Damascus\): النقرات 0\nملاحظة: لا تتيح المنصات/);
    expect(arabic.stdout).toContain('\nالأكثر نقرًا في آخر 7 أيام:');
    expect(englishWords(arabic.stdout), arabic.stdout).toBeNull();
  });
});

describe("the newsroom's refusals in the CLI's language", () => {
  it('says a bad interval, URL, window and OPML file in Arabic, and in English as before', async () => {
    const notOpml = join(tmp.dir, 'not-opml.xml');
    writeFileSync(notOpml, '<html><body>no feeds</body>');
    const cases: Array<[string[], string, string]> = [
      [
        ['sources', 'add', 'https://example.com/feed', '--interval', '5s'],
        'nashra: --interval must be between 1m and 24h (e.g. 10m, 90s, 1h), not "5s"\n',
        'nashra: يجب أن تكون مدة --interval بين دقيقة (1m) و24 ساعة (24h)، مثل 10m أو 90s أو 1h، لا "5s"\n',
      ],
      [
        ['sources', 'add', 'example'],
        'nashra: "example" is not a URL; give the full address, e.g. https://www.example.com/feed/\n',
        'nashra: "example" ليس عنوانًا: اكتب العنوان كاملًا، مثل https://www.example.com/feed/\n',
      ],
      [
        ['sources', 'add', 'ftp://example.com/feed'],
        'nashra: ftp://example.com/feed: only http and https URLs can be sources\n',
        'nashra: ftp://example.com/feed: لا يكون المصدر إلا عنوان http أو https\n',
      ],
      [
        ['reach', '--since', 'forever'],
        'nashra: "forever" is not a window: write it as 24h, 7d or 4w (at most a year)\n',
        'nashra: "forever" ليست مدة: اكتبها مثل 24h أو 7d أو 4w (سنة على الأكثر)\n',
      ],
    ];
    for (const [args, english, arabic] of cases) {
      const en = await nashra(args);
      expect([en.code, en.stderr], args.join(' ')).toEqual([1, english]);
      const ar = await nashra(args, ARABIC);
      expect([ar.code, ar.stderr], args.join(' ')).toEqual([1, arabic]);
    }
    const opml = await nashra(['sources', 'import', notOpml], ARABIC);
    expect(opml.code).toBe(1);
    expect(opml.stderr).toMatch(/^nashra: ليس ملف OPML \(.+\)\n$/);
  });
});

describe("a wrong configuration in the CLI's language, once NASHRA_CLI_LANGUAGE is read", () => {
  it('names the variable and says what is wrong in Arabic, and in English as before', async () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [
        { NASHRA_TIME_ZONE: 'Mars/Olympus' },
        'NASHRA_TIME_ZONE: "Mars/Olympus" is not an IANA time zone such as Asia/Damascus',
        'NASHRA_TIME_ZONE: "Mars/Olympus" ليس منطقة زمنية من IANA مثل Asia/Damascus',
      ],
      [
        { NASHRA_SUMMARY_MIN_SENTENCES: '5' },
        'NASHRA_SUMMARY_MIN_SENTENCES: is 5, more than NASHRA_SUMMARY_SENTENCES (3); make it at most that',
        'NASHRA_SUMMARY_MIN_SENTENCES: قيمته 5، أكثر من NASHRA_SUMMARY_SENTENCES (3): اجعلها 3 على الأكثر',
      ],
      [
        { NASHRA_FETCH_TIMEOUT_MS: 'soon' },
        'NASHRA_FETCH_TIMEOUT_MS: "soon" is not a whole number at least 100',
        'NASHRA_FETCH_TIMEOUT_MS: "soon" ليس عددًا صحيحًا لا يقل عن 100',
      ],
      [
        { NASHRA_SUMMARY_SENTENCES: '99' },
        'NASHRA_SUMMARY_SENTENCES: "99" is not a whole number from 1 to 10',
        'NASHRA_SUMMARY_SENTENCES: "99" ليس عددًا صحيحًا من 1 إلى 10',
      ],
      // The platforms' own settings, checked whether or not the platform is on; their words are the catalogue's too.
      [
        { TELEGRAM_EDITOR_IDS: '1001,@editor' },
        'TELEGRAM_EDITOR_IDS: "@editor" is not a numeric Telegram user id (ask @userinfobot for yours)',
        'TELEGRAM_EDITOR_IDS: "@editor" ليس رقم مستخدم في تيليغرام (اسأل @userinfobot عن رقمك)',
      ],
      [
        { TELEGRAM_PAID_BROADCAST_RATE: '25', TELEGRAM_RATE_PER_SECOND: '25' },
        'TELEGRAM_PAID_BROADCAST_RATE: 25 is not above TELEGRAM_RATE_PER_SECOND (25): paying would change nothing',
        'TELEGRAM_PAID_BROADCAST_RATE: قيمته 25، ليست أعلى من TELEGRAM_RATE_PER_SECOND (25): لن يغيّر الدفع شيئًا',
      ],
      [
        { TELEGRAM_PAID_BROADCAST_STARS_PER_MESSAGE: '-1' },
        'TELEGRAM_PAID_BROADCAST_STARS_PER_MESSAGE: "-1" is not a price in Stars (e.g. 0.1)',
        'TELEGRAM_PAID_BROADCAST_STARS_PER_MESSAGE: "-1" ليس سعرًا بـStars (مثل 0.1)',
      ],
      [
        { WHATSAPP_MIN_DELAY_MS: '9000', WHATSAPP_MAX_DELAY_MS: '1000' },
        'WHATSAPP_MAX_DELAY_MS: must be at least WHATSAPP_MIN_DELAY_MS (9000)',
        'WHATSAPP_MAX_DELAY_MS: قيمته 1000، أقل من WHATSAPP_MIN_DELAY_MS (9000): اجعلها 9000 على الأقل',
      ],
      [
        { WHATSAPP_EDITOR_NUMBERS: '+963 944' },
        'WHATSAPP_EDITOR_NUMBERS: "+963 944" is not a phone number with its country code (e.g. 963944123456)',
        'WHATSAPP_EDITOR_NUMBERS: "+963 944" ليس رقم هاتف مع رمز بلده (مثل 963944123456)',
      ],
    ];
    for (const [env, english, arabic] of cases) {
      const en = await nashra(['subs', 'list'], env);
      expect([en.code, en.stderr]).toEqual([78, `nashra: ${english}\n`]);
      const ar = await nashra(['subs', 'list'], { ...env, ...ARABIC });
      expect([ar.code, ar.stderr]).toEqual([78, `nashra: ${arabic}\n`]);
    }
  });

  it('says a token of the wrong shape without the token, in Arabic and in English as before', async () => {
    // Secret-looking but 19 characters after the colon, one short of a token from @BotFather: refused, never echoed.
    const token = '7654321:hunter2-Secret_Part';
    expect(token.split(':')[1]).toHaveLength(19);
    const en = await nashra(['subs', 'list'], { TELEGRAM_BOT_TOKEN: token });
    expect([en.code, en.stderr]).toEqual([
      78,
      'nashra: TELEGRAM_BOT_TOKEN: does not look like a bot token from @BotFather (digits, a colon, then 20+ letters, digits, _ or -)\n',
    ]);
    const ar = await nashra(['subs', 'list'], { TELEGRAM_BOT_TOKEN: token, ...ARABIC });
    expect([ar.code, ar.stderr]).toEqual([
      78,
      'nashra: TELEGRAM_BOT_TOKEN: لا يشبه رمز بوت من @BotFather (أرقام ثم نقطتان : ثم 20 أو أكثر من الحروف اللاتينية والأرقام و_ و-)\n',
    ]);
    for (const r of [en, ar]) {
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(/hunter2|Secret_Part|7654321/);
    }
  });
});

describe("a PostgreSQL database that cannot be opened, in the CLI's language", () => {
  it('says which server it could not reach in Arabic, and in English as before, the password masked in both', async () => {
    const env = { DATABASE_URL: 'postgres://nashra:s3cr%40t-pw@127.0.0.1:1/nashra' };
    const en = await nashra(['subs', 'list'], env);
    expect(en.code).toBe(1);
    expect(en.stderr).toMatch(
      /^nashra: cannot open the PostgreSQL database postgres:\/\/nashra:\*\*\*@127\.0\.0\.1:1\/nashra: .*ECONNREFUSED.*\n$/,
    );
    const ar = await nashra(['subs', 'list'], { ...env, ...ARABIC });
    expect(ar.code).toBe(1);
    expect(ar.stderr).toMatch(
      /^nashra: تعذّر فتح قاعدة بيانات PostgreSQL postgres:\/\/nashra:\*\*\*@127\.0\.0\.1:1\/nashra: .*ECONNREFUSED.*\n$/,
    );
    for (const r of [en, ar]) {
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr + r.stdout).not.toMatch(/s3cr/);
    }
  });
});

describe("commander's own words in the CLI's language", () => {
  it('writes the --help headings, the help option and the defaults in Arabic, and in English as before', async () => {
    const arabic = await nashra(['sources', 'add', '--help'], ARABIC);
    expect(arabic.code, arabic.stderr).toBe(0);
    expect(arabic.stdout).toMatch(/^الاستخدام: nashra sources add \[options\] <url>\n/);
    expect(arabic.stdout).toContain('\nالخيارات:\n');
    expect(arabic.stdout).toMatch(/ {2}-h, --help +عرض المساعدة عن الأمر\n/);
    expect(arabic.stdout.replace(/\s+/g, ' ')).toContain('(الافتراضي: "10m")');
    expect((await nashra(['--help'], ARABIC)).stdout).toContain('\nالأوامر:\n');
    const subsAdd = await nashra(['subs', 'add', '--help'], ARABIC);
    expect(subsAdd.stdout).toContain('\nالوسائط:\n');
    expect(subsAdd.stdout.replace(/\s+/g, ' ')).toContain('(القيم الممكنة: "now", "digest")');
    for (const said of [arabic.stdout, subsAdd.stdout])
      expect(said).not.toMatch(/Usage|Options|Commands|Arguments|default:|choices:|display help/);
    const english = await nashra(['sources', 'add', '--help']);
    expect(english.stdout).toMatch(/^Usage: nashra sources add \[options\] <url>\n/);
    expect(english.stdout).toContain('\nOptions:\n');
    expect(english.stdout).toContain('(default: "10m")');
    expect(english.stdout).toMatch(/ {2}-h, --help +display help for command\n/);
  });

  it("says commander's refusals in Arabic, and in English as before", async () => {
    const cases: Array<[string[], string, string]> = [
      [['subs', 'add', '--bogus'], "unknown option '--bogus'", "خيار غير معروف '--bogus'"],
      [['sorces'], "unknown command 'sorces' (Did you mean sources?)", "أمر غير معروف 'sorces' (هل تقصد sources؟)"],
      [['subs', 'add'], "missing required argument 'platform'", "ينقص الوسيط المطلوب 'platform'"],
      [
        ['latest', '1', '2'],
        "too many arguments for 'latest'. Expected 1 argument but got 2.",
        'وسائط أكثر مما يأخذ الأمر: يأخذ 1 وأُعطي 2',
      ],
      [
        ['sources', 'add', 'https://example.com/feed', '--interval'],
        "option '--interval <every>' argument missing",
        "ينقص الخيار '--interval <every>' قيمتُه",
      ],
      [
        ['sources', 'remove', '0x10'],
        "command-argument value '0x10' is invalid for argument 'id'. must be a whole number from 1 to 9007199254740991, not \"0x10\"",
        'قيمة الوسيط \'id\' مرفوضة: يجب أن يكون عددًا صحيحًا من 1 إلى 9007199254740991، لا "0x10"',
      ],
      [
        ['subs', 'remove', '1e3'],
        "command-argument value '1e3' is invalid for argument 'id'. must be a whole number from 1 to 9007199254740991, not \"1e3\"",
        'قيمة الوسيط \'id\' مرفوضة: يجب أن يكون عددًا صحيحًا من 1 إلى 9007199254740991، لا "1e3"',
      ],
      [
        ['latest', '99'],
        "command-argument value '99' is invalid for argument 'n'. must be a whole number from 1 to 50, not \"99\"",
        'قيمة الوسيط \'n\' مرفوضة: يجب أن يكون عددًا صحيحًا من 1 إلى 50، لا "99"',
      ],
    ];
    for (const [args, english, arabic] of cases) {
      const en = await nashra(args);
      expect([en.code, en.stderr], args.join(' ')).toEqual([1, `nashra: ${english}\n`]);
      const ar = await nashra(args, ARABIC);
      expect([ar.code, ar.stderr], args.join(' ')).toEqual([1, `nashra: ${arabic}\n`]);
    }
  });
});

describe("the database that cannot be used, in the CLI's language", () => {
  it.skipIf(onPostgres())(
    'a file that is not a database: one line naming it and what to do, exit 74 (EX_IOERR)',
    async () => {
      const path = join(tmp.dir, 'not-a-database.db');
      writeFileSync(path, 'this is a text file, not SQLite\n'.repeat(200));
      const env = { DATABASE_PATH: path };
      const en = await runCliInProcess(['stats'], { env });
      expect([en.code, en.stderr]).toEqual([
        74,
        `nashra: the database ${path} is damaged (SQLITE_NOTADB: file is not a database); stop, and restore it from a backup (README, Backup and restore)\n`,
      ]);
      const ar = await runCliInProcess(['stats'], { env: { ...env, ...ARABIC } });
      expect([ar.code, ar.stderr]).toEqual([
        74,
        `nashra: قاعدة البيانات ${path} تالفة (SQLITE_NOTADB: file is not a database)؛ توقّف واستعِدها من نسخة احتياطية (README، Backup and restore)\n`,
      ]);
    },
  );
});
