/**
 * `npm run eval`: what subscribers get, as an editor reads it, and ROUGE.
 * - On the 200 SaudiNewsNet articles at the production setting: one-sentence summaries of articles with three or
 *   more sentences, dangling openers, cut or run-on sentences, site junk, and the reader check (bylines, glued
 *   sentences, repeated headline); hashtag precision against the editor's annotations; five examples of each.
 * - On EASC-dev: ROUGE at the production setting against the lead sentences that fit the same budget, and at
 *   3 sentences against Lead-3, beside the human ceiling.
 * Writes every figure to eval/results.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenize } from '../src/text/arabic.js';
import { projectRoot } from '../src/paths.js';
import { DEFAULT_SUMMARY, articleSentences, summarize, type SummaryInput } from '../src/summary/summarize.js';
import { averageScores, rougeMulti, type RougeScores } from './rouge.js';
import { cutOrRunOn, danglingOpener, siteJunk, type Defect, type DefectKind } from './defects.js';
import { checkStandalone, opensAnotherStory, printStandalone } from './standalone.js';
import { classifyOpener, WORDS_AFTER_CONJUNCTION } from '../src/summary/openers.js';
import { reportHashtags, type TagAnnotation } from './hashtags.js';

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

const EVAL_MODE = { sentences: 3, minSentences: 3, maxChars: Infinity };
const PRODUCTION = DEFAULT_SUMMARY;
const EXAMPLES = 5;

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
      averageScores(
        a.summaries.map((ref, k) =>
          rougeMulti(
            ref,
            a.summaries.filter((_, j) => j !== k),
          ),
        ),
      ),
    ),
  );
}

/**
 * The baseline at the production setting: the article's first sentences, as many as fit the budget (at most
 * `sentences`), skipping none; the first sentence alone when even it does not fit.
 */
function leadWithinBudget(input: SummaryInput): string[] {
  const chosen: string[] = [];
  let length = -1;
  for (const sentence of articleSentences(input).slice(0, PRODUCTION.sentences)) {
    if (length + 1 + sentence.length > PRODUCTION.maxChars) break;
    chosen.push(sentence);
    length += 1 + sentence.length;
  }
  return chosen.length > 0 ? chosen : articleSentences(input).slice(0, 1);
}

