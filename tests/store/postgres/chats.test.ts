/**
 * The chats' ports (push, subscriptions, audit, editors, desk accounts, sessions) answer the same on SQLite and on
 * PostgreSQL: every method, with hostile text where a port takes text, and the rows they leave read back directly.
 */
import { describe, expect, it } from 'vitest';
import type { MessageTemplate } from '../../../src/model/template.js';
import { rawAdapters, type RawDatabase } from '../../helpers/raw-db.js';

const HOSTILE = ['أخبار «دمشق» اليوم', 'it\'s "quoted"', "'); DROP TABLE subscriptions; --", 'عاجل 🔴🇸🇾', 'a\u0000b'];
/** What each hostile text reads back as: a NUL as U+FFFD (PostgreSQL cannot store one), the rest as written. */
const stored = (text: string) => text.replaceAll('\u0000', '\uFFFD');

async function source(s: RawDatabase, name = 'مصدر') {
  return s.ports.repos.sources.add(
    { url: `https://${Math.random().toString(36).slice(2)}.example/feed`, kind: 'rss', name },
    1_000,
  );
}

async function article(s: RawDatabase, title: string, sourceId: number | null = null): Promise<number> {
  const [row] = await s.sql(
    `INSERT INTO articles (source_id, title, source_name, paragraphs, content_hash, story_key, search_text, created_at)
    VALUES (?, ?, 'مصدر', '[]', ?, ?, '', 1) RETURNING id`,
    sourceId,
    title,
    `hash:${title}`,
    `key:${title}`,
  );
  return row!.id as number;
}

async function post(
  s: RawDatabase,
  articleId: number,
  subscriptionId: number,
  state: string,
  carriedBy: number | null = null,
): Promise<number> {
  const [row] = await s.sql(
    `INSERT INTO jobs (kind, platform, subscription_id, article_id, state, carried_by, queued_at)
    VALUES ('post', 'telegram', ?, ?, ?, ?, 1) RETURNING id`,
    subscriptionId,
    articleId,
    state,
    carriedBy,
  );
  return row!.id as number;
}

const jobState = async (s: RawDatabase, id: number) =>
  (await s.sql('SELECT state, last_error FROM jobs WHERE id = ?', id))[0];

