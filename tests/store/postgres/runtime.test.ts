/**
 * The run's own tables (lease, day counters, platform states, the demo's rows) answer the same on SQLite's Store and
 * on PostgresRuntime; on PostgreSQL several processes share one database, so the lease and the counters are also
 * raced between two pools (two PostgresPorts, as two `nashra run` would have).
 */
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../../src/store/postgres/database.js';
import { rawAdapters, type RawDatabase } from '../../helpers/raw-db.js';
import { freshPostgresDatabase, postgresUrl } from '../../helpers/postgres.js';

const DEMO = 'demo';

describe.each(rawAdapters())("the run's tables on $name", ({ open }) => {
  it('a lease: taken when free or expired, kept by its holder, refused to another with who holds it', async () => {
    const {
      runtime: { leases },
    } = await open();
    expect(await leases.isHeld('run', 1_000)).toBe(false);
    expect(await leases.acquire('run', 'a', 15_000, { pid: 11, host: 'هنا' }, 1_000)).toEqual({ ok: true });
    expect(await leases.isHeld('run', 15_999)).toBe(true);
    expect(await leases.acquire('run', 'b', 15_000, {}, 2_000)).toEqual({
      ok: false,
      current: { holder: 'a', pid: 11, host: 'هنا', expiresAt: new Date(16_000) },
    });
    expect(await leases.acquire('other', 'b', 15_000, {}, 2_000)).toEqual({ ok: true });
    // Its holder takes it again (a restart with the same holder), and renews it.
    expect(await leases.acquire('run', 'a', 15_000, { pid: 12 }, 3_000)).toEqual({ ok: true });
    expect(await leases.renew('run', 'a', 15_000, 4_000)).toBe(true);
    expect(await leases.acquire('run', 'b', 15_000, {}, 18_999)).toMatchObject({
      ok: false,
      current: { holder: 'a', pid: 12, host: undefined, expiresAt: new Date(19_000) },
    });
    // Expired: another takes it, and the first one's renewal says it lost it.
    expect(await leases.isHeld('run', 19_000)).toBe(false);
    expect(await leases.acquire('run', 'b', 15_000, { pid: 13, host: 'there' }, 19_000)).toEqual({ ok: true });
    expect(await leases.renew('run', 'a', 15_000, 19_001)).toBe(false);
    // A holder known dead is taken over only if it still holds the lease: of two, one wins.
    expect(await leases.takeOver('run', 'b', 'c', 15_000, { pid: 14 }, 20_000)).toBe(true);
    expect(await leases.takeOver('run', 'b', 'd', 15_000, { pid: 15 }, 20_000)).toBe(false);
    expect(await leases.acquire('run', 'd', 15_000, {}, 20_001)).toMatchObject({
      ok: false,
      current: { holder: 'c', pid: 14, host: undefined },
    });
    await leases.release('run', 'd');
    expect(await leases.isHeld('run', 20_001)).toBe(true);
    await leases.release('run', 'c');
    expect(await leases.isHeld('run', 20_001)).toBe(false);
    expect(await leases.takeOver('run', 'c', 'e', 15_000, {}, 20_002)).toBe(false);
  });

  it('counts sends per platform and day', async () => {
    const {
      runtime: { counters },
    } = await open();
    expect(await counters.get('whatsapp', '2026-12-07')).toBe(0);
    expect(await counters.increment('whatsapp', '2026-12-07')).toBe(1);
    expect(await counters.increment('whatsapp', '2026-12-07')).toBe(2);
    expect(await counters.increment('whatsapp', '2026-12-08')).toBe(1);
    expect(await counters.increment('telegram', '2026-12-07')).toBe(1);
    expect(await counters.get('whatsapp', '2026-12-07')).toBe(2);
    expect(await counters.get('whatsapp', '2026-12-09')).toBe(0);
  });

  it("keeps each platform's last state, listed in SQLite's order", async () => {
    const {
      runtime: { platformStatus },
    } = await open();
    expect(await platformStatus.all()).toEqual([]);
    await platformStatus.record('whatsapp', false, "logged out «خروج» 'x'", 1_000);
    await platformStatus.record('telegram', true, undefined, 1_000);
    await platformStatus.record('Zulip', true, undefined, 1_000);
    await platformStatus.record('whatsapp', true, undefined, 2_000);
    expect(await platformStatus.all()).toEqual([
      { platform: 'Zulip', ready: true, reason: undefined, updatedAt: new Date(1_000) },
      { platform: 'telegram', ready: true, reason: undefined, updatedAt: new Date(1_000) },
      { platform: 'whatsapp', ready: true, reason: undefined, updatedAt: new Date(2_000) },
    ]);
    await platformStatus.record('telegram', false, 'conflict', 3_000);
    expect((await platformStatus.all())[1]).toEqual({
      platform: 'telegram',
      ready: false,
      reason: 'conflict',
      updatedAt: new Date(3_000),
    });
  });

  it('ends the demo once: its chats deactivated (their queue failed), the samples only it was sent deleted, audited', async () => {
    const s = await open();
    const {
      runtime,
      ports: { repos },
    } = s;
    expect(await runtime.demoRows.pending(DEMO)).toBe(false);
    expect(await runtime.endDemo(DEMO, [], 'nashra run', 1)).toBeNull();
    const demo = await repos.subscriptions.subscribe(
      { platform: 'console', chatId: 'console', kind: 'private', createdBy: DEMO },
      1,
    );
    const real = await repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-100', kind: 'channel', createdBy: 'cli' },
      1,
    );
    const source = await repos.sources.add({ url: 'https://site.example/feed', kind: 'rss', name: 'موقع' }, 1);
    expect(await runtime.demoRows.pending(DEMO)).toBe(true);
    expect(await runtime.demoRows.ended()).toBe(false);
    expect(await runtime.demoRows.activeSubscriptions(DEMO)).toEqual([demo.id]);
    const byHash = await article(s, 'SY24 «قديم»', 'h1');
    const byTitle = await article(s, 'ويكيبيديا', 'other hash');
    const sharedWithReal = await article(s, 'مشترك', 'h3');
    const fromSource = await article(s, 'من مصدر', 'h1-but-source', source.id);
    const notSample = await article(s, 'خبر', 'h9');
    for (const a of [byHash, byTitle, sharedWithReal, fromSource, notSample]) await post(s, a, demo.id, 'sent');
    await post(s, sharedWithReal, real.id, 'sent');
    const waiting = await post(s, notSample, real.id, 'queued');
    await s.sql(`UPDATE jobs SET state = 'queued' WHERE article_id = ? AND subscription_id = ?`, notSample, demo.id);
    const samples = [
      { contentHash: 'h1', title: 'لا شيء' },
      { contentHash: 'nothing', title: 'ويكيبيديا' },
      { contentHash: 'h3', title: 'مشترك' },
      { contentHash: 'h1-but-source', title: 'من مصدر' },
    ];
    expect(await runtime.endDemo(DEMO, samples, 'nashra run', 5_000)).toEqual({ articles: 2, subscriptions: 1 });
    expect((await s.sql('SELECT id FROM articles ORDER BY id')).map((r) => r.id)).toEqual([
      sharedWithReal,
      fromSource,
      notSample,
    ]);
    expect(await repos.subscriptions.get(demo.id)).toMatchObject({
      active: false,
      deactivatedReason: 'the demo ended: a platform is configured',
    });
    expect(
      await s.sql(
        'SELECT state, last_error FROM jobs WHERE article_id = ? AND subscription_id = ?',
        notSample,
        demo.id,
      ),
    ).toEqual([{ state: 'failed', last_error: 'subscription deactivated: the demo ended: a platform is configured' }]);
    expect((await s.sql('SELECT state FROM jobs WHERE id = ?', waiting))[0]!.state).toBe('queued');
    expect((await s.sql('SELECT COUNT(*) AS n FROM jobs WHERE article_id IN (?, ?)', byHash, byTitle))[0]!.n).toBe(0);
    const audit = await s.sql(`SELECT at, platform, actor, detail FROM audit_log WHERE action = 'demo.end'`);
    expect(audit).toEqual([
      { at: 5_000, platform: 'cli', actor: 'nashra run', detail: JSON.stringify({ articles: 2, subscriptions: 1 }) },
    ]);
    expect(await runtime.demoRows.ended()).toBe(true);
    expect(await runtime.demoRows.pending(DEMO)).toBe(false);
    // Ended stays ended, even with a demo chat active again.
    await repos.subscriptions.subscribe(
      { platform: 'console', chatId: 'console', kind: 'private', createdBy: DEMO },
      6_000,
    );
    expect(await runtime.demoRows.pending(DEMO)).toBe(false);
    expect(await runtime.endDemo(DEMO, samples, 'nashra run', 7_000)).toBeNull();
    expect(await runtime.demoRows.deleteSamples(DEMO, [])).toBe(0);
  });
});

