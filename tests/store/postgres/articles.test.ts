/**
 * Issue 24 §1, the articles slice: the ports `articles`, `articleWrites`, `reviews`, `reads`, `revisions` and
 * `broadcasts` answer the same on SQLite and PostgreSQL, the same assertions run on each. Rows other slices' ports
 * write (subscriptions, jobs, the audit log) are put in place with plain SQL on each database.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Article, StoredArticle } from '../../../src/model/article.js';
import { storeArticle, type StoreOptions } from '../../../src/newsroom/pipeline.js';
import type { DataPorts, Repositories } from '../../../src/ports/index.js';
import { openPostgres } from '../../../src/store/postgres/database.js';
import { STORY_WINDOW_MS } from '../../../src/store/articles.js';
import { queryStems, STEMMER_VERSION } from '../../../src/text/stem.js';
import { adapters, freshPostgresDatabase } from '../../helpers/postgres.js';
import { freshStore } from '../../helpers/store.js';

/** The ports, and a way to put rows of other slices' tables in place (`?` placeholders). */
interface Opened extends DataPorts {
  insert(table: string, row: Record<string, unknown>): Promise<number>;
}

const withRows: Record<'sqlite' | 'postgres', () => Promise<Opened>> = {
  sqlite: async () => {
    const store = freshStore();
    const ports = store.ports();
    // A second connection to the file, as the other slices' writers would be.
    const db = new Database(store.path);
    onTestFinished(() => {
      db.close();
    });
    return {
      repos: ports.repos,
      uow: ports.uow,
      insert: async (table, row) => {
        const columns = Object.keys(row);
        return Number(
          db
            .prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
            .run(...Object.values(row)).lastInsertRowid,
        );
      },
    } as Opened;
  },
  postgres: async () => {
    const url = await freshPostgresDatabase();
    const ports = await openPostgres(url);
    const client = new pg.Client(url);
    await client.connect();
    onTestFinished(async () => {
      await client.end();
      await ports.close();
    });
    return {
      repos: ports.repos,
      uow: ports.uow,
      insert: async (table, row) => {
        const columns = Object.keys(row);
        const { rows } = await client.query<{ id: number }>(
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
          Object.values(row),
        );
        return Number(rows[0]!.id);
      },
    } as Opened;
  },
};

const cases = adapters().map((a) => ({ name: a.name, open: withRows[a.name] }));
const onPostgres = cases.filter((c) => c.name === 'postgres');

let n = 0;
const article = (title: string, paragraphs: string[], over: Partial<Article> = {}): Article => ({
  url: `https://example.com/a/${++n}`,
  title,
  source: 'مثال',
  paragraphs,
  categories: [],
  language: 'ar',
  ...over,
});

async function put(data: DataPorts, a: Article, opts: StoreOptions = {}): Promise<StoredArticle> {
  const r = await data.uow.run((tx) => storeArticle(tx, a, opts));
  if (r.status !== 'new') throw new Error(`duplicate of ${r.existing.id}`);
  return r.article;
}

const HOSTILE = ['O\'Brien "quoted"', "'); DROP TABLE articles; --", 'الرقّة 🇸🇾 👍🏽', '\\ backslash % _ $1 @name ?'];

const HOUTHI_BODY = [
  'عقد مجلس الأمن جلسة طارئة مساء أمس لبحث أمن الملاحة في البحر الأحمر بعد هجمات متكررة على السفن التجارية.',
  'ومن المتوقع أن يصوت مجلس الأمن على مشروع القرار الأسبوع المقبل.',
  'وكان متحدث باسم الحوثيين قد رفض التعليق في بيروت.',
];

const search = (repos: Repositories, q: string, limit = 5) =>
  repos.reads.search(queryStems(q), limit).then((as) => as.map((a) => a.id));

