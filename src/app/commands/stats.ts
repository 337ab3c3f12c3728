import { collectStats, formatStats } from '../../newsroom/stats.js';
import { flag, parseArgs } from '../args.js';
import type { CommandContext } from '../context.js';

/** `nashra stats [--json]`. */
export async function statsCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseArgs(argv, { flags: ['json'] });
  const stats = collectStats(ctx.store());
  ctx.out(flag(args, 'json') ? JSON.stringify(stats, null, 2) : formatStats(stats));
}
