/**
 * `GET /r/<code>` (`main`'s) and `GET /r/<outlet>/<code>` (another outlet's): a post's link (src/newsroom/clicks.ts),
 * counted by the outlet's own ClickCounter, in its own database. Answered at once, with no session looked up, no cookie
 * set and nothing about the reader kept: a redirect to the article (counted unless a link-preview fetcher asked),
 * 410 for a retracted story, 404 for a code that is not one of Nashra's. The server's other hooks let it through
 * (server.ts, CLICK_ROUTE).
 */
import { catalogue } from '../i18n/index.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClickAnswer, ClickCounter } from '../newsroom/clicks.js';

export const CLICK_ROUTES = ['/r/:code', '/r/:outlet/:code'];

/** The outlet's counter; undefined for an outlet that is not one (404, the same page as an unknown code). */
export type CountersOf = (outlet: string | undefined) => ClickCounter | undefined | Promise<ClickCounter | undefined>;

const LINKS = catalogue('ar').links;

/** A story its newsroom retracted: said in a line, in Arabic, with nothing to follow. */
const RETRACTED = `<!doctype html><html lang="ar" dir="rtl"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${LINKS.retractedTitle}</title><p style="font:1.2rem sans-serif;margin:3rem auto;max-width:30rem">${LINKS.retracted}</p></html>`;
const NOT_FOUND = `<!doctype html><html lang="ar" dir="rtl"><meta charset="utf-8"><title>404</title><p>${LINKS.notFound}</p></html>`;

export function registerClicks(app: FastifyInstance, counterOf: CountersOf): void {
  // No helmet: its headers are for the desk's pages, and it parsed its policy on every request (a fifth of a
  // redirect's time); the answer carries the headers it needs.
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const { code = '', outlet } = req.params as { code?: string; outlet?: string };
    // `main`'s counter is at hand (no await); another outlet's is made once, on its first link.
    const counter = counterOf(outlet);
    const resolved = counter instanceof Promise ? await counter : counter;
    const answer: ClickAnswer = resolved ? await resolved.click(code, req.headers['user-agent']) : { status: 404 };
    // Neither the answer nor the article's page should keep or pass on the code (it names the chat the post went to).
    reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff');
    if (answer.status === 302) return reply.redirect(answer.location, 302);
    return reply
      .code(answer.status)
      .type('text/html; charset=utf-8')
      .send(answer.status === 410 ? RETRACTED : NOT_FOUND);
  };
  for (const route of CLICK_ROUTES) app.get(route, { helmet: false }, handler);
}
