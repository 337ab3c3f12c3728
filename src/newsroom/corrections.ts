import { plainMarkup } from '../format/post.js';
import { renderArticle } from '../format/render.js';
import type { Logger } from '../logger.js';
import type { Article, StoredArticle } from '../model/article.js';
import type { ArticleRevision, CorrectionTally } from '../model/correction.js';
import { hashtags } from '../summary/hashtags.js';
import { summarize } from '../summary/summarize.js';
import type { Config } from '../config.js';
import type { DataPorts, Repositories } from '../ports/index.js';
import { RefusedError } from '../refusal.js';
import { recordAudit, requireEditor, SYSTEM, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';
import { findArticle } from './pipeline.js';
import { cleanEdit, type ArticleEditInput } from './edit-article.js';
import { contentHash, searchTextOf, storyKey } from '../ingest/prepare.js';

/**
 * Corrections and retractions: a sent post follows its article. When the source republishes an item changed (or an
 * editor corrects it) in a way a reader would notice, every post already sent is queued for an edit; when an editor
 * retracts it, every queued delivery is cancelled and every sent post queued for deletion. The delivery worker runs
 * those jobs through each platform's PostCorrector (src/delivery/platform.ts), paced like deliveries.
 */

/** The words a reader reads first, title and summary, with white space folded: what a source's change is judged by. */
export function readerText(article: Pick<StoredArticle, 'title' | 'summary'>): string {
  return [article.title, ...article.summary].join('\n').replace(/\s+/g, ' ').trim();
}

/** What a reader sees of an article: its plain rendering with white space folded (a changed space is no change). */
export function visibleText(article: StoredArticle, config: Pick<Config, 'timeZone' | 'template'>): string {
  // id 0: the renderer keys its cache by id and revision, and a candidate version has neither yet.
  return renderArticle({ ...article, id: 0 }, plainMarkup, config)
    .replace(/\s+/g, ' ')
    .trim();
}

/** Deliveries of an article per platform: what a correction or a retraction would touch. */
export interface PostCounts {
  platform: string;
  /** Sent (or on the wire): corrected or deleted. */
  sent: number;
  /** Not sent yet (queued, or held for a digest): a correction travels with them, a retraction cancels them. */
  queued: number;
  /** Left in doubt by a crash: the message id is unknown, they cannot be touched. */
  inDoubt: number;
}

export async function postCounts(repos: Pick<Repositories, 'corrections'>, articleId: number): Promise<PostCounts[]> {
  const out = new Map<string, PostCounts>();
  for (const r of await repos.corrections.postStates(articleId)) {
    let c = out.get(r.platform);
    if (!c) {
      c = { platform: r.platform, sent: 0, queued: 0, inDoubt: 0 };
      out.set(r.platform, c);
    }
    if (r.state === 'sent' || r.state === 'sending') c.sent += r.count;
    else if (r.state === 'queued' || r.state === 'held') c.queued += r.count;
    else if (r.state === 'in_doubt') c.inDoubt += r.count;
  }
  return [...out.values()].sort((a, b) => a.platform.localeCompare(b.platform));
}

// ----- corrections that follow the source -----

export type SourceRevisionResult =
  /** Nothing a reader would notice (white space, a tracking parameter, the body beyond the summary). */
  | { status: 'unchanged' }
  /** Published longer ago than NASHRA_CORRECTION_WINDOW: the posts stay as they are. */
  | { status: 'outside-window' }
  | { status: 'retracted' }
  | { status: 'revised'; article: StoredArticle; revision: number; queued: number };

/**
 * The source republished an item Nashra has (same GUID or canonical URL) with other text: summarise it again and,
 * within the correction window, store it as a new revision when the message a subscriber would see changed, and
 * queue one edit per post already sent. Deliveries not sent yet simply carry the new revision. `feedHash` is the
 * item's new fingerprint, stored whatever the outcome so the next poll does not look again. The item is summarised
 * before the unit of work begins: the write lock is held for the writes only.
 */
export async function reviseFromSource(
  deps: { data: DataPorts; config: Config; logger: Logger },
  existing: StoredArticle,
  incoming: Article,
  opts: { feedHash?: string; now?: number } = {},
): Promise<SourceRevisionResult> {
  const { data, config } = deps;
  const now = opts.now ?? Date.now();
  const remember = async () => {
    if (opts.feedHash) await data.repos.articles.setFeedHash(existing.id, opts.feedHash);
  };
  if (existing.retracted) {
    await remember();
    return { status: 'retracted' };
  }
  const firstPublished = (existing.publishedAt ?? existing.createdAt).getTime();
  if (config.correctionWindowMs <= 0 || now - firstPublished > config.correctionWindowMs) {
    await remember();
    return { status: 'outside-window' };
  }
  const summary = summarize({ title: incoming.title, paragraphs: incoming.paragraphs }, config.summary);
  const tags = hashtags({ title: incoming.title, paragraphs: incoming.paragraphs, categories: existing.categories });
  // A reader notices the title and the summary (a changed body beyond them, or only the hashtags, corrects nothing).
  // An editor's own version stays what is sent: the source's change is kept beside it, as the original.
  const original = existing.edit?.original ?? existing;
  const visible = !existing.edit && readerText({ title: incoming.title, summary }) !== readerText(original);
  const text = {
    title: incoming.title,
    paragraphs: incoming.paragraphs,
    summary,
    hashtags: visible ? tags : original.hashtags,
    contentHash: contentHash(incoming),
    storyKey: storyKey(incoming),
    searchText: searchTextOf({ ...incoming, categories: existing.categories }, summary),
    feedHash: opts.feedHash,
  };
  const result = await data.uow.run(async (tx): Promise<SourceRevisionResult> => {
    if (!(await tx.corrections.revise(existing.id, text, visible))) return { status: 'retracted' };
    if (!visible) return { status: 'unchanged' };
    const article = (await tx.articles.get(existing.id))!;
    await tx.revisions.add(
      {
        articleId: article.id,
        origin: 'source',
        revision: article.revision,
        title: incoming.title,
        summary,
        hashtags: text.hashtags,
        previousTitle: existing.title,
        previousSummary: existing.summary,
      },
      now,
    );
    const queued = await tx.corrections.queueEdits(article.id, article.revision, now);
    await recordAudit(
      tx,
      SYSTEM,
      'article.revise',
      { article: article.id, revision: article.revision, title: incoming.title, previousTitle: existing.title, queued },
      now,
    );
    return { status: 'revised', article, revision: article.revision, queued };
  });
  if (result.status === 'revised') {
    deps.logger.info('source changed a published item: posts will be corrected', {
      article: existing.id,
      revision: result.revision,
      queued: result.queued,
    });
  }
  return result;
}

// ----- an editor's correction -----

export interface CorrectionPreview {
  draft: ArticleRevision;
  before: StoredArticle;
  /** The article as it will be sent and as the corrected posts will read. */
  after: StoredArticle;
  /** False when a reader would see no difference: confirming changes nothing. */
  changed: boolean;
  posts: PostCounts[];
}

/**
 * Step 1 of an editor's correction (`/correct`, `nashra correct`, the desk): the new title and summary (hashtags kept
 * unless given), the article as it will read, and how many posts on which platforms will be edited. Nothing changes
 * before confirmCorrection.
 */
export async function previewCorrection(
  deps: NewsroomDeps,
  actor: Actor,
  ref: string,
  input: Partial<ArticleEditInput>,
): Promise<CorrectionPreview> {
  await requireEditor(deps, actor, 'correct');
  const { data } = deps;
  const before = await findArticle(data.repos.articles, ref.trim());
  if (before.retracted) throw new RefusedError({ kind: 'retracted-not-corrected', articleId: before.id });
  const edit = cleanEdit({
    title: input.title ?? before.title,
    summary: input.summary ?? before.summary,
    hashtags: input.hashtags ?? before.hashtags,
  });
  const after: StoredArticle = { ...before, ...edit };
  const changed = visibleText(after, deps.config) !== visibleText(before, deps.config);
  return data.uow.run(async (tx) => {
    const now = Date.now();
    const draft = await tx.revisions.add(
      {
        articleId: before.id,
        origin: 'editor',
        title: edit.title,
        summary: edit.summary,
        hashtags: edit.hashtags,
        previousTitle: before.title,
        previousSummary: before.summary,
        author: `${actor.platform}:${actor.id}`,
      },
      now,
    );
    await recordAudit(tx, actor, 'correction.preview', { article: before.id, draft: draft.id, title: edit.title }, now);
    return { draft, before, after, changed, posts: await postCounts(tx, before.id) };
  });
}

export type CorrectionDecision =
  | { kind: 'done'; article: StoredArticle; revision: number; queued: number }
  /** Pressed twice, by two editors, or replayed: the first decision stands and nothing happens. */
  | { kind: 'already-decided' }
  /** A reader would see no difference: nothing was queued. */
  | { kind: 'unchanged'; article: StoredArticle };

/**
 * Step 2: the editor's version becomes what is sent (kept beside the source's original), the revision goes up and
 * one edit is queued per post already sent, in one transaction; a second press queues nothing.
 */
export async function confirmCorrection(
  deps: NewsroomDeps,
  actor: Actor,
  draftId: number,
  token: string,
  now = Date.now(),
): Promise<CorrectionDecision> {
  await requireEditor(deps, actor, 'correct');
  const result = await deps.data.uow.run(async (tx): Promise<CorrectionDecision> => {
    const draft = await tx.revisions.get(draftId);
    if (!draft || draft.token !== token || draft.state !== 'draft') return { kind: 'already-decided' };
    const before = await tx.articles.get(draft.articleId);
    if (!before || before.retracted) {
      await tx.revisions.cancel(draftId);
      return { kind: 'already-decided' };
    }
    const after: StoredArticle = { ...before, title: draft.title, summary: draft.summary, hashtags: draft.hashtags };
    if (visibleText(after, deps.config) === visibleText(before, deps.config)) {
      await tx.revisions.cancel(draftId);
      return { kind: 'unchanged', article: before };
    }
    const article = await tx.corrections.applyEdit(
      before.id,
      { title: draft.title, summary: draft.summary, hashtags: draft.hashtags },
      actor.id,
      now,
    );
    if (!(await tx.revisions.apply(draftId, article.revision, now))) return { kind: 'already-decided' };
    const queued = await tx.corrections.queueEdits(article.id, article.revision, now);
    await recordAudit(
      tx,
      actor,
      'correction.confirm',
      { article: article.id, revision: article.revision, title: draft.title, previousTitle: before.title, queued },
      now,
    );
    return { kind: 'done', article, revision: article.revision, queued };
  });
  if (result.kind === 'done') {
    deps.logger.info('correction queued', {
      article: result.article.id,
      revision: result.revision,
      queued: result.queued,
      editor: `${actor.platform}:${actor.id}`,
    });
    deps.onQueued();
  }
  return result;
}

export async function cancelCorrection(
  deps: NewsroomDeps,
  actor: Actor,
  draftId: number,
  token: string,
): Promise<boolean> {
  await requireEditor(deps, actor, 'correct');
  return deps.data.uow.run(async (tx) => {
    const draft = await tx.revisions.get(draftId);
    if (!draft || draft.token !== token || !(await tx.revisions.cancel(draftId))) return false;
    await recordAudit(tx, actor, 'correction.cancel', { article: draft.articleId, draft: draftId });
    return true;
  });
}

// ----- retractions -----

export interface RetractionPreview {
  article: StoredArticle;
  /** Per platform: posts to delete, deliveries to cancel, posts in doubt. */
  posts: PostCounts[];
}

/** Step 1 of a retraction: what will happen, per platform. Nothing changes before confirmRetraction. */
export async function previewRetraction(deps: NewsroomDeps, actor: Actor, ref: string): Promise<RetractionPreview> {
  await requireEditor(deps, actor, 'retract');
  return deps.data.uow.run(async (tx) => {
    const article = await findArticle(tx.articles, ref.trim());
    if (article.retracted)
      throw new RefusedError({ kind: 'already-retracted', articleId: article.id, by: article.retracted.by });
    await recordAudit(tx, actor, 'retraction.preview', { article: article.id });
    return { article, posts: await postCounts(tx, article.id) };
  });
}

export type RetractionDecision =
  | { kind: 'done'; article: StoredArticle; cancelled: number; queued: number }
  /** Retracted before (by this editor's first press, or by someone else): nothing more happens. */
  | { kind: 'already-decided'; article: StoredArticle };

/**
 * Step 2: the article is retracted (once: a compare-and-set), every delivery of it not sent yet (queued, waiting for
 * quiet hours, held for a digest) is cancelled, queued edits
 * are dropped and one delete is queued per post sent, in one transaction. The article stays in the database and
 * the audit log; it never goes out again (not /latest, /search, a broadcast, a new subscriber, another source's copy).
 */
export async function confirmRetraction(
  deps: NewsroomDeps,
  actor: Actor,
  articleId: number,
  now = Date.now(),
): Promise<RetractionDecision> {
  await requireEditor(deps, actor, 'retract');
  const result = await deps.data.uow.run(async (tx): Promise<RetractionDecision> => {
    const article = await tx.articles.get(articleId);
    if (!article) throw new RefusedError({ kind: 'no-article', id: articleId });
    if (!(await tx.corrections.retract(articleId, `${actor.platform}:${actor.id}`, now)))
      return { kind: 'already-decided', article };
    const cancelled = await tx.corrections.cancelUnsent(articleId, 'the article was retracted', now);
    // Its scheduled broadcasts whose time has not come are cancelled too (their posts are among those just cancelled).
    const unscheduled = await tx.broadcasts.unscheduleArticle(articleId, now);
    const queued = await tx.corrections.queueDeletes(articleId, article.revision, now);
    await recordAudit(
      tx,
      actor,
      'article.retract',
      { article: articleId, title: article.title, cancelled, queued, ...(unscheduled ? { unscheduled } : {}) },
      now,
    );
    return { kind: 'done', article: (await tx.articles.get(articleId))!, cancelled, queued };
  });
  if (result.kind === 'done') {
    deps.logger.info('article retracted', {
      article: articleId,
      cancelled: result.cancelled,
      deletes: result.queued,
      editor: `${actor.platform}:${actor.id}`,
    });
    deps.onQueued();
  }
  return result;
}

/**
 * Where an article's corrections or its retraction stand, per platform: edited, deleted, replaced by the notice, or
 * could not be touched, with the reasons. Read by every front door's report.
 */
export function correctionReport(deps: Pick<NewsroomDeps, 'data'>, articleId: number): Promise<CorrectionTally[]> {
  return deps.data.repos.corrections.tally(articleId);
}
