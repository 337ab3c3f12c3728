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
  ctx.out(description);
  if (!firstPoll.ok) {
    ctx.out(
      `source #${source.id} added (${source.name}), but the first poll failed: ${firstPoll.error}; it will be retried`,
    );
    return;
  }
  ctx.out(
    `source #${source.id} added: ${source.name}, every ${formatInterval(intervalSeconds)}` +
      `${source.category ? `, category ${source.category}` : ''}; ${firstPoll.seen} existing item${firstPoll.seen === 1 ? '' : 's'} marked as seen` +
      (source.review
        ? `, ${firstPoll.held} held for review; new items wait for an editor (nashra review list)`
        : `, ${backfillWords(firstPoll.sent, firstPoll.subscriptions)}`) +
      (firstPoll.skipped ? `, ${firstPoll.skipped} skipped` : ''),
  );
}

/** «2 queued as backfill for 1 subscription»: articles and subscriptions counted apart (2 × 1 are 2 deliveries). */
function backfillWords(articles: number, subscriptions: number): string {
  if (articles === 0) return 'none queued as backfill';
  if (subscriptions === 0)
    return `${articles} kept as backfill (no subscription to send ${articles === 1 ? 'it' : 'them'} to yet)`;
  return `${articles} queued as backfill for ${subscriptions} subscription${subscriptions === 1 ? '' : 's'}`;
}

export async function sourcesList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const sources = await listSources(await ctx.newsroom(), CLI_OPERATOR);
  if (sources.length === 0) {
    ctx.out('no sources yet; add one with: nashra sources add <feed-or-site-url>');
    return;
  }
  const now = Date.now();
  ctx.out(['id', 'kind', 'name', 'every', 'last fetch', 'status', 'errors', 'articles', 'polled URL'].join('\t'));
  for (const s of sources) {
    ctx.out(
      [
        s.id,
        s.kind,
        s.name + (s.category ? ` [${s.category}]` : '') + (s.review ? ' (review)' : '') + (s.active ? '' : ' (paused)'),
        formatInterval(s.intervalSeconds),
        s.lastFetchAt ? s.lastFetchAt.toISOString().replace(/\.\d+Z$/, 'Z') : 'never',
        describeStatus(s, now),
        s.errorCount,
        s.articlesFound,
        s.feedUrl ?? s.url,
      ].join('\t'),
    );
  }
}

function describeStatus(s: Source, now: number): string {
  const status = s.lastStatus ?? '-';
  if (!s.failingSince) return status;
  const hours = Math.floor((now - s.failingSince.getTime()) / 3600_000);
  const flag = now - s.failingSince.getTime() >= DAY_MS ? `FAILING FOR ${hours} h: ` : '';
  return `${flag}${status}${s.lastError ? ` (${withoutLeadingUrl(s.lastError, s.feedUrl ?? s.url)})` : ''}`;
}

/** `nashra sources remove|pause|resume <id>`. */
export const sourcesChange =
  (change: 'remove' | 'pause' | 'resume' | 'poll') =>
  async ([id]: string[], _options: unknown, ctx: CommandContext): Promise<void> => {
    const n = Number(id);
    if (change === 'remove') {
      const source = await removeSource(await ctx.newsroom(), CLI_OPERATOR, n);
      return ctx.out(`source #${n} removed (${source.name}); its articles stay stored`);
    }
    if (change === 'poll') {
      const source = await pollSourceNow(await ctx.newsroom(), CLI_OPERATOR, n);
      return ctx.out(`source #${n} (${source.name}) is due now: a running nashra run polls it within a second`);
    }
    const source = await setSourceActive(await ctx.newsroom(), CLI_OPERATOR, n, change === 'resume');
    ctx.out(
      `source #${n} ${change === 'resume' ? 'resumed: what was published meanwhile is marked seen' : 'paused'} (${source.name})`,
    );
  };

/** `nashra sources import <file.opml>`: every feed of a reader's export, with what happened to each. */
export async function sourcesImport(
  [file]: string[],
  options: { interval: string },
  ctx: CommandContext,
): Promise<void> {
  const intervalSeconds = parseInterval(options.interval);
  let xml: string;
  try {
    if (statSync(file!).size > OPML_MAX_BYTES)
      throw new UserError(`${file} is larger than ${OPML_MAX_BYTES / 1024 / 1024} MB: not a list of feeds`);
    xml = readFileSync(file!, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
  const report = await importOpml(await ctx.newsroom(), CLI_OPERATOR, xml, { intervalSeconds });
  for (const o of report.outcomes) {
    const where = o.feed.category ? ` [${o.feed.category}]` : '';
    if (o.kind === 'refused') ctx.out(`refused\t${o.feed.url}\t${withoutLeadingUrl(o.reason, o.feed.url)}`);
    else
      ctx.out(
        `${o.kind === 'added' ? 'added' : 'already followed'}\t${o.feed.url}\tsource #${o.source.id} (${o.source.name})${where}`,
      );
  }
  ctx.out(`${report.added} added, ${report.already} already followed, ${report.refused} refused`);
  if (report.added > 0) ctx.out('what the feeds held is marked seen; only new items will be sent');
}

/** `nashra sources export [file]`: every source as OPML, to the file or to standard output. */
export async function sourcesExport(
  [file]: string[],
  options: { force?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const xml = await exportOpml(await ctx.newsroom(), CLI_OPERATOR);
  if (!file) return ctx.out(xml.trimEnd());
  try {
    writeFileSync(file, xml, { flag: options.force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'EEXIST'
        ? `${file} exists; add --force to overwrite it`
        : `cannot write ${file}: ${code ?? errorMessage(err)}`,
    );
  }
  ctx.out(`${(await followedSources(await ctx.newsroom())).length} sources written to ${file}`);
}

/** `nashra sources hook <id> [--rotate|--off]`: the publish hook's address and secret (see the README). */
export async function sourcesHook(
  [id]: string[],
  options: { rotate?: boolean; off?: boolean },
  ctx: CommandContext,
): Promise<void> {
  if (options.rotate && options.off) throw new UserError('--rotate and --off contradict each other: give one');
  const hook = await sourceHook(await ctx.newsroom(), CLI_OPERATOR, Number(id), options);
  if (!hook.secret) return ctx.out(`source #${id} (${hook.source.name}): publish hook off`);
  ctx.out(
    `source #${id} (${hook.source.name}) publish hook${options.rotate ? ' (new secret; the old one no longer works)' : ''}`,
  );
  ctx.out(
    `url:    ${hook.url ?? `<NASHRA_PUBLIC_URL>${pushPath('hooks/publish', (await ctx.outlet()).slug, id)} (set NASHRA_PUBLIC_URL to the address sites reach this server at)`}`,
  );
  ctx.out(`secret: ${hook.secret}`);
  ctx.out(
    'sign: X-Nashra-Timestamp: <unix seconds>, X-Nashra-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">; or Authorization: Bearer <secret>',
  );
}
