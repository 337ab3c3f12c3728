/**
 * Ingest figures: feed parsing throughput, and one poll cycle over 50 local sources with 200 ms latency each.
 * Uses the tests' loopback feed server (real sockets on 127.0.0.1).
 */
import { loadConfig } from '../src/config.js';
import { parseFeedText } from '../src/ingest/feeds.js';
import { SourcePoller } from '../src/ingest/poller.js';
import { createLogger } from '../src/logger.js';
import { openStore } from '../src/store/index.js';
import { startFeedServer } from '../tests/helpers/feed-server.js';
import { pollDeps } from '../src/newsroom/intake.js';

const PARAGRAPH =
  'أعلنت وزارة الزراعة اليوم عن خطة جديدة لدعم المزارعين في المناطق الشرقية، تشمل توزيع البذور والأسمدة بأسعار مدعومة. ' +
  'وقال مسؤول في الوزارة إن الخطة ستنفذ على مراحل خلال الأشهر المقبلة، بالتعاون مع المنظمات المحلية. ' +
  'ويأمل المزارعون أن تسهم الخطة في تحسين المحاصيل بعد سنوات من الجفاف وارتفاع تكاليف الإنتاج.';

export function rssFeed(prefix: string, count: number, base: string): string {
  const items = Array.from(
    { length: count },
    (_, i) =>
      `<item><title>${prefix} خبر رقم ${i}: خطة زراعية في المنطقة ${i}</title>` +
      `<link>${base}/${prefix}/${i}</link><guid>${base}/${prefix}/${i}</guid><pubDate>${new Date(Date.UTC(2025, 0, 1) - i * 60_000).toUTCString()}</pubDate>` +
      `<category>اقتصاد</category><description><![CDATA[<p>${prefix} ${i}. ${PARAGRAPH}</p><p>${PARAGRAPH}</p>]]></description></item>`,
  ).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${prefix}</title>${items}</channel></rss>`;
}

export async function benchIngest(): Promise<{ itemsPerSecond: number; pollCycleMs: number }> {
  // 1. Parse only: a 5,000-item feed.
  const big = rssFeed('p', 5000, 'https://example.com');
  await parseFeedText(big); // warm-up
  const t0 = performance.now();
  const parsed = await parseFeedText(big);
  const parseMs = performance.now() - t0;
  const itemsPerSecond = Math.round(parsed.items.length / (parseMs / 1000));

  // 2. One poll cycle: 50 sources on one local server, 200 ms latency each, bounded concurrency (default 8).
  const server = await startFeedServer();
  const config = loadConfig({ NASHRA_ALLOW_PRIVATE_FETCH: '1' });
  const store = openStore(':memory:');
  try {
    for (let s = 0; s < 50; s++) {
      server.route(`/feed-${s}.xml`, {
        body: rssFeed(`s${s}`, 10, server.base),
        delayMs: 200,
        contentType: 'application/rss+xml; charset=utf-8',
      });
      store.sources.add({ url: `${server.base}/feed-${s}.xml`, kind: 'rss', name: `source ${s}` });
    }
    const poller = new SourcePoller(
      pollDeps({ config, store, data: store.ports(), logger: createLogger({ level: 'silent' }) }),
      () => {},
    );
    const t1 = performance.now();
    const summary = await poller.pollAll();
    const pollCycleMs = Math.round(performance.now() - t1);
    if (summary.failed > 0) throw new Error(`bench poll cycle: ${summary.failed} of 50 sources failed`);
    return { itemsPerSecond, pollCycleMs };
  } finally {
    store.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchIngest();
  console.log(
    `ingest: ${r.itemsPerSecond} items/s parsed (5,000-item feed); ` +
      `poll cycle over 50 sources at 200 ms latency: ${r.pollCycleMs} ms (concurrency ${loadConfig({}).fetch.concurrency})`,
  );
}
