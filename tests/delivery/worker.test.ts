import { describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import type { SendHooks, Transport } from '../../src/delivery/platform.js';
import { DeliveryCancelledError, PermanentDeliveryError, TemporaryDeliveryError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { queueAudienceIn, storeArticleIn } from '../helpers/articles.js';
import type { DataPorts } from '../../src/ports/index.js';
import type { PendingDelivery } from '../../src/model/delivery.js';
import { freshPorts } from '../helpers/raw-db.js';

const logger = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const POSTS = ['post'] as const;

/** This pass's database with `chats` subscribers and one article queued for all of them. */
async function queued(chats: number): Promise<{ store: DataPorts; articleId: number }> {
  const store = await freshPorts();
  for (let i = 0; i < chats; i++)
    await store.repos.subscriptions.subscribe({ platform: 'telegram', chatId: String(100 + i), kind: 'private' }, 0);
  const r = await storeArticleIn(store, {
    url: 'https://example.org/a',
    title: 'عنوان الخبر',
    source: 'x',
    paragraphs: ['نص الخبر الأول هنا.', 'ونص ثان للخبر.'],
    categories: [],
    language: 'ar',
  });
  if (r.status !== 'new') throw new Error('duplicate');
  await queueAudienceIn(store, r.article, { kind: 'matching' });
  return { store, articleId: r.article.id };
}

/** A platform seam as adapters implement it: `behave` decides each request's fate. */
function transport(
  behave: (d: PendingDelivery, hooks: SendHooks, call: number) => Promise<void>,
  extra: Partial<Transport> = {},
): Transport & { sent: string[] } {
  const sent: string[] = [];
  let calls = 0;
  return {
    platform: 'telegram',
    concurrency: 4,
    marksSending: true,
    isReady: () => true,
    sent,
    ...extra,
    async send(d, _article, hooks) {
      await behave(d, hooks, ++calls);
      sent.push(d.chatId);
      return { messageId: `m${d.id}` };
    },
  };
}

describe('delivery worker', () => {
  it('records `sending` only when the transport says the request leaves, and a stopped delivery is never sent', async () => {
    const { store } = await queued(3);
    const states: string[] = [];
    const t = transport(async (d, hooks) => {
      await sleep(30); // waiting for a rate limiter
      states.push((await store.repos.outbox.job(d.id))!.state); // still queued while waiting: a crash here leaves nothing in doubt
      if (d.chatId === '101') await store.repos.jobs.markSkipped(d.id, 'stopped by an editor', Date.now()); // stopped while it waited
      if (!(await hooks.sending())) throw new DeliveryCancelledError('cancelled', { method: 'sendMessage' });
      expect((await store.repos.outbox.job(d.id))!.state).toBe('sending');
      expect(await hooks.sending()).toBe(true); // idempotent: a fallback request for the same delivery may go too
    });
    const result = await new DeliveryWorker(store, [t], logger, { pollMs: 10 }).drain();
    expect(states).toEqual(['queued', 'queued', 'queued']);
    expect(t.sent.sort()).toEqual(['100', '102']);
    expect(result).toMatchObject({ sent: 2, skipped: 1 });
    expect(await store.repos.outbox.countsByState(POSTS)).toEqual(
      expect.arrayContaining([
        { platform: 'telegram', state: 'sent', count: 2 },
        { platform: 'telegram', state: 'skipped', count: 1 },
      ]),
    );
  });

  it('drain waits for a retry due soon, and gives up on a queue that stopped moving', async () => {
    const { store } = await queued(2);
    const t = transport(
      async (_d, hooks, call) => {
        await hooks.sending();
        if (call === 1) throw new TemporaryDeliveryError('429', { method: 'sendMessage', retryAfterMs: 150 });
      },
      { concurrency: 1 },
    );
    const result = await new DeliveryWorker(store, [t], logger, { pollMs: 10 }).drain();
    expect(result).toMatchObject({ sent: 2, retried: 1, failed: 0 });

    const other = await queued(2);
    const down = transport(async () => {}, { isReady: () => false });
    const started = Date.now();
    const r2 = await new DeliveryWorker(other.store, [down], logger, { pollMs: 10 }).drain(Infinity, 200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r2.sent).toBe(0);
    expect(await other.store.repos.outbox.countsByState(POSTS)).toEqual([
      { platform: 'telegram', state: 'queued', count: 2 },
    ]);
  });

  it('a permanent failure deactivates the subscription and fails what was still queued for it', async () => {
    const { store, articleId } = await queued(1);
    const sub = (await store.repos.subscriptions.list())[0]!;
    const second = await storeArticleIn(store, {
      url: 'https://example.org/b',
      title: 'خبر آخر مختلف',
      source: 'x',
      paragraphs: ['نص مختلف تماما هنا.'],
      categories: [],
      language: 'ar',
    });
    if (second.status !== 'new') throw new Error('duplicate');
    await queueAudienceIn(store, second.article, { kind: 'matching' });
    const t = transport(
      async (_d, hooks) => {
        await hooks.sending();
        throw new PermanentDeliveryError('403: bot was blocked by the user', { method: 'sendMessage', code: 403 });
      },
      { concurrency: 1 },
    );
    await new DeliveryWorker(store, [t], logger, { pollMs: 10 }).drain();
    expect(await store.repos.subscriptions.get(sub.id)).toMatchObject({
      active: false,
      deactivatedReason: '403: bot was blocked by the user',
    });
    expect((await store.repos.outbox.articleDeliveries(articleId, 10))[0]!.state).toBe('failed');
    expect((await store.repos.outbox.articleDeliveries(second.article.id, 10))[0]!.state).toBe('failed');
    expect(t.sent).toEqual([]);
  });
});
