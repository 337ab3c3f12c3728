/**
 * Reach: what each story did, per platform and per chat, from what Nashra knows without tracking any reader: the
 * posts it sent (the outbox) and the clicks on their links, counted per post and hour (src/newsroom/clicks.ts).
 * One read model for the desk's Reach page, the article page and `nashra reach`.
 *
 * Bots cannot read view counts (neither Telegram's Bot API nor WhatsApp gives a bot the views of a post), so reach
 * here is posts, clicks and click-through (clicks ÷ posts); reactions by emoji and full reads are slots that other
 * counters fill (`reactions`, `fullReads`), left undefined where nothing counts them.
 */
import { catalogue } from '../i18n/index.js';
import type { Audience } from '../model/broadcast.js';
import { HOUR_MS, hourOf, type PlatformCounts } from '../model/reach.js';
import type { NewsroomDeps } from './deps.js';
import { fullReadsOf } from './full-story.js';
import { RefusedError } from '../refusal.js';

/** Said wherever reach is shown. */
export const VIEWS_NOTE = { ar: catalogue('ar').viewsNote, en: catalogue('en').viewsNote };

/** Posts and clicks of one platform, and clicks ÷ posts (null with no post). */
export interface PlatformReach extends PlatformCounts {
  clickThrough: number | null;
}

/** One story's reach, all time, per platform. */
export interface StoryReach {
  articleId: number;
  title: string;
  /** Its clicks within the list's window (what it is ranked by). */
  clicksInWindow: number;
  posts: number;
  clicks: number;
  clickThrough: number | null;
  platforms: PlatformReach[];
  /** Reactions by emoji, every platform together (a named one as `paid`, `custom:<id>`), most given first. */
  reactions: Record<string, number>;
  /** How many times its full text was read in the chats (src/newsroom/full-story.ts). */
  fullReads: number;
}

export interface ChatReach {
  subscriptionId: number;
  platform: string;
  chatId: string;
  title?: string;
  posts: number;
  clicks: number;
  clickThrough: number | null;
}

export interface ReachReport {
  since: string;
  until: string;
  timeZone: string;
  platforms: PlatformReach[];
  /** The stories with the most clicks in the last 24 hours and the last 7 days. */
  topDay: StoryReach[];
  topWeek: StoryReach[];
  /** The chats with the most clicks in the window. */
  chats: ChatReach[];
  /** Clicks in the window by hour of day (0–23) and day of week (0 = Sunday), in the newsroom's time zone. */
  byHourOfDay: number[];
  byDayOfWeek: number[];
  clicks: number;
  note: string;
}

const DAY_MS = 24 * HOUR_MS;
const TOP = 20;
const WINDOW_UNITS: Record<string, number> = { h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };
/** A year: the longest window a page or the CLI reads (the hour sums are one row per hour). */
const LONGEST_WINDOW_MS = 366 * DAY_MS;

/** `7d`, `24h`, `4w` (a bare number is days) as milliseconds; a RefusedError says the form otherwise. */
export function parseWindow(text: string | undefined, fallbackMs = 7 * DAY_MS): number {
  if (text === undefined || text.trim() === '') return fallbackMs;
  const m = /^(\d{1,4})\s*([hdw]?)$/i.exec(text.trim());
  const ms = m ? Number(m[1]) * WINDOW_UNITS[(m[2] || 'd').toLowerCase()]! : NaN;
  if (!(ms > 0) || ms > LONGEST_WINDOW_MS) throw new RefusedError({ kind: 'window', text });
  return ms;
}

const ratio = (clicks: number, posts: number): number | null =>
  posts > 0 ? Math.round((clicks / posts) * 1000) / 1000 : null;
const withRatio = <T extends PlatformCounts>(c: T): T & { clickThrough: number | null } => ({
  ...c,
  clickThrough: ratio(c.clicks, c.posts),
});

