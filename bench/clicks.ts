/**
 * Clicks and reach (issue 25): the redirect under a steady load with counting on, and the Reach page on a newsroom's
 * history. `node dist/bench/clicks.js [redirects|reach] [--quick]` runs one part alone.
 *
 * - Redirects: the desk's server (the code `nashra run` serves) on 127.0.0.1 in this process; the load comes from a
 *   worker thread (its own event loop, so the client's work does not queue behind the server's), open loop: `rate`
 *   requests a second whatever the answers' pace, each timed from its planned start to the end of its answer, so a
 *   stall counts against every request it delayed. A browser's user agent: every click is counted. 2,000 requests
 *   first warm the connections and the code, and are not measured (nor their clicks, in `counted`).
 * - Reach: `articles` articles over 100 days, each posted to 5 of 10 chats on two platforms, `clicks` clicks counted
 *   per post and hour (each post's clicks over its first three hours: half, then 3/10, then 2/10), then the Reach
 *   page's server time (Fastify's inject: routing, session, queries, HTML), median of `runs`.
 */
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { request, Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { deskPlatforms } from '../src/app/desk.js';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../src/app/platforms.js';
import { buildDesk, startDesk } from '../src/desk/server.js';
import { createLogger } from '../src/logger.js';
import { contentHash, storyKey } from '../src/ingest/prepare.js';
import { hourOf, HOUR_MS, type ClickCount } from '../src/model/reach.js';
import { ClickCounter, newClickCode } from '../src/newsroom/clicks.js';
import { hashPassword } from '../src/newsroom/password.js';
import { normalizeArabic } from '../src/text/arabic.js';
import { openStore, type Store } from '../src/store/index.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { median, msSince, deskSession } from './common.js';
import { outletNewsrooms, type NewsroomDeps, type OutletNewsrooms } from '../src/newsroom/index.js';

const BROWSER =
  'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36';
const PUBLIC = 'https://desk.example.org';

export interface RedirectBench {
  rate: number;
  seconds: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Clicks read back from SQLite once the server closed (its last batch written), against the requests answered. */
  counted: number;
  batchesWritten: number;
}

/** `flushMs`: how often counts are written (the counter's default, 2 s; a larger value isolates the write's cost). */
export async function benchRedirects(
  opts: { rate?: number; seconds?: number; flushMs?: number } = {},
): Promise<RedirectBench> {
  const rate = opts.rate ?? 1000;
  const seconds = opts.seconds ?? 30;
  const tmp = tempDir();
  const config = loadAppConfig({
    DATABASE_PATH: join(tmp.dir, 'clicks.db'),
    LOG_LEVEL: 'silent',
    NASHRA_TRACK_CLICKS: '1',
    NASHRA_PUBLIC_URL: PUBLIC,
  });
  const store = openStore(config.databasePath);
  try {
    // 1,000 stories in 10 chats: 10,000 codes, more than the load touches, so the cache fills while it runs.
    const codes = fillClicks(store, { articles: 1000, chats: 10, posts: 10, clicks: 0 }).codes;
    const logger = createLogger({ level: 'silent' });
    const newsroom = newsroomDeps(BUILT_IN_PLATFORMS, config, store, logger);
    const counter = new ClickCounter(newsroom, { flushMs: opts.flushMs });
    const desk = await startDesk(
      {
        outlets: onlyMain(newsroom),
        platforms: deskPlatforms(BUILT_IN_PLATFORMS, config, false),
        announceSetup: () => {},
        clicks: counter,
      },
      { port: 0, host: '127.0.0.1' },
    );
    let result: { latencies: number[]; errors: number };
    try {
      result = await new Promise((resolve, reject) => {
        const worker = new Worker(fileURLToPath(import.meta.url), {
          workerData: { url: desk.url, codes, rate, seconds },
        });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    } finally {
      await desk.close();
    }
    // The warm-up's 2,000 clicks are counted too, and left out here.
    const counted = store.clickHours.since(0).reduce((n, h) => n + h.clicks, 0) - 2000;
    const sorted = result.latencies.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    return {
      rate,
      seconds,
      requests: sorted.length + result.errors,
      errors: result.errors,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: sorted.at(-1) ?? NaN,
      counted,
      batchesWritten: counter.written,
    };
  } finally {
    store.close();
    tmp.cleanup();
  }
}

/** The load, in a worker thread: `rate` GETs a second for `seconds`, open loop, keep-alive connections. */
async function load(w: {
  url: string;
  codes: string[];
  rate: number;
  seconds: number;
}): Promise<{ latencies: number[]; errors: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let errors = 0;
  const one = (code: string, planned: bigint) =>
    new Promise<void>((resolve) => {
      const req = request(`${w.url}/r/${code}`, { agent, headers: { 'user-agent': BROWSER } }, (res) => {
        res.resume().on('end', () => {
          if (res.statusCode === 302) latencies.push(Number(process.hrtime.bigint() - planned) / 1e6);
          else errors++;
          resolve();
        });
      });
      req
        .on('error', () => {
          errors++;
          resolve();
        })
        .end();
    });
  // Warm-up, not measured: connections opened and the server's code compiled (a cold start under a steady load
  // queued every request behind the first ones' compilation), over codes the measured run also uses.
  for (let i = 0; i < 2000; i += 16) {
    await Promise.all(
      Array.from({ length: 16 }, (_, k) => one(w.codes[(i + k) % w.codes.length]!, process.hrtime.bigint())),
    );
  }
  latencies.length = 0;
  errors = 0;
  const pending: Promise<void>[] = [];
  const start = process.hrtime.bigint();
  const total = w.rate * w.seconds;
  const stepNs = 1e9 / w.rate;
  let sent = 0;
  // Every millisecond, the requests whose planned time has come (setInterval drifts; the plan does not).
  await new Promise<void>((done) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(Number(process.hrtime.bigint() - start) / stepNs) + 1);
      for (; sent < due; sent++)
        pending.push(one(w.codes[sent % w.codes.length]!, start + BigInt(Math.round(sent * stepNs))));
      if (sent >= total) {
        clearInterval(tick);
        done();
      }
    }, 1);
  });
  await Promise.all(pending);
  agent.destroy();
  return { latencies, errors };
}

