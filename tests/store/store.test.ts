import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/index.js';
import { queueAudienceIn, routeArticleIn, storeArticleIn } from '../helpers/articles.js';
import { matchesTopics, parseTopicFilter } from '../../src/newsroom/topics.js';
import type { Article } from '../../src/model/article.js';
import { freshStore } from '../helpers/store.js';

const article = (over: Partial<Article> = {}): Article => ({
  url: 'https://example.org/news/1',
  title: 'انطلاق معرض الكتاب في دمشق',
  source: 'SY24',
  paragraphs: [
    'افتتح معرض الكتاب في دمشق أبوابه أمس بمشاركة مئات دور النشر العربية.',
    'وقال المنظمون إن المعرض يستمر عشرة أيام ويضم أكثر من مئة ألف عنوان.',
  ],
  categories: ['ثقافة'],
  language: 'ar',
  ...over,
});

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

describe('store', () => {
  it('creates the schema from an empty file, with WAL and foreign keys on', () => {
    const store = freshStore('nested/nashra.db');
    const { path } = store;
    expect(store.schemaVersion()).toBeGreaterThanOrEqual(1);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    raw.close();
    expect(tables).toEqual(
      expect.arrayContaining([
        'sources',
        'articles',
        'subscriptions',
        'jobs',
        'editors',
        'audit_log',
        'leases',
        'broadcasts',
      ]),
    );
  });

  it('queuing the same broadcast twice leaves one delivery per chat', async () => {
    const store = freshStore('nested/nashra.db');
    const a = await storeArticleIn(store, article());
    if (a.status !== 'new') throw new Error('expected new');
    store.subscriptions.subscribe({ platform: 'telegram', chatId: '-1001', kind: 'channel' });
    store.subscriptions.subscribe({ platform: 'telegram', chatId: '42', kind: 'private' });
    expect(await queueAudienceIn(store, a.article, { kind: 'matching' })).toBe(2);
    expect(await queueAudienceIn(store, a.article, { kind: 'matching' })).toBe(0);
    expect(await routeArticleIn(store, a.article)).toBe(0);
    expect(store.jobs.listForArticle(a.article.id)).toHaveLength(2);
  });

  it('a removed and re-added chat does not receive an article again', async () => {
    const store = freshStore('nested/nashra.db');
    const sub = store.subscriptions.subscribe({ platform: 'whatsapp', chatId: '123@g.us', kind: 'group' });
    const a = await storeArticleIn(store, article());
    if (a.status !== 'new') throw new Error('expected new');
    expect(await queueAudienceIn(store, a.article, { kind: 'matching' })).toBe(1);
    store.subscriptions.deactivate(sub.id, 'test');
    const again = store.subscriptions.subscribe({ platform: 'whatsapp', chatId: '123@g.us', kind: 'group' });
    expect(again.id).toBe(sub.id);
    expect(await queueAudienceIn(store, a.article, { kind: 'matching' })).toBe(0);
  });

  it('keeps data across closing and reopening', async () => {
    const store = freshStore('nested/nashra.db');
    const { path } = store;
    const a = await storeArticleIn(store, article());
    store.subscriptions.subscribe({ platform: 'telegram', chatId: '7', kind: 'private', topics: ['دمشق'] });
    const version = store.schemaVersion();
    store.close();
    const reopened = openStore(path);
    cleanups.push(() => reopened.close());
    expect(reopened.articles.count()).toBe(1);
    expect(reopened.articles.get(a.status === 'new' ? a.article.id : -1)?.title).toBe('انطلاق معرض الكتاب في دمشق');
    expect(reopened.subscriptions.list()[0]?.topics).toEqual(['دمشق']);
    expect(reopened.schemaVersion()).toBe(version);
  });

  it('recognises the same story by URL variant, GUID and normalised title + opening', async () => {
    const store = freshStore('nested/nashra.db');
    expect((await storeArticleIn(store, article({ guid: 'g-1' }))).status).toBe('new');
    const byGuid = await storeArticleIn(store, article({ url: 'https://example.org/other', guid: 'g-1' }));
    expect(byGuid.status === 'duplicate' && byGuid.match.reason).toBe('guid');
    const repost = await storeArticleIn(
      store,
      article({ url: 'https://mirror.example.net/x', title: 'انطلاق مَعرض الكتاب في دمشق', source: 'other' }),
    );
    expect(repost.status === 'duplicate' && repost.match.reason).toBe('story');
    expect(store.articles.count()).toBe(1);
  });

  it('matches topics whole-word, ignoring the article and glued prefixes, against the text and the categories', () => {
    const story = {
      title: 'جلسة طارئة',
      paragraphs: ['ناقش المجلس والسياسة الخارجية للبلاد، وقال الرقيب إن الأمن مستتب في ديرالزور.'],
      categories: ['سياسة', 'شؤون محلية'],
    };
    expect(matchesTopics(['السياسة'], { ...story, paragraphs: [] })).toBe(true); // «السياسة» = category «سياسة»
    expect(matchesTopics(['سياسة'], { ...story, categories: [] })).toBe(true); // «والسياسة» in the text
    expect(matchesTopics(['الرقة'], story)).toBe(false); // not «الرقيب»
    expect(matchesTopics(['الشؤون المحلية'], story)).toBe(true);
    expect(matchesTopics(['الرقة'], { title: 'قصف على الرّقة', paragraphs: [], categories: [] })).toBe(true);
    expect(matchesTopics(['الرقة'], { title: 'وصل وفد إلى بالرقة وللرقة', paragraphs: [], categories: [] })).toBe(true);
  });

  it('excludes with «-word» and «-"phrase"», and an exclusion wins over an inclusion, on real Arabic variants', () => {
    const match = (topics: string[]) =>
      matchesTopics(topics, {
        title: 'الرَّقّة: مباراة كــرة\nالقدم تجمع فريقين',
        paragraphs: ['وأُقيمت المباراة في ملعب المدينة وسط حضور جماهيري.'],
        categories: ['رياضه'],
      });
    expect(match(['الرقة'])).toBe(true); // tashkeel in the text
    expect(match(['-"كرة القدم"'.replace(/"/g, '')])).toBe(false); // tatweel and a line break inside the phrase
    expect(match(['الرقة', '-كرة القدم'])).toBe(false); // the exclusion wins
    expect(match(['-الرياضة'])).toBe(false); // «رياضه» category, teh marbuta and the article ignored
    expect(match(['-السياسة'])).toBe(true); // only exclusions: everything but them
    expect(match(['الاقامة'])).toBe(false); // «وأُقيمت» is not «الإقامة»
    expect(parseTopicFilter('الرقة "دير الزور" -رياضة -"كرة القدم"، اقتصاد')).toEqual([
      'الرقة',
      'دير الزور',
      '-رياضة',
      '-كرة القدم',
      'اقتصاد',
    ]);
  });

  it('routes by normalised topics and never to subscriptions made after the article', async () => {
    const store = freshStore('nested/nashra.db');
    const raqqa = store.subscriptions.subscribe({
      platform: 'telegram',
      chatId: '1',
      kind: 'private',
      topics: ['الرّقة'],
    });
    const culture = store.subscriptions.subscribe({
      platform: 'telegram',
      chatId: '2',
      kind: 'private',
      topics: ['ثقافة'],
    });
    const all = store.subscriptions.subscribe(
      { platform: 'telegram', chatId: '3', kind: 'private' },
      Date.now() - 1000,
    );
    const a = await storeArticleIn(
      store,
      article({
        paragraphs: ['قصفت الطائرات مدينة الرقة صباح اليوم.', 'وقال شهود إن الغارات استهدفت أحياء سكنية.'],
        title: 'غارات على الرقة',
        categories: ['سياسة'],
      }),
    );
    if (a.status !== 'new') throw new Error('expected new');
    await routeArticleIn(store, a.article);
    const ids = store.jobs
      .listForArticle(a.article.id)
      .map((d) => d.subscriptionId)
      .sort();
    expect(ids).toEqual([raqqa.id, all.id].sort());
    expect(ids).not.toContain(culture.id);
    const late = store.subscriptions.subscribe(
      { platform: 'telegram', chatId: '4', kind: 'private' },
      Date.now() + 60_000,
    );
    await routeArticleIn(store, a.article);
    expect(store.jobs.listForArticle(a.article.id).map((d) => d.subscriptionId)).not.toContain(late.id);
  });

  it('marks interrupted deliveries in doubt (default) or queues them again (resend)', async () => {
    const store = freshStore('nested/nashra.db');
    store.subscriptions.subscribe({ platform: 'telegram', chatId: '1', kind: 'private' });
    store.subscriptions.subscribe({ platform: 'telegram', chatId: '2', kind: 'private' });
    const a = await storeArticleIn(store, article());
    if (a.status !== 'new') throw new Error('expected new');
    await queueAudienceIn(store, a.article, { kind: 'matching' });
    const [d1, d2] = store.jobs.next('telegram', 10);
    expect(store.jobs.markSending(d1!.id)).toBe(true);
    expect(store.jobs.markSending(d1!.id)).toBe(false);
    expect(store.jobs.recoverInterrupted('hold')).toBe(1);
    expect(store.jobs.get(d1!.id)?.state).toBe('in_doubt');
    store.jobs.markSending(d2!.id);
    expect(store.jobs.recoverInterrupted('resend')).toBe(1);
    expect(store.jobs.get(d2!.id)?.state).toBe('queued');
  });

  it('one outbox: edits and deletes go first, then digest messages, then posts (urgent first); a digest message carries its posts through every state', async () => {
    const store = freshStore('nested/nashra.db');
    const chat = store.subscriptions.subscribe({ platform: 'telegram', chatId: '1', kind: 'private' });
    const digestChat = store.subscriptions.subscribe({ platform: 'telegram', chatId: '2', kind: 'private' });
    store.deliverySettings.set(digestChat.id, {
      mode: 'hourly',
      urgentNow: false,
      timeZone: 'Asia/Damascus',
      quietMode: 'silent',
      quietUrgent: false,
    });
    const stored = await Promise.all(
      [1, 2, 3].map((i) =>
        storeArticleIn(
          store,
          article({
            url: `https://example.org/news/${i}`,
            title: `خبر ${i} عن معرض الكتاب في دمشق`,
            paragraphs: [
              `افتتح المعرض رقم ${i} أبوابه أمس بمشاركة مئات دور النشر العربية.`,
              'وقال المنظمون إن المعرض يستمر عشرة أيام.',
            ],
          }),
        ),
      ),
    );
    const [a1, a2, a3] = stored.map((r) => {
      if (r.status !== 'new') throw new Error('expected new');
      return r.article;
    });
    const t = 1_765_000_000_000;
    store.jobs.enqueue(a1!.id, [{ id: chat.id }, { id: digestChat.id }], {}, t);
    const [post1] = store.jobs.listForArticle(a1!.id);
    store.jobs.markSending(post1!.id, t);
    store.jobs.markSent(post1!.id, '501', t);
    expect(store.jobs.queueCorrections(a1!.id, 'edit', 2, t)).toBe(1);
    store.jobs.enqueue(a2!.id, [{ id: chat.id }], {}, t);
    store.jobs.enqueue(a3!.id, [{ id: chat.id }], { priority: 10 }, t);
    const held = store.jobs.heldFor(digestChat.id, t);
    expect(held.map((h) => h.articleId)).toEqual([a1!.id]);
    const digestId = store.digests.open(digestChat.id, t, held.length, t)!;
    const part = store.jobs.addDigestPart(
      digestId,
      1,
      1,
      'ملخص',
      held.map((h) => h.id),
      t,
    );

    expect(
      store.jobs.next('telegram', 10, 'oldest', t).map((j) => [j.kind, j.kind === 'digest' ? undefined : j.articleId]),
    ).toEqual([
      ['edit', a1!.id],
      ['digest', undefined],
      ['post', a3!.id],
      ['post', a2!.id],
    ]);
    // Up to the limit of each kind: edits queued for busy chats never leave the other chats' posts out of a look.
    expect(store.jobs.next('telegram', 1, 'oldest', t).map((j) => j.kind)).toEqual(['edit', 'digest', 'post']);
    // The digest message's posts follow it: sending, in doubt after a crash, and sent when an editor says it arrived.
    expect(store.jobs.markSending(part, t)).toBe(true);
    expect(store.jobs.get(held[0]!.id)).toMatchObject({ state: 'sending', carriedBy: part, attempts: 1 });
    expect(store.jobs.recoverInterrupted('hold', t)).toBe(2);
    expect(store.jobs.get(held[0]!.id)!.state).toBe('in_doubt');
    expect(store.jobs.resolveInDoubt(part, 'queued', 'sent again by cli:cli', t)).toBe(true);
    expect(store.jobs.get(held[0]!.id)!.state).toBe('held');
    store.jobs.markSending(part, t);
    store.jobs.markSent(part, '777', t);
    expect(store.jobs.get(held[0]!.id)).toMatchObject({ state: 'sent', messageId: '777' });
    // A retraction cancels every job of the article not yet sent (the edit too), in one statement.
    expect(store.jobs.cancelWaitingForArticle(a1!.id, 'the article was retracted', t)).toBe(1);
    expect(store.jobs.listForArticle(a1!.id, ['edit'])[0]).toMatchObject({
      state: 'skipped',
      lastError: 'the article was retracted',
    });
  });

  it('the run lease refuses a second holder until it expires', () => {
    const store = freshStore('nested/nashra.db');
    const now = 1_000_000;
    expect(store.leases.acquire('run', 'a', 10_000, {}, now).ok).toBe(true);
    const second = store.leases.acquire('run', 'b', 10_000, {}, now + 5_000);
    expect(second.ok).toBe(false);
    expect(store.leases.acquire('run', 'b', 10_000, {}, now + 10_001).ok).toBe(true);
    expect(store.leases.renew('run', 'a', 10_000, now + 10_002)).toBe(false);
  });
});