/** The report behind the Reach page and `nashra reach`: the window is `windowMs` back from `now`. */
export async function reachReport(
  deps: Pick<NewsroomDeps, 'data' | 'config'>,
  windowMs: number,
  now = Date.now(),
): Promise<ReachReport> {
  const reach = deps.data.repos.reach;
  const since = now - windowMs;
  const sinceHour = hourOf(since);
  const [byChat, topDay, topWeek, perHour] = [
    await reach.windowByChat(sinceHour, since),
    await stories(deps, await reach.topStories(hourOf(now - DAY_MS), TOP)),
    await stories(deps, await reach.topStories(hourOf(now - 7 * DAY_MS), TOP)),
    await reach.clicksPerHour(sinceHour),
  ];
  const perPlatform = new Map<string, PlatformCounts>();
  for (const c of byChat) {
    const p =
      perPlatform.get(c.platform) ??
      perPlatform.set(c.platform, { platform: c.platform, posts: 0, clicks: 0 }).get(c.platform)!;
    p.posts += c.posts;
    p.clicks += c.clicks;
  }
  const platforms = [...perPlatform.values()].sort((a, b) => a.platform.localeCompare(b.platform));
  const chats = byChat
    .filter((c) => c.clicks > 0)
    .sort((a, b) => b.clicks - a.clicks || a.subscriptionId - b.subscriptionId)
    .slice(0, TOP);
  const byHourOfDay = new Array<number>(24).fill(0);
  const byDayOfWeek = new Array<number>(7).fill(0);
  const local = localHours(deps.config.timeZone);
  let clicks = 0;
  for (const { hour, clicks: n } of perHour) {
    const { hourOfDay, dayOfWeek } = local(hour);
    byHourOfDay[hourOfDay]! += n;
    byDayOfWeek[dayOfWeek]! += n;
    clicks += n;
  }
  return {
    since: new Date(since).toISOString(),
    until: new Date(now).toISOString(),
    timeZone: deps.config.timeZone,
    platforms: platforms.map(withRatio),
    topDay,
    topWeek,
    chats: chats.map(withRatio),
    byHourOfDay,
    byDayOfWeek,
    clicks,
    note: VIEWS_NOTE.en,
  };
}

/** One story's reach (the article page): per platform, all time. */
export async function articleReach(
  deps: Pick<NewsroomDeps, 'data'>,
  articleId: number,
): Promise<Omit<StoryReach, 'title' | 'clicksInWindow'>> {
  const {
    title: _title,
    clicksInWindow: _clicks,
    ...reach
  } = (await stories(deps, [{ articleId, title: '', clicks: 0 }]))[0]!;
  return reach;
}

async function stories(
  deps: Pick<NewsroomDeps, 'data'>,
  top: Array<{ articleId: number; title: string; clicks: number }>,
): Promise<StoryReach[]> {
  if (top.length === 0) return [];
  const ids = top.map((t) => t.articleId);
  // One read each for the whole list: posts and clicks, reactions by emoji, full reads.
  const [rows, reactions, reads] = [
    await deps.data.repos.reach.storyCounts(ids),
    await deps.data.repos.reactions.byEmoji(ids),
    await fullReadsOf(deps, ids),
  ];
  return top.map((t) => ({
    title: t.title,
    clicksInWindow: t.clicks,
    ...summed(
      t.articleId,
      rows.filter((r) => r.articleId === t.articleId),
    ),
    reactions: reactions.get(t.articleId) ?? {},
    fullReads: reads.get(t.articleId)!,
  }));
}

function summed(
  articleId: number,
  rows: ReadonlyArray<PlatformCounts>,
): Omit<StoryReach, 'title' | 'clicksInWindow' | 'reactions' | 'fullReads'> {
  const platforms = rows
    .map((r) => withRatio({ platform: r.platform, posts: r.posts, clicks: r.clicks }))
    .sort((a, b) => a.platform.localeCompare(b.platform));
  const posts = platforms.reduce((n, p) => n + p.posts, 0);
  const clicks = platforms.reduce((n, p) => n + p.clicks, 0);
  return { articleId, posts, clicks, clickThrough: ratio(clicks, posts), platforms };
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** An hour since the epoch as the newsroom's local hour of day and day of week (Intl: the zone's own DST and offsets). */
function localHours(timeZone: string): (hour: number) => { hourOfDay: number; dayOfWeek: number } {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
  return (hour) => {
    const parts = format.formatToParts(new Date(hour * HOUR_MS));
    return {
      hourOfDay: Number(parts.find((p) => p.type === 'hour')!.value) % 24,
      dayOfWeek: WEEKDAYS[parts.find((p) => p.type === 'weekday')!.value] ?? 0,
    };
  };
}