if (!isMainThread && workerData?.codes) {
  void load(workerData as { url: string; codes: string[]; rate: number; seconds: number }).then((r) =>
    parentPort!.postMessage(r),
  );
}

export interface ReachBench {
  articles: number;
  posts: number;
  clicks: number;
  countRows: number;
  links: number;
  fillSeconds: number;
  reachWeekMs: number;
  reachMonthMs: number;
  csvMs: number;
  articleMs: number;
  suggestMs: number;
  /** The process's CPU time per Reach page (user + system): what a machine shared with other work still measures. */
  reachWeekCpuMs: number;
}

export async function benchReach(
  opts: { articles?: number; clicks?: number; runs?: number } = {},
): Promise<ReachBench> {
  const articles = opts.articles ?? 100_000;
  const clicks = opts.clicks ?? 10_000_000;
  const runs = opts.runs ?? 30;
  const tmp = tempDir();
  const config = loadAppConfig({
    DATABASE_PATH: join(tmp.dir, 'reach.db'),
    LOG_LEVEL: 'silent',
    NASHRA_TRACK_CLICKS: '1',
    NASHRA_PUBLIC_URL: PUBLIC,
    TELEGRAM_BOT_TOKEN: '123456789:AAHbenchTokenForNashraReach_abcdefXYZ',
  });
  const store = openStore(config.databasePath);
  try {
    const fillStart = process.hrtime.bigint();
    const filled = fillClicks(store, { articles, chats: 10, posts: 5, clicks });
    const fillSeconds = msSince(fillStart) / 1000;
    // An admin of the one outlet (`main`, id 1), as `nashra editors add --role admin` makes it.
    store.outlets.setMembership(
      store.deskEditors.add('bench', await hashPassword('bench password 1'), Date.now())!.id,
      1,
      'admin',
      Date.now(),
    );
    const newsroom = newsroomDeps(BUILT_IN_PLATFORMS, config, store, createLogger({ level: 'silent' }));
    const app = await buildDesk({
      outlets: onlyMain(newsroom),
      platforms: deskPlatforms(BUILT_IN_PLATFORMS, config, false),
      announceSetup: () => {},
    });
    try {
      const cookie = await deskSession(app, 'bench', 'bench password 1');
      const cpu: Record<string, number> = {};
      const time = async (url: string, n = runs) => {
        const ms: number[] = [];
        const cpuMs: number[] = [];
        for (let i = 0; i < n + 3; i++) {
          const start = process.hrtime.bigint();
          const used = process.cpuUsage();
          const res = await app.inject({ method: 'GET', url, headers: { cookie } });
          if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
          const c = process.cpuUsage(used);
          // The first three warm the page cache and the JIT.
          if (i >= 3) {
            ms.push(msSince(start));
            cpuMs.push((c.user + c.system) / 1000);
          }
        }
        cpu[url] = median(cpuMs);
        return median(ms);
      };
      const { suggestSendHour } = await import('../src/newsroom/reach.js');
      const suggestStart = process.hrtime.bigint();
      await suggestSendHour(newsroom, { kind: 'platform', platform: 'telegram' });
      const suggestMs = msSince(suggestStart);
      return {
        articles,
        posts: filled.posts,
        clicks: filled.clicks,
        countRows: filled.countRows,
        links: filled.links,
        fillSeconds,
        reachWeekMs: await time('/reach?since=7d'),
        reachMonthMs: await time('/reach?since=28d', 10),
        csvMs: await time('/reach.csv?since=7d', 10),
        articleMs: await time(`/articles/${filled.newestClicked}`, 10),
        suggestMs,
        reachWeekCpuMs: cpu['/reach?since=7d']!,
      };
    } finally {
      await app.close();
    }
  } finally {
    store.close();
    tmp.cleanup();
  }
}

