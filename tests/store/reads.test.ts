/**
 * Issue 23 §3, the reads slice: the newsroom's read queries answer through the ports exactly what the tables answer,
 * and a read asked while another front door's action is in its unit of work sees that action whole or not at all.
 */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../src/app/platforms.js';
import { contentHash, storyKey } from '../../src/ingest/prepare.js';
import { createLogger } from '../../src/logger.js';
import {
  allSubscriptions,
  auditEntries,
  CLI_OPERATOR,
  latestArticles,
  newsroomOpen,
  searchArticles,
  subscribe,
  todayArticles,
  topicChoices,
  type NewsroomDeps,
} from '../../src/newsroom/index.js';
import { queryStems } from '../../src/text/stem.js';
import { normalizeArabic } from '../../src/text/arabic.js';
import { freshDatabase, onPostgres, type RawDatabase } from '../helpers/raw-db.js';

async function newsroom(): Promise<{ db: RawDatabase; deps: NewsroomDeps }> {
  const db = await freshDatabase();
  const config = loadAppConfig({
    ...db.env,
    LOG_LEVEL: 'silent',
    TELEGRAM_BOT_TOKEN: '123456789:AAHfakeTokenForNashraTests_abcdefXYZ',
  });
  return { db, deps: newsroomDeps(BUILT_IN_PLATFORMS, config, db.ports, createLogger({ level: 'silent' })) };
}

async function put(db: RawDatabase, i: number, title: string, categories: string[], at: number): Promise<number> {
  const a = {
    url: `https://example.com/r/${i}`,
    title,
    source: 'test',
    paragraphs: [`${title}، وقال مصدر إن الأمر يتابع.`],
    categories,
    language: 'ar',
  };
  return (
    await db.ports.repos.articleWrites.insert(
      {
        article: a,
        summary: a.paragraphs,
        hashtags: [],
        contentHash: contentHash(a),
        storyKey: storyKey(a),
        searchText: normalizeArabic([a.title, ...a.paragraphs].join(' ')).replace(/[^\p{L}\p{N}]+/gu, ' '),
      },
      at,
    )
  ).id;
}

describe("the newsroom's reads over the ports", () => {
  it('answer what the tables answer: /latest, /search, Today and the topic buttons', async () => {
    const { db, deps } = await newsroom();
    const now = Date.now();
    const titles = [
      'انتخابات البلدية في حلب',
      'أسعار الذهب ترتفع',
      'الحكومة تعلن موازنة جديدة',
      'انتخابات طلابية في دمشق',
    ];
    const ids: number[] = [];
    for (const [i, t] of titles.entries())
      ids.push(await put(db, i, t, i % 2 ? ['اقتصاد'] : ['سياسة'], now - (titles.length - i) * 60_000));
    expect((await latestArticles(deps, 3)).map((a) => a.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect((await latestArticles(deps, 3)).map((a) => a.title)).toEqual([titles[3], titles[2], titles[1]]);
    expect((await searchArticles(deps, 'الانتخابات', 5)).map((h) => h.article.id).sort()).toEqual(
      [ids[0], ids[3]].sort(),
    );
    const filter = { stems: queryStems('انتخابات'), limit: 10 };
    // Today: the two matches, newest first, each as the article's own look-up reads it.
    expect(await todayArticles(deps, filter)).toEqual([
      await db.ports.repos.articles.get(ids[3]!),
      await db.ports.repos.articles.get(ids[0]!),
    ]);
    if (!onPostgres()) {
      // What SQLite's tables answer through the Store's own statements.
      const store = db.sqliteStore();
      expect((await latestArticles(deps, 3)).map((a) => a.id)).toEqual(store.articles.latest(3).map((a) => a.id));
      expect((await searchArticles(deps, 'الانتخابات', 5)).map((h) => h.article.id)).toEqual(
        store.articles.search(queryStems('الانتخابات'), 5).map((a) => a.id),
      );
      expect(await todayArticles(deps, filter)).toEqual(store.desk.today(filter));
    }
    expect(await topicChoices(deps, ['رياضة', 'السياسة'])).toEqual(['رياضة', 'السياسة', 'اقتصاد']);
  });

  it("reads asked while two doors' actions run see each action whole: a subscription with its audit entry, never half", async () => {
    const { db, deps } = await newsroom();
    const telegram = { platform: 'telegram', id: 'door-a' };
    // Two doors at once (the CLI and the desk subscribing chats), and a page asking the subscriptions and the audit
    // log together at every turn in between: both answers of one page show the same actions, each one whole.
    let seed = 23;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const actions: Array<Promise<unknown>> = [];
    const pages: Array<Promise<[number, number]>> = [];
    for (let i = 0; i < 30; i++) {
      const door = random() < 0.5 ? CLI_OPERATOR : { platform: 'desk', id: 'editor', role: 'admin' as const };
      actions.push(subscribe(deps, door, { platform: 'telegram', chatId: `-100${i}`, kind: 'channel' }));
      const subs = allSubscriptions(deps);
      const audit = auditEntries(deps, { action: 'subscription.add', limit: 100 });
      pages.push(Promise.all([subs, audit]).then(([s, a]) => [s.length, a.length]));
      for (let turns = Math.floor(random() * 4); turns > 0; turns--) await Promise.resolve();
      if (random() < 0.3) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(actions);
    const seen = await Promise.all(pages);
    // SQLite answers a page's two reads on one connection before any other unit runs; on PostgreSQL each read is a
    // transaction of its own on a pooled connection, so an action may commit between a page's two reads (seen: 3
    // subscriptions beside 4 entries): each read is whole, the pair is not one snapshot there.
    if (!onPostgres()) {
      for (const [subs, audited] of seen) expect(subs).toBe(audited);
      // Not all before or all after: the pages did meet the actions half-way (the premise of the pair check above;
      // on PostgreSQL the pooled reads may all land before or after the actions).
      expect(new Set(seen.map(([n]) => n)).size).toBeGreaterThan(2);
    }
    expect((await allSubscriptions(deps)).length).toBe(30);
    expect(await auditEntries(deps, { action: 'subscription.add', limit: 100 })).toHaveLength(30);
    // A unit that fails leaves nothing a read could see.
    const failed = deps.data.uow.run(async (tx) => {
      await tx.subscriptions.subscribe({ platform: 'telegram', chatId: '-1002', kind: 'channel' }, Date.now());
      await tx.audit.record(telegram.platform, telegram.id, 'subscription.add', {}, Date.now());
      throw new Error('refused after its writes');
    });
    const subsAfterFailure = allSubscriptions(deps);
    await expect(failed).rejects.toThrow('refused after its writes');
    expect(await subsAfterFailure).toHaveLength(30);
    expect(await auditEntries(deps, { actor: telegram.id, limit: 10 })).toEqual([]);
    // A live page stops asking once the newsroom closes.
    expect(newsroomOpen(deps)).toBe(true);
    await db.reopen(); // the newsroom's ports closed (new ones opened beside them)
    expect(newsroomOpen(deps)).toBe(false);
  });
});
