import { parseWindow, reachReport } from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

/** `nashra reach [--since 7d] [--json]`: the desk's Reach page in text (or JSON). */
export async function reachCommand(
  _args: string[],
  options: { since?: string; json?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const report = await reachReport(await ctx.newsroom(), parseWindow(options.since));
  ctx.out(options.json ? JSON.stringify(report, null, 2) : ctx.words.cli.reach(report, ctx.label));
}
