/**
 * The newsroom's recordReactions over the ports (issue 25, section 2): which message is a post, and changes replayed
 * in any order on random sequences (on SQLite and PostgreSQL). The bots' tests (reactions-telegram,
 * reactions-whatsapp) drive it through the platforms; these take the reports as a front door hands them over.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { articleReactions, recordReactions, type ReactionReport } from '../../src/newsroom/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { seededRandom } from '../helpers/child-run.js';
import { storeNumberedArticle } from '../helpers/articles.js';
import { rawAdapters, rows } from '../helpers/raw-db.js';
import { tempDir } from '../helpers/tmp.js';

const CHAT = '-1001234500001';
let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

function setUp(): { store: Store; deps: Parameters<typeof recordReactions>[0] } {
  const { dir, cleanup } = tempDir('nashra-reactions-');
  const store = openStore(join(dir, 'n.db'));
  cleanups.push(() => {
    store.close();
    cleanup();
  });
  return { store, deps: { data: store.ports(), logger: createLogger({ level: 'silent' }) } };
}

/** One post of a new article to the chat, sent as `messageId`. */
async function sentPost(store: Store, n: number, subscriptionId: number, messageId: string): Promise<number> {
  const article = await storeNumberedArticle(store, n);
  store.jobs.enqueue(article.id, [{ id: subscriptionId }]);
  const [post] = store.jobs.listForArticle(article.id);
  store.jobs.markSending(post!.id);
  store.jobs.markSent(post!.id, messageId);
  return article.id;
}

const counts = async (deps: Parameters<typeof articleReactions>[0], articleId: number) =>
  Object.fromEntries(((await articleReactions(deps, articleId))[0]?.reactions ?? []).map((r) => [r.emoji, r.count]));

describe('recordReactions', () => {
  it('a digest message folds several articles: a reaction to it names no one post and is not counted', async () => {
    const { store, deps } = setUp();
    const sub = store.subscriptions.subscribe(
      { platform: 'telegram', chatId: CHAT, kind: 'channel' },
      Date.now() - 60_000,
    );
    // An hourly digest: the chat's posts are held for it, then one message carries them.
    store.deliverySettings.set(sub.id, {
      mode: 'hourly',
      urgentNow: false,
      timeZone: 'UTC',
      quietMode: 'silent',
      quietUrgent: false,
    });
    const folded = await Promise.all([1, 2].map((n) => storeNumberedArticle(store, n)));
    for (const a of folded) store.jobs.enqueue(a.id, [sub]);
    expect(folded.map((a) => store.jobs.listForArticle(a.id)[0]!.state)).toEqual(['held', 'held']);
    const digest = store.digests.open(sub.id, Date.now(), 2)!;
    const part = store.jobs.addDigestPart(
      digest,
      1,
      1,
      'digest',
      folded.map((a) => store.jobs.listForArticle(a.id)[0]!.id),
    );
    store.jobs.markSending(part);
    store.jobs.markSent(part, '2001');
    expect(folded.map((a) => store.jobs.listForArticle(a.id)[0]!.messageId)).toEqual(['2001', '2001']);
    store.deliverySettings.set(sub.id, {
      mode: 'immediate',
      urgentNow: false,
      timeZone: 'UTC',
      quietMode: 'silent',
      quietUrgent: false,
    });
    const alone = await sentPost(store, 3, sub.id, '2002');

    const report = (messageId: string): ReactionReport => ({
      kind: 'counts',
      platform: 'telegram',
      chatId: CHAT,
      messageId,
      counts: [{ emoji: '👍', count: 5 }],
      at: Date.now(),
    });
    expect(await recordReactions(deps, report('2001'))).toBe('not-our-post');
    expect(await recordReactions(deps, report('2002'))).toBe('recorded');
    // The platform's name matters too: the same chat id and message on another platform is another chat.
    expect(await recordReactions(deps, { ...report('2002'), platform: 'whatsapp' })).toBe('not-our-post');
    for (const a of folded) expect(await counts(deps, a.id)).toEqual({});
    expect(await counts(deps, alone)).toEqual({ '👍': 5 });
  });
});

/**
 * On both adapters: the chat and its post written as rows (tests/helpers/raw-db.ts), the reports through the newsroom,
 * each a unit of work. Three seeds on PostgreSQL: a seed's ~170 units took 1.3-2.2 s there, 0.7-0.9 s on SQLite (loaded
 * 2-core machine).
 */
describe.each(rawAdapters())('recordReactions on $name', ({ name, open }) => {
  it("property: changes delivered any number of times, in any order of their replays, count as each person's latest", async () => {
    for (const seed of name === 'postgres' ? [11, 12, 13] : [11, 12, 13, 14, 15, 16, 17, 18]) {
      const random = seededRandom(seed);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      const s = await open();
      const deps = { data: s.ports, logger: createLogger({ level: 'silent' }) };
      const r = rows(s);
      const article = await r.article();
      await r.post(article, await r.chat('telegram', CHAT), 'telegram', { message_id: '3001' });
      // Each person's reactions as Telegram tracks them (up to 3 with Premium); every change is one update.
      const people = new Map<number, string[]>();
      const updates: ReactionReport[] = [];
      const emoji = ['👍', '❤', '🔥', '🙏', '😢'];
      for (let id = 1; id <= 120; id++) {
        const person = 1 + Math.floor(random() * 8);
        const old = people.get(person) ?? [];
        const next = [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pick(emoji)))];
        people.set(person, next);
        updates.push({
          kind: 'change',
          platform: 'telegram',
          chatId: CHAT,
          messageId: '3001',
          removed: old,
          added: next,
          event: String(id),
          at: Date.now(),
        });
      }
      // Delivered in order, each update's replays (a webhook retried, a restart) a little later, mixed with the rest.
      const deliveries: ReactionReport[] = [];
      const pending: ReactionReport[] = [];
      for (const u of updates) {
        deliveries.push(u);
        if (random() < 0.3) pending.push(u);
        while (pending.length > 0 && random() < 0.5)
          deliveries.push(pending.splice(Math.floor(random() * pending.length), 1)[0]!);
      }
      deliveries.push(...pending);
      const outcomes = new Map<string, number>();
      for (const d of deliveries) {
        const o = await recordReactions(deps, d);
        outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      }
      const expected: Record<string, number> = {};
      for (const list of people.values()) for (const e of list) expected[e] = (expected[e] ?? 0) + 1;
      expect({ seed, counts: await counts(deps, article) }).toEqual({ seed, counts: expected });
      expect({ seed, recorded: outcomes.get('recorded'), replayed: outcomes.get('replayed') ?? 0 }).toEqual({
        seed,
        recorded: updates.length,
        replayed: deliveries.length - updates.length,
      });
    }
  });
});
