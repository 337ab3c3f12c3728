/**
 * Exactly once with the real delivery worker (src/delivery/worker.ts), on SQLite and on PostgreSQL: the worker takes
 * only the ports and its transports, so the same run proves the PostgreSQL adapter keeps the outbox's promises.
 *
 * Per seed: chats (two of them take hourly digests), articles queued for random chats (some urgent), the digest
 * chats' held posts folded into digest messages; the fake platform fails at random (temporary errors before anything
 * reached the chat, permanent refusals) and the process "dies" with a request on the wire (the chat got it, no answer
 * came back): the ports are closed, opened again on the same database, the start-up recovery holds what was
 * `sending` (in doubt) and a new worker carries on; from the second run on, edits are queued for the posts sent.
 *
 * The oracle is what the platform recorded. Checked: no message twice (a post, a digest message, an edit of one
 * revision), nothing lost (every post sent, failed for good, or in doubt, and what the outbox says matches what the
 * chats got), what was in doubt at a start never sent again, urgent posts before the others in each chat, and one
 * request at a time per chat. `WORKER_SEED=<n>` runs one seed alone.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../../../src/delivery/worker.js';
import type { CorrectionResult, Transport } from '../../../src/delivery/platform.js';
import { PermanentDeliveryError, TemporaryDeliveryError } from '../../../src/errors.js';
import { createLogger } from '../../../src/logger.js';
import type { PendingDigestPart } from '../../../src/model/delivery.js';
import { seededRandom } from '../../helpers/child-run.js';
import { addArticle, addChat, rawAdapters, setMode, type RawDatabase } from '../../helpers/raw-db.js';

const SEEDS = process.env.WORKER_SEED ? [Number(process.env.WORKER_SEED)] : [1, 2, 3, 4, 5];
const CHATS = 6;
const ARTICLES = 14;
const quietLogger = createLogger({ level: 'silent' });

interface Received {
  chat: string;
  kind: 'post' | 'digest';
  job: number;
  article?: number;
}
interface Touch {
  chat: string;
  post: number;
  messageId: string;
  revision: number;
}

/**
 * The fake platform: what each chat got, in order, and the dice for each request. Each process reaches it through
 * a connection of its own (`connect`): once the process died, what it still tries to send never leaves.
 */
class FakePlatform {
  readonly received: Received[] = [];
  readonly touched: Touch[] = [];
  /** Requests to one chat at once, from one process, at any moment. */
  overlaps = 0;
  crashesLeft = 2;
  onCrash: () => void = () => undefined;
  private messages = 0;

  constructor(private readonly dice: () => number) {}

  /** A process's transport; `die()` cuts it off. */
  connect(): { transport: Transport; die(): void } {
    const line = { alive: true, busy: new Set<string>() };
    const transport: Transport = {
      platform: 'telegram',
      concurrency: 3,
      isReady: () => true,
      send: (delivery, article) =>
        this.request(line, delivery.chatId, () => {
          this.received.push({ chat: delivery.chatId, kind: 'post', job: delivery.id, article: article.id });
        }),
      // The worker hands the digest message's job as its target (sendJob): its id names the message.
      sendText: (target) =>
        this.request(line, target.chatId, () => {
          this.received.push({ chat: target.chatId, kind: 'digest', job: (target as PendingDigestPart).id });
        }),
      posts: {
        edit: (post) =>
          this.request(line, post.chatId, () => {
            this.touched.push({
              chat: post.chatId,
              post: post.deliveryId,
              messageId: post.messageId,
              revision: post.revision,
            });
          }).then((): CorrectionResult => ({ outcome: 'edited' })),
        remove: () => Promise.resolve({ outcome: 'deleted' }),
      },
    };
    return {
      transport,
      die: () => {
        line.alive = false;
      },
    };
  }

  private async request(
    line: { alive: boolean; busy: Set<string> },
    chat: string,
    arrive: () => void,
  ): Promise<{ messageId: string }> {
    if (!line.alive) return new Promise<never>(() => undefined);
    if (line.busy.has(chat)) this.overlaps++;
    line.busy.add(chat);
    const roll = this.dice();
    try {
      // The wire takes a little while, so requests to different chats overlap.
      await new Promise((r) => setTimeout(r, 1 + Math.floor(roll * 4)));
      if (roll < 0.12)
        throw new TemporaryDeliveryError('Too Many Requests', { method: 'sendMessage', code: 429, retryAfterMs: 2 });
      if (roll < 0.17)
        throw new PermanentDeliveryError('Bad Request: message is too long', {
          method: 'sendMessage',
          code: 400,
          deactivate: false,
        });
      arrive();
      // The process dies with this request on the wire: the chat got it, no answer comes back.
      if (roll > 0.95 && this.crashesLeft > 0) {
        this.crashesLeft--;
        this.onCrash();
        return await new Promise<never>(() => undefined);
      }
      return { messageId: `${chat}:${++this.messages}` };
    } finally {
      line.busy.delete(chat);
    }
  }
}

