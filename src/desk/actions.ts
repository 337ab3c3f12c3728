import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Audience } from '../model/broadcast.js';
import {
  addSource,
  cancelBroadcast,
  cancelCorrection,
  confirmCorrection,
  confirmRetraction,
  previewCorrection,
  resendFailed,
  composeUrgent,
  confirmBroadcast,
  parseInterval,
  previewBroadcast,
  removeSource,
  resolveInDoubt,
  pollSourceNow,
  setSourceActive,
  stopBroadcast,
  unsubscribe,
  changeSubscription,
  parseTopicFilter,
  AlreadyFollowedError,
  articleById,
  broadcastById,
  jobById,
  followedSources,
  revisionById,
  sourceById,
  subscriptionById,
  subscriptionSettings,
  scheduleBroadcast,
  rescheduleBroadcast,
  unscheduleBroadcast,
  SendTimeError,
  type Actor,
} from '../newsroom/index.js';
import type { TemplateChange } from '../model/template.js';
import { UserError } from '../errors.js';
import { RefusedError, refusalIn } from '../refusal.js';
import type { SourceNote } from './pages.js';
import { editInput, parseId } from './forms.js';

type Body = Record<string, unknown>;

const text = (body: Body, name: string): string => (typeof body[name] === 'string' ? (body[name] as string) : '');
/** The signed-in editor, with their role in the outlet the request works in (the newsroom's actions check it). */
export const actorOf = (req: FastifyRequest): Actor => ({
  platform: 'desk',
  id: req.editor!.username,
  role: req.outlet!.membership.role,
});

/** The audience chosen on the Article page, as the req.newsroom takes it. */
export function audienceOf(body: Body): Audience {
  switch (text(body, 'audience')) {
    case 'all':
      return { kind: 'all' };
    case 'platform':
      return { kind: 'platform', platform: text(body, 'platform') };
    case 'chats': {
      const raw = Array.isArray(body.chat) ? body.chat : body.chat === undefined ? [] : [body.chat];
      const ids = raw.map((v) => parseId(v)).filter((id): id is number => id !== undefined);
      if (ids.length === 0) throw new RefusedError({ kind: 'choose-chat' });
      return { kind: 'chats', subscriptionIds: [...new Set(ids)].slice(0, 500) };
    }
    default:
      return { kind: 'matching' };
  }
}

/** How the add-source form is answered: its outcome kept for the Sources page it redirects to, or that page at once. */
export interface SourcesAnswer {
  added(req: FastifyRequest, note: SourceNote): void;
  show(req: FastifyRequest, reply: FastifyReply, note: SourceNote): Promise<FastifyReply>;
}

/**
 * The desk's state-changing routes. Each calls one req.newsroom action (which checks the permission and writes the
 * audit entry) with the signed-in editor as the actor, then redirects (post/redirect/get): no logic of its own.
 */
