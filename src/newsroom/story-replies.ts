import type { FullStory } from '../story/full-story.js';
import type { NewsroomDeps } from './deps.js';
import { fullStoryOf } from './full-story.js';
import { postOfMessage } from './outbox-queries.js';

/**
 * A reader's reply to a post asking for its full story (WhatsApp's «المزيد»): the post is found by the message id the
 * reply quotes, in the chat it was sent to, and the story read through fullStoryOf, so a retracted article is only
 * «سُحب هذا الخبر» and a corrected one reads as corrected. Nothing is counted here: the front door counts the read
 * (countFullRead) once the story went out.
 */
export type ReplyStory =
  | { status: 'story'; story: FullStory }
  | { status: 'retracted' }
  /** The answer would go to the post's own chat, whose settings keep the full text out of it (template.fullStoryInGroup). */
  | { status: 'not-here' }
  /** The message carried several stories (a digest): which one is meant cannot be told. */
  | { status: 'several' }
  /** No post of Nashra's in that chat under that id, or an article readers may not see. */
  | { status: 'none' };

export interface ReplyRef {
  platform: string;
  /** The chat the quoted post was sent to. */
  chatId: string;
  /** Its message id (or the id's leading part, see OutboxRepository.postsByMessage). */
  messageKey: string;
}

/**
 * `inPlace`: the story would be sent to the post's own chat, where every member receives it, so that chat must have
 * chosen it (off by default); a reader's own private chat needs no one's leave.
 */
export async function storyForReply(
  deps: Pick<NewsroomDeps, 'data' | 'config'>,
  ref: ReplyRef,
  opts: { inPlace: boolean },
): Promise<ReplyStory> {
  const post = await postOfMessage(deps, ref.platform, ref.chatId, ref.messageKey);
  if (post.kind !== 'post') return { status: post.kind };
  if (opts.inPlace && (await deps.data.repos.subscriptions.template(post.subscriptionId)).fullStoryInGroup !== true)
    return { status: 'not-here' };
  const read = await fullStoryOf(deps, post.articleId);
  return read.status === 'unknown' ? { status: 'none' } : read;
}
