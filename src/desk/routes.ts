import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { queryStems } from '../text/stem.js';
import {
  ARABIC_DELIVERY_WORDS,
  articleById,
  articleDeliveries,
  articleDeliveryCounts,
  articlePosts,
  articlesPerDay,
  audienceCount,
  auditChoices,
  auditEntries,
  broadcastById,
  broadcastsOfArticle,
  broadcastStatus,
  correctionReport,
  deliveryCountsOf,
  deliveryOf,
  describeDelivery,
  draftEdit,
  editArticle,
  ENGLISH_DELIVERY_WORDS,
  failuresByReason,
  findSubscriptions,
  fullReads,
  followedSources,
  inDoubtDeliveries,
  newsroomOpen,
  paidBroadcastOffers,
  paidEstimates,
  articleReach,
  parseWindow,
  reachCsv,
  reachReport,
  suggestSendHour,
  queueDepth,
  recentTopics,
  revisionById,
  sentPerHour,
  subscribedPlatforms,
  subscriptionById,
  subscriptionSettings,
  todayArticles,
  visibleText,
  waitingForChats,
  listScheduled,
} from '../newsroom/index.js';
import { articleReactions } from '../newsroom/reactions.js';
import type { StoredArticle } from '../model/article.js';
import type { DeliveryState } from '../model/delivery.js';
import {
  activityPage,
  articlePage,
  broadcastPage,
  correctionPage,
  previews,
  queuePage,
  retractionPage,
  sourcesPage,
  statsPage,
  subscriptionSettingsPage,
  scheduledPage,
  subscriptionsPage,
  todayPage,
  urgentPage,
  type ScheduleNote,
  type SourceNote,
} from './pages.js';
import type { ContextOf, DeskDeps } from './deps.js';
import { actorOf, registerActions } from './actions.js';
import { articleReachSection, reachPage, REACH_WINDOWS } from './reach-page.js';
import { editInput, one, parseId } from './forms.js';
import { OncePerSession, type KeptDrafts } from './kept.js';

type Query = Record<string, string | string[] | undefined>;

/** The Reach page's window: one the page offers, else the week. */
const reachWindow = (q: Query): string => {
  const since = one(q, 'since', 8);
  return REACH_WINDOWS.find((w) => w === since) ?? '7d';
};

const PAGE_SIZE = 30;
const STATES = new Set<DeliveryState | 'none'>([
  'none',
  'queued',
  'held',
  'sending',
  'sent',
  'failed',
  'skipped',
  'in_doubt',
]);

const SCHEDULE_NOTES = new Set<ScheduleNote>([
  'malformed',
  'past',
  'too-far',
  'moved',
  'cancelled',
  'not-scheduled',
  'started',
  'gone',
]);
/** What a scheduling form's redirect says (`?schedule=…`): only the known words, anything else ignored. */
const scheduleNoteOf = (q: Query): ScheduleNote | undefined => {
  const note = one(q, 'schedule', 20) as ScheduleNote | undefined;
  return note && SCHEDULE_NOTES.has(note) ? note : undefined;
};

const send = (reply: FastifyReply, body: { value: string }) =>
  reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body.value);

/**
 * The search box as the search index reads it, the same way as /search: normalised, lightly stemmed words
 * («الرّقة» finds «الرقة», «الحوثيون» finds «الحوثيين»), every word required; the first eight words count.
 */
const searchStems = (q: string): string[][] => queryStems(q).slice(0, 8);

/** What every page's route reads: the desk's dependencies and the helpers registerPages makes once. */
interface Pages {
  deps: DeskDeps;
  ctxOf: ContextOf;
  drafts: KeptDrafts;
  config: DeskDeps['outlets']['main']['config'];
  now: () => number;
  /** The platforms the desk knows (their descriptors). */
  platformList: DeskDeps['platforms'];
  /** Every platform a page may name: the configured ones and those with subscriptions. */
  platforms: (req: FastifyRequest) => Promise<string[]>;
  /** What a broadcast can go to: the platforms the configuration turns on, named by their descriptors. */
  onPlatforms: Set<string>;
  articleOr404: (req: FastifyRequest, reply: FastifyReply) => Promise<StoredArticle | undefined>;
  sourceNotes: OncePerSession<SourceNote>;
  showSources: (req: FastifyRequest, reply: FastifyReply, note?: SourceNote) => Promise<FastifyReply>;
}

