/**
 * ROUGE-1, ROUGE-2 and ROUGE-L F1 exactly as the corpus README's evaluation protocol defines them, so that
 * figures compare: its own normalisation (alef variants, ى, ة, tashkeel, tatweel — nothing else, no lower-casing),
 * tokens split on white space and Unicode punctuation, no stemming.
 */

export interface RougeScores {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

/** The protocol's normalisation (deliberately narrower than normalizeArabic: no digits, no case). */
export function normalizeForRouge(text: string): string {
  return text
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه')
    .replace(/[\u064B-\u0652\u0670\u0640]/g, '');
}

export function rougeTokens(text: string): string[] {
  return normalizeForRouge(text)
    .split(/[\s\p{P}]+/u)
    .filter((t) => t !== '');
}

/** F1 of one system summary against one reference. */
export function rouge(system: string, reference: string): RougeScores {
  const sys = rougeTokens(system);
  const ref = rougeTokens(reference);
  return {
    rouge1: ngramF1(sys, ref, 1),
    rouge2: ngramF1(sys, ref, 2),
    rougeL: f1(lcsLength(sys, ref), sys.length, ref.length),
  };
}

/** Scores against each reference, averaged over the references. */
export function rougeMulti(system: string, references: string[]): RougeScores {
  return averageScores(references.map((ref) => rouge(system, ref)));
}

export function averageScores(scores: RougeScores[]): RougeScores {
  const n = Math.max(scores.length, 1);
  const sum = (key: keyof RougeScores) => scores.reduce((total, s) => total + s[key], 0) / n;
  return { rouge1: sum('rouge1'), rouge2: sum('rouge2'), rougeL: sum('rougeL') };
}

function ngramF1(sys: string[], ref: string[], n: number): number {
  const sysGrams = ngramCounts(sys, n);
  const refGrams = ngramCounts(ref, n);
  let overlap = 0;
  for (const [gram, count] of sysGrams) overlap += Math.min(count, refGrams.get(gram) ?? 0);
  return f1(overlap, Math.max(sys.length - n + 1, 0), Math.max(ref.length - n + 1, 0));
}

function ngramCounts(tokens: string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join(' ');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function f1(overlap: number, systemTotal: number, referenceTotal: number): number {
  if (overlap === 0 || systemTotal === 0 || referenceTotal === 0) return 0;
  const precision = overlap / systemTotal;
  const recall = overlap / referenceTotal;
  return (2 * precision * recall) / (precision + recall);
}

/** Longest common subsequence length, O(n·m) time and O(m) memory. */
export function lcsLength(a: string[], b: string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    previous = current;
  }
  return previous[b.length]!;
}
