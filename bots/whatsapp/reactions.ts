import { createHmac, randomBytes } from 'node:crypto';
import { errorMessage } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { recordReactions, type NewsroomDeps, type ReactionOutcome } from '../../src/newsroom/index.js';
import type { WaClient, WaMessageKey, WaReaction } from './types.js';

/**
 * Reactions in WhatsApp groups to Nashra's posts (issue 25, section 2). WhatsApp allows one reaction per sender and
 * message, and its event says only the sender's new one (the empty string: taken back), so counting needs the
 * sender's previous reaction. Where it is kept, and why:
 *
 * - In this process's memory, for the last 2,000 posts reacted to, under an HMAC of the sender with a key drawn at
 *   start (never written anywhere): the database holds counts only. A keyed hash stored in the database with its
 *   key beside it would still say who reacted to anyone holding the file or a backup: phone numbers are few enough
 *   (about 10^10 for a country's mobiles, seconds per million HMACs) to try them all.
 * - A reaction the library emits again (a resync after reconnecting, an ack) is recognised by the newsroom by its
 *   event id and counts once, restart or not; and a replay of a sender's latest reaction teaches a new process what
 *   it is, so their next change takes it back (tests/bots/whatsapp/reactions.test.ts checks it on random sequences).
 * - What it costs: after a restart, a sender whose latest reaction was not emitted again before they change it
 *   counts once more (the old one is not taken back), and taking it back then changes nothing.
 * At 2,000 posts and a group's 1,024 members at most, the memory is bounded; a typical post has a few dozen.
 */
export const REMEMBERED_POSTS = 2_000;

export class WhatsAppReactions {
  /** Per post (its serialised message id): each sender's current reaction and its time, the sender as an HMAC. */
  private readonly current = new Map<string, Map<string, { reaction: string; at: number }>>();
  private readonly key = randomBytes(32);
  /** One at a time: a sender's second reaction must see the first one's effect (👍 then ❤ within a second). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: { newsroom: NewsroomDeps; logger: Logger }) {}

  handle(client: WaClient, r: WaReaction): Promise<ReactionOutcome | undefined> {
    const next = this.queue.then(() => this.apply(client, r));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async apply(client: WaClient, r: WaReaction): Promise<ReactionOutcome | undefined> {
    // Only messages the account sent can be Nashra's posts; reactions to the members' own messages go no further.
    if (!r?.msgId?.fromMe || typeof r.msgId._serialized !== 'string' || typeof r.senderId !== 'string')
      return undefined;
    if (r.senderId === client.info?.wid._serialized) return undefined;
    const chatId = chatOf(r.msgId);
    if (!chatId?.endsWith('@g.us')) return undefined;
    const reaction = typeof r.reaction === 'string' ? r.reaction : '';
    const post = r.msgId._serialized;
    const sender = createHmac('sha256', this.key).update(r.senderId).digest('base64url');
    const at = Number.isFinite(r.timestamp) ? r.timestamp * 1000 : Date.now();
    const known = this.current.get(post)?.get(sender);
    const previous = known?.reaction;
    // Even a reaction that changes nothing here (the same again, or taking back one this process never saw) goes to
    // the newsroom: its event id is then known, and the same event replayed after a restart is not counted anew.
    try {
      const outcome = await recordReactions(this.deps.newsroom, {
        kind: 'change',
        platform: 'whatsapp',
        chatId,
        messageId: post,
        removed: previous ? [previous] : [],
        added: reaction ? [reaction] : [],
        // The reaction's own key and what it says: the same reaction emitted again carries all three.
        event: `${r.id?._serialized ?? ''}|${reaction}|${r.timestamp}`,
        at,
      });
      // A replay of the sender's latest reaction (a resync after a restart) says what their reaction is now, so the
      // next change takes it back; a replay of an older one (they changed it since) says nothing new.
      if (outcome === 'recorded' || (outcome === 'replayed' && (known === undefined || at > known.at)))
        this.remember(post, sender, reaction, at);
      return outcome;
    } catch (err) {
      this.deps.logger.error('whatsapp reaction not recorded', { chat: chatId, error: errorMessage(err) });
      return undefined;
    }
  }

  private remember(post: string, sender: string, reaction: string, at: number): void {
    let senders = this.current.get(post);
    if (!senders) {
      if (this.current.size >= REMEMBERED_POSTS) this.current.delete(this.current.keys().next().value!);
      senders = new Map();
      this.current.set(post, senders);
    }
    // A reaction taken back is remembered as '' (not forgotten): a replay of the one before it is then older news.
    senders.set(sender, { reaction, at });
  }
}

/** The chat a message key names: its `remote`, or the second part of `<fromMe>_<chat>_<id>`. */
function chatOf(key: WaMessageKey): string | undefined {
  const remote = typeof key.remote === 'string' ? key.remote : key.remote?._serialized;
  return remote ?? key._serialized.split('_')[1];
}
