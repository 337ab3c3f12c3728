/**
 * Reactions to the posts Nashra sent (issue 25, section 2): what each platform reports, checked and stored as counts
 * per post and emoji. Two kinds of report, whatever the platform:
 *
 * - a full count (Telegram's `message_reaction_count`, for a channel's anonymous reactions): the post's whole current
 *   picture, which replaces what was stored. Telegram groups these and may deliver them minutes late, so a count
 *   older than the one stored (by the platform's own time) is not applied;
 * - a change (Telegram's `message_reaction` in groups, WhatsApp's `message_reaction`): one person took reactions back
 *   and gave others, applied as −1/+1 per emoji. A change names who made it on the platform, but only its effect
 *   reaches this module: the front door passes emoji and an event id, never the person. A replayed change (Telegram
 *   resends an update a crash left unconfirmed; a webhook retries) is recognised by its event id, kept as a SHA-256
 *   prefix for the post's last 64 changes, and counts once.
 *
 * Nothing here is an editor's action: it is the platforms' telemetry, so no permission and no audit entry; each
 * report's writes are one unit. What is not one of Nashra's posts (another chat's message, a message id forged for
 * this chat), a retracted story's post and a malformed report are ignored and said so in the outcome.
 */
import { createHash } from 'node:crypto';
import type { PlatformReactions } from '../model/reaction.js';
import type { NewsroomDeps } from './deps.js';

/** Telegram counts reach the thousands on a large channel; ten million is beyond any post's audience: a forged value. */
export const MAX_REACTION_COUNT = 10_000_000;
/** Telegram offers about 75 emoji plus custom ones; a report listing more kinds than this is not a real one. */
export const MAX_REACTION_KINDS = 100;
/** A Telegram user sets at most 3 reactions (Premium); WhatsApp, one. */
const MAX_CHANGE_KINDS = 20;

/** A post's reactions as the platform counts them now. `at`: the platform's time of the picture (ms). */
export interface ReactionCountReport {
  kind: 'counts';
  platform: string;
  chatId: string;
  messageId: string;
  counts: ReadonlyArray<{ emoji: string; count: number }>;
  at: number;
}

/** One person's change on a post: reactions taken back and given. `event`: the platform's id of this change. */
export interface ReactionChangeReport {
  kind: 'change';
  platform: string;
  chatId: string;
  messageId: string;
  removed: readonly string[];
  added: readonly string[];
  event: string;
  at: number;
}

export type ReactionReport = ReactionCountReport | ReactionChangeReport;

/** What became of a report: stored, or why not. */
export type ReactionOutcome = 'recorded' | 'not-our-post' | 'retracted' | 'invalid' | 'replayed' | 'stale';

/**
 * A reaction's name as stored: an emoji (one grapheme of pictographs, joiners and modifiers, at most 32 UTF-16 units:
 * «👨‍💻» is 5, a family 11), or a named reaction a platform defines (`paid`, `custom:5368324170671202286`).
 */
export function isReactionKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length === 0) return false;
  if (/^[a-z_]{1,16}(:[A-Za-z0-9_-]{1,64})?$/.test(key)) return true;
  return (
    key.length <= 32 &&
    // biome-ignore lint/suspicious/noMisleadingCharacterClass: the class lists an emoji's parts (ZWJ, VS16, keycap) one by one on purpose; the + takes any sequence of them
    /^[\p{Extended_Pictographic}\p{Emoji_Component}\u200d\ufe0f\u20e3\p{Regional_Indicator}\p{Emoji_Modifier}]+$/u.test(
      key,
    ) &&
    /[\p{Extended_Pictographic}\p{Regional_Indicator}]/u.test(key)
  );
}

const validCount = (n: unknown): n is number =>
  Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= MAX_REACTION_COUNT;
const eventKey = (platform: string, event: string) =>
  createHash('sha256').update(`${platform}\0${event}`).digest('hex').slice(0, 16);

