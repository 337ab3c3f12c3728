import { join } from 'node:path';
import { renderArticle } from '../src/format/render.js';
import { contentHash, storyKey } from '../src/ingest/prepare.js';
import { latestArticles } from '../src/newsroom/queries.js';
import { openStore, type Store } from '../src/store/index.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { median, msSince } from './common.js';
import { telegramMarkup } from '../bots/telegram/markup.js';
import { queueAudienceIn } from '../tests/helpers/articles.js';

const ARTICLES = 100_000;
const SUBSCRIBERS = 10_000;
const DELIVERY_ARTICLES = 100; // × 10,000 subscribers = 1,000,000 deliveries

const config = { timeZone: 'Asia/Damascus', template: {} };

/** Fills a database to newsroom-years scale, then times the operations that sit on hot paths. */
export async function benchStore(): Promise<{
  dupCheckMedianUs: number;
  queue10kMs: number;
  latestMs: number;
  dbBytes: number;
  fillSeconds: number;
}> {
  const tmp = tempDir();
  const store = openStore(join(tmp.dir, 'bench.db'));
  try {
    const fillStart = process.hrtime.bigint();
    fill(store);
    const fillSeconds = msSince(fillStart) / 1000;

    const dup: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const probe = article(i % 2 === 0 ? Math.floor(Math.random() * ARTICLES) : ARTICLES + i); // half hits, half misses
      const keys = { url: probe.url, guid: probe.guid, storyKey: storyKey(probe), contentHash: contentHash(probe) };
      const start = process.hrtime.bigint();
      store.articles.findDuplicate(keys);
      dup.push(msSince(start) * 1000);
    }

    const fresh = store.articles.get(ARTICLES)!; // one article not yet queued to anyone
    const qStart = process.hrtime.bigint();
    const queued = await queueAudienceIn(store, fresh, { kind: 'matching' });
    const queue10kMs = msSince(qStart);
    if (queued !== SUBSCRIBERS) throw new Error(`expected ${SUBSCRIBERS} deliveries, queued ${queued}`);

    // As every front door asks: through the newsroom's query and the ports.
    const data = store.ports();
    const latest: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = process.hrtime.bigint();
      (await latestArticles({ data }, 5)).map((a) => renderArticle(a, telegramMarkup, config)).join('\n\n');
      latest.push(msSince(start));
    }
    const { statSync } = await import('node:fs');
    const dbBytes = statSync(store.path).size;
    return { dupCheckMedianUs: median(dup), queue10kMs, latestMs: median(latest), dbBytes, fillSeconds };
  } finally {
    store.close();
    tmp.cleanup();
  }
}

function article(i: number) {
  return {
    url: `https://news.example.org/${i}`,
    guid: `guid-${i}`,
    title: `خبر رقم ${i} عن الأحداث في المنطقة`,
    source: 'bench',
    paragraphs: [`هذا نص الخبر رقم ${i} ويتحدث عن تطورات ميدانية وسياسية جديدة.`, 'وقال مصدر إن الوضع مستقر.'],
    categories: ['أخبار'],
    language: 'ar',
  };
}

function fill(store: Store): void {
  const now = Date.now();
  store.transaction(() => {
    for (let i = 0; i < ARTICLES; i++) {
      const a = article(i);
      store.articles.insert(
        {
          article: a,
          summary: a.paragraphs,
          hashtags: ['#أخبار'],
          contentHash: contentHash(a),
          storyKey: storyKey(a),
          searchText: a.title,
        },
        now - (ARTICLES - i) * 1000,
      );
    }
  });
  const subs = store.transaction(() =>
    Array.from({ length: SUBSCRIBERS }, (_, i) =>
      store.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(1_000_000 + i), kind: 'private' },
        now - 1e9,
      ),
    ),
  );
  const targets = subs.map((s) => ({ id: s.id, platform: s.platform }));
  for (let a = 1; a <= DELIVERY_ARTICLES; a++) store.jobs.enqueue(a, targets);
  // History looks like a real outbox's: all but the last 10 articles' deliveries went out long ago.
  store.transaction(() => {
    for (const d of store.jobs.next('telegram', (DELIVERY_ARTICLES - 10) * SUBSCRIBERS)) {
      store.jobs.markSending(d.id);
      store.jobs.markSent(d.id, String(d.id));
    }
  });
}