describe.each(rawAdapters())('push on $name', ({ open }) => {
  it('keeps a hook secret per source, and refuses none for a source that is not there', async () => {
    const s = await open();
    const { repos } = s.ports;
    const src = await source(s);
    expect(await repos.push.hookSecret(src.id)).toBeUndefined();
    expect(await repos.push.setHookSecret(src.id, 'sekret')).toBe(true);
    expect(await repos.push.hookSecret(src.id)).toBe('sekret');
    expect(await repos.push.setHookSecret(src.id, undefined)).toBe(true);
    expect(await repos.push.hookSecret(src.id)).toBeUndefined();
    expect(await repos.push.setHookSecret(src.id + 99, 'x')).toBe(false);
    expect(await repos.push.hookSecret(src.id + 99)).toBeUndefined();
  });

  it('sees a key once per source within the window, again once the window has passed, and keys with hostile text', async () => {
    const s = await open();
    const { repos } = s.ports;
    expect(await repos.push.firstSeen(1, 'hook:id:1', 1_000, 10_000)).toBe(true);
    expect(await repos.push.firstSeen(1, 'hook:id:1', 1_000, 10_500)).toBe(false);
    expect(await repos.push.firstSeen(2, 'hook:id:1', 1_000, 10_500)).toBe(true);
    // 11,001 - 1,000 is after 10,000: forgotten, so seen "first" again.
    expect(await repos.push.firstSeen(1, 'hook:id:1', 1_000, 11_001)).toBe(true);
    for (const key of HOSTILE) {
      expect(await repos.push.firstSeen(3, key, 60_000, 20_000)).toBe(true);
      expect(await repos.push.firstSeen(3, key, 60_000, 20_001)).toBe(false);
    }
    // The NUL replaced on both: "a\0b" is not "ab".
    expect(await repos.push.firstSeen(3, 'ab', 60_000, 20_002)).toBe(true);
    expect(await repos.push.firstSeen(3, 'a\uFFFDb', 60_000, 20_002)).toBe(false);
  });

  it('walks a WebSub subscription through discovery, request, verification, denial, failure and unsubscription', async () => {
    const s = await open();
    const { repos, uow } = s.ports;
    const src = await source(s);
    expect(await repos.push.websub(src.id)).toBeUndefined();
    await repos.push.discovered(src.id, 'https://hub.example/', 'https://site.example/feed', 's1', 1_000);
    expect(await repos.push.websub(src.id)).toEqual({
      sourceId: src.id,
      hub: 'https://hub.example/',
      topic: 'https://site.example/feed',
      secret: 's1',
      state: 'subscribe',
    });
    // Nothing outstanding: a verification or a denial changes nothing.
    expect(await repos.push.webSubActive(src.id, 3600, 3_601_000, 1_500)).toBe(false);
    expect(await repos.push.webSubDenied(src.id, 'no', 1_500)).toBe(false);
    await repos.push.setWebSubState(src.id, 'pending', { requestedAt: 2_000 }, 2_000);
    // The same hub and topic seen again keep the subscription as it is.
    await repos.push.discovered(src.id, 'https://hub.example/', 'https://site.example/feed', 's2', 2_100);
    expect(await repos.push.websub(src.id)).toMatchObject({ state: 'pending', secret: 's1', requestedAt: 2_000 });
    expect(await repos.push.webSubActive(src.id, 3600, 3_602_000, 2_000)).toBe(true);
    expect(await repos.push.webSubActive(src.id, 3600, 3_602_000, 2_000)).toBe(false);
    const active = (await repos.push.websub(src.id))!;
    expect(active).toMatchObject({ state: 'active', leaseSeconds: 3600, expiresAt: 3_602_000 });
    expect(active.requestedAt).toBeUndefined();
    expect(await repos.push.webSubIsActive(src.id, 3_601_999)).toBe(true);
    expect(await repos.push.webSubIsActive(src.id, 3_602_000)).toBe(false);
    expect(await repos.push.webSubIsActive(src.id + 1, 0)).toBe(false);
    // A renewal asked, then denied with a hub's hostile reason.
    for (const reason of HOSTILE) {
      await repos.push.setWebSubState(src.id, 'active', { requestedAt: 3_000_000 }, 3_000_000);
      expect(await repos.push.webSubDenied(src.id, `hub denied: ${reason}`, 3_000_001)).toBe(true);
      expect(await repos.push.websub(src.id)).toMatchObject({
        state: 'pending',
        lastError: `hub denied: ${stored(reason)}`,
      });
    }
    expect((await repos.push.websub(src.id))!.requestedAt).toBeUndefined();
    await repos.push.webSubFailed(src.id, 'connect ECONNREFUSED \u0000', 3_000_002);
    expect(await repos.push.websub(src.id)).toMatchObject({
      state: 'pending',
      lastError: 'connect ECONNREFUSED \uFFFD',
    });
    // setWebSubState keeps requested_at when none is given.
    await repos.push.setWebSubState(src.id, 'unsubscribing', { requestedAt: 4_000_000 }, 4_000_000);
    await repos.push.setWebSubState(src.id, 'unsubscribing', {}, 4_000_001);
    expect(await repos.push.websub(src.id)).toMatchObject({ state: 'unsubscribing', requestedAt: 4_000_000 });
    expect(await repos.push.webSubGone(src.id)).toBe(true);
    expect(await repos.push.webSubGone(src.id)).toBe(false);
    expect(await repos.push.websub(src.id)).toBeUndefined();
    // Another hub starts over; inside a unit that fails, nothing of it stays.
    await repos.push.discovered(src.id, 'https://hub.example/', 'https://site.example/feed', 's1', 5_000_000);
    await expect(
      uow.run(async (tx) => {
        await tx.push.discovered(src.id, 'https://other-hub.example/', 'https://site.example/feed', 's3', 5_000_001);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await repos.push.websub(src.id)).toMatchObject({ hub: 'https://hub.example/', secret: 's1' });
    await repos.push.setWebSubState(src.id, 'pending', { requestedAt: 5_000_002 }, 5_000_002);
    expect(await repos.push.webSubActive(src.id, 60, 5_060_000, 5_000_003)).toBe(true);
    await repos.push.discovered(src.id, 'https://other-hub.example/', 'https://site.example/feed', 's3', 5_000_004);
    const restarted = (await repos.push.websub(src.id))!;
    expect(restarted).toMatchObject({ hub: 'https://other-hub.example/', secret: 's3', state: 'subscribe' });
    expect(restarted.leaseSeconds).toBeUndefined();
    expect(restarted.expiresAt).toBeUndefined();
  });

  it('lists what is due: new, unconfirmed, denied a while ago, leases ending, orphans marked to unsubscribe; in source order', async () => {
    const s = await open();
    const { repos } = s.ports;
    const sources = [];
    for (let i = 0; i < 7; i++) sources.push((await source(s, `s${i}`)).id);
    const [fresh, unconfirmed, recent, denied, ending, long, paused] = sources as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const now = 100_000_000;
    const opts = { retryAfterMs: 60_000, deniedRetryAfterMs: 3_600_000, maxLeaseMs: 864_000_000 };
    for (const id of sources)
      await repos.push.discovered(id, 'https://hub.example/', `https://t.example/${id}`, 'k', 1);
    await repos.push.setWebSubState(unconfirmed, 'pending', { requestedAt: now - 60_001 }, now - 60_001);
    await repos.push.setWebSubState(recent, 'pending', { requestedAt: now - 10 }, now - 10);
    await repos.push.setWebSubState(denied, 'pending', { requestedAt: 1 }, 1);
    await repos.push.webSubDenied(denied, 'no', now - 3_600_001);
    // A lease of 1000 s (its last tenth: 100 s) ending in 99 s, and one ending in 200 s.
    for (const [id, end] of [
      [ending, now + 99_000],
      [long, now + 200_000],
    ] as const) {
      await repos.push.setWebSubState(id, 'pending', { requestedAt: 2 }, 2);
      await repos.push.webSubActive(id, 1000, end, 3);
    }
    await repos.sources.setActive(paused, false);
    const due = await repos.push.webSubDue(now, opts);
    expect(due.map((d) => [d.sourceId, d.state])).toEqual([
      [fresh, 'subscribe'],
      [unconfirmed, 'pending'],
      [denied, 'pending'],
      [ending, 'active'],
      [paused, 'unsubscribe'],
    ]);
    // A lease longer than Nashra accepts is renewed at once.
    await repos.push.setWebSubState(long, 'pending', { requestedAt: 4 }, 4);
    await repos.push.webSubActive(long, 1000, now + opts.maxLeaseMs + 1, 5);
    expect((await repos.push.webSubDue(now, opts)).map((d) => d.sourceId)).toContain(long);
  });
});

describe.each(rawAdapters())('subscriptions on $name', ({ open }) => {
  it('subscribes, keeps what a later request leaves out, reactivates the same row, and finds it by chat', async () => {
    const s = await open();
    const { repos } = s.ports;
    expect(await repos.subscriptions.get(1)).toBeUndefined();
    expect(await repos.subscriptions.findByChat('telegram', '-100')).toBeUndefined();
    const a = await repos.subscriptions.subscribe(
      {
        platform: 'telegram',
        chatId: '-100',
        kind: 'channel',
        topics: ['سوريا'],
        threadId: 7,
        title: 'قناة',
        createdBy: 'cli',
      },
      1_000,
    );
    expect(a).toMatchObject({
      platform: 'telegram',
      chatId: '-100',
      kind: 'channel',
      topics: ['سوريا'],
      threadId: 7,
      title: 'قناة',
      active: true,
      createdBy: 'cli',
    });
    expect(a.activeSince).toEqual(new Date(1_000));
    const b = await repos.subscriptions.subscribe({ platform: 'telegram', chatId: '-100', kind: 'group' }, 2_000);
    expect(b).toMatchObject({ id: a.id, kind: 'group', topics: ['سوريا'], threadId: 7, title: 'قناة' });
    expect(b.activeSince).toEqual(new Date(1_000));
    const c = await repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-100', kind: 'group', threadId: null, topics: [] },
      3_000,
    );
    expect(c.threadId).toBeUndefined();
    expect(c.topics).toEqual([]);
    expect(await repos.subscriptions.deactivate(a.id, 'left', 4_000)).toEqual({ deactivated: true, cancelled: 0 });
    expect(await repos.subscriptions.findByChat('telegram', '-100')).toMatchObject({
      active: false,
      deactivatedReason: 'left',
      deactivatedAt: new Date(4_000),
    });
    const back = await repos.subscriptions.subscribe({ platform: 'telegram', chatId: '-100', kind: 'group' }, 5_000);
    expect(back).toMatchObject({
      id: a.id,
      active: true,
      deactivatedReason: undefined,
      deactivatedAt: undefined,
      activeSince: new Date(5_000),
    });
    expect(await repos.subscriptions.findByChat('whatsapp', '-100')).toBeUndefined();
  });

  it('lists all and the active ones in id order, and sets topics', async () => {
    const s = await open();
    const { repos } = s.ports;
    const ids = [];
    for (const chat of ['3', '1', '2'])
      ids.push((await repos.subscriptions.subscribe({ platform: 'whatsapp', chatId: chat, kind: 'group' }, 1)).id);
    await repos.subscriptions.deactivate(ids[1]!, 'gone', 2);
    expect((await repos.subscriptions.list()).map((x) => x.chatId)).toEqual(['3', '1', '2']);
    expect((await repos.subscriptions.active()).map((x) => x.chatId)).toEqual(['3', '2']);
    await repos.subscriptions.setTopics(ids[0]!, ['اقتصاد', 'رياضة']);
    expect((await repos.subscriptions.get(ids[0]!))!.topics).toEqual(['اقتصاد', 'رياضة']);
  });

  it('keeps hostile titles and topics as written (a NUL as U+FFFD)', async () => {
    const s = await open();
    const { repos } = s.ports;
    for (const [i, text] of HOSTILE.entries()) {
      const sub = await repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: `c${i}`, kind: 'group', title: text, topics: [text] },
        1,
      );
      expect(await repos.subscriptions.get(sub.id)).toMatchObject({ title: stored(text), topics: [stored(text)] });
    }
    expect(await repos.subscriptions.list()).toHaveLength(HOSTILE.length);
  });

  it('deactivates once, failing only the posts still waiting for the chat, in one transaction', async () => {
    const s = await open();
    const { repos, uow } = s.ports;
    const sub = await repos.subscriptions.subscribe({ platform: 'telegram', chatId: '5', kind: 'private' }, 1);
    const other = await repos.subscriptions.subscribe({ platform: 'telegram', chatId: '6', kind: 'private' }, 1);
    const art = await article(s, 'خبر');
    const art2 = await article(s, 'خبر آخر');
    const queued = await post(s, art, sub.id, 'queued');
    const held = await post(s, art2, sub.id, 'held');
    const sent = await post(s, await article(s, 'ثالث'), sub.id, 'sent');
    const others = await post(s, art, other.id, 'queued');
    // Rolled back with the unit that asked it.
    await expect(
      uow.run(async (tx) => {
        await tx.subscriptions.deactivate(sub.id, 'blocked', 10);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await jobState(s, queued)).toEqual({ state: 'queued', last_error: null });
    expect((await repos.subscriptions.get(sub.id))!.active).toBe(true);
    expect(await repos.subscriptions.deactivate(sub.id, 'blocked', 10)).toEqual({ deactivated: true, cancelled: 2 });
    expect(await jobState(s, queued)).toEqual({ state: 'failed', last_error: 'subscription deactivated: blocked' });
    expect(await jobState(s, held)).toEqual({ state: 'failed', last_error: 'subscription deactivated: blocked' });
    expect((await jobState(s, sent))!.state).toBe('sent');
    expect((await jobState(s, others))!.state).toBe('queued');
    expect(await repos.subscriptions.deactivate(sub.id, 'again', 11)).toEqual({ deactivated: false, cancelled: 0 });
    expect(await repos.subscriptions.deactivate(999, 'none', 11)).toEqual({ deactivated: false, cancelled: 0 });
  });

  it('moves a chat to its new id unless the new id is subscribed already', async () => {
    const s = await open();
    const { repos } = s.ports;
    const a = await repos.subscriptions.subscribe({ platform: 'telegram', chatId: '-1', kind: 'group' }, 1);
    await repos.subscriptions.subscribe({ platform: 'telegram', chatId: '-1002', kind: 'group' }, 1);
    expect(await repos.subscriptions.migrateChat('telegram', '-1', '-1002')).toBe(false);
    expect(await repos.subscriptions.migrateChat('telegram', '-1', '-1003')).toBe(true);
    expect(await repos.subscriptions.get(a.id)).toMatchObject({ chatId: '-1003', kind: 'group' });
    expect(await repos.subscriptions.migrateChat('telegram', '-1', '-1004')).toBe(false);
  });

  it('keeps delivery settings (none until chosen), and releases what a digest held and no digest message carries', async () => {
    const s = await open();
    const { repos } = s.ports;
    const sub = await repos.subscriptions.subscribe({ platform: 'telegram', chatId: '9', kind: 'private' }, 1);
    expect(await repos.subscriptions.delivery(sub.id)).toBeUndefined();
    const daily = {
      mode: 'daily' as const,
      digestAt: 18 * 60 + 30,
      urgentNow: true,
      timeZone: 'Europe/Berlin',
      quiet: { start: 22 * 60, end: 7 * 60 },
      quietMode: 'wait' as const,
      quietUrgent: true,
    };
    await repos.subscriptions.setDelivery(sub.id, daily, 2);
    expect(await repos.subscriptions.delivery(sub.id)).toEqual(daily);
    const hourly = {
      mode: 'hourly' as const,
      urgentNow: false,
      timeZone: 'Asia/Damascus',
      quietMode: 'silent' as const,
      quietUrgent: false,
    };
    await repos.subscriptions.setDelivery(sub.id, hourly, 3);
    expect(await repos.subscriptions.delivery(sub.id)).toEqual({ ...hourly, digestAt: undefined, quiet: undefined });
    const art = await article(s, 'محجوز');
    const digest = await s.sql(
      `INSERT INTO digests (subscription_id, period_end, items, created_at) VALUES (?, 10, 1, 1) RETURNING id`,
      sub.id,
    );
    const [message] = await s.sql(
      `INSERT INTO jobs (kind, platform, subscription_id, digest_id, part, parts, text, queued_at)
      VALUES ('digest', 'telegram', ?, ?, 1, 1, 'نص', 1) RETURNING id`,
      sub.id,
      digest[0]!.id,
    );
    const free = await post(s, art, sub.id, 'held');
    const carried = await post(s, await article(s, 'محمول'), sub.id, 'held', message!.id as number);
    expect(await repos.subscriptions.releaseHeld(sub.id)).toBe(1);
    expect((await jobState(s, free))!.state).toBe('queued');
    expect((await jobState(s, carried))!.state).toBe('held');
    expect(await repos.subscriptions.releaseHeld(sub.id)).toBe(0);
  });

  it("keeps a chat's own template, hostile text included, and an empty one removes it", async () => {
    const s = await open();
    const { repos } = s.ports;
    const sub = await repos.subscriptions.subscribe({ platform: 'telegram', chatId: '9', kind: 'private' }, 1);
    expect(await repos.subscriptions.template(sub.id)).toEqual({});
    const t: MessageTemplate = {
      headerMark: HOSTILE[2],
      footer: HOSTILE[4],
      showHashtags: false,
      showSource: true,
      linkPreview: 'large',
      fullStory: true,
      fullStoryInGroup: false,
    };
    await repos.subscriptions.setTemplate(sub.id, t, 2);
    expect(await repos.subscriptions.template(sub.id)).toEqual({ ...t, footer: 'a\uFFFDb' });
    await repos.subscriptions.setTemplate(sub.id, { showDate: false, leadPhoto: true }, 3);
    expect(await repos.subscriptions.template(sub.id)).toEqual({ showDate: false, leadPhoto: true });
    await repos.subscriptions.setTemplate(sub.id, { headerMark: undefined }, 4);
    expect(await repos.subscriptions.template(sub.id)).toEqual({});
    expect(await s.sql('SELECT subscription_id FROM subscription_templates')).toEqual([]);
  });

  it('keeps a filter per source, in source order; [] removes it', async () => {
    const s = await open();
    const { repos } = s.ports;
    const sub = await repos.subscriptions.subscribe({ platform: 'telegram', chatId: '9', kind: 'private' }, 1);
    const [one, two] = [(await source(s)).id, (await source(s)).id];
    expect(await repos.subscriptions.sourceFilters(sub.id)).toEqual([]);
    await repos.subscriptions.setSourceFilter(sub.id, two!, ['رياضة'], 2);
    await repos.subscriptions.setSourceFilter(sub.id, one!, ['اقتصاد', '-حرب'], 2);
    await repos.subscriptions.setSourceFilter(sub.id, two!, [HOSTILE[1]!], 3);
    expect(await repos.subscriptions.sourceFilters(sub.id)).toEqual([
      { sourceId: one, topics: ['اقتصاد', '-حرب'] },
      { sourceId: two, topics: [HOSTILE[1]] },
    ]);
    await repos.subscriptions.setSourceFilter(sub.id, one!, [], 4);
    expect(await repos.subscriptions.sourceFilters(sub.id)).toEqual([{ sourceId: two, topics: [HOSTILE[1]] }]);
  });
});

describe.each(rawAdapters())('audit and editors on $name', ({ open }) => {
  it('records an entry per action, hostile actors and details as written (a NUL as U+FFFD); a unit rolled back records none', async () => {
    const s = await open();
    const { repos, uow } = s.ports;
    for (const text of HOSTILE)
      await repos.audit.record('desk', text, 'session.refused', { address: text, n: [1, text] }, 5);
    await expect(
      uow.run(async (tx) => {
        await tx.audit.record('cli', 'cli', 'source.add', {}, 6);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    const rows = await s.sql('SELECT at, platform, actor, action, detail FROM audit_log ORDER BY id');
    expect(rows.map((r) => ({ ...r, detail: JSON.parse(r.detail as string) as unknown }))).toEqual(
      HOSTILE.map((text) => ({
        at: 5,
        platform: 'desk',
        actor: stored(text),
        action: 'session.refused',
        detail: { address: stored(text), n: [1, stored(text)] },
      })),
    );
  });

  it("tells a stored editor per platform, and lists a platform's in SQLite's order", async () => {
    const s = await open();
    const { repos } = s.ports;
    expect(await repos.editors.isEditor('telegram', '10')).toBe(false);
    expect(await repos.editors.onPlatform('telegram')).toEqual([]);
    for (const [platform, user] of [
      ['telegram', '9'],
      ['telegram', '10'],
      ['telegram', 'B'],
      ['telegram', 'a'],
      ['whatsapp', '10'],
    ]) {
      await s.sql('INSERT INTO editors (platform, user_id, created_at) VALUES (?, ?, 1)', platform, user);
    }
    expect(await repos.editors.isEditor('telegram', '10')).toBe(true);
    expect(await repos.editors.isEditor('whatsapp', '9')).toBe(false);
    expect(await repos.editors.isEditor('telegram', '1\u00000')).toBe(false);
    expect(await repos.editors.onPlatform('telegram')).toEqual(['10', '9', 'B', 'a']);
  });
});

describe.each(rawAdapters())('desk accounts and sessions on $name', ({ open }) => {
  it("adds accounts whose names compare without ASCII case only, as SQLite's NOCASE, and lists them in its order", async () => {
    const s = await open();
    const { repos } = s.ports;
    expect(await repos.deskAccounts.count()).toBe(0);
    expect(await repos.deskAccounts.get(1)).toBeUndefined();
    expect(await repos.deskAccounts.find('mona')).toBeUndefined();
    const mona = (await repos.deskAccounts.add('Mona', 'h1', 1_000))!;
    expect(mona).toEqual({
      id: mona.id,
      username: 'Mona',
      passwordHash: 'h1',
      createdAt: new Date(1_000),
      passwordChangedAt: new Date(1_000),
    });
    expect(await repos.deskAccounts.add('mONA', 'h2', 1_001)).toBeUndefined();
    expect(await repos.deskAccounts.find('MONA')).toEqual(mona);
    expect(await repos.deskAccounts.get(mona.id)).toEqual(mona);
    // Beyond ASCII, case is not folded (NOCASE's rule): «Мона» and «мона» are two accounts, «Élodie» and «élodie» too.
    for (const name of ['мона', 'Мона', 'élodie', 'Élodie', '_x', 'bob', 'علي', HOSTILE[2]!])
      expect(await repos.deskAccounts.add(name, 'h', 1_002)).toMatchObject({ username: name });
    expect(await repos.deskAccounts.find('МОНА')).toBeUndefined();
    expect((await repos.deskAccounts.find('Мона'))!.username).toBe('Мона');
    expect(await repos.deskAccounts.count()).toBe(9);
    // NOCASE's order: ASCII letters folded («Mona» after «bob»), then bytes.
    expect((await repos.deskAccounts.list()).map((e) => e.username)).toEqual([
      HOSTILE[2],
      '_x',
      'bob',
      'Mona',
      'Élodie',
      'élodie',
      'Мона',
      'мона',
      'علي',
    ]);
    // A NUL typed into the sign-in form is not dropped: «mo\0na» is no account (nor an error on PostgreSQL).
    expect(await repos.deskAccounts.find('mo\u0000na')).toBeUndefined();
    expect(await repos.deskAccounts.add('x\u0000', 'h', 1_003)).toMatchObject({ username: 'x\uFFFD' });
  });

  it('changes a password and removes an account by its name in any ASCII case; its sessions go with it', async () => {
    const s = await open();
    const { repos } = s.ports;
    const mona = (await repos.deskAccounts.add('mona', 'h1', 1_000))!;
    const sami = (await repos.deskAccounts.add('sami', 'h1', 1_000))!;
    expect(await repos.deskAccounts.setPassword('MONA', 'h2', 2_000)).toBe(true);
    expect(await repos.deskAccounts.find('mona')).toMatchObject({
      passwordHash: 'h2',
      passwordChangedAt: new Date(2_000),
      createdAt: new Date(1_000),
    });
    expect(await repos.deskAccounts.setPassword('nobody', 'h2', 2_000)).toBe(false);
    await repos.sessions.create('a'.repeat(64), mona.id, 3_000);
    await repos.sessions.create('b'.repeat(64), sami.id, 3_000);
    expect(await repos.deskAccounts.remove('Mona')).toBe(true);
    expect(await repos.deskAccounts.remove('mona')).toBe(false);
    expect(await repos.sessions.use('a'.repeat(64), 3_600_000, 3_001)).toBeUndefined();
    expect(await repos.sessions.use('b'.repeat(64), 3_600_000, 3_001)).toMatchObject({
      editorId: sami.id,
      username: 'sami',
    });
    expect(await repos.deskAccounts.count()).toBe(1);
  });

  it('uses a session within its idle time (its last use written at most once a minute), and ends it after', async () => {
    const s = await open();
    const { repos } = s.ports;
    const mona = (await repos.deskAccounts.add('mona', 'h', 1))!;
    const hash = 'c'.repeat(64);
    const lastSeen = async () =>
      (await s.sql('SELECT last_seen_at FROM desk_sessions WHERE id = ?', hash))[0]?.last_seen_at;
    expect(await repos.sessions.use(hash, 60_000, 1_000)).toBeUndefined();
    await repos.sessions.create(hash, mona.id, 1_000);
    expect(await repos.sessions.use(hash, 600_000, 31_000)).toEqual({
      editorId: mona.id,
      username: 'mona',
      createdAt: new Date(1_000),
      lastSeenAt: new Date(31_000),
      outletId: 1,
    });
    expect(await lastSeen()).toBe(1_000);
    // The outlet it shows (the desk's switcher) is the session's own, read back on both adapters.
    await repos.sessions.setOutlet(hash, 7);
    expect(await repos.sessions.use(hash, 600_000, 32_000)).toMatchObject({ outletId: 7 });
    await repos.sessions.setOutlet('d'.repeat(64), 9);
    expect(await repos.sessions.use(hash, 600_000, 33_000)).toMatchObject({ outletId: 7 });
    await repos.sessions.use(hash, 600_000, 61_001);
    expect(await lastSeen()).toBe(61_001);
    expect(await repos.sessions.use(hash, 600_000, 661_001)).toMatchObject({ lastSeenAt: new Date(661_001) });
    expect(await repos.sessions.use(hash, 600_000, 1_261_002)).toBeUndefined();
    expect(await lastSeen()).toBeUndefined();
  });

  it("removes one session, all of an editor's, and the idle ones, saying how many", async () => {
    const s = await open();
    const { repos, uow } = s.ports;
    const mona = (await repos.deskAccounts.add('mona', 'h', 1))!;
    const sami = (await repos.deskAccounts.add('sami', 'h', 1))!;
    for (const [hash, editor, at] of [
      ['1', mona.id, 100],
      ['2', mona.id, 5_000],
      ['3', sami.id, 100],
      ['4', sami.id, 9_000],
    ] as const) {
      await repos.sessions.create(hash, editor, at);
    }
    await repos.sessions.remove('2');
    await repos.sessions.remove('nothing');
    expect(await repos.sessions.removeAllFor(mona.id)).toBe(1);
    expect(await repos.sessions.removeAllFor(mona.id)).toBe(0);
    await expect(
      uow.run(async (tx) => {
        expect(await tx.sessions.expire(1_000, 10_000)).toBe(1);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await repos.sessions.expire(1_000, 10_000)).toBe(1);
    expect((await s.sql('SELECT id FROM desk_sessions')).map((r) => r.id)).toEqual(['4']);
  });
});
