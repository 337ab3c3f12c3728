/**
 * Reactions in WhatsApp groups to Nashra's posts (issue 25, section 2), through the fake client's `message_reaction`
 * event (whatsapp-web.js's Reaction shape), the real adapter and delivery worker; counts read back from SQLite.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { WaReaction } from '../../../bots/whatsapp/types.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WhatsAppSettings } from '../../../bots/whatsapp/config.js';
import { WhatsAppAdapter } from '../../../bots/whatsapp/index.js';
import { loadAppConfig } from '../../../src/app/platforms.js';
import { DeliveryWorker } from '../../../src/delivery/worker.js';
import { createLogger } from '../../../src/logger.js';
import {
  articleReactions,
  CLI_OPERATOR,
  confirmRetraction,
  previewRetraction,
  type NewsroomDeps,
} from '../../../src/newsroom/index.js';
import { bridgeArticle, routeArticleIn, storeArticleIn } from '../../helpers/articles.js';
import type { DataPorts } from '../../../src/ports/index.js';
import { adapterContextOn } from '../../helpers/context.js';
import { createDatabase, jobsOf, onPostgres, type RawDatabase } from '../../helpers/raw-db.js';
import type { StoredArticle } from '../../../src/model/article.js';
import {
  BOT_ID,
  FakeClock,
  FakeWhatsAppWorld,
  until,
  type FakeWhatsAppClient,
} from '../../helpers/fake-whatsapp-client.js';
import { tempDir } from '../../helpers/tmp.js';
import { seededRandom } from '../../helpers/child-run.js';

const GROUP = '120363000000000001@g.us';
const OTHER_GROUP = '120363000000000099@g.us';
const MEMBERS = ['963933000001', '963933000002', '963933000003', '963933000004'];
const member = (i: number) => `${MEMBERS[i]}@c.us`;

let cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface Harness {
  data: DataPorts;
  db: RawDatabase;
  world: FakeWhatsAppWorld;
  clock: FakeClock;
  newsroom: NewsroomDeps;
  dir: string;
  lines: string[];
  /** The connected adapter's client. */
  client(): FakeWhatsAppClient;
  /** Stops the adapter and starts a new one on the same database (the run restarted). */
  restart(): Promise<void>;
  send(n: number): Promise<{ article: StoredArticle; messageId: string }>;
}

async function harness(): Promise<Harness> {
  const { dir, cleanup } = tempDir('nashra-wa-react-');
  const db = await createDatabase();
  const store = db.ports;
  const config = loadAppConfig({ ...db.env, WHATSAPP_ENABLED: '1', WHATSAPP_SESSION_DIR: join(dir, 'session') });
  const clock = new FakeClock();
  const world = new FakeWhatsAppWorld(clock.now);
  world.addGroup(
    GROUP,
    'أخبار الحي',
    MEMBERS.map((number) => ({ number })),
  );
  world.addGroup(
    OTHER_GROUP,
    'مجموعة أخرى',
    MEMBERS.map((number) => ({ number })),
  );
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
  let worker: DeliveryWorker | undefined;
  const ctx = adapterContextOn(config, db, logger, { onQueued: () => worker?.notify() });
  const build = () =>
    new WhatsAppAdapter(config.platforms.whatsapp as WhatsAppSettings, ctx, {
      createClient: world.createClient,
      clock,
      random: () => 0.5,
      loadMedia: null,
    });
  let adapter = build();
  worker = new DeliveryWorker(store, [adapter.transport], logger, { pollMs: 2, backoffMs: 5 });
  cleanups.push(async () => {
    await worker!.stop(100);
    await adapter.stop();
    await db.close();
    cleanup();
  });
  await store.repos.subscriptions.subscribe(
    { platform: 'whatsapp', chatId: GROUP, kind: 'group' },
    clock.now() - 3600_000,
  );
  await adapter.start();
  await until(() => adapter.isConnected(), 2000, 'the adapter to be ready');
  worker.start();
  return {
    data: store,
    db,
    world,
    clock,
    newsroom: ctx.newsroom,
    dir,
    lines,
    client: () => adapter.client as FakeWhatsAppClient,
    async restart() {
      await adapter.stop();
      adapter = build();
      await adapter.start();
      await until(() => adapter.isConnected(), 2000, 'the new adapter to be ready');
    },
    async send(i: number) {
      const r = await storeArticleIn(store, bridgeArticle(i), { now: clock.now() });
      if (r.status !== 'new') throw new Error('duplicate');
      await routeArticleIn(store, r.article);
      worker!.notify();
      await until(
        async () => (await jobsOf(db, r.article.id)).every((d) => d.state === 'sent'),
        5000,
        `article ${i} to be sent`,
      );
      return { article: r.article, messageId: (await jobsOf(db, r.article.id))[0]!.messageId! };
    },
  };
}