async function article(s: RawDatabase, title: string, hash: string, sourceId: number | null = null): Promise<number> {
  const [row] = await s.sql(
    `INSERT INTO articles (source_id, title, source_name, paragraphs, content_hash, story_key, search_text, created_at)
    VALUES (?, ?, 'مصدر', '[]', ?, ?, '', 1) RETURNING id`,
    sourceId,
    title,
    hash,
    `key:${title}`,
  );
  return row!.id as number;
}

async function post(s: RawDatabase, articleId: number, subscriptionId: number, state: string): Promise<number> {
  const [row] = await s.sql(
    `INSERT INTO jobs (kind, platform, subscription_id, article_id, state, queued_at)
    VALUES ('post', 'console', ?, ?, ?, 1) RETURNING id`,
    subscriptionId,
    articleId,
    state,
  );
  return row!.id as number;
}

describe.skipIf(postgresUrl() === '')("the run's tables shared by two processes on PostgreSQL", () => {
  async function twoProcesses() {
    const url = await freshPostgresDatabase();
    const [a, b] = await Promise.all([openPostgres(url, { max: 4 }), openPostgres(url, { max: 4 })]);
    return { a: a!, b: b!, close: () => Promise.all([a!.close(), b!.close()]) };
  }

  it('two runs acquiring the lease at once: exactly one wins, every time, and the other is told who', async () => {
    const { a, b, close } = await twoProcesses();
    try {
      for (let round = 0; round < 30; round++) {
        // Free in even rounds, expired in odd ones (round*1000 + 1 is after the last lease's end).
        const now = round * 100_000;
        const [ra, rb] = await Promise.all([
          a.runtime.leases.acquire('run', `a${round}`, 15_000, { pid: 1 }, now),
          b.runtime.leases.acquire('run', `b${round}`, 15_000, { pid: 2 }, now),
        ]);
        expect([ra.ok, rb.ok].filter(Boolean), `round ${round}`).toHaveLength(1);
        const winner = ra.ok ? `a${round}` : `b${round}`;
        const loser = ra.ok ? rb : ra;
        expect(loser).toEqual({
          ok: false,
          current: { holder: winner, pid: ra.ok ? 1 : 2, host: undefined, expiresAt: new Date(now + 15_000) },
        });
        expect(await a.runtime.leases.renew('run', winner, 15_000, now + 1)).toBe(true);
        if (round % 2 === 0) await b.runtime.leases.release('run', winner);
      }
    } finally {
      await close();
    }
  });

  it('two takeovers of the same dead holder at once: one wins', async () => {
    const { a, b, close } = await twoProcesses();
    try {
      for (let round = 0; round < 20; round++) {
        await a.runtime.leases.acquire('run', `dead${round}`, 15_000, {}, round * 100_000);
        const won = await Promise.all([
          a.runtime.leases.takeOver('run', `dead${round}`, `a${round}`, 15_000, {}, round * 100_000 + 1),
          b.runtime.leases.takeOver('run', `dead${round}`, `b${round}`, 15_000, {}, round * 100_000 + 1),
        ]);
        expect(won.filter(Boolean), `round ${round}`).toHaveLength(1);
      }
    } finally {
      await close();
    }
  });

  it('counts every send of two processes counting at once', async () => {
    const { a, b, close } = await twoProcesses();
    try {
      const counts = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).runtime.counters.increment('whatsapp', '2026-12-07')),
      );
      expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(await a.runtime.counters.get('whatsapp', '2026-12-07')).toBe(40);
    } finally {
      await close();
    }
  });
});
