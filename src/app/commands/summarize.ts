import { UserError } from '../../errors.js';
import { summarizeJsonl } from '../../summary/jsonl.js';
import { flag, optionInt, parseArgs } from '../args.js';
import type { CommandContext } from '../context.js';

/** `nashra summarize --jsonl [--sentences N] [--max-chars C]`: JSON lines in, one summary line out per input. */
export async function summarizeCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseArgs(argv, { values: ['sentences', 'max-chars'], flags: ['jsonl'] });
  if (!flag(args, 'jsonl')) throw new UserError('usage: nashra summarize --jsonl [--sentences N] [--max-chars C] < articles.jsonl');
  const sentences = optionInt(args, 'sentences', 1, 20);
  const maxChars = optionInt(args, 'max-chars', 20, 1_000_000);
  const options = sentences !== undefined && maxChars === undefined
    // An exact count asked for, with no budget: the evaluation setting.
    ? { sentences, minSentences: sentences, maxChars: Infinity }
    : { ...ctx.config.summary, ...(sentences !== undefined && { sentences }), ...(maxChars !== undefined && { maxChars }) };
  await summarizeJsonl(process.stdin, process.stdout, options);
}
