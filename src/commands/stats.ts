import { collectStats, formatStats } from '../stats.js';
import { flag, parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';

/** `nashra stats [--json]`. */
export async function statsCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseArgs(argv, { flags: ['json'] });
  const stats = collectStats(ctx.store());
  ctx.out(flag(args, 'json') ? JSON.stringify(stats, null, 2) : formatStats(stats));
}
