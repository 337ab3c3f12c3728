import { summarizeJsonl } from '../../summary/jsonl.js';
import type { CommandContext } from '../context.js';

/** `nashra summarize --jsonl [--sentences N] [--max-chars C]`: JSON lines in, one summary line out per input. */
export async function summarizeCommand(
  _args: string[],
  options: { sentences?: number; maxChars?: number },
  ctx: CommandContext,
): Promise<void> {
  const { sentences, maxChars } = options;
  const summary =
    sentences !== undefined && maxChars === undefined
      ? // An exact count asked for, with no budget: the evaluation setting.
        { sentences, minSentences: sentences, maxChars: Infinity }
      : {
          ...ctx.config.summary,
          ...(sentences !== undefined && { sentences }),
          ...(maxChars !== undefined && { maxChars }),
        };
  await summarizeJsonl(ctx.io.stdin, ctx.io.stdout, summary);
}
