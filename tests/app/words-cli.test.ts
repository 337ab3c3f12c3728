/**
 * Issue 21, item 27: the CLI's words, as a user reads them (the built CLI, a child process). The backfill counts
 * articles and subscriptions apart; `subs add` and `subs list` say the same «(all news)»; `retract` counts «1 post»;
 * `broadcast` off a terminal says whom it would reach; a feed cut off says so in words; a one-paragraph text previews.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fake-telegram/server.js';
import { runCliInProcess } from '../helpers/cli.js';
import { CHILD_TOKEN, childEnv, prepareBroadcast } from '../helpers/child-run.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { freshDatabase, type RawDatabase } from '../helpers/raw-db.js';
import { tempDir } from '../helpers/tmp.js';

let tmp: ReturnType<typeof tempDir>;
let server: FeedServer;

const ATOM = (n: number) =>
  `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>أطلس</title><id>urn:atlas</id>` +
  `<updated>2026-12-01T10:00:00Z</updated>${Array.from(
    { length: n },
    (_, i) =>
      `<entry><title>خبر رقم ${i + 1} عن افتتاح مكتبة عامة جديدة في المدينة</title><id>urn:atlas:${i + 1}</id><link href="https://atlas.example/${i + 1}"/>` +
      `<updated>2026-12-01T0${i}:00:00Z</updated><content type="html">&lt;p&gt;افتتحت البلدية اليوم مكتبة عامة جديدة رقم ${i + 1} تضم آلاف الكتب، وقالت إنها تفتح أبوابها للجميع طوال الأسبوع.&lt;/p&gt;</content></entry>`,
  ).join('')}</feed>`;

beforeAll(async () => {
  tmp = tempDir('nashra-words-cli-');
  server = await startFeedServer({
    '/atom.xml': { body: ATOM(3), contentType: 'application/atom+xml' },
    // Cut off in transfer: <title>, <item>, <channel> and <rss> are never closed.
    '/cut.rss': {
      body: '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title>\n<item><title>خبر مقطوع',
      contentType: 'application/rss+xml',
    },
  });
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

const nashra = (db: RawDatabase, ...args: string[]) =>
  runCliInProcess(args, { env: { ...db.env, NASHRA_ALLOW_PRIVATE_FETCH: '1', NASHRA_FETCH_TIMEOUT_MS: '3000' } });

describe('CLI words (issue 21, item 27)', () => {
  it("sources add counts the backfill's articles and its subscriptions apart; subs add and subs list say the same «(all news)»", async () => {
    const db = await freshDatabase();
    const added = await nashra(db, 'subs', 'add', 'console', 'demo');
    expect(added.stdout.trim()).toBe('1\tconsole\tdemo\tprivate\t(all news)\tsubscribed');
    const listed = await nashra(db, 'subs', 'list');
    expect(listed.stdout.split('\n')[1]).toMatch(/^1\tconsole\tdemo\tprivate\t\(all news\)\tactive\t/);
    const r = await nashra(db, 'sources', 'add', `${server.base}/atom.xml`, '--backfill', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('; 1 existing item marked as seen, 2 queued as backfill for 1 subscription\n');
  });

  it("a feed cut off is said in words, not the XML parser's internals", async () => {
    const r = await nashra(await freshDatabase(), 'sources', 'add', `${server.base}/cut.rss`);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `nashra: cannot add ${server.base}/cut.rss: malformed feed: it ends inside <rss><channel><item><title>, never closed (the feed was cut off)`,
    );
  });

  it('preview reads a one-paragraph text file as an article; a lone headline is refused in words', async () => {
    const paragraph = join(tmp.dir, 'one.txt');
    writeFileSync(
      paragraph,
      'افتتحت بلدية حمص اليوم سوقاً شعبية جديدة تضم مئات المحال التجارية. وقال رئيس البلدية إن السوق توفر مئة فرصة عمل للشباب.\n',
    );
    const db = await freshDatabase();
    const r = await nashra(db, 'preview', paragraph, '--json');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { title: string; summary: string[] };
    expect(json.title).toBe('افتتحت بلدية حمص اليوم سوقاً شعبية جديدة تضم مئات المحال التجارية.');
    expect(json.summary.join(' ')).toContain('مئة فرصة عمل');
    const headline = join(tmp.dir, 'headline.txt');
    writeFileSync(headline, 'عنوان بلا نص\n');
    const h = await nashra(db, 'preview', headline);
    expect(h.code).toBe(1);
    expect(h.stderr.trim()).toBe(`nashra: ${headline}: not an article: only a headline: no article text under it`);
  });

  it('retract counts «1 post»; broadcast off a terminal says how many it would reach', async () => {
    const fake = new FakeTelegram(CHILD_TOKEN, {
      globalPerSecond: 1000,
      perChatPerSecond: 50,
      perGroupPerMinute: 1000,
    });
    const apiRoot = await fake.start();
    try {
      const db = await freshDatabase();
      await prepareBroadcast(db.ports, 1, 2);
      const env = childEnv(apiRoot, db);
      const cli = (...args: string[]) => runCliInProcess(args, { env });
      expect((await cli('run', '--once')).code).toBe(0);
      const retracted = await cli('retract', '1', '--yes');
      expect(retracted.code, retracted.stderr).toBe(0);
      expect(retracted.stdout).toContain(
        'article 1 retracted: 0 queued deliveries cancelled, 1 post queued for deletion',
      );

      expect((await cli('subs', 'add', 'telegram', '200001')).code).toBe(0);
      const broadcast = await cli('broadcast', '2');
      expect(broadcast.code).toBe(1);
      expect(broadcast.stdout.trimEnd().split('\n').at(-1)).toBe(
        'this would be queued for 1 subscription; 1 already has it',
      );
      expect(broadcast.stderr.trim()).toBe('nashra: no terminal to confirm on: add --yes to queue without asking');
    } finally {
      await fake.stop();
    }
  }, 90_000);
});
