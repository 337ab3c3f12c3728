import type { Opml } from 'feedsmith';
import { errorMessage, UserError } from '../errors.js';
import type { NewsroomRefusal } from '../i18n/values.js';
import { feedLibraries } from '../ingest/parsers.js';
import type { Source } from '../model/source.js';
import { recordAudit, requireEditor, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';
import { RefusedError } from '../refusal.js';
import { addSource, AlreadyFollowedError, followedSource, readerFeedUrl } from './sources.js';

/**
 * OPML, the list of feeds every feed reader imports and exports (Feedly, Inoreader, NetNewsWire, Thunderbird…):
 * `nashra sources import/export` and a file sent to the bot. One implementation; the front doors only translate.
 */

/** A larger file is not a list of feeds a newsroom follows (Feedly's exports of 1,000 feeds are about 200 KB). */
export const OPML_MAX_BYTES = 2 * 1024 * 1024;
/** Each new feed is fetched once to be checked and primed: a file of thousands would hold the importer for an hour. */
export const OPML_MAX_FEEDS = 500;
/** Feeds fetched at once during an import (each has its own timeout, NASHRA_FETCH_TIMEOUT_MS). */
const IMPORT_CONCURRENCY = 4;

/** One feed of the file: its address, its title, and the folder it sat in (readers nest feeds in folders). */
export interface OpmlFeed {
  url: string;
  title?: string;
  /** The innermost folder's name: it becomes the source's category, as `sources add --category` would. */
  category?: string;
}

export type OpmlOutcome =
  | { kind: 'added'; feed: OpmlFeed; source: Source }
  | { kind: 'already'; feed: OpmlFeed; source: Source }
  /** Not followed, and why (not a URL, a private address, not a feed, unreachable…). */
  | { kind: 'refused'; feed: OpmlFeed; reason: string; refusal?: NewsroomRefusal };

export interface OpmlReport {
  outcomes: OpmlOutcome[];
  added: number;
  already: number;
  refused: number;
}

/** The feeds of an OPML document, in document order, each once; a RefusedError when it is not OPML. */
export async function readOpml(xml: string): Promise<OpmlFeed[]> {
  if (Buffer.byteLength(xml) > OPML_MAX_BYTES)
    throw new RefusedError({ kind: 'opml-too-large', mb: OPML_MAX_BYTES / 1024 / 1024 });
  const { parseOpml } = await feedLibraries();
  let doc: Opml.Document<string>;
  try {
    doc = parseOpml(xml);
  } catch (err) {
    throw new RefusedError({ kind: 'not-opml', xml: errorMessage(err) });
  }
  const feeds: OpmlFeed[] = [];
  const seen = new Set<string>();
  const walk = (outlines: Opml.Outline<string>[] | undefined, folder: string | undefined) => {
    for (const o of outlines ?? []) {
      // A feed is an outline with xmlUrl (type="rss" is usual but not required); any other outline is a folder.
      const url = o.xmlUrl?.trim();
      const name = (o.title ?? o.text)?.trim() || undefined;
      if (url) {
        if (!seen.has(url)) feeds.push({ url, title: name, category: folder });
        seen.add(url);
      }
      walk(o.outlines, url ? folder : (name ?? folder));
    }
  };
  walk(doc.body?.outlines, undefined);
  if (feeds.length === 0 && !doc.body) throw new RefusedError({ kind: 'opml-no-body' });
  if (feeds.length > OPML_MAX_FEEDS)
    throw new RefusedError({ kind: 'opml-too-many', feeds: feeds.length, max: OPML_MAX_FEEDS });
  return feeds;
}

/**
 * Follows every feed of the file that is not followed yet, each through addSource: the same URL checks, the same
 * SSRF guard on every fetch (no loopback or private address unless NASHRA_ALLOW_PRIVATE_FETCH=1, on every redirect),
 * the same detection and the same first poll that marks the backlog seen (an import never floods the channels with
 * old news). One feed's failure never stops the others; the report says what happened to each.
 */
export async function importOpml(
  deps: NewsroomDeps,
  actor: Actor,
  xml: string,
  options: { intervalSeconds?: number } = {},
): Promise<OpmlReport> {
  await requireEditor(deps, actor, 'sources');
  const feeds = await readOpml(xml);
  const outcomes: OpmlOutcome[] = new Array(feeds.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < feeds.length; i = next++)
      outcomes[i] = await importOne(deps, actor, feeds[i]!, options.intervalSeconds);
  };
  await Promise.all(Array.from({ length: Math.min(IMPORT_CONCURRENCY, feeds.length) }, worker));
  const count = (kind: OpmlOutcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
  const report = { outcomes, added: count('added'), already: count('already'), refused: count('refused') };
  await deps.data.uow.run((tx) =>
    recordAudit(tx, actor, 'source.import', {
      feeds: feeds.length,
      added: report.added,
      already: report.already,
      refused: report.refused,
    }),
  );
  return report;
}

async function importOne(
  deps: NewsroomDeps,
  actor: Actor,
  feed: OpmlFeed,
  intervalSeconds: number | undefined,
): Promise<OpmlOutcome> {
  const known = await followedSource(deps.data.repos.sources, [feed.url]);
  if (known) return { kind: 'already', feed, source: known };
  try {
    const { source } = await addSource(deps, actor, {
      url: feed.url,
      name: feed.title,
      category: feed.category,
      intervalSeconds,
    });
    return { kind: 'added', feed, source };
  } catch (err) {
    if (err instanceof AlreadyFollowedError) return { kind: 'already', feed, source: err.source };
    if (err instanceof RefusedError) return { kind: 'refused', feed, reason: err.message, refusal: err.refusal };
    if (err instanceof UserError) return { kind: 'refused', feed, reason: err.message };
    deps.logger.warn('opml import: a feed failed', { url: feed.url, error: errorMessage(err) });
    return { kind: 'refused', feed, reason: errorMessage(err) };
  }
}

/**
 * Every source as OPML 2.0, feeds in folders by category (as readers export them). xmlUrl is the feed a reader can
 * follow (readerFeedUrl: for a WordPress site polled through its REST API, its RSS feed); htmlUrl the site's page
 * when it is known (a feed's own link to its site, a WordPress site's page, an article page's URL), absent otherwise
 * rather than the feed again. An article page has no feed: its xmlUrl is the page, which Nashra imports back as a page.
 */
export async function exportOpml(
  deps: Pick<NewsroomDeps, 'data' | 'editors'>,
  actor: Actor,
  now = new Date(),
): Promise<string> {
  await requireEditor(deps, actor, 'sources');
  const sources = await deps.data.uow.run(async (tx) => {
    const list = await tx.sources.list();
    await recordAudit(tx, actor, 'source.export', { sources: list.length });
    return list;
  });
  const outline = (s: Source): Opml.Outline<Date> => {
    const htmlUrl =
      s.siteUrl ?? (s.kind === 'page' || (s.kind === 'wordpress' && s.url !== readerFeedUrl(s)) ? s.url : undefined);
    return { text: s.name, title: s.name, type: 'rss', xmlUrl: readerFeedUrl(s), ...(htmlUrl ? { htmlUrl } : {}) };
  };
  const folders = new Map<string, Source[]>();
  const loose: Source[] = [];
  for (const s of sources) {
    if (s.category) folders.set(s.category, [...(folders.get(s.category) ?? []), s]);
    else loose.push(s);
  }
  const { generateOpml } = await feedLibraries();
  return generateOpml({
    head: { title: 'Nashra sources', dateCreated: now },
    body: {
      outlines: [
        ...[...folders].map(([category, list]) => ({ text: category, title: category, outlines: list.map(outline) })),
        ...loose.map(outline),
      ],
    },
  });
}
