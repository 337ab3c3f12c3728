/**
 * `nashra db copy` (src/store/postgres/copy.ts) on an outbox of `jobs` posts (default 300,000: 3,000 articles to 100
 * chats, each post sent, with a reaction every 10th), into a throwaway PostgreSQL cluster (tests/helpers/pg-cluster.ts,
 * fsync off as in the tests). Prints rows per second over every table, the jobs' share, and the process's peak heap.
 * `npm run build && node dist/bench/db-copy.js [jobs]`; not part of `npm run bench` (it needs PostgreSQL's server).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { copyToPostgres } from '../src/store/postgres/copy.js';
import { postgresBin, startCluster } from '../tests/helpers/pg-cluster.js';
import { tempDir } from '../tests/helpers/tmp.js';

const jobs = Number(process.argv[2] ?? 300_000);
const CHATS = 100;

const bin = postgresBin();
if (!bin) throw new Error("PostgreSQL's server is not installed (Debian: postgresql)");
const { dir, cleanup } = tempDir('nashra-copy-bench-');
const cluster = await startCluster(bin);
try {
  const path = join(dir, 'nashra.db');
  openStore(path).close();
  const db = new Database(path);
  db.transaction(() => {
    const chat = db.prepare(
      `INSERT INTO subscriptions (platform, chat_id, kind, title, active_since, created_at) VALUES ('telegram', ?, 'channel', ?, 0, 0)`,
    );
    for (let c = 1; c <= CHATS; c++) chat.run(`-100${c}`, `قناة رقم ${c}`);
    const article =
      db.prepare(`INSERT INTO articles (url, title, source_name, paragraphs, summary, content_hash, story_key, search_text, created_at)
      VALUES (?, ?, 'مثال', ?, ?, ?, ?, '', 0)`);
    const post =
      db.prepare(`INSERT INTO jobs (kind, platform, subscription_id, article_id, state, message_id, queued_at, sending_at, finished_at)
      VALUES ('post', 'telegram', ?, ?, 'sent', ?, ?, ?, ?)`);
    const reaction = db.prepare(
      `INSERT INTO post_reactions (post_id, article_id, platform, emoji, count, updated_at) VALUES (?, ?, 'telegram', '👍', 3, 0)`,
    );
    for (let a = 1; a <= jobs / CHATS; a++) {
      const text = `تفاصيل الخبر رقم ${a} في فقرة أولى طويلة بما يكفي للملخص.`;
      article.run(
        `https://news.example/${a}`,
        `خبر رقم ${a}`,
        JSON.stringify([text, text]),
        JSON.stringify([text]),
        `h${a}`,
        `k${a}`,
      );
      for (let c = 1; c <= CHATS; c++) {
        const at = 1_700_000_000_000 + a * 60_000 + c;
        const id = Number(post.run(c, a, String(a * 1000 + c), at, at + 5, at + 200).lastInsertRowid);
        if (id % 10 === 0) reaction.run(id, a);
      }
    }
  })();
  db.close();
  const url = `${cluster.url.replace(/\/postgres$/, '')}/copybench`;
  const { Client } = (await import('pg')).default;
  const admin = new Client(cluster.url);
  await admin.connect();
  await admin.query('CREATE DATABASE copybench');
  await admin.end();
  let peakHeap = 0;
  const sample = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 50);
  const started = performance.now();
  const result = await copyToPostgres(path, url);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sample);
  const rows = result.tables.reduce((n, t) => n + t.source, 0);
  console.log(
    `copied ${rows.toLocaleString('en-US')} rows (${jobs.toLocaleString('en-US')} jobs) in ${seconds.toFixed(1)} s: ` +
      `${Math.round(rows / seconds).toLocaleString('en-US')} rows/s, including the check (${result.jobsCompared.toLocaleString('en-US')} jobs compared)` +
      `${result.mismatch ? `; MISMATCH ${result.mismatch}` : ''}; peak heap ${(peakHeap / 1e6).toFixed(0)} MB`,
  );
} finally {
  cluster.stop();
  cleanup();
}
