import { afterEach, describe, expect, it } from 'vitest';
import { addArticle, message, startHarness, TOKEN, waitFor, type Harness } from '../../fake-telegram/harness.js';
import { auditLog, jobsOf } from '../../helpers/raw-db.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const subscribe = (h: Harness, chatId: string, kind: 'private' | 'group' = 'private') =>
  h.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId, kind }, Date.now());
const deliver = async (h: Harness, articleId: number, subs: Array<{ id: number; platform: string }>) => {
  await h.data.repos.audience.queueListed(
    articleId,
    subs.map((s) => s.id),
    {},
    Date.now(),
  );
  h.worker.notify();
};
const states = async (h: Harness, articleId: number) => (await jobsOf(h.db, articleId)).map((d) => d.state);
const noTokenAnywhere = async (h: Harness) => {
  for (const line of h.lines) expect(line).not.toContain(TOKEN);
  for (const row of await h.data.repos.outbox.inDoubt(100)) expect(row.lastError ?? '').not.toContain(TOKEN);
};

describe('telegram transport against the fake Bot API', () => {
  it('deactivates a chat that blocked the bot (403) and keeps sending to the others', async () => {
    h = await startHarness();
    const blocked = await subscribe(h, '3001');
    const fine = await subscribe(h, '3002');
    h.fake.failFor('3001', { kind: 'blocked' });
    const a = await addArticle(h.data);
    await deliver(h, a.id, [blocked, fine]);
    await waitFor(
      async () => !(await states(h!, a.id)).some((s) => s === 'queued' || s === 'sending'),
      5000,
      'both finished',
    );
    const rows = await jobsOf(h.db, a.id);
    expect(rows.map((r) => r.state)).toEqual(['failed', 'sent']);
    expect(rows[0]!.lastError).toContain('403');
    expect(rows[0]!.lastError).toContain('sendMessage');
    expect(rows[0]!.lastError).not.toContain(TOKEN);
    expect((await h.data.repos.subscriptions.get(blocked.id))!.active).toBe(false);
    expect(rows[1]!.messageId).toMatch(/^\d+$/);
    await noTokenAnywhere(h);
  });

  it('follows a migrated group (400 migrate_to_chat_id) and delivers there once', async () => {
    h = await startHarness();
    const group = await subscribe(h, '-3101', 'group');
    h.fake.failFor('-3101', { kind: 'migrate', to: -1003101 });
    const a = await addArticle(h.data);
    await deliver(h, a.id, [group]);
    await waitFor(async () => (await states(h!, a.id))[0] === 'sent', 5000, 'sent after migration');
    expect((await h.data.repos.subscriptions.get(group.id))!.chatId).toBe('-1003101');
    expect(h.fake.sentTo('-1003101')).toHaveLength(1);
  });

  it('a migrated group whose new id has a subscription of its own: the post fails saying so, the old one is deactivated, nothing loops', async () => {
    h = await startHarness();
    const group = await subscribe(h, '-3102', 'group');
    const supergroup = await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1003102', kind: 'channel' },
      Date.now(),
    );
    h.fake.failFor('-3102', { kind: 'migrate', to: -1003102 });
    const a = await addArticle(h.data);
    await deliver(h, a.id, [group, supergroup]);
    await waitFor(
      async () => !(await states(h!, a.id)).some((s) => s === 'queued' || s === 'sending'),
      5000,
      'both finished',
    );
    const rows = await jobsOf(h.db, a.id);
    expect(rows.map((r) => [r.subscriptionId, r.state])).toEqual([
      [group.id, 'failed'],
      [supergroup.id, 'sent'],
    ]);
    expect(rows[0]!.lastError).toContain('-1003102 has a subscription already');
    // Tried once, not again and again against the old id; the new chat got the article once, by its own subscription.
    expect(h.fake.calls.filter((c) => String(c.params.chat_id) === '-3102')).toHaveLength(1);
    expect(h.fake.sentTo('-1003102')).toHaveLength(1);
    expect(await h.data.repos.subscriptions.get(group.id)).toMatchObject({ chatId: '-3102', active: false });
    expect(await h.data.repos.subscriptions.get(supergroup.id)).toMatchObject({ chatId: '-1003102', active: true });
    expect((await auditLog(h.db)).filter((e) => e.action === 'subscription.migrate')).toEqual([]);
  });

  it("a move told twice at once (the platform's update and a send's answer): moved once, audited once, delivered once", async () => {
    h = await startHarness();
    const group = await subscribe(h, '-3103', 'group');
    h.fake.failFor('-3103', { kind: 'migrate', to: -1003103 });
    const articles = [await addArticle(h.data), await addArticle(h.data)];
    h.fake.pushUpdate(message({ id: -3103, type: 'group', title: 'g' }, 9, '', { migrate_to_chat_id: -1003103 }));
    for (const a of articles) await deliver(h, a.id, [group]);
    await waitFor(
      async () => (await Promise.all(articles.map((a) => states(h!, a.id)))).every((s) => s[0] === 'sent'),
      5000,
      'both sent after the move',
    );
    expect(await h.data.repos.subscriptions.get(group.id)).toMatchObject({ chatId: '-1003103', active: true });
    expect(h.fake.sentTo('-1003103')).toHaveLength(2);
    const moves = (await auditLog(h.db)).filter((e) => e.action === 'subscription.migrate');
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({
      platform: 'system',
      detail: { subscription: group.id, from: '-3103', to: '-1003103' },
    });
  });

  it('resends as plain text when Telegram rejects the markup, and logs it with the article id', async () => {
    h = await startHarness();
    const s1 = await subscribe(h, '3201');
    const s2 = await subscribe(h, '3202');
    h.fake.failFor('3201', { kind: 'too_long' });
    h.fake.failFor('3202', { kind: 'cant_parse' });
    const a = await addArticle(h.data);
    await deliver(h, a.id, [s1, s2]);
    await waitFor(async () => (await states(h!, a.id)).every((s) => s === 'sent'), 5000, 'plain-text fallback sent');
    for (const chat of ['3201', '3202']) {
      const [msg] = h.fake.sentTo(chat);
      expect(msg!.params.parse_mode).toBeUndefined();
      expect(msg!.params.text).not.toContain('<b>');
    }
    expect(h.lines.some((l) => l.includes('ERROR') && l.includes(`article=${a.id}`))).toBe(true);
  });

  it('sends a lead image as a photo with a caption, and falls back to text when the photo is refused', async () => {
    h = await startHarness();
    const s1 = await subscribe(h, '3301');
    const s2 = await subscribe(h, '3302');
    h.fake.failFor('3302', { kind: 'photo_invalid' });
    const a = await addArticle(h.data, { imageUrl: 'https://example.com/lead.jpg' });
    await deliver(h, a.id, [s1, s2]);
    await waitFor(async () => (await states(h!, a.id)).every((s) => s === 'sent'), 5000, 'photo and fallback');
    const photo = h.fake.sent('sendPhoto').find((c) => String(c.params.chat_id) === '3301')!;
    expect(photo.params.photo).toBe('https://example.com/lead.jpg');
    expect(photo.params.caption.length).toBeLessThanOrEqual(1024);
    expect(h.fake.sentTo('3302')[0]!.method).toBe('sendMessage');
  });

  it('a request reaches the server only once its `sending` row is committed (five leaving together)', async () => {
    h = await startHarness();
    const chats = ['3401', '3402', '3403', '3404', '3405'];
    const releases = chats.map((chat) => h!.fake.hold(chat));
    const subs = [];
    for (const chat of chats) subs.push(await subscribe(h, chat));
    const a = await addArticle(h.data);
    await deliver(h, a.id, subs);
    await waitFor(
      () => chats.every((chat) => h!.fake.calls.some((c) => String(c.params.chat_id) === chat)),
      5000,
      'all five received, none answered',
    );
    // Another connection (raw-db's own) sees only what was committed: a row still `queued` here would be a request sent unrecorded.
    const rows = (await h.db.sql(`SELECT state FROM jobs WHERE article_id = ? AND kind = 'post'`, a.id)).map(
      (r) => r.state,
    );
    expect(rows).toEqual(chats.map(() => 'sending'));
    for (const release of releases) release();
    await waitFor(async () => (await states(h!, a.id)).every((s) => s === 'sent'), 5000, 'all sent');
    for (const chat of chats) expect(h.fake.sentTo(chat)).toHaveLength(1);
  });

  it('survives a 429 storm: everything delivered exactly once, nothing failed', async () => {
    h = await startHarness({ limits: { globalPerSecond: 100, perChatPerSecond: 5, perGroupPerMinute: 100 } });
    const subs = [];
    for (let i = 0; i < 40; i++) subs.push(await subscribe(h, String(3400 + i)));
    const a = await addArticle(h.data);
    h.fake.storm(1200);
    await deliver(h, a.id, subs);
    await waitFor(async () => (await states(h!, a.id)).every((s) => s === 'sent'), 15_000, 'all sent after the storm');
    expect(h.fake.rateLimited429).toBeGreaterThan(0);
    for (const s of subs) expect(h.fake.sentTo(s.chatId)).toHaveLength(1);
    expect((await states(h, a.id)).filter((s) => s === 'failed')).toHaveLength(0);
    await noTokenAnywhere(h);
  });

  it('retries a 5xx later through the worker', async () => {
    h = await startHarness();
    const s = await subscribe(h, '3501');
    h.fake.failFor('3501', { kind: 'server_error' });
    const a = await addArticle(h.data);
    await deliver(h, a.id, [s]);
    await waitFor(
      () => h!.lines.some((l) => l.includes('delivery will be retried') && l.includes('502')),
      5000,
      'retry scheduled',
    );
    h.fake.failFor('3501', undefined);
    await waitFor(async () => (await states(h!, a.id))[0] === 'sent', 5000, 'sent on retry');
    expect(h.fake.sentTo('3501')).toHaveLength(1);
  });

  it('starts even when the server refuses setMyCommands, and never logs the token', async () => {
    h = await startHarness({
      before: (fake) => {
        fake.refuse('setMyCommands');
        fake.refuse('setMyDescription');
      },
    });
    expect(h.adapter.isConnected()).toBe(true);
    expect(h.lines.some((l) => l.includes('WARN') && l.includes('setMyCommands'))).toBe(true);
    // An error whose text echoes the token is masked by the logger as well.
    h.logger.error('simulated', { error: new Error(`request to ${h.fake.apiRoot}/bot${TOKEN}/getMe failed`) });
    await noTokenAnywhere(h);
  });
});
