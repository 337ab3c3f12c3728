/**
 * The push endpoints on the desk's server (src/ingest/push.ts does the work): `POST /hooks/publish/<source-id>`,
 * and WebSub's callback `GET|POST /websub/<source-id>/<token>`, for `main`'s sources; another outlet's are
 * `/hooks/publish/<outlet>/<source-id>` and `/websub/<outlet>/<source-id>/<token>`, answered by that outlet's
 * PushIngest (its sources and secrets are in its own database). They take raw bodies (signatures are over the exact
 * bytes), need no editor and no CSRF token (server.ts lets them through), and answer in plain text.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HOOK_BODY_LIMIT, WEBSUB_BODY_LIMIT, type PushAnswer, type PushIngest } from '../ingest/push.js';
import { MAIN_OUTLET } from '../model/outlet.js';

/**
 * `/websub/:id/:token` is the callback Nashra gives hubs; `/websub/:id` still takes signed notifications. The
 * two-part path is also another outlet's `/websub/<outlet>/<id>`: a token is 32 hex digits, an id at most 12 digits,
 * so the second part tells which (see websubTarget).
 */
export const PUSH_ROUTES = [
  '/hooks/publish/:id',
  '/hooks/publish/:outlet/:id',
  '/websub/:id',
  '/websub/:id/:token',
  '/websub/:outlet/:id/:token',
];

/** The outlet's PushIngest; undefined when no such outlet is served here (refused as an unknown source). */
export type PushOf = (outlet: string) => PushIngest | undefined;

/** Per address: a publishing system sends a few a minute; a flood is cut before any signature is computed. */
const PER_ADDRESS = { max: 300, timeWindow: 60_000 };
const TOKEN = /^[0-9a-f]{32}$/i;

/** The outlet, source id and token a WebSub path names (see PUSH_ROUTES). */
function websubTarget(params: unknown): { outlet: string; id: string; token?: string } {
  const p = params as { outlet?: string; id: string; token?: string };
  if (p.outlet !== undefined) return { outlet: p.outlet, id: p.id, token: p.token };
  if (p.token !== undefined && !TOKEN.test(p.token)) return { outlet: p.id, id: p.token };
  return { outlet: MAIN_OUTLET, id: p.id, token: p.token };
}

export async function registerPush(app: FastifyInstance, pushOf: PushOf): Promise<void> {
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes an async plugin (FastifyPluginAsync); Biome picks the callback overload
  await app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const answer = (reply: FastifyReply, a: PushAnswer) =>
      reply.code(a.status).type('text/plain; charset=utf-8').send(a.body);
    const idOf = (id: string) => (/^\d{1,12}$/.test(id) ? Number(id) : NaN);
    const bodyOf = (body: unknown) => (Buffer.isBuffer(body) ? body : Buffer.alloc(0));
    const noHook: PushAnswer = { status: 404, body: 'no publish hook for this source' };
    const noSub: PushAnswer = { status: 404, body: 'no such subscription' };
    for (const path of ['/hooks/publish/:id', '/hooks/publish/:outlet/:id']) {
      child.post(path, { bodyLimit: HOOK_BODY_LIMIT, config: { rateLimit: PER_ADDRESS } }, async (req, reply) => {
        const { outlet = MAIN_OUTLET, id } = req.params as { outlet?: string; id: string };
        const push = pushOf(outlet);
        return answer(reply, push ? await push.hook(idOf(id), req.headers, bodyOf(req.body)) : noHook);
      });
    }
    for (const path of ['/websub/:id', '/websub/:id/:token', '/websub/:outlet/:id/:token']) {
      child.get(path, { config: { rateLimit: PER_ADDRESS } }, async (req, reply) => {
        const { outlet, id, token } = websubTarget(req.params);
        const push = pushOf(outlet);
        return answer(
          reply,
          push
            ? await push.verify(idOf(id), token, req.query as Record<string, unknown>)
            : { status: 404, body: 'no such request' },
        );
      });
      child.post(path, { bodyLimit: WEBSUB_BODY_LIMIT, config: { rateLimit: PER_ADDRESS } }, async (req, reply) => {
        const { outlet, id, token } = websubTarget(req.params);
        const push = pushOf(outlet);
        return answer(reply, push ? await push.notify(idOf(id), req.headers, bodyOf(req.body), token) : noSub);
      });
    }
  });
}
