/**
 * Ingest never blocks sending: the delivery figure (bench/delivery.ts, strict fake, 0 × 429 expected) measured while
 * new 5,000-item feeds are added and polled one after another in the same process, the way `nashra run` does both
 * (a new source: the whole feed parsed, its newest 200 items read, summarised and stored, the rest left for later
 * polls). The site runs in its own process (bench/feed-site-process.ts). Target: achieved ÷ allowed still ≥ 0.95.
 */
import { loadConfig } from '../src/config.js';
import { pollSource } from '../src/ingest/poller.js';
import { createLogger } from '../src/logger.js';
import { openStore } from '../src/store/index.js';
import { benchDelivery, type DeliveryFigure } from './delivery.js';
import { startFeedSiteProcess } from './feed-site-process.js';

const ITEMS = 5000;

export async function benchDeliveryDuringIngest(opts: { chats?: number; articles?: number; paid?: boolean } = {}): Promise<DeliveryFigure & { feedsIngested: number; itemsParsed: number; itemsStored: number }> {
  const site = await startFeedSiteProcess(ITEMS);
  // A 5,000-item feed with two paragraphs an item is about 8 MB, above the default 5 MB cap.
  const config = loadConfig({ NASHRA_ALLOW_PRIVATE_FETCH: '1', NASHRA_FETCH_MAX_BYTES: String(32 * 1024 * 1024) });
  const store = openStore(':memory:');
  const logger = createLogger({ level: 'silent' });
  let done = false;
  let feeds = 0;
  let stored = 0;
  const ingest = async () => {
    while (!done) {
      const source = store.sources.add({ url: `${site.base}/feed-${feeds}.xml`, kind: 'rss', name: `feed ${feeds}` });
      const r = await pollSource({ config, store, logger }, source);
      if (r.outcome === 'error') throw new Error(`bench ingest: ${r.error}`);
      stored += r.newArticles;
      feeds++;
    }
  };
  try {
    let running: Promise<void> | undefined;
    const figure = await benchDelivery({ ...opts, during: async () => { running = ingest(); } });
    done = true;
    await running;
    return { ...figure, feedsIngested: feeds, itemsParsed: feeds * ITEMS, itemsStored: stored };
  } finally {
    done = true;
    store.close();
    await site.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // The same runs as `npm run bench -- busy`: 2 items to 300 chats at 30/s, or to 2,500 chats at the paid 1,000/s.
  const paid = process.argv[2] === 'paid';
  benchDeliveryDuringIngest({ chats: paid ? 2500 : 300, articles: 2, paid }).then((r) => console.log(JSON.stringify(r)));
}
