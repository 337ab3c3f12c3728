/**
 * Broadcast decisions from several front doors at once (issue 23 §3, the broadcasts slice of the ports): each action
 * is one unit of work with its audit entry, so however the presses interleave, a broadcast is decided once, by the
 * one press its audit entry names, and what that entry says it queued or skipped is what the outbox holds. Against a
 * this pass's database (SQLite, or PostgreSQL in its pass); nothing of ours is mocked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAppConfig, newsroomDeps, BUILT_IN_PLATFORMS } from '../../src/app/platforms.js';
import { createLogger } from '../../src/logger.js';
import type { Broadcast } from '../../src/model/broadcast.js';
import {
  broadcastStatus,
  cancelBroadcast,
  CLI_OPERATOR,
  confirmBroadcast,
  placeProgress,
  previewBroadcast,
  setBroadcastPaid,
  stopBroadcast,
  subscribe,
  type Actor,
  type NewsroomDeps,
} from '../../src/newsroom/index.js';
import { storeNumberedArticle } from '../helpers/articles.js';
import type { DataPorts } from '../../src/ports/index.js';
import { seededRandom } from '../helpers/child-run.js';
import { auditLog, createDatabase, jobsOf, type OwnedDatabase } from '../helpers/raw-db.js';

/** An editor on Telegram (a button press), an editor at the desk (a form), the operator at the shell. */
const TELEGRAM: Actor = { platform: 'telegram', id: '4242' };
const DESK: Actor = { platform: 'desk', id: 'editor@example.org' };
const DOORS = [TELEGRAM, DESK, CLI_OPERATOR];
const CHATS = ['-1001', '-1002', '-1003', '-1004'];

let db: OwnedDatabase;
let store: DataPorts;
let deps: NewsroomDeps;
let articles = 0;

beforeEach(async () => {
  db = await createDatabase();
  store = db.ports;
  const config = loadAppConfig({
    ...db.env,
    TELEGRAM_BOT_TOKEN: '123456789:AAHfakeTokenForNashraTests_abcdefXYZ',
    TELEGRAM_EDITOR_IDS: TELEGRAM.id,
    TELEGRAM_PAID_BROADCAST_RATE: '1000',
  });
  deps = newsroomDeps(BUILT_IN_PLATFORMS, config, store, createLogger({ level: 'silent' }), () => undefined);
  articles = 0;
  for (const chatId of CHATS) await subscribe(deps, CLI_OPERATOR, { platform: 'telegram', chatId });
});
afterEach(() => db.close());

const auditOf = async () => (await auditLog(db, 100_000)).reverse().filter((e) => e.action.startsWith('broadcast.'));

async function article(): Promise<number> {
  return (await storeNumberedArticle(store, ++articles)).id;
}

async function preview(subscriptionIds?: number[]): Promise<Broadcast> {
  const audience = subscriptionIds ? { kind: 'chats' as const, subscriptionIds } : { kind: 'all' as const };
  return (await previewBroadcast(deps, DESK, String(await article()), { audience })).broadcast;
}

