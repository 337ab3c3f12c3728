import { join } from 'node:path';
import { deskPlatforms } from '../src/app/desk.js';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../src/app/platforms.js';
import { hashPassword } from '../src/newsroom/password.js';
import { buildDesk } from '../src/desk/server.js';
import { createLogger } from '../src/logger.js';
import { contentHash, storyKey } from '../src/ingest/prepare.js';
import { normalizeArabic } from '../src/text/arabic.js';
import { openStore, type Store } from '../src/store/index.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { median, msSince, deskSession } from './common.js';
import { outletNewsrooms, type NewsroomDeps, type OutletNewsrooms } from '../src/newsroom/index.js';

export interface DeskBench {
  articles: number;
  deliveries: number;
  todayMs: number;
  articleMs: number;
  searchMs: number;
  searchNoMatchMs: number;
  fillSeconds: number;
}

/**
 * Server time of the desk's Today and Article pages (Fastify's inject: routing, session check, queries, HTML) on a
 * store with `articles` articles, each sent to `chats` chats (100,000 × 10 = 1,000,000 deliveries by default).
 */
export async function benchDesk(opts: { articles?: number; chats?: number; runs?: number } = {}): Promise<DeskBench> {
  const articles = opts.articles ?? 100_000;
  const chats = opts.chats ?? 10;
  const runs = opts.runs ?? 100;
  const tmp = tempDir();
  // Telegram on (a token never used: nothing is sent), so the article page renders its preview as in a newsroom.
  const config = loadAppConfig({
    DATABASE_PATH: join(tmp.dir, 'desk.db'),
    LOG_LEVEL: 'silent',
    TELEGRAM_BOT_TOKEN: '123456789:AAHbenchTokenForNashraDesk_abcdefXYZ',
  });
  const store = openStore(config.databasePath);
  try {
    const fillStart = process.hrtime.bigint();
    fill(store, articles, chats);
    const fillSeconds = msSince(fillStart) / 1000;
    // An admin of the one outlet (`main`, id 1), as `nashra editors add --role admin` makes it.
    store.outlets.setMembership(
      store.deskEditors.add('bench', await hashPassword('bench password 1'), Date.now())!.id,
      1,
      'admin',
      Date.now(),
    );
    const logger = createLogger({ level: 'silent' });
    const app = await buildDesk({
      outlets: onlyMain(newsroomDeps(BUILT_IN_PLATFORMS, config, store, logger)),
      platforms: deskPlatforms(BUILT_IN_PLATFORMS, config, false),
      announceSetup: () => {},
    });
    try {
      const cookie = await deskSession(app, 'bench', 'bench password 1');
      const time = async (url: string) => {
        const ms: number[] = [];
        for (let i = 0; i < runs + 10; i++) {
          const start = process.hrtime.bigint();
          const res = await app.inject({ method: 'GET', url, headers: { cookie } });
          if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
          if (i >= 10) ms.push(msSince(start)); // the first ten warm the caches and the JIT
        }
        return median(ms);
      };
      const newest = store.desk.today({ limit: 1 })[0]!.id;
      return {
        articles,
        deliveries: articles * chats,
        fillSeconds,
        todayMs: await time('/'),
        articleMs: await time(`/articles/${newest}`),
        searchMs: await time(`/?q=${encodeURIComponent('تطورات ميدانية')}`),
        // A word no article has: every row's search text is read (no full-text index yet).
        searchNoMatchMs: await time(`/?q=${encodeURIComponent('زلزال')}`),
      };
    } finally {
      await app.close();
    }
  } finally {
    store.close();
    tmp.cleanup();
  }
}

function fill(store: Store, articles: number, chats: number): void {
  const now = Date.now();
  const subs = store.transaction(() =>
    Array.from({ length: chats }, (_, i) =>
      store.subscriptions.subscribe(
        {
          platform: i % 2 ? 'whatsapp' : 'telegram',
          chatId: i % 2 ? `1203630${i}@g.us` : `-100200000${i}`,
          kind: 'channel',
        },
        now - 1e10,
      ),
    ),
  );
  const targets = subs.map((s) => ({ id: s.id, platform: s.platform }));
  const batch = 10_000;
  for (let from = 0; from < articles; from += batch) {
    store.transaction(() => {
      for (let i = from; i < Math.min(articles, from + batch); i++) {
        const a = {
          url: `https://news.example.org/${i}`,
          guid: `guid-${i}`,
          title: `خبر رقم ${i} عن الأحداث في المنطقة`,
          source: `مصدر ${i % 20}`,
          paragraphs: [`هذا نص الخبر رقم ${i} ويتحدث عن تطورات ميدانية وسياسية جديدة.`, 'وقال مصدر إن الوضع مستقر.'],
          categories: ['أخبار'],
          language: 'ar',
        };
        const at = now - (articles - i) * 60_000;
        const id = store.articles.insert(
          {
            article: a,
            summary: a.paragraphs,
            hashtags: ['#أخبار', `#منطقة_${i % 50}`],
            contentHash: contentHash(a),
            storyKey: storyKey(a),
            searchText: normalizeArabic(`${a.title} ${a.paragraphs.join(' ')}`),
          },
          at,
        );
        store.jobs.enqueue(id, targets, {}, at);
      }
    });
  }
  // All but the newest 50 articles' deliveries went out: the outbox of a newsroom that has run for a while.
  for (const platform of ['telegram', 'whatsapp']) {
    for (;;) {
      const next = store.jobs.next(platform, batch);
      const old = next.filter((d) => d.kind === 'post' && d.articleId <= articles - 50);
      if (old.length === 0) break;
      store.transaction(() => {
        for (const d of old) {
          store.jobs.markSending(d.id);
          store.jobs.markSent(d.id, String(d.id));
        }
      });
    }
  }
}

/** The desk over the bench's one database: `main` alone (no other outlet is added here). */
function onlyMain(newsroom: NewsroomDeps): OutletNewsrooms {
  return outletNewsrooms(newsroom, (slug) => Promise.reject(new Error(`the bench has no outlet ${slug}`)));
}
