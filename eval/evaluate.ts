/**
 * `npm run eval`: ROUGE of Nashra against Lead-N and the human ceiling on EASC-dev, the reader check on 200 raw
 * news articles, and a speed figure. Writes the figures to eval/results.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenize } from '../src/text/arabic.js';
import { projectRoot } from '../src/paths.js';
import { articleSentences, summarize, type SummaryInput } from '../src/summary/summarize.js';
import { averageScores, rougeMulti, type RougeScores } from './rouge.js';

interface EascArticle {
  id: string;
  article: string;
  summaries: string[];
}

interface NewsArticle {
  id: number | string;
  title: string;
  author: string;
  content: string;
}

interface ReaderProblem {
  id: number | string;
  problem: string;
  sentence: string;
}

const EVAL_MODE = { sentences: 3, minSentences: 3, maxChars: Infinity };

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

function scoreSystem(articles: EascArticle[], system: (input: SummaryInput) => string[]): RougeScores {
  return averageScores(articles.map((a) => rougeMulti(system({ text: a.article }).join(' '), a.summaries)));
}

/** Each human summary against the other four, averaged: how far people agree with each other. */
function humanCeiling(articles: EascArticle[]): RougeScores {
  return averageScores(
    articles.map((a) =>
      averageScores(a.summaries.map((ref, k) => rougeMulti(ref, a.summaries.filter((_, j) => j !== k)))),
    ),
  );
}

function evaluateRouge(articles: EascArticle[]): Record<string, RougeScores> {
  return {
    'Nashra@3': scoreSystem(articles, (input) => summarize(input, EVAL_MODE)),
    'Lead-3': scoreSystem(articles, (input) => articleSentences(input).slice(0, 3)),
    'Lead-2': scoreSystem(articles, (input) => articleSentences(input).slice(0, 2)),
    'Nashra (production)': scoreSystem(articles, (input) => summarize(input)),
    'Human agreement': humanCeiling(articles),
  };
}

function printTable(rows: Record<string, RougeScores>): void {
  const pct = (x: number) => (x * 100).toFixed(2).padStart(7);
  console.log(`${'System'.padEnd(22)}${'R1'.padStart(7)}${'R2'.padStart(7)}${'RL'.padStart(7)}`);
  for (const [name, s] of Object.entries(rows)) {
    console.log(`${name.padEnd(22)}${pct(s.rouge1)}${pct(s.rouge2)}${pct(s.rougeL)}`);
  }
}

/** Cleans the scraped author field («&nbsp;خالد العدل (بريدة)») into text that could show up in a summary. */
function cleanAuthor(author: string): string {
  return author
    .replace(/&[a-z]+;/g, ' ')
    .replace(/\|.*$/, '')
    .replace(/[\s:]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const BYLINE = /^[^\s.،]{2,20}(?:\s+[^\s.،]{2,20})?\s*[-–—ـ]\s*[^\s.،]{2,20}(?:\s+[^\s.،]{2,20})?\s*:/u;
/** «السبب.وقال»: a full stop glued to the next word, not a letter-by-letter abbreviation («أ.د.»). */
const GLUED = /\p{L}{3}\.[\u0621-\u064A]/u;
const SENTENCE_END = /[.!?؟؛…]["”»’)\]]*$/;

/** A sentence without a full stop is still whole when the author's line ends there (verse, a heading, a list item). */
function endsALine(content: string, sentence: string): boolean {
  return content.split('\n').some((line) => line.replace(/\s+$/u, '').endsWith(sentence.trim()));
}

function readerProblems(article: NewsArticle, summary: string[]): ReaderProblem[] {
  const problems: ReaderProblem[] = [];
  const author = cleanAuthor(article.author);
  const titleTokens = new Set(tokenize(article.title));
  for (const sentence of summary) {
    const add = (problem: string) => problems.push({ id: article.id, problem, sentence });
    if (BYLINE.test(sentence) || (author.length >= 3 && sentence.includes(author))) add('byline/dateline');
    if (GLUED.test(sentence)) add('glued sentence');
    if (!SENTENCE_END.test(sentence) && !endsALine(article.content, sentence)) add('cut-off sentence');
    if (titleTokens.size > 0 && jaccard(new Set(tokenize(sentence)), titleTokens) >= 0.8) add('repeats headline');
  }
  return problems;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared || 1);
}

function newsInput(article: NewsArticle): SummaryInput {
  return { title: article.title, text: article.content };
}

function readerCheck(news: NewsArticle[]): ReaderProblem[] {
  return news.flatMap((article) => readerProblems(article, summarize(newsInput(article))));
}

/** Articles per second over the news sample, measured for at least a second after a warm-up pass. */
function measureSpeed(news: NewsArticle[]): number {
  const inputs = news.map(newsInput);
  for (const input of inputs) summarize(input);
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) {
    for (const input of inputs) summarize(input);
    done += inputs.length;
  }
  return done / ((performance.now() - start) / 1000);
}

function main(): void {
  const root = projectRoot();
  const easc = readJsonl<EascArticle>(join(root, 'eval/data/easc/easc-dev.jsonl'));
  const news = readJsonl<NewsArticle>(join(root, 'eval/data/news/saudinewsnet-sample-200.jsonl'));

  console.log(`ROUGE F1 ×100 on EASC-dev (${easc.length} articles, 5 references each)\n`);
  const rows = evaluateRouge(easc);
  printTable(rows);
  const nashra = rows['Nashra@3']!;
  const lead = rows['Lead-3']!;
  const beatsLead = nashra.rouge1 > lead.rouge1 && nashra.rouge2 > lead.rouge2 && nashra.rougeL > lead.rougeL;
  console.log(`\n${beatsLead ? 'PASS' : 'FAIL'}: Nashra@3 beats Lead-3 on R1, R2 and RL`);

  const problems = readerCheck(news);
  console.log(`\nReader check on ${news.length} news articles (production setting): ${problems.length} problems (target 0)`);
  for (const p of problems.slice(0, 5)) console.log(`  [${p.id}] ${p.problem}: ${p.sentence}`);

  const articlesPerSecond = measureSpeed(news);
  console.log(`\nSpeed: ${Math.round(articlesPerSecond)} articles/s (one core, ${news.length} news articles)`);

  const results = {
    rouge: Object.fromEntries(
      Object.entries(rows).map(([name, s]) => [
        name,
        { r1: round(s.rouge1 * 100), r2: round(s.rouge2 * 100), rl: round(s.rougeL * 100) },
      ]),
    ),
    nashraBeatsLead3: beatsLead,
    readerCheck: { articles: news.length, problems: problems.length, examples: problems.slice(0, 5) },
    articlesPerSecond: Math.round(articlesPerSecond),
  };
  writeFileSync(join(root, 'eval/results.json'), JSON.stringify(results, null, 2) + '\n');
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

main();