/** The desk's pages: one named route function each (below), registered here with what they share. */
export async function registerPages(
  app: FastifyInstance,
  deps: DeskDeps,
  ctxOf: ContextOf,
  drafts: KeptDrafts,
): Promise<void> {
  // One configuration for every outlet (an outlet's own platforms are its variables under its prefix).
  const { config } = deps.outlets.main;
  const now = deps.now ?? Date.now;
  const platformList = deps.platforms;
  const platforms = async (req: FastifyRequest) => [
    ...new Set([...platformList.map((m) => m.name), ...(await subscribedPlatforms(req.newsroom))]),
  ];
  /** What a broadcast can go to: the platforms the configuration turns on, named by their descriptors. */
  const onPlatforms = new Set(platformList.filter((p) => p.on).map((p) => p.name));

  const articleOr404 = async (req: FastifyRequest, reply: FastifyReply): Promise<StoredArticle | undefined> => {
    const id = parseId((req.params as { id: string }).id);
    // A source's backlog (marked seen when it was added) is an article like the others: tracked, edited, sent, retracted.
    const article = id === undefined ? undefined : await articleById(req.newsroom, id);
    if (!article) void reply.callNotFound();
    return article;
  };

  /** The add-source form's outcome, shown once on the page it redirects to. */
  const sourceNotes = new OncePerSession<SourceNote>();
  const showSources = async (req: FastifyRequest, reply: FastifyReply, note?: SourceNote) =>
    send(reply, sourcesPage(ctxOf(req, reply), config, await followedSources(req.newsroom), now(), note));

  const pages: Pages = {
    deps,
    ctxOf,
    drafts,
    config,
    now,
    platformList,
    platforms,
    onPlatforms,
    articleOr404,
    sourceNotes,
    showSources,
  };
  app.get('/', (req, reply) => todayRoute(pages, req, reply));
  app.get('/articles/:id', (req, reply) => articleRoute(pages, req, reply));
  app.get('/articles/:id/preview', (req, reply) => articlePreviewRoute(pages, req, reply));
  app.post('/articles/:id/edit', (req, reply) => articleEditRoute(pages, req, reply));
  app.get('/corrections/:id', (req, reply) => correctionRoute(pages, req, reply));
  app.get('/articles/:id/retract', (req, reply) => retractionRoute(pages, req, reply));
  app.get('/broadcasts/:id', (req, reply) => broadcastRoute(pages, req, reply));
  app.get('/scheduled', (req, reply) => scheduledRoute(pages, req, reply));
  app.get('/broadcasts/:id/events', (req, reply) => broadcastEventsRoute(pages, req, reply));
  app.get('/urgent', (req, reply) => urgentRoute(pages, req, reply));
  app.get('/sources', (req, reply) => sourcesRoute(pages, req, reply));
  app.get('/subscriptions', (req, reply) => subscriptionsRoute(pages, req, reply));
  app.get('/subscriptions/:id/settings', (req, reply) => subscriptionSettingsRoute(pages, req, reply));
  app.get('/queue', (req, reply) => queueRoute(pages, req, reply));
  app.get('/activity', (req, reply) => activityRoute(pages, req, reply));
  app.get('/reach', (req, reply) => reachRoute(pages, req, reply));
  app.get('/reach.csv', (req, reply) => reachCsvRoute(pages, req, reply));
  app.get('/stats', (req, reply) => statsRoute(pages, req, reply));

  await registerActions(app, {
    added: (req, note) => sourceNotes.set(req.editor!.sessionHash, note),
    show: showSources,
  });
}

