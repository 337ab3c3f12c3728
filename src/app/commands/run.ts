import { flag, parseArgs } from '../args.js';
import type { CommandContext } from '../context.js';
import { QueueSignal } from '../../delivery/platform.js';
import { createPlatforms } from '../platforms.js';
import { runMain } from '../run.js';

/** `nashra run [--once]`: the main job. */
export async function runCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseArgs(argv, { flags: ['once'] });
  const store = ctx.store();
  const queued = new QueueSignal();
  const platforms = await createPlatforms(ctx.config, store, ctx.logger, queued);
  await runMain(ctx.config, store, ctx.logger, { once: flag(args, 'once'), out: ctx.out, platforms, queued });
}
