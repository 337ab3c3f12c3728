/**
 * Subscription actions from several front doors at once (issue 23 §3, the subscriptions slice of the ports): each is
 * one unit of work with its audit entry, so however their awaits interleave, replaying the audit log in order gives
 * exactly the subscriptions stored, every result that changed something has its one entry, and what an
 * unsubscription cancelled is what its entry says. Against a real database (either adapter: tests/helpers/raw-db.ts); nothing of ours is mocked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAppConfig, newsroomDeps, BUILT_IN_PLATFORMS } from '../../src/app/platforms.js';
import { createLogger } from '../../src/logger.js';
import {
  changeSubscription,
  CLI_OPERATOR,
  confirmBroadcast,
  previewBroadcast,
  setDelivery,
  setTopics,
  subscribe,
  subscriptionLost,
  unsubscribe,
  type Actor,
  type NewsroomDeps,
} from '../../src/newsroom/index.js';
import { storeNumberedArticle } from '../helpers/articles.js';
import type { Repositories } from '../../src/ports/index.js';
import { createDatabase, type OwnedDatabase } from '../helpers/raw-db.js';
import { seededRandom } from '../helpers/child-run.js';

/** A Telegram group admin (the bot checked they manage the chat), an editor at the desk, the operator at the shell. */
const ADMIN: Actor = { platform: 'telegram', id: '7001' };
// An admin of the outlet on the desk: managing chats is an admin's (an `editor` role is refused, tests/desk/outlets.test.ts).
const DESK: Actor = { platform: 'desk', id: 'editor@example.org', role: 'admin' };
const CHATS = ['-1001', '-1002'];
const PLATFORM = 'telegram';

let db: OwnedDatabase;
let repos: Repositories;
let deps: NewsroomDeps;
let articles = 0;

beforeEach(async () => {
  db = await createDatabase();
  repos = db.ports.repos;
  const config = loadAppConfig({ TELEGRAM_BOT_TOKEN: '123456789:AAHfakeTokenForNashraTests_abcdefXYZ' });
  deps = newsroomDeps(BUILT_IN_PLATFORMS, config, db.ports, createLogger({ level: 'silent' }), () => undefined);
  articles = 0;
});
afterEach(() => db.close());

/** The subscriptions' audit entries, oldest first (no port reads the log back). */
const auditOf = async () =>
  (
    await db.sql(`SELECT id, platform, action, detail FROM audit_log WHERE action LIKE 'subscription.%' ORDER BY id`)
  ).map((e) => ({
    id: e.id as number,
    platform: e.platform as string,
    action: e.action as string,
    detail: JSON.parse(e.detail as string) as Record<string, unknown>,
  }));
/** Every post (or one article's), with its chat, state and error. */
const allJobs = async (articleId?: number) =>
  (
    await (articleId === undefined
      ? db.sql(`SELECT subscription_id, state, last_error FROM jobs WHERE kind = 'post' ORDER BY id`)
      : db.sql(
          `SELECT subscription_id, state, last_error FROM jobs WHERE kind = 'post' AND article_id = ? ORDER BY id`,
          articleId,
        ))
  ).map((j) => ({
    subscriptionId: j.subscription_id as number,
    state: j.state as string,
    lastError: j.last_error as string | null,
  }));

/** An editor's broadcast to every active chat: queued jobs for an unsubscription to cancel. */
async function broadcast(): Promise<number> {
  const n = ++articles;
  const article = await storeNumberedArticle(db.ports, n);
  const p = await previewBroadcast(deps, CLI_OPERATOR, String(article.id), { audience: { kind: 'all' } });
  await confirmBroadcast(deps, CLI_OPERATOR, p.broadcast.id, p.broadcast.token);
  return article.id;
}

