/**
 * Ingest never blocks sending: the delivery figure (bench/delivery.ts, strict fake, 0 × 429 expected) measured while
 * new 5,000-item feeds are added and polled one after another in the same process, the way `nashra run` does both
 * (a new source: the whole feed parsed, its newest 200 items read, summarised and stored, the rest left for later
 * polls). The site runs in its own process (bench/feed-site-process.ts). Target: achieved ÷ allowed still ≥ 0.95.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { pollSource } from '../src/ingest/poller.js';
import { createLogger } from '../src/logger.js';
import { openStore } from '../src/store/index.js';
import { benchDelivery, type DeliveryFigure } from './delivery.js';
import { startFeedSiteProcess } from './feed-site-process.js';
import { median } from './common.js';
import { pollDeps } from '../src/newsroom/intake.js';

const ITEMS = 5000;

export async function benchDeliveryDuringIngest(
  opts: { chats?: number; articles?: number; paid?: boolean } = {},
): Promise<DeliveryFigure & { feedsIngested: number; itemsParsed: number; itemsStored: number }> {
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
      const r = await pollSource(pollDeps({ config, store, data: store.ports(), logger }), source);
      if (r.outcome === 'error') throw new Error(`bench ingest: ${r.error}`);
      stored += r.newArticles;
      feeds++;
    }
  };
  try {
    let running: Promise<void> | undefined;
    const figure = await benchDelivery({
      ...opts,
      during: async () => {
        running = ingest();
      },
    });
    done = true;
    await running;
    return { ...figure, feedsIngested: feeds, itemsParsed: feeds * ITEMS, itemsStored: stored };
  } finally {
    done = true;
    store.close();
    await site.stop();
  }
}

export interface FeedIngestFigure {
  feeds: number;
  wallMsMedian: number;
  mainThreadBusyMsPerFeed: number;
  cpuMsPerFeed: number;
}

/**
 * One new 5,000-item feed ingested alone, `feeds` times (after one to warm up): the wall time of a poll, the time the
 * main thread's event loop was busy (what the sending would have had to wait for, in slices of a few ms), and the
 * process's CPU time (the feed thread's included).
 */
export async function benchFeedIngest(feeds = 6): Promise<FeedIngestFigure> {
  const site = await startFeedSiteProcess(ITEMS);
  const config = loadConfig({ NASHRA_ALLOW_PRIVATE_FETCH: '1', NASHRA_FETCH_MAX_BYTES: String(32 * 1024 * 1024) });
  const store = openStore(':memory:');
  const logger = createLogger({ level: 'silent' });
  const walls: number[] = [];
  let busy = 0;
  let cpu = 0;
  try {
    for (let k = 0; k <= feeds; k++) {
      const source = store.sources.add({ url: `${site.base}/feed-${k}.xml`, kind: 'rss', name: `feed ${k}` });
      const elu = performance.eventLoopUtilization();
      const used = process.cpuUsage();
      const started = performance.now();
      const r = await pollSource(pollDeps({ config, store, data: store.ports(), logger }), source);
      if (r.outcome === 'error') throw new Error(`bench ingest: ${r.error}`);
      if (k === 0) continue;
      walls.push(performance.now() - started);
      busy += performance.eventLoopUtilization(elu).active;
      const c = process.cpuUsage(used);
      cpu += (c.user + c.system) / 1000;
    }
    return {
      feeds,
      wallMsMedian: Math.round(median(walls)),
      mainThreadBusyMsPerFeed: Math.round(busy / feeds),
      cpuMsPerFeed: Math.round(cpu / feeds),
    };
  } finally {
    store.close();
    await site.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `alone`: one feed at a time, nothing sent; `paid` / `free`: the same runs as `npm run bench -- busy` (2 items to
  // 2,500 chats at the paid 1,000/s, or to 300 chats at 30/s).
  const mode = process.argv[2];
  const run =
    mode === 'alone'
      ? benchFeedIngest()
      : benchDeliveryDuringIngest({ chats: mode === 'paid' ? 2500 : 300, articles: 2, paid: mode === 'paid' });
  console.log(JSON.stringify(await run));
}
