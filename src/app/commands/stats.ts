import { CLI_OPERATOR, viewStats } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra stats [--json]`. */
export async function statsCommand(_args: string[], options: { json?: boolean }, ctx: CommandContext): Promise<void> {
  const stats = await viewStats(await ctx.newsroom(), CLI_OPERATOR);
  ctx.out(options.json ? JSON.stringify(stats, null, 2) : ctx.words.cli.stats(stats, ctx.label));
}
