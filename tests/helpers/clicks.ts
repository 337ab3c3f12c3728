/** Posts sent with clicks on their links, written through the outbox's and the clicks port's own methods. */
import { hourOf, HOUR_MS } from '../../src/model/reach.js';
import { newClickCode as codeOf } from '../../src/newsroom/clicks.js';
import type { DataPorts } from '../../src/ports/index.js';
import type { Store } from '../../src/store/index.js';
import { storeNumberedArticle } from './articles.js';

const portsOf = (db: Store | DataPorts): DataPorts => ('ports' in db ? db.ports() : db);

/** A post of `articleId` in chat `subId`, sent at `sentAt`, with `clicks` [hour start ms, count] counted on its link. */
export async function post(
  store: Store | DataPorts,
  articleId: number,
  subId: number,
  sentAt: number,
  clicks: Array<[number, number]> = [],
): Promise<void> {
  const { repos } = portsOf(store);
  await repos.audience.queueListed(articleId, [subId], {}, sentAt - 1000);
  const chat = (await repos.subscriptions.get(subId))!;
  const job = (await repos.outbox.articleDeliveries(articleId, 10_000)).find(
    (d) => d.platform === chat.platform && d.chatId === chat.chatId,
  )!;
  await repos.jobs.markSending(job.id, sentAt);
  await repos.jobs.markSent(job.id, { messageId: `m${job.id}` }, sentAt);
  if (clicks.length === 0) return;
  const code = await repos.clicks.remember(codeOf(), articleId, subId, sentAt);
  const target = (await repos.clicks.resolve(code))!;
  await repos.clicks.addCounts(
    clicks.map(([at, n]) => ({ linkId: target.linkId, articleId, subscriptionId: subId, hour: hourOf(at), clicks: n })),
  );
}

/**
 * Four weeks of history in which `bestHour` (UTC) wins: 50 posts over the last 25 days at 06:10 UTC with 1 click each,
 * and 10 at `bestHour`:10 with 4 clicks each, spread over the chats `subIds`.
 */
export async function seedBestHour(
  store: Store | DataPorts,
  subIds: readonly number[],
  bestHour: number,
): Promise<void> {
  const DAY = 24 * HOUR_MS;
  const day = (d: number, hour: number) => Math.floor(Date.now() / DAY) * DAY - d * DAY + hour * HOUR_MS + 10 * 60_000;
  let n = 1000;
  for (let i = 0; i < 50; i++) {
    const at = day(1 + (i % 25), 6);
    await post(store, (await storeNumberedArticle(store, n++)).id, subIds[i % subIds.length]!, at, [[at, 1]]);
  }
  for (let i = 0; i < 10; i++) {
    const at = day(1 + i, bestHour);
    await post(store, (await storeNumberedArticle(store, n++)).id, subIds[i % subIds.length]!, at, [[at, 4]]);
  }
}
