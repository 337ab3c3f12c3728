import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { renderArticle } from '../src/format/render.js';
import { contentHash, storyKey } from '../src/ingest/prepare.js';
import { searchArticles } from '../src/newsroom/search.js';
import { projectRoot } from '../src/paths.js';
import type { NewArticle } from '../src/model/article.js';
import type { DataPorts } from '../src/ports/index.js';
import { openStore } from '../src/store/index.js';
import { openPostgres } from '../src/store/postgres/database.js';
import { normalizeArabic, splitSentences } from '../src/text/arabic.js';
import { postgresBin, startCluster } from '../tests/helpers/pg-cluster.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { median, msSince } from './common.js';
import { telegramMarkup } from '../bots/telegram/markup.js';

const ARTICLES = 100_000;
const SENTENCES_PER_ARTICLE = 6;
const config = { timeZone: 'Asia/Damascus', template: {} };

/**
 * Names put into the articles with falling frequency (the k-th in about 1 article in 3k), each in a different
 * inflection, so that a query meets both a word in a third of the database and one in a hundredth.
 */
const NAMES = [
  'الحكومة',
  'الحوثيين',
  'اللاجئين',
  'الانتخابات',
  'المستشفيات',
  'الفلسطينيون',
  'ببيروت',
  'الاقتصاديين',
  'المعارضة',
  'للمزارعين',
];

/** Queries as readers type them: a different inflection from the text, one or two words. */
const QUERIES = [
  'الحوثيون',
  'حكومة',
  'لاجئون',
  'انتخابات المستشفى',
  'فلسطيني',
  'بيروت',
  'الاقتصادي الحكومة',
  'المزارعون',
  'المعارضه',
  'مدينة',
];

export interface SearchFigures {
  medianMs: number;
  worstQueryMedianMs: number;
  p95Ms: number;
  p99Ms: number;
  fillSeconds: number;
  dbBytes?: number;
}

/** A database of 100,000 articles of real Arabic sentences (samples/), then /search as the bot runs it. */
export async function benchSearch(opts: { articles?: number } = {}): Promise<SearchFigures> {
  const tmp = tempDir();
  const store = openStore(join(tmp.dir, 'search.db'));
  try {
    const fillStart = process.hrtime.bigint();
    store.transaction(() => {
      for (const { article, at } of generate(opts.articles ?? ARTICLES)) store.articles.insert(article, at);
    });
    const fillSeconds = msSince(fillStart) / 1000;
    return { ...(await measure(store.ports())), fillSeconds, dbBytes: statSync(store.path).size };
  } finally {
    store.close();
    tmp.cleanup();
  }
}

/**
 * The same articles and queries on PostgreSQL (a throwaway cluster of the server installed here, as the tests'),
 * stored through the ports in units of 500; undefined when PostgreSQL's server is not installed.
 */
export async function benchSearchPostgres(opts: { articles?: number } = {}): Promise<SearchFigures | undefined> {
  const bin = postgresBin();
  if (bin === undefined) return undefined;
  const cluster = await startCluster(bin);
  try {
    const data = await openPostgres(cluster.url);
    try {
      const fillStart = process.hrtime.bigint();
      let batch: Array<{ article: NewArticle; at: number }> = [];
      const flush = () =>
        data.uow.run(async (tx) => {
          for (const b of batch) await tx.articleWrites.insert(b.article, b.at);
        });
      for (const item of generate(opts.articles ?? ARTICLES)) {
        batch.push(item);
        if (batch.length === 500) {
          await flush();
          batch = [];
        }
      }
      await flush();
      const fillSeconds = msSince(fillStart) / 1000;
      return { ...(await measure(data)), fillSeconds };
    } finally {
      await data.close();
    }
  } finally {
    cluster.stop();
  }
}

/** Each query 30 times, the first 5 left out (they warm the caches): the median, p95 and p99 of the rest, and each query's median. */
async function measure(data: DataPorts): Promise<Omit<SearchFigures, 'fillSeconds' | 'dbBytes'>> {
  const all: number[] = [];
  const perQuery: number[] = [];
  for (const q of QUERIES) {
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const start = process.hrtime.bigint();
      const hits = await searchArticles({ data }, q, 5);
      hits.map((h) => renderArticle(h.article, telegramMarkup, config) + (h.snippet ?? '')).join('\n\n');
      times.push(msSince(start));
      if (hits.length === 0) throw new Error(`no result for ${q}`);
    }
    all.push(...times.slice(5));
    perQuery.push(median(times.slice(5)));
  }
  all.sort((a, b) => a - b);
  return {
    medianMs: median(all),
    worstQueryMedianMs: Math.max(...perQuery),
    p95Ms: all[Math.floor(all.length * 0.95)]!,
    p99Ms: all[Math.floor(all.length * 0.99)]!,
  };
}

/** `articles` of them (a quick bench mode may ask for fewer), each with its time, oldest first. */
function* generate(articles: number): Generator<{ article: NewArticle; at: number }> {
  const dir = join(projectRoot(), 'samples');
  const pool = readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .flatMap((f) => splitSentences(readFileSync(join(dir, f), 'utf8')))
    .filter((s) => s.length > 40 && s.length < 400);
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = () => pool[Math.floor(random() * pool.length)]!;
  const now = Date.now();
  for (let i = 0; i < articles; i++) {
    const sentences = Array.from({ length: SENTENCES_PER_ARTICLE }, pick);
    NAMES.forEach((name, k) => {
      if (random() < 1 / (3 * (k + 1))) sentences.push(`وقال مصدر إن ${name} في مدينة رقم ${i} تتابع الأمر.`);
    });
    const a = {
      url: `https://news.example.org/${i}`,
      title: pick().split(' ').slice(0, 9).join(' '),
      source: 'bench',
      paragraphs: [sentences.slice(0, 3).join(' '), sentences.slice(3).join(' ')],
      categories: ['أخبار'],
      language: 'ar',
    };
    const searchText = normalizeArabic([a.title, ...a.paragraphs].join(' ')).replace(/[^\p{L}\p{N}]+/gu, ' ');
    yield {
      article: {
        article: a,
        summary: sentences.slice(0, 2),
        hashtags: [],
        contentHash: contentHash(a),
        storyKey: storyKey(a),
        searchText,
      },
      at: now - (articles - i) * 1000,
    };
  }
}