describe('broadcast decisions interleaving', () => {
  it('confirm from Telegram and cancel from the desk, pressed at once: the first asked wins, once, audited once', async () => {
    const b = await preview();
    // Neither awaited before the other: each yields at its awaits, as two requests would.
    const [confirmed, cancelled] = await Promise.all([
      confirmBroadcast(deps, TELEGRAM, b.id, b.token),
      cancelBroadcast(deps, DESK, b.id, b.token),
    ]);
    expect(confirmed).toMatchObject({ kind: 'done', queued: 4, broadcast: { state: 'queued' } });
    expect(cancelled).toMatchObject({ kind: 'already-decided', broadcast: { state: 'queued' } });
    expect((await auditOf()).map((e) => `${e.action} ${e.platform}`)).toEqual([
      'broadcast.preview desk',
      'broadcast.confirm telegram',
    ]);
    expect((await jobsOf(db, b.articleId)).map((j) => j.state)).toEqual(['queued', 'queued', 'queued', 'queued']);

    // The other way round: the cancel is asked first, and the confirmation queues nothing.
    const c = await preview();
    const [cancel, confirm] = await Promise.all([
      cancelBroadcast(deps, DESK, c.id, c.token),
      confirmBroadcast(deps, TELEGRAM, c.id, c.token),
    ]);
    expect(cancel).toMatchObject({ kind: 'done', broadcast: { state: 'cancelled' } });
    expect(confirm).toMatchObject({ kind: 'already-decided', broadcast: { state: 'cancelled' } });
    expect(await jobsOf(db, c.articleId)).toEqual([]);
    expect((await auditOf()).slice(2).map((e) => `${e.action} ${e.platform}`)).toEqual([
      'broadcast.preview desk',
      'broadcast.cancel desk',
    ]);
  });

  it('a stop pressed while the confirmation is on its way skips exactly what that confirmation queued', async () => {
    const b = await preview();
    const [confirmed, stopped, again] = await Promise.all([
      confirmBroadcast(deps, DESK, b.id, b.token),
      stopBroadcast(deps, TELEGRAM, b.id, b.token),
      stopBroadcast(deps, CLI_OPERATOR, b.id, b.token),
    ]);
    expect(confirmed).toMatchObject({ kind: 'done', queued: 4 });
    expect(stopped).toMatchObject({ kind: 'done', skipped: 4, broadcast: { state: 'stopped' } });
    expect(again).toMatchObject({ kind: 'already-decided' });
    expect((await jobsOf(db, b.articleId)).map((j) => j.state)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(await broadcastStatus(deps, b.id)).toMatchObject({
      state: 'stopped',
      skipped: 4,
      remaining: 0,
      finished: true,
    });
    expect((await auditOf()).map((e) => e.action)).toEqual([
      'broadcast.preview',
      'broadcast.confirm',
      'broadcast.stop',
    ]);
  });

  for (const seed of [1, 2, 3]) {
    it(`any mix of presses on a few broadcasts from three front doors agrees with the audit log and the outbox (seed ${seed})`, async () => {
      const random = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const subscriptionIds = (await store.repos.subscriptions.list()).map((s) => s.id);
      const all: Broadcast[] = [];
      let entries = (await auditOf()).length;
      let pressedLate = 0;
      const decision = (r: { kind: string }) => {
        if (r.kind === 'done') return 1;
        pressedLate++;
        return 0;
      };
      for (let round = 0; round < 25; round++) {
        // A new preview now and then: everyone, or some chats (some of which may have the article already: none).
        // Presses go to broadcasts still to decide or to stop (a few to others: they must find them decided).
        const states = await Promise.all(all.map(async (b) => (await store.repos.broadcasts.get(b.id))!.state));
        const live = all.filter((_, i) => ['preview', 'queued'].includes(states[i]!));
        if (live.length < 2 || random() < 0.3) {
          live.push(await preview(random() < 0.5 ? undefined : subscriptionIds.filter(() => random() < 0.5)));
          all.push(live.at(-1)!);
          entries++;
        }
        const batch: Array<Promise<number>> = [];
        for (let i = 2 + Math.floor(random() * 5); i > 0; i--) {
          const b = random() < 0.9 ? pick(live) : pick(all);
          const actor = pick(DOORS);
          // A forged or replayed button now and then: it must change nothing.
          const token = random() < 0.15 ? 'deadbeefdeadbeef' : b.token;
          const action = pick(['confirm', 'cancel', 'stop', 'paid', 'place', 'status'] as const);
          // Each resolves to how many audit entries its result promises.
          batch.push(
            action === 'confirm'
              ? confirmBroadcast(deps, actor, b.id, token).then(decision)
              : action === 'cancel'
                ? cancelBroadcast(deps, actor, b.id, token, pick(['cancelled', 'expired'] as const)).then(decision)
                : action === 'stop'
                  ? stopBroadcast(deps, actor, b.id, token).then(decision)
                  : action === 'paid'
                    ? setBroadcastPaid(deps, actor, b.id, token, random() < 0.5).then((r) => (r ? 1 : 0))
                    : action === 'place'
                      ? placeProgress(deps, actor, b.id, token, { chatId: actor.id, messageId: String(round) }).then(
                          () => 0,
                        )
                      : broadcastStatus(deps, b.id).then(() => 0),
          );
        }
        for (const r of await Promise.all(batch)) entries += r;
        const log = await auditOf();
        expect(log).toHaveLength(entries);
        for (const b of all) {
          const now = (await store.repos.broadcasts.get(b.id))!;
          const own = log.filter((e) => e.detail.broadcast === b.id);
          const decided = own.filter((e) => ['broadcast.confirm', 'broadcast.cancel'].includes(e.action));
          const stops = own.filter((e) => e.action === 'broadcast.stop');
          const jobs = await jobsOf(db, b.articleId);
          // Decided at most once, and its state is what its entries say.
          expect(decided.length, `broadcast ${b.id}`).toBeLessThanOrEqual(1);
          expect(stops.length).toBeLessThanOrEqual(1);
          const confirm = decided.find((e) => e.action === 'broadcast.confirm');
          const state = stops.length
            ? 'stopped'
            : confirm
              ? ['queued', 'done']
              : decided.length
                ? 'cancelled'
                : 'preview';
          expect(Array.isArray(state) ? state : [state]).toContain(now.state);
          // What the confirmation says it queued is in the outbox, and nothing of a broadcast not confirmed.
          expect(jobs).toHaveLength(confirm ? (confirm.detail.queued as number) : 0);
          expect(jobs.every((j) => j.broadcastId === b.id)).toBe(true);
          // What the stop says it skipped was skipped for it, and nothing of a confirmed broadcast waits after a stop.
          expect(jobs.filter((j) => j.state === 'skipped')).toHaveLength(
            stops.length ? (stops[0]!.detail.skipped as number) : 0,
          );
          if (stops.length) expect(jobs.filter((j) => j.state === 'queued')).toEqual([]);
          // Paid is the last choice recorded before the decision (none after it: a late press changes nothing).
          const paid = own.filter((e) => e.action === 'broadcast.paid');
          expect(now.paid).toBe((paid.at(-1)?.detail.paid as boolean | undefined) ?? false);
          if (decided.length) expect(paid.every((e) => e.id < decided[0]!.id)).toBe(true);
          // A progress place is recorded only for a decided broadcast, and only by an editor with its token.
          if (now.progressChat !== undefined) expect(now.state).not.toBe('preview');
        }
      }
      // The mix did decide things, and did conflict (presses that found it decided already).
      const log = await auditOf();
      expect(
        log.filter((e) => ['broadcast.confirm', 'broadcast.cancel', 'broadcast.stop'].includes(e.action)).length,
      ).toBeGreaterThan(10);
      expect(pressedLate).toBeGreaterThan(5);
    });
  }
});
