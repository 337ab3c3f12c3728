import type { StoredArticle } from '../model/article.js';
import { cleanText } from '../text/safety.js';
import { RefusedError } from '../refusal.js';
import { recordAudit, requireEditor, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';

/** An editor's correction before sending: title, summary and hashtags. The original stays stored beside it. */
export interface ArticleEditInput {
  title: string;
  /** One sentence per entry (the desk sends one per line). */
  summary: string[];
  /** With or without the leading # (stored with it, as the summariser's are). */
  hashtags: string[];
}

/** Limits that keep an edited post inside every platform's message limit with room for the link and the source. */
export const EDIT_LIMITS = { title: 300, sentences: 10, summaryChars: 3000, hashtags: 10, hashtagChars: 60 };

/** Cleans and checks the edit the way ingested text is cleaned (no bidi overrides, no zero-width characters). */
export function cleanEdit(input: ArticleEditInput): ArticleEditInput {
  const title = cleanText(input.title).replace(/\s+/g, ' ').trim();
  if (!title) throw new RefusedError({ kind: 'title-empty' });
  if (title.length > EDIT_LIMITS.title) throw new RefusedError({ kind: 'title-too-long', max: EDIT_LIMITS.title });
  const summary = input.summary.map((s) => cleanText(s).replace(/\s+/g, ' ').trim()).filter(Boolean);
  if (summary.length > EDIT_LIMITS.sentences)
    throw new RefusedError({ kind: 'summary-too-many', max: EDIT_LIMITS.sentences });
  if (summary.join(' ').length > EDIT_LIMITS.summaryChars)
    throw new RefusedError({ kind: 'summary-too-long', max: EDIT_LIMITS.summaryChars });
  const hashtags = [
    ...new Set(
      input.hashtags
        .map((h) =>
          cleanText(h)
            .trim()
            .replace(/^#+/, '')
            .replace(/[^\p{L}\p{M}\p{N}_]+/gu, '_')
            .replace(/^_+|_+$/g, ''),
        )
        .filter(Boolean)
        .map((h) => `#${h}`),
    ),
  ];
  if (hashtags.length > EDIT_LIMITS.hashtags)
    throw new RefusedError({ kind: 'hashtags-too-many', max: EDIT_LIMITS.hashtags });
  if (hashtags.some((h) => h.length > EDIT_LIMITS.hashtagChars + 1))
    throw new RefusedError({ kind: 'hashtag-too-long', max: EDIT_LIMITS.hashtagChars });
  return { title, summary, hashtags };
}

/** The article as it would look with this edit (for a live preview); nothing is stored. */
export function draftEdit(article: StoredArticle, input: ArticleEditInput): StoredArticle {
  const edit = cleanEdit(input);
  // id 0: the renderer does not cache a draft.
  return { ...article, id: 0, ...edit };
}

/**
 * Stores the editor's version of the article: what every later preview and delivery shows. Deliveries already
 * sent are not changed (a sent message is not edited on the platforms). Audited with the editor and both versions' titles.
 */
export async function editArticle(
  deps: NewsroomDeps,
  actor: Actor,
  articleId: number,
  input: ArticleEditInput,
  now = Date.now(),
): Promise<StoredArticle> {
  await requireEditor(deps, actor, 'edit');
  const edit = cleanEdit(input);
  return deps.data.uow.run(async (tx) => {
    const article = await tx.articles.get(articleId);
    // A source's backlog too: it can be edited, then sent (the desk and `nashra broadcast` reach it like any article).
    if (!article) throw new RefusedError({ kind: 'no-article', id: articleId });
    await tx.articleWrites.setEdit(articleId, edit, actor.id, now);
    await recordAudit(
      tx,
      actor,
      'article.edit',
      {
        article: articleId,
        title: edit.title,
        summaryChanged: edit.summary.join('\n') !== article.summary.join('\n'),
        hashtags: edit.hashtags,
      },
      now,
    );
    return (await tx.articles.get(articleId))!;
  });
}
