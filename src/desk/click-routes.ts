/**
 * `GET /r/<code>`: a post's link (src/newsroom/clicks.ts). Answered at once, with no session looked up, no cookie
 * set and nothing about the reader kept: a redirect to the article (counted unless a link-preview fetcher asked),
 * 410 for a retracted story, 404 for a code that is not one of Nashra's. The server's other hooks let it through
 * (server.ts, CLICK_ROUTE).
 */
import type { FastifyInstance } from 'fastify';
import type { ClickCounter } from '../newsroom/clicks.js';

export const CLICK_ROUTE = '/r/:code';

/** A story its newsroom retracted: said in a line, in Arabic, with nothing to follow. */
const RETRACTED = `<!doctype html><html lang="ar" dir="rtl"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>سُحب هذا الخبر</title><p style="font:1.2rem sans-serif;margin:3rem auto;max-width:30rem">سُحب هذا الخبر: سحبته غرفة الأخبار بعد نشره، فلم يعد متاحاً.</p></html>`;
const NOT_FOUND = `<!doctype html><html lang="ar" dir="rtl"><meta charset="utf-8"><title>404</title><p>هذا الرابط غير موجود.</p></html>`;

export function registerClicks(app: FastifyInstance, counter: ClickCounter): void {
  // No helmet: its headers are for the desk's pages, and it parsed its policy on every request (a fifth of a
  // redirect's time); the answer carries the headers it needs.
  app.get(CLICK_ROUTE, { helmet: false }, async (req, reply) => {
    const code = (req.params as { code?: string }).code ?? '';
    const answer = await counter.click(code, req.headers['user-agent']);
    // Neither the answer nor the article's page should keep or pass on the code (it names the chat the post went to).
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff');
    if (answer.status === 302) return reply.redirect(answer.location, 302);
    return reply.code(answer.status).type('text/html; charset=utf-8').send(answer.status === 410 ? RETRACTED : NOT_FOUND);
  });
}
