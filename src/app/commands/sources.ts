import { UserError } from '../../errors.js';
import { withoutLeadingUrl } from '../../ingest/http.js';
import { addSource, formatInterval, parseInterval, removeSource } from '../../ingest/sources.js';
import type { Source } from '../../store/index.js';
import { optionInt, optionString, parseArgs } from '../args.js';
import type { CommandContext } from '../context.js';

const USAGE = 'usage: nashra sources add <url> [--name N] [--interval 10m] [--category C] [--backfill N] | sources list | sources remove <id>';
const DAY_MS = 24 * 3600 * 1000;

/** `nashra sources add|list|remove`: the feeds and sites Nashra polls. */
export async function sourcesCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const [action, ...rest] = argv;
  if (action === 'add') return add(rest, ctx);
  if (action === 'list') return list(rest, ctx);
  if (action === 'remove' || action === 'rm') return remove(rest, ctx);
  throw new UserError(USAGE);
}

async function add(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseArgs(argv, { values: ['name', 'interval', 'category', 'backfill'] });
  const url = args.positionals[0];
  if (!url || args.positionals.length > 1) throw new UserError(USAGE);
  const intervalSeconds = parseInterval(optionString(args, 'interval') ?? '10m');
  const { source, description, firstPoll } = await addSource({ config: ctx.config, store: ctx.store(), logger: ctx.logger }, {
    url, name: optionString(args, 'name'), category: optionString(args, 'category'), intervalSeconds,
    backfill: optionInt(args, 'backfill', 0, 100) ?? 0,
  });
  ctx.out(description);
  if (!firstPoll.ok) {
    ctx.out(`source #${source.id} added (${source.name}), but the first poll failed: ${firstPoll.error}; it will be retried`);
    return;
  }
  ctx.out(`source #${source.id} added: ${source.name}, every ${formatInterval(intervalSeconds)}` +
    `${source.category ? `, category ${source.category}` : ''}; ${firstPoll.seen} existing item${firstPoll.seen === 1 ? '' : 's'} marked as seen` +
    `, ${firstPoll.sent} sent as backfill (queued for ${firstPoll.queued} subscription${firstPoll.queued === 1 ? '' : 's'})` +
    (firstPoll.skipped ? `, ${firstPoll.skipped} skipped` : ''));
}

function list(argv: string[], ctx: CommandContext): void {
  parseArgs(argv, {});
  const sources = ctx.store().sources.list();
  if (sources.length === 0) {
    ctx.out('no sources yet; add one with: nashra sources add <feed-or-site-url>');
    return;
  }
  const now = Date.now();
  ctx.out(['id', 'kind', 'name', 'every', 'last fetch', 'status', 'errors', 'articles', 'polled URL'].join('\t'));
  for (const s of sources) {
    ctx.out([
      s.id, s.kind, s.name + (s.category ? ` [${s.category}]` : '') + (s.active ? '' : ' (paused)'), formatInterval(s.intervalSeconds),
      s.lastFetchAt ? s.lastFetchAt.toISOString().replace(/\.\d+Z$/, 'Z') : 'never', describeStatus(s, now), s.errorCount,
      s.articlesFound, s.feedUrl ?? s.url,
    ].join('\t'));
  }
}

function describeStatus(s: Source, now: number): string {
  const status = s.lastStatus ?? '-';
  if (!s.failingSince) return status;
  const hours = Math.floor((now - s.failingSince.getTime()) / 3600_000);
  const flag = now - s.failingSince.getTime() >= DAY_MS ? `FAILING FOR ${hours} h: ` : '';
  return `${flag}${status}${s.lastError ? ` (${withoutLeadingUrl(s.lastError, s.feedUrl ?? s.url)})` : ''}`;
}

function remove(argv: string[], ctx: CommandContext): void {
  const args = parseArgs(argv, {});
  const raw = args.positionals[0];
  const id = Number(raw);
  if (!raw || args.positionals.length > 1 || !Number.isInteger(id) || id <= 0) throw new UserError('usage: nashra sources remove <id> (see nashra sources list)');
  const source = removeSource(ctx.store(), id);
  ctx.out(`source #${id} removed (${source.name}); its articles stay stored`);
}
