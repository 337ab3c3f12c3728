import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { summarizeJsonl } from '../../src/summary/jsonl.js';
import { summarize } from '../../src/summary/summarize.js';

const TEXT_A =
  'أعلنت الحكومة خطة جديدة لدعم الزراعة في الريف. وقال الوزير إن الخطة تشمل قروضا ميسرة. وأضاف أن التنفيذ يبدأ الشهر المقبل.';
const TEXT_B = 'The council approved the budget on Monday. Critics said it ignores cycling. The mayor promised a plan.';

async function run(lines: string[], options = { sentences: 2, minSentences: 2, maxChars: Infinity }) {
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const counts = await summarizeJsonl(Readable.from([lines.join('\n')]), output, options);
  output.end();
  const records = chunks
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { counts, records };
}

describe('summarizeJsonl', () => {
  it('writes one summary line per input line, in order', async () => {
    const options = { sentences: 2, minSentences: 2, maxChars: Infinity };
    const { counts, records } = await run([
      JSON.stringify({ id: 'a', title: 'خطة الزراعة', text: TEXT_A }),
      JSON.stringify({ id: 2, article: TEXT_B }),
    ]);
    expect(counts).toEqual({ ok: 2, errors: 0 });
    expect(records).toEqual([
      { id: 'a', summary: summarize({ title: 'خطة الزراعة', text: TEXT_A }, options) },
      { id: 2, summary: summarize({ text: TEXT_B }, options) },
    ]);
    expect(records[0]!.summary).toHaveLength(2);
  });

  it('reports bad lines in place, skips blank lines and carries on', async () => {
    const { counts, records } = await run([
      JSON.stringify({ id: 1, text: TEXT_A }),
      '{"id": 2, "text": ',
      '',
      '   ',
      JSON.stringify({ id: 3, title: 'no body' }),
      '[1, 2]',
      JSON.stringify({ id: 4, text: TEXT_B }),
    ]);
    expect(counts).toEqual({ ok: 2, errors: 3 });
    expect(records.map((r) => r.id)).toEqual([1, null, 3, null, 4]);
    expect(records[1]!.error).toMatch(/^line 2: invalid JSON/);
    expect(records[2]!.error).toBe('line 5: missing "text" (or "article") string');
    expect(records[3]!.error).toBe('line 6: expected a JSON object');
    expect(records[4]!.summary).toEqual(
      summarize({ text: TEXT_B }, { sentences: 2, minSentences: 2, maxChars: Infinity }),
    );
  });

  it('returns an empty summary for an empty text', async () => {
    const { records } = await run([JSON.stringify({ id: 'e', text: '' })]);
    expect(records).toEqual([{ id: 'e', summary: [] }]);
  });
});
