/**
 * Article actions from several front doors at once (issue 23 §3, the articles slice of the ports): an editor's
 * `nashra ingest`, a poll admitting the same item, two editors deciding one review, two editors editing one article.
 * Each action is one unit of work with its audit entry, so however their awaits interleave (seeded random orders),
 * an item is stored once, a review is decided once, the jobs queued are what the winning entry says, and the last
 * edit audited is the one stored. Against this pass's database (SQLite, or PostgreSQL in its pass); nothing of ours is mocked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAppConfig, newsroomDeps, BUILT_IN_PLATFORMS } from '../../src/app/platforms.js';
import { createLogger } from '../../src/logger.js';
import type { Article } from '../../src/model/article.js';
import {
  CLI_OPERATOR,
  decideReview,
  editArticle,
  ingestArticle,
  recordReviewCopy,
  type Actor,
  type NewsroomDeps,
} from '../../src/newsroom/index.js';
import { articleIntake } from '../../src/newsroom/intake.js';
import { holdForReview } from '../../src/newsroom/review.js';
import type { DataPorts } from '../../src/ports/index.js';
import { storeArticleIn } from '../helpers/articles.js';
import { seededRandom } from '../helpers/child-run.js';
import { auditLog, createDatabase, jobsOf, type OwnedDatabase } from '../helpers/raw-db.js';

const EDITOR: Actor = { platform: 'telegram', id: '5001' };
const DESK: Actor = { platform: 'desk', id: 'editor@example.org' };

let db: OwnedDatabase;
let store: DataPorts;
let deps: NewsroomDeps;

beforeEach(async () => {
  db = await createDatabase();
  store = db.ports;
  const config = loadAppConfig({
    ...db.env,
    TELEGRAM_BOT_TOKEN: '123456789:AAHfakeTokenForNashraTests_abcdefXYZ',
    TELEGRAM_EDITOR_IDS: EDITOR.id,
  });
  deps = newsroomDeps(BUILT_IN_PLATFORMS, config, store, createLogger({ level: 'silent' }), () => undefined);
});
afterEach(() => db.close());

const article = (n: number): Article => ({
  url: `https://news.example/${n}`,
  guid: `g-${n}`,
  title: `خبر رقم ${n} عن سوق دمشق`,
  source: 'مثال',
  categories: [],
  language: 'ar',
  paragraphs: [
    `افتتحت بلدية دمشق اليوم السوق رقم ${n} بمشاركة مئات التجار.`,
    `وقال رئيس البلدية إن السوق ${n} توفر فرص عمل.`,
  ],
});

/** Starts every action in a seeded random order without waiting between them, then waits for all. */
async function atOnce(seed: number, actions: Array<() => Promise<unknown>>): Promise<PromiseSettledResult<unknown>[]> {
  const random = seededRandom(seed);
  const order = actions.map((a, i) => ({ a, i, k: random() })).sort((x, y) => x.k - y.k);
  const started = new Array<Promise<unknown>>(actions.length);
  for (const { a, i } of order) started[i] = a();
  return Promise.allSettled(started);
}

const auditOf = async (prefix: string) =>
  (await auditLog(db, 100_000)).reverse().filter((e) => e.action.startsWith(prefix));