async function counts(h: Harness, articleId: number): Promise<Record<string, number>> {
  const [wa] = (await articleReactions(h.newsroom, articleId)).filter((p) => p.platform === 'whatsapp');
  return Object.fromEntries((wa?.reactions ?? []).map((r) => [r.emoji, r.count]));
}

const reports = (h: Harness) => h.lines.filter((l) => /reaction report (recorded|ignored)/.test(l));
const why = (h: Harness) => reports(h).map((l) => /why="?([^"\s]+)/.exec(l)?.[1]);
/** Reactions are handled one at a time, in order: once `n` reports are in, everything emitted before them was handled. */
const handled = (h: Harness, n: number) => until(() => reports(h).length >= n, 3000, `${n} reaction reports`);

describe('WhatsApp reactions', () => {
  it("counts per emoji; a sender's new reaction replaces their previous one, and an empty one takes it back", async () => {
    const h = await harness();
    const { article, messageId } = await h.send(1);
    const c = h.client();
    c.react(messageId, member(0), '👍');
    c.react(messageId, member(1), '👍');
    c.react(messageId, member(2), '❤️');
    c.react(messageId, member(0), '😢'); // 👍 → 😢
    c.react(messageId, member(1), ''); // 👍 taken back
    c.react(messageId, member(3), '🙏');
    c.react(messageId, member(3), '🙏'); // the same again: nothing changes
    c.react(messageId, member(2), '🙏'); // ❤️ → 🙏
    await handled(h, 8);
    expect(await counts(h, article.id)).toEqual({ '🙏': 2, '😢': 1 });
    expect(why(h).every((w) => w === 'recorded')).toBe(true);
  });

  it("a reaction emitted again (a resync) counts once, also after a restart, and teaches the new process the sender's reaction", async () => {
    const h = await harness();
    const { article, messageId } = await h.send(1);
    const first = h.client().react(messageId, member(0), '👍');
    const second = h.client().react(messageId, member(1), '🔥');
    await handled(h, 2);
    h.client().emit('message_reaction', first);
    h.client().emit('message_reaction', second);
    h.client().react(messageId, member(2), '👏');
    await handled(h, 5);
    expect(why(h)).toEqual(['recorded', 'recorded', 'replayed', 'replayed', 'recorded']);
    expect(await counts(h, article.id)).toEqual({ '👍': 1, '🔥': 1, '👏': 1 });

    await h.restart();
    // The new connection syncs what it missed: the same reactions again.
    h.client().emit('message_reaction', first);
    h.client().emit('message_reaction', second);
    await handled(h, 7);
    expect(why(h).slice(-2)).toEqual(['replayed', 'replayed']);
    expect(await counts(h, article.id)).toEqual({ '👍': 1, '🔥': 1, '👏': 1 });
    // Having seen member 0's 👍 again, the new process takes it back when they change it.
    h.client().react(messageId, member(0), '❤️');
    await handled(h, 8);
    expect(await counts(h, article.id)).toEqual({ '❤️': 1, '🔥': 1, '👏': 1 });
  });

  it("ignores reactions to members' own messages, to another group's messages, the account's own, malformed ones, and a retracted story's", async () => {
    const h = await harness();
    const { article, messageId } = await h.send(1);
    const c = h.client();
    // A member's message (not the account's) in the subscribed group.
    c.react(`false_${GROUP}_3EB0AAAA_${member(1)}`, member(0), '👍');
    // Our post's id, claimed in another group (forged), and a message of ours in a group Nashra does not post to.
    c.emit('message_reaction', {
      ...c.reactionEvent(messageId, member(0), '👍'),
      msgId: { fromMe: true, remote: OTHER_GROUP, id: 'x', _serialized: messageId },
    });
    c.react(`true_${OTHER_GROUP}_1`, member(0), '👍');
    // The account's own reaction on its post.
    c.react(messageId, BOT_ID, '👍');
    // Not an emoji; oversized.
    c.react(messageId, member(1), '<script>');
    c.react(messageId, member(2), '👍'.repeat(500));
    // Not the library's shape at all.
    c.emit('message_reaction', null);
    c.emit('message_reaction', { msgId: 42 });
    c.react(messageId, member(3), '🔥'); // last in the queue
    await until(async () => (await counts(h, article.id))['🔥'] === 1, 3000, 'the last reaction');
    expect(await counts(h, article.id)).toEqual({ '🔥': 1 });
    expect(why(h).filter((w) => w === 'not-our-post')).toHaveLength(2);

    await previewRetraction(h.newsroom, CLI_OPERATOR, String(article.id));
    await confirmRetraction(h.newsroom, CLI_OPERATOR, article.id);
    const before = reports(h).length;
    c.react(messageId, member(1), '😢');
    await handled(h, before + 1);
    expect(why(h).at(-1)).toBe('retracted');
    expect(await counts(h, article.id)).toEqual({ '🔥': 1 });
  });

  it("stores no phone number: the senders' numbers appear nowhere in the database files", async () => {
    const h = await harness();
    const { article, messageId } = await h.send(1);
    for (const [i, r] of ['👍', '❤️', '😢', '🙏'].entries()) h.client().react(messageId, member(i), r);
    h.client().react(messageId, member(0), '');
    await handled(h, 5);
    expect(await counts(h, article.id)).toEqual({ '❤️': 1, '😢': 1, '🙏': 1 });
    if (onPostgres()) {
      // PostgreSQL's files are the server's: every row of every table, as text, instead.
      const tables = await h.db.sql(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
      );
      expect(tables.length).toBeGreaterThan(10);
      for (const { table_name: table } of tables) {
        const text = JSON.stringify(await h.db.sql(`SELECT t::text AS row FROM ${String(table)} t`));
        for (const number of MEMBERS) expect(text.includes(number), `${number} in ${String(table)}`).toBe(false);
      }
      return;
    }
    const file = h.db.where;
    const files = readdirSync(join(file, '..')).filter((f) => f.startsWith('n.db'));
    expect(files).toContain('n.db');
    for (const f of files) {
      const bytes = readFileSync(join(file, '..', f));
      for (const number of MEMBERS) expect(bytes.includes(Buffer.from(number)), `${number} in ${f}`).toBe(false);
    }
  });

  it("property: whatever the order of reactions, resyncs and restarts, each post counts each sender's latest reaction once", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      const h = await harness();
      const posts = [(await h.send(1)).messageId, (await h.send(2)).messageId];
      const senders = [0, 1, 2, 3].map(member);
      const choices = ['👍', '❤️', '🔥', '🙏', ''];
      /** Every event emitted, and each (post, sender)'s latest: what a resync after a restart emits again. */
      const events: WaReaction[] = [];
      const latest = new Map<string, WaReaction>();
      // A sentinel on a third post, by a new sender each time: reactions are handled one at a time, so once it counts,
      // everything emitted before it was handled.
      const sentinel = (await h.send(3)).messageId;
      let settled = 0;
      const settle = async () => {
        h.client().react(sentinel, `96390000${1000 + ++settled}@c.us`, '🏁');
        // 20 s: after a restart's resync, handled one unit per reaction (3 s was short on PostgreSQL under load).
        await until(
          async () => (await articleReactions(h.newsroom, await articleOf(h, sentinel)))[0]?.total === settled,
          20_000,
          `seed ${seed}: sentinel ${settled}`,
        );
      };
      for (let step = 0; step < 60; step++) {
        h.clock.t += 1000;
        const roll = random();
        if (roll < 0.65) {
          const post = pick(posts);
          const sender = pick(senders);
          const event = h.client().react(post, sender, pick(choices));
          events.push(event);
          latest.set(`${post}|${sender}`, event);
        } else if (roll < 0.92 && events.length > 0) {
          h.client().emit('message_reaction', pick(events)); // a resync or an ack emits an event again
        } else {
          await settle();
          await h.restart();
          // The new connection's sync: each sender's latest reaction again, in any order, and some older ones.
          const resync = [...latest.values(), ...events.filter(() => random() < 0.2)].sort(() => random() - 0.5);
          for (const e of resync) h.client().emit('message_reaction', e);
        }
      }
      await settle();
      for (const post of posts) {
        const expected: Record<string, number> = {};
        for (const sender of senders) {
          const r = latest.get(`${post}|${sender}`)?.reaction;
          if (r) expected[r] = (expected[r] ?? 0) + 1;
        }
        const [wa] = await articleReactions(h.newsroom, await articleOf(h, post));
        expect({
          seed,
          post,
          counts: Object.fromEntries((wa?.reactions ?? []).map((r) => [r.emoji, r.count])),
        }).toEqual({ seed, post, counts: expected });
      }
      for (const c of cleanups.reverse()) await c();
      cleanups = [];
    }
  }, 180_000); // a resync after a restart is handled one reaction (one unit) at a time: a round trip each on PostgreSQL
});

/** The article a sent post (its WhatsApp message id) belongs to. */
async function articleOf(h: Harness, messageId: string): Promise<number> {
  const [row] = await h.db.sql("SELECT article_id FROM jobs WHERE kind = 'post' AND message_id = ?", messageId);
  return row!.article_id as number;
}
