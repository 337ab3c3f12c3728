import { CORRECTIONS, POSTS, type JobKind } from '../model/delivery.js';
import type { Repositories } from '../ports/index.js';
import { recordAudit, requireEditor, type Actor } from './actor.js';
import type { ChatRules, NewsroomDeps } from './deps.js';
import { chatWaits } from './waiting.js';

export interface Stats {
  articles: number;
  subscriptions: Array<{ platform: string; active: number; inactive: number }>;
  deliveries: Record<string, Record<string, number>>;
  queueDepth: number;
  oldestQueuedSeconds: number | null;
  /** Jobs of every kind a crash left in doubt (`nashra in-doubt list`); a digest message has no article. */
  inDoubt: Array<{ id: number; kind: JobKind; article: number | null; subscription: number; since: string | null }>;
  /** Correction jobs (edits and deletions of sent posts) per state; those in doubt were on the wire at a crash. */
  corrections: Record<string, number>;
  sources: {
    total: number;
    active: number;
    failingForADay: Array<{ id: number; name: string; since: string; error: string | null }>;
  };
  /**
   * Per platform with deliveries waiting for the platform (being sent, or a retry scheduled): how many, and why: in
   * English words for the CLI and the logs, and as a code each front door says in its own language.
   */
  waiting: Array<{ platform: string; count: number } & WaitReason>;
  /** Per platform, deliveries waiting for their chats (quiet hours that hold messages, a digest), and when the last goes. */
  waitingForChats: Array<{ platform: string; count: number; until: string }>;
  /** Per platform, posts of scheduled broadcasts whose time has not come (not stuck: waiting for it), and the first time. */
  scheduled: Array<{ platform: string; count: number; next: string }>;
}

/** What the statistics know of the platforms beyond the store: which exist, and which the configuration turns on. */
export interface PlatformView {
  platforms: readonly ChatRules[];
  configured: Record<string, unknown>;
}

/** Why a platform's deliveries wait; `detail` is the platform's own word on its connection, when it gave one. */
export interface WaitReason {
  why: 'not-installed' | 'off' | 'not-running' | 'disconnected' | 'sending';
  reason: string;
  detail?: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** One picture of the system, shared by `nashra stats`, the bots' /stats, the run's summary and the health endpoint. */
export async function collectStats(repos: Repositories, now = Date.now(), view?: PlatformView): Promise<Stats> {
  const deliveries: Stats['deliveries'] = {};
  let queueDepth = 0;
  for (const { platform, state, count } of await repos.outbox.countsByState(POSTS)) {
    deliveries[platform] = { ...deliveries[platform], [state]: count };
    if (state === 'queued' || state === 'sending') queueDepth += count;
  }
  const age = await repos.outbox.oldestPendingAge(now);
  const forChats = await chatWaits(repos, now);
  const scheduled = await repos.outbox.scheduledPosts(now);
  const waitingCounts = Object.entries(deliveries)
    .map(([platform, states]) => ({
      platform,
      count:
        (states.queued ?? 0) +
        (states.sending ?? 0) -
        (forChats.get(platform)?.queued ?? 0) -
        (scheduled.find((s) => s.platform === platform)?.count ?? 0),
    }))
    .filter((w) => w.count > 0);
  const sources = await repos.sources.list();
  const waiting: Stats['waiting'] = [];
  if (view) for (const w of waitingCounts) waiting.push({ ...w, ...(await whyWaiting(repos, w.platform, view, now)) });
  return {
    articles: await repos.status.articleCount(),
    subscriptions: await repos.status.subscriptionCounts(),
    deliveries,
    queueDepth,
    oldestQueuedSeconds: age === undefined ? null : Math.round(age / 1000),
    inDoubt: (await repos.outbox.inDoubt(20)).map((d) => ({
      id: d.id,
      kind: d.kind,
      article: d.articleId ?? null,
      subscription: d.subscriptionId,
      since: d.sendingAt?.toISOString() ?? null,
    })),
    corrections: await repos.outbox.totalsByState(CORRECTIONS),
    sources: {
      total: sources.length,
      active: sources.filter((s) => s.active).length,
      failingForADay: sources
        .filter((s) => s.failingSince && now - s.failingSince.getTime() >= DAY_MS)
        .map((s) => ({ id: s.id, name: s.name, since: s.failingSince!.toISOString(), error: s.lastError ?? null })),
    },
    waiting,
    waitingForChats: [...forChats]
      .map(([platform, w]) => ({ platform, count: w.count, until: w.until.toISOString() }))
      .sort((a, b) => a.platform.localeCompare(b.platform)),
    scheduled: scheduled
      .map((s) => ({ platform: s.platform, count: s.count, next: new Date(s.next).toISOString() }))
      .sort((a, b) => a.platform.localeCompare(b.platform)),
  };
}

/** Why a platform's deliveries are not going out, in the words an operator can act on. */
async function whyWaiting(repos: Repositories, platform: string, view: PlatformView, now: number): Promise<WaitReason> {
  const known = view.platforms.find((p) => p.name === platform);
  if (!known)
    return {
      why: 'not-installed',
      reason: 'no platform of this name is installed (a plug-in missing from NASHRA_PLUGINS?)',
    };
  if (view.configured[platform] === undefined)
    return { why: 'off', reason: `${platform} is off: ${known.enableHint ?? 'see .env.example'}` };
  if (!(await repos.status.runnerAlive(now))) return { why: 'not-running', reason: 'nashra run is not running' };
  const state = (await repos.status.platformStates()).find((s) => s.platform === platform);
  if (state && !state.ready) {
    return {
      why: 'disconnected',
      reason: state.reason ?? `${platform} is not connected`,
      ...(state.reason ? { detail: state.reason } : {}),
    };
  }
  return { why: 'sending', reason: "being sent at the platform's pace (or a retry is scheduled)" };
}

/** `nashra stats`, the bots' /stats, the desk: editors only, audited. */
export async function viewStats(deps: NewsroomDeps, actor: Actor): Promise<Stats> {
  await requireEditor(deps, actor, 'stats');
  await recordAudit(deps.data.repos, actor, 'stats.view');
  return collectStats(deps.data.repos, Date.now(), { platforms: deps.platforms, configured: deps.config.platforms });
}