describe('article actions interleaving', () => {
  it('the same item from `nashra ingest` and from two polls at once: stored once, queued once per chat, every attempt audited or recorded', async () => {
    const past = Date.now() - 60_000;
    for (let i = 0; i < 4; i++)
      await store.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(-1000 - i), kind: 'channel', topics: i === 3 ? ['حلب'] : [] },
        past,
      );
    const a = await store.repos.sources.add({ url: 'https://a.example/feed', kind: 'rss', name: 'أ' }, Date.now());
    const b = await store.repos.sources.add({ url: 'https://b.example/feed', kind: 'rss', name: 'ب' }, Date.now());
    const intake = articleIntake({ config: deps.config, data: store, logger: deps.logger });
    for (let round = 1; round <= 12; round++) {
      const item = article(round);
      const now = Date.now();
      const results = await atOnce(round, [
        () => ingestArticle(deps, CLI_OPERATOR, item),
        () => ingestArticle(deps, DESK, item),
        () => intake.admit(a, [{ article: item, feedHash: `h${round}`, seenOnly: false }], now),
        () => intake.admit(b, [{ article: item, feedHash: `h${round}`, seenOnly: false }], now),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      const stored = (await store.repos.articles.getByUrl(item.url!))!;
      const outcomes = results
        .map((r) => (r as PromiseFulfilledResult<unknown>).value)
        .map((v) =>
          Array.isArray(v)
            ? (v[0] as { status: string; queued?: number })
            : { status: (v as { status: string }).status, queued: (v as { queued: number }).queued },
        );
      // One of the four stored it and queued it for the three chats without a filter; the others found it.
      const winners = outcomes.filter((o) => o.status === 'new' || o.status === 'routed');
      expect(winners).toHaveLength(1);
      expect(winners[0]!.queued).toBe(3);
      expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(3);
      const jobs = await jobsOf(db, stored.id);
      expect(jobs).toHaveLength(3);
      expect(new Set(jobs.map((j) => j.subscriptionId)).size).toBe(3);
      // Each ingest has its entry (the new article's, or the duplicate's with its reason) naming the stored article.
      const entries = (await auditOf('article.ingest')).filter((e) => e.detail.article === stored.id);
      expect(entries).toHaveLength(2);
      const ingestWon = outcomes[0]!.status === 'new' || outcomes[1]!.status === 'new';
      expect(entries.filter((e) => e.detail.queued === 3)).toHaveLength(ingestWon ? 1 : 0);
      expect(entries.filter((e) => e.detail.duplicate === 'url')).toHaveLength(ingestWon ? 1 : 2);
    }
    expect(await store.repos.status.articleCount()).toBe(12);
  });

  it('«نشر» on Telegram, «تجاهل» at the shell and a replayed press, at once: decided once, queued once, one entry for the winner', async () => {
    const past = Date.now() - 60_000;
    for (let i = 0; i < 3; i++)
      await store.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(-2000 - i), kind: 'channel' },
        past,
      );
    for (let round = 1; round <= 12; round++) {
      const r = await storeArticleIn(store, article(100 + round));
      if (r.status !== 'new') throw new Error('duplicate');
      const id = r.article.id;
      await store.uow.run((tx) => holdForReview(tx, r.article));
      const token = (await store.repos.reviews.get(id))!.token;
      const copy = {
        articleId: id,
        platform: 'telegram',
        chatId: EDITOR.id,
        messageId: String(round),
        captioned: false,
      };
      const results = await atOnce(round, [
        () => decideReview(deps, EDITOR, id, 'publish', token),
        () => decideReview(deps, CLI_OPERATOR, id, 'dismiss'),
        () => decideReview(deps, EDITOR, id, 'publish', token),
        () => recordReviewCopy(deps, copy),
      ]);
      expect(results.map((x) => x.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      const decisions = results
        .slice(0, 3)
        .map((x) => (x as PromiseFulfilledResult<Awaited<ReturnType<typeof decideReview>>>).value);
      expect(decisions.filter((d) => d.kind === 'done')).toHaveLength(1);
      const review = (await store.repos.reviews.get(id))!;
      expect(review.state).not.toBe('pending');
      const entries = (await auditOf('review.')).filter((e) => e.detail.article === id);
      expect(entries.map((e) => e.action)).toEqual([
        review.state === 'published' ? 'review.publish' : 'review.dismiss',
      ]);
      const jobs = await jobsOf(db, id);
      expect(jobs).toHaveLength(review.state === 'published' ? 3 : 0);
      expect(review.queued ?? 0).toBe(jobs.length);
      expect(entries[0]!.detail.queued).toBe(jobs.length);
      // The copy was recorded whichever came first: a decided review still has its copies updated.
      expect((results[3] as PromiseFulfilledResult<string>).value).toBe('recorded');
      expect(await store.repos.reviews.copies(id, 'telegram')).toEqual([copy]);
    }
  });

  it('two editors edit one article at once: both edits audited, in one order, and the stored version is the last one', async () => {
    const r = await storeArticleIn(store, article(200));
    if (r.status !== 'new') throw new Error('duplicate');
    const id = r.article.id;
    for (let round = 1; round <= 10; round++) {
      const edit = (who: string) => ({
        title: `عنوان ${who} ${round}`,
        summary: [`ملخص ${who} ${round}.`],
        hashtags: [`وسم_${who}`],
      });
      await atOnce(round, [
        () => editArticle(deps, DESK, id, edit('المكتب')),
        () => editArticle(deps, EDITOR, id, edit('تلغرام')),
        () => editArticle(deps, CLI_OPERATOR, id, edit('الطرفية')),
      ]);
      const entries = (await auditOf('article.edit')).slice(-3);
      expect(new Set(entries.map((e) => `${e.platform}:${e.actor}`)).size).toBe(3);
      const stored = (await store.repos.articles.get(id))!;
      const last = entries[2]!;
      expect(stored.title).toBe(last.detail.title);
      expect(stored.edit?.by).toBe(last.actor);
      expect(stored.hashtags).toEqual(last.detail.hashtags);
    }
    expect(await auditOf('article.edit')).toHaveLength(30);
    // The original stays as it came in, whatever the edits.
    expect((await store.repos.articles.get(id))!.edit?.original.title).toBe(article(200).title);
  });
});