async function todayRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config } = p;
  const q = req.query as Query;
  const state = one(q, 'state') as DeliveryState | 'none' | undefined;
  const source = parseId(one(q, 'source'));
  const text = one(q, 'q');
  const topic = one(q, 'topic', 100);
  const before = /^(\d{1,15})-(\d{1,15})$/.exec(one(q, 'before') ?? '');
  const backlog = one(q, 'backlog', 1);
  const filter = {
    q: text,
    source,
    topic,
    state: state && STATES.has(state) ? state : undefined,
    backlog: backlog === '0' || backlog === '1' ? (backlog as '0' | '1') : undefined,
  };
  const articles = await todayArticles(req.newsroom, {
    sourceId: source,
    topic,
    state: filter.state,
    stems: text ? searchStems(text) : undefined,
    limit: PAGE_SIZE,
    backlog: filter.backlog === undefined ? undefined : filter.backlog === '1',
    before: before ? { at: Number(before[1]), id: Number(before[2]) } : undefined,
  });
  const last = articles.at(-1);
  let olderHref: string | undefined;
  if (last && articles.length === PAGE_SIZE) {
    const params = new URLSearchParams(
      Object.entries({
        q: text,
        source: source?.toString(),
        topic,
        state: filter.state,
        backlog: filter.backlog,
      }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    params.set('before', `${(last.publishedAt ?? last.createdAt).getTime()}-${last.id}`);
    olderHref = `/?${params}`;
  }
  // One look-up per story on the page (a primary key each, PAGE_SIZE at most).
  const reads = new Map<number, number>();
  for (const a of articles) reads.set(a.id, await fullReads(req.newsroom, a.id));
  return send(
    reply,
    todayPage(ctxOf(req, reply), config, {
      articles,
      counts: await deliveryCountsOf(
        req.newsroom,
        articles.map((a) => a.id),
      ),
      sources: await followedSources(req.newsroom),
      topics: await recentTopics(req.newsroom),
      filter,
      olderHref,
      fullReads: reads,
    }),
  );
}

async function articleRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, drafts, config, now, platformList, onPlatforms, articleOr404 } = p;
  const article = await articleOr404(req, reply);
  if (!article) return reply;
  const kept = drafts.take(req.editor!.sessionHash, `/articles/${article.id}`, now());
  return send(
    reply,
    articlePage(ctxOf(req, reply), config, platformList, {
      kept: kept && {
        title: kept.title ?? article.title,
        summary: kept.summary ?? article.summary.join('\n'),
        hashtags: kept.hashtags ?? article.hashtags.join(' '),
      },
      article,
      counts: await articleDeliveryCounts(req.newsroom, article.id),
      deliveries: await articleDeliveries(req.newsroom, article.id, 200),
      broadcasts: await broadcastsOfArticle(req.newsroom, article.id),
      corrections: await correctionReport(req.newsroom, article.id),
      subscriptions: (await findSubscriptions(req.newsroom, { active: true, limit: 100 })).filter((s) =>
        onPlatforms.has(s.platform),
      ),
      platforms: [...onPlatforms],
      saved: (req.query as Query).saved === '1',
      paidOffered: paidBroadcastOffers(req.newsroom).length > 0,
      reactions: await articleReactions(req.newsroom, article.id),
      fullReads: await fullReads(req.newsroom, article.id),
      reach: articleReachSection(ctxOf(req, reply), await articleReach(req.newsroom, article.id)),
    }),
  );
}

/** The previews with a draft edit, for the edit form's live update; nothing is stored. */
async function articlePreviewRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config, platformList, articleOr404 } = p;
  const article = await articleOr404(req, reply);
  if (!article) return reply;
  const draft = draftEdit(article, editInput(req.query as Record<string, unknown>));
  return send(reply, previews(ctxOf(req, reply), config, draft, platformList));
}

async function articleEditRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { now, articleOr404 } = p;
  const article = await articleOr404(req, reply);
  if (!article) return reply;
  await editArticle(
    req.newsroom,
    actorOf(req),
    article.id,
    editInput((req.body ?? {}) as Record<string, unknown>),
    now(),
  );
  return reply.redirect(`/articles/${article.id}?saved=1`, 303);
}