function evaluateRouge(articles: EascArticle[]): Record<string, RougeScores> {
  return {
    'Nashra@3': scoreSystem(articles, (input) => summarize(input, EVAL_MODE)),
    'Lead-3': scoreSystem(articles, (input) => articleSentences(input).slice(0, 3)),
    'Nashra (production)': scoreSystem(articles, (input) => summarize(input)),
    'Lead within budget': scoreSystem(articles, leadWithinBudget),
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

function beats(a: RougeScores, b: RougeScores): boolean {
  return a.rouge1 > b.rouge1 && a.rouge2 > b.rouge2 && a.rougeL > b.rougeL;
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

/** Bylines, glued sentences and a repeated headline: the reader check the project already had. */
function readerProblems(article: NewsArticle, sentence: string): string | undefined {
  const author = cleanAuthor(article.author);
  const titleTokens = new Set(tokenize(article.title));
  if (BYLINE.test(sentence) || (author.length >= 3 && sentence.includes(author))) return 'byline/dateline';
  if (GLUED.test(sentence)) return 'glued sentence';
  if (titleTokens.size > 0 && jaccard(new Set(tokenize(sentence)), titleTokens) >= 0.8) return 'repeats headline';
  return undefined;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared || 1);
}

function newsInput(article: NewsArticle): SummaryInput {
  return { title: article.title, text: article.content };
}

/**
 * The sentence follows `previous` directly in the article, so an opener that refers back is answered: no sentence
 * end lies between the end of `previous` and the start of the sentence. Compared on the end of `previous`, whose own
 * opener may have been rewritten, and without the full stop of a run-on cut back to its main clause (which the
 * article continues with «، مؤكدا…»).
 */
function followsInArticle(flatContent: string, previous: string | undefined, sentence: string): boolean {
  if (previous === undefined) return false;
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  const at = flatContent.indexOf(flat(sentence));
  if (at < 0) return false;
  const before = flatContent.slice(0, at);
  const end = before.lastIndexOf(flat(previous).slice(-60));
  return (
    end >= 0 &&
    !/[.!?؟…]/.test(before.slice(end + Math.min(60, flat(previous).length)).replace(/[.!?؟…]["”»’)\]]*\s*$/, ''))
  );
}

interface NewsCheck {
  defects: Record<DefectKind | 'reader check', Defect[]>;
  /** Articles with three or more sentences: the denominator of the one-sentence rate. */
  longArticles: number;
  summaries: { id: number | string; summary: string[] }[];
}

function checkNews(news: NewsArticle[]): NewsCheck {
  const defects: NewsCheck['defects'] = {
    'one sentence': [],
    'dangling opener': [],
    'cut or run-on': [],
    'site junk': [],
    'reader check': [],
  };
  let longArticles = 0;
  const summaries: NewsCheck['summaries'] = [];
  for (const article of news) {
    const input = newsInput(article);
    const summary = summarize(input, PRODUCTION);
    summaries.push({ id: article.id, summary });
    const add = (kind: keyof NewsCheck['defects'], sentence: string) =>
      defects[kind].push({ id: article.id, kind: kind as DefectKind, sentence });
    // Sentences of the article's own story: the summary ends before another story the article appends (issue 22).
    const sentences = articleSentences(input);
    const otherStory = sentences.findIndex((s, i) => i > 0 && opensAnotherStory(s));
    if ((otherStory > 0 ? otherStory : sentences.length) >= 3) {
      longArticles++;
      if (summary.length < 2) add('one sentence', summary.join(' ') || '(empty)');
    }
    const flat = article.content.replace(/\s+/g, ' ');
    summary.forEach((sentence, k) => {
      if (danglingOpener(sentence) && !followsInArticle(flat, summary[k - 1], sentence))
        add('dangling opener', sentence);
      const cut = cutOrRunOn(sentence, article.content, PRODUCTION.maxChars);
      if (cut) add('cut or run-on', `(${cut}) ${sentence}`);
      if (siteJunk(sentence)) add('site junk', sentence);
      const reader = readerProblems(article, sentence);
      if (reader) add('reader check', `(${reader}) ${sentence}`);
    });
  }
  return { defects, longArticles, summaries };
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
  const annotationPath = join(root, 'eval/data/news/hashtags-100.jsonl');
  const annotations = existsSync(annotationPath) ? readJsonl<TagAnnotation>(annotationPath) : [];

  const check = checkNews(news);
  const { defects } = check;
  console.log(
    `What subscribers get: ${news.length} news articles at the production setting ` +
      `(${PRODUCTION.minSentences}–${PRODUCTION.sentences} sentences, ${PRODUCTION.maxChars} characters); target 0 for each\n`,
  );
  const counts = {
    'one sentence': defects['one sentence'].length,
    'dangling opener': defects['dangling opener'].length,
    'cut or run-on': defects['cut or run-on'].length,
    'site junk': defects['site junk'].length,
    'reader check': defects['reader check'].length,
  };
  const label: Record<keyof typeof counts, string> = {
    'one sentence': `one-sentence summaries (of ${check.longArticles} articles with ≥ 3 sentences in their own story)`,
    'dangling opener': 'dangling openers',
    'cut or run-on': 'cut or run-on sentences',
    'site junk': 'site junk',
    'reader check': 'bylines, glued sentences, repeated headline',
  };
  for (const kind of Object.keys(counts) as (keyof typeof counts)[]) {
    console.log(`  ${String(counts[kind]).padStart(4)}  ${label[kind]}`);
    for (const d of defects[kind].slice(0, EXAMPLES)) console.log(`          [${d.id}] ${d.sentence.slice(0, 220)}`);
  }
  const sentenceCounts = check.summaries.map((s) => s.summary.length);
  const meanSentences = sentenceCounts.reduce((a, b) => a + b, 0) / sentenceCounts.length;
  const meanChars = check.summaries.reduce((n, s) => n + s.summary.join(' ').length, 0) / check.summaries.length;
  console.log(`        mean ${meanSentences.toFixed(2)} sentences, ${Math.round(meanChars)} characters per summary`);

  // Issue 22, sections 1–4: summaries that stand on their own.
  const standalone = checkStandalone(
    news.map((a) => ({ id: a.id, title: a.title, text: a.content })),
    easc.map((a) => ({ id: a.id, text: a.article })),
    {
      sentences: (a) => articleSentences(a),
      summary: (a) => summarize(a, PRODUCTION),
      listedWords: WORDS_AFTER_CONJUNCTION,
      standingApart: (sentence, isFirst, articleTokens) => {
        const opener = classifyOpener(sentence, isFirst, (word) => articleTokens.get(word) ?? 0);
        return opener.kind === 'rewritable' ? opener.text : sentence;
      },
    },
  );
  printStandalone(standalone, EXAMPLES);
  // End of issue 22's figures.

  // Hashtags: one block of their own (eval/hashtags.ts).
  const devPath = join(root, 'eval/data/news/hashtags-dev-100.jsonl');
  const dev2Path = join(root, 'eval/data/news/hashtags-dev2-60.jsonl');
  const dev2News = join(root, 'eval/data/news/saudinewsnet-dev2-60.jsonl');
  const tagResults = reportHashtags(news, [
    {
      name: 'development set (the other 100, where the vocabulary was built)',
      annotations: existsSync(devPath) ? readJsonl<TagAnnotation>(devPath) : [],
      before: { precision: 0.966, recall: 0.269, underTwo: 83, none: 38 },
    },
    {
      name: 'second development set (60 SaudiNewsNet articles outside the 200)',
      annotations: existsSync(dev2Path) ? readJsonl<TagAnnotation>(dev2Path) : [],
      articles: existsSync(dev2News) ? readJsonl<NewsArticle>(dev2News) : [],
      before: { precision: 0.811, recall: 0.189, underTwo: 49, none: 23 },
    },
    {
      name: 'held-out set (the annotated 100)',
      annotations,
      before: { precision: 0.906, recall: 0.289, underTwo: 68, none: 24 },
    },
  ]);

  console.log(`\nROUGE F1 ×100 on EASC-dev (${easc.length} articles, 5 references each)\n`);
  const rows = evaluateRouge(easc);
  printTable(rows);
  const beatsLead3 = beats(rows['Nashra@3']!, rows['Lead-3']!);
  const beatsBudgetLead = beats(rows['Nashra (production)']!, rows['Lead within budget']!);
  console.log(`\n${beatsLead3 ? 'PASS' : 'FAIL'}: Nashra@3 beats Lead-3 on R1, R2 and RL`);
  console.log(
    `${beatsBudgetLead ? 'PASS' : 'FAIL'}: Nashra at the production setting beats the lead sentences that fit the same budget`,
  );

  const articlesPerSecond = measureSpeed(news);
  console.log(
    `\nSpeed: ${Math.round(articlesPerSecond)} articles/s (summarize only, one core, ${news.length} news articles)`,
  );

  const results = {
    production: PRODUCTION,
    news: {
      articles: news.length,
      articlesWithThreeOrMoreSentences: check.longArticles,
      defects: counts,
      meanSentences: round(meanSentences),
      meanChars: Math.round(meanChars),
      examples: Object.fromEntries(Object.entries(defects).map(([k, v]) => [k, v.slice(0, EXAMPLES)])),
    },
    hashtags: tagResults,
    rouge: Object.fromEntries(
      Object.entries(rows).map(([name, s]) => [
        name,
        { r1: round(s.rouge1 * 100), r2: round(s.rouge2 * 100), rl: round(s.rougeL * 100) },
      ]),
    ),
    nashraBeatsLead3: beatsLead3,
    productionBeatsBudgetLead: beatsBudgetLead,
    articlesPerSecond: Math.round(articlesPerSecond),
    standalone: Object.fromEntries(
      Object.entries(standalone).map(([k, v]) => [
        k,
        Array.isArray(v) ? { count: v.length, examples: v.slice(0, EXAMPLES) } : v,
      ]),
    ),
  };
  writeFileSync(join(root, 'eval/results.json'), JSON.stringify(results, null, 2) + '\n');
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

main();
