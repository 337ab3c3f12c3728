/**
 * Batch summaries: one JSON object per input line ({"id", "title"?, "text" | "article"}), one JSON line out per
 * input line, in order. A bad line gets an error line of its own and the batch goes on.
 */
import { createInterface } from 'node:readline';
import { summarize, type SummaryOptions } from './summarize.js';

type JsonId = string | number | null;

export async function summarizeJsonl(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  options: SummaryOptions,
): Promise<{ ok: number; errors: number }> {
  const counts = { ok: 0, errors: 0 };
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const result = summarizeLine(line, lineNumber, options);
    if ('error' in result) counts.errors++;
    else counts.ok++;
    await write(output, JSON.stringify(result) + '\n');
  }
  return counts;
}

function summarizeLine(
  line: string,
  lineNumber: number,
  options: SummaryOptions,
): { id: JsonId; summary: string[] } | { id: JsonId; error: string } {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (err) {
    return { id: null, error: `line ${lineNumber}: invalid JSON (${(err as Error).message})` };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { id: null, error: `line ${lineNumber}: expected a JSON object` };
  }
  const fields = record as Record<string, unknown>;
  const id = isJsonId(fields.id) ? fields.id : null;
  const text = fields.text ?? fields.article;
  if (typeof text !== 'string') {
    return { id, error: `line ${lineNumber}: missing "text" (or "article") string` };
  }
  const title = typeof fields.title === 'string' ? fields.title : undefined;
  return { id, summary: summarize({ title, text }, options) };
}

function isJsonId(value: unknown): value is JsonId {
  return typeof value === 'string' || typeof value === 'number';
}

/** Waits for the stream to drain when it asks to, so a large batch does not pile up in memory. */
function write(output: NodeJS.WritableStream, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ready = output.write(chunk, (err) => (err ? reject(err) : undefined));
    if (ready) resolve();
    else output.once('drain', resolve);
  });
}