/** An editor's correction waiting for confirmation (made by POST /articles/:id/correct). */
async function correctionRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config, platformList } = p;
  const id = parseId((req.params as { id: string }).id);
  const draft = id === undefined ? undefined : await revisionById(req.newsroom, id);
  const before = draft && (await articleById(req.newsroom, draft.articleId));
  if (!draft || !before || draft.origin !== 'editor') return reply.callNotFound();
  if (draft.state !== 'draft') return reply.redirect(`/articles/${before.id}`, 303);
  const after = { ...before, title: draft.title, summary: draft.summary, hashtags: draft.hashtags };
  return send(
    reply,
    correctionPage(ctxOf(req, reply), config, platformList, {
      draft,
      before,
      after,
      changed: visibleText(after, config) !== visibleText(before, config),
      posts: await articlePosts(req.newsroom, before.id),
    }),
  );
}

async function retractionRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, articleOr404 } = p;
  const article = await articleOr404(req, reply);
  if (!article) return reply;
  if (article.retracted) return reply.redirect(`/articles/${article.id}`, 303);
  return send(reply, retractionPage(ctxOf(req, reply), article, await articlePosts(req.newsroom, article.id)));
}

async function broadcastRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config, now, platformList } = p;
  const id = parseId((req.params as { id: string }).id);
  const broadcast = id === undefined ? undefined : await broadcastById(req.newsroom, id);
  const article = broadcast && (await articleById(req.newsroom, broadcast.articleId));
  if (!broadcast || !article) return reply.callNotFound();
  const status = (await broadcastStatus(req.newsroom, broadcast.id))!;
  return send(
    reply,
    broadcastPage(ctxOf(req, reply), config, platformList, {
      broadcast: { ...broadcast, state: status.state },
      article,
      status,
      audience: status.state === 'preview' ? await audienceCount(req.newsroom, article, broadcast.audience) : undefined,
      paid: broadcast.paid ? await paidEstimates(req.newsroom, broadcast, article) : undefined,
      refused: scheduleNoteOf(req.query as Query),
      now: now(),
      suggestion:
        status.state === 'preview' ? await suggestSendHour(req.newsroom, broadcast.audience, now()) : undefined,
    }),
  );
}

async function scheduledRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config, now } = p;
  const items = await listScheduled(req.newsroom, actorOf(req), now());
  return send(reply, scheduledPage(ctxOf(req, reply), config, items, scheduleNoteOf(req.query as Query)));
}

/** Live progress: one Server-Sent Event whenever the counts change, until the broadcast is over. */
async function broadcastEventsRoute(_p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const id = parseId((req.params as { id: string }).id);
  if (id === undefined || !(await broadcastById(req.newsroom, id))) return reply.callNotFound();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let last = '';
  /** A tick still reading: the next one is skipped rather than run beside it. */
  let reading = false;
  const read = async () => {
    if (!newsroomOpen(req.newsroom)) return finish();
    const status = await broadcastStatus(req.newsroom, id);
    if (res.writableEnded) return;
    const over = !status || status.finished;
    const data = JSON.stringify({ ...status, over });
    if (data !== last) {
      last = data;
      res.write(`data: ${data}\n\n`);
    }
    if (over) finish();
  };
  const tick = () => {
    if (reading) return;
    reading = true;
    read()
      .catch((err: unknown) => {
        req.newsroom.logger.error('broadcast progress events failed', { broadcast: id, error: err });
        finish();
      })
      .finally(() => {
        reading = false;
      });
  };
  // 500 ms: quick enough to watch a 10-chat send happen, one indexed COUNT per open page.
  const timer = setInterval(tick, 500);
  const finish = () => {
    clearInterval(timer);
    if (!res.writableEnded) res.end();
  };
  req.raw.on('close', finish);
  await tick();
}

