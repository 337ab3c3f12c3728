/**
 * The outbox's ports (jobs, outbox, digests, status, audience, corrections) answer the same on SQLite and on
 * PostgreSQL: every method, with the cases that tell a faithful translation from a near one (lanes and ties in the
 * worker's look, compare-and-set refusals, a digest's posts following it, NULLs and ties in the counts, byte order
 * in message ids, a unit rolled back, hostile text).
 */
import { describe, expect, it } from 'vitest';
import type { DataPorts } from '../../../src/ports/index.js';
import { addArticle, addChat, rawAdapters, setMode, type RawDatabase } from '../../helpers/raw-db.js';

const HOSTILE = ['خبر «عاجل» — سوريا', `it's "quoted"`, `'); DROP TABLE jobs; --`, 'نص 🇸🇾🔥 emoji', '%_\\ like'];

async function jobId(db: RawDatabase, articleId: number, subscriptionId: number, kind = 'post'): Promise<number> {
  const [row] = await db.sql(
    'SELECT id FROM jobs WHERE article_id = ? AND subscription_id = ? AND kind = ? ORDER BY id DESC',
    articleId,
    subscriptionId,
    kind,
  );
  return row!.id as number;
}

const state = async (ports: DataPorts, id: number) => (await ports.repos.outbox.job(id))!.state;

