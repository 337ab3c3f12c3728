import { withoutLeadingUrl } from '../../ingest/http.js';
import { pushPath } from '../../ingest/push.js';
import type { Source } from '../../model/source.js';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { errorMessage, UserError } from '../../errors.js';
import {
  addSource,
  CLI_OPERATOR,
  exportOpml,
  followedSources,
  formatInterval,
  importOpml,
  listSources,
  OPML_MAX_BYTES,
  parseInterval,
  pollSourceNow,
  removeSource,
  setSourceActive,
  sourceHook,
} from '../../newsroom/index.js';
import type { CommandContext } from '../context.js';

const DAY_MS = 24 * 3600 * 1000;

/** `nashra sources add <url>`: detects what the URL is, follows it, and polls it once. */
export async function sourcesAdd(
  [url]: string[],
  options: { name?: string; interval: string; category?: string; backfill: number; review?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const intervalSeconds = parseInterval(options.interval);
  const { source, description, firstPoll } = await addSource(await ctx.newsroom(), CLI_OPERATOR, {
    url: url!,
    name: options.name,
    category: options.category,
    intervalSeconds,
    backfill: options.backfill,
    review: options.review === true,
  });
  const words = ctx.words.cli.sources;
  ctx.out(description);
  if (!firstPoll.ok) {
    ctx.out(words.pollFailed(source.id, source.name, firstPoll.error));
    return;
  }
  ctx.out(
    words.added(source.id, source.name, formatInterval(intervalSeconds), source.category, firstPoll.seen) +
      // Articles and subscriptions counted apart: «2 queued as backfill for 1 subscription» (2 × 1 are 2 deliveries).
      (source.review ? words.held(firstPoll.held) : words.backfill(firstPoll.sent, firstPoll.subscriptions)) +
      (firstPoll.skipped ? words.skipped(firstPoll.skipped) : ''),
  );
}

export async function sourcesList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const sources = await listSources(await ctx.newsroom(), CLI_OPERATOR);
  const words = ctx.words.cli.sources;
  if (sources.length === 0) {
    ctx.out(words.none);
    return;
  }
  const now = Date.now();
  ctx.out(words.heading.join('\t'));
  for (const s of sources) {
    ctx.out(
      [
        s.id,
        s.kind,
        s.name +
          (s.category ? ` [${s.category}]` : '') +
          (s.review ? words.inReview : '') +
          (s.active ? '' : words.paused),
        formatInterval(s.intervalSeconds),
        s.lastFetchAt ? s.lastFetchAt.toISOString().replace(/\.\d+Z$/, 'Z') : words.never,
        describeStatus(s, now, words),
        s.errorCount,
        s.articlesFound,
        s.feedUrl ?? s.url,
      ].join('\t'),
    );
  }
}

function describeStatus(s: Source, now: number, words: CommandContext['words']['cli']['sources']): string {
  const status = s.lastStatus ?? '-';
  if (!s.failingSince) return status;
  const hours = Math.floor((now - s.failingSince.getTime()) / 3600_000);
  const flag = now - s.failingSince.getTime() >= DAY_MS ? words.failingFor(hours) : '';
  return `${flag}${status}${s.lastError ? ` (${withoutLeadingUrl(s.lastError, s.feedUrl ?? s.url)})` : ''}`;
}

/** `nashra sources remove|pause|resume <id>`. */
export const sourcesChange =
  (change: 'remove' | 'pause' | 'resume' | 'poll') =>
  async ([id]: string[], _options: unknown, ctx: CommandContext): Promise<void> => {
    const n = Number(id);
    const words = ctx.words.cli.sources;
    if (change === 'remove') {
      const source = await removeSource(await ctx.newsroom(), CLI_OPERATOR, n);
      return ctx.out(words.removed(n, source.name));
    }
    if (change === 'poll') {
      const source = await pollSourceNow(await ctx.newsroom(), CLI_OPERATOR, n);
      return ctx.out(words.due(n, source.name));
    }
    const source = await setSourceActive(await ctx.newsroom(), CLI_OPERATOR, n, change === 'resume');
    ctx.out((change === 'resume' ? words.resumed : words.pausedNow)(n, source.name));
  };

/** `nashra sources import <file.opml>`: every feed of a reader's export, with what happened to each. */
export async function sourcesImport(
  [file]: string[],
  options: { interval: string },
  ctx: CommandContext,
): Promise<void> {
  const intervalSeconds = parseInterval(options.interval);
  const words = ctx.words.cli.sources;
  let xml: string;
  try {
    if (statSync(file!).size > OPML_MAX_BYTES) throw new UserError(words.tooLarge(file!, OPML_MAX_BYTES / 1024 / 1024));
    xml = readFileSync(file!, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(words.unreadable(file!, (err as NodeJS.ErrnoException).code ?? errorMessage(err)));
  }
  const report = await importOpml(await ctx.newsroom(), CLI_OPERATOR, xml, { intervalSeconds });
  for (const o of report.outcomes) {
    const where = o.feed.category ? ` [${o.feed.category}]` : '';
    if (o.kind === 'refused')
      ctx.out(
        `${words.importRefused}\t${o.feed.url}\t${withoutLeadingUrl(o.refusal ? ctx.words.refused(o.refusal) : o.reason, o.feed.url)}`,
      );
    else
      ctx.out(
        `${o.kind === 'added' ? words.importAdded : words.importAlready}\t${o.feed.url}\t${words.importSource(o.source.id, o.source.name)}${where}`,
      );
  }
  ctx.out(words.imported(report.added, report.already, report.refused));
  if (report.added > 0) ctx.out(words.importSeen);
}

/** `nashra sources export [file]`: every source as OPML, to the file or to standard output. */
export async function sourcesExport(
  [file]: string[],
  options: { force?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const words = ctx.words.cli.sources;
  const xml = await exportOpml(await ctx.newsroom(), CLI_OPERATOR);
  if (!file) return ctx.out(xml.trimEnd());
  try {
    writeFileSync(file, xml, { flag: options.force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'EEXIST' ? words.exists(file) : words.unwritable(file, code ?? errorMessage(err)));
  }
  ctx.out(words.exported((await followedSources(await ctx.newsroom())).length, file));
}

/** `nashra sources hook <id> [--rotate|--off]`: the publish hook's address and secret (see the README). */
export async function sourcesHook(
  [id]: string[],
  options: { rotate?: boolean; off?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const words = ctx.words.cli.sources;
  if (options.rotate && options.off) throw new UserError(ctx.words.cli.contradict('--rotate', '--off'));
  const hook = await sourceHook(await ctx.newsroom(), CLI_OPERATOR, Number(id), options);
  if (!hook.secret) return ctx.out(words.hookOff(id!, hook.source.name));
  ctx.out(words.hook(id!, hook.source.name, options.rotate === true));
  ctx.out(words.hookUrl(hook.url ?? words.hookNoPublicUrl(pushPath('hooks/publish', (await ctx.outlet()).slug, id!))));
  ctx.out(words.hookSecret(hook.secret));
  ctx.out(words.hookSign);
}