async function urgentRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, drafts, now } = p;
  const kept = drafts.take(req.editor!.sessionHash, '/urgent', now());
  return send(reply, urgentPage(ctxOf(req, reply), kept?.text, kept !== undefined));
}

async function sourcesRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { sourceNotes, showSources } = p;
  return showSources(req, reply, sourceNotes.take(req.editor!.sessionHash));
}

async function subscriptionsRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config, platforms } = p;
  const q = req.query as Query;
  const filter = { platform: one(q, 'platform', 30), kind: one(q, 'kind', 30), active: one(q, 'active', 1) };
  const subs = await findSubscriptions(req.newsroom, {
    platform: filter.platform,
    kind: filter.kind,
    active: filter.active === undefined ? undefined : filter.active === '1',
    limit: 300,
  });
  const ctx = ctxOf(req, reply);
  const words = ctx.lang === 'en' ? ENGLISH_DELIVERY_WORDS : ARABIC_DELIVERY_WORDS;
  const delivery = new Map<number, string>();
  for (const s of subs) delivery.set(s.id, describeDelivery(await deliveryOf(req.newsroom, s.id), words));
  return send(
    reply,
    subscriptionsPage(ctx, config, subs, filter, await platforms(req), (s) => delivery.get(s.id)!),
  );
}

async function subscriptionSettingsRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config } = p;
  const subscriptionId = parseId((req.params as { id: string }).id);
  const sub = subscriptionId === undefined ? undefined : await subscriptionById(req.newsroom, subscriptionId);
  if (!sub?.active) return reply.callNotFound();
  const saved = one(req.query as Query, 'saved', 1) === '1';
  return send(
    reply,
    subscriptionSettingsPage(
      ctxOf(req, reply),
      config,
      await subscriptionSettings(req.newsroom, sub.id),
      await followedSources(req.newsroom),
      saved,
    ),
  );
}

async function queueRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config, now } = p;
  return send(
    reply,
    queuePage(
      ctxOf(req, reply),
      config,
      await queueDepth(req.newsroom, now()),
      await waitingForChats(req.newsroom, now()),
      await inDoubtDeliveries(req.newsroom, 100),
      now(),
    ),
  );
}

async function activityRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config } = p;
  const q = req.query as Query;
  const filter = { actor: one(q, 'actor', 100), action: one(q, 'action', 100) };
  const beforeId = parseId(one(q, 'before'));
  const entries = await auditEntries(req.newsroom, { ...filter, beforeId, limit: 100 });
  let olderHref: string | undefined;
  if (entries.length === 100) {
    const params = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined));
    params.set('before', String(entries.at(-1)!.id));
    olderHref = `/activity?${params}`;
  }
  return send(
    reply,
    activityPage(ctxOf(req, reply), config, entries, await auditChoices(req.newsroom), filter, olderHref),
  );
}

async function reachRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config, now } = p;
  const window = reachWindow(req.query as Query);
  return send(
    reply,
    reachPage(ctxOf(req, reply), {
      report: await reachReport(req.newsroom, parseWindow(window), now()),
      window,
      tracking: config.clicks.track,
    }),
  );
}

/** The same report as CSV, every cell safe to open in a spreadsheet (reachCsv). */
async function reachCsvRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { now } = p;
  const window = reachWindow(req.query as Query);
  const csv = reachCsv(await reachReport(req.newsroom, parseWindow(window), now()));
  return reply
    .type('text/csv; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-disposition', `attachment; filename="nashra-reach-${window}.csv"`)
    .send(csv);
}

async function statsRoute(p: Pages, req: FastifyRequest, reply: FastifyReply) {
  const { ctxOf, config, now } = p;
  const t = now();
  return send(
    reply,
    statsPage(ctxOf(req, reply), config, {
      perHour: await sentPerHour(req.newsroom, t - 48 * 3600_000),
      perDay: await articlesPerDay(req.newsroom, t - 14 * 86400_000),
      failures: await failuresByReason(req.newsroom, t - 7 * 86400_000),
      now: t,
    }),
  );
}
