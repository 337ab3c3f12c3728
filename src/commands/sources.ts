import { UserError } from '../errors.js';
import { FetchError } from '../http.js';
import { detectSource, NotASourceError } from '../ingest/detect.js';
import { pollSource } from '../ingest/poller.js';
import type { Source } from '../store/index.js';
import { optionInt, optionString, parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';

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
  const input = args.positionals[0];
  if (!input || args.positionals.length > 1) throw new UserError(USAGE);
  const url = httpUrl(input);
  const intervalSeconds = parseInterval(optionString(args, 'interval') ?? '10m');
  const backfill = optionInt(args, 'backfill', 0, 100) ?? 0;
  const store = ctx.store();
  const existing = store.sources.findByUrl(url);
  if (existing) throw new UserError(`${url} is already source #${existing.id} (${existing.name})`);

  let detection;
  try {
    detection = await detectSource(url, ctx.config.fetch);
  } catch (err) {
    if (err instanceof FetchError || err instanceof NotASourceError) throw new UserError(`cannot add ${url}: ${err.message}`);
    throw err;
  }
  const polled = store.sources.findByUrl(detection.feedUrl);
  if (polled) throw new UserError(`${detection.feedUrl} is already polled as source #${polled.id} (${polled.name})`);
  ctx.out(detection.description);

  const source = store.sources.add({
    url, feedUrl: detection.feedUrl, kind: detection.kind, name: optionString(args, 'name') ?? detection.name,
    category: optionString(args, 'category'), intervalSeconds, backfill,
  });
  // The first poll happens now, so the backlog is marked seen at once (except the newest --backfill items).
  const r = await pollSource({ config: ctx.config, store, logger: ctx.logger }, source, { response: detection.response });
  if (r.outcome === 'error') {
    ctx.out(`source #${source.id} added (${source.name}), but the first poll failed: ${r.error}; it will be retried`);
    return;
  }
  const sent = r.newArticles - r.seen;
  ctx.out(`source #${source.id} added: ${source.name}, every ${formatInterval(intervalSeconds)}` +
    `${source.category ? `, category ${source.category}` : ''}; ${r.seen} existing item${r.seen === 1 ? '' : 's'} marked as seen` +
    `, ${sent} sent as backfill (queued for ${r.queued} subscription${r.queued === 1 ? '' : 's'})` +
    (r.skipped ? `, ${r.skipped} skipped` : ''));
}

function list(argv: string[], ctx: CommandContext): void {
  parseArgs(argv, {});
  const sources = ctx.store().sources.list();
  if (sources.length === 0) {
    ctx.out('no sources yet; add one with: nashra sources add <feed-or-site-url>');
    return;
  }
  const now = Date.now();
  ctx.out(['id', 'kind', 'name', 'every', 'last fetch', 'status', 'errors', 'articles', 'polls'].join('\t'));
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
  return `${flag}${status}${s.lastError ? ` (${s.lastError})` : ''}`;
}

function remove(argv: string[], ctx: CommandContext): void {
  const args = parseArgs(argv, {});
  const raw = args.positionals[0];
  const id = Number(raw);
  if (!raw || args.positionals.length > 1 || !Number.isInteger(id) || id <= 0) throw new UserError('usage: nashra sources remove <id> (see nashra sources list)');
  const store = ctx.store();
  const source = store.sources.get(id);
  if (!source || !store.sources.remove(id)) throw new UserError(`no source #${id} (see nashra sources list)`);
  ctx.out(`source #${id} removed (${source.name}); its articles stay stored`);
}

function httpUrl(input: string): string {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new UserError(`"${input}" is not a URL; give the full address, e.g. https://www.example.com/feed/`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`${input}: only http and https URLs can be sources`);
  return u.href;
}

/** "10m", "90s", "1h", "600" (seconds) → seconds; at least a minute, at most a day. */
export function parseInterval(raw: string): number {
  const m = /^(\d+)\s*(s|m|h)?$/i.exec(raw.trim());
  const seconds = m ? Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2]?.toLowerCase() ?? 's') as 's' | 'm' | 'h'] : NaN;
  if (!Number.isFinite(seconds) || seconds < 60 || seconds > 86400) {
    throw new UserError(`--interval must be between 1m and 24h (e.g. 10m, 90s, 1h), not "${raw}"`);
  }
  return seconds;
}

function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