describe.each(rawAdapters())('the outbox ports on $name', ({ name, open }) => {
  it('audience: filtering chats, the SQL audience counted and queued once per chat, held for a digest unless urgent and asked', async () => {
    const db = await open();
    const { repos } = db.ports;
    const source = (await repos.sources.add({ url: 'https://s.example/feed', kind: 'rss', name: 'س' }, 0)).id;
    const a = await addChat(db, '-1');
    const b = await addChat(db, '-2', { topics: ['رياضة'] });
    const c = await addChat(db, '-3');
    const w = await addChat(db, '-4', { platform: 'whatsapp' });
    await addChat(db, '-5', { active: false });
    const late = await addChat(db, '-6', { topics: ['اقتصاد'], activeSince: 5_000 });
    await db.sql(
      `INSERT INTO subscription_source_filters (subscription_id, source_id, topics, updated_at) VALUES (?, ?, '["اقتصاد"]', 0)`,
      c,
      source,
    );

    expect(await repos.audience.filterTargets(source)).toEqual([
      { id: b, platform: 'telegram', topics: ['رياضة'] },
      { id: late, platform: 'telegram', topics: ['اقتصاد'] },
      { id: c, platform: 'telegram', topics: [] },
    ]);
    expect(await repos.audience.filterTargets(undefined, 4_000)).toEqual([
      { id: b, platform: 'telegram', topics: ['رياضة'] },
    ]);
    expect(await repos.audience.sourceFilters(source)).toEqual(new Map([[c, ['اقتصاد']]]));
    expect(await repos.audience.sourceFilters(source + 1)).toEqual(new Map());

    const article = await addArticle(db, 1, { sourceId: source });
    expect(await repos.audience.count(article, { sourceId: source })).toEqual({ total: 2, already: 0, failed: 0 });
    expect(await repos.audience.count(article, { sourceId: source, everyTopic: true })).toEqual({
      total: 5,
      already: 0,
      failed: 0,
    });
    expect(await repos.audience.queueSelected(article, { sourceId: source, platform: 'telegram' }, 1_000)).toBe(1);
    // Listed twice, and one that has its post already: one new post each for the others, in the order listed.
    expect(await repos.audience.queueListed(article, [c, b, b, a], { priority: 3 }, 1_000)).toBe(2);
    expect(await repos.audience.queueListed(article, [], {}, 1_000)).toBe(0);
    expect((await jobId(db, article, c)) < (await jobId(db, article, b))).toBe(true);
    await setMode(db, w, 'hourly');
    expect(await repos.audience.queueSelected(article, { sourceId: source }, 1_000)).toBe(1);
    expect(await repos.audience.postStates(article)).toEqual(
      new Map([
        [a, 'queued'],
        [c, 'queued'],
        [b, 'queued'],
        [w, 'held'],
      ]),
    );
    await repos.jobs.markFailed(await jobId(db, article, a), 'refused', {}, 1_100);
    expect(await repos.audience.count(article, { sourceId: source })).toEqual({ total: 2, already: 1, failed: 1 });

    // Urgent: queued for a digest chat that takes urgent alerts at once, held for one that does not.
    const urgentChat = await addChat(db, '-7');
    await setMode(db, urgentChat, 'daily', { urgentNow: true });
    const alert = await addArticle(db, 2);
    expect(await repos.audience.queueListed(alert, [urgentChat, w], { priority: 1 }, 2_000)).toBe(2);
    expect(await repos.audience.postStates(alert)).toEqual(
      new Map([
        [urgentChat, 'queued'],
        [w, 'held'],
      ]),
    );
    // A scheduled broadcast's post counts as queued from its time.
    const later = await addArticle(db, 3);
    await repos.audience.queueListed(later, [a], { notBefore: 9_000 }, 2_000);
    await repos.audience.queueSelected(later, { platform: 'telegram', notBefore: 500 }, 2_000);
    const scheduled = (await repos.outbox.job(await jobId(db, later, a)))!;
    expect(scheduled.queuedAt).toEqual(new Date(9_000));
    expect((await repos.outbox.job(await jobId(db, later, c)))!.queuedAt).toEqual(new Date(2_000));
  });

  it("the worker's look: lanes, urgency, oldest or newest, the limit, texts, due time; hasQueued", async () => {
    const db = await open();
    const { repos } = db.ports;
    const A = await addChat(db, '-1', { title: 'أ' });
    const B = await addChat(db, '-2');
    const D = await addChat(db, '-3');
    await setMode(db, D, 'hourly', { quiet: ['22:00', '07:00'], quietMode: 'wait' });
    await db.sql(
      `INSERT INTO subscription_templates (subscription_id, header_mark, footer, show_hashtags, link_preview, updated_at) VALUES (?, '🔴', 'تابعونا', 0, 'large', 0)`,
      A,
    );
    const [a1, a2, a3] = [await addArticle(db, 1), await addArticle(db, 2), await addArticle(db, 3)];
    await repos.audience.queueListed(a1, [A, B], {}, 100);
    await repos.audience.queueListed(a2, [A], { priority: 1 }, 200);
    await repos.audience.queueListed(a3, [B], {}, 300);
    await repos.audience.queueListed(a1, [D], {}, 100);
    const look = async (order: 'oldest' | 'newest', limit = 10, texts = true, now = 1_000) =>
      (await repos.jobs.next('telegram', limit, order, now, { texts })).map(
        (j) => `${j.kind}:${j.kind === 'digest' ? j.digestId : j.articleId}:${j.chatId}`,
      );
    expect(await look('oldest')).toEqual([`post:${a2}:-1`, `post:${a1}:-1`, `post:${a1}:-2`, `post:${a3}:-2`]);
    expect(await look('newest')).toEqual([`post:${a2}:-1`, `post:${a3}:-2`, `post:${a1}:-1`, `post:${a1}:-2`]);
    expect(await look('oldest', 2)).toEqual([`post:${a2}:-1`, `post:${a1}:-1`]);
    const [first] = await repos.jobs.next('telegram', 1, 'oldest', 1_000, { texts: true });
    expect(first).toMatchObject({
      kind: 'post',
      articleId: a2,
      priority: 1,
      subscriptionActive: true,
      paid: false,
      chatKind: 'group',
      attempts: 0,
      template: { headerMark: '🔴', footer: 'تابعونا', showHashtags: false, linkPreview: 'large' },
    });

    // A digest message (lane 1) goes before posts, only where the platform sends texts; an edit (lane 0) first of all.
    const held = await jobId(db, a1, D);
    const digest = (await repos.digests.open(D, 3_600_000, 1, 500))!;
    const part = await repos.digests.addMessage(digest, 1, 1, 'ملخص الساعة', [held], 500);
    const [digestJob] = (await repos.jobs.next('telegram', 10, 'oldest', 1_000, { texts: true })).filter(
      (j) => j.kind === 'digest',
    );
    expect(digestJob).toMatchObject({
      id: part,
      kind: 'digest',
      part: 1,
      parts: 1,
      text: 'ملخص الساعة',
      quiet: { mode: 'wait', timeZone: 'Asia/Damascus' },
    });
    expect(await look('oldest', 10, false)).not.toContain(`digest:${digest}:-3`);
    expect(await look('oldest')).toEqual([
      `digest:${digest}:-3`,
      `post:${a2}:-1`,
      `post:${a1}:-1`,
      `post:${a1}:-2`,
      `post:${a3}:-2`,
    ]);
    const sentPost = await jobId(db, a1, A);
    expect(await repos.jobs.markSending(sentPost, 1_000)).toBe(true);
    await repos.jobs.markSent(sentPost, { messageId: '77' }, 1_001);
    expect(await repos.corrections.queueEdits(a1, 2, 1_002)).toBe(1);
    const [edit] = await repos.jobs.next('telegram', 10, 'oldest', 1_100, { texts: true });
    expect(edit).toMatchObject({
      kind: 'edit',
      articleId: a1,
      revision: 2,
      deliveryId: sentPost,
      deliveryState: 'sent',
      messageId: '77',
      digest: false,
    });
    expect((edit as { sentAt?: Date }).sentAt).toEqual(new Date(1_001));

    // Due time: a post retried later is out of the look until then, but still counts as queued.
    await repos.jobs.retryLater(await jobId(db, a3, B), '429', 50_000);
    expect(await look('oldest', 10, true, 2_000)).not.toContain(`post:${a3}:-2`);
    expect(await look('oldest', 10, true, 50_000)).toContain(`post:${a3}:-2`);
    expect(await repos.jobs.hasQueued('whatsapp', { texts: true, corrections: true })).toBe(false);
    const only = await addChat(db, '-9', { platform: 'whatsapp' });
    await repos.audience.queueListed(a1, [only], { notBefore: 70_000 }, 1_000);
    expect(await repos.jobs.hasQueued('whatsapp', { texts: false, corrections: false })).toBe(true);
    expect(await repos.jobs.hasQueued('whatsapp', { texts: false, corrections: false, dueBy: 69_999 })).toBe(false);
    expect(await repos.jobs.hasQueued('whatsapp', { texts: false, corrections: false, dueBy: 70_000 })).toBe(true);
  });

  it("the state machine: sending once and only when due, sent, retried, postponed, failed, skipped; a digest's posts follow it", async () => {
    const db = await open();
    const { repos } = db.ports;
    const A = await addChat(db, '-1');
    const D = await addChat(db, '-2');
    await setMode(db, D, 'daily');
    const [a1, a2] = [await addArticle(db, 1), await addArticle(db, 2)];
    await repos.audience.queueListed(a1, [A, D], {}, 100);
    await repos.audience.queueListed(a2, [A, D], {}, 100);
    const post = await jobId(db, a1, A);
    expect(await repos.jobs.markSending(post, 1_000)).toBe(true);
    expect(await repos.jobs.markSending(post, 1_000)).toBe(false);
    await repos.jobs.markSent(post, { messageId: 'm-1' }, 1_010);
    await repos.jobs.markSent(post, { messageId: 'm-2' }, 1_020);
    expect(await repos.outbox.job(post)).toMatchObject({
      state: 'sent',
      messageId: 'm-1',
      attempts: 1,
      finishedAt: new Date(1_010),
      sendingAt: new Date(1_000),
    });
    expect(await repos.outbox.job(999_999)).toBeUndefined();

    const other = await jobId(db, a2, A);
    await repos.jobs.retryLater(other, 'before it left', 5_000);
    expect(await repos.outbox.job(other)).toMatchObject({ state: 'queued', attempts: 1, lastError: 'before it left' });
    expect(await repos.jobs.markSending(other, 4_999)).toBe(false);
    expect(await repos.jobs.markSending(other, 5_000)).toBe(true);
    await repos.jobs.retryLater(other, 'on the wire', 6_000);
    expect(await repos.outbox.job(other)).toMatchObject({ state: 'queued', attempts: 2, lastError: 'on the wire' });
    await repos.jobs.postpone(other, 7_000, 'quiet hours');
    await repos.jobs.postpone(other, 8_000);
    expect(await repos.outbox.job(other)).toMatchObject({ state: 'queued', attempts: 2, lastError: 'quiet hours' });
    expect(await repos.jobs.markSending(other, 7_999)).toBe(false);
    await repos.jobs.markFailed(other, 'gave up', { retryable: true }, 9_000);
    expect(await repos.outbox.job(other)).toMatchObject({
      state: 'failed',
      retryable: true,
      lastError: 'gave up',
      finishedAt: new Date(9_000),
    });
    await repos.jobs.markSkipped(other, 'too late', 9_500);
    expect(await state(db.ports, other)).toBe('failed');
    await repos.jobs.markSent(other, { messageId: 'never' }, 9_600);
    expect(await state(db.ports, other)).toBe('failed');

    // A digest message carries the held posts: they go sending, sent, retried and failed with it.
    const held = [await jobId(db, a1, D), await jobId(db, a2, D)];
    const digest = (await repos.digests.open(D, 86_400_000, 2, 10_000))!;
    const part = await repos.digests.addMessage(digest, 1, 1, 'ملخص', held, 10_000);
    expect(await repos.jobs.markSending(part, 10_100)).toBe(true);
    expect(await Promise.all(held.map((id) => state(db.ports, id)))).toEqual(['sending', 'sending']);
    await repos.jobs.retryLater(part, 'timeout', 10_200);
    expect(await Promise.all(held.map((id) => state(db.ports, id)))).toEqual(['held', 'held']);
    expect(await repos.jobs.markSending(part, 10_300)).toBe(true);
    await repos.jobs.markSent(part, { messageId: 'd-1' }, 10_400);
    for (const id of held)
      expect(await repos.outbox.job(id)).toMatchObject({
        state: 'sent',
        messageId: 'd-1',
        carriedBy: part,
        attempts: 2,
      });

    // Skipped with what it carries.
    const a3 = await addArticle(db, 3);
    await repos.audience.queueListed(a3, [D], {}, 100);
    const held3 = await jobId(db, a3, D);
    const digest2 = (await repos.digests.open(D, 2 * 86_400_000, 1, 11_000))!;
    const part2 = await repos.digests.addMessage(digest2, 1, 1, 'ملخص ٢', [held3], 11_000);
    await repos.jobs.markSkipped(part2, 'subscription is no longer active', 11_100);
    expect(await repos.outbox.job(held3)).toMatchObject({
      state: 'skipped',
      lastError: 'subscription is no longer active',
    });
  });

  it("recovery at start: in doubt (hold) or queued again (resend, a digest's posts back to held); corrections failed where the platform cannot", async () => {
    const db = await open();
    const { repos } = db.ports;
    const A = await addChat(db, '-1');
    const D = await addChat(db, '-2');
    await setMode(db, D, 'hourly');
    const a1 = await addArticle(db, 1);
    await repos.audience.queueListed(a1, [A, D], {}, 100);
    const post = await jobId(db, a1, A);
    const held = await jobId(db, a1, D);
    const part = await repos.digests.addMessage(
      (await repos.digests.open(D, 3_600_000, 1, 200))!,
      1,
      1,
      'ملخص',
      [held],
      200,
    );
    await repos.jobs.markSending(post, 300);
    await repos.jobs.markSending(part, 300);
    expect(await repos.jobs.recoverInterrupted('resend', 400)).toBe(3);
    expect([await state(db.ports, post), await state(db.ports, part), await state(db.ports, held)]).toEqual([
      'queued',
      'queued',
      'held',
    ]);
    await repos.jobs.markSending(post, 500);
    await repos.jobs.markSending(part, 500);
    expect(await repos.jobs.recoverInterrupted('hold', 600)).toBe(3);
    expect(await repos.outbox.job(post)).toMatchObject({
      state: 'in_doubt',
      finishedAt: new Date(600),
      lastError: 'interrupted while sending (process stopped before the platform answered)',
    });
    expect(await repos.jobs.recoverInterrupted('hold', 700)).toBe(0);

    // The editor's verdicts: a digest message's posts follow it; a job not in doubt is refused.
    expect(await repos.outbox.resolveInDoubt(part, 'sent', 'وصلت', 800)).toBe(true);
    expect(await repos.outbox.job(held)).toMatchObject({ state: 'sent', lastError: 'وصلت', finishedAt: new Date(800) });
    expect(await repos.outbox.job(part)).toMatchObject({ state: 'sent', lastError: 'وصلت', finishedAt: new Date(800) });
    expect(await repos.outbox.resolveInDoubt(part, 'queued', 'again', 900)).toBe(false);
    expect(await repos.outbox.resolveInDoubt(post, 'queued', 'أعد', 900)).toBe(true);
    expect(await repos.outbox.job(post)).toMatchObject({ state: 'queued', lastError: 'أعد' });
    expect((await repos.outbox.job(post))!.finishedAt).toBeUndefined();

    // Edits and deletes of a platform that cannot make them.
    await repos.jobs.markSending(post, 1_000);
    await repos.jobs.markSent(post, { messageId: '5' }, 1_000);
    // The digest's post was marked sent with it: it gets its edit too.
    expect(await repos.corrections.queueEdits(a1, 2, 1_100)).toBe(2);
    expect(await repos.jobs.failCorrectionsOn('telegram', 'cannot edit', 1_200)).toBe(2);
    expect(await repos.jobs.failCorrectionsOn('telegram', 'cannot edit', 1_200)).toBe(0);
    expect(await repos.corrections.tally(a1)).toEqual([
      {
        platform: 'telegram',
        kind: 'edit',
        queued: 0,
        done: {},
        failed: 2,
        skipped: 0,
        inDoubt: 0,
        reasons: [{ reason: 'cannot edit', count: 2 }],
      },
    ]);
  });

  it('recovery of one platform (a run taking its sender over): only its jobs `sending`, a digest message with its posts; the others stay on the wire', async () => {
    const db = await open();
    const { repos } = db.ports;
    const T = await addChat(db, '-1');
    const D = await addChat(db, '-2');
    const W = await addChat(db, '-3', { platform: 'whatsapp' });
    await setMode(db, D, 'hourly');
    const a1 = await addArticle(db, 1);
    await repos.audience.queueListed(a1, [T, D, W], {}, 100);
    const post = await jobId(db, a1, T);
    const held = await jobId(db, a1, D);
    const other = await jobId(db, a1, W);
    const part = await repos.digests.addMessage(
      (await repos.digests.open(D, 3_600_000, 1, 200))!,
      1,
      1,
      'ملخص',
      [held],
      200,
    );
    for (const id of [post, part, other]) expect(await repos.jobs.markSending(id, 300)).toBe(true);
    expect(await repos.jobs.recoverInterrupted('resend', 400, 'telegram')).toBe(3);
    expect([
      await state(db.ports, post),
      await state(db.ports, part),
      await state(db.ports, held),
      await state(db.ports, other),
    ]).toEqual(['queued', 'queued', 'held', 'sending']);
    for (const id of [post, part]) expect(await repos.jobs.markSending(id, 500)).toBe(true);
    expect(await repos.jobs.recoverInterrupted('hold', 600, 'telegram')).toBe(3);
    expect([
      await state(db.ports, post),
      await state(db.ports, part),
      await state(db.ports, held),
      await state(db.ports, other),
    ]).toEqual(['in_doubt', 'in_doubt', 'in_doubt', 'sending']);
    expect(await repos.jobs.recoverInterrupted('hold', 700, 'nowhere')).toBe(0);
    expect(await repos.jobs.recoverInterrupted('hold', 700, 'whatsapp')).toBe(1);
    expect(await state(db.ports, other)).toBe('in_doubt');
    if (name === 'postgres') {
      // Several runs on one database, each its own lease: any of them alive is a run alive.
      expect(await repos.status.runnerAlive(1_000)).toBe(false);
      await db.sql(
        `INSERT INTO leases (name, holder, expires_at) VALUES ('run:a', 'a', 5000), ('run:b', 'b', 9000), ('send:telegram', 'b', 20000), ('runner', 'x', 20000)`,
      );
      expect(await repos.status.runnerAlive(4_999)).toBe(true);
      expect(await repos.status.runnerAlive(8_999)).toBe(true);
      expect(await repos.status.runnerAlive(9_000)).toBe(false);
    }
  });

  it('digests: the subscriptions, what they hold, a period opened once, a stale message rebuilt, a unit rolled back', async () => {
    const db = await open();
    const { repos, uow } = db.ports;
    const H = await addChat(db, '-1');
    const G = await addChat(db, '-2', { platform: 'whatsapp' });
    const off = await addChat(db, '-3', { active: false });
    await setMode(db, H, 'hourly', { quiet: ['23:00', '06:00'] });
    await setMode(db, G, 'daily', { urgentNow: true });
    await setMode(db, off, 'hourly');
    expect(await repos.digests.subscriptions()).toEqual([
      {
        subscriptionId: H,
        platform: 'telegram',
        lastPeriodEnd: undefined,
        settings: {
          mode: 'hourly',
          digestAt: undefined,
          urgentNow: false,
          timeZone: 'Asia/Damascus',
          quiet: { start: 23 * 60, end: 6 * 60 },
          quietMode: 'silent',
          quietUrgent: false,
        },
      },
      {
        subscriptionId: G,
        platform: 'whatsapp',
        lastPeriodEnd: undefined,
        settings: {
          mode: 'daily',
          digestAt: 20 * 60,
          urgentNow: true,
          timeZone: 'Asia/Damascus',
          quiet: undefined,
          quietMode: 'silent',
          quietUrgent: false,
        },
      },
    ]);
    const ids = [];
    for (let n = 1; n <= 4; n++) ids.push(await addArticle(db, n));
    for (const [i, id] of ids.entries())
      await repos.audience.queueListed(id, [H], { notBefore: i === 3 ? 9_000 : 0 }, 1_000 * (i + 1));
    const posts = await Promise.all(ids.map((id) => jobId(db, id, H)));
    expect(await repos.digests.heldFor(H, 3_000)).toEqual(
      ids.slice(0, 3).map((articleId, i) => ({ id: posts[i], articleId })),
    );
    expect(await repos.digests.heldFor(H, 999)).toEqual([]);

    // A unit that fails opens nothing.
    await expect(
      uow.run(async (tx) => {
        await tx.digests.open(H, 3_600_000, 3, 4_000);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    const digest = (await repos.digests.open(H, 3_600_000, 3, 4_000))!;
    expect(digest).toBeTypeOf('number');
    expect(await repos.digests.open(H, 3_600_000, 3, 4_000)).toBeUndefined();
    expect((await repos.digests.subscriptions())[0]!.lastPeriodEnd).toBe(3_600_000);
    const m1 = await repos.digests.addMessage(digest, 1, 2, 'الجزء ١', posts.slice(0, 2), 4_000);
    const m2 = await repos.digests.addMessage(digest, 2, 2, 'الجزء ٢', [posts[2]!], 4_000);
    expect(await repos.digests.heldFor(H, 3_000)).toEqual([]);
    expect(await repos.digests.carried(digest)).toEqual(
      ids.slice(0, 3).map((articleId, i) => ({ id: posts[i], articleId })),
    );
    expect(await repos.digests.isStale(m1)).toBe(false);

    // A retraction cancels the held post; the message carrying it is stale and rebuilt: fewer messages, then more.
    expect(await repos.digests.cancelRetracted(ids[0]!, 'retracted', 5_000)).toBe(1);
    expect(await repos.digests.isStale(m1)).toBe(true);
    expect(await repos.digests.isStale(m2)).toBe(false);
    expect(await repos.digests.carried(digest)).toEqual([
      { id: posts[1], articleId: ids[1] },
      { id: posts[2], articleId: ids[2] },
    ]);
    await repos.digests.rewrite(digest, [{ text: 'الكل', deliveries: [posts[1]!, posts[2]!] }], 'rebuilt', 5_100);
    expect(await repos.outbox.job(m1)).toMatchObject({ state: 'queued', text: 'الكل', parts: 1 });
    expect(await repos.outbox.job(m2)).toMatchObject({ state: 'skipped', lastError: 'rebuilt' });
    expect((await repos.outbox.job(posts[2]!))!.carriedBy).toBe(m1);
    await repos.digests.rewrite(
      digest,
      [
        { text: 'أ', deliveries: [posts[1]!] },
        { text: 'ب', deliveries: [posts[2]!] },
      ],
      'rebuilt',
      5_200,
    );
    const [row] = await db.sql(
      `SELECT id, part, parts, text FROM jobs WHERE digest_id = ? AND kind = 'digest' AND state = 'queued' AND part = 3`,
      digest,
    );
    expect(row).toMatchObject({ part: 3, parts: 2, text: 'ب' });
    expect((await repos.outbox.job(posts[2]!))!.carriedBy).toBe(row!.id);
  });

  it("the outbox's reads: counts, deliveries, replies' message ids, the queue, waits, totals, per hour and per reason", async () => {
    const db = await open();
    const { repos } = db.ports;
    const A = await addChat(db, '-1', { title: 'قناة' });
    const B = await addChat(db, '-2');
    const Q = await addChat(db, '-3');
    const W = await addChat(db, 'w1', { platform: 'whatsapp' });
    await setMode(db, Q, 'immediate', { quiet: ['00:00', '23:59'], quietMode: 'wait' });
    const [a1, a2, a3] = [await addArticle(db, 1), await addArticle(db, 2), await addArticle(db, 3)];
    await db.sql(
      `INSERT INTO broadcasts (article_id, platform, editor_id, token, state, created_at, send_at) VALUES (?, 'telegram', 'e', 't', 'done', 0, NULL)`,
      a1,
    );
    const [bc] = await db.sql('SELECT id FROM broadcasts WHERE article_id = ?', a1);
    const broadcastId = bc!.id as number;
    await repos.audience.queueListed(a1, [A, B, Q, W], { broadcastId }, 1_000);
    await repos.audience.queueListed(a2, [A, B], {}, 2_000);
    const sent = async (id: number, messageId: string, at: number) => {
      await repos.jobs.markSending(id, at);
      await repos.jobs.markSent(id, { messageId }, at);
    };
    await sent(await jobId(db, a1, A), '100', 3_600_000);
    await sent(await jobId(db, a1, B), '100_5551234', 3_700_000);
    await sent(await jobId(db, a2, A), '1000', 7_300_000);
    await sent(await jobId(db, a2, B), '100_abc_more', 7_300_000);
    await repos.jobs.markFailed(await jobId(db, a1, W), 'blocked', {}, 7_400_000);
    await repos.jobs.retryLater(await jobId(db, a1, Q), '429', 9_999_999);

    expect(await repos.outbox.articleCounts(a1)).toEqual({ telegram: { sent: 2, queued: 1 }, whatsapp: { failed: 1 } });
    expect(await repos.outbox.articleCounts(a3)).toEqual({});
    expect(await repos.outbox.countsOf([a1, a2, a3])).toEqual(
      new Map([
        [a1, { telegram: { sent: 2, queued: 1 }, whatsapp: { failed: 1 } }],
        [a2, { telegram: { sent: 2 } }],
      ]),
    );
    expect(await repos.outbox.countsOf([])).toEqual(new Map());
    expect(await repos.outbox.articleDeliveries(a1, 2)).toEqual([
      {
        id: await jobId(db, a1, A),
        platform: 'telegram',
        state: 'sent',
        chatId: '-1',
        chatKind: 'group',
        chatTitle: 'قناة',
        messageId: '100',
        lastError: undefined,
        finishedAt: new Date(3_600_000),
        broadcastId,
      },
      {
        id: await jobId(db, a1, B),
        platform: 'telegram',
        state: 'sent',
        chatId: '-2',
        chatKind: 'group',
        chatTitle: undefined,
        messageId: '100_5551234',
        lastError: undefined,
        finishedAt: new Date(3_700_000),
        broadcastId,
      },
    ]);
    // The id exactly, or followed by «_»: never a longer id, and a LIKE wildcard is only a character.
    expect(await repos.outbox.postsByMessage('telegram', '-1', '100')).toEqual([{ articleId: a1, subscriptionId: A }]);
    expect(await repos.outbox.postsByMessage('telegram', '-2', '100')).toEqual([
      { articleId: a1, subscriptionId: B },
      { articleId: a2, subscriptionId: B },
    ]);
    expect(await repos.outbox.postsByMessage('telegram', '-2', '100_')).toEqual([]);
    expect(await repos.outbox.postsByMessage('telegram', '-1', '10%')).toEqual([]);
    expect(await repos.outbox.postsByMessage('whatsapp', '-1', '100')).toEqual([]);

    expect(await repos.outbox.failedCount(a1)).toBe(1);
    expect(await repos.outbox.broadcastOf(broadcastId)).toEqual({ articleId: a1, state: 'done' });
    expect(await repos.outbox.broadcastOf(broadcastId + 1)).toBeUndefined();
    expect(await repos.outbox.requeueFailed(a1, false, 'again')).toBe(0);
    expect(await repos.outbox.requeueFailed(a1, true, 'again')).toBe(1);
    expect(await repos.outbox.job(await jobId(db, a1, W))).toMatchObject({
      state: 'queued',
      attempts: 0,
      lastError: 'again',
      retryable: false,
    });
    await repos.outbox.reopenBroadcastsOf(a1, 8_000_000);
    expect(await repos.outbox.broadcastOf(broadcastId)).toEqual({ articleId: a1, state: 'queued' });

    expect(await repos.outbox.queueDepth(9_000_000)).toEqual([
      { platform: 'telegram', waiting: 1, oldestQueuedAt: new Date(1_000), retriesScheduled: 1 },
      { platform: 'whatsapp', waiting: 1, oldestQueuedAt: new Date(1_000), retriesScheduled: 0 },
    ]);
    expect(await repos.outbox.oldestPendingAge(9_000_000)).toBe(9_000_000 - 1_000);
    expect(await repos.outbox.oldestPendingAge(999)).toBeUndefined();
    const waits = await repos.outbox.chatWaitGroups(9_000_000);
    expect(waits).toEqual([
      {
        platform: 'telegram',
        subscriptionId: Q,
        state: 'queued',
        urgent: false,
        carried: false,
        count: 1,
        scheduled: 1,
        mode: 'immediate',
        digestAt: undefined,
        timeZone: 'Asia/Damascus',
        quiet: { start: 0, end: 23 * 60 + 59, timeZone: 'Asia/Damascus', mode: 'wait', urgentOverrides: false },
      },
    ]);
    expect(await repos.outbox.chatWaitGroups(9_000_000, broadcastId + 1)).toEqual([]);
    expect(await repos.outbox.chatWaitGroups(10_000_000, broadcastId)).toMatchObject([
      { subscriptionId: Q, scheduled: 0 },
    ]);
    expect(await repos.outbox.countsByState(['post'])).toEqual([
      { platform: 'telegram', state: 'queued', count: 1 },
      { platform: 'telegram', state: 'sent', count: 4 },
      { platform: 'whatsapp', state: 'queued', count: 1 },
    ]);
    expect(await repos.outbox.totalsByState(['post', 'digest'])).toEqual({ queued: 2, sent: 4 });
    expect(await repos.outbox.totalsByState(['edit', 'delete'])).toEqual({});
    expect(await repos.outbox.sentPerHour(3_650_000)).toEqual([
      { platform: 'telegram', hour: 1, count: 1 },
      { platform: 'telegram', hour: 2, count: 2 },
    ]);

    // Failures by reason: most first, ties in the groups' order, no reason as ''.
    const more = await addChat(db, '-4');
    const ids = [await addArticle(db, 4), await addArticle(db, 5), await addArticle(db, 6)];
    for (const id of ids) await repos.audience.queueListed(id, [A, B, more], {}, 1_000);
    let n = 0;
    for (const [reason, count] of [
      ['ب', 2],
      ['أ', 2],
      ['z', 3],
      ['', 1],
    ] as const) {
      for (let i = 0; i < count; i++, n++)
        await repos.jobs.markFailed(
          await jobId(db, ids[Math.floor(n / 3)]!, [A, B, more][n % 3]!),
          reason,
          {},
          8_000_000,
        );
    }
    expect(await repos.outbox.failuresByReason(7_500_000)).toEqual([
      { platform: 'telegram', reason: 'z', count: 3 },
      { platform: 'telegram', reason: 'أ', count: 2 },
      { platform: 'telegram', reason: 'ب', count: 2 },
      { platform: 'telegram', reason: '', count: 1 },
    ]);
    expect(await repos.outbox.failuresByReason(9_000_000)).toEqual([]);
  });

  it('in doubt, scheduled posts and the status', async () => {
    const db = await open();
    const { repos } = db.ports;
    const A = await addChat(db, '-1', { title: 'مجموعة' });
    const W = await addChat(db, 'w', { platform: 'whatsapp', active: false });
    const a1 = await addArticle(db, 1, { title: 'العنوان' });
    await repos.audience.queueListed(a1, [A, W], {}, 1_000);
    for (const s of [A, W]) await repos.jobs.markSending(await jobId(db, a1, s), 2_000);
    await repos.jobs.recoverInterrupted('hold', 3_000);
    expect((await repos.outbox.inDoubt(10)).map((j) => j.subscriptionId)).toEqual([W, A]);
    expect(await repos.outbox.inDoubt(1)).toHaveLength(1);
    expect(await repos.outbox.inDoubtWithChats(10)).toEqual([
      {
        id: await jobId(db, a1, W),
        kind: 'post',
        articleId: a1,
        title: 'العنوان',
        platform: 'whatsapp',
        chatId: 'w',
        chatTitle: undefined,
        since: new Date(2_000),
      },
      {
        id: await jobId(db, a1, A),
        kind: 'post',
        articleId: a1,
        title: 'العنوان',
        platform: 'telegram',
        chatId: '-1',
        chatTitle: 'مجموعة',
        since: new Date(2_000),
      },
    ]);

    const a2 = await addArticle(db, 2);
    await db.sql(
      `INSERT INTO broadcasts (article_id, platform, editor_id, token, state, created_at, send_at) VALUES (?, 'telegram', 'e', 't', 'queued', 0, 50000)`,
      a2,
    );
    const [bc] = await db.sql('SELECT id FROM broadcasts WHERE article_id = ?', a2);
    await repos.audience.queueListed(a2, [A], { broadcastId: bc!.id as number, notBefore: 50_000 }, 1_000);
    expect(await repos.outbox.scheduledPosts(10_000)).toEqual([{ platform: 'telegram', count: 1, next: 50_000 }]);
    expect(await repos.outbox.scheduledPosts(50_000)).toEqual([]);

    expect(await repos.status.articleCount()).toBe(2);
    expect(await repos.status.subscriptionCounts()).toEqual([
      { platform: 'telegram', active: 1, inactive: 0 },
      { platform: 'whatsapp', active: 0, inactive: 1 },
    ]);
    expect(await repos.status.runnerAlive(1_000)).toBe(false);
    await db.sql(`INSERT INTO leases (name, holder, expires_at) VALUES ('run', 'me', 5000)`);
    expect(await repos.status.runnerAlive(4_999)).toBe(true);
    expect(await repos.status.runnerAlive(5_000)).toBe(false);
    expect(await repos.status.platformStates()).toEqual([]);
    await db.sql(
      `INSERT INTO platform_status (platform, ready, reason, updated_at) VALUES ('whatsapp', 0, 'logged out', 7), ('telegram', 1, NULL, 8)`,
    );
    expect(await repos.status.platformStates()).toEqual([
      { platform: 'telegram', ready: true, reason: undefined, updatedAt: new Date(8) },
      { platform: 'whatsapp', ready: false, reason: 'logged out', updatedAt: new Date(7) },
    ]);
  });

  it('corrections: revised, edited, retracted once; edits supersede older ones, deletes reach posts in doubt; the rest cancelled; the tally', async () => {
    const db = await open();
    const { repos, uow } = db.ports;
    const [A, B, C, D] = [
      await addChat(db, '-1'),
      await addChat(db, '-2'),
      await addChat(db, '-3'),
      await addChat(db, '-4'),
    ];
    await setMode(db, D, 'hourly');
    const a1 = await addArticle(db, 1);
    await repos.audience.queueListed(a1, [A, B, C, D], {}, 1_000);
    const [pa, pb, pc] = [await jobId(db, a1, A), await jobId(db, a1, B), await jobId(db, a1, C)];
    await repos.jobs.markSending(pa, 2_000);
    await repos.jobs.markSent(pa, { messageId: '1' }, 2_000);
    await repos.jobs.markSending(pb, 2_000);
    expect(await repos.jobs.articleStamp(a1)).toBe('1:0:0');
    expect(await repos.jobs.articleStamp(a1 + 100)).toBeUndefined();

    const text = {
      title: 'عنوان مصحح',
      paragraphs: ['فقرة'],
      summary: ['ملخص'],
      hashtags: ['#سوريا'],
      contentHash: 'c2',
      storyKey: 's2',
      searchText: 'عنوان مصحح ملخص',
    };
    expect(await repos.corrections.revise(a1, text, true)).toBe(true);
    expect(await repos.corrections.revise(a1, { ...text, feedHash: 'f' }, false)).toBe(true);
    expect(await repos.jobs.articleStamp(a1)).toBe('2:0:0');
    const edited = await repos.corrections.applyEdit(
      a1,
      { title: 'تحرير', summary: ['س'], hashtags: [] },
      'editor',
      3_000,
    );
    expect(edited).toMatchObject({
      id: a1,
      title: 'تحرير',
      summary: ['س'],
      hashtags: [],
      revision: 3,
      feedHash: 'f',
      edit: { by: 'editor', at: new Date(3_000), original: { title: 'عنوان مصحح' } },
    });
    expect(await repos.jobs.articleStamp(a1)).toBe('3:3000:0');

    expect(await repos.corrections.queueEdits(a1, 2, 3_000)).toBe(2);
    expect(await repos.corrections.queueEdits(a1, 2, 3_000)).toBe(0);
    expect(await repos.corrections.queueEdits(a1, 3, 3_100)).toBe(2);
    expect(await repos.corrections.tally(a1)).toEqual([
      { platform: 'telegram', kind: 'edit', queued: 2, done: {}, failed: 0, skipped: 2, inDoubt: 0, reasons: [] },
    ]);
    expect(await repos.corrections.postStates(a1)).toEqual([
      { platform: 'telegram', state: 'held', count: 1 },
      { platform: 'telegram', state: 'queued', count: 1 },
      { platform: 'telegram', state: 'sending', count: 1 },
      { platform: 'telegram', state: 'sent', count: 1 },
    ]);

    // A unit that fails retracts nothing.
    await expect(
      uow.run(async (tx) => {
        await tx.corrections.retract(a1, 'editor', 4_000);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await repos.jobs.articleStamp(a1)).toBe('3:3000:0');
    await repos.jobs.recoverInterrupted('hold', 3_500);
    expect(await repos.corrections.cancelUnsent(a1, 'retracted', 4_000)).toBe(4);
    expect(await repos.corrections.retract(a1, 'editor', 4_000)).toBe(true);
    expect(await repos.corrections.retract(a1, 'other', 4_100)).toBe(false);
    expect(await repos.corrections.revise(a1, text, true)).toBe(false);
    expect(await repos.jobs.articleStamp(a1)).toBe('3:3000:1');
    expect(await repos.corrections.queueDeletes(a1, 3, 4_200)).toBe(2);
    expect(await repos.corrections.queueDeletes(a1, 3, 4_200)).toBe(0);
    const deletes = await db.sql(
      `SELECT id, waits_for FROM jobs WHERE article_id = ? AND kind = 'delete' ORDER BY id`,
      a1,
    );
    expect(deletes.map((d) => d.waits_for)).toEqual([pa, pb]);
    await repos.jobs.markFailed(deletes[1]!.id as number, 'the post is in doubt', {}, 4_300);
    await repos.jobs.markSending(deletes[0]!.id as number, 4_300);
    await repos.jobs.markSent(deletes[0]!.id as number, { outcome: 'deleted' }, 4_300);
    expect(await repos.corrections.tally(a1)).toEqual([
      { platform: 'telegram', kind: 'edit', queued: 0, done: {}, failed: 0, skipped: 4, inDoubt: 0, reasons: [] },
      {
        platform: 'telegram',
        kind: 'delete',
        queued: 0,
        done: { deleted: 1 },
        failed: 1,
        skipped: 0,
        inDoubt: 0,
        reasons: [{ reason: 'the post is in doubt', count: 1 }],
      },
    ]);
    expect(await state(db.ports, pc)).toBe('skipped');
  });

  it('hostile text in errors, notes, digests and corrections is stored as given, on both', async () => {
    const db = await open();
    const { repos } = db.ports;
    const A = await addChat(db, '-1');
    const D = await addChat(db, '-2');
    await setMode(db, D, 'hourly');
    for (const [i, text] of HOSTILE.entries()) {
      const article = await addArticle(db, i + 1);
      await repos.audience.queueListed(article, [A, D], {}, 1_000);
      const post = await jobId(db, article, A);
      await repos.jobs.retryLater(post, text, 2_000);
      expect((await repos.outbox.job(post))!.lastError).toBe(text);
      await repos.jobs.postpone(post, 3_000, `${text}!`);
      expect((await repos.outbox.job(post))!.lastError).toBe(`${text}!`);
      await repos.jobs.markFailed(post, text, { retryable: true }, 4_000);
      expect(await repos.outbox.failuresByReason(0)).toContainEqual({ platform: 'telegram', reason: text, count: 1 });
      expect(await repos.outbox.requeueFailed(article, false, text)).toBe(1);
      await repos.jobs.markSending(post, 5_000);
      await repos.jobs.markSent(post, { messageId: text, answer: text, outcome: 'replied' }, 5_000);
      expect(await repos.outbox.postsByMessage('telegram', '-1', text)).toEqual([
        { articleId: article, subscriptionId: A },
      ]);
      const digest = (await repos.digests.open(D, (i + 1) * 3_600_000, 1, 6_000))!;
      const part = await repos.digests.addMessage(digest, 1, 1, text, [await jobId(db, article, D)], 6_000);
      expect((await repos.outbox.job(part))!.text).toBe(text);
      await repos.digests.rewrite(digest, [{ text: `${text}؟`, deliveries: [] }], text, 6_100);
      expect((await repos.outbox.job(part))!.text).toBe(`${text}؟`);
      expect(
        await repos.corrections.applyEdit(article, { title: text, summary: [text], hashtags: [text] }, text, 7_000),
      ).toMatchObject({ title: text, summary: [text], edit: { by: text } });
      expect(
        await repos.corrections.revise(
          article,
          {
            title: text,
            paragraphs: [text],
            summary: [text],
            hashtags: [],
            contentHash: text,
            storyKey: text,
            searchText: text,
          },
          true,
        ),
      ).toBe(true);
      expect(await repos.corrections.cancelUnsent(article, text, 8_000)).toBe(1);
      expect(await repos.corrections.retract(article, text, 8_000)).toBe(true);
    }
    expect(await repos.status.articleCount()).toBe(HOSTILE.length);
  });

  // PostgreSQL's text cannot hold a NUL, which SQLite keeps: the PostgreSQL adapter drops it (src/store/postgres/sql.ts)
  // rather than refuse the write, since a refused markSent would leave a message that went out in doubt.
  it("a NUL character in a platform's error or answer is never a failed write (U+FFFD on both)", async () => {
    const db = await open();
    const { repos } = db.ports;
    const kept = (text: string) => text.replaceAll('\u0000', '\uFFFD');
    const A = await addChat(db, '-1');
    const article = await addArticle(db, 1);
    await repos.audience.queueListed(article, [A], {}, 1_000);
    const post = await jobId(db, article, A);
    await repos.jobs.retryLater(post, 'bad\u0000gateway', 2_000);
    expect((await repos.outbox.job(post))!.lastError).toBe(kept('bad\u0000gateway'));
    await repos.jobs.markSending(post, 2_000);
    await repos.jobs.markSent(post, { messageId: '1\u00002', answer: 'a\u0000' }, 2_000);
    expect(await repos.outbox.job(post)).toMatchObject({
      state: 'sent',
      messageId: kept('1\u00002'),
      answer: kept('a\u0000'),
    });
  });
});