describe.each(cases)('articles on $name', ({ open }) => {
  it('stores an article as it came, finds it by id, URL and GUID, and says which duplicate a new item is', async () => {
    const data = await open();
    const { repos } = data;
    const now = 1_800_000_000_000;
    const stored = await put(
      data,
      article(HOSTILE[1]!, [HOSTILE[0]!, HOSTILE[2]!], {
        guid: 'g-1',
        author: HOSTILE[3],
        categories: ['سياسة', "it's"],
      }),
      { now },
    );
    expect(stored).toMatchObject({
      title: HOSTILE[1],
      paragraphs: [HOSTILE[0], HOSTILE[2]],
      author: HOSTILE[3],
      guid: 'g-1',
      revision: 1,
      seenOnly: false,
      urgent: false,
    });
    expect(stored.createdAt).toEqual(new Date(now));
    expect(await repos.articles.get(stored.id)).toEqual(stored);
    expect(await repos.articles.get(stored.id + 100)).toBeUndefined();
    expect(await repos.articles.getByUrl(stored.url!)).toEqual(stored);
    expect(await repos.articles.getByUrl('https://example.com/none')).toBeUndefined();
    expect((await repos.articles.known(undefined, 'g-1'))?.id).toBe(stored.id);
    expect((await repos.articles.known(stored.url, undefined))?.id).toBe(stored.id);
    expect(await repos.articles.known('https://example.com/other', 'g-2')).toBeUndefined();

    const keys = { storyKey: 'story', contentHash: 'hash' };
    expect(await repos.articleWrites.findDuplicate({ url: stored.url, guid: 'x', ...keys }, now)).toEqual({
      articleId: stored.id,
      reason: 'url',
    });
    expect(await repos.articleWrites.findDuplicate({ url: 'https://x.example/', guid: 'g-1', ...keys }, now)).toEqual({
      articleId: stored.id,
      reason: 'guid',
    });
    // The same story or text counts within the window only.
    const again = await put(data, article('خبر آخر عن الملاحة', ['نص مختلف تماما عن السابق في كل شيء.']), {
      now: now + 1000,
    });
    const dup = await repos.articleWrites.findDuplicate({ url: 'https://y.example/', ...keys }, now);
    expect(dup).toBeUndefined();
    const copy = article(again.title, again.paragraphs);
    const seen = await data.uow.run((tx) => storeArticle(tx, copy, { now: now + 2000 }));
    expect(seen).toMatchObject({ status: 'duplicate', match: { articleId: again.id, reason: 'story' } });
    const late = await data.uow.run((tx) =>
      storeArticle(tx, article(again.title, again.paragraphs), { now: now + 1000 + STORY_WINDOW_MS + 1 }),
    );
    expect(late.status).toBe('new');
    await repos.articleWrites.recordDuplicate(
      { articleId: again.id, reason: 'story' },
      { url: HOSTILE[1], guid: HOSTILE[2] },
      now,
    );

    await repos.articles.setFeedHash(stored.id, 'feed-hash');
    expect((await repos.articles.get(stored.id))!.feedHash).toBe('feed-hash');
  });

  it("keeps the editor's version beside the original, and publishes a scheduled urgent alert at its time", async () => {
    const data = await open();
    const { repos } = data;
    const now = Date.now();
    const a = await put(data, article('العنوان الأصلي', ['فقرة أولى طويلة بما يكفي للملخص هنا.', 'فقرة ثانية.']), {
      now: now - 60_000,
    });
    expect(
      await repos.articleWrites.setEdit(
        a.id,
        { title: HOSTILE[0]!, summary: [HOSTILE[1]!], hashtags: ['#وسم'] },
        HOSTILE[2]!,
        now,
      ),
    ).toBe(true);
    expect(await repos.articleWrites.setEdit(a.id + 100, { title: 't', summary: [], hashtags: [] }, 'x', now)).toBe(
      false,
    );
    const edited = (await repos.articles.get(a.id))!;
    expect(edited).toMatchObject({
      title: HOSTILE[0],
      summary: [HOSTILE[1]],
      hashtags: ['#وسم'],
      edit: { by: HOSTILE[2], original: { title: 'العنوان الأصلي' } },
    });
    expect(edited.edit!.at).toEqual(new Date(now));

    const alert = await put(data, article('عاجل: نبأ', ['نص التنبيه العاجل هنا.'], { urgent: true, url: undefined }), {
      now: now - 30_000,
    });
    const later = await put(data, article('عاجل آخر', ['نص تنبيه مجدول لاحقا.'], { urgent: true, url: undefined }), {
      now: now - 20_000,
    });
    await repos.articleWrites.publishUrgentAt(later.id, now + 3_600_000);
    // Not an urgent alert: its date is not touched.
    await repos.articleWrites.publishUrgentAt(a.id, now + 3_600_000);
    expect((await repos.articles.get(a.id))!.publishedAt).toBeUndefined();
    // The fresh alert first, then by time; the scheduled one not before its time.
    expect((await repos.reads.latest(5, now)).map((x) => x.id)).toEqual([alert.id, a.id]);
    expect((await repos.reads.latest(5, now + 3_600_000)).map((x) => x.id)).toEqual([later.id, alert.id, a.id]);
    // Six hours on, an alert takes its place by time.
    expect((await repos.reads.latest(5, now + 7 * 3_600_000)).map((x) => x.id)).toEqual([later.id, alert.id, a.id]);
    expect((await repos.reads.latest(1, now)).map((x) => x.id)).toEqual([alert.id]);
  });

  it('a unit of work that fails stores nothing: no article, no search terms', async () => {
    const data = await open();
    await expect(
      data.uow.run(async (tx) => {
        await storeArticle(tx, article('مقال سيختفي عن الحوثيين', ['فقرة عن الحوثيين في البحر.']));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await data.repos.reads.latest(5, Date.now())).toEqual([]);
    expect(await search(data.repos, 'الحوثيون')).toEqual([]);
  });

  it('search finds inflected forms and clitics, every word must match, best match first', async () => {
    const data = await open();
    const { repos } = data;
    const a = await put(data, article('مجلس الأمن يبحث أمن الملاحة', HOUTHI_BODY));
    const gold = await put(
      data,
      article('أسعار الذهب ترتفع', ['ارتفعت أسعار الذهب في الأسواق العالمية اليوم.', 'وقال محللون إن الطلب يزداد.']),
    );
    for (const q of [
      'الحوثيون',
      'حوثيين',
      'للحوثي',
      'الحوثيين متحدث',
      'والمتحدث',
      'ببيروت',
      'بيروت',
      'الملاحه',
      'الأسواق',
    ]) {
      expect(await search(repos, q), q).toEqual(q === 'الأسواق' ? [gold.id] : [a.id]);
    }
    expect(await search(repos, 'الحوثيون الذهب')).toEqual([]);
    expect(await search(repos, 'في من')).toEqual([]);
    expect(await repos.reads.search([], 5)).toEqual([]);
    // Syntax of either engine is only words; quotes, SQL and emoji find nothing and break nothing.
    for (const q of ['NOT OR "AND" * ( :', HOSTILE[1]!, "O'Brien", '👍🏽', 'الحوثيون 👍🏽', '& | ! <-> :*']) {
      expect(await search(repos, q), q).toEqual([]);
    }
    const strong = await put(
      data,
      article('انتخابات البلدية في حلب', [
        'جرت الانتخابات البلدية في حلب.',
        'وشارك في الانتخابات آلاف الناخبين.',
        'ونتائج الانتخابات تعلن غداً.',
      ]),
    );
    const weak = await put(
      data,
      article('طقس بارد في الشمال', [
        'يسود طقس بارد في الشمال.',
        'وتأجلت الانتخابات الطلابية بسبب الثلج في جامعة بعيدة عن المدينة وعن مراكز المحافظة كلها.',
      ]),
    );
    expect(await search(repos, 'انتخابات')).toEqual([strong.id, weak.id]);
    expect(await search(repos, 'انتخابات', 1)).toEqual([strong.id]);
  });

  it('search reads a word of symbols as the index does: a phrase of its letters, or nothing', async () => {
    const data = await open();
    const a = await put(data, article('Covid+19 و c++ في التقرير', ['نص عن covid+19 و c++ في الأخبار اليوم.']));
    const b = await put(data, article('19 covid مقلوب', ['نص آخر فيه 19 ثم covid منفصلين.']));
    expect(await search(data.repos, 'covid+19')).toEqual([a.id]);
    expect((await search(data.repos, 'covid 19')).sort()).toEqual([a.id, b.id].sort());
    expect(await search(data.repos, 'c++')).toEqual([a.id]);
    // A NUL in the query (from the desk's search box) separates words, as it does in the text.
    expect(await data.repos.reads.search([['covid\u000019']], 5).then((r) => r.map((x) => x.id))).toEqual([a.id]);
  });

  it("a NUL in text becomes U+FFFD on both (PostgreSQL's TEXT cannot hold one), never a failure", async () => {
    const data = await open();
    const { repos } = data;
    const nul = (text: string) => text.replaceAll('\u0000', '\uFFFD');
    expect(await repos.articles.getByUrl('https://example.com/\u0000')).toBeUndefined();
    const a = await put(data, article('عنوان\u0000مخفي', ['فقرة\u0000أولى عن الحوثيين هنا.'], { author: 'x\u0000y' }));
    expect(await repos.articles.get(a.id)).toMatchObject({
      title: nul('عنوان\u0000مخفي'),
      author: nul('x\u0000y'),
      paragraphs: [nul('فقرة\u0000أولى عن الحوثيين هنا.')],
    });
    expect(await search(repos, 'الحوثيون')).toEqual([a.id]);
    expect(await repos.reads.audit({ actor: 'a\u0000', limit: 5 })).toEqual([]);
    await repos.reviews.open(a.id, 1);
    expect(await repos.reviews.decide(a.id, 'published', { platform: 'desk', id: 'mo\u0000na' }, 2)).toBe(true);
    expect((await repos.reviews.get(a.id))!.decidedBy).toEqual({ platform: 'desk', id: nul('mo\u0000na') });
    const b = await repos.broadcasts.create(
      { articleId: a.id, platform: 'desk', editorId: '\u0000', urgent: false, audience: { kind: 'all' }, paid: false },
      3,
    );
    expect(b.editorId).toBe(nul('\u0000'));
  });

  it('search and /latest leave out what waits for review, until it is published', async () => {
    const data = await open();
    const { repos } = data;
    const a = await put(data, article('خبر عن الحوثيين', ['متحدث باسم الحوثيين يتكلم.']));
    await repos.reviews.open(a.id, 1);
    expect(await search(repos, 'الحوثيون')).toEqual([]);
    expect(await repos.reads.latest(5, Date.now())).toEqual([]);
    expect(await repos.reviews.decide(a.id, 'published', { platform: 'cli', id: 'cli' }, 2)).toBe(true);
    expect(await search(repos, 'الحوثيون')).toEqual([a.id]);
    expect((await repos.reads.latest(5, Date.now())).map((x) => x.id)).toEqual([a.id]);
  });
});

describe.each(cases)("the desk's reads on $name", ({ open }) => {
  it('Today filters by source, topic, backlog, search and delivery state, paged by (recency, id)', async () => {
    const data = await open();
    const { repos } = data;
    const day = 86_400_000;
    const t0 = 20_000 * day;
    const source = await repos.sources.add({ url: 'https://feed.example/rss', kind: 'rss', name: 'مصدر' }, t0);
    const a = await put(
      data,
      article('الحكومة تعلن موازنة', ['أعلنت الحكومة موازنة جديدة للعام المقبل.'], { categories: ['اقتصاد', "it's"] }),
      { now: t0, sourceId: source.id },
    );
    const b = await put(
      data,
      article('انتخابات في حلب', ['جرت الانتخابات في حلب اليوم بهدوء.'], { categories: ['سياسة'] }),
      { now: t0 + 1000 },
    );
    const c = await put(
      data,
      article('أرشيف قديم عن الحكومة', ['نص من أرشيف المصدر عن الحكومة.'], { categories: ['اقتصاد'] }),
      { now: t0 + 1000, seenOnly: true, sourceId: source.id },
    );
    const ids = (as: StoredArticle[]) => as.map((x) => x.id);
    expect(ids(await repos.reads.today({ limit: 10 }))).toEqual([c.id, b.id, a.id]);
    expect(ids(await repos.reads.today({ limit: 10, sourceId: source.id }))).toEqual([c.id, a.id]);
    expect(ids(await repos.reads.today({ limit: 10, backlog: true }))).toEqual([c.id]);
    expect(ids(await repos.reads.today({ limit: 10, backlog: false }))).toEqual([b.id, a.id]);
    expect(ids(await repos.reads.today({ limit: 10, topic: 'اقتصاد' }))).toEqual([c.id, a.id]);
    expect(ids(await repos.reads.today({ limit: 10, topic: "it's" }))).toEqual([a.id]);
    expect(ids(await repos.reads.today({ limit: 10, topic: HOSTILE[1] }))).toEqual([]);
    expect(ids(await repos.reads.today({ limit: 10, stems: queryStems('حكومة') }))).toEqual([c.id, a.id]);
    expect(ids(await repos.reads.today({ limit: 10, stems: queryStems('حكومة 👍') }))).toEqual([]);
    expect(ids(await repos.reads.today({ limit: 10, stems: [] }))).toEqual([c.id, b.id, a.id]);
    expect(ids(await repos.reads.today({ limit: 2 }))).toEqual([c.id, b.id]);
    expect(ids(await repos.reads.today({ limit: 2, before: { at: t0 + 1000, id: b.id } }))).toEqual([a.id]);
    // Delivery states: a post sent for b, none for the others.
    const sub = await data.insert('subscriptions', {
      platform: 'telegram',
      chat_id: '-100',
      kind: 'channel',
      topics: '[]',
      active: 1,
      active_since: 0,
      created_at: 0,
    });
    await data.insert('jobs', {
      kind: 'post',
      platform: 'telegram',
      subscription_id: sub,
      article_id: b.id,
      state: 'sent',
      queued_at: t0,
    });
    expect(ids(await repos.reads.today({ limit: 10, state: 'sent' }))).toEqual([b.id]);
    expect(ids(await repos.reads.today({ limit: 10, state: 'none' }))).toEqual([c.id, a.id]);
    expect(ids(await repos.reads.today({ limit: 10, state: 'failed' }))).toEqual([]);

    expect(await repos.reads.recentCategories(t0, 10)).toEqual(['اقتصاد', "it's", 'سياسة']);
    expect(await repos.reads.recentCategories(t0 + 1, 1)).toEqual(['اقتصاد']);
    expect(await repos.reads.recentCategories(t0 + day, 10)).toEqual([]);
    expect(await repos.reads.articlesPerDay(t0)).toEqual([{ source: 'مثال', day: 20_000, count: 2 }]);
    expect(await repos.reads.articlesPerDay(t0 + day)).toEqual([]);
  });

  it("the topic filter counts the newest articles' hashtags, the editor's where there is one", async () => {
    const data = await open();
    const { repos } = data;
    expect(await repos.reads.recentTopics()).toEqual([]);
    const one = await put(data, article('الحكومة السورية تعلن', ['أعلنت الحكومة السورية في دمشق قرارا جديدا اليوم.']));
    const two = await put(data, article('دمشق تستضيف مؤتمرا', ['تستضيف دمشق مؤتمرا عن الاقتصاد السوري هذا الأسبوع.']));
    await put(data, article('أرشيف', ['نص من أرشيف المصدر لا يحسب.']), { seenOnly: true });
    await repos.articleWrites.setEdit(
      one.id,
      { title: one.title, summary: one.summary, hashtags: ['#زد', '#أ', "#it's"] },
      'mona',
      1,
    );
    await repos.articleWrites.setEdit(
      two.id,
      { title: two.title, summary: two.summary, hashtags: ['#أ', '#B'] },
      'mona',
      1,
    );
    // The most used first, then in byte order (SQLite's).
    expect(await repos.reads.recentTopics()).toEqual(['#أ', '#B', "#it's", '#زد']);
  });

  it("lists subscriptions, platforms, an article's broadcasts and the audit log", async () => {
    const data = await open();
    const { repos } = data;
    expect(await repos.reads.findSubscriptions({ limit: 10 })).toEqual([]);
    expect(await repos.reads.subscribedPlatforms()).toEqual([]);
    const sub = (platform: string, chat: string, kind: string, active: number) =>
      data.insert('subscriptions', {
        platform,
        chat_id: chat,
        kind,
        title: HOSTILE[0],
        topics: '[]',
        active,
        active_since: 0,
        created_at: 0,
      });
    const s1 = await sub('whatsapp', 'g1', 'group', 1);
    const s2 = await sub('telegram', '-1', 'channel', 0);
    const s3 = await sub('telegram', '-2', 'channel', 1);
    const ids = (xs: Array<{ id: number }>) => xs.map((x) => x.id);
    expect(ids(await repos.reads.findSubscriptions({ limit: 10 }))).toEqual([s3, s1, s2]);
    expect(ids(await repos.reads.findSubscriptions({ platform: 'telegram', limit: 10 }))).toEqual([s3, s2]);
    expect(ids(await repos.reads.findSubscriptions({ active: false, limit: 10 }))).toEqual([s2]);
    expect(ids(await repos.reads.findSubscriptions({ kind: 'group', active: true, limit: 10 }))).toEqual([s1]);
    expect(ids(await repos.reads.findSubscriptions({ platform: HOSTILE[1], limit: 10 }))).toEqual([]);
    expect((await repos.reads.findSubscriptions({ limit: 1 }))[0]).toMatchObject({
      id: s3,
      title: HOSTILE[0],
      active: true,
    });
    expect(await repos.reads.subscribedPlatforms()).toEqual(['telegram', 'whatsapp']);

    const a = await put(data, article('خبر للبث', ['نص الخبر للبث إلى الجميع.']));
    expect(await repos.reads.broadcastsOfArticle(a.id)).toEqual([]);
    const b1 = await repos.broadcasts.create(
      {
        articleId: a.id,
        platform: 'cli',
        editorId: HOSTILE[1]!,
        urgent: false,
        audience: { kind: 'all' },
        paid: false,
      },
      1000,
    );
    const b2 = await repos.broadcasts.create(
      { articleId: a.id, platform: 'desk', editorId: 'mona', urgent: true, audience: { kind: 'matching' }, paid: true },
      2000,
    );
    expect(await repos.reads.broadcastsOfArticle(a.id)).toEqual([
      { id: b2.id, state: 'preview', editorId: 'mona', platform: 'desk', urgent: true, createdAt: new Date(2000) },
      { id: b1.id, state: 'preview', editorId: HOSTILE[1], platform: 'cli', urgent: false, createdAt: new Date(1000) },
    ]);

    expect(await repos.reads.audit({ limit: 10 })).toEqual([]);
    expect(await repos.reads.auditChoices()).toEqual({ actors: [], actions: [] });
    const entry = (actor: string, action: string, at: number) =>
      data.insert('audit_log', { at, platform: 'desk', actor, action, detail: JSON.stringify({ note: HOSTILE[2] }) });
    const e1 = await entry('mona', 'broadcast.confirm', 1);
    const e2 = await entry('Zaid', 'subscription.add', 2);
    const e3 = await entry('mona', 'subscription.add', 3);
    expect(ids(await repos.reads.audit({ limit: 10 }))).toEqual([e3, e2, e1]);
    expect(ids(await repos.reads.audit({ actor: 'mona', limit: 10 }))).toEqual([e3, e1]);
    expect(ids(await repos.reads.audit({ action: 'subscription.add', beforeId: e3, limit: 10 }))).toEqual([e2]);
    expect(ids(await repos.reads.audit({ actor: HOSTILE[1], limit: 10 }))).toEqual([]);
    expect((await repos.reads.audit({ limit: 1 }))[0]).toEqual({
      id: e3,
      at: new Date(3),
      platform: 'desk',
      actor: 'mona',
      action: 'subscription.add',
      detail: { note: HOSTILE[2] },
    });
    // Byte order, as SQLite's: capitals before small letters.
    expect(await repos.reads.auditChoices()).toEqual({
      actors: ['Zaid', 'mona'],
      actions: ['broadcast.confirm', 'subscription.add'],
    });
  });
});

describe.each(cases)('reviews and revisions on $name', ({ open }) => {
  it('holds an article once, and the first decision is the only one', async () => {
    const data = await open();
    const { repos } = data;
    const a = await put(data, article('خبر ينتظر المحرر', ['نص الخبر الذي ينتظر قرار المحرر.']));
    const b = await put(data, article('خبر ثان ينتظر', ['نص الخبر الثاني الذي ينتظر أيضا.']));
    expect(await repos.reviews.get(a.id)).toBeUndefined();
    expect(await repos.reviews.pending(10)).toEqual([]);
    await repos.reviews.open(b.id, 100);
    await repos.reviews.open(a.id, 100);
    const held = (await repos.reviews.get(a.id))!;
    expect(held).toMatchObject({ articleId: a.id, state: 'pending', createdAt: new Date(100) });
    expect(held.token).toMatch(/^[0-9a-f]{16}$/);
    await repos.reviews.open(a.id, 200);
    expect(await repos.reviews.get(a.id)).toEqual(held);
    // Oldest first, then by article.
    expect((await repos.reviews.pending(10)).map((r) => r.articleId)).toEqual([a.id, b.id]);
    expect((await repos.reviews.pending(1)).map((r) => r.articleId)).toEqual([a.id]);
    await repos.reviews.markAsked(a.id, 300);
    await repos.reviews.markAsked(a.id, 400);
    expect((await repos.reviews.get(a.id))!.askedAt).toEqual(new Date(300));
    expect((await repos.reviews.unasked(10)).map((r) => r.articleId)).toEqual([b.id]);

    const by = { platform: 'telegram', id: HOSTILE[1]! };
    expect(await repos.reviews.decide(a.id, 'published', by, 500)).toBe(true);
    expect(await repos.reviews.decide(a.id, 'dismissed', { platform: 'cli', id: 'cli' }, 600)).toBe(false);
    expect(await repos.reviews.decide(a.id + 100, 'dismissed', by, 600)).toBe(false);
    await repos.reviews.setQueued(a.id, 7);
    expect(await repos.reviews.get(a.id)).toMatchObject({
      state: 'published',
      decidedBy: by,
      decidedAt: new Date(500),
      queued: 7,
    });
    expect((await repos.reviews.pending(10)).map((r) => r.articleId)).toEqual([b.id]);

    expect(await repos.reviews.copies(a.id, 'telegram')).toEqual([]);
    const copy = { articleId: a.id, platform: 'telegram', chatId: HOSTILE[0]!, messageId: '42', captioned: true };
    await repos.reviews.addCopy(copy);
    await repos.reviews.addCopy(copy);
    await repos.reviews.addCopy({ ...copy, chatId: '7', messageId: HOSTILE[2]!, captioned: false });
    await repos.reviews.addCopy({ ...copy, platform: 'whatsapp' });
    expect(await repos.reviews.copies(a.id, 'telegram')).toEqual([
      copy,
      { ...copy, chatId: '7', messageId: HOSTILE[2], captioned: false },
    ]);
  });

  it("a draft is applied or cancelled once; a source's revision is applied at once", async () => {
    const data = await open();
    const { repos } = data;
    const a = await put(data, article('عنوان', ['نص المقال الأول هنا.']));
    const draft = await repos.revisions.add(
      {
        articleId: a.id,
        origin: 'editor',
        title: HOSTILE[1]!,
        summary: [HOSTILE[2]!],
        hashtags: ['#وسم'],
        previousTitle: "O'Brien",
        previousSummary: ['قديم'],
        author: 'mona',
      },
      1000,
    );
    expect(draft).toMatchObject({
      articleId: a.id,
      origin: 'editor',
      state: 'draft',
      title: HOSTILE[1],
      summary: [HOSTILE[2]],
      hashtags: ['#وسم'],
      previousTitle: "O'Brien",
      previousSummary: ['قديم'],
      author: 'mona',
      createdAt: new Date(1000),
    });
    expect(draft.revision).toBeUndefined();
    expect(draft.appliedAt).toBeUndefined();
    expect(await repos.revisions.get(draft.id)).toEqual(draft);
    expect(await repos.revisions.get(draft.id + 100)).toBeUndefined();
    expect(await repos.revisions.apply(draft.id, 1, 2000)).toBe(true);
    expect(await repos.revisions.apply(draft.id, 2, 3000)).toBe(false);
    expect(await repos.revisions.cancel(draft.id)).toBe(false);
    expect(await repos.revisions.get(draft.id)).toMatchObject({
      state: 'applied',
      revision: 1,
      appliedAt: new Date(2000),
    });
    const other = await repos.revisions.add(
      {
        articleId: a.id,
        origin: 'editor',
        title: 't',
        summary: [],
        hashtags: [],
        previousTitle: 'p',
        previousSummary: [],
      },
      4000,
    );
    expect(await repos.revisions.cancel(other.id)).toBe(true);
    expect(await repos.revisions.apply(other.id, 2, 5000)).toBe(false);
    expect((await repos.revisions.get(other.id))!.state).toBe('cancelled');
    const source = await repos.revisions.add(
      {
        articleId: a.id,
        origin: 'source',
        revision: 2,
        title: 't2',
        summary: ['s'],
        hashtags: [],
        previousTitle: 't',
        previousSummary: [],
      },
      6000,
    );
    expect(source).toMatchObject({ state: 'applied', revision: 2, appliedAt: new Date(6000) });
    // One revision number per article.
    await expect(
      repos.revisions.add(
        {
          articleId: a.id,
          origin: 'source',
          revision: 2,
          title: 't3',
          summary: [],
          hashtags: [],
          previousTitle: 't2',
          previousSummary: [],
        },
        7000,
      ),
    ).rejects.toThrow();
  });
});

describe.each(cases)('broadcasts on $name', ({ open }) => {
  it('moves through its states once each, paid only in preview, with its progress', async () => {
    const data = await open();
    const { repos } = data;
    const a = await put(data, article('خبر للبث', ['نص الخبر للبث إلى الجميع.']));
    const audience = { kind: 'chats' as const, subscriptionIds: [3, 1] };
    const b = await repos.broadcasts.create(
      { articleId: a.id, platform: 'telegram', editorId: HOSTILE[0]!, urgent: true, audience, paid: false },
      1000,
    );
    expect(b).toMatchObject({
      articleId: a.id,
      platform: 'telegram',
      editorId: HOSTILE[0],
      state: 'preview',
      urgent: true,
      audience,
      paid: false,
      createdAt: new Date(1000),
    });
    expect(b.token).toMatch(/^[0-9a-f]{16}$/);
    expect(await repos.broadcasts.get(b.id)).toEqual(b);
    expect(await repos.broadcasts.get(b.id + 100)).toBeUndefined();
    expect(await repos.broadcasts.setPaid(b.id, true)).toBe(true);
    expect((await repos.broadcasts.get(b.id))!.paid).toBe(true);
    expect(await repos.broadcasts.transition(b.id, 'preview', 'queued', 2000)).toBe(true);
    expect(await repos.broadcasts.transition(b.id, 'preview', 'cancelled', 2000)).toBe(false);
    expect(await repos.broadcasts.setPaid(b.id, false)).toBe(false);
    await repos.broadcasts.setProgressMessage(b.id, HOSTILE[1]!, '99');
    expect(await repos.broadcasts.get(b.id)).toMatchObject({
      state: 'queued',
      paid: true,
      progressChat: HOSTILE[1],
      progressMessage: '99',
    });

    expect(await repos.broadcasts.progress(b.id)).toEqual({
      queued: 0,
      held: 0,
      sending: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      in_doubt: 0,
    });
    const post = async (chat: string, state: string) => {
      const sub = await data.insert('subscriptions', {
        platform: 'telegram',
        chat_id: chat,
        kind: 'channel',
        topics: '[]',
        active: 1,
        active_since: 0,
        created_at: 0,
      });
      return data.insert('jobs', {
        kind: 'post',
        platform: 'telegram',
        subscription_id: sub,
        article_id: a.id,
        broadcast_id: b.id,
        state,
        queued_at: 1,
      });
    };
    await post('1', 'queued');
    await post('2', 'queued');
    await post('3', 'sent');
    await post('4', 'sending');
    expect(await repos.broadcasts.stop(b.id, 3000)).toBe(2);
    expect(await repos.broadcasts.stop(b.id, 3000)).toBe(0);
    expect(await repos.broadcasts.progress(b.id)).toEqual({
      queued: 0,
      held: 0,
      sending: 1,
      sent: 1,
      failed: 0,
      skipped: 2,
      in_doubt: 0,
    });
  });

  it('a scheduled broadcast is moved or cancelled, with its posts, only before its time', async () => {
    const data = await open();
    const { repos } = data;
    const now = 1_000_000;
    const a = await put(data, article(HOSTILE[1]!, ['نص الخبر المجدول للبث لاحقا.']));
    const schedule = async (at: number) => {
      const b = await repos.broadcasts.create(
        { articleId: a.id, platform: 'cli', editorId: 'cli', urgent: false, audience: { kind: 'all' }, paid: false },
        now,
      );
      await repos.broadcasts.transition(b.id, 'preview', 'queued', now);
      await repos.broadcasts.setSendAt(b.id, at);
      return b;
    };
    const sub = (chat: string) =>
      data.insert('subscriptions', {
        platform: 'telegram',
        chat_id: chat,
        kind: 'channel',
        topics: '[]',
        active: 1,
        active_since: 0,
        created_at: 0,
      });
    const job = async (broadcastId: number, chat: string, state: string, at: number) =>
      data.insert('jobs', {
        kind: 'post',
        platform: 'telegram',
        subscription_id: await sub(chat),
        article_id: a.id,
        broadcast_id: broadcastId,
        state,
        queued_at: at,
        not_before: at,
      });
    expect(await repos.broadcasts.scheduled(now)).toEqual([]);
    const late = await schedule(now + 7200_000);
    const soon = await schedule(now + 3600_000);
    await job(soon.id, '1', 'queued', now + 3600_000);
    await job(soon.id, '2', 'held', now + 3600_000);
    await job(soon.id, '3', 'sent', now + 3600_000);
    const list = await repos.broadcasts.scheduled(now);
    expect(list.map((s) => [s.broadcast.id, s.posts, s.title])).toEqual([
      [soon.id, 2, HOSTILE[1]],
      [late.id, 0, HOSTILE[1]],
    ]);
    expect(list[0]!.broadcast.sendAt).toEqual(new Date(now + 3600_000));

    expect(await repos.broadcasts.reschedule(soon.id, now + 10_800_000, now)).toEqual({ moved: true, posts: 2 });
    expect((await repos.broadcasts.scheduled(now)).map((s) => s.broadcast.id)).toEqual([late.id, soon.id]);
    // Its time came: neither moved nor cancelled.
    expect(await repos.broadcasts.reschedule(soon.id, now + 20_000_000, now + 10_800_000)).toEqual({
      moved: false,
      posts: 0,
    });
    expect(await repos.broadcasts.unschedule(soon.id, 'late', now + 10_800_000)).toEqual({
      cancelled: false,
      skipped: 0,
    });
    expect(await repos.broadcasts.unschedule(soon.id, HOSTILE[1]!, now)).toEqual({ cancelled: true, skipped: 2 });
    expect(await repos.broadcasts.unschedule(soon.id, 'again', now)).toEqual({ cancelled: false, skipped: 0 });
    expect(await repos.broadcasts.progress(soon.id)).toMatchObject({ queued: 0, held: 0, sent: 1, skipped: 2 });
    expect((await repos.broadcasts.get(soon.id))!.state).toBe('cancelled');
    expect(await repos.broadcasts.reschedule(soon.id, now + 1, now)).toEqual({ moved: false, posts: 0 });

    await schedule(now + 1000);
    expect(await repos.broadcasts.unscheduleArticle(a.id, now)).toBe(2);
    expect(await repos.broadcasts.scheduled(now)).toEqual([]);
    expect(await repos.broadcasts.unscheduleArticle(a.id, now)).toBe(0);
  });

  it('a reschedule inside a unit that fails moves nothing', async () => {
    const data = await open();
    const { repos } = data;
    const a = await put(data, article('خبر', ['نص الخبر المجدول هنا.']));
    const b = await repos.broadcasts.create(
      { articleId: a.id, platform: 'cli', editorId: 'cli', urgent: false, audience: { kind: 'all' }, paid: false },
      1,
    );
    await repos.broadcasts.transition(b.id, 'preview', 'queued', 1);
    await repos.broadcasts.setSendAt(b.id, 5000);
    await expect(
      data.uow.run(async (tx) => {
        expect(await tx.broadcasts.reschedule(b.id, 9000, 2)).toEqual({ moved: true, posts: 0 });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect((await repos.broadcasts.get(b.id))!.sendAt).toEqual(new Date(5000));
  });
});

describe.each(onPostgres)('the search index on $name', ({ open: _open }) => {
  it("is rebuilt at open when its version is not the stemmer's (a database copied from SQLite has version 0 and no terms)", async () => {
    const url = await freshPostgresDatabase();
    const first = await openPostgres(url);
    const stored: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await first.uow.run((tx) =>
        storeArticle(tx, article(`مقال رقم ${i} عن الحوثيين`, [`متحدث باسم الحوثيين في بيروت يتكلم ${i}.`])),
      );
      if (r.status === 'new') stored.push(r.article.id);
    }
    await first.close();
    const client = new pg.Client(url);
    await client.connect();
    onTestFinished(async () => {
      await client.end();
    });
    await client.query('DELETE FROM article_terms');
    await client.query('UPDATE search_index SET version = 0');
    // Two processes opening at once: one rebuilds, the other finds it current (no term written twice).
    const [a, b] = await Promise.all([openPostgres(url), openPostgres(url)]);
    onTestFinished(async () => {
      await a.close();
      await b.close();
    });
    expect((await search(a.repos, 'الحوثيون')).sort()).toEqual(stored.sort());
    expect((await search(b.repos, 'ببيروت')).sort()).toEqual(stored.sort());
    const version = (await client.query<{ version: string }>('SELECT version FROM search_index')).rows[0]!.version;
    expect(Number(version)).toBe(STEMMER_VERSION);
    expect(Number((await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM article_terms')).rows[0]!.n)).toBe(3);
  });
});
