/**
 * An outlet: one newsroom (a brand) with its own sources, chats, articles, editors and platform accounts.
 * `main` is the first, the one a single newsroom has always had.
 */
export interface Outlet {
  id: number;
  /** Its name in commands and URLs: `--outlet sy24`. Lower-case letters, digits and hyphens. */
  slug: string;
  name: string;
  /**
   * Its platforms' settings are the environment's variables under this prefix (`SY24_` + a platform's variable):
   * a bot token is never stored. Undefined for `main`, which reads them without a prefix.
   */
  envPrefix?: string;
  createdAt: Date;
}

export const MAIN_OUTLET = 'main';

/** A desk account's role in an outlet: an admin also manages its sources, chats and editors. */
export type DeskRole = 'admin' | 'editor';

export interface Membership {
  editorId: number;
  outletId: number;
  slug: string;
  role: DeskRole;
}

export interface NewOutlet {
  slug: string;
  name: string;
  envPrefix: string;
}
