/**
 * The push endpoints on the desk's server (src/ingest/push.ts does the work): `POST /hooks/publish/<source-id>`,
 * and WebSub's callback `GET|POST /websub/<source-id>/<token>`. They take raw bodies (signatures are over the exact bytes),
 * need no editor and no CSRF token (server.ts lets them through), and answer in plain text.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HOOK_BODY_LIMIT, WEBSUB_BODY_LIMIT, type PushAnswer, type PushIngest } from '../ingest/push.js';

/** `/websub/:id/:token` is the callback Nashra gives hubs; `/websub/:id` still takes signed notifications. */
export const PUSH_ROUTES = ['/hooks/publish/:id', '/websub/:id', '/websub/:id/:token'];

/** Per address: a publishing system sends a few a minute; a flood is cut before any signature is computed. */
const PER_ADDRESS = { max: 300, timeWindow: 60_000 };

export async function registerPush(app: FastifyInstance, push: PushIngest): Promise<void> {
  await app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const answer = (reply: FastifyReply, a: PushAnswer) => reply.code(a.status).type('text/plain; charset=utf-8').send(a.body);
    const idOf = (params: unknown) => {
      const id = (params as { id: string }).id;
      return /^\d{1,12}$/.test(id) ? Number(id) : NaN;
    };
    const bodyOf = (body: unknown) => (Buffer.isBuffer(body) ? body : Buffer.alloc(0));
    child.post('/hooks/publish/:id', { bodyLimit: HOOK_BODY_LIMIT, config: { rateLimit: PER_ADDRESS } },
      async (req, reply) => answer(reply, await push.hook(idOf(req.params), req.headers, bodyOf(req.body))));
    const tokenOf = (params: unknown) => (params as { token?: string }).token;
    for (const path of ['/websub/:id', '/websub/:id/:token']) {
      child.get(path, { config: { rateLimit: PER_ADDRESS } },
        async (req, reply) => answer(reply, await push.verify(idOf(req.params), tokenOf(req.params), req.query as Record<string, unknown>)));
      child.post(path, { bodyLimit: WEBSUB_BODY_LIMIT, config: { rateLimit: PER_ADDRESS } },
        async (req, reply) => answer(reply, await push.notify(idOf(req.params), req.headers, bodyOf(req.body), tokenOf(req.params))));
    }
  });
}