/** What the audit log says each chat is, replayed in order; a step that contradicts the state before it is listed. */
async function replay(): Promise<{
  state: Map<string, { active: boolean; topics: string[] }>;
  contradictions: string[];
  cancelled: number;
}> {
  const chats = new Map((await repos.subscriptions.list()).map((s) => [s.id, s.chatId]));
  const chatOf = (id: number) => chats.get(id);
  const state = new Map<string, { active: boolean; topics: string[] }>();
  const contradictions: string[] = [];
  let cancelled = 0;
  for (const e of await auditOf()) {
    const chat = (e.detail.chat as string | undefined) ?? chatOf(e.detail.subscription as number)!;
    const before = state.get(chat);
    const topics = (e.detail.topics as string[] | undefined) ?? before?.topics ?? [];
    if (e.action === 'subscription.add') {
      if (before?.active) contradictions.push(`#${e.id} adds ${chat}, active already`);
      state.set(chat, { active: true, topics });
    } else if (e.action === 'subscription.update') {
      if (!before?.active) contradictions.push(`#${e.id} updates ${chat}, not active`);
      state.set(chat, { active: true, topics });
    } else if (e.action === 'subscription.remove' || e.action === 'subscription.lost') {
      if (!before?.active) contradictions.push(`#${e.id} removes ${chat}, not active`);
      state.set(chat, { active: false, topics: before?.topics ?? [] });
      cancelled += e.detail.cancelled as number;
    }
  }
  return { state, contradictions, cancelled };
}

