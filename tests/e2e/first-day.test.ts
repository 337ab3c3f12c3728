/**
 * What a newsroom runs into on its first day (issue 16), through the built CLI as an operator runs it:
 * the header mark (11), error wording (15), twice-escaped entities (16), binary input (17), dates and urgent
 * alerts in /latest (19), the demo's manners (20) and WhatsApp's topics line (21).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeArticleIn } from '../helpers/articles.js';
import { notTextReason } from '../../src/text/safety.js';
import { CLI, NODE_FLAGS, ROOT, runCliInProcess } from '../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { createDatabase, freshDatabase, type RawDatabase } from '../helpers/raw-db.js';
import { tempDir } from '../helpers/tmp.js';
import { CHILD_TOKEN, childEnv, spawnRun, until } from '../helpers/child-run.js';
import { FakeTelegram } from '../fake-telegram/server.js';
import { message, privateChat } from '../fake-telegram/harness.js';

/** The titles of every stored article, read from the database. */
const readTitles = async (db: RawDatabase): Promise<string[]> =>
  (await db.sql('SELECT title FROM articles ORDER BY id')).map((r) => r.title as string);

const FSI = '\u2068';
const PDI = '\u2069';
const ISOLATE = /[\u2068\u2069]/;

let tmp: ReturnType<typeof tempDir>;
let server: FeedServer;
beforeAll(async () => {
  tmp = tempDir();
  server = await startFeedServer({
    '/broken.xml': {
      body: '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title>\n<item><title>a</title></channel></rss>',
      contentType: 'application/rss+xml',
    },
    '/down.rss': { body: 'down', status: 503 },
  });
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

const file = (name: string, content: string | Buffer) => {
  const path = join(tmp.dir, name);
  writeFileSync(path, content);
  return path;
};

/** A user error: one line on stderr, exit 1, no stack. */
function expectOneLineError(r: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

describe('an article as a CMS exports it (items 11, 16, 19, 21)', () => {
  // Plain text as scraped: twice-escaped references, a URL inside a sentence, and no date anywhere.
  const ARTICLE = [
    'تحركات &quot;داعش&quot; في البادية السورية',
    '',
    'قالت مصادر محلية إن تنظيم &quot;داعش&quot; نفذ تحركات جديدة في البادية السورية خلال الأسبوع الماضي وفق تقرير منشور على https://example.com/report?id=7&lang=ar اليوم.',
    '',
    'وأضافت المصادر أن شركة R&amp;D للدراسات رصدت التحركات في ريف حمص الشرقي رغم الغارات الروسية المتكررة وكتبت &amp;amp; في بيانها.',
  ].join('\n');

  let p: Record<string, string>;
  beforeAll(async () => {
    const db = await createDatabase();
    const r = await runCliInProcess(['preview', file('cms.txt', ARTICLE), '--json'], {
      env: { ...db.env, NASHRA_HEADER_MARK: 'عاجل' },
    }).finally(() => db.close());
    expect(r.stderr).toBe('');
    p = JSON.parse(r.stdout);
  });

  it('prints the header mark exactly as the operator wrote it (no red dot added)', async () => {
    expect(p.plain!.split('\n')[0]).toBe('عاجل');
    expect(p.telegram!.split('\n')[0]).toBe('<b>عاجل</b>');
    const decorated = await runCliInProcess(['preview', file('cms2.txt', ARTICLE), '--platform', 'plain'], {
      env: { NASHRA_HEADER_MARK: '🔴 عاجل' },
    });
    expect(decorated.stdout.split('\n')[0]).toBe('🔴 عاجل');
  });

  it('decodes leftover references once more, and puts no isolate inside a reference or a URL', () => {
    for (const platform of ['plain', 'telegram', 'whatsapp']) {
      const text = p[platform]!;
      expect(text, platform).toContain('"داعش"');
      expect(text, platform).not.toMatch(/&(amp;)*quot;/);
      // No isolate mark inside what reads as a reference («&⁨amp⁩;» was the symptom).
      expect(text, platform).not.toMatch(/&[a-z#0-9]*[\u2068\u2069][a-z#0-9]*;/i);
    }
    expect(p.plain).toContain(`${FSI}R&D${PDI}`);
    // Escaped three times, one reference is left after decoding once more: isolated whole, not as «&⁨amp⁩;».
    expect(p.plain).toContain(`${FSI}&amp;${PDI} في بيانها`);
    expect(p.plain).toContain(`${FSI}https://example.com/report?id=7&lang=ar${PDI} اليوم`);
    expect(p.telegram).toContain(`${FSI}https://example.com/report?id=7&amp;lang=ar${PDI}`);
  });

  it('shows no time for an article without a date (not the time it was read, as if published)', () => {
    expect(p.publishedAt).toBeNull();
    const sourceLine = p.plain!.split('\n').find((l) => l.startsWith('المصدر:'))!;
    expect(sourceLine).toBeDefined();
    expect(sourceLine).not.toContain('·');
    expect(p.plain!.replace(ISOLATE, '')).not.toMatch(/\d\d:\d\d/);
  });

  it('writes topics as plain words on WhatsApp, without «#» or a full-width «＿»', () => {
    const last = p.whatsapp!.split('\n').at(-1)!;
    expect(last).not.toMatch(/[#＿_]/);
    expect(last).toContain(' · ');
    expect(p.whatsapp).not.toContain('＿');
    expect(p.telegram!.split('\n').at(-1)).toMatch(/#/); // Telegram keeps its hashtags
  });
});

describe('binary input (item 17)', () => {
  const random = () => randomBytes(3000);
  const pdf = () =>
    Buffer.concat([
      Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'),
      randomBytes(2000),
    ]);
  const png = () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);

  it('nashra preview refuses random bytes, a PDF and an image in one line', async () => {
    expectOneLineError(
      await runCliInProcess(['preview', file('random.bin', random())]),
      /random\.bin: not an article's text \(binary data: \d+% of it is control or undecodable characters/,
    );
    expectOneLineError(
      await runCliInProcess(['preview', file('report.pdf', pdf())]),
      /report\.pdf: not an article's text \(a PDF file\)/,
    );
    expectOneLineError(
      await runCliInProcess(['preview', file('photo.txt', png())]),
      /photo\.txt: not an article's text \(a PNG image\)/,
    );
  });

  it('names a JPEG by its header, and random bytes that merely start with invalid UTF-8 as binary data', () => {
    const jfif = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
      Buffer.from('JFIF\0', 'latin1'),
      randomBytes(2000),
    ]);
    const exif = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x1c, 0x45]),
      Buffer.from('Exif\0\0', 'latin1'),
      randomBytes(2000),
    ]);
    expect(notTextReason(jfif.toString('utf8'))).toBe('a JPEG image');
    expect(notTextReason(exif.toString('utf8'))).toBe('a JPEG image');
    for (let i = 0; i < 200; i++) {
      const noise = Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd, 0xff]), randomBytes(2000)]).toString('utf8');
      expect(notTextReason(noise)).toMatch(/^binary data: /);
    }
  });

  it('nashra ingest refuses it in one line and stores the text files given with it', async () => {
    const db = await freshDatabase();
    const good = file(
      'good.txt',
      'الحكومة تعلن خطة لدعم الاقتصاد\n\nأعلنت الحكومة في دمشق اليوم عن خطة جديدة لدعم الاقتصاد المحلي في عدة محافظات.',
    );
    const r = await runCliInProcess(['ingest', file('noise.bin', random()), good], { env: db.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\tnew\tالحكومة تعلن خطة/);
    expect(r.stderr).toMatch(/^nashra: .*noise\.bin: not an article's text \(binary data/);
    expect(await readTitles(db)).toEqual(['الحكومة تعلن خطة لدعم الاقتصاد']);
  });

  it('a feed item that is binary is skipped with a log line; the others are stored', async () => {
    const garbage = randomBytes(2000).toString('utf8');
    server.route('/mixed.json', {
      contentType: 'application/feed+json',
      body: JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'مختلط',
        items: [
          {
            id: '1',
            url: `${server.base}/a/1`,
            title: 'خبر عادي عن الاقتصاد',
            content_text: 'أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد المحلي في عدة محافظات سورية.',
            date_published: '2026-11-25T10:00:00Z',
          },
          {
            id: '2',
            url: `${server.base}/a/2`,
            title: garbage.slice(0, 80),
            content_text: garbage,
            date_published: '2026-11-25T11:00:00Z',
          },
        ],
      }),
    });
    const db = await freshDatabase();
    const r = await runCliInProcess(['sources', 'add', `${server.base}/mixed.json`, '--backfill', '5'], {
      env: { ...db.env, NASHRA_ALLOW_PRIVATE_FETCH: '1', LOG_LEVEL: 'info' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/feed item skipped .*reason="not text \(binary data/);
    expect(r.stderr, 'the binary title is not copied into the log').not.toMatch(/feed item skipped [^\n]*title=/);
    expect((await db.sql('SELECT url FROM articles')).map((r) => r.url)).toEqual([`${server.base}/a/1`]);
  });
});

describe('error wording (item 15)', () => {
  it('sources add on broken XML gives the XML error, as polling does, naming the URL once', async () => {
    const db = await freshDatabase();
    const url = `${server.base}/broken.xml`;
    const r = await runCliInProcess(['sources', 'add', url], { env: { ...db.env, NASHRA_ALLOW_PRIVATE_FETCH: '1' } });
    expectOneLineError(r, /malformed feed: XML error at line \d+: /);
    expect(r.stderr.split(url)).toHaveLength(2);
    const down = await runCliInProcess(['sources', 'add', `${server.base}/down.rss`], {
      env: { ...db.env, NASHRA_ALLOW_PRIVATE_FETCH: '1' },
    });
    expectOneLineError(down, /cannot add http:\/\/127\.0\.0\.1:\d+\/down\.rss: the server answered HTTP 503/);
    expect(down.stderr.split(`${server.base}/down.rss`)).toHaveLength(2);
  });
});

describe('/latest (item 19)', () => {
  it('puts an urgent alert first only while it is fresh (6 h); an older one takes its place by time', async () => {
    const db = await freshDatabase();
    const now = Date.now();
    const hours = (h: number) => now - h * 3600_000;
    const add = (url: string | undefined, title: string, at: number) =>
      storeArticleIn(
        db.ports,
        {
          ...(url ? { url } : { urgent: true }),
          title,
          source: 'SY24',
          language: 'ar',
          categories: [],
          publishedAt: new Date(at),
          paragraphs: [`${title}: أعلنت الجهات المختصة اليوم تفاصيل جديدة عن الحدث في عدة مناطق.`],
        },
        { now: at },
      );
    await add(undefined, 'عاجل قديم عن زلزال', hours(7));
    await add('https://example.com/a', 'خبر الصباح عن الاقتصاد', hours(2));
    await add(undefined, 'عاجل جديد عن انفجار', hours(1));
    await add('https://example.com/b', 'خبر الساعة عن الطقس', hours(0.2));
    const r = await runCliInProcess(['latest', '4'], { env: db.env });
    expect(r.code, r.stderr).toBe(0);
    const order = ['عاجل جديد', 'خبر الساعة', 'خبر الصباح', 'عاجل قديم'].map((t) => r.stdout.indexOf(t));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(r.stdout.split('\n').filter((l) => l === '🔴 عاجل')).toHaveLength(2);
  });
});

describe('the demo (item 20)', () => {
  it('a second npm start says the demo already ran and how to start over', async () => {
    const db = await freshDatabase();
    const first = await runCliInProcess(['run', '--once'], { env: db.env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Demo: 4 sample articles queued');
    const second = await runCliInProcess(['run', '--once'], { env: db.env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`The demo already ran on this database (${db.where})`);
    expect(second.stdout).toContain(
      db.name === 'postgres' ? 'point DATABASE_URL at a new, empty database' : `delete ${db.where}`,
    );
    expect(second.stdout).not.toContain('──── console');
  });

  it("leaves the newsroom once a real platform is configured: no sample in readers' /latest, the console target off, said in one line (issue 21, item 24)", async () => {
    const db = await freshDatabase();
    const demo = await runCliInProcess(['run', '--once'], { env: db.env });
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain('Demo: 4 sample articles queued');
    const samples = await readTitles(db);
    expect(samples).toHaveLength(4);
    // The newsroom's own first story, then the token (the README's order).
    const story = file(
      'first-story.txt',
      'افتتاح جسر جديد فوق نهر الفرات في دير الزور\n\nافتتحت السلطات المحلية في دير الزور اليوم جسراً جديداً فوق نهر الفرات بعد عامين من العمل. ' +
        'وقال مدير المشروع إن الجسر يختصر الطريق بين ضفتي النهر إلى عشر دقائق.\n\nويخدم الجسر أكثر من مئة ألف نسمة في القرى المجاورة، بحسب المجلس المحلي.',
    );
    expect((await runCliInProcess(['ingest', story], { env: db.env })).code).toBe(0);

    const fake = new FakeTelegram(CHILD_TOKEN, {
      globalPerSecond: 1000,
      perChatPerSecond: 50,
      perGroupPerMinute: 1000,
    });
    const apiRoot = await fake.start();
    const run = spawnRun(childEnv(apiRoot, db));
    try {
      await until(
        () => run.stdout.some((l) => l.startsWith('Demo ended')) || run.child.exitCode !== null,
        45_000,
        'the demo-ended line',
      );
      const said = run.stdout.filter((l) => l.startsWith('Demo ended'));
      expect(said, run.output()).toEqual([
        "Demo ended now that a platform is configured: its 4 sample articles and its console subscription are taken out of this newsroom (readers' /latest, the desk's Today).",
      ]);
      fake.pushUpdate(message(privateChat(4242), 4242, '/latest'));
      await until(() => fake.sentTo(4242).length > 0, 30_000, 'the /latest reply');
      const reply = fake
        .sentTo(4242)
        .map((c) => String(c.params.text ?? c.params.caption ?? ''))
        .join('\n');
      expect(reply).toContain('افتتاح جسر جديد فوق نهر الفرات');
      for (const title of samples) expect(reply).not.toContain(title);
      expect((await run.kill('SIGTERM')).code).toBe(0);
    } finally {
      await run.kill('SIGKILL');
      await fake.stop();
    }
    const [consoleSub] = await db.sql(
      "SELECT active, deactivated_reason FROM subscriptions WHERE platform = 'console'",
    );
    const left = (await db.sql('SELECT count(*) AS n FROM articles'))[0]!.n;
    expect(consoleSub).toEqual({ active: 0, deactivated_reason: 'the demo ended: a platform is configured' });
    expect(left).toBe(1);

    // Once: another start says nothing more, and the demo does not come back.
    const fake2 = new FakeTelegram(CHILD_TOKEN);
    const again = spawnRun(childEnv(await fake2.start(), db), ['--once']);
    const exit = await again.exited;
    await fake2.stop();
    expect(exit.code, again.output()).toBe(0);
    expect(again.stdout.filter((l) => l.startsWith('Demo'))).toEqual([]);
    // Three starts of `nashra run`: past 60 s on a 2-core machine running several suites.
  }, 150_000);

  it('prints every demo message before the log lines, never a log line between them', async () => {
    const db = await freshDatabase();
    const outPath = join(tmp.dir, 'demo-output.txt');
    // One file for stdout and stderr, as a terminal shows them: the order of the writes is the order read back.
    const fd = openSync(outPath, 'w');
    const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'run'], {
      cwd: ROOT,
      stdio: ['ignore', fd, fd],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...db.env },
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const deadline = Date.now() + 60_000;
    while (!readFileSync(outPath, 'utf8').includes('nashra is running') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = readFileSync(outPath, 'utf8').split('\n');
    const isLog = (l: string) => /^\d{4}-\d\d-\d\dT[\d:.]+Z (INFO|WARN|ERROR|DEBUG)/.test(l);
    const messageLines = lines.map((l, i) => (l.startsWith('──── console') ? i : -1)).filter((i) => i >= 0);
    expect(messageLines).toHaveLength(4);
    const lastMessageEnd = lines.findIndex((l, i) => i > messageLines.at(-1)! && isLog(l));
    expect(lines.slice(messageLines[0], lastMessageEnd).filter(isLog)).toEqual([]);
    expect(lines[lastMessageEnd]).toContain('nashra is running');
  }, 90_000);
});
