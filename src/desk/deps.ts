import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PushIngest } from '../ingest/push.js';
import type { ClickCounter } from '../newsroom/clicks.js';
import type { DeskOutlet, NewsroomDeps, OutletNewsrooms, SignedInEditor } from '../newsroom/index.js';
import type { Lang } from './i18n.js';
import type { PageContext } from './layout.js';
import type { DeskPlatform } from './pages.js';

/**
 * What the desk's files share (the server, its pages and its actions), kept here so that each imports this and none
 * imports another: server.ts registers routes.ts, which registers actions.ts, and nothing points back.
 */

/** What the desk needs from the application: it has no platform code and no newsroom logic of its own. */
export interface DeskDeps {
  /**
   * Every outlet's newsroom: accounts and sessions are `main`'s; every page and action works on the newsroom of the
   * outlet the signed-in editor has chosen (req.newsroom), its membership read again at every request.
   */
  outlets: OutletNewsrooms;
  /** Each platform's markup, name and post links (from its descriptor in bots/<platform>/), for the exact previews. */
  platforms: readonly DeskPlatform[];
  /** Says the first-run setup link (once, while no desk account exists) where the operator reads it, in its words. */
  announceSetup: (link: string) => void;
  /**
   * Push ingest's endpoints (publish hook, WebSub callback), served on the same port when given: each outlet's
   * PushIngest by its name (`nashra run`: those of the outlets it serves), or one, `main`'s.
   */
  push?: PushIngest | ((outlet: string) => PushIngest | undefined);
  /**
   * Counts clicks on `main`'s posts' links when NASHRA_TRACK_CLICKS is on; made by the server when not given (tests
   * give theirs). Another outlet's are counted by a counter the server makes on the outlet's first link.
   */
  clicks?: ClickCounter;
  now?: () => number;
}

/** The signed-in editor of a request (the newsroom's session). */
export type SignedIn = SignedInEditor;

declare module 'fastify' {
  interface FastifyRequest {
    editor?: SignedIn;
    /** The outlet a signed-in request works in: the editor's membership (its role) and every other one. */
    outlet?: DeskOutlet;
    /** That outlet's newsroom: set on every signed-in request (the only ones the pages and actions serve). */
    newsroom: NewsroomDeps;
    lang: Lang;
    sessionExpired: boolean;
    /** The hash of a session cookie that no longer signs in, on a form post: its CSRF token is checked against it. */
    staleSession?: string;
  }
}

export type ContextOf = (req: FastifyRequest, reply: FastifyReply) => PageContext;