/** The hour suggested for an audience's next send, with what it rests on. */
export interface HourSuggestion {
  /** Local hour of day (0–23) in the newsroom's time zone. */
  hour: number;
  clicksPerPost: number;
  /** Posts sent at that hour in the last four weeks, and their clicks. */
  posts: number;
  clicks: number;
  /** Posts looked at in all. */
  history: number;
}

/** Four weeks: every weekday four times, and recent enough to follow a change of readers' habits. */
const SUGGESTION_WINDOW_MS = 28 * DAY_MS;
/**
 * Enough history: 50 posts in the four weeks and 5 at the hour suggested, so that one story clicked a lot does not
 * decide (at 5 posts an hour, one post is a fifth of its clicks).
 */
const MIN_POSTS = 50;
const MIN_POSTS_AT_HOUR = 5;
const POSTS_READ = 200_000;

/**
 * The hour (local) whose posts got the most clicks per post over the last four weeks, for an audience (a broadcast's:
 * matching or all → every chat, one platform, or chosen chats); undefined without enough history. Used by
 * scheduling's preview.
 */
export async function suggestSendHour(
  deps: Pick<NewsroomDeps, 'data' | 'config'>,
  audience: Audience,
  now = Date.now(),
): Promise<HourSuggestion | undefined> {
  const filter =
    audience.kind === 'platform'
      ? { platform: audience.platform }
      : audience.kind === 'chats'
        ? { subscriptionIds: audience.subscriptionIds }
        : {};
  const posts = await deps.data.repos.reach.postClicks(filter, now - SUGGESTION_WINDOW_MS, POSTS_READ);
  if (posts.length < MIN_POSTS) return undefined;
  const local = localHours(deps.config.timeZone);
  const perHour = Array.from({ length: 24 }, () => ({ posts: 0, clicks: 0 }));
  for (const p of posts) {
    const h = perHour[local(Math.floor(p.sentAt / HOUR_MS)).hourOfDay]!;
    h.posts++;
    h.clicks += p.clicks;
  }
  let best: HourSuggestion | undefined;
  perHour.forEach((h, hour) => {
    if (h.posts < MIN_POSTS_AT_HOUR) return;
    const clicksPerPost = h.clicks / h.posts;
    if (!best || clicksPerPost > best.clicksPerPost)
      best = { hour, clicksPerPost, posts: h.posts, clicks: h.clicks, history: posts.length };
  });
  return best && { ...best, clicksPerPost: Math.round(best.clicksPerPost * 100) / 100 };
}

/**
 * A cell as a spreadsheet should read it: text that opens with = + - @ (or a tab or carriage return, which some
 * spreadsheets skip before one) is a formula to Excel, LibreOffice and Google Sheets, so it gets a leading
 * apostrophe (OWASP's CSV injection advice); quoted when it holds a comma, a quote or a line break.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as CSV: one row per story of the week and platform, then per chat (UTF-8 with a BOM, for Excel's Arabic). */
export function reachCsv(report: ReachReport): string {
  const rows: Array<Array<string | number | null | undefined>> = [
    ['kind', 'id', 'name', 'platform', 'posts', 'clicks', 'click_through', 'full_reads', 'reactions'],
  ];
  for (const s of report.topWeek) {
    const reactions = Object.values(s.reactions).reduce((n, c) => n + c, 0);
    rows.push(['story', s.articleId, s.title, '', s.posts, s.clicks, s.clickThrough, s.fullReads, reactions]);
    for (const p of s.platforms)
      rows.push(['story', s.articleId, s.title, p.platform, p.posts, p.clicks, p.clickThrough]);
  }
  for (const c of report.chats)
    rows.push(['chat', c.subscriptionId, c.title ?? c.chatId, c.platform, c.posts, c.clicks, c.clickThrough]);
  for (const p of report.platforms) rows.push(['platform', '', '', p.platform, p.posts, p.clicks, p.clickThrough]);
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