describe('subscription actions interleaving', () => {
  it('subscribe from a Telegram group and unsubscribe from the desk, asked at once: both whole, in one order, audited in it', async () => {
    await subscribe(deps, ADMIN, { platform: PLATFORM, chatId: CHATS[0]!, topics: ['حلب'] }, { managesChat: true });
    const articleId = await broadcast();
    // Neither awaited before the other: each yields at its awaits, as two requests would.
    const [unsub, sub, again] = await Promise.all([
      unsubscribe(deps, DESK, { platform: PLATFORM, chatId: CHATS[0]! }),
      subscribe(deps, ADMIN, { platform: PLATFORM, chatId: CHATS[0]!, topics: ['دمشق'] }, { managesChat: true }),
      unsubscribe(deps, CLI_OPERATOR, { platform: PLATFORM, chatId: CHATS[0]! }),
    ]);
    // Whatever the order, each is whole and the audit log tells it: one entry per result that changed something, its
    // replay is the chat as stored, and the one queued post was cancelled by the unsubscription that says it did.
    const changed = [sub.kind !== 'already', unsub.kind === 'unsubscribed', again.kind === 'unsubscribed'].filter(
      Boolean,
    ).length;
    const { state, contradictions, cancelled } = await replay();
    expect(contradictions).toEqual([]);
    expect(await auditOf()).toHaveLength(1 + changed); // the first subscription's entry too
    expect(await repos.subscriptions.findByChat(PLATFORM, CHATS[0]!)).toMatchObject(state.get(CHATS[0]!)!);
    const [canceller] = [unsub, again].filter((r) => r.kind === 'unsubscribed' && r.cancelled === 1);
    expect(cancelled).toBe(1);
    expect(await allJobs(articleId)).toEqual([
      expect.objectContaining({
        state: 'failed',
        lastError: expect.stringMatching(canceller === unsub ? /unsubscribed by desk:/ : /unsubscribed by cli:/),
      }),
    ]);
    if (db.name === 'sqlite') {
      // On SQLite, units run in the order they are reached: the group's admin is not asked the editor list (an await
      // fewer), so the group's subscription comes first, then the desk's unsubscription, then the shell's (nothing
      // left to end). PostgreSQL's order is the order its write lock is granted in.
      expect(sub).toMatchObject({ kind: 'updated', changes: ['topics'], subscription: { topics: ['دمشق'] } });
      expect(unsub).toMatchObject({ kind: 'unsubscribed', cancelled: 1 });
      expect(again).toEqual({ kind: 'not-subscribed' });
      expect((await auditOf()).map((e) => `${e.action} ${e.platform}`)).toEqual([
        'subscription.add telegram',
        'subscription.update telegram',
        'subscription.remove desk',
      ]);
      expect(await repos.subscriptions.findByChat(PLATFORM, CHATS[0]!)).toMatchObject({
        active: false,
        topics: ['دمشق'],
      });
    }
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`any mix of actions on two chats from three front doors agrees with its audit log (seed ${seed})`, async () => {
      const random = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const doors: Array<[Actor, { managesChat?: boolean }]> = [
        [ADMIN, { managesChat: true }],
        [DESK, {}],
        [CLI_OPERATOR, {}],
      ];
      let expectedEntries = 0;
      let rejected = 0;
      for (let round = 0; round < 30; round++) {
        if (random() < 0.3 && (await repos.subscriptions.active()).length > 0) await broadcast();
        // The chats' ids read before the batch starts: an await between its actions would let one of them reject
        // before allSettled is listening (an unhandled rejection), and would let them run one by one.
        const ids = new Map(
          await Promise.all(
            CHATS.map(async (c) => [c, (await repos.subscriptions.findByChat(PLATFORM, c))?.id ?? 1] as const),
          ),
        );
        const batch: Array<Promise<number>> = [];
        for (let i = 1 + Math.floor(random() * 5); i > 0; i--) {
          const [actor, authority] = pick(doors);
          const chatId = pick(CHATS);
          const id = ids.get(chatId)!;
          const topics = pick([[], ['حلب'], ['دمشق', '-رياضة']]);
          // Each resolves to how many audit entries its result promises.
          const action = pick(['subscribe', 'unsubscribe', 'lost', 'topics', 'delivery', 'change'] as const);
          batch.push(
            action === 'subscribe'
              ? subscribe(
                  deps,
                  actor,
                  { platform: PLATFORM, chatId, topics: pick([undefined, topics]) },
                  authority,
                ).then((r) => (r.kind === 'already' ? 0 : 1))
              : action === 'unsubscribe'
                ? unsubscribe(deps, actor, { platform: PLATFORM, chatId }, authority).then((r) =>
                    r.kind === 'unsubscribed' ? 1 : 0,
                  )
                : action === 'lost'
                  ? subscriptionLost(deps, { platform: PLATFORM, chatId }, 'the bot was removed from the group').then(
                      (lost) => (lost ? 1 : 0),
                    )
                  : action === 'topics'
                    ? setTopics(deps, actor, id, topics, authority).then(() => 1)
                    : action === 'delivery'
                      ? setDelivery(
                          deps,
                          actor,
                          { platform: PLATFORM, chatId },
                          { digest: pick([{ mode: 'immediate' }, { mode: 'hourly' }] as const) },
                          authority,
                        ).then((r) => (r.kind === 'updated' ? 1 : 0))
                      : changeSubscription(
                          deps,
                          actor,
                          id,
                          { topics, template: { footer: pick(['', 'نشرة', null]) } },
                          authority,
                        ).then((r) => (r.changes.length > 0 ? 1 : 0)),
          );
        }
        for (const r of await Promise.allSettled(batch)) {
          if (r.status === 'fulfilled') expectedEntries += r.value;
          else {
            // Only a setTopics or a change of a chat that is not (or no longer) active is refused, and it wrote nothing.
            expect(String(r.reason)).toMatch(/is not active|no subscription with id/);
            rejected++;
          }
        }
        const { state, contradictions, cancelled } = await replay();
        expect(contradictions).toEqual([]);
        expect(await auditOf()).toHaveLength(expectedEntries);
        for (const [chatId, want] of state) {
          expect(
            await repos.subscriptions.findByChat(PLATFORM, chatId),
            `${chatId} after round ${round}`,
          ).toMatchObject(want);
        }
        // What the removals' entries say they cancelled is what failed for that reason, and nothing waits for an inactive chat.
        const jobs = await allJobs();
        expect(jobs.filter((j) => /subscription deactivated/.test(j.lastError ?? ''))).toHaveLength(cancelled);
        const inactive = new Set((await repos.subscriptions.list()).filter((s) => !s.active).map((s) => s.id));
        expect(jobs.filter((j) => j.state === 'queued' && inactive.has(j.subscriptionId))).toEqual([]);
      }
      // The mix did interleave and conflict: something was refused and something was cancelled.
      expect(expectedEntries).toBeGreaterThan(10);
      expect(rejected + (await replay()).cancelled).toBeGreaterThan(0);
    });
  }
});
