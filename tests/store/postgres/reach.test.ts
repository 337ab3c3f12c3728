/**
 * The reactions, full story, clicks and reach ports answer the same on SQLite and PostgreSQL. The rows they read
 * (chats, articles, sent posts) are written as rows, by SQL, so these tests need no other port on PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { hourOf, HOUR_MS } from '../../../src/model/reach.js';
import { recordReactions } from '../../../src/newsroom/reactions.js';
import { rawAdapters, rows } from '../../helpers/raw-db.js';

const adapters = rawAdapters();

const HOSTILE = ["'); DROP TABLE jobs; --", 'عاجل: "خبر" \'مهم\'', '🇸🇾👨‍👩‍👧', 'a\u0000b'];

describe.each(adapters)('reactions on $name', ({ open }) => {
  it('finds a post by chat and message, counts, replaces and takes back reactions, and sums them per platform and emoji', async () => {
    const s = await open();
    const { repos } = s.ports;
    const r = rows(s);
    const chat = await r.chat('telegram', '-1001');
    const wa = await r.chat('whatsapp', '-1001');
    const article = await r.article();
    const post = await r.post(article, chat, 'telegram', { message_id: '77' });
    const waPost = await r.post(article, wa, 'whatsapp', { message_id: '77' });

    expect(await repos.reactions.findPost('telegram', '-1001', '78')).toBeUndefined();
    for (const text of HOSTILE) {
      expect(await repos.reactions.findPost(text, '-1001', '77')).toBeUndefined();
      expect(await repos.reactions.findPost('telegram', text, '77')).toBeUndefined();
      expect(await repos.reactions.findPost('telegram', '-1001', text)).toBeUndefined();
    }
    const found = (await repos.reactions.findPost('telegram', '-1001', '77'))!;
    expect(found).toEqual({ postId: post, articleId: article, platform: 'telegram', retracted: false });
    const waFound = (await repos.reactions.findPost('whatsapp', '-1001', '77'))!;
    expect(waFound.postId).toBe(waPost);

    expect(await repos.reactions.mark(post)).toEqual({ countsAt: undefined, events: [] });
    const events = Array.from({ length: 70 }, (_, i) => `e${i}`);
    await repos.reactions.setMark(post, { countsAt: 5_000, events });
    expect(await repos.reactions.mark(post)).toEqual({ countsAt: 5_000, events: events.slice(-64) });
    await repos.reactions.setMark(post, { events: ['x'] });
    expect(await repos.reactions.mark(post)).toEqual({ countsAt: undefined, events: ['x'] });

    // Ties sort by code point, as SQLite's BINARY collation does: «custom:…» < «paid» < «❤» < «👍».
    await repos.reactions.replace(
      found,
      new Map([
        ['👍', 3],
        ['❤', 3],
        ['paid', 3],
        ['custom:5368', 3],
        ['🔥', 0],
      ]),
      1_000,
    );
    await repos.reactions.replace(
      found,
      new Map([
        ['👍', 4],
        ['❤', 2],
        ['paid', 2],
        ['custom:5368', 2],
        ['🙏', 0],
      ]),
      1_000,
    );
    await repos.reactions.add(waFound, '👍', 1, 2_000);
    await repos.reactions.add(waFound, '😢', -1, 2_000);
    await repos.reactions.add(waFound, '🔥', 1, 2_000);
    await repos.reactions.add(waFound, '🔥', -1, 2_000);
    await repos.reactions.add(waFound, '🔥', -1, 2_000);
    expect(await repos.reactions.byArticle(article)).toEqual([
      {
        platform: 'telegram',
        total: 10,
        reactions: [
          { emoji: '👍', count: 4 },
          { emoji: 'custom:5368', count: 2 },
          { emoji: 'paid', count: 2 },
          { emoji: '❤', count: 2 },
        ],
      },
      { platform: 'whatsapp', total: 1, reactions: [{ emoji: '👍', count: 1 }] },
    ]);
    const other = await r.article();
    expect(await repos.reactions.byEmoji([other, article, 999])).toEqual(
      new Map([[article, { '👍': 5, 'custom:5368': 2, paid: 2, '❤': 2 }]]),
    );
    expect(Object.keys((await repos.reactions.byEmoji([article])).get(article)!)).toEqual([
      '👍',
      'custom:5368',
      'paid',
      '❤',
    ]);
    expect(await repos.reactions.byEmoji([])).toEqual(new Map());

    // Taken back to zero: the row goes, and a count below zero is never stored.
    await repos.reactions.add(waFound, '👍', -1, 3_000);
    await repos.reactions.add(waFound, '👍', -1, 3_000);
    expect(await repos.reactions.byArticle(article)).toHaveLength(1);
    await repos.reactions.replace(found, new Map(), 4_000);
    expect(await repos.reactions.byArticle(article)).toEqual([]);
    // Text as values, never as SQL (the port takes checked keys; these only show both adapters store them alike).
    const hostile = HOSTILE.filter((t) => !t.includes('\u0000'));
    await repos.reactions.replace(found, new Map(hostile.map((t, i) => [t, i + 1])), 5_000);
    await repos.reactions.add(found, hostile[0]!, 1, 5_000);
    expect(await repos.reactions.byEmoji([article])).toEqual(
      new Map([[article, { [hostile[0]!]: 2, [hostile[1]!]: 2, [hostile[2]!]: 3 }]]),
    );
  });

  it("a retracted story's post says so, a post a digest carried is none, and a unit that fails writes nothing", async () => {
    const s = await open();
    const { repos, uow } = s.ports;
    const r = rows(s);
    const chat = await r.chat('telegram', '-1002');
    const retracted = await r.article({ retracted_at: 9_000, retracted_by: 'desk' });
    await r.post(retracted, chat, 'telegram', { message_id: '1' });
    expect((await repos.reactions.findPost('telegram', '-1002', '1'))!.retracted).toBe(true);
    const digestArticle = await r.article();
    const digest = await s.insert('digests', { subscription_id: chat, period_end: 0, items: 1, created_at: 0 });
    const part = await s.insert('jobs', {
      kind: 'digest',
      platform: 'telegram',
      subscription_id: chat,
      digest_id: digest,
      part: 1,
      parts: 1,
      text: 'd',
      state: 'sent',
      message_id: '2',
      queued_at: 0,
    });
    await r.post(digestArticle, chat, 'telegram', { message_id: '2', carried_by: part });
    expect(await repos.reactions.findPost('telegram', '-1002', '2')).toBeUndefined();

    const article = await r.article();
    await r.post(article, chat, 'telegram', { message_id: '3' });
    const post = (await repos.reactions.findPost('telegram', '-1002', '3'))!;
    await expect(
      uow.run(async (tx) => {
        await tx.reactions.replace(post, new Map([['👍', 1]]), 1);
        await tx.reactions.add(post, '❤', 1, 1);
        await tx.reactions.setMark(post.postId, { countsAt: 1, events: ['a'] });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await repos.reactions.byArticle(article)).toEqual([]);
    expect(await repos.reactions.mark(post.postId)).toEqual({ countsAt: undefined, events: [] });
    await uow.run(async (tx) => {
      await tx.reactions.add(post, '❤', 1, 1);
    });
    expect(await repos.reactions.byEmoji([article])).toEqual(new Map([[article, { '❤': 1 }]]));

    // A NUL (which PostgreSQL's text cannot hold) in a chat id finds no post on either; in an emoji, the newsroom
    // leaves that reaction out (isReactionKey) before either database is asked.
    const deps = { data: s.ports, logger: createLogger({ level: 'silent' }) };
    expect(
      await recordReactions(deps, {
        kind: 'counts',
        platform: 'telegram',
        chatId: '-1002\u0000',
        messageId: '3',
        counts: [{ emoji: '👍', count: 2 }],
        at: 1,
      }),
    ).toBe('not-our-post');
    expect(
      await recordReactions(deps, {
        kind: 'change',
        platform: 'telegram',
        chatId: '-1002',
        messageId: '3',
        removed: [],
        added: ['🔥\u0000', '🔥'],
        event: 'e',
        at: 1,
      }),
    ).toBe('recorded');
    expect(await repos.reactions.byEmoji([article])).toEqual(new Map([[article, { '❤': 1, '🔥': 1 }]]));
  });
});

describe.each(adapters)('full story on $name', ({ open }) => {
  it('counts reads per story and keeps one signing key', async () => {
    const s = await open();
    const { repos, uow } = s.ports;
    const r = rows(s);
    const [a, b] = [await r.article(), await r.article()];
    expect(await repos.fullStory.reads(a)).toBe(0);
    expect(await repos.fullStory.readsOf([a, b])).toEqual(new Map());
    await repos.fullStory.addReads(a, 1, 1_000);
    await repos.fullStory.addReads(a, 41, 2_000);
    await uow.run(async (tx) => {
      await tx.fullStory.addReads(b, 3, 3_000);
    });
    await expect(
      uow.run(async (tx) => {
        await tx.fullStory.addReads(b, 100, 4_000);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await repos.fullStory.reads(a)).toBe(42);
    expect(await repos.fullStory.readsOf([b, a, 999])).toEqual(
      new Map([
        [a, 42],
        [b, 3],
      ]),
    );
    const key = await repos.fullStory.linkKey();
    expect(key).toHaveLength(32);
    expect(Buffer.from(await repos.fullStory.linkKey()).equals(Buffer.from(key))).toBe(true);
  });
});

describe.each(adapters)('clicks and reach on $name', ({ open }) => {
  it('a pair keeps its first code; a code resolves to its post; unknown, hostile and non-web targets are refused', async () => {
    const s = await open();
    const { repos } = s.ports;
    const r = rows(s);
    const chat = await r.chat('telegram', '-1003');
    const web = await r.article();
    const file = await r.article({ url: 'javascript:alert(1)', retracted_at: 5, retracted_by: 'x' });
    expect(await repos.clicks.codeFor(web, chat)).toBeUndefined();
    expect(await repos.clicks.remember('AAAAAAAAAAAAAAAA', web, chat, 1_000)).toBe('AAAAAAAAAAAAAAAA');
    expect(await repos.clicks.remember('BBBBBBBBBBBBBBBB', web, chat, 2_000)).toBe('AAAAAAAAAAAAAAAA');
    expect(await repos.clicks.codeFor(web, chat)).toBe('AAAAAAAAAAAAAAAA');
    await repos.clicks.remember('CCCCCCCCCCCCCCCC', file, chat, 1_000);
    const target = (await repos.clicks.resolve('AAAAAAAAAAAAAAAA'))!;
    expect(target).toEqual({
      linkId: expect.any(Number),
      articleId: web,
      subscriptionId: chat,
      url: 'https://news.example/1',
      retracted: false,
    });
    expect(await repos.clicks.resolve('CCCCCCCCCCCCCCCC')).toMatchObject({
      articleId: file,
      url: undefined,
      retracted: true,
    });
    expect(await repos.clicks.resolve('BBBBBBBBBBBBBBBB')).toBeUndefined();
    for (const text of HOSTILE) expect(await repos.clicks.resolve(text)).toBeUndefined();
    // The same code for another pair breaks its uniqueness: refused on both.
    await expect(
      repos.clicks.remember('AAAAAAAAAAAAAAAA', file, await r.chat('telegram', '-1004'), 1),
    ).rejects.toThrow();
  });

  it('batches of counts add up per post and hour, story and day, chat and day, and hour; the reach sums read them', async () => {
    const s = await open();
    const { repos, uow } = s.ports;
    const r = rows(s);
    const now = Date.UTC(2026, 11, 7, 9, 30);
    const hour = hourOf(now);
    const [tg, tg2, wa] = [
      await r.chat('telegram', '-1005', 'قناة «الأخبار»'),
      await r.chat('telegram', '-1006'),
      await r.chat('whatsapp', '120@g.us'),
    ];
    const [a, b, c] = [await r.article({ edited_title: 'عنوان مُعدّل' }), await r.article(), await r.article()];
    const link = async (article: number, chat: number, code: string, at: number) => {
      await repos.clicks.remember(code, article, chat, at);
      return (await repos.clicks.resolve(code))!.linkId;
    };
    const la = await link(a, tg, 'a'.repeat(16), now - 30 * HOUR_MS);
    const lb = await link(b, wa, 'b'.repeat(16), now - 2 * HOUR_MS);
    const lc = await link(c, tg2, 'c'.repeat(16), now - 3 * 24 * HOUR_MS);
    await r.post(a, tg, 'telegram', { finished_at: now - 30 * HOUR_MS });
    await r.post(b, wa, 'whatsapp', { finished_at: now - 2 * HOUR_MS });
    await r.post(c, tg2, 'telegram', { finished_at: now - 2 * HOUR_MS });
    await r.post(b, tg, 'telegram', { state: 'failed', finished_at: now - HOUR_MS });
    const count = (linkId: number, articleId: number, subscriptionId: number, h: number, clicks: number) => ({
      linkId,
      articleId,
      subscriptionId,
      hour: h,
      clicks,
    });
    // One batch may name the same post and hour twice.
    await repos.clicks.addCounts([
      count(la, a, tg, hour - 30, 2),
      count(la, a, tg, hour - 30, 3),
      count(lb, b, wa, hour - 1, 4),
      count(lc, c, tg2, hour - 72, 7),
    ]);
    await repos.clicks.addCounts([count(la, a, tg, hour - 29, 1), count(lb, b, wa, hour - 1, 1)]);
    await repos.clicks.addCounts([]);
    await uow.run(async (tx) => {
      await tx.clicks.remember('d'.repeat(16), c, wa, now);
    });

    expect(await repos.reach.clicksPerHour(hour - 30)).toEqual([
      { hour: hour - 30, clicks: 5 },
      { hour: hour - 29, clicks: 1 },
      { hour: hour - 1, clicks: 5 },
    ]);
    expect(await repos.reach.clicksPerHour(hour + 1)).toEqual([]);
    // A day and a half back: the partial first day from the hours, whole days from the day tables.
    expect(await repos.reach.topStories(hour - 36, 10)).toEqual([
      { articleId: a, title: 'عنوان مُعدّل', clicks: 6 },
      { articleId: b, title: 'خبر رقم 2', clicks: 5 },
    ]);
    // Equal clicks: the newer article (higher id) first, and the limit after that order.
    await repos.clicks.addCounts([count(lb, b, wa, hour, 1)]);
    expect(await repos.reach.topStories(hour - 36, 1)).toEqual([{ articleId: b, title: 'خبر رقم 2', clicks: 6 }]);
    expect((await repos.reach.topStories(hour - 100, 10)).map((t) => [t.articleId, t.clicks])).toEqual([
      [c, 7],
      [b, 6],
      [a, 6],
    ]);

    expect(await repos.reach.windowByChat(hour - 36, now - 36 * HOUR_MS)).toEqual([
      { subscriptionId: tg, platform: 'telegram', chatId: '-1005', title: 'قناة «الأخبار»', posts: 1, clicks: 6 },
      { subscriptionId: wa, platform: 'whatsapp', chatId: '120@g.us', posts: 2, clicks: 6 },
    ]);
    expect(await repos.reach.windowByChat(hour + 5, now + 5 * HOUR_MS)).toEqual([]);

    expect(await repos.reach.storyCounts([a, b, c, 999])).toEqual([
      { articleId: a, platform: 'telegram', posts: 1, clicks: 6 },
      { articleId: b, platform: 'whatsapp', posts: 1, clicks: 6 },
      { articleId: c, platform: 'telegram', posts: 1, clicks: 7 },
    ]);
    expect(await repos.reach.storyCounts([])).toEqual([]);

    const since = now - 48 * HOUR_MS;
    // Two posts sent at the same time: the later one (higher id) first, as SQLite reads its index backwards.
    expect(await repos.reach.postClicks({}, since, 10)).toEqual([
      { sentAt: now - 2 * HOUR_MS, clicks: 7 },
      { sentAt: now - 2 * HOUR_MS, clicks: 6 },
      { sentAt: now - 30 * HOUR_MS, clicks: 6 },
    ]);
    expect(await repos.reach.postClicks({}, since, 1)).toEqual([{ sentAt: now - 2 * HOUR_MS, clicks: 7 }]);
    expect(await repos.reach.postClicks({ platform: 'whatsapp' }, since, 10)).toEqual([
      { sentAt: now - 2 * HOUR_MS, clicks: 6 },
    ]);
    expect(await repos.reach.postClicks({ subscriptionIds: [tg, wa] }, since, 10)).toHaveLength(2);
    expect(await repos.reach.postClicks({ subscriptionIds: [] }, since, 10)).toEqual([]);
    expect(await repos.reach.postClicks({ platform: 'telegram', subscriptionIds: [wa] }, since, 10)).toEqual([]);
    for (const text of HOSTILE) expect(await repos.reach.postClicks({ platform: text }, since, 10)).toEqual([]);
  });

  it('a batch of counts that fails half-way writes none of its tables', async () => {
    const s = await open();
    const { repos } = s.ports;
    const r = rows(s);
    const chat = await r.chat('telegram', '-1007');
    const article = await r.article();
    await repos.clicks.remember('e'.repeat(16), article, chat, 0);
    const linkId = (await repos.clicks.resolve('e'.repeat(16)))!.linkId;
    // The post's and the story's counts are written first; the chat's (a chat that does not exist) breaks its foreign key.
    await expect(
      repos.clicks.addCounts([{ linkId, articleId: article, subscriptionId: chat + 100, hour: 10, clicks: 1 }]),
    ).rejects.toThrow();
    expect(await repos.reach.clicksPerHour(0)).toEqual([]);
    expect(await repos.reach.topStories(0, 10)).toEqual([]);
    expect(await repos.reach.storyCounts([article])).toEqual([]);
  });
});
