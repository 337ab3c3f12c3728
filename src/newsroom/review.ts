import type { StoredArticle } from '../model/article.js';
import type { Review, ReviewMessage } from '../model/review.js';
import type { Logger } from '../logger.js';
import type { Repositories } from '../ports/index.js';
import { RefusedError } from '../refusal.js';
import { recordAudit, requireEditor, type Actor } from './actor.js';
import { queueAudience } from './audience.js';
import type { NewsroomDeps } from './deps.js';

/**
 * Sources added with --review: their new items are stored and summarised, then held here until an editor presses
 * «نشر» (queued like a new article) or «تجاهل» (never sent). The first editor to decide wins: the store's
 * compare-and-set moves a review out of `pending` once, so a second press, on any platform, changes nothing.
 */

export type ReviewVerdict = 'publish' | 'dismiss';

export type ReviewResult =
  | { kind: 'done'; review: Review; article: StoredArticle; queued: number }
  /** Someone decided first (or the same press came twice): nothing happens, and the review says who and how. */
  | { kind: 'already-decided'; review: Review; article: StoredArticle };

/** Holds a new article for review instead of routing it (the poller, for a source with review on), in its unit. */
export function holdForReview(
  tx: Pick<Repositories, 'reviews'>,
  article: StoredArticle,
  now = Date.now(),
): Promise<void> {
  return tx.reviews.open(article.id, now);
}

/**
 * «نشر» or «تجاهل». Publishing queues the article for every matching subscription active now (what a new article
 * arriving at this moment would reach), in the same transaction as the decision. `token` is the random part of a
 * button's data; the CLI, which names the article itself, passes none.
 */
export async function decideReview(
  deps: NewsroomDeps,
  actor: Actor,
  articleId: number,
  verdict: ReviewVerdict,
  token?: string,
): Promise<ReviewResult> {
  await requireEditor(deps, actor, 'review');
  const now = Date.now();
  const result = await deps.data.uow.run(async (tx): Promise<ReviewResult> => {
    // The compare-and-set first: the unit holds the database's write lock from its start, and the state is read
    // after it, so two processes (nashra run and a CLI command) cannot both see `pending`.
    const decided = await tx.reviews.decide(articleId, verdict === 'publish' ? 'published' : 'dismissed', actor, now);
    const review = await tx.reviews.get(articleId);
    const article = await tx.articles.get(articleId);
    if (!review || !article || (token !== undefined && token !== review.token)) {
      throw new RefusedError({ kind: 'not-held', articleId }); // rolls the decision back
    }
    if (!decided) return { kind: 'already-decided', review, article };
    const queued =
      verdict === 'publish' ? await queueAudience(tx, article, { kind: 'matching' }, { activeBefore: now }) : 0;
    if (verdict === 'publish') await tx.reviews.setQueued(articleId, queued);
    await recordAudit(
      tx,
      actor,
      verdict === 'publish' ? 'review.publish' : 'review.dismiss',
      { article: articleId, queued },
      now,
    );
    return { kind: 'done', review: (await tx.reviews.get(articleId))!, article, queued };
  });
  if (result.kind === 'done') {
    deps.logger.info(verdict === 'publish' ? 'review published' : 'review dismissed', {
      article: articleId,
      queued: result.queued,
      editor: `${actor.platform}:${actor.id}`,
    });
    if (result.queued > 0) deps.onQueued();
  }
  return result;
}

export interface PendingReview {
  review: Review;
  article: StoredArticle;
}

/** What waits for a decision, oldest first (`nashra review list`). */
export async function listPendingReviews(deps: NewsroomDeps, actor: Actor, limit = 200): Promise<PendingReview[]> {
  await requireEditor(deps, actor, 'review');
  return deps.data.uow.run(async (tx) => {
    await recordAudit(tx, actor, 'review.list');
    return withArticles(tx, await tx.reviews.pending(limit));
  });
}

/** What a platform adapter implements to put a held article in front of its editors (PlatformAdapter.askEditorsToReview). */
export interface Reviewer {
  readonly name: string;
  askEditorsToReview?(article: StoredArticle, review: Review): Promise<void>;
}

/** Reviews asked about per pass: a feed that brings a hundred items at once reaches the editors in a few passes. */
const ASK_BATCH = 50;

/**
 * Asks the editors, on every platform that can, about each held article no one has been asked about yet: new items
 * from a poll, items held by a CLI process (`nashra sources add --review`), items held while nothing was running.
 * Passes run one after another, so an item is never asked about twice. Returns the function `nashra run` calls after
 * each poll that held something, and once when it starts.
 */
export function reviewAnnouncer(
  repos: Pick<Repositories, 'reviews' | 'articles'>,
  isOpen: () => boolean,
  logger: Logger,
  platforms: readonly Reviewer[],
): () => Promise<void> {
  const reviewers = platforms.filter((p) => p.askEditorsToReview);
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    for (
      let batch = await repos.reviews.unasked(ASK_BATCH);
      batch.length > 0 && isOpen();
      batch = await repos.reviews.unasked(ASK_BATCH)
    ) {
      for (const { review, article } of await withArticles(repos, batch)) {
        for (const p of reviewers) {
          await p.askEditorsToReview!(article, review).catch((err) =>
            logger.warn('editors not asked to review', { platform: p.name, article: article.id, error: err }),
          );
        }
        // Asked once, whatever each editor's chat answered: a failure is logged, never repeated at every poll.
        await repos.reviews.markAsked(review.articleId, Date.now());
      }
    }
  };
  return () => {
    if (reviewers.length === 0) return Promise.resolve();
    running = running.then(pass).catch((err) => logger.error('asking the editors to review failed', { error: err }));
    return running;
  };
}

async function withArticles(repos: Pick<Repositories, 'articles'>, reviews: Review[]): Promise<PendingReview[]> {
  const pending: PendingReview[] = [];
  for (const review of reviews) {
    const article = await repos.articles.get(review.articleId);
    if (article) pending.push({ review, article });
  }
  return pending;
}

export type ReviewCopyResult = 'recorded' | 'not-held' | 'not-an-editor';

/**
 * A platform's copy of a held item, sent to one editor with the review's buttons: recorded so that every copy can
 * be updated once someone decided. Nashra's own doing (no one asks for it), so no actor and no audit; the copy must
 * be of an item held for review and in the chat of one of that platform's editors, or nothing is recorded.
 */
export async function recordReviewCopy(
  deps: Pick<NewsroomDeps, 'data' | 'editors'>,
  copy: ReviewMessage,
): Promise<ReviewCopyResult> {
  if (!(await deps.editors.isEditor({ platform: copy.platform, id: copy.chatId }))) return 'not-an-editor';
  return deps.data.uow.run(async (tx): Promise<ReviewCopyResult> => {
    // Decided already or not, as long as it was held: a copy sent while another editor decided is updated with the rest.
    if (!(await tx.reviews.get(copy.articleId))) return 'not-held';
    await tx.reviews.addCopy(copy);
    return 'recorded';
  });
}

/** Every copy of a held item one platform sent to its editors. */
export function reviewCopies(
  deps: Pick<NewsroomDeps, 'data'>,
  articleId: number,
  platform: string,
): Promise<ReviewMessage[]> {
  return deps.data.repos.reviews.copies(articleId, platform);
}
