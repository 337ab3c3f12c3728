/**
 * Answers that are not a clear refusal (issue 16, item 14): a 5xx, an answer without Telegram's error_code, an
 * unknown code or a body that is not the Bot API's is temporary and retried; a photo that cannot be sent goes as text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addArticle, startHarness, TOKEN, waitFor, type Harness } from '../../fake-telegram/harness.js';
import { jobsOf } from '../../helpers/raw-db.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const subscribe = (h: Harness, chatId: string) =>
  h.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId, kind: 'private' }, Date.now());
const rows = (h: Harness, articleId: number) => jobsOf(h.db, articleId);
const enqueue = (h: Harness, articleId: number, subs: Array<{ id: number }>) =>
  h.data.repos.audience.queueListed(
    articleId,
    subs.map((s) => s.id),
    {},
    Date.now(),
  );
const retryLines = (h: Harness, chatId: string) =>
  h.lines.filter((l) => l.includes('delivery will be retried') && l.includes(`chat="${chatId}"`));

const PLAIN_500 = { kind: 'raw', status: 500, body: 'Internal Server Error', contentType: 'text/plain' } as const;
const NO_CODE_500 = { kind: 'raw', status: 500, body: '{"ok":false}' } as const;

describe('telegram answers that are not a clear refusal', () => {
  for (const [name, failure, wording] of [
    ['HTTP 500 without error_code', NO_CODE_500, 'without a Telegram error code'],
    ['HTTP 500 with a plain-text body', PLAIN_500, "not the Bot API's"],
    [
      'an error code Telegram does not refuse with (418)',
      { kind: 'raw', status: 418, body: '{"ok":false,"error_code":418,"description":"I\'m a teapot"}' },
      "418: I'm a teapot",
    ],
  ] as const) {
    it(`retries a message answered with ${name}, then sends it once`, async () => {
      h = await startHarness();
      const s = await subscribe(h, '7101');
      h.fake.failFor('7101', failure);
      const a = await addArticle(h.data);
      await enqueue(h, a.id, [s]);
      h.worker.notify();
      await waitFor(() => retryLines(h!, '7101').length > 0, 5000, 'a retry scheduled');
      expect((await rows(h, a.id))[0]!.state).not.toBe('failed');
      const line = retryLines(h, '7101')[0]!;
      expect(line).toContain(wording);
      expect(line).not.toContain('undefined');
      expect(line).not.toContain(TOKEN);
      h.fake.failFor('7101', undefined);
      await waitFor(async () => (await rows(h!, a.id))[0]!.state === 'sent', 5000, 'sent on retry');
      expect(h.fake.sentTo('7101')).toHaveLength(1);
    });
  }

  for (const [name, failure] of [
    ['HTTP 500 without error_code', NO_CODE_500],
    ['a plain-text HTTP 500', PLAIN_500],
  ] as const) {
    it(`sends the summary as text when sendPhoto is answered with ${name}`, async () => {
      h = await startHarness();
      const s = await subscribe(h, '7201');
      h.fake.failFor('7201', { ...failure, method: 'sendPhoto' });
      const a = await addArticle(h.data, { imageUrl: 'https://example.com/lead.jpg' });
      await enqueue(h, a.id, [s]);
      h.worker.notify();
      await waitFor(async () => (await rows(h!, a.id))[0]!.state === 'sent', 5000, 'sent as text');
      const sent = h.fake.sentTo('7201');
      expect(sent.map((c) => c.method)).toEqual(['sendMessage']);
      expect(sent[0]!.params.text).toContain('عن دمشق والاقتصاد');
      expect(h.lines.some((l) => l.includes('photo refused') && !l.includes('undefined'))).toBe(true);
    });
  }

  it('still fails a clear client error for good (400 for this message, 403 for the chat)', async () => {
    h = await startHarness();
    const bad = await subscribe(h, '7301');
    const blocked = await subscribe(h, '7302');
    h.fake.failFor('7301', {
      kind: 'raw',
      status: 400,
      body: '{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}',
    });
    h.fake.failFor('7302', { kind: 'blocked' });
    const a = await addArticle(h.data);
    await enqueue(h, a.id, [bad, blocked]);
    h.worker.notify();
    await waitFor(async () => (await rows(h!, a.id)).every((r) => r.state === 'failed'), 5000, 'both failed');
    expect((await h.data.repos.subscriptions.get(bad.id))!.active).toBe(true);
    expect((await h.data.repos.subscriptions.get(blocked.id))!.active).toBe(false);
  });
});