/** Chats (two take hourly digests), articles queued for random chats (some urgent), the held posts in digest messages. */
async function queueOutbox(db: RawDatabase, dice: () => number): Promise<Set<number>> {
  const setup = db.ports.repos;
  const chats: number[] = [];
  for (let c = 0; c < CHATS; c++) chats.push(await addChat(db, `-10${c}`));
  const digestChats = chats.slice(0, 2);
  for (const id of digestChats) await setMode(db, id, 'hourly');
  const urgent = new Set<number>();
  for (let n = 1; n <= ARTICLES; n++) {
    const article = await addArticle(db, n);
    const to = chats.filter(() => dice() < 0.7);
    const priority = dice() < 0.25 ? 1 : 0;
    if (priority > 0) urgent.add(article);
    await setup.audience.queueListed(article, to, { priority }, 1_000 + n);
  }
  for (const chat of digestChats) {
    const held = await setup.digests.heldFor(chat, 10_000);
    if (held.length === 0) continue;
    const digest = (await setup.digests.open(chat, 3_600_000, held.length, 5_000))!;
    const half = Math.ceil(held.length / 2);
    const parts = [held.slice(0, half), held.slice(half)].filter((p) => p.length > 0);
    for (const [i, p] of parts.entries())
      await setup.digests.addMessage(
        digest,
        i + 1,
        parts.length,
        `ملخص ${i + 1}`,
        p.map((h) => h.id),
        5_000,
      );
  }
  return urgent;
}

/** What the platform got against what the outbox says (the checks at the top of this file), as counts. */
async function verdict(
  db: RawDatabase,
  platform: FakePlatform,
  heldInDoubt: ReadonlySet<number>,
  urgent: ReadonlySet<number>,
) {
  const jobs = await db.sql(
    `SELECT id, kind, subscription_id, state, attempts, carried_by, message_id FROM jobs ORDER BY id`,
  );
  const chatOf = new Map(
    (await db.sql('SELECT id, chat_id FROM subscriptions')).map((r) => [r.id as number, r.chat_id as string]),
  );
  const count = (keys: string[]) => {
    const n = new Map<string, number>();
    for (const k of keys) n.set(k, (n.get(k) ?? 0) + 1);
    return n;
  };
  const receipts = count(platform.received.map((r) => String(r.job)));
  const postsGot = count(platform.received.filter((x) => x.kind === 'post').map((r) => `${r.chat}:${r.article}`));
  const edits = count(platform.touched.map((t) => `${t.post}@${t.revision}`));
  const duplicates = [...receipts.values(), ...postsGot.values(), ...edits.values()].filter((n) => n > 1).length;

  // Each post: how many times its chat got it, directly or in the digest message carrying it.
  const byId = new Map(jobs.map((j) => [j.id as number, j]));
  const got = (j: Record<string, unknown>) => receipts.get(String(j.carried_by ?? j.id)) ?? 0;
  const lost = jobs
    .filter((j) => j.kind === 'post')
    .filter(
      (j) =>
        !['sent', 'failed', 'in_doubt'].includes(j.state as string) ||
        (j.state === 'sent' && got(j) !== 1) ||
        (j.state === 'failed' && got(j) !== 0),
    );
  const unexplained = platform.received.filter((r) => !['sent', 'in_doubt'].includes(byId.get(r.job)?.state as string));
  const resent = [...heldInDoubt].filter(
    (id) => byId.get(id)?.state !== 'in_doubt' || (receipts.get(String(id)) ?? 0) > 1,
  );
  // Urgent first: in each chat, a post that went at its first try is never preceded by an ordinary one while an
  // urgent one that went at its first try was waiting (all were queued before the first run).
  const firstTry = platform.received.filter((r) => r.kind === 'post' && byId.get(r.job)?.attempts === 1);
  const lateUrgent = [...new Set(firstTry.map((r) => r.chat))].filter((chat) => {
    const order = firstTry.filter((r) => r.chat === chat).map((r) => urgent.has(r.article!));
    return order.indexOf(false) !== -1 && order.lastIndexOf(true) > order.indexOf(false);
  });
  const editsOfUnsent = platform.touched.filter((t) => {
    const post = byId.get(t.post);
    return (
      post?.state !== 'sent' || post.message_id !== t.messageId || chatOf.get(post.subscription_id as number) !== t.chat
    );
  });
  return {
    messages: platform.received.length,
    edits: platform.touched.length,
    inDoubt: heldInDoubt.size,
    duplicates,
    lost: lost.length,
    unexplained: unexplained.length,
    resent: resent.length,
    lateUrgent,
    overlaps: platform.overlaps,
    editsOfUnsent: editsOfUnsent.length,
  };
}