/**
 * `articles` stories one every 100 days ÷ articles, the newest now; each sent to `posts` of `chats` chats (half
 * Telegram channels, half WhatsApp groups) with a code each, and `clicks` clicks spread over the posts' first three hours.
 */
export function fillClicks(store: Store, o: { articles: number; chats: number; posts: number; clicks: number }) {
  const now = Date.now();
  const span = 100 * 24 * HOUR_MS;
  const subs = store.transaction(() =>
    Array.from({ length: o.chats }, (_, i) =>
      store.subscriptions.subscribe(
        {
          platform: i % 2 ? 'whatsapp' : 'telegram',
          chatId: i % 2 ? `1203630${i}@g.us` : `-100300000${i}`,
          kind: 'channel',
          title: `قناة ${i}`,
        },
        now - 2 * span,
      ),
    ),
  );
  const perPost = Math.floor(o.clicks / (o.articles * o.posts));
  const shares = [0.5, 0.3, 0.2];
  const codes: string[] = [];
  let countRows = 0;
  let newestClicked = 0;
  const batch = 2_000;
  for (let from = 0; from < o.articles; from += batch) {
    store.transaction(() => {
      for (let i = from; i < Math.min(o.articles, from + batch); i++) {
        const a = {
          url: `https://news.example.org/${i}`,
          guid: `guid-${i}`,
          title: `خبر رقم ${i} عن الأحداث في المنطقة`,
          source: `مصدر ${i % 20}`,
          paragraphs: [`هذا نص الخبر رقم ${i} ويتحدث عن تطورات ميدانية وسياسية جديدة.`, 'وقال مصدر إن الوضع مستقر.'],
          categories: ['أخبار'],
          language: 'ar',
        };
        const at = now - Math.round(((o.articles - 1 - i) / o.articles) * span) - 4 * HOUR_MS;
        const id = store.articles.insert(
          {
            article: a,
            summary: a.paragraphs,
            hashtags: ['#أخبار'],
            contentHash: contentHash(a),
            storyKey: storyKey(a),
            searchText: normalizeArabic(`${a.title} ${a.paragraphs.join(' ')}`),
          },
          at,
        );
        const targets = Array.from({ length: o.posts }, (_, k) => subs[(i + k) % subs.length]!);
        store.jobs.enqueue(id, targets, {}, at);
        const counts: ClickCount[] = [];
        for (const job of store.jobs.listForArticle(id)) {
          store.jobs.markSending(job.id, at);
          store.jobs.markSent(job.id, String(job.id), at);
          const code = store.clickLinks.remember(newClickCode(), id, job.subscriptionId, at);
          if (codes.length < 10_000) codes.push(code);
          if (perPost === 0) continue;
          const linkId = store.clickLinks.resolve(code)!.linkId;
          let left = perPost;
          shares.forEach((share, h) => {
            const n = h === shares.length - 1 ? left : Math.round(perPost * share);
            left -= n;
            if (n > 0)
              counts.push({
                linkId,
                articleId: id,
                subscriptionId: job.subscriptionId,
                hour: hourOf(at) + h,
                clicks: n,
              });
          });
        }
        store.addClickCounts(counts);
        countRows += counts.length;
        if (counts.length) newestClicked = id;
      }
    });
  }
  return {
    codes,
    posts: o.articles * o.posts,
    clicks: perPost * o.articles * o.posts,
    countRows,
    links: o.articles * o.posts,
    newestClicked,
  };
}

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const parts = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const want = (p: string) => parts.length === 0 || parts.includes(p);
  if (want('redirects'))
    console.log(
      await benchRedirects({
        ...(quick ? { rate: 300, seconds: 3 } : {}),
        flushMs: Number(process.env.FLUSH_MS) || undefined,
      }),
    );
  if (want('reach')) console.log(await benchReach(quick ? { articles: 2_000, clicks: 200_000 } : {}));
}

/** The desk over the bench's one database: `main` alone (no other outlet is added here). */
function onlyMain(newsroom: NewsroomDeps): OutletNewsrooms {
  return outletNewsrooms(newsroom, (slug) => Promise.reject(new Error(`the bench has no outlet ${slug}`)));
}