export async function registerActions(app: FastifyInstance, sources: SourcesAnswer): Promise<void> {
  const id = (req: FastifyRequest) => parseId((req.params as { id: string }).id);
  const body = (req: FastifyRequest) => (req.body ?? {}) as Body;
  const notFound = (reply: FastifyReply) => reply.callNotFound();

  app.post('/articles/:id/broadcast', async (req, reply) => {
    const articleId = id(req);
    if (articleId === undefined || !(await articleById(req.newsroom, articleId))) return notFound(reply);
    const preview = await previewBroadcast(req.newsroom, actorOf(req), String(articleId), {
      audience: audienceOf(body(req)),
      paid: text(body(req), 'paid') === '1',
    });
    return reply.redirect(`/broadcasts/${preview.broadcast.id}`, 303);
  });

  /** «احفظ وصحّح المنشورات المرسلة»: the edit form's text as a correction draft, previewed before anything changes. */
  app.post('/articles/:id/correct', async (req, reply) => {
    const articleId = id(req);
    if (articleId === undefined || !(await articleById(req.newsroom, articleId))) return notFound(reply);
    const preview = await previewCorrection(req.newsroom, actorOf(req), String(articleId), editInput(body(req)));
    return reply.redirect(`/corrections/${preview.draft.id}`, 303);
  });

  app.post('/corrections/:id/confirm', async (req, reply) => {
    const draft = await revisionById(req.newsroom, id(req) ?? 0);
    if (!draft) return notFound(reply);
    await confirmCorrection(req.newsroom, actorOf(req), draft.id, text(body(req), 'token'));
    return reply.redirect(`/articles/${draft.articleId}`, 303);
  });

  app.post('/corrections/:id/cancel', async (req, reply) => {
    const draft = await revisionById(req.newsroom, id(req) ?? 0);
    if (!draft) return notFound(reply);
    await cancelCorrection(req.newsroom, actorOf(req), draft.id, text(body(req), 'token'));
    return reply.redirect(`/articles/${draft.articleId}`, 303);
  });

  app.post('/articles/:id/retract', async (req, reply) => {
    const articleId = id(req);
    if (articleId === undefined || !(await articleById(req.newsroom, articleId))) return notFound(reply);
    await confirmRetraction(req.newsroom, actorOf(req), articleId);
    return reply.redirect(`/articles/${articleId}`, 303);
  });

  app.post('/articles/:id/resend', async (req, reply) => {
    const articleId = id(req);
    if (articleId === undefined || !(await articleById(req.newsroom, articleId))) return notFound(reply);
    await resendFailed(req.newsroom, actorOf(req), articleId);
    return reply.redirect(`/articles/${articleId}`, 303);
  });

  // «جدولة» on the preview: the datetime-local field's value (2026-12-08T18:00, the newsroom's zone) as the
  // req.newsroom reads any editor's time; a refused time comes back as a note on the same page.
  app.post('/broadcasts/:id/schedule', async (req, reply) => {
    const broadcastId = id(req);
    if (broadcastId === undefined || !(await broadcastById(req.newsroom, broadcastId))) return notFound(reply);
    try {
      await scheduleBroadcast(
        req.newsroom,
        actorOf(req),
        broadcastId,
        text(body(req), 'token'),
        text(body(req), 'at').slice(0, 100),
      );
    } catch (err) {
      if (!(err instanceof SendTimeError)) throw err;
      return reply.redirect(`/broadcasts/${broadcastId}?schedule=${err.reason}`, 303);
    }
    return reply.redirect(`/broadcasts/${broadcastId}`, 303);
  });

  /** «المجدول»: move or cancel, with the broadcast's token (a forged id alone does nothing); what happened as a note. */
  app.post('/scheduled/:id/:action', async (req, reply) => {
    const broadcastId = id(req);
    const action = (req.params as { action: string }).action;
    if (broadcastId === undefined || (action !== 'move' && action !== 'cancel')) return notFound(reply);
    const opts = { token: text(body(req), 'token') };
    let note: string;
    try {
      const r =
        action === 'move'
          ? await rescheduleBroadcast(
              req.newsroom,
              actorOf(req),
              broadcastId,
              text(body(req), 'at').slice(0, 100),
              opts,
            )
          : await unscheduleBroadcast(req.newsroom, actorOf(req), broadcastId, opts);
      note =
        r.kind === 'moved'
          ? 'moved'
          : r.kind === 'cancelled-now'
            ? 'cancelled'
            : r.kind === 'cancelled'
              ? 'gone'
              : r.kind;
    } catch (err) {
      if (!(err instanceof SendTimeError)) throw err;
      note = err.reason;
    }
    return reply.redirect(`/scheduled?schedule=${note}`, 303);
  });

  for (const [name, action] of [
    ['confirm', confirmBroadcast],
    ['cancel', cancelBroadcast],
    ['stop', stopBroadcast],
  ] as const) {
    app.post(`/broadcasts/:id/${name}`, async (req, reply) => {
      const broadcastId = id(req);
      if (broadcastId === undefined || !(await broadcastById(req.newsroom, broadcastId))) return notFound(reply);
      // A wrong token or a decision already taken changes nothing; the page shows where the broadcast stands.
      await action(req.newsroom, actorOf(req), broadcastId, text(body(req), 'token'));
      return reply.redirect(`/broadcasts/${broadcastId}`, 303);
    });
  }

  app.post('/urgent', async (req, reply) => {
    const preview = await composeUrgent(req.newsroom, actorOf(req), text(body(req), 'text'));
    return reply.redirect(`/broadcasts/${preview.broadcast.id}`, 303);
  });

  app.post('/sources', async (req, reply) => {
    const b = body(req);
    const interval = text(b, 'interval');
    const typed = { url: text(b, 'url').trim(), name: text(b, 'name').trim(), interval };
    let result: Awaited<ReturnType<typeof addSource>>;
    try {
      result = await addSource(req.newsroom, actorOf(req), {
        url: typed.url,
        name: typed.name || undefined,
        intervalSeconds: interval ? parseInterval(interval) : undefined,
      });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      // Refused (followed already, not a feed, unreachable): nothing changed; the page again with the reason and the text.
      const existing = err instanceof AlreadyFollowedError ? { id: err.source.id, name: err.source.name } : undefined;
      return sources.show(req, reply.code(400), { refused: refusalIn(req.lang, err), existing, typed });
    }
    if (result.firstPoll.ok) req.newsroom.onQueued();
    sources.added(req, { added: result });
    return reply.redirect('/sources', 303);
  });

  for (const [name, run] of [
    ['pause', (req: FastifyRequest, sourceId: number) => setSourceActive(req.newsroom, actorOf(req), sourceId, false)],
    ['resume', (req: FastifyRequest, sourceId: number) => setSourceActive(req.newsroom, actorOf(req), sourceId, true)],
    ['remove', (req: FastifyRequest, sourceId: number) => removeSource(req.newsroom, actorOf(req), sourceId)],
    ['poll', (req: FastifyRequest, sourceId: number) => pollSourceNow(req.newsroom, actorOf(req), sourceId)],
  ] as const) {
    app.post(`/sources/:id/${name}`, async (req, reply) => {
      const sourceId = id(req);
      if (sourceId === undefined || !(await sourceById(req.newsroom, sourceId))) return notFound(reply);
      await run(req, sourceId);
      return reply.redirect('/sources', 303);
    });
  }

  app.post('/subscriptions/:id/deactivate', async (req, reply) => {
    const subscriptionId = id(req);
    if (subscriptionId === undefined || !(await subscriptionById(req.newsroom, subscriptionId))) return notFound(reply);
    await unsubscribe(req.newsroom, actorOf(req), { subscriptionId });
    return reply.redirect('/subscriptions', 303);
  });

  app.post('/subscriptions/:id/settings', async (req, reply) => {
    const subscriptionId = id(req);
    const sub = subscriptionId === undefined ? undefined : await subscriptionById(req.newsroom, subscriptionId);
    if (!sub?.active) return notFound(reply);
    const b = body(req);
    const changeTo = (change: Parameters<typeof changeSubscription>[3]) =>
      changeSubscription(req.newsroom, actorOf(req), sub.id, change);
    await changeTo({ topics: parseTopicFilter(text(b, 'topics')), template: templateOf(b) });
    // One source filter per changed field: only those that differ are written (and audited).
    const before = new Map(
      (await subscriptionSettings(req.newsroom, sub.id)).sourceFilters.map((f) => [f.sourceId, f.topics.join('\n')]),
    );
    for (const source of await followedSources(req.newsroom)) {
      if (typeof b[`source_${source.id}`] !== 'string') continue;
      const topics = parseTopicFilter(text(b, `source_${source.id}`));
      if (topics.join('\n') !== (before.get(source.id) ?? ''))
        await changeTo({ sourceFilter: { sourceId: source.id, topics } });
    }
    return reply.redirect(`/subscriptions/${sub.id}/settings?saved=1`, 303);
  });

  app.post('/queue/:id/resolve', async (req, reply) => {
    const jobId = id(req);
    if (jobId === undefined || !(await jobById(req.newsroom, jobId))) return notFound(reply);
    const how = text(body(req), 'how');
    if (how !== 'mark-sent' && how !== 'send-again') throw new RefusedError({ kind: 'choose-verdict' });
    await resolveInDoubt(req.newsroom, actorOf(req), jobId, how);
    return reply.redirect('/queue', 303);
  });
}

/** The settings form's template fields: «default» returns a field to the environment's value. */
function templateOf(b: Body): TemplateChange {
  const line = (name: string): string | null => {
    const mode = text(b, `${name}_mode`);
    return mode === 'none' ? '' : mode === 'text' ? text(b, name).trim() || '' : null;
  };
  const flag = (name: string): boolean | null =>
    text(b, name) === 'on' ? true : text(b, name) === 'off' ? false : null;
  const preview = text(b, 'link_preview');
  return {
    headerMark: line('header'),
    footer: line('footer'),
    showHashtags: flag('hashtags'),
    showSource: flag('source_line'),
    showDate: flag('date'),
    leadPhoto: flag('photo'),
    fullStory: flag('full_story'),
    fullStoryInGroup: flag('full_story_in_group'),
    linkPreview: preview === 'none' || preview === 'small' || preview === 'large' ? preview : null,
  };
}