const EXACTLY_ONCE = { duplicates: 0, lost: 0, unexplained: 0, resent: 0, editsOfUnsent: 0 };

describe.each(rawAdapters())('exactly once with the real worker on $name', ({ open }) => {
  it.each(SEEDS)(
    'seed %i: nothing twice, nothing lost, in doubt held, urgent first, one request per chat',
    async (seed) => {
      const db = await open();
      const urgent = await queueOutbox(db, seededRandom(seed));
      const platform = new FakePlatform(seededRandom(seed * 7919));
      const heldInDoubt = new Set<number>();
      let ports = db.ports;
      for (let generation = 0; generation < 10; generation++) {
        if (generation > 0) ports = await db.reopen();
        const data = ports;
        await data.repos.jobs.recoverInterrupted('hold', Date.now());
        for (const row of await db.sql(`SELECT id FROM jobs WHERE state = 'in_doubt'`))
          heldInDoubt.add(row.id as number);
        if (generation === 1)
          for (let n = 1; n <= ARTICLES; n++) await data.repos.corrections.queueEdits(n, 2, Date.now());
        const crashed = new Promise<'crash'>((resolve) => {
          platform.onCrash = () => resolve('crash');
        });
        const line = platform.connect();
        const worker = new DeliveryWorker(data, [line.transport], quietLogger, {
          backoffMs: 2,
          pollMs: 5,
          maxAttempts: 4,
        });
        const drained = worker.drain(60_000, 5_000);
        drained.catch(() => undefined);
        if ((await Promise.race([drained.then(() => 'drained' as const), crashed])) === 'drained') break;
        // The process dies: nothing more leaves it, and its database is closed under whatever was still on its way.
        line.die();
        await worker.stop(0);
      }
      const summary = { seed, ...(await verdict(db, platform, heldInDoubt, urgent)) };
      console.log(`[worker property] ${JSON.stringify(summary)}`);
      expect(summary).toEqual({ ...summary, ...EXACTLY_ONCE, lateUrgent: [], overlaps: 0 });
      expect(summary.messages).toBeGreaterThan(20);
    },
  );
});

/**
 * Several Nashra processes on one PostgreSQL database (what it is for): two workers, each with its own pool, drain
 * the same outbox at once. Each job is claimed by one (markSending's compare-and-set under the write lock). Requests
 * of the two may meet in a chat (one `nashra run` holds the run lease in production): only each one's are counted.
 */
describe.each(rawAdapters().filter((a) => a.name === 'postgres'))('two workers on one $name database', ({ open }) => {
  it.each(SEEDS)('seed %i: every job claimed by one of them, nothing twice, nothing lost', async (seed) => {
    const db = await open();
    const urgent = await queueOutbox(db, seededRandom(seed));
    const platform = new FakePlatform(seededRandom(seed * 104_729));
    platform.crashesLeft = 0;
    const workers = [];
    for (const ports of [db.ports, await db.another()]) {
      workers.push(
        new DeliveryWorker(ports, [platform.connect().transport], quietLogger, {
          backoffMs: 2,
          pollMs: 5,
          maxAttempts: 4,
        }),
      );
    }
    await Promise.all(workers.map((w) => w.drain(60_000, 5_000)));
    const summary = { seed, ...(await verdict(db, platform, new Set(), urgent)) };
    console.log(`[two workers] ${JSON.stringify({ ...summary, byWorker: workers.map((w) => w.totals.sent) })}`);
    expect(summary).toEqual({ ...summary, ...EXACTLY_ONCE, overlaps: 0 });
    expect(workers.every((w) => w.totals.sent > 0)).toBe(true);
  });
});