/** Stores a platform's report on one of Nashra's posts (see the top of this file for what is ignored, and why). */
export async function recordReactions(
  deps: Pick<NewsroomDeps, 'data' | 'logger'>,
  report: ReactionReport,
  now = Date.now(),
): Promise<ReactionOutcome> {
  const checked = check(report);
  if (!checked) {
    deps.logger.debug('reaction report ignored', { platform: report.platform, chat: report.chatId, why: 'invalid' });
    return 'invalid';
  }
  const outcome = await deps.data.uow.run(async (tx): Promise<ReactionOutcome> => {
    const post = await tx.reactions.findPost(report.platform, report.chatId, report.messageId);
    if (!post) return 'not-our-post';
    if (post.retracted) return 'retracted';
    const mark = await tx.reactions.mark(post.postId);
    if (checked.kind === 'counts') {
      if (mark.countsAt !== undefined && checked.at < mark.countsAt) return 'stale';
      await tx.reactions.replace(post, checked.counts, now);
      await tx.reactions.setMark(post.postId, { ...mark, countsAt: checked.at });
      return 'recorded';
    }
    const key = eventKey(report.platform, checked.event);
    if (mark.events.includes(key)) return 'replayed';
    for (const emoji of checked.removed) await tx.reactions.add(post, emoji, -1, now);
    for (const emoji of checked.added) await tx.reactions.add(post, emoji, +1, now);
    await tx.reactions.setMark(post.postId, { ...mark, events: [...mark.events, key] });
    return 'recorded';
  });
  deps.logger.debug(outcome === 'recorded' ? 'reaction report recorded' : 'reaction report ignored', {
    platform: report.platform,
    chat: report.chatId,
    why: outcome,
  });
  return outcome;
}

type Checked =
  | { kind: 'counts'; counts: Map<string, number>; at: number }
  | { kind: 'change'; removed: string[]; added: string[]; event: string; at: number };

/**
 * A report fit to store, or undefined. An absurd count (negative, fractional, above ten million) or an oversized
 * report makes the whole report suspect; a reaction of a kind not understood (a type a newer API adds) is only left
 * out, the others still count.
 */
function check(r: ReactionReport): Checked | undefined {
  if (!/^[^\s]{1,128}$/.test(r.chatId) || !/^[^\s]{1,256}$/.test(r.messageId) || !Number.isFinite(r.at))
    return undefined;
  if (r.kind === 'counts') {
    if (!Array.isArray(r.counts) || r.counts.length > MAX_REACTION_KINDS) return undefined;
    const counts = new Map<string, number>();
    for (const { emoji, count } of r.counts) {
      if (!validCount(count)) return undefined;
      if (isReactionKey(emoji)) counts.set(emoji, (counts.get(emoji) ?? 0) + count);
    }
    if ([...counts.values()].some((n) => n > MAX_REACTION_COUNT)) return undefined;
    return { kind: 'counts', counts, at: r.at };
  }
  if (typeof r.event !== 'string' || r.event.length === 0 || r.event.length > 256) return undefined;
  if (r.removed.length > MAX_CHANGE_KINDS || r.added.length > MAX_CHANGE_KINDS) return undefined;
  const removed = [...new Set(r.removed.filter(isReactionKey))];
  const added = [...new Set(r.added.filter(isReactionKey))];
  // What is both taken back and given is unchanged.
  return {
    kind: 'change',
    event: r.event,
    at: r.at,
    removed: removed.filter((e) => !added.includes(e)),
    added: added.filter((e) => !removed.includes(e)),
  };
}

/** An article's reactions per platform and emoji (the desk's article page, the Reach page). */
export function articleReactions(deps: Pick<NewsroomDeps, 'data'>, articleId: number): Promise<PlatformReactions[]> {
  return deps.data.repos.reactions.byArticle(articleId);
}

/** Reactions per article, every platform together, for a set of articles (the Reach page's top stories). */
export async function reactionTotals(
  deps: Pick<NewsroomDeps, 'data'>,
  articleIds: readonly number[],
): Promise<Map<number, number>> {
  const byEmoji = await deps.data.repos.reactions.byEmoji(articleIds);
  return new Map([...byEmoji].map(([id, counts]) => [id, Object.values(counts).reduce((n, c) => n + c, 0)]));
}
